"""Answers to exercise t13_select_n_m: its known mistakes and correct alternatives."""

import numpy as np
import torch


def _top(groups, n, later=False):
    m = groups.shape[1]
    if later:
        order = m - 1 - np.argsort(-groups[:, ::-1], axis=1, kind="stable")[:, :n]
    else:
        order = np.argsort(-groups, axis=1, kind="stable")[:, :n]
    mask = np.zeros(groups.shape)
    np.put_along_axis(mask, order, 1.0, axis=1)
    return mask


def _grouped(S, n, m, **kw):
    return _top(np.asarray(S).reshape(-1, m), n, **kw).reshape(np.shape(S))


def inverted(scores, n=2, m=4):
    return 1 - _grouped(scores, n, m)


def drops_n(scores, n=2, m=4):
    return _grouped(scores, m - n, m)


def absolute(scores, n=2, m=4):
    return _grouped(np.abs(scores), n, m)


def columns(scores, n=2, m=4):
    return _grouped(np.asarray(scores).T.copy(), n, m).T


def strided(scores, n=2, m=4):
    rows, d = scores.shape
    groups = scores.reshape(rows, m, d // m).transpose(0, 2, 1).reshape(-1, m)
    return _top(groups, n).reshape(rows, d // m, m).transpose(0, 2, 1).reshape(scores.shape)


def per_row(scores, n=2, m=4):
    return _top(np.asarray(scores), n * scores.shape[1] // m)


def later_on_ties(scores, n=2, m=4):
    return _grouped(scores, n, m, later=True)


def in_torch(scores, n=2, m=4):
    """A torch tensor, built with a stable descending sort and scatter_."""
    groups = torch.as_tensor(scores).reshape(-1, m)
    order = torch.sort(groups, dim=1, descending=True, stable=True).indices[:, :n]
    return torch.zeros_like(groups).scatter_(1, order, 1.0).reshape(scores.shape)


def rank_by_count(scores, n=2, m=4):
    """Kept when fewer than n entries of its group beat it (higher, or equal and earlier)."""
    g = np.asarray(scores, dtype=np.float64).reshape(-1, m)
    higher = g[:, None, :] > g[:, :, None]
    earlier = np.tril(np.ones((m, m), dtype=bool), k=-1)
    beaten = (higher | ((g[:, None, :] == g[:, :, None]) & earlier)).sum(axis=2)
    return (beaten < n).reshape(np.shape(scores))


MISTAKES = {
    "inverted": inverted,
    "drops_n": drops_n,
    "absolute": absolute,
    "columns": columns,
    "strided": strided,
    "per_row": per_row,
    "later_on_ties": later_on_ties,
}
ALTERNATIVES = {"in_torch": in_torch, "rank_by_count": rank_by_count}
