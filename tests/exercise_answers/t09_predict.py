"""Answers to exercise t09_predict: its known mistakes and correct alternatives."""

NOT_APPLICABLE = {
    "nudged": "the answer is a name: there is no number to nudge (a lying object fails the "
    "type check, tested in tests/test_exercises_t09.py)",
    "mutating": "strength_score() takes no arguments",
}


def not_a_choice():
    return ["gamma"]


def l1():
    return "l1"


def both():
    return "both"


def neither():
    return "neither"


def capitals():
    return "Gamma"


def spaced():
    return "  GAMMA "


MISTAKES = {"not_a_choice": not_a_choice, "l1": l1, "both": both, "neither": neither}
ALTERNATIVES = {"capitals": capitals, "spaced": spaced}
