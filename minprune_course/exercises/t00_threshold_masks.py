"""Exercise 00.4: ``threshold_masks(weights, threshold)``, keep ``|w| > threshold``."""

import numpy as np

import minprune as mp
from minprune_course import checks

from . import _t00

GRADE_ID = "t00_threshold_masks_test"
ANSWER = "threshold_masks"
SIGNATURE = "(weights, threshold)"
REFERENCE = ("minprune.threshold_masks",)
MISTAKES = {
    "keeps_ties": "threshold_masks: a weight whose |w| equals the threshold was kept; keep "
    "only |w| > threshold (strictly greater)",
    "signed": "threshold_masks compared the signed weight with the threshold; magnitude "
    "pruning compares |w|, so large negative weights are kept",
    "inverted": "threshold_masks returned 1 where a weight is removed; a mask holds 1 where "
    "the weight is kept",
}


def cases(rng, hidden):
    """The lesson's example, then weights rounded to one decimal with a threshold of one
    decimal, so ties |w| == threshold and negative weights above it occur on every draw."""
    yield [np.array([[0.2, -0.7, 0.5], [0.9, -0.1, 0.4]]), np.array([[1.2], [-0.3], [0.8]])], 0.5
    for _ in range(30 if hidden else 5):
        weights = [np.round(w, 1) for w in _t00.sparse_weights(rng, int(rng.integers(1, 4)))]
        threshold = float(rng.choice([0.1, 0.5, 1.0]))
        ties = np.zeros((2, weights[0].shape[1]))
        ties[0, 0], ties[1, 0] = threshold, -(threshold + 0.2)  # a tie, a large negative weight
        weights[0] = np.vstack([weights[0], ties])
        yield weights, threshold


def check(answer, hidden=False, seed=None):
    """``answer(weights, threshold)`` is a list of 0/1 masks equal to ``mp.threshold_masks``."""
    (reference,) = checks.public(*REFERENCE)
    for weights, threshold in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        what = f"threshold_masks(weights, {threshold})"
        nets = [mp.Network.from_weights([W], [np.zeros(W.shape[1])], ["identity"]) for W in weights]
        expected = [reference(mp.magnitude(net, layers=[0]), threshold)[0] for net in nets]
        got = checks.call(
            answer,
            weights,
            threshold,
            what=what,
            without=[reference],
            names=("weights", "threshold"),
        )
        checks.expect_true(
            isinstance(got, list | tuple) and len(got) == len(weights),
            f"{what} must return a list with one mask per weight array ({len(weights)})",
        )
        masks = [
            checks.expect_mask(m, shape=W.shape, what=f"{what}[{i}]")
            for i, (m, W) in enumerate(zip(got, weights, strict=True))
        ]
        checks.expect_no_mistake(
            masks,
            expected,
            {
                "keeps_ties": [(np.abs(W) >= threshold).astype(float) for W in weights],
                "signed": [(W > threshold).astype(float) for W in weights],
                "inverted": [1 - e for e in expected],
            },
            MISTAKES,
        )
        for i, (mask, e) in enumerate(zip(masks, expected, strict=True)):
            checks.expect_equal(mask, e, f"{what}[{i}]")
    checks.passed()
