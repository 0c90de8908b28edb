"""Answers to exercise t07_predict: its known mistakes and correct alternatives."""

import numpy as np

NOT_APPLICABLE = {
    "mutating": "csr_beats_8bit_at() takes no arguments",
}


def perturbed(answer):
    """The master's prediction moved past the tolerance of 0.02 (a nudge of 1e-3 stays
    within it, and a prediction within the tolerance is right)."""

    def moved():
        return answer() - 0.05

    return moved


def not_a_number():
    return None


def percent():
    return 87.5


def float32_dense():
    return 0.5


def no_indices():
    return 0.75


def never():
    return 1.0


def wrong():
    return 0.95


def seven_eighths():
    return 7 / 8


def numpy_float():
    return np.float64(0.88)


def within_tolerance():
    return 0.86


MISTAKES = {
    "not_a_number": not_a_number,
    "percent": percent,
    "float32_dense": float32_dense,
    "no_indices": no_indices,
    "never": never,
    "wrong": wrong,
}
ALTERNATIVES = {
    "seven_eighths": seven_eighths,
    "numpy_float": numpy_float,
    "within": within_tolerance,
}
