"""Checks for the exercises of lesson 04, choosing what to prune.

Each check draws fresh random inputs (a new seed on every call, so a hard-coded
answer fails), computes the reference with ``minprune.selection`` first, calls
the learner's function on copies of the inputs and raises ``AssertionError``
with a hint that names the mistake, never the expected numbers::

    checks_04.check_sensitivity_scan(sensitivity_scan)               # the visible check
    checks_04.check_sensitivity_scan(sensitivity_scan, hidden=True)  # the longer battery

The networks are small random ones, and the labels are their own predictions,
so a dense network scores 1.0 and every pruned weight can cost accuracy. With
``hidden=True`` a check runs more cases: grids out of order (an answer that
prunes one network again and again shows it), the output layer, float32
networks, leave-one-out folds, classes smaller than ``k``, a tolerance met to
the last digit.

While the learner's function runs, ``minprune.selection`` is switched off: the
exercises ask for the loop, and ``mp.prune``, ``net.copy`` and ``net.accuracy``
stay available for its body.
"""

import numpy as np

import minprune as mp
from minprune import selection

from . import checks

__all__ = [
    "check_sensitivity_scan",
    "check_kfold_indices",
    "check_cross_val_accuracy",
    "check_select_threshold",
]

_absolute = np.absolute
_asarray = np.asarray
_default_rng = np.random.default_rng
_float64 = np.float64
_integer = np.integer
_ndarray = np.ndarray
_sort = np.sort
_arange = np.arange
_delete = np.delete
_lexsort = np.lexsort
_unique = np.unique
_isinstance = isinstance


# ------------------------------------------------------------ own work only
_BLOCKED = (  # the hint when the learner's code calls minprune's own answer
    "this exercise asks for your own loop: minprune.selection is what the check "
    "compares your answer with, so it is switched off while the check runs "
    "(mp.prune, net.copy() and net.accuracy() are allowed)"
)


def _reference_functions():
    """minprune's functions that answer these exercises by themselves."""
    return [
        selection.pruning_curve,
        selection.sensitivity_scan,
        selection._curve,
        selection.kfold_indices,
        selection.cross_val_accuracy,
        selection.largest_within,
    ]


def _call(fn, *args, what):
    """``checks.call`` with the reference functions switched off."""
    return checks.call(fn, *args, what=what, without=_reference_functions(), hint=_BLOCKED)


# ----------------------------------------------------------------- inputs
def _teacher(rng, n=None, n_hidden=None, dtype="float64"):
    """A random tanh network and data labelled by it: its dense accuracy is 1.0."""
    n_hidden = int(rng.integers(1, 3)) if n_hidden is None else n_hidden
    sizes = [int(rng.integers(4, 9))]
    sizes += [int(rng.integers(6, 13)) for _ in range(n_hidden)]
    sizes += [int(rng.integers(2, 5))]
    net = mp.Network(sizes, activation="tanh", dtype=dtype, rng=rng)
    n = int(rng.integers(60, 120)) if n is None else n
    X = rng.normal(size=(n, sizes[0])).astype(dtype)
    return net, X, net.predict(X)


def _grid(rng, low, high, size, shuffled=False):
    """``size`` distinct values from a grid of 0.05 steps in ``[low, high]``."""
    grid = np.round(_arange(low, high + 1e-9, 0.05), 2)
    values = rng.choice(grid, size=min(size, grid.size), replace=False)
    return values if shuffled else _sort(values)


def _expect_same(answer, expected, what, variants=()):
    """Compare exactly (accuracies are ratios of counts); name a known mistake if one fits."""
    bad = answer != expected
    if not bad.any():
        return
    for variant, hint in variants:
        if variant is not None and variant.shape == answer.shape and (answer == variant).all():
            raise AssertionError(f"{what}: {hint}")
    checks.expect_close(answer, expected, what=what, rtol=0.0, atol=1e-12)


# ------------------------------------------------------------ 1. the scan
def _scan_cases(rng, hidden):
    """``(net, X, y, sparsities, layers)`` tuples."""
    net, X, y = _teacher(rng, n_hidden=2)
    cases = [(net, X, y, _grid(rng, 0.2, 0.95, int(rng.integers(4, 7))), [0, 1])]
    if hidden:
        net, X, y = _teacher(rng, n_hidden=2)
        cases.append((net, X, y, _grid(rng, 0.0, 0.95, 6, shuffled=True), [2, 0, 1]))
        net, X, y = _teacher(rng, n_hidden=1, dtype="float32")
        cases.append((net, X, y, _grid(rng, 0.1, 0.9, 5, shuffled=True), [1]))
        net, X, y = _teacher(rng, n_hidden=2)
        cases.append((net, X, y, np.array([0.0, 0.5, 0.9]), [1, 2]))
    return cases


def _scan_variants(net, X, y, sparsities, layers):
    """Answers of two common mistakes: one network pruned again and again, all layers at once."""
    again = net.copy()
    row_again = []
    for i in layers:
        again_row = net.copy()
        row_again.append(
            [mp.prune(again_row, sparsity=float(s), layers=[i]).accuracy(X, y) for s in sparsities]
        )
    fully = []
    for i in layers:
        fully.append(
            [mp.prune(again, sparsity=float(s), layers=[i]).accuracy(X, y) for s in sparsities]
        )
    together = [
        mp.prune(net.copy(), sparsity=float(s), layers=list(layers)).accuracy(X, y)
        for s in sparsities
    ]
    return [
        (
            _asarray(row_again),
            "an entry depends on the ones before it; prune a fresh copy of net for every (layer, sparsity)",
        ),
        (
            _asarray(fully),
            "an entry depends on the ones before it; prune a fresh copy of net for every (layer, sparsity)",
        ),
        (
            _asarray([together] * len(layers)),
            "row j must prune layer layers[j] alone, every other layer whole",
        ),
    ]


def check_sensitivity_scan(sensitivity_scan, hidden=False):
    """Check ``sensitivity_scan(net, X, y, sparsities, layers)`` against ``minprune.selection``."""
    checks.expect_callable(sensitivity_scan, "sensitivity_scan")
    rng = checks.rng()
    for net, X, y, sparsities, layers in _scan_cases(rng, hidden):
        expected = selection.sensitivity_scan(net, X, y, sparsities=sparsities, layers=layers)
        what = (
            f"sensitivity_scan(net, X, y, sparsities, layers={layers}) with net.sizes {net.sizes}, "
            f"{len(sparsities)} sparsities"
        )
        answer = _call(sensitivity_scan, net, X, y, sparsities, list(layers), what=what)
        if answer is not None and _asarray(answer).shape == expected.shape[::-1] != expected.shape:
            raise AssertionError(
                f"{what} has shape {_asarray(answer).shape}; expected one row per layer and one "
                f"column per sparsity, {expected.shape}"
            )
        scan = checks.expect_array(answer, shape=expected.shape, what=what)
        _expect_same(scan, expected, what, _scan_variants(net, X, y, sparsities, layers))
    checks.passed("sensitivity_scan")


# -------------------------------------------------------------- 2. folds
def _fold_cases(rng, hidden):
    """``(y, k)`` pairs."""
    n_classes = int(rng.integers(2, 5))
    cases = [(rng.integers(0, n_classes, size=int(rng.integers(30, 60))), int(rng.integers(3, 6)))]
    if hidden:
        cases += [
            (np.repeat(_arange(4), int(rng.integers(5, 9))), 4),  # sorted by class
            (rng.integers(0, 3, size=7), 7),  # leave-one-out
            (np.array([0] * 20 + [1] * 2 + [2] * 9), 5),  # a class smaller than k
            (rng.integers(0, 10, size=101), 2),
        ]
    return cases


def _expect_folds(answer, y, k, what):
    """The learner's folds: ``k`` int arrays partitioning ``range(n)``, stratified."""
    if not _isinstance(answer, list | tuple):
        raise AssertionError(
            f"{what} returned a {type(answer).__name__}; expected a list of k index arrays"
        )
    if len(answer) != k:
        raise AssertionError(f"{what} returned {len(answer)} folds; expected k = {k}")
    folds = []
    for j, f in enumerate(answer):
        arr = checks.expect_array(f, what=f"fold {j} of {what}", dtype=int)
        if arr.ndim != 1:
            raise AssertionError(
                f"fold {j} of {what} has shape {arr.shape}; expected a 1-D array of indices"
            )
        folds.append(arr)
    n = len(y)
    everything = _sort(np.concatenate(folds))
    if everything.size != n or (everything != _arange(n)).any():
        raise AssertionError(
            f"{what}: the folds must hold every index 0 .. n-1 exactly once (n = {n}); "
            f"they hold {everything.size} indices, {_unique(everything).size} distinct"
        )
    sizes = [f.size for f in folds]
    if max(sizes) - min(sizes) > 1:
        raise AssertionError(f"{what}: fold sizes {sizes} differ by more than one")
    for c in _unique(y):
        counts = [int((y[f] == c).sum()) for f in folds]
        if max(counts) - min(counts) > 1:
            raise AssertionError(
                f"{what}: class {int(c)} appears {counts} times in the folds; a stratified split "
                "gives every fold the same number of each class, give or take one"
            )
    return folds


def check_kfold_indices(kfold_indices, hidden=False):
    """Check ``kfold_indices(y, k, rng)``: stratified, seeded folds that partition ``range(n)``."""
    checks.expect_callable(kfold_indices, "kfold_indices")
    rng = checks.rng()
    for y, k in _fold_cases(rng, hidden):
        seed = int(rng.integers(2**31))
        what = f"kfold_indices(y, {k}, rng) with {len(y)} labels of {len(_unique(y))} classes"
        first = _expect_folds(_call(kfold_indices, y, k, _default_rng(seed), what=what), y, k, what)
        again = _expect_folds(_call(kfold_indices, y, k, _default_rng(seed), what=what), y, k, what)
        if any(a.size != b.size or (a != b).any() for a, b in zip(first, again)):
            raise AssertionError(
                f"{what}: two generators with the same seed gave different folds; draw only from rng"
            )
        if len(y) >= 12:
            others = [
                _expect_folds(
                    _call(kfold_indices, y, k, _default_rng(seed + d), what=what), y, k, what
                )
                for d in (1, 2)
            ]
            same = [
                all(a.size == b.size and (a == b).all() for a, b in zip(first, o)) for o in others
            ]
            if all(same):
                raise AssertionError(
                    f"{what}: other seeds give the same folds; shuffle each class with rng"
                )
    checks.passed("kfold_indices")


# ---------------------------------------------------- 3. cross-validation
def _train_fn(X_train, y_train, n_classes, width, seed):
    """A small seeded network trained for 3 epochs on the rows in a fixed order.

    Sorting the rows first makes the result independent of the order the rows arrive in.
    """
    order = _lexsort(X_train.T[::-1])
    net = mp.Network(
        [X_train.shape[1], width, n_classes], activation="tanh", dtype="float64", rng=seed
    )
    mp.train(net, X_train[order], y_train[order], epochs=3, batch_size=16, rng=seed, progress=False)
    return net


def _spy(n_classes, width, seed):
    """A ``train_fn`` that records the rows it was given, and the list it records them in.

    A function, not an object: ``checks.call`` deep-copies its arguments, and functions
    are passed on as they are, so the record is the checker's own.
    """
    seen = []

    def train_fn(X_train, y_train):
        X_train = _asarray(X_train)
        seen.append(X_train.copy())
        return _train_fn(X_train, _asarray(y_train), n_classes, width, seed)

    return train_fn, seen


def _rows(X):
    """The rows of ``X`` in a canonical order, to compare sets of rows."""
    return X[_lexsort(X.T[::-1])]


def _in_place_differs(nets, X, y, folds, thresholds):
    """True when pruning each fold's network in place changes some accuracy.

    Pruning one network threshold after threshold, instead of a fresh copy for every
    threshold, must give other accuracies on the visible case, or the mistake passes.
    """
    for net, fold in zip(nets, folds):
        fresh = [
            mp.prune(net.copy(), threshold=float(t)).accuracy(X[fold], y[fold]) for t in thresholds
        ]
        again = net.copy()
        in_place = [
            mp.prune(again, threshold=float(t)).accuracy(X[fold], y[fold]) for t in thresholds
        ]
        if fresh != in_place:
            return True
    return False


def _cv_case(rng, k, show_in_place=False):
    """``(X, y, folds, thresholds, n_classes, width, seed)``; ``X`` is labelled by a teacher.

    With ``show_in_place``, the shuffled thresholds are drawn again (and then the whole
    case) until pruning one network in place gives other accuracies than fresh copies:
    increasing thresholds, or ones that change no prediction, would let it pass.
    """
    for _ in range(20):
        teacher, X, y = _teacher(rng, n=int(rng.integers(60, 90)), n_hidden=1)
        folds = selection.kfold_indices(y, k, rng=rng)
        n_classes = teacher.sizes[-1]
        width, seed = int(rng.integers(6, 12)), int(rng.integers(2**31))
        m = int(rng.integers(4, 7))
        thresholds = _grid(rng, 0.0, 1.0, m, shuffled=True)
        if not show_in_place:
            break
        nets = [
            _train_fn(X[rest], y[rest], n_classes, width, seed)
            for rest in (_delete(_arange(len(y)), fold) for fold in folds)
        ]
        for _ in range(10):
            if _in_place_differs(nets, X, y, folds, thresholds):
                return X, y, folds, thresholds, n_classes, width, seed
            thresholds = _grid(rng, 0.0, 1.0, m, shuffled=True)
    return X, y, folds, thresholds, n_classes, width, seed


def _cv_cases(rng, hidden):
    """The visible case, which shows pruning in place, and with ``hidden`` two more."""
    cases = [_cv_case(rng, int(rng.integers(3, 5)), show_in_place=True)]
    if hidden:
        cases += [_cv_case(rng, k) for k in (2, 5)]
    return cases


def check_cross_val_accuracy(cross_val_accuracy, hidden=False):
    """Check ``cross_val_accuracy(train_fn, X, y, folds, thresholds) -> (base, accuracy)``."""
    checks.expect_callable(cross_val_accuracy, "cross_val_accuracy")
    rng = checks.rng()
    for X, y, folds, thresholds, n_classes, width, seed in _cv_cases(rng, hidden):

        def train_fn(X_train, y_train, n_classes=n_classes, width=width, seed=seed):
            return _train_fn(X_train, y_train, n_classes, width, seed)

        base_ref, acc_ref = selection.cross_val_accuracy(
            train_fn, X, y, folds, thresholds=thresholds
        )
        k, m = len(folds), len(thresholds)
        what = (
            f"cross_val_accuracy(train_fn, X, y, folds, thresholds) with {k} folds, {m} thresholds"
        )
        spy, seen = _spy(n_classes, width, seed)
        out = _call(cross_val_accuracy, spy, X, y, [f.copy() for f in folds], thresholds, what=what)
        if not _isinstance(out, tuple | list) or len(out) != 2:
            kind = type(out).__name__
            raise AssertionError(f"{what} returned a {kind}; expected a tuple (base, accuracy)")
        if len(seen) < k:
            raise AssertionError(
                f"{what} called train_fn {len(seen)} times; train one network per fold ({k})"
            )
        for j, fold in enumerate(folds):
            wanted = _rows(_delete(X, fold, axis=0))
            got = [s for s in seen if s.shape == wanted.shape and (_rows(s) == wanted).all()]
            if not got:
                leaked = any(s.shape[0] >= X.shape[0] for s in seen)
                hint = (
                    "train_fn got the held-out fold too; train on the other folds only"
                    if leaked
                    else "train_fn never got exactly the samples outside this fold"
                )
                raise AssertionError(f"{what}, fold {j}: {hint}")
        base = checks.expect_array(out[0], shape=(k,), what=f"base of {what}")
        accuracy = checks.expect_array(out[1], shape=(k, m), what=f"accuracy of {what}")
        _expect_same(base, base_ref, f"base of {what} (the dense accuracy on each held-out fold)")
        variants = []
        if (accuracy != acc_ref).any():
            again = []
            for fold in folds:
                rest = _delete(_arange(len(y)), fold)
                net = train_fn(X[rest], y[rest])
                again.append(
                    [
                        mp.prune(net, threshold=float(t)).accuracy(X[fold], y[fold])
                        for t in thresholds
                    ]
                )
            variants.append(
                (
                    _asarray(again),
                    "an entry depends on the ones before it; prune a fresh copy of each fold's network for every threshold",
                )
            )
        _expect_same(accuracy, acc_ref, f"accuracy of {what}", variants)
    checks.passed("cross_val_accuracy")


# ------------------------------------------------------ 4. the selection
def _selection_cases(rng, hidden):
    """``(thresholds, accuracy, base, tolerance)``: k folds of counts, drops that wander."""
    cases = []
    for _ in range(3 if hidden else 1):
        k, m = int(rng.integers(2, 7)), int(rng.integers(5, 11))
        thresholds = _sort(rng.choice(np.round(_arange(0.0, 1.0, 0.02), 2), size=m, replace=False))
        n = rng.integers(50, 300, size=k)
        right = (n * rng.uniform(0.85, 1.0, size=k)).astype(int)
        lost = np.cumsum(rng.integers(0, 4, size=(k, m)), axis=1) - rng.integers(0, 3, size=(k, m))
        accuracy = (right[:, None] - lost) / n[:, None]
        base = right / n
        drop = (base[:, None] - accuracy).mean(axis=0)
        tolerance = float(np.round(rng.uniform(drop.min(), drop.max()), 4))
        cases.append((thresholds, accuracy, base, max(tolerance, 0.0)))
    k = int(rng.integers(2, 5))
    # every fold drops 0.975 - 0.965: one point in decimal, a little more in floating point
    cases.append(
        (np.array([0.1, 0.2, 0.3]), np.tile([0.975, 0.965, 0.9], (k, 1)), np.full(k, 0.975), 0.01)
    )
    # a failure at 0.2, then within the tolerance again
    cases.append(
        (
            np.array([0.1, 0.2, 0.3, 0.4]),
            np.array([[0.9, 0.85, 0.9, 0.9], [0.9, 0.87, 0.9, 0.9]]),
            np.array([0.9, 0.9]),
            0.02,
        )
    )
    # at 0.2 the mean drop is within the tolerance, the drop of fold 0 is not
    cases.append(
        (
            np.array([0.1, 0.2, 0.3]),
            np.array([[0.9, 0.88, 0.8], [0.9, 0.9, 0.8]]),
            np.array([0.9, 0.9]),
            0.015,
        )
    )
    if hidden:
        cases += [
            (np.array([0.2, 0.4]), np.tile([0.8, 0.7], (k, 1)), np.full(k, 0.9), 0.05),  # None
            (np.array([0.1, 0.2]), np.array([[0.9, 0.8], [0.9, 0.9]]), np.array([0.9, 0.9]), 0.06),
        ]
    return cases


def _selection_variants(thresholds, accuracy, base, tolerance):
    """Choices of common mistakes, with their hints."""
    drop = (base[:, None] - accuracy).mean(axis=0)
    within = drop <= tolerance + selection.SLACK
    out = []
    if within.any():
        out.append(
            (
                float(thresholds[within].max()),
                "the drop must stay within the tolerance up to the chosen threshold: stop at the first one that drops too far",
            )
        )
    strict = drop <= tolerance
    first_bad = np.flatnonzero(~strict)
    stop = first_bad[0] if first_bad.size else len(thresholds)
    out.append(
        (
            None if stop == 0 else float(thresholds[stop - 1]),
            "0.975 - 0.965 > 0.01 in floating point: compare drop <= tolerance + 1e-9",
        )
    )
    every = np.all(base[:, None] - accuracy <= tolerance + selection.SLACK, axis=0)
    first_bad = np.flatnonzero(~every)
    stop = first_bad[0] if first_bad.size else len(thresholds)
    out.append(
        (
            None if stop == 0 else float(thresholds[stop - 1]),
            "average the drop over the folds; it need not stay within the tolerance in every fold",
        )
    )
    return out


def check_select_threshold(select_threshold, hidden=False):
    """Check ``select_threshold(thresholds, accuracy, base, tolerance)`` against ``largest_within``."""
    checks.expect_callable(select_threshold, "select_threshold")
    rng = checks.rng()
    for thresholds, accuracy, base, tolerance in _selection_cases(rng, hidden):
        expected = selection.largest_within(thresholds, accuracy, base, tolerance)
        k, m = accuracy.shape
        what = f"select_threshold(thresholds, accuracy, base, {tolerance:g}) with {k} folds, {m} thresholds"
        answer = _call(select_threshold, thresholds, accuracy, base, tolerance, what=what)
        if answer is None and expected is None:
            continue
        value = None if answer is None else checks.expect_float(answer, what=what)
        if value == expected:
            continue
        for variant, hint in _selection_variants(thresholds, accuracy, base, tolerance):
            if value == variant:
                raise AssertionError(f"{what}: {hint}")
        if expected is None:
            raise AssertionError(
                f"{what}: even the first threshold drops too far here; return None"
            )
        if value is None:
            raise AssertionError(
                f"{what} returned None, but a threshold stays within the tolerance"
            )
        if value not in set(thresholds.tolist()):
            raise AssertionError(f"{what} returned a value that is not one of the thresholds")
        raise AssertionError(f"{what} returned the wrong threshold")
    checks.passed("select_threshold")
