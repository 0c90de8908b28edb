"""Answers to exercise t07_dequantize: its known mistakes and correct alternatives."""

import numpy as np


def integers(q, scale, zero_point):
    return q.astype(np.int64) - zero_point


def wraps(q, scale, zero_point):
    """``q - zero_point`` in uint8: NumPy keeps a Python int's arithmetic in the array's uint8."""
    return scale * (q - zero_point)


def flipped(q, scale, zero_point):
    return scale * (zero_point - q.astype(np.float64))


def no_scale(q, scale, zero_point):
    return q.astype(np.float64) - zero_point


def in_float32(q, scale, zero_point):
    return (q.astype(np.float32) - np.float32(zero_point)) * np.float32(scale)


def signed_ints(q, scale, zero_point):
    return np.subtract(q, zero_point, dtype=np.int16) * scale


def loop(q, scale, zero_point):
    out = np.zeros(q.shape)
    for index, code in np.ndenumerate(q):
        out[index] = scale * (int(code) - zero_point)
    return out


MISTAKES = {"integers": integers, "wraps": wraps, "flipped": flipped, "no_scale": no_scale}
ALTERNATIVES = {"in_float32": in_float32, "signed_ints": signed_ints, "loop": loop}
