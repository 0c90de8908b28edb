"""Answers to exercise t10_shrink_rnn: its known mistakes and correct alternatives."""

import copy

import torch

from minprune.torchkit.rnn import DigitsRNN

GATES = {"lstm": 4, "gru": 3}


def _rows(keep, hidden, cell):
    return torch.cat([g * hidden + keep for g in range(GATES[cell])])


def _shrink(model, keep, rows=_rows, hh_columns=None, fc_columns=None, biases=True):
    keep = torch.as_tensor(keep, dtype=torch.long).reshape(-1)
    old = model.rnn
    r = rows(keep, old.hidden_size, model.cell)
    small = DigitsRNN(model.cell, hidden=len(keep), num_classes=model.fc.out_features,
                      input_size=old.input_size)  # fmt: skip
    hh_cols = keep if hh_columns is None else hh_columns(keep)
    fc_cols = keep if fc_columns is None else fc_columns(keep)
    with torch.no_grad():
        small.rnn.weight_ih_l0.copy_(old.weight_ih_l0[r])
        small.rnn.weight_hh_l0.copy_(old.weight_hh_l0[r][:, hh_cols])
        if biases:
            small.rnn.bias_ih_l0.copy_(old.bias_ih_l0[r])
            small.rnn.bias_hh_l0.copy_(old.bias_hh_l0[r])
        small.fc.weight.copy_(model.fc.weight[:, fc_cols])
        small.fc.bias.copy_(model.fc.bias)
    return small


# ------------------------------------------------------------------ mistakes
def sorted_keep(model, keep):
    return _shrink(model, sorted(int(k) for k in keep))


def hh_first_columns(model, keep):
    return _shrink(model, keep, hh_columns=lambda k: torch.arange(len(k)))


def fc_first_columns(model, keep):
    return _shrink(model, keep, fc_columns=lambda k: torch.arange(len(k)))


def unit_major_rows(model, keep):
    def rows(keep, hidden, cell):
        blocks = [g * hidden + keep for g in range(GATES[cell])]
        return torch.stack(blocks, dim=1).reshape(-1)

    return _shrink(model, keep, rows=rows)


def biases_not_copied(model, keep):
    return _shrink(model, keep, biases=False)


def returns_given(model, keep):
    return model


def shrinks_in_place(model, keep):
    small = _shrink(model, keep)
    model.rnn, model.fc = small.rnn, small.fc
    return model


# --------------------------------------------------------------- alternatives
def load_state_dict(model, keep):
    """Slices the state_dict and loads it into a new model."""
    keep = torch.as_tensor(keep).long().reshape(-1)
    H = model.rnn.hidden_size
    rows = _rows(keep, H, model.cell)
    state = {}
    for name, value in model.state_dict().items():
        if name.startswith("rnn."):
            value = value[rows]
            if "weight_hh" in name:
                value = value[:, keep]
        elif name == "fc.weight":
            value = value[:, keep]
        state[name] = value.clone()
    small = DigitsRNN(model.cell, hidden=len(keep), num_classes=model.fc.out_features,
                      input_size=model.rnn.input_size)  # fmt: skip
    small.load_state_dict(state)
    return small


def deepcopy_and_replace(model, keep):
    """Copies the model and swaps in a smaller recurrent layer and classifier."""
    keep = [int(k) for k in keep]
    small = copy.deepcopy(model)
    new = _shrink(model, keep)
    small.rnn, small.fc = new.rnn, new.fc
    return small


def perturbed(answer):
    """``answer`` with every parameter of the model it returns moved a little (the generic
    nudge reaches only modules defined in torch itself, and a DigitsRNN is minprune's)."""

    def nudged(model, keep):
        small = answer(model, keep)
        with torch.no_grad():
            for p in small.parameters():
                p.add_(1e-3 * (1 + p.abs()))
        return small

    return nudged


MISTAKES = {
    "sorted_keep": sorted_keep,
    "hh_first_columns": hh_first_columns,
    "fc_first_columns": fc_first_columns,
    "unit_major_rows": unit_major_rows,
    "biases_not_copied": biases_not_copied,
    "returns_given": returns_given,
    "shrinks_in_place": shrinks_in_place,
}
ALTERNATIVES = {"load_state_dict": load_state_dict, "deepcopy_and_replace": deepcopy_and_replace}
