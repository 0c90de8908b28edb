"""Answers to exercise t03_threshold: its known mistakes and correct alternatives."""

import numpy as np


def keeps_ties(W, threshold):
    return (np.abs(W) >= threshold).astype(W.dtype)


def signed(W, threshold):
    return (W > threshold).astype(W.dtype)


def inverted(W, threshold):
    return (np.abs(W) <= threshold).astype(W.dtype)


def pruned_weights(W, threshold):
    return W * (np.abs(W) > threshold)


def booleans(W, threshold):
    return np.abs(W) > threshold


def float64_inside(W, threshold):
    return (np.abs(W.astype(np.float64)) > np.float64(threshold)).astype(np.float64)


def both_signs(W, threshold):
    return np.where((W > threshold) | (W < -threshold), 1, 0)


def loop(W, threshold):
    mask = np.zeros(W.shape)
    for i in range(W.size):
        mask.flat[i] = 1.0 if abs(float(W.flat[i])) > threshold else 0.0
    return mask


MISTAKES = {
    "keeps_ties": keeps_ties,
    "signed": signed,
    "inverted": inverted,
    "pruned_weights": pruned_weights,
}
ALTERNATIVES = {
    "booleans": booleans,
    "float64_inside": float64_inside,
    "both_signs": both_signs,
    "loop": loop,
}
