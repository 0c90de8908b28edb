"""Exercise 02.3: ``soft_threshold(W, threshold)``, ``sign(w) * max(|w| - threshold, 0)``."""

import numpy as np

from minprune_course import checks

from . import _t02

GRADE_ID = "t02_soft_threshold_test"
ANSWER = "soft_threshold"
SIGNATURE = "(W, threshold)"
REFERENCE = ("minprune.soft_threshold",)
MISTAKES = {
    "hard": "weights with |w| > threshold must also shrink towards 0 by the threshold (these "
    "were kept unchanged: that is hard thresholding)",
    "unsigned": "some kept weights changed sign; shrink |w| and keep the sign",
    "half_threshold": "the kept weights shrank by half the threshold; move every weight "
    "towards 0 by the whole threshold",
    "almost_zero": "every weight with |w| <= threshold must come out exactly 0 (ties "
    "included), not merely close to it",
    "wrong_dtype": "return a NumPy array of W's dtype (a Python float combined with an "
    "array takes the array's dtype; cast back with .astype(W.dtype) if you compute in "
    "float64)",
}


def _mistakes(W, threshold):
    return {
        "hard": W.astype(float) * (np.abs(W) > threshold),
        "unsigned": np.maximum(np.abs(W.astype(float)) - threshold, 0),
        "half_threshold": _t02.soft(W, threshold / 2),
    }


def _expected(W, threshold):
    (reference,) = checks.public(*REFERENCE)
    return reference(W, threshold)


def _planted(W, threshold):
    """Ties at +-threshold and a weight above it on each sign, far enough to show shrinking."""
    if W.size >= 4 and threshold > 0 and W.any():
        W.flat[0], W.flat[-1] = threshold, -threshold
        W.flat[1] = _t02.on_grid(threshold * 2 + 0.25)
        W.flat[-2] = -_t02.on_grid(threshold * 1.5 + 0.125)
    return W, threshold


def cases(rng, hidden):
    """``_t02``'s weights with ties at +-threshold and weights above it on both signs; the
    first case shows every known mistake."""
    yield _t02.showing_every_mistake(lambda: _planted(*_t02.matrix(rng)), _expected, _mistakes)
    for W, threshold in _t02.cases(rng, hidden):
        yield _planted(W, threshold)


def check(answer, hidden=False, seed=None):
    """``answer(W, threshold)`` equals ``mp.soft_threshold``, exact zeros and W's dtype included."""
    (reference,) = checks.public(*REFERENCE)
    for W, threshold in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = reference(W, threshold)
        what = f"soft_threshold(W, {threshold:g}) with {_t02.describe(W)}"
        got = checks.call(
            answer, W, threshold, what=what, without=[reference], names=("W", "threshold")
        )
        array = checks.expect_array(got, shape=W.shape, what=what)
        checks.expect_no_mistake(
            array, expected, _mistakes(W, threshold), _t02.prefixed(what, MISTAKES)
        )
        _t02.expect_exact_zeros(array, W, threshold, what, MISTAKES["almost_zero"])
        checks.expect_close(array, expected, what)
        _t02.expect_like(got, W, what, MISTAKES["wrong_dtype"])
    checks.passed()
