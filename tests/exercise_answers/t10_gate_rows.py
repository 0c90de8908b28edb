"""Answers to exercise t10_gate_rows: its known mistakes and correct alternatives."""

import numpy as np
import torch

GATES = {"lstm": 4, "gru": 3}


def _keep(keep):
    return torch.as_tensor(keep, dtype=torch.long).reshape(-1)


# ------------------------------------------------------------------ mistakes
def one_row_per_unit(keep, hidden, cell):
    return _keep(keep)


def unit_major(keep, hidden, cell):
    keep = _keep(keep)
    return torch.stack([g * hidden + keep for g in range(GATES[cell])], dim=1).reshape(-1)


def sorted_keep(keep, hidden, cell):
    keep = torch.sort(_keep(keep)).values
    return torch.cat([g * hidden + keep for g in range(GATES[cell])])


def always_lstm(keep, hidden, cell):
    return torch.cat([g * hidden + _keep(keep) for g in range(4)])


def offset_by_kept(keep, hidden, cell):
    keep = _keep(keep)
    return torch.cat([g * len(keep) + keep for g in range(GATES[cell])])


# --------------------------------------------------------------- alternatives
def python_list(keep, hidden, cell):
    return [g * hidden + int(k) for g in range(GATES[cell]) for k in keep]


def numpy_broadcast(keep, hidden, cell):
    blocks = np.arange(GATES[cell])[:, None] * hidden
    return (blocks + np.asarray(keep, dtype=np.int64).reshape(-1)[None, :]).ravel()


def int32_tensor(keep, hidden, cell):
    keep = torch.as_tensor(np.asarray(keep), dtype=torch.int32)
    return torch.cat([g * hidden + keep for g in range(GATES[cell])])


MISTAKES = {
    "one_row_per_unit": one_row_per_unit,
    "unit_major": unit_major,
    "sorted_keep": sorted_keep,
    "always_lstm": always_lstm,
    "offset_by_kept": offset_by_kept,
}
ALTERNATIVES = {
    "python_list": python_list,
    "numpy_broadcast": numpy_broadcast,
    "int32_tensor": int32_tensor,
}
