"""Answers to exercise t02_l2: its known mistakes and correct alternatives."""

import numpy as np


def grad_only(W, l2):
    return l2 * W


def value_array(W, l2):
    return 0.5 * l2 * np.sum(W * W, axis=0), l2 * W


def no_half(W, l2):
    return l2 * float(np.sum(W * W)), l2 * W


def grad_twice(W, l2):
    return 0.5 * l2 * float(np.sum(W * W)), 2 * l2 * W


def wrong_dtype(W, l2):
    return 0.5 * l2 * float(np.sum(W * W)), (l2 * W).tolist()


def numpy_scalar(W, l2):
    return l2 / 2 * np.sum(W**2), l2 * W


def float64_inside(W, l2):
    W64 = W.astype(np.float64)
    return float(0.5 * l2 * np.vdot(W64, W64)), (l2 * W64).astype(W.dtype)


def copy_then_scale(W, l2):
    dW = W.copy()
    dW *= l2
    return l2 * float(np.linalg.norm(W.ravel()) ** 2) / 2, dW


MISTAKES = {
    "grad_only": grad_only,
    "value_array": value_array,
    "no_half": no_half,
    "grad_twice": grad_twice,
    "wrong_dtype": wrong_dtype,
}
ALTERNATIVES = {
    "numpy_scalar": numpy_scalar,
    "float64_inside": float64_inside,
    "copy_then_scale": copy_then_scale,
}
NOT_APPLICABLE = {
    "borrowing": "the references are the classes mp.L2 and mp.ElasticNet: calling one "
    "builds a penalty and borrows nothing; tests/test_exercises_t02.py checks that an "
    "answer using their value_of and grad fails with the switched-off hint",
}
