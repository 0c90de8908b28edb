"""Answers to exercise t11_predict: its known mistakes and correct alternatives."""

NOT_APPLICABLE = {
    "nudged": "the answer is a choice among three phrases: there is no number to nudge (a lying "
    "object fails the type check, tested in tests/test_exercises_t11.py)",
    "mutating": "macs_left() takes no arguments",
}


def not_a_choice():
    return 0.5


def less_than_half():
    return "less than half"


def half():
    return "half"


def capitals():
    return "More Than Half"


def spaced():
    return "  more   than half "


def underscores():
    return "more_than_half"


MISTAKES = {"not_a_choice": not_a_choice, "less than half": less_than_half, "half": half}
ALTERNATIVES = {"capitals": capitals, "spaced": spaced, "underscores": underscores}
