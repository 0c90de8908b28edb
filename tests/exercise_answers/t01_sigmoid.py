"""Answers to exercise t01_sigmoid: its known mistakes and correct alternatives.

Each entry is a pair ``(sigmoid, sigmoid_backward)``: a mistake in one function beside
a correct other.
"""

import numpy as np
import scipy.special


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)


def backward(dout, z, a):
    return dout * a * (1 - a)


# ------------------------------------------------------------------ mistakes
def naive(z):
    return 1 / (1 + np.exp(-z))


def where_naive(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


def flipped(z):
    return sigmoid(-z)


def clipped(z):
    return (1 / (1 + np.exp(-np.clip(z, -30, 30)))).astype(z.dtype)


def float64_out(z):
    return sigmoid(np.asarray(z, dtype=np.float64))


def no_dout(dout, z, a):
    return a * (1 - a)


def quotient(dout, z, a):
    return dout * np.exp(-z) / (1 + np.exp(-z)) ** 2


# ------------------------------------------------------------------ alternatives
def float64_inside(z):
    z64 = z.astype(np.float64)
    e = np.exp(-np.abs(z64))
    return np.where(z64 >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)


def branches(z):
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    out[~pos] = e / (1 + e)
    return out


def logaddexp(z):
    return np.exp(-np.logaddexp(0, -z)).astype(z.dtype)


def expit(z):
    return scipy.special.expit(z)


def backward_from_z(dout, z, a):
    e = np.exp(-np.abs(z))
    return (dout * (e / (1 + e) ** 2)).astype(dout.dtype)


def backward_float64_inside(dout, z, a):
    a64 = a.astype(np.float64)
    return (dout.astype(np.float64) * a64 * (1 - a64)).astype(dout.dtype)


MISTAKES = {
    "overflow": (naive, backward),
    "where_both": (where_naive, backward),
    "flipped": (flipped, backward),
    "clipped": (clipped, backward),
    "float64_out": (float64_out, backward),
    "no_dout": (sigmoid, no_dout),
    "backward_overflow": (sigmoid, quotient),
}
ALTERNATIVES = {
    "float64_inside": (float64_inside, backward),
    "branches": (branches, backward),
    "logaddexp": (logaddexp, backward),
    "expit": (expit, backward),
    "backward_from_z": (sigmoid, backward_from_z),
    "backward_float64_inside": (sigmoid, backward_float64_inside),
}
