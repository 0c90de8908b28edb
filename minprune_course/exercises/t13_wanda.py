"""Exercise 13.1: ``wanda_mask(W, X, sparsity)``, Wanda's score with per-row selection.

Compared with ``minprune.torchkit.posttraining.wanda_scores`` and ``select_per_row`` on
random layers whose input features differ in scale, with tied scores. The first case is
drawn until every known mistake gives a mask of its own there, so each is named by its hint.
"""

import numpy as np

from minprune_course import checks

from . import _t13

GRADE_ID = "t13_wanda_test"
ANSWER = "wanda_mask"
SIGNATURE = "(W, X, sparsity)"
REFERENCE = (
    "minprune.torchkit.posttraining.wanda_scores",
    "minprune.torchkit.posttraining.select_per_row",
)
MISTAKES = {
    "magnitude": "the score is |W_ij| times the norm of input feature j over the calibration "
    "inputs, ||X[:, j]||_2; |W| alone is magnitude pruning",
    "squared_norm": "use the L2 norm of the feature, sqrt(sum of X[:, j]**2), not its square",
    "l1_norm": "use the L2 norm of the feature, sqrt(sum of X[:, j]**2), not the sum of |X[:, j]|",
    "signed": "score by |W_ij|, not by the signed weight: a large negative weight matters",
    "per_layer": "compare the scores within each output row (every row loses the same number "
    "of weights), not across the whole layer",
    "per_column": "compare within each output row W[i, :], not down the columns: each row "
    "loses round(sparsity * in) weights",
    "inverted": "the mask is inverted: 1 marks the weights kept, 0 the round(sparsity * in) "
    "of lowest score in each row",
    "later_on_ties": "among equal scores drop the lower column index first (a stable "
    "ascending sort, np.argsort(..., kind='stable'))",
}


def _masks(W, X, sparsity):
    """The right mask and each mistake's, as float arrays."""
    k = round(sparsity * W.shape[1])

    def drop_rows(S, later=False):
        mask = np.ones_like(S)
        for i, row in enumerate(S):
            if later:
                order = (len(row) - 1 - np.argsort(row[::-1], kind="stable"))[:k]
            else:
                order = np.argsort(row, kind="stable")[:k]
            mask[i, order] = 0
        return mask

    norm = np.sqrt((X**2).sum(axis=0))
    S = np.abs(W) * norm
    flat = np.ones(S.size)
    flat[np.argsort(S.ravel(), kind="stable")[: round(sparsity * S.size)]] = 0
    cols = np.ones_like(S)
    kc = round(sparsity * S.shape[0])
    for j in range(S.shape[1]):
        cols[np.argsort(S[:, j], kind="stable")[:kc], j] = 0
    right = drop_rows(S)
    return right, {
        "magnitude": drop_rows(np.abs(W)),
        "squared_norm": drop_rows(np.abs(W) * norm**2),
        "l1_norm": drop_rows(np.abs(W) * np.abs(X).sum(axis=0)),
        "signed": drop_rows(W * norm),
        "per_layer": flat.reshape(S.shape),
        "per_column": cols,
        "inverted": 1 - right,
        "later_on_ties": drop_rows(S, later=True),
    }


def _tied_layer(rng):
    """A layer with tied scores: weights on 3 levels, pairs of input features of equal norm."""
    out, d = int(rng.integers(4, 7)), 2 * int(rng.integers(4, 7))
    X = _t13.inputs(rng, int(rng.integers(d + 3, 3 * d)), d, outliers=1)
    twins = rng.permutation(d)[:4]
    X[:, twins[1]] = -X[:, twins[0]]
    X[:, twins[3]] = X[:, twins[2]][::-1]
    W = rng.integers(1, 4, size=(out, d)) * rng.choice([-1.0, 1.0], size=(out, d)) * 0.5
    return W, X


def cases(rng, hidden):
    """``(W, X, sparsity)``: a tied layer drawn until every mistake shows, a continuous one;
    the hidden battery adds sparsity 0 and 0.9, one row, dead features, a wide layer."""
    while True:
        W, X = _tied_layer(rng)
        sparsity = float(rng.choice([0.25, 0.5, 0.75]))
        right, mistakes = _masks(W, X, sparsity)
        if _t13.distinct(right, mistakes):
            break
    yield W, X, sparsity
    yield rng.normal(size=(7, 10)), _t13.inputs(rng, 30, 10, outliers=2), 0.4
    if hidden:
        yield rng.normal(size=(5, 8)), _t13.inputs(rng, 20, 8), 0.0
        yield rng.normal(size=(6, 10)), _t13.inputs(rng, 20, 10), 0.9
        yield rng.normal(size=(1, 12)), _t13.inputs(rng, 9, 12, outliers=1), 0.5
        yield rng.normal(size=(4, 16)), _t13.inputs(rng, 40, 16, dead=5), 0.5
        yield rng.normal(size=(32, 64)), _t13.inputs(rng, 100, 64, outliers=3), 0.6


def check(answer, hidden=False, seed=None):
    """``answer(W, X, sparsity)`` is the 0/1 mask ``select_per_row(wanda_scores(W, X), s)``."""
    scores_fn, select = checks.public(*REFERENCE)
    for W, X, sparsity in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        Wt, Xt = _t13.as_torch(W, X)
        expected = select(scores_fn(Wt, Xt), sparsity).numpy()
        what = f"wanda_mask(W, X, {sparsity}) with W of shape {W.shape}, X of shape {X.shape}"
        got = checks.call(
            answer, W, X, sparsity, what=what, without=[scores_fn, select], names=("W", "X")
        )
        mask = _t13.as_mask(got, W.shape, what)
        _, mistakes = _masks(W, X, sparsity)
        _t13.no_mistake(what, mask, expected, mistakes, MISTAKES)
        k = round(sparsity * W.shape[1])
        dropped = (mask == 0).sum(axis=1)
        checks.expect_true(
            bool((dropped == k).all()),
            f"{what}: {int((dropped != k).sum())} of {W.shape[0]} rows do not drop exactly "
            f"round(sparsity * in) = {k} weights",
        )
        checks.expect_equal(mask, expected, what=what)
    checks.passed()
