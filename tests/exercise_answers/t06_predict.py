"""Answers to exercise t06_predict: its known mistakes and correct alternatives."""

NOT_APPLICABLE = {
    "nudged": "the answer is a name: there is no number to nudge (a lying object fails the "
    "type check, tested in tests/test_exercises_t06.py)",
    "mutating": "prediction() takes no arguments",
}


def not_a_choice():
    return ["mean_activation"]


def incoming_small():
    return "incoming_l2"


def outgoing_small():
    return "outgoing_l2"


def capitals():
    return "Mean_Activation"


def spaced():
    return "  mean activation "


def hyphenated():
    return "mean-activation"


MISTAKES = {
    "not_a_choice": not_a_choice,
    "incoming_small": incoming_small,
    "outgoing_small": outgoing_small,
}
ALTERNATIVES = {"capitals": capitals, "spaced": spaced, "hyphenated": hyphenated}
