"""Checks of exercises 10 (pruning RNNs): mistakes get their hints, not the answer."""

import pytest
import torch
from topic_checks import hint, master, run
from torch import nn

from minprune.torchkit import rnn
from minprune_course import checks_10 as c

M = master("10")
OWN_WORK = "switched off while"


def rows_first_block(keep, hidden, cell):
    return torch.as_tensor(keep, dtype=torch.long)


def rows_interleaved(keep, hidden, cell):
    keep = torch.as_tensor(keep, dtype=torch.long)
    blocks = [g * hidden + keep for g in range(M.GATES[cell])]
    return torch.stack(blocks, dim=1).reshape(-1)


def rows_lstm_always(keep, hidden, cell):
    return M.gate_rows(keep, hidden, "lstm")


def _gates(rnn_module):
    return M.GATES["lstm"] if isinstance(rnn_module, nn.LSTM) else M.GATES["gru"]


def scores_rows_only(rnn_module, kind="l1"):
    H, G = rnn_module.hidden_size, _gates(rnn_module)
    f = torch.abs if kind == "l1" else torch.square
    w_ih, w_hh = f(rnn_module.weight_ih_l0.detach()), f(rnn_module.weight_hh_l0.detach())
    total = w_ih.reshape(G, H, -1).sum(dim=(0, 2)) + w_hh.reshape(G, H, H).sum(dim=(0, 2))
    return total if kind == "l1" else total.sqrt()


def scores_diagonal_twice(rnn_module, kind="l1"):
    H, G = rnn_module.hidden_size, _gates(rnn_module)
    f = torch.abs if kind == "l1" else torch.square
    w_ih, w_hh = f(rnn_module.weight_ih_l0.detach()), f(rnn_module.weight_hh_l0.detach())
    total = w_ih.reshape(G, H, -1).sum(dim=(0, 2)) + w_hh.reshape(G, H, H).sum(dim=(0, 2))
    total = total + w_hh.sum(dim=0)
    return total if kind == "l1" else total.sqrt()


def hh_first_columns(model, keep):
    small = M.shrink_rnn(model, keep)
    rows = M.gate_rows(keep, model.rnn.hidden_size, model.cell)
    with torch.no_grad():
        small.rnn.weight_hh_l0.copy_(model.rnn.weight_hh_l0[rows][:, : len(keep)])
    return small


def same_model(model, keep):
    return model


WRONG = [
    (c.check_gate_rows, rows_first_block, "each unit has a row in every gate block"),
    (c.check_gate_rows, rows_interleaved, "list the rows block by block"),
    (c.check_gate_rows, rows_lstm_always, "an LSTM has 4 gate blocks, a GRU 3"),
    (c.check_unit_scores, scores_rows_only, "also count unit j's column of weight_hh_l0"),
    (c.check_unit_scores, scores_diagonal_twice, "count them once"),
    # with keep out of order the outputs are compared first
    (
        c.check_shrink_rnn,
        hh_first_columns,
        ("weight_hh_l0 holds the wrong weights", "take the kept units in the same order"),
    ),
    (c.check_shrink_rnn, same_model, "returned the model it was given; build a new one"),
]


@pytest.mark.parametrize(
    ("check", "answer", "text"),
    [pytest.param(*w, id=f"{w[0].__name__}-{w[1].__name__}") for w in WRONG],
)
def test_a_wrong_answer_gets_its_hint(check, answer, text):
    """A usual mistake fails, on the hidden battery, with the hint that names it."""
    texts = text if isinstance(text, tuple) else (text,)
    with pytest.raises(AssertionError, match="|".join(hint(t) for t in texts)):
        run(check, answer, hidden=True)


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (c.check_gate_rows, lambda keep, hidden, cell: rnn.gate_rows(keep, hidden, cell)),
        (c.check_unit_scores, lambda module, kind="l1": rnn.unit_scores(module, kind)),
    ],
    ids=["gate_rows", "unit_scores"],
)
def test_calling_minprune_is_switched_off(check, answer):
    """An answer that calls minprune.torchkit.rnn fails and is told why."""
    with pytest.raises(AssertionError, match=OWN_WORK):
        run(check, answer)


def test_a_wrong_row_list_does_not_show_the_right_one():
    """Rows off by one fail without the hint listing the expected rows."""
    right = []

    def wrong(keep, hidden, cell):
        right.append(M.gate_rows(keep, hidden, cell))
        return right[-1] + 1

    with pytest.raises(AssertionError) as info:
        run(c.check_gate_rows, wrong)
    message = str(info.value)
    assert str(right[-1].tolist()) not in message and repr(right[-1]) not in message
