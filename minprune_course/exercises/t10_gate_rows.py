"""Exercise 10.1: ``gate_rows(keep, hidden, cell)``, the rows of units ``keep``, block by block.

Every run, visible included, has an LSTM whose ``keep`` holds two units or more in an
order that is not increasing, and a GRU whose ``keep`` is some units in increasing
order, not the first ones; so listing one row per unit, interleaving the blocks, sorting
``keep``, always taking 4 blocks and offsetting the blocks by ``len(keep)`` each show on
every draw. The hidden runs add a GRU with keep in any order, one unit, every unit, a
hidden size of 1, and ``keep`` as a NumPy array (int64 and int32) and as a tensor.
"""

import numpy as np
import torch

from minprune.torchkit import GATES
from minprune_course import checks

from . import _t10

GRADE_ID = "t10_gate_rows_test"
ANSWER = "gate_rows"
SIGNATURE = "(keep, hidden, cell)"
REFERENCE = ("minprune.torchkit.gate_rows",)
HINT = (
    "this exercise asks for your own code: minprune.torchkit.rnn's functions are what the "
    "check compares your answer with, so they are switched off while it runs"
)
MISTAKES = {
    "one_row_per_unit": "each unit has a row in every gate block: G * len(keep) rows "
    "(G = GATES[cell])",
    "unit_major": "list the rows block by block (every kept unit's row of block 0, then of "
    "block 1, ...), the layout of the stacked gate matrices",
    "sorted_keep": "the right rows in the wrong order; within each block keep the order of "
    "keep, not sorted",
    "always_lstm": "an LSTM has 4 gate blocks, a GRU 3: take G from GATES[cell]",
    "offset_by_kept": "block g starts at row g * hidden (the old layer's size), not g * len(keep)",
}


def cases(rng, hidden):
    """``(keep, hidden, cell)``."""
    H = int(rng.integers(5, 12))
    yield _t10.keep(rng, H, "shuffled"), H, "lstm"
    H = int(rng.integers(4, 12))
    yield _t10.keep(rng, H), H, "gru"
    if not hidden:
        return
    H = int(rng.integers(3, 10))
    yield _t10.keep(rng, H, "shuffled"), H, "gru"
    yield [int(rng.integers(0, 5))], 5, "gru"
    yield np.array(_t10.keep(rng, 6, "all")), 6, "lstm"
    yield [0], 1, "lstm"
    yield torch.tensor(_t10.keep(rng, 9, "shuffled")), 9, "gru"
    yield np.array(_t10.keep(rng, 7), dtype=np.int32), 7, "lstm"


def mistakes(keep, H, cell):
    """What each known mistake returns for these inputs, as int arrays."""
    ks, G = np.array(keep, dtype=int), GATES[cell]
    return {
        "one_row_per_unit": ks,
        "unit_major": np.array([g * H + k for k in ks for g in range(G)]),
        "sorted_keep": np.concatenate([g * H + np.sort(ks) for g in range(G)]),
        "always_lstm": np.concatenate([g * H + ks for g in range(GATES["lstm"])]),
        "offset_by_kept": np.concatenate([g * len(ks) + ks for g in range(G)]),
    }


def check(answer, hidden=False, seed=None):
    """``answer(keep, hidden, cell)`` lists ``g * hidden + k`` for each block ``g``, ``k`` in keep."""
    references = checks.public(*REFERENCE)
    (reference,) = references
    for keep, H, cell in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        ks = _t10.as_list(keep)
        expected = reference(ks, H, cell).numpy()
        what = f"gate_rows({ks}, {H}, {cell!r}) with keep as a {type(keep).__name__}"
        with torch.random.fork_rng(devices=[]):
            got = checks.call(
                answer,
                keep,
                H,
                cell,
                what=what,
                without=references,
                hint=HINT,
                names=("keep", "hidden", "cell"),
            )
        rows = checks.expect_array(_t10.plain(got), what=what, dtype=int)
        checks.expect_no_mistake(
            rows,
            expected,
            mistakes(ks, H, cell),
            {name: f"{what}: {hint}" for name, hint in MISTAKES.items()},
        )
        checks.expect_true(
            rows.ndim == 1, f"{what} has shape {rows.shape}; expected a 1-D list of rows"
        )
        checks.expect_equal(rows, expected, what)
    checks.passed()
