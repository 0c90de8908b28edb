"""Answers to exercise t10_unit_scores: its known mistakes and correct alternatives."""

import numpy as np
import torch
from torch import nn


def _sizes(rnn):
    return rnn.hidden_size, 4 if isinstance(rnn, nn.LSTM) else 3


def _parts(rnn, kind, dtype=None):
    """Per unit: its rows of W_ih, of W_hh, its column of W_hh and the shared entries."""
    H, G = _sizes(rnn)
    f = torch.abs if kind == "l1" else torch.square
    w_ih = rnn.weight_ih_l0.detach()
    w_hh = rnn.weight_hh_l0.detach()
    if dtype is not None:
        w_ih, w_hh = w_ih.to(dtype), w_hh.to(dtype)
    w_ih, w_hh = f(w_ih), f(w_hh)
    units = torch.arange(H)
    return (
        w_ih.reshape(G, H, -1).sum(dim=(0, 2)),
        w_hh.reshape(G, H, H).sum(dim=(0, 2)),
        w_hh.sum(dim=0),
        w_hh.reshape(G, H, H)[:, units, units].sum(dim=0),
    )


def _finish(total, kind):
    return total if kind == "l1" else torch.sqrt(total)


# ------------------------------------------------------------------ mistakes
def shared_twice(rnn, kind="l1"):
    ih, hh, column, _ = _parts(rnn, kind)
    return _finish(ih + hh + column, kind)


def rows_only(rnn, kind="l1"):
    ih, hh, _, _ = _parts(rnn, kind)
    return _finish(ih + hh, kind)


def with_biases(rnn, kind="l1"):
    H, G = _sizes(rnn)
    ih, hh, column, shared = _parts(rnn, kind)
    f = torch.abs if kind == "l1" else torch.square
    bias = sum(f(b.detach()).reshape(G, H).sum(0) for b in (rnn.bias_ih_l0, rnn.bias_hh_l0))
    return _finish(ih + hh + column - shared + bias, kind)


def first_block_only(rnn, kind="l1"):
    H, _ = _sizes(rnn)
    f = torch.abs if kind == "l1" else torch.square
    w_ih, w_hh = f(rnn.weight_ih_l0.detach()), f(rnn.weight_hh_l0.detach())
    total = w_ih[:H].sum(1) + w_hh[:H].sum(1) + w_hh.sum(0) - w_hh[:H, :H].diagonal()
    return _finish(total, kind)


def no_input_rows(rnn, kind="l1"):
    _, hh, column, shared = _parts(rnn, kind)
    return _finish(hh + column - shared, kind)


def l2_without_root(rnn, kind="l1"):
    ih, hh, column, shared = _parts(rnn, kind)
    return ih + hh + column - shared


def changes_rnn(rnn, kind="l1"):
    H, G = _sizes(rnn)
    w_ih, w_hh = rnn.weight_ih_l0.detach(), rnn.weight_hh_l0.detach()
    if kind == "l1":
        w_ih.abs_(), w_hh.abs_()
    else:
        w_ih.square_(), w_hh.square_()
    total = w_ih.reshape(G, H, -1).sum(dim=(0, 2)) + w_hh.reshape(G, H, H).sum(dim=(0, 2))
    units = torch.arange(H)
    total = total + w_hh.sum(0) - w_hh.reshape(G, H, H)[:, units, units].sum(0)
    return _finish(total, kind)


# --------------------------------------------------------------- alternatives
def float64_inside(rnn, kind="l1"):
    ih, hh, column, shared = _parts(rnn, kind, torch.float64)
    return _finish(ih + hh + column - shared, kind)


def loop_over_units(rnn, kind="l1"):
    """Gathers each unit's weights into one vector, shared entries once."""
    H, G = _sizes(rnn)
    w_ih, w_hh = rnn.weight_ih_l0.detach(), rnn.weight_hh_l0.detach()
    scores = []
    for j in range(H):
        rows = [g * H + j for g in range(G)]
        others = [r for r in range(G * H) if r not in rows]
        weights = torch.cat([w_ih[rows].reshape(-1), w_hh[rows].reshape(-1), w_hh[others, j]])
        scores.append(weights.abs().sum() if kind == "l1" else torch.linalg.vector_norm(weights))
    return torch.stack(scores)


def numpy_mask(rnn, kind="l1"):
    """A NumPy array: each unit's weights selected by a 0/1 mask over W_hh."""
    H, G = _sizes(rnn)
    w_ih = rnn.weight_ih_l0.detach().numpy()
    w_hh = rnn.weight_hh_l0.detach().numpy()
    f = np.abs if kind == "l1" else np.square
    out = np.empty(H)
    for j in range(H):
        owned = np.zeros_like(w_hh, dtype=bool)
        owned[j::H] = True  # unit j's rows of every block
        owned[:, j] = True  # and its column
        total = f(w_ih[j::H]).sum() + f(w_hh[owned]).sum()
        out[j] = total if kind == "l1" else np.sqrt(total)
    return out


MISTAKES = {
    "shared_twice": shared_twice,
    "rows_only": rows_only,
    "with_biases": with_biases,
    "first_block_only": first_block_only,
    "no_input_rows": no_input_rows,
    "l2_without_root": l2_without_root,
    "changes_rnn": changes_rnn,
}
ALTERNATIVES = {
    "float64_inside": float64_inside,
    "loop_over_units": loop_over_units,
    "numpy_mask": numpy_mask,
}
NOT_APPLICABLE = {
    "mutating": "the one argument that can change is the nn.LSTM/GRU, which the generic "
    "mutation does not reach (it changes arrays, tensors, lists and minprune networks); "
    "changing its weights in place is the declared mistake changes_rnn",
}
