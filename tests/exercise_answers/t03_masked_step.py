"""Answers to exercise t03_masked_step: its known mistakes and correct alternatives."""

import numpy as np


def weights_only(W, dW, mask, velocity, lr, momentum):
    velocity = (momentum * velocity + dW * mask) * mask
    return (W - lr * velocity) * mask


def weights_unmasked(W, dW, mask, velocity, lr, momentum):
    velocity = (momentum * velocity + dW * mask) * mask
    return W - lr * velocity, velocity


def momentum_ignored(W, dW, mask, velocity, lr, momentum):
    velocity = (momentum * velocity + dW * mask) * mask
    return (W - lr * dW * mask) * mask, velocity


def ascent(W, dW, mask, velocity, lr, momentum):
    velocity = (momentum * velocity + dW * mask) * mask
    return (W + lr * velocity) * mask, velocity


def velocity_unmasked(W, dW, mask, velocity, lr, momentum):
    velocity = momentum * velocity + dW * mask
    return (W - lr * velocity) * mask, velocity


def velocity_unchanged(W, dW, mask, velocity, lr, momentum):
    step = (momentum * velocity + dW * mask) * mask
    return (W - lr * step) * mask, velocity


def wrong_dtype(W, dW, mask, velocity, lr, momentum):
    velocity = (momentum * velocity.astype(np.float64) + dW * mask) * mask
    return (W.astype(np.float64) - lr * velocity) * mask, velocity


def float64_inside(W, dW, mask, velocity, lr, momentum):
    W64, dW64, m, v64 = (np.asarray(a, dtype=np.float64) for a in (W, dW, mask, velocity))
    v64 = (momentum * v64 + dW64 * m) * m
    return ((W64 - lr * v64) * m).astype(W.dtype), v64.astype(W.dtype)


def loop(W, dW, mask, velocity, lr, momentum):
    W_new, v_new = np.empty_like(W), np.empty_like(velocity)
    for i in range(W.size):
        keep = float(mask.flat[i])
        v = (momentum * float(velocity.flat[i]) + float(dW.flat[i]) * keep) * keep
        v_new.flat[i] = v
        W_new.flat[i] = (float(W.flat[i]) - lr * v) * keep
    return W_new, v_new


def where(W, dW, mask, velocity, lr, momentum):
    kept = mask.astype(bool)
    velocity = np.where(kept, momentum * velocity + dW, 0).astype(W.dtype)
    return np.where(kept, W - lr * velocity, 0).astype(W.dtype), velocity


def in_place_on_copies(W, dW, mask, velocity, lr, momentum):
    W, velocity = W.copy(), velocity.copy()
    velocity *= momentum
    velocity += dW * mask
    velocity *= mask
    W -= lr * velocity
    W *= mask
    return W, velocity


MISTAKES = {
    "weights_only": weights_only,
    "weights_unmasked": weights_unmasked,
    "momentum_ignored": momentum_ignored,
    "ascent": ascent,
    "velocity_unmasked": velocity_unmasked,
    "velocity_unchanged": velocity_unchanged,
    "wrong_dtype": wrong_dtype,
}
ALTERNATIVES = {
    "float64_inside": float64_inside,
    "loop": loop,
    "where": where,
    "in_place_on_copies": in_place_on_copies,
}
NOT_APPLICABLE = {
    "borrowing": "the reference is the class mp.SGD: calling it builds an optimiser and "
    "borrows nothing; tests/test_exercises_t03.py checks that an answer stepping mp.SGD "
    "fails with the switched-off hint",
}
