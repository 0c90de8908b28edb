"""Exercise 00.3: ``sparsity(weights)``, the zeros of all arrays together."""

import numpy as np

import minprune as mp
from minprune_course import checks

from . import _t00

GRADE_ID = "t00_sparsity_test"
ANSWER = "sparsity"
SIGNATURE = "(weights)"
REFERENCE = ("minprune.sparsity",)
MISTAKES = {
    "sum_of_ratios": "sparsity(weights) returned the sum of the per-array ratios; a "
    "model's sparsity counts the zeros of all arrays together",
    "mean_of_ratios": "sparsity(weights) returned the mean of the per-array ratios; a "
    "model's sparsity counts the zeros of all arrays together (a small array weighs less)",
    "density": "sparsity(weights) returned the fraction of nonzero entries; sparsity is "
    "the fraction of zeros",
}


def cases(rng, hidden):
    """A lopsided pair first (all zeros beside a large dense array: the per-array ratios
    sum to 1 and average 0.5, the model is 6% sparse), then lists of 2 to 4 arrays whose
    sizes differ, so the mean of ratios differs from the true value on every draw."""
    yield [np.zeros((3, 2)), np.ones((2, 49))]
    for _ in range(30 if hidden else 5):
        weights = _t00.sparse_weights(rng, int(rng.integers(2, 5)))
        weights[0] = np.zeros((int(rng.integers(1, 4)), weights[0].shape[1]))  # all pruned
        yield weights


def _reference(weights, sparsity):
    net = mp.Network.from_weights(
        [np.ones_like(w) for w in weights],
        [np.zeros(w.shape[1]) for w in weights],
        ["identity"] * len(weights),
    )
    mp.apply_masks(net, [(w != 0).astype(float) for w in weights], layers=range(len(weights)))
    return sparsity(net, include_output=True)


def check(answer, hidden=False, seed=None):
    """``answer(weights)`` is a float equal to ``mp.sparsity`` over every array."""
    (reference,) = checks.public(*REFERENCE)
    for weights in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = _reference(weights, reference)
        what = f"sparsity(weights) on {len(weights)} arrays of shapes {[w.shape for w in weights]}"
        got = checks.call(answer, weights, what=what, without=[reference], names=("weights",))
        got = checks.expect_float(got, what)
        ratios = [float(np.mean(w == 0)) for w in weights]
        checks.expect_no_mistake(
            got,
            expected,
            {
                "sum_of_ratios": sum(ratios),
                "mean_of_ratios": sum(ratios) / len(ratios),
                "density": 1 - expected,
            },
            MISTAKES,
        )
        checks.expect_close(got, expected, what)
    checks.passed()
