"""Answers to exercise t05_masked_sgd_step: topic 03's step with coupled weight decay.

The check is topic 03's (``t03_masked_step.check_for``); these answers take the
weight decay the prompt of topic 05 adds.
"""

import numpy as np


def _step(W, dW, mask, velocity, lr, momentum, weight_decay):
    velocity = (momentum * velocity + dW * mask + weight_decay * W) * mask
    return (W - lr * velocity) * mask, velocity


def weights_only(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    return _step(W, dW, mask, velocity, lr, momentum, weight_decay)[0]


def weights_unmasked(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    velocity = (momentum * velocity + dW * mask + weight_decay * W) * mask
    return W - lr * velocity, velocity


def momentum_ignored(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    grad = dW * mask + weight_decay * W
    velocity = (momentum * velocity + grad) * mask
    return (W - lr * grad) * mask, velocity


def ascent(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    velocity = (momentum * velocity + dW * mask + weight_decay * W) * mask
    return (W + lr * velocity) * mask, velocity


def velocity_unmasked(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    velocity = momentum * velocity + dW * mask + weight_decay * W
    return (W - lr * velocity) * mask, velocity


def velocity_unchanged(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    step = (momentum * velocity + dW * mask + weight_decay * W) * mask
    return (W - lr * step) * mask, velocity


def wrong_dtype(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    W64 = W.astype(np.float64)
    velocity = (momentum * velocity.astype(np.float64) + dW * mask + weight_decay * W64) * mask
    return (W64 - lr * velocity) * mask, velocity


def decoupled_decay(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    velocity = (momentum * velocity + dW * mask) * mask
    return (W - lr * velocity - lr * weight_decay * W) * mask, velocity


def float64_inside(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    W64, dW64, m, v64 = (np.asarray(a, dtype=np.float64) for a in (W, dW, mask, velocity))
    W_new, v_new = _step(W64, dW64, m, v64, lr, momentum, weight_decay)
    return W_new.astype(W.dtype), v_new.astype(W.dtype)


def where(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    kept = mask.astype(bool)
    velocity = np.where(kept, momentum * velocity + dW + weight_decay * W, 0).astype(W.dtype)
    return np.where(kept, W - lr * velocity, 0).astype(W.dtype), velocity


def in_place_on_copies(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    W, velocity = W.copy(), velocity.copy()
    velocity *= momentum
    velocity += dW * mask
    velocity += weight_decay * W
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
    "decoupled_decay": decoupled_decay,
}
ALTERNATIVES = {
    "float64_inside": float64_inside,
    "where": where,
    "in_place_on_copies": in_place_on_copies,
}
NOT_APPLICABLE = {
    "borrowing": "the reference is the class mp.SGD: calling it builds an optimiser and "
    "borrows nothing; tests/test_exercises_t05.py checks that an answer stepping mp.SGD "
    "fails with the switched-off hint",
}
