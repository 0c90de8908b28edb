"""Answers to exercise t00_count_macs: its known mistakes and correct alternatives."""

import numpy as np


def with_biases(sizes):
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def first_layer_only(sizes):
    return sizes[0] * sizes[1]


def numpy_dot(sizes):
    s = np.asarray(sizes)
    return int(s[:-1] @ s[1:])


MISTAKES = {"with_biases": with_biases, "first_layer_only": first_layer_only}
ALTERNATIVES = {"numpy_dot": numpy_dot}
