"""Answers to exercise t02_soft_threshold: its known mistakes and correct alternatives."""

import numpy as np


def _soft(W, t):
    return np.sign(W) * np.maximum(np.abs(W) - t, 0)


def hard(W, threshold):
    return W * (np.abs(W) > threshold)


def unsigned(W, threshold):
    return np.maximum(np.abs(W) - threshold, 0)


def half_threshold(W, threshold):
    return _soft(W, threshold / 2)


def almost_zero(W, threshold):
    return np.sign(W) * np.maximum(np.abs(W) - threshold, 1e-20)


def wrong_dtype(W, threshold):
    return _soft(W, threshold).astype(np.float64)


def float64_inside(W, threshold):
    W64 = W.astype(np.float64)
    return (np.sign(W64) * np.maximum(np.abs(W64) - threshold, 0.0)).astype(W.dtype)


def where(W, threshold):
    return np.where(np.abs(W) > threshold, W - threshold * np.sign(W), 0).astype(W.dtype)


def clip_difference(W, threshold):
    return W - np.clip(W, -threshold, threshold)


def loop(W, threshold):
    out = np.zeros_like(W)
    for i in range(W.size):
        w = float(W.flat[i])
        out.flat[i] = w - threshold if w > threshold else w + threshold if w < -threshold else 0
    return out


MISTAKES = {
    "hard": hard,
    "unsigned": unsigned,
    "half_threshold": half_threshold,
    "almost_zero": almost_zero,
    "wrong_dtype": wrong_dtype,
}
ALTERNATIVES = {
    "float64_inside": float64_inside,
    "where": where,
    "clip_difference": clip_difference,
    "loop": loop,
}
