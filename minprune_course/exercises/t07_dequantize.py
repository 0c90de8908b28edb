"""Exercise 07.4: ``dequantize_uint8(q, scale, zero_point)``, real values back from uint8 codes."""

import numpy as np

import minprune as mp
from minprune_course import checks

from . import _t07

GRADE_ID = "t07_dequantize_test"
ANSWER = "dequantize_uint8"
SIGNATURE = "(q, scale, zero_point)"
REFERENCE = ("minprune.dequantize",)
MISTAKES = {
    "integers": "returned integers; return the real values, floats: scale * (q - zero_point)",
    "wraps": "uint8 arithmetic wraps around (q - zero_point is never negative in uint8); "
    "convert q to a signed or float type before subtracting",
    "flipped": "the sign is flipped; w = scale * (q - zero_point)",
    "no_scale": "multiply by the scale; w = scale * (q - zero_point)",
}
RTOL = 1e-6  # float32 results (about 1e-7 off) pass; every mistake is far further off


def _wrong(q, scale, zero_point):
    """What each mistake about the arithmetic returns."""
    x = q.astype(np.float64) - zero_point
    wrapped = (q - np.uint8(zero_point)).astype(np.float64)
    return {"wraps": scale * wrapped, "flipped": -scale * x, "no_scale": x}


def _codes(rng, size, zero_point):
    """Random uint8 codes of shape ``size``, ``zero_point`` among them with codes above and below it."""
    q = rng.integers(0, 256, size=size).astype(np.uint8)
    picks = rng.choice(q.size, size=3, replace=False)
    q.flat[picks] = zero_point, max(zero_point - 1, 0), min(zero_point + 1, 255)
    return q


def cases(rng, hidden):
    """``(q, scale, zero_point)``: first codes on both sides of a zero point inside the range
    and a scale below 1, so each mistake gives values of its own; the hidden battery adds
    the zero points 0 and 255, three dimensions, tiny scales and a scale of 1."""
    zero_point = int(rng.integers(60, 200))
    yield _codes(rng, _t07.shape(rng, 4, 20), zero_point), float(rng.uniform(1e-3, 0.1)), zero_point
    if not hidden:
        return
    yield _codes(rng, (int(rng.integers(3, 40)),), 0), 0.02, 0
    yield _codes(rng, _t07.shape(rng, 4, 20), 255), 0.5, 255
    zero_point = int(rng.integers(1, 255))
    yield _codes(rng, (2, 3, 4), zero_point), float(rng.uniform(1e-5, 1e-3)), zero_point
    yield np.full(_t07.shape(rng), 128, dtype=np.uint8), 1.0, 128
    zero_point = int(rng.integers(0, 256))
    yield _codes(rng, _t07.shape(rng), zero_point), float(rng.uniform(0.5, 3.0)), zero_point


def check(answer, hidden=False, seed=None):
    """``answer(q, scale, zero_point)`` is a float array equal to ``mp.dequantize`` (float64)
    within 1e-6, exactly 0.0 where ``q == zero_point``."""
    (reference,) = checks.public(*REFERENCE)
    for q, scale, zero_point in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        qt = mp.QuantizedTensor(q, scale, zero_point, 8, "affine", np.dtype(np.float64))
        expected = reference(qt)
        what = (
            f"dequantize_uint8(q, scale={scale:.3g}, zero_point={zero_point}) with q of shape "
            f"{q.shape}"
        )
        got = checks.call(
            answer,
            q,
            scale,
            zero_point,
            what=what,
            without=[reference],
            names=("q", "scale", "zero_point"),
        )
        if isinstance(got, np.ndarray | np.integer) and got.dtype.kind in "iu":
            checks.fail(f"{what} {MISTAKES['integers']}")
        got = checks.expect_array(got, shape=q.shape, what=what)
        _t07.expect_no_mistake(got, expected, _wrong(q, scale, zero_point), MISTAKES, what, RTOL)
        checks.expect_true(
            not (got[q == zero_point] != 0.0).any(),
            f"{what}: the code zero_point must give exactly 0.0",
        )
        checks.expect_close(got, expected, what, rtol=RTOL, atol=0)
    checks.passed()
