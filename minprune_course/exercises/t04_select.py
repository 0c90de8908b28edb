"""Exercise 04.4: ``select_threshold(thresholds, accuracy, base, tolerance)``, the walk up the grid.

The first case of every draw is built so that each known mistake picks a threshold of
its own (or ``None``): with ``d`` the mean drop over the folds,

- threshold 0 drops nothing;
- threshold 1 drops the tolerance exactly, which floating point makes a hair more;
- threshold 2 drops half the tolerance on average, but fold 0 drops more than it;
- threshold 3 drops twice the tolerance (the walk stops: the answer is threshold 2);
- threshold 4 drops nothing again, and the rest drop at random.

The thresholds lie in (0, 1), so the position of the answer is never one of them. The
rest are random cases (drops that wander) and, hidden, cases whose answer is ``None``.
"""

import numpy as np

from minprune_course import checks

GRADE_ID = "t04_select_test"
ANSWER = "select_threshold"
SIGNATURE = "(thresholds, accuracy, base, tolerance)"
REFERENCE = ("minprune.largest_within",)
MISTAKES = {
    "no_stay": "a threshold past the first failure was taken; the drop must stay within the "
    "tolerance up to the chosen threshold: stop at the first one that drops too far",
    "no_slack": "a drop equal to the tolerance counted as too far: floating point makes "
    "0.975 - 0.965 a little more than 0.01, so compare drop <= tolerance + 1e-9",
    "every_fold": "average the drop over the folds first; it need not stay within the "
    "tolerance in every fold",
    "first_failure": "returned the first threshold that drops too far; return the one just "
    "before it",
    "all_or_nothing": "returned None, but the drop stays within the tolerance up to some "
    "threshold: return the last one before the first failure",
    "index": "returned a position in thresholds; return the threshold itself, a float",
}
SLACK = 1e-9
NAMES = ("thresholds", "accuracy", "base", "tolerance")


def _walk(thresholds, within):
    """The threshold before the first ``False`` of ``within``, or None."""
    failed = np.flatnonzero(~np.asarray(within, dtype=bool))
    stop = failed[0] if failed.size else len(thresholds)
    return None if stop == 0 else float(thresholds[stop - 1])


def _mistakes(thresholds, accuracy, base, tolerance, expected):
    """What each known mistake returns on this case."""
    drop = np.mean(base[:, None] - accuracy, axis=0)
    within = drop <= tolerance + SLACK
    failed = np.flatnonzero(~within)
    return {
        "no_stay": float(thresholds[within].max()) if within.any() else None,
        "no_slack": _walk(thresholds, drop <= tolerance),
        "every_fold": _walk(thresholds, (base[:, None] - accuracy <= tolerance + SLACK).all(0)),
        "first_failure": float(thresholds[failed[0]]) if failed.size else expected,
        "all_or_nothing": None if failed.size else expected,
        "index": None if expected is None else float(np.flatnonzero(thresholds == expected)[0]),
    }


def _showing(rng):
    """The case on which every mistake picks a threshold of its own (see the docstring)."""
    while True:
        k, m = int(rng.integers(2, 6)), int(rng.integers(6, 10))
        grid = np.round(np.arange(0.05, 1.0, 0.05), 2)
        thresholds = np.sort(rng.choice(grid, size=m, replace=False))
        tolerance = float(rng.choice([0.01, 0.02, 0.03, 0.05]))
        n = rng.integers(50, 300, size=k)
        base = (n * rng.uniform(0.85, 0.95, size=k)).astype(int) / n
        fold_0 = 1.5 * tolerance
        others = (k * tolerance / 2 - fold_0) / (k - 1)
        drops = np.zeros((k, m))
        drops[:, 1] = tolerance
        drops[:, 2] = [fold_0] + [others] * (k - 1)
        drops[:, 3] = 2 * tolerance
        drops[:, 5:] = rng.integers(0, 4, size=(k, m - 5)) * tolerance / 2
        accuracy = base[:, None] - drops
        drop = np.mean(base[:, None] - accuracy, axis=0)
        if tolerance < drop[1] <= tolerance + SLACK:  # a hair more, as floating point makes it
            return thresholds, accuracy, base, tolerance


def _wandering(rng):
    """k folds of counts whose drops wander up; the tolerance lies among the mean drops."""
    k, m = int(rng.integers(2, 7)), int(rng.integers(5, 11))
    grid = np.round(np.arange(0.02, 1.0, 0.02), 2)
    thresholds = np.sort(rng.choice(grid, size=m, replace=False))
    n = rng.integers(50, 300, size=k)
    right = (n * rng.uniform(0.85, 1.0, size=k)).astype(int)
    lost = np.cumsum(rng.integers(0, 4, size=(k, m)), axis=1) - rng.integers(0, 3, size=(k, m))
    accuracy = (right[:, None] - lost) / n[:, None]
    base = right / n
    drop = (base[:, None] - accuracy).mean(axis=0)
    tolerance = max(float(np.round(rng.uniform(drop.min(), drop.max()), 4)), 0.0)
    return thresholds, accuracy, base, tolerance


def cases(rng, hidden):
    """The showing case and a wandering one; hidden adds more, and answers of None."""
    yield _showing(rng)
    for _ in range(4 if hidden else 1):
        yield _wandering(rng)
    if hidden:
        k = int(rng.integers(2, 5))
        yield np.array([0.2, 0.4]), np.tile([0.8, 0.7], (k, 1)), np.full(k, 0.9), 0.05
        yield np.array([0.1, 0.2]), np.array([[0.9, 0.8], [0.9, 0.9]]), np.array([0.9, 0.9]), 0.06


def check(answer, hidden=False, seed=None):
    """``answer(thresholds, accuracy, base, tolerance)`` is ``mp.largest_within``'s choice."""
    (reference,) = checks.public(*REFERENCE)
    for thresholds, accuracy, base, tolerance in cases(
        checks.case_rng(GRADE_ID, hidden, seed), hidden
    ):
        expected = reference(thresholds, accuracy, base, tolerance)
        k, m = accuracy.shape
        what = (
            f"select_threshold(thresholds, accuracy, base, {tolerance:g}) with {k} folds, "
            f"{m} thresholds"
        )
        got = checks.call(
            answer, thresholds, accuracy, base, tolerance, what=what, without=[reference],
            names=NAMES,
        )  # fmt: skip
        value = None if got is None else checks.expect_float(got, what)
        for name, wrong in _mistakes(thresholds, accuracy, base, tolerance, expected).items():
            checks.expect_true(wrong == expected or value != wrong, f"{what}: {MISTAKES[name]}")
        if value == expected:
            continue
        checks.expect_true(
            expected is not None,
            f"{what}: even the first threshold drops too far here; return None",
        )
        checks.expect_true(
            value is not None, f"{what} returned None, but a threshold stays within the tolerance"
        )
        checks.fail(f"{what} returned the wrong threshold")
    checks.passed()
