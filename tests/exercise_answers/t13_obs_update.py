"""Answers to exercise t13_obs_update: its known mistakes and correct alternatives."""

import numpy as np
import torch


def _solve(W, X, j, damp, scaled=True, whole=False, earlier=False, divide=True, sign=-1.0):
    W = np.asarray(W, dtype=np.float64)
    H = 2 * X.T @ X
    H = H + (damp * np.mean(np.diag(H)) if scaled else damp) * np.eye(len(H))
    if whole or earlier:
        Hinv = np.linalg.inv(H)
        row = Hinv[j] if earlier else Hinv[j, j:]
        pivot = Hinv[j, j]
    else:
        row = np.linalg.inv(H[j:, j:])[0]
        pivot = row[0]
    out = W.copy()
    cols = slice(None) if earlier else slice(j, None)
    out[:, cols] += sign * W[:, j, None] * (row / pivot if divide else row)[None, :]
    return out


def no_damping(W, X, j, damp=0.01):
    return _solve(W, X, j, 0.0)


def damp_not_scaled(W, X, j, damp=0.01):
    return _solve(W, X, j, damp, scaled=False)


def whole_inverse(W, X, j, damp=0.01):
    return _solve(W, X, j, damp, whole=True)


def updates_earlier(W, X, j, damp=0.01):
    return _solve(W, X, j, damp, earlier=True)


def row_not_column(W, X, j, damp=0.01):
    out = np.array(W, dtype=np.float64)
    out[j % out.shape[0], :] = 0
    return out


def no_division(W, X, j, damp=0.01):
    return _solve(W, X, j, damp, divide=False)


def plus_sign(W, X, j, damp=0.01):
    return _solve(W, X, j, damp, sign=1.0)


def least_squares(W, X, j, damp=0.01):
    """The closed form of each row: the later weights solve H_RR delta_R = H_Rj w_j."""
    H = 2 * X.T @ X
    H = H + damp * np.mean(np.diag(H)) * np.eye(len(H))
    out = np.array(W, dtype=np.float64)
    R = slice(j + 1, None)
    if j + 1 < W.shape[1]:
        out[:, R] += np.linalg.solve(H[R, R], H[R, j : j + 1] @ W[:, j : j + 1].T).T
    out[:, j] = 0
    return out


def cholesky_in_torch(W, X, j, damp=0.01):
    """As SparseGPT's code: the upper Cholesky factor of the inverse Hessian, in torch."""
    W, X = torch.as_tensor(W), torch.as_tensor(X)
    H = 2 * X.T @ X
    H = H + damp * H.diagonal().mean() * torch.eye(len(H), dtype=H.dtype)
    U = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(H)), upper=True)
    out = W.clone()
    out[:, j:] -= (W[:, j] / U[j, j])[:, None] * U[j, j:][None, :]
    out[:, j] = 0
    return out


def loops(W, X, j, damp=0.01):
    """Row by row, with the pieces named."""
    W = np.asarray(W, dtype=np.float64)
    H = 2.0 * X.T @ X
    lam = damp * np.trace(H) / H.shape[0]
    Hinv_F = np.linalg.inv(H[j:, j:] + lam * np.eye(H.shape[0] - j))
    out = W.copy()
    for i in range(W.shape[0]):
        out[i, j:] = W[i, j:] - W[i, j] / Hinv_F[0, 0] * Hinv_F[0, :]
    return out


MISTAKES = {
    "no_damping": no_damping,
    "damp_not_scaled": damp_not_scaled,
    "whole_inverse": whole_inverse,
    "updates_earlier": updates_earlier,
    "row_not_column": row_not_column,
    "no_division": no_division,
    "plus_sign": plus_sign,
}
ALTERNATIVES = {
    "loops": loops,
    "least_squares": least_squares,
    "cholesky_in_torch": cholesky_in_torch,
}
