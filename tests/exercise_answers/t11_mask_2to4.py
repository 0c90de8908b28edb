"""Answers to exercise t11_mask_2to4: its known mistakes and correct alternatives."""

import numpy as np
import torch


def _keep(order, W):
    groups = W.abs().reshape(-1, 4)
    return torch.zeros_like(groups).scatter_(1, order, 1.0).reshape(W.shape)


def inverted(W):
    """Keeps the two smallest |w| (the old test's mask_smallest)."""
    order = torch.sort(W.abs().reshape(-1, 4), dim=1, stable=True).indices
    return _keep(order[:, :2], W)


def signed(W):
    order = torch.sort(W.reshape(-1, 4), dim=1, descending=True, stable=True).indices
    return _keep(order[:, :2], W)


def later_on_ties(W):
    order = torch.sort(W.abs().reshape(-1, 4), dim=1, stable=True).indices
    return _keep(order[:, 2:], W)


def columns(W):
    """Groups of 4 consecutive entries down the columns (of the transposed, flattened W)."""
    T = W.t().contiguous()
    order = torch.sort(T.abs().reshape(-1, 4), dim=1, descending=True, stable=True).indices
    mask = torch.zeros_like(T).reshape(-1, 4).scatter_(1, order[:, :2], 1.0)
    return mask.reshape(T.shape).t().contiguous()


def wrong_dtype(W):
    order = torch.sort(W.abs().reshape(-1, 4), dim=1, descending=True, stable=True).indices
    return _keep(order[:, :2], W).bool()


def numpy(W):
    A = np.abs(W.numpy()).reshape(-1, 4)
    order = np.argsort(-A, axis=1, kind="stable")[:, :2]
    mask = np.zeros_like(A)
    np.put_along_axis(mask, order, 1.0, axis=1)
    return mask.reshape(W.shape)


def loop(W):
    mask = torch.zeros_like(W)
    for i in range(W.shape[0]):
        for g in range(0, W.shape[1], 4):
            group = [abs(float(v)) for v in W[i, g : g + 4]]
            for j in sorted(range(4), key=lambda j: -group[j])[:2]:
                mask[i, g + j] = 1.0
    return mask


def rank_by_count(W):
    """An entry is kept when fewer than 2 entries of its group beat it (larger, or equal and
    earlier)."""
    a = W.abs().reshape(-1, 4).to(torch.float64)
    larger = a[:, None, :] > a[:, :, None]
    earlier = torch.tril(torch.ones(4, 4, dtype=torch.bool), diagonal=-1)  # [j, i]: i < j
    equal_earlier = (a[:, None, :] == a[:, :, None]) & earlier
    beaten = (larger | equal_earlier).sum(dim=2)
    return (beaten < 2).to(W.dtype).reshape(W.shape)


def float64_inside(W):
    A = W.detach().to(torch.float64).abs().reshape(-1, 4)
    order = torch.argsort(A, dim=1, descending=True, stable=True)[:, :2]
    mask = torch.zeros_like(A).scatter_(1, order, 1.0)
    return mask.reshape(W.shape).to(W.dtype)


MISTAKES = {
    "inverted": inverted,
    "signed": signed,
    "later_on_ties": later_on_ties,
    "columns": columns,
    "wrong_dtype": wrong_dtype,
    "numpy": numpy,
}
ALTERNATIVES = {"loop": loop, "rank_by_count": rank_by_count, "float64_inside": float64_inside}
