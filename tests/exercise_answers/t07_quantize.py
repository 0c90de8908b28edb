"""Answers to exercise t07_quantize: its known mistakes and correct alternatives."""

import numpy as np


def right(W):
    x = np.asarray(W, dtype=np.float64)
    lo, hi = min(float(x.min()), 0.0), max(float(x.max()), 0.0)
    scale = (hi - lo) / 255 if hi > lo else 1.0
    zero_point = int(round(-lo / scale))
    return np.clip(np.round(x / scale) + zero_point, 0, 255).astype(np.uint8), scale, zero_point


def not_a_triple(W):
    return right(W)[:2]


def zero_point_float(W):
    q, scale, zero_point = right(W)
    return q, scale, float(zero_point)


def range_without_zero(W):
    x = np.asarray(W, dtype=np.float64)
    lo, hi = float(x.min()), float(x.max())
    scale = (hi - lo) / 255 if hi > lo else 1.0
    zero_point = int(round(-lo / scale))
    return np.clip(np.round(x / scale) + zero_point, 0, 255).astype(np.uint8), scale, zero_point


def steps_256(W):
    x = np.asarray(W, dtype=np.float64)
    lo, hi = min(float(x.min()), 0.0), max(float(x.max()), 0.0)
    scale = (hi - lo) / 256 if hi > lo else 1.0
    zero_point = int(round(-lo / scale))
    return np.clip(np.round(x / scale) + zero_point, 0, 255).astype(np.uint8), scale, zero_point


def int_codes(W):
    q, scale, zero_point = right(W)
    return q.astype(np.int64), scale, zero_point


def truncated(W):
    q, scale, zero_point = right(W)
    x = np.asarray(W, dtype=np.float64)
    return np.clip(x / scale + zero_point, 0, 255).astype(np.uint8), scale, zero_point


def in_weights_dtype(W):
    """float32 weights stay float32 throughout (NumPy keeps float32 against Python floats)."""
    lo, hi = min(W.min(), 0), max(W.max(), 0)
    scale = (hi - lo) / 255 if hi > lo else W.dtype.type(1)
    zero_point = int(np.round(-lo / scale))
    return np.clip(np.rint(W / scale) + zero_point, 0, 255).astype(np.uint8), scale, zero_point


def round_after_adding(W):
    """Rounding W / scale + zero_point at once (ties would differ when zero_point is odd)."""
    x = np.asarray(W, dtype=np.float64)
    lo, hi = min(x.min(), 0.0), max(x.max(), 0.0)
    scale = float((hi - lo) / 255) if hi > lo else 1.0
    zero_point = int(np.round(-lo / scale))
    return np.clip(np.round(x / scale + zero_point), 0, 255).astype(np.uint8), scale, zero_point


def half_away_from_zero(W):
    """Rounding ties away from zero, with floor(x + 0.5) and a loop."""
    x = np.asarray(W, dtype=np.float64)
    lo, hi = min(float(x.min()), 0.0), max(float(x.max()), 0.0)
    scale = (hi - lo) / 255 if hi > lo else 1.0
    zero_point = int(np.floor(-lo / scale + 0.5))
    q = np.empty(x.shape, dtype=np.uint8)
    for index, w in np.ndenumerate(x):
        t = w / scale
        code = int(np.sign(t) * np.floor(abs(t) + 0.5)) + zero_point
        q[index] = min(max(code, 0), 255)
    return q, np.float64(scale), np.int64(zero_point)


MISTAKES = {
    "not_a_triple": not_a_triple,
    "zero_point_float": zero_point_float,
    "range_without_zero": range_without_zero,
    "steps_256": steps_256,
    "int_codes": int_codes,
    "truncated": truncated,
}
ALTERNATIVES = {
    "in_weights_dtype": in_weights_dtype,
    "round_after_adding": round_after_adding,
    "half_away_from_zero": half_away_from_zero,
}
