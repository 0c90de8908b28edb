"""Answers to exercise t13_wanda: its known mistakes and correct alternatives."""

import numpy as np
import torch


def _drop(S, sparsity, later=False):
    k = round(sparsity * S.shape[1])
    mask = np.ones_like(S, dtype=np.float64)
    for i, row in enumerate(S):
        order = np.argsort(row[::-1], kind="stable") if later else np.argsort(row, kind="stable")
        if later:
            order = len(row) - 1 - order
        mask[i, order[:k]] = 0
    return mask


def _norm(X):
    return np.sqrt((np.asarray(X) ** 2).sum(axis=0))


def magnitude(W, X, sparsity):
    return _drop(np.abs(W), sparsity)


def squared_norm(W, X, sparsity):
    return _drop(np.abs(W) * _norm(X) ** 2, sparsity)


def l1_norm(W, X, sparsity):
    return _drop(np.abs(W) * np.abs(X).sum(axis=0), sparsity)


def signed(W, X, sparsity):
    return _drop(W * _norm(X), sparsity)


def per_layer(W, X, sparsity):
    S = np.abs(W) * _norm(X)
    mask = np.ones(S.size)
    mask[np.argsort(S.ravel(), kind="stable")[: round(sparsity * S.size)]] = 0
    return mask.reshape(S.shape)


def per_column(W, X, sparsity):
    return _drop((np.abs(W) * _norm(X)).T, sparsity).T


def inverted(W, X, sparsity):
    return 1 - _drop(np.abs(W) * _norm(X), sparsity)


def later_on_ties(W, X, sparsity):
    return _drop(np.abs(W) * _norm(X), sparsity, later=True)


def boolean(W, X, sparsity):
    """A boolean mask (True = kept), built with np.linalg.norm and np.put_along_axis."""
    S = np.abs(W) * np.linalg.norm(X, axis=0)
    k = round(sparsity * W.shape[1])
    keep = np.ones(S.shape, dtype=bool)
    np.put_along_axis(keep, np.argsort(S, axis=1, kind="stable")[:, :k], False, axis=1)
    return keep


def in_torch(W, X, sparsity):
    """Torch all the way, returning a tensor."""
    W, X = torch.as_tensor(W), torch.as_tensor(X)
    S = W.abs() * X.norm(dim=0)
    k = round(sparsity * W.shape[1])
    order = torch.sort(S, dim=1, stable=True).indices[:, :k]
    return torch.ones_like(S).scatter_(1, order, 0.0)


MISTAKES = {
    "magnitude": magnitude,
    "squared_norm": squared_norm,
    "l1_norm": l1_norm,
    "signed": signed,
    "per_layer": per_layer,
    "per_column": per_column,
    "inverted": inverted,
    "later_on_ties": later_on_ties,
}
ALTERNATIVES = {"boolean": boolean, "in_torch": in_torch}
