"""Exercise 00.5, predict then check: ``prediction()``, the dense work left by two prunings.

The learner predicts, before measuring, the fraction of a dense network's multiply-adds
per sample (``mp.count_macs``, the work a dense matmul does) that is left after masking 75%
of its weights by magnitude, and after removing 75% of its hidden neurons. The check
measures both on networks drawn from its seed, with ``mp.prune``, ``mp.remove_neurons``
and ``mp.count_macs``, and when the prediction is wrong explains why with the counts it
measured.
"""

import numpy as np

import minprune as mp
from minprune_course import checks

GRADE_ID = "t00_predict_test"
ANSWER = "prediction"
SIGNATURE = "()"
REFERENCE = ()
SHARE = 0.75  # the share of weights masked, and of hidden neurons removed
TOLERANCE = 0.01
WHY_MASKED = (
    "masked weights are zeros that are still stored and still multiplied: a dense matmul "
    "does n_in * n_out multiply-adds per layer whatever the values, so masking saves none "
    "of the dense work (only a sparse kernel could skip the zeros)"
)
WHY_REMOVED = (
    "removing a hidden neuron deletes one column of the layer before it (n_in multiply-adds) "
    "and one row of the layer after it (n_out multiply-adds): both matrices lose the same "
    "share of their size, so the work falls in proportion to the neurons kept, 1 - 0.75, "
    "not by its square"
)
MISTAKES = {
    "not_a_pair": "return a pair of two numbers, (masked, removed): the fractions of the "
    "dense multiply-adds left after masking and after removing neurons",
    "percent": "give each fraction as a number between 0 and 1 (0.3, not 30 per cent)",
    "masks_save_work": WHY_MASKED,
    "removal_squared": WHY_REMOVED,
}


def cases(rng, hidden):
    """Layer sizes ``[n_in, h, n_out]`` with ``h`` a multiple of 4 and trained-like weights
    drawn from ``rng``; the hidden battery adds two more networks."""
    for _ in range(3 if hidden else 1):
        sizes = [int(rng.integers(4, 65)), 4 * int(rng.integers(2, 33)), int(rng.integers(2, 11))]
        yield sizes, int(rng.integers(2**31))


def measure(sizes, seed):
    """``(masked, removed)``: the fractions of ``mp.count_macs`` left after masking 75% of the
    weights of every layer by magnitude and after removing 75% of the hidden neurons (those
    whose incoming weights have the smallest L2 norm)."""
    net = mp.Network(sizes, activation="relu", dtype="float64", rng=seed)
    dense = mp.count_macs(net)
    masked = mp.prune(net.copy(), sparsity=SHARE, include_output=True)
    norms = np.linalg.norm(net.layers[0].W, axis=0)
    keep = np.sort(np.argsort(-norms, kind="stable")[: round((1 - SHARE) * sizes[1])])
    removed = mp.remove_neurons(net, 0, keep)
    return mp.count_macs(masked) / dense, mp.count_macs(removed) / dense


def _pair(got):
    if not isinstance(got, list | tuple) or len(got) != 2:
        checks.fail(f"prediction() returned {type(got).__name__}: {MISTAKES['not_a_pair']}")
    values = [checks.expect_float(v, what="each number of prediction()") for v in got]
    if not all(np.isfinite(v) for v in values):
        checks.fail(f"prediction() holds a number that is not finite: {MISTAKES['not_a_pair']}")
    if any(v < 0 or v > 1 for v in values):
        checks.fail(f"prediction() returned {got!r}: {MISTAKES['percent']}")
    return values


def check(answer, hidden=False, seed=None):
    """``answer()`` is ``(masked, removed)``, each within 0.01 of the measured fraction."""
    masked, removed = _pair(checks.call(answer, what="prediction()"))
    for sizes, net_seed in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        true_masked, true_removed = measure(sizes, net_seed)
        where = f"on a {sizes} network the measured fractions are ({true_masked:.2f}, "
        where += f"{true_removed:.2f})"
        if abs(masked - true_masked) > TOLERANCE:
            checks.fail(f"{where}, and your first number is off: {WHY_MASKED}")
        if abs(removed - true_removed) > TOLERANCE:
            checks.fail(f"{where}, and your second number is off: {WHY_REMOVED}")
    checks.passed()
