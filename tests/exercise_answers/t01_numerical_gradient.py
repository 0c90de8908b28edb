"""Answers to exercise t01_numerical_gradient: its known mistakes and correct alternatives."""

import numpy as np


def central(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f()
        x[i] = old - eps
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


# ------------------------------------------------------------------ mistakes
def one_sided(f, x, eps=1e-6):
    grad, base = np.zeros(x.shape), f()
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        grad[i] = (f() - base) / eps
        x[i] = old
    return grad


def fixed_eps(f, x, eps=1e-6):
    return central(f, x, 1e-6)


def over_eps(f, x, eps=1e-6):
    return 2 * central(f, x, eps)


def not_restored(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f()
        x[i] = old - eps
        grad[i] = (plus - f()) / (2 * eps)
    return grad


def on_a_copy(f, x, eps=1e-6):
    return central(f, x.copy(), eps)


def never_calls_f(f, x, eps=1e-6):
    return np.zeros(x.shape)


# ------------------------------------------------------------------ alternatives
def flat_view(f, x, eps=1e-6):
    flat = x.reshape(-1)  # a view: x is contiguous
    grad = np.empty(flat.size)
    for j in range(flat.size):
        old = flat[j]
        flat[j] = old + eps
        plus = f()
        flat[j] = old - eps
        minus = f()
        flat[j] = old
        grad[j] = (plus - minus) / (2 * eps)
    return grad.reshape(x.shape)


def nditer(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        i = it.multi_index
        old = x[i].copy()
        x[i] = old + eps
        plus = f()
        x[i] = old - eps
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
        it.iternext()
    return grad


def unravel(f, x, eps=1e-6):
    grad = []
    for j in range(x.size):
        i = np.unravel_index(j, x.shape)
        old = float(x[i])
        x[i] = old + eps
        plus = f()
        x[i] = old - eps
        minus = f()
        x[i] = old
        grad.append((plus - minus) / (2 * eps))
    return np.array(grad).reshape(x.shape)


MISTAKES = {
    "one_sided": one_sided,
    "fixed_eps": fixed_eps,
    "over_eps": over_eps,
    "not_restored": not_restored,
    "on_a_copy": on_a_copy,
    "never_calls_f": never_calls_f,
}
ALTERNATIVES = {"flat_view": flat_view, "nditer": nditer, "unravel": unravel}
