"""Answers to exercise t04_folds: its known mistakes and correct alternatives."""

import numpy as np


def _deal(y, k, rng):
    order = np.concatenate([rng.permutation(np.flatnonzero(y == c)) for c in np.unique(y)])
    fold_of = np.empty(len(y), dtype=int)
    fold_of[order] = np.arange(len(y)) % k
    return [np.flatnonzero(fold_of == f) for f in range(k)]


def fixed_seed(y, k, rng):
    return _deal(y, k, np.random.default_rng(0))


def fresh_generator(y, k, rng):
    return _deal(y, k, np.random.default_rng())


def unstratified(y, k, rng):
    return np.array_split(rng.permutation(len(y)), k)


def restarts_per_class(y, k, rng):
    folds = [[] for _ in range(k)]
    for c in np.unique(y):
        for p, i in enumerate(rng.permutation(np.flatnonzero(y == c))):
            folds[p % k].append(int(i))
    return [np.array(f, dtype=int) for f in folds]


def missing_index(y, k, rng):
    folds = _deal(y, k, rng)
    return folds[:-1] + [folds[-1][:-1]]


def wrong_count(y, k, rng):
    return _deal(y, k, rng)[:-1]


def boolean_masks(y, k, rng):
    return [np.isin(np.arange(len(y)), f) for f in _deal(y, k, rng)]


def lists_unsorted(y, k, rng):
    folds = [[] for _ in range(k)]
    p = 0
    for c in sorted(set(y.tolist())):
        for i in rng.permutation(np.flatnonzero(y == c)):
            folds[p % k].append(int(i))
            p += 1
    return folds


def random_fold_order(y, k, rng):
    """As minprune does it: the folds are also dealt in a random order."""
    order = np.concatenate([rng.permutation(np.flatnonzero(y == c)) for c in np.unique(y)])
    fold_of = np.empty(len(y), dtype=np.int32)
    fold_of[order] = rng.permutation(k)[np.arange(len(y)) % k]
    return tuple(np.flatnonzero(fold_of == f).astype(np.int32) for f in range(k))


MISTAKES = {
    "fixed_seed": fixed_seed,
    "fresh_generator": fresh_generator,
    "unstratified": unstratified,
    "restarts_per_class": restarts_per_class,
    "missing_index": missing_index,
    "wrong_count": wrong_count,
    "boolean_masks": boolean_masks,
}
ALTERNATIVES = {"lists_unsorted": lists_unsorted, "random_fold_order": random_fold_order}
