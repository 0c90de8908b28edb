"""Answers to exercise t13_predict: its known mistakes and correct alternatives."""

NOT_APPLICABLE = {
    "nudged": "the answer is a list of names: there is no number to nudge (a lying object "
    "fails the type check, tested in tests/test_exercises_t13.py)",
    "mutating": "ranking() takes no arguments",
}


def not_a_list():
    return "sparsegpt"


def unknown_name():
    return ["sparsegpt", "wanda", "obs"]


def sparsegpt_not_first():
    return ["wanda", "sparsegpt", "magnitude"]


def magnitude_before_wanda():
    return ["sparsegpt", "magnitude", "wanda"]


def capitals():
    return ("SparseGPT", "Wanda", "Magnitude")


def spaced():
    return [" sparsegpt", "wanda ", "magnitude"]


MISTAKES = {
    "not_a_list": not_a_list,
    "unknown_name": unknown_name,
    "sparsegpt_not_first": sparsegpt_not_first,
    "magnitude_before_wanda": magnitude_before_wanda,
}
ALTERNATIVES = {"capitals": capitals, "spaced": spaced}
