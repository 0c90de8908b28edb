"""Answers to exercise t04_cv: its known mistakes and correct alternatives."""

import numpy as np

import minprune as mp


def _cv(train_fn, X, y, folds, thresholds, train_rows, eval_base, fresh=True):
    base, accuracy = np.zeros(len(folds)), np.zeros((len(folds), len(thresholds)))
    for j, fold in enumerate(folds):
        rest = np.setdiff1d(np.arange(len(y)), fold)
        rows = train_rows(rest)
        net = train_fn(X[rows], y[rows])
        seen = eval_base(rest, fold)
        base[j] = net.accuracy(X[seen], y[seen])
        for i, t in enumerate(thresholds):
            model = net.copy() if fresh else net
            accuracy[j, i] = mp.prune(model, threshold=float(t)).accuracy(X[fold], y[fold])
    return base, accuracy


def trained_on_everything(train_fn, X, y, folds, thresholds):
    return _cv(train_fn, X, y, folds, thresholds, lambda rest: np.arange(len(y)), lambda r, f: f)


def pruned_in_place(train_fn, X, y, folds, thresholds):
    return _cv(train_fn, X, y, folds, thresholds, lambda rest: rest, lambda r, f: f, fresh=False)


def base_on_training_rows(train_fn, X, y, folds, thresholds):
    return _cv(train_fn, X, y, folds, thresholds, lambda rest: rest, lambda r, f: r)


def transposed(train_fn, X, y, folds, thresholds):
    base, accuracy = _cv(train_fn, X, y, folds, thresholds, lambda rest: rest, lambda r, f: f)
    return base, accuracy.T


def other_folds_joined(train_fn, X, y, folds, thresholds):
    """The training rows in fold order (train_fn does not mind the order), lists out."""
    base, accuracy = [], []
    for j, fold in enumerate(folds):
        rest = np.concatenate([f for i, f in enumerate(folds) if i != j])
        net = train_fn(X[rest], y[rest])
        base.append(net.accuracy(X[fold], y[fold]))
        accuracy.append(
            [
                mp.prune(net.copy(), threshold=float(t)).accuracy(X[fold], y[fold])
                for t in thresholds
            ]
        )
    return base, accuracy


def boolean_mask_float32(train_fn, X, y, folds, thresholds):
    base = np.zeros(len(folds), dtype=np.float32)
    accuracy = np.zeros((len(folds), len(thresholds)), dtype=np.float32)
    for j, fold in enumerate(folds):
        held = np.zeros(len(y), dtype=bool)
        held[fold] = True
        net = train_fn(X[~held], y[~held])
        base[j] = np.mean(net.predict(X[held]) == y[held])
        for i, t in enumerate(thresholds):
            pruned = mp.prune(net.copy(), threshold=float(t))
            accuracy[j, i] = np.mean(pruned.predict(X[held]) == y[held])
    return base, accuracy


def sorted_thresholds_one_copy(train_fn, X, y, folds, thresholds):
    """One copy per fold pruned up the sorted thresholds: a new mask multiplies into the
    old one, so each entry is what a fresh copy gives."""
    base, accuracy = np.zeros(len(folds)), np.zeros((len(folds), len(thresholds)))
    for j, fold in enumerate(folds):
        rest = np.setdiff1d(np.arange(len(y)), fold)
        net = train_fn(X[rest], y[rest])
        base[j] = net.accuracy(X[fold], y[fold])
        again = net.copy()
        for i in np.argsort(thresholds):
            accuracy[j, i] = mp.prune(again, threshold=float(thresholds[i])).accuracy(
                X[fold], y[fold]
            )
    return base, accuracy


MISTAKES = {
    "trained_on_everything": trained_on_everything,
    "pruned_in_place": pruned_in_place,
    "base_on_training_rows": base_on_training_rows,
    "transposed": transposed,
}
ALTERNATIVES = {
    "other_folds_joined": other_folds_joined,
    "boolean_mask_float32": boolean_mask_float32,
    "sorted_thresholds_one_copy": sorted_thresholds_one_copy,
}

# Each check trains a small network per fold, for the reference and for the answer
# (about 0.2 s for the hidden battery): 20 seeds keep the topic's share of
# tests/test_exercises.py near its budget. The first case of every draw is built to show
# every mistake, so fewer seeds test the same construction.
SEEDS = 20
