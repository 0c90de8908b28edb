"""Inputs shared by the exercises of topic 03: random weights, shapes, descriptions."""

import numpy as np

from minprune_course import checks


def shape(rng, low=2, high=9):
    """A random 2-D shape, each side in ``[low, high)``."""
    return tuple(int(n) for n in rng.integers(low, high, size=2))


def weights(rng, shape, dtype="float64", ties=False):
    """Random weights of ``shape`` at a random scale; with ``ties``, on a coarse grid.

    On the grid many magnitudes are equal, zeros included, and the grid step is a power
    of two, so every value is exact in float32 and float64 alike.
    """
    scale = float(rng.uniform(0.05, 2.0))
    W = rng.normal(scale=scale, size=shape)
    if ties:
        step = 2.0 ** np.floor(np.log2(scale / 2))
        W = np.round(W / step) * step
    return W.astype(dtype)


def describe(Ws):
    """``"W of shape (3, 4), dtype float64"`` or ``"2 arrays of shapes [(3, 4), (5,)]"``."""
    if isinstance(Ws, np.ndarray):
        return f"W of shape {Ws.shape}, dtype {Ws.dtype}"
    return f"{len(Ws)} arrays of shapes {[W.shape for W in Ws]}, dtype {Ws[0].dtype}"


def no_mistake(what, answer, expected, mistakes, hints, rtol=1e-7, atol=1e-9):
    """``checks.expect_no_mistake``, its hint prefixed with ``what`` (which call, which step)."""
    try:
        checks.expect_no_mistake(answer, expected, mistakes, hints, rtol, atol)
    except AssertionError as exc:
        checks.fail(f"{what}: {exc}")
