"""Exercise 06.1: ``neuron_scores(W, W_next, A)``, six importance scores per neuron."""

import numpy as np

import minprune as mp
from minprune_course import checks

from . import _t06

GRADE_ID = "t06_neuron_scores_test"
ANSWER = "neuron_scores"
SIGNATURE = "(W, W_next, A)"
KEYS = (
    "incoming_l1",
    "incoming_l2",
    "outgoing_l1",
    "outgoing_l2",
    "mean_activation",
    "activation_variance",
)
REFERENCE = tuple(f"minprune.{key}" for key in KEYS) + ("minprune.neuron_importance",)
MISTAKES = {
    "l2_squared": "this is the sum of squares; the L2 norm is its square root",
    "signed_mean": "average the absolute activation |a|, so that a tanh neuron swinging "
    "between -1 and 1 does not score 0",
    "sample_variance": "use the population variance, dividing by the number of samples m "
    "(np.var's default), not m - 1",
    "std": "this is the standard deviation; the score is the variance, its square",
    "swapped": "incoming and outgoing are mixed up: neuron j's incoming weights are the "
    "column W[:, j], its outgoing weights the row W_next[j, :]",
    "rows": "the incoming weights of neuron j are the column W[:, j]: reduce over axis 0, "
    "one score per neuron",
    "outgoing_columns": "the outgoing weights of neuron j are the row W_next[j, :]: reduce "
    "over axis 1, one score per neuron",
    "per_sample": "average over the samples (the rows of A, axis 0), one number per neuron",
    "missing_key": "the dict lacks a key; return all six scores",
    "not_a_dict": "expected a dict of scores, one (n,) array per key",
}


def cases(rng, hidden):
    """Layers whose four sizes differ (a reduction over the wrong axis changes the shape),
    tanh first (its activations change sign, so |a| and a average differently); the hidden
    battery adds every activation, one neuron, one output, float32, dead relu neurons."""
    yield _t06.random_layers(rng, "tanh")
    if hidden:
        for activation in _t06.ACTIVATIONS:
            yield _t06.random_layers(rng, activation)
        yield _t06.random_layers(rng, "tanh", n=1)
        yield _t06.random_layers(rng, "sigmoid", n_next=1)
        yield _t06.random_layers(rng, "relu", dtype=np.float32)
        dead = _t06.random_layers(rng, "relu")
        b = dead.b.copy()
        b[: max(1, b.size // 3)] = -100.0  # dead neurons: activation 0, mean and variance 0
        yield _t06.Layers(dead.W, b, dead.W_next, dead.b_next, "relu", dead.X)


def _wrong_values(case, expected):
    """``{key: {mistake: what that mistake returns for key}}`` on ``case``."""
    A = case.A.astype(np.float64)
    return {
        "incoming_l1": {"swapped": expected["outgoing_l1"]},
        "incoming_l2": {
            "l2_squared": expected["incoming_l2"] ** 2,
            "swapped": expected["outgoing_l2"],
        },
        "outgoing_l1": {"swapped": expected["incoming_l1"]},
        "outgoing_l2": {
            "l2_squared": expected["outgoing_l2"] ** 2,
            "swapped": expected["incoming_l2"],
        },
        "mean_activation": {"signed_mean": A.mean(axis=0)},
        "activation_variance": {
            "sample_variance": A.var(axis=0, ddof=1),
            "std": np.sqrt(expected["activation_variance"]),
        },
    }


def _shape_mistake(key, shape, case):
    """The mistake that gives ``key`` the wrong ``shape``, or None."""
    n_in, n_next, m = case.W.shape[0], case.W_next.shape[1], case.A.shape[0]
    if key.startswith("incoming") and shape == (n_in,):
        return "rows"
    if key.startswith("outgoing") and shape == (n_next,):
        return "outgoing_columns"
    if shape == (m,):
        return "per_sample"
    return None


def check(answer, hidden=False, seed=None):
    """``answer(W, W_next, A)`` is a dict of the six scores ``KEYS`` of ``mp.NEURON_SCORES``."""
    references = checks.public(*REFERENCE)
    for case in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        n = case.W.shape[1]
        expected = {key: mp.NEURON_SCORES[key](case.net, 0, case.X) for key in KEYS}
        what = f"neuron_scores(W, W_next, A) with {case.describe()} and A of shape {case.A.shape}"
        got = checks.call(
            answer,
            case.W,
            case.W_next,
            case.A,
            what=what,
            without=references,
            names=("W", "W_next", "A"),
        )
        if not isinstance(got, dict):
            checks.fail(f"{what} returned a {type(got).__name__}; {MISTAKES['not_a_dict']}")
        missing = [key for key in KEYS if key not in got]
        if missing:
            checks.fail(f"{what}: {MISTAKES['missing_key']} (missing: {missing[0]!r})")
        wrong = _wrong_values(case, expected)
        rtol = case.rtol
        for key in KEYS:
            label = f"{what}: {key!r}"
            score = checks.expect_array(got[key], what=label)
            if score.shape != (n,):
                mistake = _shape_mistake(key, score.shape, case)
                hint = "one score per neuron" if mistake is None else MISTAKES[mistake]
                checks.fail(f"{label} has shape {score.shape}; expected ({n},): {hint}")
            atol = rtol * (float(np.abs(expected[key]).max()) + 1e-3)
            checks.expect_no_mistake(
                score, expected[key], wrong[key], _t06.hints(MISTAKES, label), rtol, atol
            )
            checks.expect_close(score, expected[key], what=label, rtol=rtol, atol=atol)
    checks.passed()
