"""Topic 13's exercises: properties the generic tests in test_exercises.py cannot state."""

import numpy as np
import pytest
from topic_checks import always_equal, liar

from minprune_course.exercises import t13_obs_update, t13_predict


def test_predict_is_fair_on_every_seed():
    """The true order is the same on every layer the check draws, with a margin no CPU's
    rounding can cross: SparseGPT's error is below 0.9 of Wanda's, Wanda's below 0.5 of
    magnitude's."""
    for seed in range(30):
        for W, X in t13_predict.cases(np.random.default_rng(seed), hidden=True):
            e = t13_predict.errors(W, X)
            assert e["sparsegpt"] < 0.9 * e["wanda"] and e["wanda"] < 0.5 * e["magnitude"]


def test_predict_rejects_a_lying_answer():
    """An object that claims to equal anything is not a list of names."""
    with pytest.raises(AssertionError, match="list of the three names"):
        t13_predict.check(always_equal)
    with pytest.raises(AssertionError):
        t13_predict.check(liar(lambda: ["sparsegpt", "wanda", "magnitude"]))


def test_predict_explains_with_the_measured_errors():
    """A wrong order is told the errors the check measured and why."""
    with pytest.raises(AssertionError, match=r"errors are sparsegpt [\d.]+, wanda"):
        t13_predict.check(lambda: ["sparsegpt", "magnitude", "wanda"])


def test_obs_update_first_column_is_the_classical_obs_update():
    """For j = 0 the master's answer is Hassibi and Stork's update over the whole row."""
    W, X, _, damp = next(t13_obs_update.cases(np.random.default_rng(0), False))
    H = 2 * X.T @ X
    H += damp * np.mean(np.diag(H)) * np.eye(len(H))
    Hinv = np.linalg.inv(H)
    expected = W - np.outer(W[:, 0], Hinv[0]) / Hinv[0, 0]
    got = t13_obs_update._reference(W, X, 0, damp)
    assert np.allclose(got, expected, rtol=1e-9, atol=1e-12)
