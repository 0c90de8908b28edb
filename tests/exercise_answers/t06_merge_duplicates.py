"""Answers to exercise t06_merge_duplicates: its known mistakes and correct alternatives."""

import numpy as np


def _columns(W, b):
    return np.vstack([W, b[None, :]]).astype(np.float64)


def _owners(C, close):
    n = C.shape[1]
    owner = np.full(n, -1)
    for j in range(n):
        if owner[j] >= 0:
            continue
        owner[j] = j
        owner[(owner < 0) & close(np.abs(C - C[:, [j]]).max(axis=0))] = j
    return owner


def _merge(W, b, W_next, b_next, owner, rows="sum"):
    n = W.shape[1]
    keep = np.flatnonzero(owner == np.arange(n))
    summed = np.zeros(W_next.shape)
    np.add.at(summed, owner, W_next)
    if rows == "mean":
        summed /= np.bincount(owner, minlength=n)[:, None].clip(1)
    if rows == "dropped":
        summed = W_next
    return W[:, keep], b[keep], summed[keep].astype(W.dtype), b_next.copy()


def right(W, b, W_next, b_next, tol):
    return _merge(W, b, W_next, b_next, _owners(_columns(W, b), lambda gap: gap <= tol))


def last_neuron(W, b, W_next, b_next, tol):
    """The reviewer's answer: each candidate compared with the neuron added last."""
    C = _columns(W, b)
    n = W.shape[1]
    owner = np.full(n, -1)
    for j in range(n):
        if owner[j] >= 0:
            continue
        owner[j] = last = j
        for i in range(j + 1, n):
            if owner[i] < 0 and np.abs(C[:, i] - C[:, last]).max() <= tol:
                owner[i] = j
                last = i
    return _merge(W, b, W_next, b_next, owner)


def chained(W, b, W_next, b_next, tol):
    C = _columns(W, b)
    n = W.shape[1]
    owner = np.full(n, -1)
    for j in range(n):
        if owner[j] >= 0:
            continue
        owner[j] = j
        frontier = [j]
        while frontier:
            i = frontier.pop()
            new = np.flatnonzero((owner < 0) & (np.abs(C - C[:, [i]]).max(axis=0) <= tol))
            owner[new] = j
            frontier += list(new)
    return _merge(W, b, W_next, b_next, owner)


def ignores_bias(W, b, W_next, b_next, tol):
    """The reviewer's other answer: the weights compared, the bias left out."""
    return _merge(W, b, W_next, b_next, _owners(W.astype(np.float64), lambda gap: gap <= tol))


def strict(W, b, W_next, b_next, tol):
    C = _columns(W, b)
    n = W.shape[1]
    owner = np.full(n, -1)
    for j in range(n):  # a learner's loop: a neuron is never compared with itself
        if owner[j] >= 0:
            continue
        owner[j] = j
        for i in range(j + 1, n):
            if owner[i] < 0 and np.abs(C[:, i] - C[:, j]).max() < tol:
                owner[i] = j
    return _merge(W, b, W_next, b_next, owner)


def rows_dropped(W, b, W_next, b_next, tol):
    owner = _owners(_columns(W, b), lambda gap: gap <= tol)
    return _merge(W, b, W_next, b_next, owner, rows="dropped")


def averaged(W, b, W_next, b_next, tol):
    owner = _owners(_columns(W, b), lambda gap: gap <= tol)
    return _merge(W, b, W_next, b_next, owner, rows="mean")


def merges_nothing(W, b, W_next, b_next, tol):
    return W, b, W_next, b_next


def in_place(W, b, W_next, b_next, tol):
    """Adds the merged rows into the caller's W_next."""
    owner = _owners(_columns(W, b), lambda gap: gap <= tol)
    for i, j in enumerate(owner):
        if i != j:
            W_next[j] += W_next[i]
    keep = np.flatnonzero(owner == np.arange(W.shape[1]))
    return W[:, keep], b[keep], W_next[keep], b_next


def in_dtype(W, b, W_next, b_next, tol):
    """Columns compared in the weights' dtype, rows summed there; b_next returned as given."""
    n = W.shape[1]
    C = np.concatenate([W, b.reshape(1, -1)])
    group = {}
    for j in range(n):
        if j in group:
            continue
        group[j] = j
        for i in range(j + 1, n):
            if i not in group and np.max(np.abs(C[:, i] - C[:, j])) <= tol:
                group[i] = j
    keep = [j for j in range(n) if group[j] == j]
    rows = np.stack([sum(W_next[i] for i in range(n) if group[i] == j) for j in keep])
    return W[:, keep], b[keep], rows, b_next


MISTAKES = {
    "last_neuron": last_neuron,
    "chained": chained,
    "ignores_bias": ignores_bias,
    "strict": strict,
    "rows_dropped": rows_dropped,
    "averaged": averaged,
    "merges_nothing": merges_nothing,
    "in_place": in_place,
}
ALTERNATIVES = {"in_dtype": in_dtype}
