"""Answers to exercise t00_count_parameters: its known mistakes and correct alternatives."""

import numpy as np


def weights_only(sizes):
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def bias_per_input(sizes):
    return sum(a * b + a for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def loop(sizes):
    total = 0
    for i in range(len(sizes) - 1):
        total += sizes[i] * sizes[i + 1] + sizes[i + 1]
    return total


def numpy_int(sizes):
    s = np.asarray(sizes)
    return np.int64(np.sum(s[:-1] * s[1:] + s[1:]))


MISTAKES = {"weights_only": weights_only, "bias_per_input": bias_per_input}
ALTERNATIVES = {"loop": loop, "numpy_int": numpy_int}
