"""Answers to exercise t03_layerwise: its known mistakes and correct alternatives."""

import numpy as np


def _keep(scores, k, kind="stable"):
    keep = np.ones(scores.size)
    keep[np.argsort(scores, kind=kind)[:k]] = 0
    return keep


def master_masks(Ws, sparsity):
    return [_keep(np.abs(W).ravel(), round(sparsity * W.size)).reshape(W.shape) for W in Ws]


def one_mask(Ws, sparsity):
    return master_masks(Ws, sparsity)[0]


def inverted(Ws, sparsity):
    return [1 - m for m in master_masks(Ws, sparsity)]


def as_global(Ws, sparsity):
    flat = np.concatenate([np.abs(W).ravel() for W in Ws])
    keep = _keep(flat, round(sparsity * flat.size))
    ends = np.cumsum([W.size for W in Ws])[:-1]
    return [part.reshape(W.shape) for part, W in zip(np.split(keep, ends), Ws)]


def signed(Ws, sparsity):
    return [_keep(W.ravel(), round(sparsity * W.size)).reshape(W.shape) for W in Ws]


def unstable(Ws, sparsity):
    out = []
    for W in Ws:
        flat = np.abs(W).ravel()
        keep = np.ones(flat.size)
        keep[np.argsort(-flat, kind="stable")[::-1][: round(sparsity * flat.size)]] = 0
        out.append(keep.reshape(W.shape))
    return out


def floor(Ws, sparsity):
    return [_keep(np.abs(W).ravel(), int(sparsity * W.size)).reshape(W.shape) for W in Ws]


def quantile(Ws, sparsity):
    return [(np.abs(W) > np.quantile(np.abs(W), sparsity)).astype(float) for W in Ws]


def booleans_lexsort(Ws, sparsity):
    masks = []
    for W in Ws:
        flat = np.abs(W).ravel()
        order = np.lexsort((np.arange(flat.size), flat))  # by |w|, then by index
        keep = np.ones(flat.size, dtype=bool)
        keep[order[: round(sparsity * flat.size)]] = False
        masks.append(keep.reshape(W.shape))
    return masks


def python_sorted(Ws, sparsity):
    masks = []
    for W in Ws:
        flat = [abs(float(w)) for w in W.ravel()]
        order = sorted(range(len(flat)), key=lambda i: flat[i])  # sorted() is stable
        mask = np.ones(len(flat))
        for i in order[: int(np.round(sparsity * len(flat)))]:
            mask[i] = 0
        masks.append(mask.reshape(W.shape))
    return masks


def float32_mergesort(Ws, sparsity):
    out = []
    for W in Ws:
        flat = np.abs(W).ravel()
        keep = np.ones(flat.size, dtype=np.float32)
        keep[np.argsort(flat, kind="mergesort")[: round(sparsity * flat.size)]] = 0
        out.append(keep.reshape(W.shape))
    return out


MISTAKES = {
    "one_mask": one_mask,
    "inverted": inverted,
    "as_global": as_global,
    "signed": signed,
    "unstable": unstable,
    "floor": floor,
    "quantile": quantile,
}
ALTERNATIVES = {
    "booleans_lexsort": booleans_lexsort,
    "python_sorted": python_sorted,
    "float32_mergesort": float32_mergesort,
}
