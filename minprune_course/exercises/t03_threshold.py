"""Exercise 03.1: ``threshold_mask(W, threshold)``, 1 where ``|w| > threshold``, else 0."""

import numpy as np

from minprune_course import checks

from . import _t03

GRADE_ID = "t03_threshold_test"
ANSWER = "threshold_mask"
SIGNATURE = "(W, threshold)"
REFERENCE = ("minprune.threshold_masks",)
MISTAKES = {
    "keeps_ties": "a weight whose |w| equals the threshold was kept; keep only "
    "|w| > threshold (strictly greater), a tie is pruned",
    "signed": "compare the magnitude |w|, not the signed w: a large negative weight is kept",
    "inverted": "the mask is inverted; a mask holds 1 where the weight is kept",
    "pruned_weights": "this returned the pruned weights W * mask; return the mask itself, "
    "1 where a weight is kept and 0 where it is pruned",
}


def _plant(rng, W, threshold):
    """``(W, threshold)`` with the threshold held exactly by W's dtype (a tie is a tie in
    float32 and float64 alike), ties at +-threshold, a weight below -threshold and one
    above it that is not 1 (so W * mask is no mask)."""
    threshold = float(W.dtype.type(threshold))
    if W.size >= 4 and threshold > 0:
        W.flat[0], W.flat[-1] = threshold, -threshold
        W.flat[1] = -threshold * rng.uniform(1.5, 3.0)
        W.flat[2] = threshold * rng.uniform(1.5, 3.0)
    return W, threshold


def cases(rng, hidden):
    """A matrix at its median magnitude; hidden: 1-D and 3-D weights, float32, a threshold
    of 0 with ties on a grid, and all zeros."""
    W = _t03.weights(rng, _t03.shape(rng))
    yield _plant(rng, W, float(np.median(np.abs(W))))
    if not hidden:
        return
    yield _plant(rng, _t03.weights(rng, (int(rng.integers(4, 12)),)), rng.uniform(0.0, 1.0))
    yield _plant(rng, _t03.weights(rng, (2, 3, 4)), rng.uniform(0.0, 1.0))
    yield _plant(rng, _t03.weights(rng, _t03.shape(rng), "float32"), rng.uniform(0.0, 0.5))
    yield _plant(rng, _t03.weights(rng, _t03.shape(rng), "float32", ties=True), 0.25)
    yield _t03.weights(rng, _t03.shape(rng), ties=True), 0.0
    yield np.zeros(_t03.shape(rng)), 0.0


def check(answer, hidden=False, seed=None):
    """``answer(W, threshold)`` is a 0/1 (or boolean) array equal to ``mp.threshold_masks``."""
    (reference,) = checks.public(*REFERENCE)
    for W, threshold in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = reference([np.abs(W)], threshold)[0]
        what = f"threshold_mask(W, {threshold:.4g}) with {_t03.describe(W)}"
        got = checks.call(
            answer, W, threshold, what=what, without=[reference], names=("W", "threshold")
        )
        mask = checks.expect_array(got, shape=W.shape, what=what)
        mistakes = {
            "keeps_ties": np.abs(W) >= threshold,
            "signed": W > threshold,
            "inverted": 1 - expected,
            "pruned_weights": W * expected,
        }
        _t03.no_mistake(what, mask, expected, mistakes, MISTAKES)
        checks.expect_mask(mask, what=what)
        checks.expect_equal(mask, expected, what)
    checks.passed()
