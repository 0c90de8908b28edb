"""Answers to exercise t04_select: its known mistakes and correct alternatives."""

import numpy as np


def _drop(accuracy, base):
    return np.mean(base[:, None] - accuracy, axis=0)


def no_stay(thresholds, accuracy, base, tolerance):
    within = _drop(accuracy, base) <= tolerance + 1e-9
    return float(thresholds[within].max()) if within.any() else None


def no_slack(thresholds, accuracy, base, tolerance):
    chosen = None
    for t, d in zip(thresholds, _drop(accuracy, base), strict=True):
        if d > tolerance:
            break
        chosen = float(t)
    return chosen


def every_fold(thresholds, accuracy, base, tolerance):
    chosen = None
    for i, t in enumerate(thresholds):
        if np.any(base - accuracy[:, i] > tolerance + 1e-9):
            break
        chosen = float(t)
    return chosen


def first_failure(thresholds, accuracy, base, tolerance):
    chosen = None
    for t, d in zip(thresholds, _drop(accuracy, base), strict=True):
        chosen = float(t)
        if d > tolerance + 1e-9:
            break
    return chosen


def all_or_nothing(thresholds, accuracy, base, tolerance):
    if np.any(_drop(accuracy, base) > tolerance + 1e-9):
        return None
    return float(thresholds[-1])


def index(thresholds, accuracy, base, tolerance):
    chosen = None
    for i, d in enumerate(_drop(accuracy, base)):
        if d > tolerance + 1e-9:
            break
        chosen = i
    return chosen


def vectorised(thresholds, accuracy, base, tolerance):
    failed = np.flatnonzero(base.mean() - accuracy.mean(axis=0) > tolerance + 1e-9)
    stop = failed[0] if failed.size else len(thresholds)
    return thresholds[stop - 1] if stop else None


def loop_of_sums(thresholds, accuracy, base, tolerance):
    k, m = accuracy.shape
    chosen = None
    for i in range(m):
        drop = sum(float(base[j]) - float(accuracy[j, i]) for j in range(k)) / k
        if drop > tolerance + 1e-9:
            return chosen
        chosen = float(thresholds[i])
    return chosen


MISTAKES = {
    "no_stay": no_stay,
    "no_slack": no_slack,
    "every_fold": every_fold,
    "first_failure": first_failure,
    "all_or_nothing": all_or_nothing,
    "index": index,
}
ALTERNATIVES = {"vectorised": vectorised, "loop_of_sums": loop_of_sums}
