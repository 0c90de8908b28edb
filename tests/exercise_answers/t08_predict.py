"""Answers to exercise t08_predict: its known mistakes and correct alternatives."""

NOT_APPLICABLE = {
    "mutating": "prediction() takes no arguments",
}


def perturbed(answer):
    """The prediction moved past the stated tolerance of 0.01 (a 1e-3 nudge is within it)."""

    def moved():
        return answer() - 0.05

    return moved


def not_a_number():
    return "0.75"


def percent():
    return 75


def same_half_again():
    return 0.5


def amounts_add_up():
    return 1.0


def other_number():
    return 0.625


def three_quarters():
    return 3 / 4


def rounded():
    return 0.745


def numpy_scalar():
    import numpy as np

    return np.float32(0.75)


MISTAKES = {
    "not_a_number": not_a_number,
    "percent": percent,
    "same_half_again": same_half_again,
    "amounts_add_up": amounts_add_up,
    "other_number": other_number,
}
ALTERNATIVES = {"three_quarters": three_quarters, "rounded": rounded, "numpy_scalar": numpy_scalar}
