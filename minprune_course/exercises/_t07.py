"""Inputs and helpers shared by the exercises of topic 07 (storage and speed).

- ``pruned`` and ``network``: matrices and networks with zeros, negative weights and a
  fraction of zeros of their own;
- ``tie_free``: weights to quantize whose 8-bit codes are never in doubt (every weight
  lies at least a tenth of a step away from halfway between two codes), so any correct
  computation gives the reference's codes, whatever its precision or rounding of ties;
- ``unambiguous``, ``tells_apart`` and ``expect_no_mistake``: a mistake is named only
  where no other mistake gives the same result, so a hint never blames the wrong bug,
  and the first cases are drawn until every mistake gives a result of its own.
"""

import math

import numpy as np

from minprune_course import checks

FORMATS = ("dense", "bitmask", "coo", "csr")
#: how far, in steps of the scale, every weight of ``tie_free`` stays from a rounding tie
TIE_MARGIN = 0.1


# ------------------------------------------------------------------ mistakes
def unambiguous(expected, wrong, rtol=0.0, atol=1e-9):
    """The mistakes of ``wrong`` (``{name: what it returns}``) that can be named here.

    A mistake is left out where it gives ``expected`` (it does no harm on these inputs)
    or the same result as another mistake (naming either could blame the wrong bug).
    """
    differ = {k: w for k, w in wrong.items() if not checks.matches(w, expected, rtol, atol)}
    return {
        k: w
        for k, w in differ.items()
        if not any(checks.matches(w, o, rtol, atol) for j, o in differ.items() if j != k)
    }


def tells_apart(expected, wrong, rtol=0.0, atol=1e-9):
    """True when every mistake of ``wrong`` gives a result of its own, none of them ``expected``."""
    return len(unambiguous(expected, wrong, rtol, atol)) == len(wrong)


def expect_no_mistake(answer, expected, wrong, hints, what, rtol=0.0, atol=1e-9):
    """``checks.expect_no_mistake`` over the mistakes ``unambiguous`` keeps, its hint after
    ``what`` (the call that went wrong)."""
    named = unambiguous(expected, wrong, rtol, atol)
    hints = {name: f"{what}: {hints[name]}" for name in named}
    checks.expect_no_mistake(answer, expected, named, hints, rtol, atol)


def draw_until(draw, shows_every_mistake, tries=1000):
    """``draw()`` again until ``shows_every_mistake`` holds for what it drew.

    The generators are built so that most draws qualify; running out of tries means the
    generator no longer fits its mistakes, which is a bug of the check, not of an answer.
    """
    for _ in range(tries):
        case = draw()
        if shows_every_mistake(case):
            return case
    raise RuntimeError(f"no draw of {tries} showed every mistake: fix the case generator")


def is_float(value):
    """True for a Python or NumPy float: a byte count must be an ``int``."""
    return isinstance(value, float | np.floating)


# ------------------------------------------------------------------ inputs
def shape(rng, low=2, high=13):
    """A random ``(rows, cols)``."""
    return tuple(int(n) for n in rng.integers(low, high, size=2))


def pruned(rng, size, sparsity=None, dtype=np.float64):
    """A random matrix of shape ``size`` with about a ``sparsity`` fraction of zeros (random
    when None); its nonzeros have both signs."""
    if sparsity is None:
        sparsity = float(rng.uniform(0.2, 0.95))
    W = rng.normal(scale=float(rng.uniform(0.05, 2.0)), size=size)
    W[rng.random(size) < sparsity] = 0.0
    return W.astype(dtype)


def network(rng, sizes, sparsity):
    """A float32 ``mp.Network`` of widths ``sizes`` whose layers are pruned to about
    ``sparsity``, each keeping one nonzero at least."""
    import minprune as mp

    net = mp.Network(list(sizes), rng=rng)
    for layer in net.layers:
        keep = rng.random(layer.W.shape) >= sparsity
        keep.flat[int(rng.integers(keep.size))] = True
        layer.apply_mask(keep.astype(layer.W.dtype))
    return net


def tie_free(rng, size, sign="mixed", dtype=np.float64, sparsity=0.3, zero_point=(20, 236)):
    """Weights of shape ``size`` for 8-bit affine quantization, far from every rounding tie.

    The weights are drawn in steps of a random scale: ``W = y * step`` with ``y`` an
    integer plus an offset of 0.1 to 0.4 of a step, either way, so ``W / scale`` and
    ``-lo / scale`` are at least ``TIE_MARGIN`` away from halfway between two integers.
    Every correct computation, in float32 or float64, rounding ties either way, rounding
    before or after adding the zero point, then gives the same codes.

    ``sign``: ``"mixed"`` holds the range's both ends, zeros (a ``sparsity`` fraction) and
    a weight whose code lies just above a whole step (truncating it gives a code too low);
    ``"positive"`` and ``"negative"`` hold no zero, so a range taken from ``W.min()`` and
    ``W.max()`` alone misses 0.0. ``zero_point``: the range of the mixed zero point.
    """
    n = math.prod(size)
    step = float(rng.uniform(1e-3, 0.05))
    offsets = rng.uniform(0.1, 0.4, n) * rng.choice([-1.0, 1.0], n)
    if sign == "mixed":
        t = int(rng.integers(*zero_point)) + float(rng.choice([-1.0, 1.0]) * rng.uniform(0.1, 0.4))
        y = np.clip(rng.integers(math.ceil(-t), math.floor(255 - t) + 1, n) + offsets, -t, 255 - t)
        y[rng.random(n) < sparsity] = 0.0
        ends = rng.choice(n, size=3, replace=False)
        y[ends] = -t, 255 - t, math.floor(255 - t) - 0.3
    elif sign == "positive":
        low = zero_point[0]
        y = np.clip(rng.integers(low, 256, n) + offsets, low - 0.4, 255)
        y[int(rng.integers(n))] = 255
    else:
        low = zero_point[0]
        y = np.clip(-rng.integers(low, 256, n) + offsets, -255, -low + 0.4)
        y[int(rng.integers(n))] = -255
    W = (y * step).reshape(size).astype(dtype)
    if not _far_from_ties(W):
        raise RuntimeError("tie_free drew a weight near a rounding tie: fix the generator")
    return W


def _far_from_ties(W):
    """True when ``W / scale`` and ``-lo / scale`` are ``TIE_MARGIN`` or more from a tie."""
    x = np.asarray(W, dtype=np.float64)
    lo, hi = min(float(x.min()), 0.0), max(float(x.max()), 0.0)
    scale = (hi - lo) / 255 if hi > lo else 1.0
    ratios = np.append(x.ravel() / scale, -lo / scale)
    return bool((np.abs(ratios - np.floor(ratios) - 0.5) >= TIE_MARGIN - 1e-3).all())
