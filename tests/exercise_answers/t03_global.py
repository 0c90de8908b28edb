"""Answers to exercise t03_global: its known mistakes and correct alternatives."""

import numpy as np


def _split(flat, Ws):
    ends = np.cumsum([W.size for W in Ws])[:-1]
    return [part.reshape(W.shape) for part, W in zip(np.split(flat, ends), Ws)]


def _keep(scores, k):
    keep = np.ones(scores.size)
    keep[np.argsort(scores, kind="stable")[:k]] = 0
    return keep


def _all(Ws):
    return np.concatenate([np.abs(W).ravel() for W in Ws])


def one_mask(Ws, sparsity):
    flat = _all(Ws)
    return _keep(flat, round(sparsity * flat.size))


def inverted(Ws, sparsity):
    return [1 - m for m in _split(one_mask(Ws, sparsity), Ws)]


def as_layerwise(Ws, sparsity):
    return [_keep(np.abs(W).ravel(), round(sparsity * W.size)).reshape(W.shape) for W in Ws]


def signed(Ws, sparsity):
    flat = np.concatenate([W.ravel() for W in Ws])
    return _split(_keep(flat, round(sparsity * flat.size)), Ws)


def unstable(Ws, sparsity):
    flat = _all(Ws)
    keep = np.ones(flat.size)
    keep[np.argsort(-flat, kind="stable")[::-1][: round(sparsity * flat.size)]] = 0
    return _split(keep, Ws)


def floor(Ws, sparsity):
    flat = _all(Ws)
    return _split(_keep(flat, int(sparsity * flat.size)), Ws)


def booleans_lexsort(Ws, sparsity):
    flat = _all(Ws)
    order = np.lexsort((np.arange(flat.size), flat))
    keep = np.ones(flat.size, dtype=bool)
    keep[order[: round(sparsity * flat.size)]] = False
    return _split(keep, Ws)


def python_sorted(Ws, sparsity):
    items = [(abs(float(w)), j, i) for j, W in enumerate(Ws) for i, w in enumerate(W.ravel())]
    masks = [np.ones(W.size) for W in Ws]
    for _, j, i in sorted(items)[: round(sparsity * len(items))]:
        masks[j][i] = 0
    return [m.reshape(W.shape) for m, W in zip(masks, Ws)]


def own_dtype(Ws, sparsity):
    keep = one_mask(Ws, sparsity)
    return [m.astype(W.dtype) for m, W in zip(_split(keep, Ws), Ws)]


MISTAKES = {
    "one_mask": one_mask,
    "inverted": inverted,
    "as_layerwise": as_layerwise,
    "signed": signed,
    "unstable": unstable,
    "floor": floor,
}
ALTERNATIVES = {
    "booleans_lexsort": booleans_lexsort,
    "python_sorted": python_sorted,
    "own_dtype": own_dtype,
}
