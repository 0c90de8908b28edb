"""Exercise 13.2: ``obs_update(W, X, j, damp=0.01)``, one column step of SparseGPT.

Compared with ``minprune.torchkit.posttraining.obs_column_update`` (itself tested against
the closed-form OBS solution by the normal equations) on random layers and calibration
inputs. The first case is drawn until every known mistake gives a result of its own.
"""

import numpy as np

from minprune_course import checks

from . import _t13

GRADE_ID = "t13_obs_update_test"
ANSWER = "obs_update"
SIGNATURE = "(W, X, j, damp=0.01)"
REFERENCE = (
    "minprune.torchkit.posttraining.hessian",
    "minprune.torchkit.posttraining.inverse_hessian_cholesky",
    "minprune.torchkit.posttraining.obs_column_update",
)
MISTAKES = {
    "no_damping": "dampen the Hessian: H = 2 X^T X + damp * mean(diag(2 X^T X)) * I; without "
    "it a Hessian from few or correlated inputs is singular or nearly so",
    "damp_not_scaled": "the dampening is damp times the mean of H's diagonal, "
    "damp * mean(diag(H)) * I, not damp * I (it must scale with the inputs)",
    "whole_inverse": "the columns before j are fixed, so the update needs the inverse of the "
    "Hessian of the columns j, j+1, ... alone, inv(H[j:, j:]), not rows of inv(H)",
    "updates_earlier": "leave the columns before j as they are (SparseGPT has fixed them "
    "already); only the columns after j absorb the error",
    "row_not_column": "remove column j, the weight on input j in every row (W[:, j]), not the "
    "output row W[j, :]",
    "no_division": "divide by the diagonal entry of the inverse: the change of row i is "
    "-W[i, j] * Hinv_F[0, :] / Hinv_F[0, 0]",
    "plus_sign": "subtract the update: W[:, j:] - W[:, j, None] * Hinv_F[0, :] / "
    "Hinv_F[0, 0] makes column j exactly 0",
}


def _hinv_row(X, j, damp, scaled=True):
    H = 2 * X.T @ X
    lam = damp * np.mean(np.diag(H)) if scaled else damp
    H = H + lam * np.eye(H.shape[0])
    Hinv_F = np.linalg.inv(H[j:, j:])
    return H, Hinv_F[0]


def _results(W, X, j, damp):
    """Each mistake's result, in NumPy."""

    def update(change, cols=slice(j, None)):  # W[:, cols] -= W[:, j] * change
        out = W.copy()
        out[:, cols] -= W[:, j, None] * change[None, :]
        return out

    H, row = _hinv_row(X, j, damp)
    Hinv = np.linalg.inv(H)
    row_mistake = W.copy()
    row_mistake[j % W.shape[0], :] = 0
    try:  # singular without dampening when there are fewer inputs than features
        undamped = {"no_damping": update(_hinv_row(X, j, 0.0)[1] / _hinv_row(X, j, 0.0)[1][0])}
    except np.linalg.LinAlgError:
        undamped = {}
    unscaled = _hinv_row(X, j, damp, scaled=False)[1]
    return {
        **undamped,
        "damp_not_scaled": update(unscaled / unscaled[0]),
        "whole_inverse": update(Hinv[j, j:] / Hinv[j, j]),
        "updates_earlier": update(Hinv[j] / Hinv[j, j], slice(None)),
        "row_not_column": row_mistake,
        "no_division": update(row),
        "plus_sign": update(-row / row[0]),
    }


def _layer(rng, out, d, n, j=None):
    W = rng.normal(size=(out, d))
    X = _t13.inputs(rng, n, d, outliers=1) @ (np.eye(d) + 0.5 * rng.normal(size=(d, d)))
    return (
        W,
        X * float(rng.uniform(0.02, 0.1)),
        int(rng.integers(1, min(out, d) - 1) if j is None else j),
    )


def cases(rng, hidden):
    """``(W, X, j, damp)``: more inputs than features, correlated, ``1 <= j < out``, drawn until
    every mistake shows; the hidden battery adds fewer inputs than features (a singular
    ``X^T X``), ``j = 0``, the last column, another ``damp``, a wide layer."""
    while True:
        d = int(rng.integers(5, 9))
        W, X, j = _layer(rng, d + int(rng.integers(1, 4)), d, 3 * d)
        expected = _reference(W, X, j, 0.01)
        if _t13.distinct(expected, _results(W, X, j, 0.01), rtol=1e-4):
            break
    yield W, X, j, 0.01
    if hidden:
        yield (*_layer(rng, 6, 10, 4), 0.01)
        yield (*_layer(rng, 5, 6, 20, j=0), 0.01)
        yield (*_layer(rng, 4, 7, 20, j=6), 0.01)
        yield (*_layer(rng, 8, 6, 30), 0.1)
        yield (*_layer(rng, 16, 32, 64), 0.01)


def _reference(W, X, j, damp):
    hessian, cholesky, update = checks.public(*REFERENCE)
    Wt, Xt = _t13.as_torch(W, X)
    return update(Wt, cholesky(hessian(Xt, damp)), j).numpy()


def check(answer, hidden=False, seed=None):
    """``answer(W, X, j, damp)`` equals ``obs_column_update(W, U, j)`` with ``U`` the Cholesky
    factor of the inverse of the dampened ``H = 2 X^T X``."""
    references = checks.public(*REFERENCE)
    for W, X, j, damp in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = _reference(W, X, j, damp)
        what = f"obs_update(W, X, j={j}, damp={damp}) with W of shape {W.shape}, X of {X.shape}"
        got = checks.call(
            answer, W, X, j, damp, what=what, without=references, names=("W", "X", "j", "damp")
        )
        if hasattr(got, "detach"):
            got = got.detach().cpu().numpy()
        result = checks.expect_array(got, shape=W.shape, what=what)
        scale = float(np.abs(expected).max())
        with np.errstate(all="ignore"):
            mistakes = _results(W, X, j, damp)
        _t13.no_mistake(what, result, expected, mistakes, MISTAKES, rtol=1e-6, atol=1e-9 * scale)
        checks.expect_true(
            bool(np.all(result[:, j] == 0)) or np.abs(result[:, j]).max() <= 1e-12 * scale,
            f"{what}: column j is not zero; every row's weight on input j is removed",
        )
        checks.expect_close(result[:, :j], W[:, :j], what=f"{what}, columns before j")
        checks.expect_close(result, expected, what=what, rtol=1e-6, atol=1e-9 * scale)
    checks.passed()
