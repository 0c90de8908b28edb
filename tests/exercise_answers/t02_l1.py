"""Answers to exercise t02_l1: its known mistakes and correct alternatives."""

import numpy as np


def grad_only(W, l1):
    return l1 * np.sign(W)


def value_array(W, l1):
    return l1 * np.abs(W).sum(axis=0), l1 * np.sign(W)


def half(W, l1):
    return 0.5 * l1 * float(np.abs(W).sum()), l1 * np.sign(W)


def twice(W, l1):
    return 2 * l1 * float(np.abs(W).sum()), l1 * np.sign(W)


def signed_sum(W, l1):
    return l1 * float(W.sum()), l1 * np.sign(W)


def sign_at_zero(W, l1):
    return l1 * float(np.abs(W).sum()), l1 * np.where(W >= 0, 1.0, -1.0).astype(W.dtype)


def wrong_dtype(W, l1):
    return l1 * float(np.abs(W).sum()), l1 * np.sign(W).astype(np.float64)


def numpy_scalar(W, l1):
    return l1 * np.sum(np.abs(W)), l1 * np.sign(W)


def float64_inside(W, l1):
    W64 = W.astype(np.float64)
    return float(l1 * np.abs(W64).sum()), (l1 * np.sign(W64)).astype(W.dtype)


def where(W, l1):
    dW = np.where(W > 0, l1, np.where(W < 0, -l1, 0.0)).astype(W.dtype)
    return l1 * float(np.linalg.norm(W.ravel(), 1)), dW


def loop(W, l1):
    total, dW = 0.0, np.zeros_like(W)
    for i in range(W.size):
        w = float(W.flat[i])
        total += abs(w)
        dW.flat[i] = l1 * (w > 0) - l1 * (w < 0)
    return l1 * total, dW


MISTAKES = {
    "grad_only": grad_only,
    "value_array": value_array,
    "half": half,
    "twice": twice,
    "signed_sum": signed_sum,
    "sign_at_zero": sign_at_zero,
    "wrong_dtype": wrong_dtype,
}
ALTERNATIVES = {
    "numpy_scalar": numpy_scalar,
    "float64_inside": float64_inside,
    "where": where,
    "loop": loop,
}
NOT_APPLICABLE = {
    "borrowing": "the references are the classes mp.L1 and mp.ElasticNet: calling one "
    "builds a penalty and borrows nothing; tests/test_exercises_t02.py checks that an "
    "answer using their value_of and grad fails with the switched-off hint",
}
