"""Checks for exercise notebook 00 (welcome): counting and model-wide sparsity.

Each check runs the learner's function on fresh inputs and compares it with
``minprune``. ``seed=None`` (the hidden tests) draws new inputs on every run.
"""

import numpy as np

import minprune as mp
from minprune_course import checks


def _random_sizes(rng):
    return [int(n) for n in rng.integers(1, 300, size=int(rng.integers(2, 6)))]


def _reference_net(sizes):
    return mp.Network(sizes, dtype="float64", rng=0)


def check_count_parameters(count_parameters, seed=0, cases=5):
    """``count_parameters(sizes)`` equals ``mp.count_parameters`` (weights and biases)."""
    rng = checks.rng(seed)
    for sizes in [[2, 3, 1]] + [_random_sizes(rng) for _ in range(cases)]:
        what = f"count_parameters({sizes})"
        answer = checks.call(count_parameters, sizes, what=what)
        checks.expect_equal_int(answer, mp.count_parameters(_reference_net(sizes)), what)
    checks.passed()


def check_count_macs(count_macs, seed=0, cases=5):
    """``count_macs(sizes)`` equals ``mp.count_macs``: multiply-adds per sample, dense."""
    rng = checks.rng(seed)
    for sizes in [[2, 3, 1]] + [_random_sizes(rng) for _ in range(cases)]:
        what = f"count_macs({sizes})"
        answer = checks.call(count_macs, sizes, what=what)
        checks.expect_equal_int(answer, mp.count_macs(_reference_net(sizes)), what)
    checks.passed()


def _sparse_weights(rng, n_layers):
    sizes = _random_sizes(rng)[: n_layers + 1]
    while len(sizes) < n_layers + 1:
        sizes.append(int(rng.integers(1, 50)))
    weights = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        keep = rng.random((n_in, n_out)) < rng.uniform(0.05, 0.95)
        weights.append(rng.normal(size=(n_in, n_out)) * keep)
    return weights


def check_sparsity(sparsity, seed=0, cases=5):
    """``sparsity(weights)`` is zeros over all weights together, as ``mp.sparsity``."""
    rng = checks.rng(seed)
    # a small layer that is all zeros next to a large dense one: the per-layer
    # ratios (1.0 and 0.0) add up to 1 and average to 0.5; the model is 6% sparse
    lopsided = [np.zeros((3, 2)), np.ones((2, 49))]
    for weights in [lopsided] + [
        _sparse_weights(rng, int(rng.integers(1, 4))) for _ in range(cases)
    ]:
        what = f"sparsity(weights) on {len(weights)} arrays of shapes {[w.shape for w in weights]}"
        net = mp.Network.from_weights(
            [np.ones_like(w) for w in weights], [np.zeros(w.shape[1]) for w in weights],
            ["identity"] * len(weights),
        )  # fmt: skip
        mp.apply_masks(net, [(w != 0).astype(float) for w in weights], layers=range(len(weights)))
        expected = mp.sparsity(net, include_output=True)
        answer = checks.expect_float(checks.call(sparsity, weights, what=what), what)
        ratios = [float(np.mean(w == 0)) for w in weights]
        for name, wrong in (("sum", sum(ratios)), ("mean", sum(ratios) / len(ratios))):
            if len(weights) > 1 and abs(wrong - expected) > 1e-9 and abs(answer - wrong) < 1e-9:
                raise AssertionError(
                    f"{what} returned the {name} of the per-array ratios; a model's sparsity "
                    "counts the zeros of all arrays together"
                )
        checks.expect_close(answer, expected, what)
    checks.passed()


def check_threshold_masks(threshold_masks, seed=0, cases=5):
    """``threshold_masks(weights, threshold)`` keeps ``|w| > threshold`` in every array."""
    rng = checks.rng(seed)
    trials = [
        ([np.array([[0.2, -0.7, 0.5], [0.9, -0.1, 0.4]]), np.array([[1.2], [-0.3], [0.8]])], 0.5)
    ]
    for _ in range(cases):
        weights = [np.round(w, 1) for w in _sparse_weights(rng, int(rng.integers(1, 4)))]
        trials.append((weights, float(rng.choice([0.0, 0.1, 0.5, 1.0]))))
    for weights, threshold in trials:
        what = f"threshold_masks(weights, {threshold})"
        answer = checks.call(threshold_masks, weights, threshold, what=what)
        checks.expect_true(
            isinstance(answer, (list, tuple)) and len(answer) == len(weights),
            f"{what} must return a list with one mask per weight array ({len(weights)})",
        )
        for i, (mask, W) in enumerate(zip(answer, weights)):
            part = f"{what}[{i}]"
            checks.expect_mask(mask, shape=W.shape, what=part)
            net = mp.Network.from_weights([W], [np.zeros(W.shape[1])], ["identity"])
            expected = mp.threshold_masks(mp.magnitude(net, layers=[0]), threshold)[0]
            checks.expect_equal(mask, expected, part)
    checks.passed()
