"""Exercise 07.3: ``quantize_uint8(W)``, affine 8-bit codes with their scale and zero point.

Every weight the check quantizes lies at least a tenth of a step away from halfway
between two codes (``_t07.tie_free``), as the prompt says: computed in float32 or float64,
with ties rounded either way, rounding before or after adding the zero point, a correct
answer gets exactly the reference's codes and zero point.
"""

import numpy as np

from minprune_course import checks

from . import _t07

GRADE_ID = "t07_quantize_test"
ANSWER = "quantize_uint8"
SIGNATURE = "(W)"
REFERENCE = ("minprune.quantize",)
MISTAKES = {
    "not_a_triple": "return a tuple of three values (q, scale, zero_point)",
    "zero_point_float": "the zero_point is a code: return it as an int (int(round(...)))",
    "range_without_zero": "the range must include 0.0 (lo = min(W.min(), 0), "
    "hi = max(W.max(), 0)), so that a pruned weight stays exactly 0",
    "steps_256": "256 codes span 255 steps: scale = (hi - lo) / 255",
    "int_codes": "store the codes q as uint8, one byte each (.astype(np.uint8))",
    "truncated": "round to the nearest code; astype alone truncates",
}
SCALE_RTOL = 1e-6  # a scale computed in float32 is within 1e-7 of the float64 one


def _wrong_scales(W):
    """The scale each mistake about the range gives."""
    x = np.asarray(W, dtype=np.float64)
    lo, hi = min(float(x.min()), 0.0), max(float(x.max()), 0.0)
    unranged = (float(x.max()) - float(x.min())) / 255
    return {
        "range_without_zero": unranged if unranged > 0 else 1.0,
        "steps_256": (hi - lo) / 256 if hi > lo else 1.0,
    }


def _truncated(W, scale, zero_point):
    """The codes without rounding: ``astype`` truncates toward zero."""
    x = np.asarray(W, dtype=np.float64)
    return np.clip(x / scale + zero_point, 0, 255).astype(np.uint8)


def cases(rng, hidden):
    """Weight arrays, every weight far from a rounding tie (``_t07.tie_free``).

    First weights of both signs with zeros (truncating gives a code too low somewhere),
    then all-positive and all-negative weights without a zero (a range of ``W.min()`` to
    ``W.max()`` misses 0.0). The hidden battery adds float32 weights, all zeros, one and
    three dimensions, and zero points near either end of the codes.
    """
    yield _t07.tie_free(rng, _t07.shape(rng, 4, 20))
    yield _t07.tie_free(rng, _t07.shape(rng, 3, 10), sign="positive")
    yield _t07.tie_free(rng, _t07.shape(rng, 3, 10), sign="negative")
    if not hidden:
        return
    yield _t07.tie_free(rng, _t07.shape(rng, 4, 20), dtype=np.float32)
    yield np.zeros(_t07.shape(rng))  # scale 1.0, every code 0
    yield _t07.tie_free(rng, (int(rng.integers(3, 40)),))
    yield _t07.tie_free(rng, (2, 3, 4), sparsity=0.5)
    yield _t07.tie_free(rng, _t07.shape(rng), zero_point=(1, 6))  # one large positive weight
    yield _t07.tie_free(rng, _t07.shape(rng), zero_point=(250, 255))
    yield _t07.tie_free(rng, _t07.shape(rng), sign="positive", zero_point=(240, 256))
    yield _t07.tie_free(rng, _t07.shape(rng, 3, 10), sign="negative", dtype=np.float32)


def check(answer, hidden=False, seed=None):
    """``answer(W)`` is ``(q, scale, zero_point)`` equal to ``mp.quantize(W, 8, "affine")``:
    uint8 codes equal, the scale within 1e-6, the zero point an equal int."""
    (reference,) = checks.public(*REFERENCE)
    for W in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        ref = reference(W, 8, "affine")
        what = f"quantize_uint8(W) with W of shape {W.shape}, dtype {W.dtype}"
        out = checks.call(answer, W, what=what, without=[reference], names=("W",))
        if not isinstance(out, tuple | list) or len(out) != 3:
            length = f" of length {len(out)}" if isinstance(out, tuple | list) else ""
            checks.fail(
                f"{what} returned a {type(out).__name__}{length}; {MISTAKES['not_a_triple']}"
            )
        q, scale, zero_point = out
        scale = checks.expect_float(scale, f"the scale of {what}")
        if _t07.is_float(zero_point):
            checks.fail(f"the zero_point of {what} is a float; {MISTAKES['zero_point_float']}")
        zero_point = checks.expect_int(zero_point, f"the zero_point of {what}")
        _t07.expect_no_mistake(
            scale, ref.scale, _wrong_scales(W), MISTAKES, f"the scale of {what}", SCALE_RTOL
        )
        checks.expect_close(scale, ref.scale, f"the scale of {what}", rtol=SCALE_RTOL, atol=0)
        checks.expect_true(
            zero_point == ref.zero_point,
            f"the zero_point of {what} is not the code of 0.0: round(-lo / scale)",
        )
        checks.expect_true(
            isinstance(q, np.ndarray), f"the q of {what} is a {type(q).__name__}; expected an array"
        )
        if q.dtype != np.uint8:
            checks.fail(f"the q of {what} has dtype {q.dtype}; {MISTAKES['int_codes']}")
        codes = checks.expect_array(q, shape=W.shape, what=f"the q of {what}", dtype=int)
        _t07.expect_no_mistake(
            codes,
            ref.q,
            {"truncated": _truncated(W, ref.scale, ref.zero_point)},
            MISTAKES,
            f"the q of {what}",
        )
        checks.expect_equal(codes, ref.q, f"the q of {what}")
    checks.passed()
