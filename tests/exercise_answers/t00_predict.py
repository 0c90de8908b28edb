"""Answers to exercise t00_predict: its known mistakes and correct alternatives."""

import numpy as np

NOT_APPLICABLE = {
    "mutating": "prediction() takes no arguments",
}


def perturbed(answer):
    """The master's pair moved by more than the tolerance of 0.01 (a nudge of 1e-3 stays
    within it, and must)."""

    def moved():
        masked, removed = answer()
        return (masked - 0.05, removed + 0.05)

    return moved


def not_a_pair():
    return 0.25


def percent():
    return (100, 25)


def masks_save_work():
    return (0.25, 0.25)


def removal_squared():
    return (1.0, 0.0625)


def as_list():
    return [1, 0.25]


def numpy_numbers():
    return (np.float64(1.0), np.float32(0.25))


def within_tolerance():
    return (0.995, 0.255)


MISTAKES = {
    "not_a_pair": not_a_pair,
    "percent": percent,
    "masks_save_work": masks_save_work,
    "removal_squared": removal_squared,
}
ALTERNATIVES = {
    "as_list": as_list,
    "numpy_numbers": numpy_numbers,
    "within_tolerance": within_tolerance,
}
