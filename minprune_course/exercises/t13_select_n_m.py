"""Exercise 13.3: ``select_n_m(scores, n, m)``, an n:m mask (2:4 and others) from any score.

Compared with ``minprune.torchkit.posttraining.select_n_m`` on signed scores with ties. The
first case is drawn until every known mistake gives a mask of its own there.
"""

import numpy as np

from minprune_course import checks

from . import _t13

GRADE_ID = "t13_select_n_m_test"
ANSWER = "select_n_m"
SIGNATURE = "(scores, n=2, m=4)"
REFERENCE = ("minprune.torchkit.posttraining.select_n_m",)
MISTAKES = {
    "inverted": "the mask is inverted: 1 marks the n entries of highest score in each group "
    "(kept), 0 the other m - n",
    "drops_n": "keep n entries of each group of m (n:m means n nonzeros in every m), not m - n",
    "absolute": "rank the scores as given (higher = keep); do not take |score|: a score is "
    "already an importance",
    "columns": "the groups run down the columns; a group is m consecutive entries of a row, "
    "scores[i, m*g : m*g + m]",
    "strided": "a group is m consecutive inputs, scores[i, m*g : m*g + m], not every "
    "(in / m)-th input",
    "per_row": "choose within each group of m, not across the whole row: every group must "
    "keep exactly n",
    "later_on_ties": "among equal scores keep the earlier entry (the lower column index), as "
    "a stable descending sort does",
}


def _top(groups, n, later=False):
    """Keep the ``n`` highest of each row of ``groups``; ties to the earlier (or later) entry."""
    m = groups.shape[1]
    if later:
        order = m - 1 - np.argsort(-groups[:, ::-1], axis=1, kind="stable")[:, :n]
    else:
        order = np.argsort(-groups, axis=1, kind="stable")[:, :n]
    mask = np.zeros_like(groups, dtype=np.float64)
    np.put_along_axis(mask, order, 1.0, axis=1)
    return mask


def _masks(S, n, m):
    rows, d = S.shape
    right = _top(S.reshape(-1, m), n).reshape(S.shape)
    out = {
        "inverted": 1 - right,
        "drops_n": _top(S.reshape(-1, m), m - n).reshape(S.shape),
        "absolute": _top(np.abs(S).reshape(-1, m), n).reshape(S.shape),
        "later_on_ties": _top(S.reshape(-1, m), n, later=True).reshape(S.shape),
        "per_row": _top(S, n * d // m),
    }
    if rows % m == 0:
        out["columns"] = _top(S.T.reshape(-1, m), n).reshape(d, rows).T
    strided = S.reshape(rows, m, d // m).transpose(0, 2, 1).reshape(-1, m)
    out["strided"] = _top(strided, n).reshape(rows, d // m, m).transpose(0, 2, 1).reshape(S.shape)
    return right, out


def _tied(rng, rows, d):
    return rng.integers(-2, 3, size=(rows, d)) * float(rng.uniform(0.1, 2.0))


def cases(rng, hidden):
    """``(scores, n, m)``: tied signed scores with rows a multiple of ``m`` and ``n != m - n``,
    drawn until every mistake shows, then 2:4 on continuous scores; the hidden battery adds
    1:4, 4:8, 2:4 on one group, n = m, and Wanda-like positive scores of a wide layer."""
    while True:
        n, m = [(1, 4), (3, 4), (2, 8), (3, 8)][int(rng.integers(4))]
        S = _tied(rng, m * int(rng.integers(1, 3)), m * int(rng.integers(2, 4)))
        right, mistakes = _masks(S, n, m)
        if len(mistakes) == len(MISTAKES) and _t13.distinct(right, mistakes):
            break
    yield S, n, m
    yield rng.normal(size=(5, 16)), 2, 4
    if hidden:
        yield _tied(rng, 6, 12), 1, 4
        yield rng.normal(size=(4, 32)), 4, 8
        yield rng.normal(size=(1, 4)), 2, 4
        yield rng.normal(size=(3, 8)), 4, 4
        yield np.abs(rng.normal(size=(32, 64))) * np.exp(rng.normal(size=64)), 2, 4


def check(answer, hidden=False, seed=None):
    """``answer(scores, n, m)`` is the 0/1 mask ``posttraining.select_n_m(scores, n, m)``."""
    (reference,) = checks.public(*REFERENCE)
    for S, n, m in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = reference(*_t13.as_torch(S), n, m).numpy()
        what = f"select_n_m(scores, n={n}, m={m}) with scores of shape {S.shape}"
        got = checks.call(answer, S, n, m, what=what, without=[reference], names=("scores",))
        mask = _t13.as_mask(got, S.shape, what)
        _, mistakes = _masks(S, n, m)
        _t13.no_mistake(what, mask, expected, mistakes, MISTAKES)
        kept = mask.reshape(-1, m).sum(axis=1)
        checks.expect_true(
            bool((kept == n).all()),
            f"{what}: {int((kept != n).sum())} of {kept.size} groups of {m} do not keep exactly "
            f"n = {n}",
        )
        checks.expect_equal(mask, expected, what=what)
    checks.passed()
