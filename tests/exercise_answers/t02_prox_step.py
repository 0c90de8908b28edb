"""Answers to exercise t02_prox_step: its known mistakes and correct alternatives."""

import numpy as np


def _soft(U, t):
    return np.sign(U) * np.maximum(np.abs(U) - t, 0)


def threshold_l1(W, dW, lr, l1):
    return _soft(W - lr * dW, l1)


def subgradient(W, dW, lr, l1):
    return W - lr * (dW + l1 * np.sign(W))


def threshold_first(W, dW, lr, l1):
    return _soft(W, lr * l1) - lr * dW


def gradient_only(W, dW, lr, l1):
    return W - lr * dW


def almost_zero(W, dW, lr, l1):
    U = W - lr * dW
    return np.sign(U) * np.maximum(np.abs(U) - lr * l1, 1e-20)


def wrong_dtype(W, dW, lr, l1):
    U = W.astype(np.float64) - lr * dW.astype(np.float64)
    return _soft(U, lr * l1)


def float64_inside(W, dW, lr, l1):
    U = W.astype(np.float64) - lr * dW.astype(np.float64)
    return _soft(U, lr * l1).astype(W.dtype)


def where(W, dW, lr, l1):
    U = W - lr * dW
    t = lr * l1
    return np.where(U > t, U - t, np.where(U < -t, U + t, 0)).astype(W.dtype)


def in_place_on_a_copy(W, dW, lr, l1):
    U = W.copy()
    U -= lr * dW
    return U - np.clip(U, -lr * l1, lr * l1)


MISTAKES = {
    "threshold_l1": threshold_l1,
    "subgradient": subgradient,
    "threshold_first": threshold_first,
    "gradient_only": gradient_only,
    "almost_zero": almost_zero,
    "wrong_dtype": wrong_dtype,
}
ALTERNATIVES = {
    "float64_inside": float64_inside,
    "where": where,
    "in_place_on_a_copy": in_place_on_a_copy,
}
