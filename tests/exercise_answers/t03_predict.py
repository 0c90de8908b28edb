"""Answers to exercise t03_predict: its known mistakes and correct alternatives."""

NOT_APPLICABLE = {
    "nudged": "the answer is a name: there is no number to nudge (a lying object fails the "
    "type check, tested in tests/test_exercises_t03.py)",
    "mutating": "prediction() takes no arguments",
}


def not_a_choice():
    return ["inputs"]


def unknown_word():
    return "the first layer"


def most_weights():
    return "weights"


def most_outputs():
    return "outputs"


def same_share():
    return "same"


def capitals():
    return "Inputs"


def spaced():
    return "  INPUTS "


MISTAKES = {
    "not_a_choice": not_a_choice,
    "most_weights": most_weights,
    "most_outputs": most_outputs,
    "same_share": same_share,
}
ALTERNATIVES = {"capitals": capitals, "spaced": spaced}
