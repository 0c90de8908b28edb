"""Answers to exercise t05_predict: its known mistakes and correct alternatives."""

import numpy as np

NOT_APPLICABLE = {
    "mutating": "when_half_pruned() takes no arguments",
}


def perturbed(answer):
    """The master's prediction moved past the tolerance of 0.02 (a nudge of 1e-3 stays
    within it, and a prediction within the tolerance is right)."""

    def moved():
        return answer() + 0.05

    return moved


def not_a_number():
    return "0.2"


def percent():
    return 20.6


def linear():
    return 0.5


def reversed_fraction():
    return 0.794


def wrong():
    return 0.33


def cube_root():
    return 1 - 0.5 ** (1 / 3)


def numpy_float():
    return np.float32(0.21)


def within_tolerance():
    return 0.19


MISTAKES = {
    "not_a_number": not_a_number,
    "percent": percent,
    "linear": linear,
    "reversed": reversed_fraction,
    "wrong": wrong,
}
ALTERNATIVES = {"cube_root": cube_root, "numpy_float": numpy_float, "within": within_tolerance}
