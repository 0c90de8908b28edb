"""Exercise 13.4, predict then check: ``ranking()``, the three methods by reconstruction error.

The learner predicts, before measuring, the order of magnitude, Wanda and SparseGPT by the
error ``||W X^T - W' X^T||_F`` they leave on a layer pruned to 50% (each output row losing
half its weights; SparseGPT choosing within its blocks), whose inputs have a few large
features. The check measures the truth itself on layers drawn from its seed, with
``minprune.torchkit.posttraining``, and when the prediction is wrong explains why with the
numbers it measured.
"""

import numpy as np

from minprune_course import checks

from . import _t13

GRADE_ID = "t13_predict_test"
ANSWER = "ranking"
SIGNATURE = "()"
REFERENCE = ()
NAMES = ("magnitude", "wanda", "sparsegpt")
WHY_SPARSEGPT = (
    "SparseGPT removes weights and updates the ones it keeps to minimise exactly this error "
    "(the optimal brain surgeon's update, column by column), so it comes first"
)
WHY_WANDA = (
    "magnitude removes small weights even where they multiply the large input features, "
    "whose change moves the outputs most; Wanda's |W_ij| * ||X_j|| keeps them, so Wanda's "
    "error is smaller than magnitude's"
)
MISTAKES = {
    "not_a_list": "return a list of the three names, e.g. ['a', 'b', 'c'], from the smallest "
    "error to the largest",
    "unknown_name": "use the names 'magnitude', 'wanda' and 'sparsegpt', each once",
    "sparsegpt_not_first": WHY_SPARSEGPT,
    "magnitude_before_wanda": WHY_WANDA,
}


def cases(rng, hidden):
    """``(W, X)``: a layer of 24 x 48 weights and 200 correlated calibration inputs with 3
    features 20 times larger; the hidden battery adds two layers of other sizes."""
    shapes = [(24, 48, 200, 3)] + ([(16, 32, 100, 2), (32, 64, 300, 4)] if hidden else [])
    for out, d, n, outliers in shapes:
        W = rng.normal(size=(out, d))
        mix = np.eye(d) + 0.3 * rng.normal(size=(d, d))
        X = _t13.inputs(rng, n, d) @ mix
        X[:, rng.permutation(d)[:outliers]] *= 20.0
        yield W, X


def errors(W, X):
    """``{method: reconstruction error}`` at 50% sparsity, measured with torchkit."""
    from minprune.torchkit import posttraining as pt

    Wt, Xt = _t13.as_torch(W, X)
    pruned = {
        "magnitude": Wt * pt.select_per_row(pt.magnitude_scores(Wt), 0.5),
        "wanda": Wt * pt.select_per_row(pt.wanda_scores(Wt, Xt), 0.5),
        "sparsegpt": pt.sparsegpt(Wt, Xt, 0.5),
    }
    return {k: pt.reconstruction_error(Wt, v, Xt) for k, v in pruned.items()}


def _names(got):
    if not isinstance(got, list | tuple) or len(got) != 3:
        checks.fail(f"ranking() returned {type(got).__name__}: {MISTAKES['not_a_list']}")
    if not all(isinstance(x, str) for x in got):
        checks.fail(f"ranking() holds something else than names: {MISTAKES['not_a_list']}")
    names = [str.lower(str.strip(x)) for x in got]
    if sorted(names) != sorted(NAMES):
        checks.fail(f"ranking() returned unknown or repeated names: {MISTAKES['unknown_name']}")
    return names


def check(answer, hidden=False, seed=None):
    """``answer()`` lists the methods from the smallest measured error to the largest."""
    names = _names(checks.call(answer, what="ranking()"))
    for W, X in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        measured = errors(W, X)
        truth = sorted(NAMES, key=measured.get)
        numbers = ", ".join(f"{k} {measured[k]:.3g}" for k in truth)
        where = f"on a {W.shape[0]} x {W.shape[1]} layer at 50% the errors are {numbers}"
        if names[0] != truth[0]:
            checks.fail(f"{where}: {WHY_SPARSEGPT}")
        if names != truth:
            checks.fail(f"{where}: {WHY_WANDA}")
    checks.passed()
