"""Answers to exercise t10_predict: its known mistakes and correct alternatives."""

NOT_APPLICABLE = {
    "mutating": "prediction() takes no arguments",
}


def perturbed(answer):
    """Both fractions moved past the stated tolerance of 0.01 (a 1e-3 nudge is within it)."""

    def moved():
        return tuple(x - 0.05 for x in answer())

    return moved


def not_a_pair():
    return 0.5


def percent():
    return (50, 25)


def ih_columns_too():
    return (0.25, 0.25)


def ih_other():
    return (0.125, 0.25)


def hh_rows_only():
    return (0.5, 0.5)


def hh_other():
    return (0.5, 0.0625)


def as_list():
    return [1 / 2, 1 / 4]


def as_array():
    import numpy as np

    return np.array([0.5, 0.25])


def rounded():
    return (0.5, 0.245)


MISTAKES = {
    "not_a_pair": not_a_pair,
    "percent": percent,
    "ih_columns_too": ih_columns_too,
    "ih_other": ih_other,
    "hh_rows_only": hh_rows_only,
    "hh_other": hh_other,
}
ALTERNATIVES = {"as_list": as_list, "as_array": as_array, "rounded": rounded}
