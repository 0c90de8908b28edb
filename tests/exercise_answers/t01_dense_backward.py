"""Answers to exercise t01_dense_backward: its known mistakes and correct alternatives."""

import numpy as np


def db_mean(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)


def dW_over_n(dZ, X, W):
    return dZ @ W.T, X.T @ dZ / len(X), dZ.sum(axis=0)


def db_keepdims(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)


def dW_transposed(dZ, X, W):
    return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)


def dX_missing(dZ, X, W):
    return X.T @ dZ, dZ.sum(axis=0)


def float64_grads(dZ, X, W):
    dZ, X, W = (a.astype(np.float64) for a in (dZ, X, W))
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def float64_inside(dZ, X, W):
    d, x, w = (a.astype(np.float64) for a in (dZ, X, W))
    return tuple(g.astype(W.dtype) for g in (d @ w.T, x.T @ d, d.sum(axis=0)))


def einsum(dZ, X, W):
    return (
        np.einsum("nj,ij->ni", dZ, W),
        np.einsum("ni,nj->ij", X, dZ),
        np.einsum("nj->j", dZ),
    )


def loops(dZ, X, W):
    n, n_in = X.shape
    dX, dW, db = np.zeros_like(X), np.zeros_like(W), np.zeros(W.shape[1], dtype=W.dtype)
    for s in range(n):
        dX[s] = W @ dZ[s]
        dW += np.outer(X[s], dZ[s])
        db += dZ[s]
    return dX, dW, db


def as_list(dZ, X, W):
    return [dZ @ W.T, X.T @ dZ, np.sum(dZ, axis=0)]


MISTAKES = {
    "db_mean": db_mean,
    "dW_over_n": dW_over_n,
    "db_keepdims": db_keepdims,
    "dW_transposed": dW_transposed,
    "dX_missing": dX_missing,
    "float64_grads": float64_grads,
}
ALTERNATIVES = {
    "float64_inside": float64_inside,
    "einsum": einsum,
    "loops": loops,
    "as_list": as_list,
}
