"""Exercise 04.2: ``kfold_indices(y, k, rng)``, stratified folds drawn from ``rng``.

PROBE: a generator cannot cross the grader's sandbox, so the check sends the seed and
``probe(answer, y, k, seed)``, run where the answer lives (``remote.asking``), calls
``answer(y, k, np.random.default_rng(seed))`` and returns the folds.

Any stratified split passes, not only the prompt's: the check reads the folds back
(``k`` 1-D integer arrays that partition ``range(n)``, sizes and each class's counts
within one of each other), asks again with a generator of the same seed (the same
folds) and of two other seeds (not all the same partition). The first case of every
draw has two classes or more whose size ``k`` does not divide (so dealing each class
from fold 0 again shows) and is drawn again until all indices shuffled together and
cut into k parts, with its seed, are not stratified. The hidden battery adds labels sorted by class,
leave-one-out, a class smaller than ``k`` and ``k = 2`` over ten classes.
"""

import sys

import numpy as np

from minprune_course import checks, remote

from . import _t04

GRADE_ID = "t04_folds_test"
ANSWER = "kfold_indices"
SIGNATURE = "(y, k, rng)"
REFERENCE = ("minprune.kfold_indices",)
MISTAKES = {
    "fixed_seed": "other seeds give the same folds; shuffle each class with rng, the "
    "generator passed in",
    "fresh_generator": "two generators with the same seed gave different folds; draw only "
    "from rng, so that a seed gives its folds again",
    "unstratified": "a stratified split gives every fold the same number of each class, give "
    "or take one: shuffle and deal each class on its own",
    "restarts_per_class": "fold sizes differ by more than one: deal on from one class to the "
    "next (position p of the joined classes goes to fold p % k) instead of starting each "
    "class at fold 0",
    "missing_index": "the folds must hold every index 0 .. n-1 exactly once",
    "wrong_count": "return a list of exactly k folds, one index array each",
    "boolean_masks": "a fold is a boolean mask; return arrays of indices (np.flatnonzero "
    "turns a mask into them)",
}
NAMES = ("y", "k", "seed")


def probe(answer, y, k, seed):
    """``answer(y, k, rng)`` with a generator of ``seed``: the folds it returns."""
    return answer(y, k, np.random.default_rng(seed))


def _unstratified(y, k, seed):
    """The declared unstratified split: every index shuffled together, cut into k parts."""
    return np.array_split(np.random.default_rng(seed).permutation(len(y)), k)


def _stratified(folds, y):
    return all(
        max(c) - min(c) <= 1
        for c in ([int((y[f] == v).sum()) for f in folds] for v in np.unique(y))
    )


def _showing(rng):
    """``(y, k, seed)`` on which every mistake shows (drawn again until it does)."""
    while True:
        k = int(rng.integers(3, 6))
        y = rng.integers(0, int(rng.integers(3, 5)), size=int(rng.integers(30, 60)))
        counts = np.bincount(y)
        seed = int(rng.integers(2**31))
        if (counts % k != 0).sum() >= 2 and not _stratified(_unstratified(y, k, seed), y):
            return y, k, seed


def cases(rng, hidden):
    """``(y, k, seed)``: the showing case; hidden adds sorted labels, leave-one-out, a
    class smaller than k and two folds over ten classes."""
    yield _showing(rng)
    if not hidden:
        return
    for y, k in (
        (np.repeat(np.arange(4), int(rng.integers(5, 9))), 4),
        (rng.integers(0, 3, size=7), 7),
        (np.array([0] * 20 + [1] * 2 + [2] * 9), 5),
        (rng.integers(0, 10, size=101), 2),
    ):
        yield y, k, int(rng.integers(2**31))


def _folds(answer, y, k, what):
    """The answer's folds as int arrays, checked to be a stratified partition of range(n)."""
    checks.expect_true(
        isinstance(answer, list | tuple),
        f"{what} returned a {type(answer).__name__}; expected a list of k index arrays",
    )
    checks.expect_true(
        len(answer) == k, f"{what} returned {len(answer)} folds; {MISTAKES['wrong_count']}"
    )
    folds = []
    for j, fold in enumerate(answer):
        checks.expect_true(
            np.asarray(fold).dtype != bool, f"fold {j} of {what}: {MISTAKES['boolean_masks']}"
        )
        fold = checks.expect_array(fold, what=f"fold {j} of {what}", dtype=int)
        checks.expect_true(
            fold.ndim == 1, f"fold {j} of {what} has shape {fold.shape}; expected a 1-D array"
        )
        folds.append(fold)
    n, everything = len(y), np.sort(np.concatenate(folds))
    checks.expect_true(
        everything.size == n and (everything == np.arange(n)).all(),
        f"{what}: {MISTAKES['missing_index']} (n = {n}); they hold {everything.size} "
        f"indices, {np.unique(everything).size} distinct",
    )
    sizes = [f.size for f in folds]
    checks.expect_true(max(sizes) - min(sizes) <= 1, f"{what}: {MISTAKES['restarts_per_class']}")
    checks.expect_true(_stratified(folds, y), f"{what}: {MISTAKES['unstratified']}")
    return folds


def _partition(folds):
    return {tuple(np.sort(f).tolist()) for f in folds}


def check(answer, hidden=False, seed=None):
    """``answer(y, k, rng)`` splits ``range(len(y))`` into stratified folds drawn from ``rng``."""
    (reference,) = checks.public(*REFERENCE)
    ask = remote.asking(sys.modules[__name__], answer)
    for y, k, drawn in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        what = f"kfold_indices(y, {k}, rng) with {len(y)} labels of {len(np.unique(y))} classes"

        def folds_of(s, y=y, k=k, what=what):
            got = checks.call(ask, y, k, s, what=what, without=[reference], names=NAMES)
            return _folds(got, y, k, what)

        first, again = folds_of(drawn), folds_of(drawn)
        checks.expect_true(
            all(a.shape == b.shape and (a == b).all() for a, b in zip(first, again, strict=True)),
            f"{what}: {MISTAKES['fresh_generator']}",
        )
        if len(y) >= 12:  # classes of several labels: another seed shuffles them otherwise
            others = [_partition(folds_of(drawn + d)) for d in (1, 2)]
            checks.expect_true(
                any(p != _partition(first) for p in others), f"{what}: {MISTAKES['fixed_seed']}"
            )
    checks.passed()
