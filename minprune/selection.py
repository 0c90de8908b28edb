"""Choosing what to prune, and how much, from held-out data.

    curve = pruning_curve(net, X_val, y_val, thresholds=grid)        # grid search
    scan = sensitivity_scan(net, X_val, y_val, sparsities=grid, layers=[0, 1, 2])
    folds = kfold_indices(y, k=5, rng=0)                             # stratified folds
    base, acc = cross_val_accuracy(train_fn, X, y, folds, thresholds=grid)
    threshold = largest_within(grid, acc, base, tolerance=0.01)

Every function prunes copies: the network it is given is never changed. The
accuracies are measured on the data passed in, which must never be the test set
when the result is used to choose: a value chosen on the data that reports it
looks better there than it will be on new data.
"""

import numpy as np

from ._checks import check_array, check_labels, check_nonnegative, check_positive_int, check_rng
from .pruning import layer_indices, prune

__all__ = [
    "pruning_curve",
    "sensitivity_scan",
    "kfold_indices",
    "cross_val_accuracy",
    "largest_within",
    "SLACK",
]

SLACK = 1e-9
"""Absolute slack when comparing an accuracy drop with a tolerance.

Accuracies are fractions such as ``0.975`` and ``0.965`` that floating point does
not subtract exactly (``0.975 - 0.965 = 0.010000000000000009``); a drop counts as
within ``tolerance`` when ``drop <= tolerance + SLACK``.
"""


# ------------------------------------------------------------------ checks
def _grid(sparsities, thresholds):
    """``('sparsity', values)`` or ``('threshold', values)``: exactly one grid, 1-D, non-empty."""
    if (sparsities is None) == (thresholds is None):
        raise ValueError(
            "give exactly one of sparsities and thresholds, got "
            f"sparsities={sparsities!r} and thresholds={thresholds!r}"
        )
    name, values = (
        ("sparsities", sparsities) if sparsities is not None else ("thresholds", thresholds)
    )
    values = check_array(values, name, ndim=1, dtype=np.float64)
    if values.size == 0:
        raise ValueError(f"{name} must hold at least one value, got an empty array")
    return ("sparsity" if sparsities is not None else "threshold"), values


def _curve(net, X, y, key, values, **kwargs):
    """Accuracies on ``(X, y)`` of copies of ``net``, each pruned with ``key=value``."""
    return [prune(net.copy(), **{key: float(v)}, **kwargs).accuracy(X, y) for v in values]


def _data(net, X, y):
    X = net._check_X(X, "X")
    return X, check_labels(y, "y", X.shape[0], n_classes=net.sizes[-1])


# ------------------------------------------------------------------- curves
def pruning_curve(
    net,
    X,
    y,
    sparsities=None,
    thresholds=None,
    layers=None,
    criterion="magnitude",
    scope="layer",
    rng=None,
):
    """Accuracy of ``net`` pruned at each value of a grid: a grid search's table.

    Each value prunes a fresh copy of ``net`` (``prune(net.copy(), ...)``).

    Parameters
    ----------
    net : Network
    X : (n, n_in) array; y : (n,) labels
        Held-out data (a validation split), never the test set if the curve is
        used to choose a value.
    sparsities : (m,) floats in [0, 1), or
    thresholds : (m,) floats >= 0
        The grid; give exactly one.
    layers : list of int, optional
        Which layers are pruned (default: every layer but the output).
    criterion, scope, rng : as for ``prune``

    Returns
    -------
    accuracy : (m,) float64 array
    """
    key, values = _grid(sparsities, thresholds)
    layers = layer_indices(net, layers)
    X, y = _data(net, X, y)
    rng = check_rng(rng)
    return np.array(
        _curve(net, X, y, key, values, layers=layers, criterion=criterion, scope=scope, rng=rng)
    )


def sensitivity_scan(
    net, X, y, sparsities=None, thresholds=None, layers=None, criterion="magnitude", rng=None
):
    """Accuracy when one layer alone is pruned, for each layer and each grid value.

    Row ``j`` is ``pruning_curve(net, X, y, ..., layers=[layers[j]])``: the other
    layers keep all their weights. A layer whose row stays flat to high sparsity
    can lose much; one whose row falls early is sensitive (Han et al. 2015).

    Parameters
    ----------
    net : Network
    X : (n, n_in) array; y : (n,) labels
    sparsities : (m,) floats in [0, 1), or
    thresholds : (m,) floats >= 0
        The grid; give exactly one.
    layers : list of int, optional
        The layers to scan (default: every layer but the output; pass
        ``list(range(len(net.layers)))`` to scan the output layer too).
    criterion, rng : as for ``prune``

    Returns
    -------
    accuracy : (len(layers), m) float64 array
    """
    key, values = _grid(sparsities, thresholds)
    layers = layer_indices(net, layers)
    X, y = _data(net, X, y)
    rng = check_rng(rng)
    rows = [
        _curve(net, X, y, key, values, layers=[i], criterion=criterion, rng=rng) for i in layers
    ]
    return np.array(rows).reshape(len(layers), values.size)


# ------------------------------------------------------------ cross-validation
def kfold_indices(y, k, rng=None):
    """Split ``range(len(y))`` into ``k`` stratified folds at random.

    The samples of each class are shuffled with ``rng`` and dealt to the folds in
    turn, so every fold holds each class within one sample of ``n_class / k`` and
    the fold sizes differ by at most one.

    Parameters
    ----------
    y : (n,) int labels
    k : int, 2 <= k <= n
    rng : numpy.random.Generator, int seed or None

    Returns
    -------
    folds : list of ``k`` sorted int64 index arrays that partition ``range(n)``
    """
    y = check_array(y, "y", ndim=1)
    k = check_positive_int(k, "k", minimum=2)
    if k > y.size:
        raise ValueError(f"k={k} folds need at least {k} samples, y has {y.size}")
    y = check_labels(y, "y", y.size)
    rng = check_rng(rng)
    order = np.concatenate([rng.permutation(np.flatnonzero(y == c)) for c in np.unique(y)])
    fold_of = np.empty(y.size, dtype=np.int64)
    fold_of[order] = rng.permutation(k)[np.arange(y.size) % k]
    return [np.flatnonzero(fold_of == f).astype(np.int64) for f in range(k)]


def _check_folds(folds, n):
    """``folds`` must be a list of int index arrays that partition ``range(n)``."""
    if isinstance(folds, np.ndarray) or not isinstance(folds, (list, tuple)):
        raise TypeError(f"folds must be a list of index arrays, got {type(folds).__name__}")
    if len(folds) < 2:
        raise ValueError(f"folds must hold at least 2 index arrays, got {len(folds)}")
    out = []
    for j, f in enumerate(folds):
        f = np.asarray(f)
        if f.ndim != 1 or f.size == 0 or not np.issubdtype(f.dtype, np.integer):
            raise ValueError(f"folds[{j}] must be a non-empty 1-D array of int indices, got {f!r}")
        out.append(f.astype(np.int64))
    everything = np.sort(np.concatenate(out))
    if not np.array_equal(everything, np.arange(n)):
        raise ValueError(
            f"folds must partition range({n}): every sample in exactly one fold "
            f"(they hold {everything.size} indices, {np.unique(everything).size} distinct)"
        )
    return out


def cross_val_accuracy(
    train_fn,
    X,
    y,
    folds,
    sparsities=None,
    thresholds=None,
    layers=None,
    criterion="magnitude",
    scope="layer",
):
    """k-fold cross-validation of a pruning grid, retraining on every fold.

    For each fold ``j``: ``net = train_fn(X[rest], y[rest])`` on the other folds,
    then the accuracy on fold ``j`` of ``net`` dense and of ``net`` pruned at each
    grid value. Every sample is held out exactly once, so all of ``X`` serves both
    to train and to judge, never both in the same fold.

    Parameters
    ----------
    train_fn : callable ``(X_train, y_train) -> Network``
        Builds and trains a fresh network (seeded, so that it is reproducible).
    X : (n, n_in) array; y : (n,) labels
        The data to cross-validate on: training and validation data, not the test set.
    folds : list of index arrays that partition ``range(n)`` (``kfold_indices``)
    sparsities : (m,) floats in [0, 1), or
    thresholds : (m,) floats >= 0
        The grid; give exactly one.
    layers, criterion, scope : as for ``prune``

    Returns
    -------
    base : (k,) float64 array
        Accuracy of each fold's dense network on its held-out fold.
    accuracy : (k, m) float64 array
        ``accuracy[j, i]``: fold ``j``'s network pruned at grid value ``i``, on fold ``j``.
    """
    if not callable(train_fn):
        raise TypeError(
            f"train_fn must be a function (X_train, y_train) -> Network, got {train_fn!r}"
        )
    key, values = _grid(sparsities, thresholds)
    X = check_array(X, "X", ndim=2)
    y = check_labels(y, "y", X.shape[0])
    folds = _check_folds(folds, X.shape[0])
    base, accuracy = [], []
    for fold in folds:
        rest = np.setdiff1d(np.arange(X.shape[0]), fold)
        net = train_fn(X[rest], y[rest])
        base.append(net.accuracy(X[fold], y[fold]))
        accuracy.append(
            _curve(
                net, X[fold], y[fold], key, values, layers=layers, criterion=criterion, scope=scope
            )
        )
    return np.array(base), np.array(accuracy).reshape(len(folds), values.size)


# ---------------------------------------------------------------- selection
def largest_within(values, accuracy, base, tolerance):
    """The largest grid value whose accuracy drop stays within ``tolerance``.

    The drop at value ``i`` is ``base - accuracy[..., i]``, averaged over the folds
    when ``accuracy`` is 2-D. Walking up the grid, the first value whose drop
    exceeds ``tolerance + SLACK`` ends the walk: the answer is the value before it.
    A single lucky value past a failure is not taken, since the drop must *stay*
    within the tolerance up to the chosen value.

    Parameters
    ----------
    values : (m,) strictly increasing floats (sparsities or thresholds)
    accuracy : (m,) or (k, m) accuracies, from ``pruning_curve`` or ``cross_val_accuracy``
    base : float, or (k,) array with 2-D ``accuracy``: the dense accuracies
    tolerance : float >= 0, the largest acceptable drop (``0.01`` = one point)

    Returns
    -------
    float, or None when already the first value drops by more than ``tolerance``
    """
    values = check_array(values, "values", ndim=1, dtype=np.float64)
    accuracy = check_array(accuracy, "accuracy", dtype=np.float64)
    tolerance = check_nonnegative(tolerance, "tolerance")
    if values.size == 0:
        raise ValueError("values must hold at least one value, got an empty array")
    if np.any(np.diff(values) <= 0):
        raise ValueError("values must be strictly increasing")
    if accuracy.ndim not in (1, 2) or accuracy.shape[-1] != values.size:
        raise ValueError(
            f"accuracy must have shape ({values.size},) or (k, {values.size}) like values, "
            f"got {accuracy.shape}"
        )
    base = check_array(base, "base", dtype=np.float64)
    expected = () if accuracy.ndim == 1 else (accuracy.shape[0],)
    if base.shape != expected:
        raise ValueError(
            f"base must have shape {expected} for accuracy of shape {accuracy.shape}, got {base.shape}"
        )
    drop = base[..., None] - accuracy
    if drop.ndim == 2:
        drop = drop.mean(axis=0)
    failed = np.flatnonzero(drop > tolerance + SLACK)
    stop = failed[0] if failed.size else values.size
    return None if stop == 0 else float(values[stop - 1])
