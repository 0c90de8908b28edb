"""Exercise 10.4, predict then check: ``prediction()``, what halving the hidden units keeps.

The learner predicts, before measuring, the fractions of ``weight_ih_l0``'s and of
``weight_hh_l0``'s entries that are left when ``shrink_rnn`` keeps half the hidden units of
a one-layer LSTM or GRU. The check measures the truth itself on models drawn from its seed
(hidden sizes even, so the truth is exactly ``(0.5, 0.25)`` on every draw, for both cell
types), with ``minprune.torchkit.rnn``, and when the prediction is wrong explains why with
the numbers it measured.
"""

import numpy as np

from minprune_course import checks

from . import _t10

GRADE_ID = "t10_predict_test"
ANSWER = "prediction"
SIGNATURE = "()"
REFERENCE = ()
TOLERANCE = 0.01
MATRICES = ("weight_ih_l0", "weight_hh_l0")
MISTAKES = {
    "not_a_pair": "return a tuple of two numbers, (fraction of weight_ih_l0 kept, fraction of "
    "weight_hh_l0 kept), each between 0 and 1",
    "percent": "return fractions between 0 and 1, not percentages: 30% is 0.3",
    "ih_columns_too": "weight_ih_l0's columns are the input features, and the input does not "
    "change: the matrix loses only the removed units' rows, one in every gate block, so it "
    "keeps the share of units kept",
    "ih_other": "weight_ih_l0 has one row per unit in each of the G gate blocks and one "
    "column per input feature: keeping half the units keeps half the rows of every block "
    "and every column",
    "hh_rows_only": "weight_hh_l0 loses columns as well as rows: column j is what every gate of "
    "every unit reads from h_j, so a removed unit takes its rows in every gate block and its "
    "column, and the matrix shrinks in both directions",
    "hh_other": "weight_hh_l0 has one row per unit in each of the G gate blocks and one column "
    "per unit's output h_j: keeping half the units keeps half the rows and half the columns, "
    "whatever G is",
}


def _within(difference):
    """True when ``difference`` is at most ``TOLERANCE`` (with room for float rounding:
    0.76 - 0.75 is a little more than 0.01 in binary)."""
    return abs(difference) <= TOLERANCE + 1e-9


def cases(rng, hidden):
    """``(model, keep)``: a ``DigitsRNN`` with random weights and the half of its units with
    the highest L2 ``unit_scores``; an LSTM of 8 units reading 5 features, and in the hidden
    battery a GRU and a larger LSTM. Hidden sizes are even."""
    import torch

    from minprune.torchkit import keep_top
    from minprune.torchkit.rnn import unit_scores

    shapes = [("lstm", 8, 5)] + ([("gru", 6, 9), ("lstm", 12, 3)] if hidden else [])
    for cell, H, n_in in shapes:
        model = _t10.random_model(rng, cell, H, n_in, classes=4)
        with torch.random.fork_rng(devices=[]):
            keep = keep_top(unit_scores(model.rnn, "l2"), keep_fraction=0.5)
        yield model, keep


def kept(model, keep):
    """``{name: (shape before, shape after)}`` of ``weight_ih_l0`` and ``weight_hh_l0`` when
    ``shrink_rnn(model, keep)`` rebuilds the layer."""
    import torch

    from minprune.torchkit.rnn import shrink_rnn

    with torch.random.fork_rng(devices=[]):
        small = shrink_rnn(model, keep)
    return {
        name: (tuple(getattr(model.rnn, name).shape), tuple(getattr(small.rnn, name).shape))
        for name in MATRICES
    }


def fractions(shapes):
    """``(fraction of weight_ih_l0 left, fraction of weight_hh_l0 left)`` from ``kept``."""
    return tuple(float(np.prod(after) / np.prod(before)) for before, after in shapes.values())


def _pair(got):
    if isinstance(got, np.ndarray):
        got = got.tolist() if got.ndim == 1 else got
    if not isinstance(got, list | tuple) or len(got) != 2:
        checks.fail(f"prediction() returned a {type(got).__name__}: {MISTAKES['not_a_pair']}")
    values = []
    for x in got:
        try:
            values.append(checks.expect_float(x, what="a number of prediction()"))
        except AssertionError as exc:
            checks.fail(f"{exc}: {MISTAKES['not_a_pair']}")
    if not all(np.isfinite(v) and v >= 0 for v in values):
        checks.fail(f"prediction() returned {tuple(values)}: {MISTAKES['not_a_pair']}")
    if any(v > 1 for v in values):
        checks.fail(f"prediction() returned {tuple(values)}: {MISTAKES['percent']}")
    return values


def check(answer, hidden=False, seed=None):
    """``answer()`` is ``(fraction of weight_ih_l0 kept, fraction of weight_hh_l0 kept)`` when
    half the units are kept, each within ``TOLERANCE`` of the measured one."""
    ih, hh = _pair(checks.call(answer, what="prediction()"))
    for model, keep in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        shapes = kept(model, keep)
        truth_ih, truth_hh = fractions(shapes)
        sizes = "; ".join(
            f"{name} went from {before} to {after}, {f:g} of its entries"
            for (name, (before, after)), f in zip(shapes.items(), (truth_ih, truth_hh))
        )
        rnn, article = model.rnn, "an" if model.cell == "lstm" else "a"
        where = (
            f"prediction() returned ({ih:g}, {hh:g}); keeping {len(keep)} of the "
            f"{rnn.hidden_size} units of {article} {model.cell.upper()} reading "
            f"{rnn.input_size} features, {sizes}"
        )
        if not _within(ih - truth_ih):
            near = _within(ih - truth_ih * truth_ih)
            checks.fail(f"{where}: {MISTAKES['ih_columns_too' if near else 'ih_other']}")
        if not _within(hh - truth_hh):
            near = _within(hh - truth_ih)
            checks.fail(f"{where}: {MISTAKES['hh_rows_only' if near else 'hh_other']}")
    checks.passed()
