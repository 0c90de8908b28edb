"""Exercise 10.2: ``unit_scores(rnn, kind)``, one gate-aware score per hidden unit.

PROBE: the answer gets an ``nn.LSTM``/``nn.GRU`` that ``probe`` builds on the answer's
side from plain data (its kind, sizes and ``state_dict``, in float32 or float64; in the
grader inside the submission's kernel, through ``remote.asking``), and returns a tensor or
an array; what comes back is that and whether the layer's tensors changed during the
call. The reference is computed in float64 (on a float64 copy of the
layer), and a float32 layer's scores are compared within a relative 1e-5, so an answer
that works in float64 inside passes, and so does one that works in the layer's dtype.

Every run, visible included, has an L1 LSTM (float64) and an L2 GRU (float32), both with
three hidden units or more, so each known mistake (counting the shared entries twice,
leaving out the column, counting the biases, the first gate block only, leaving out
``weight_ih_l0``, L2 without the square root, taking the absolute value in place) shows
on every draw. The hidden runs add the other cell and kind pairs, float32 and float64, a
hidden size of 1 and a layer of 16 units.
"""

import copy
import sys

import torch

from minprune.torchkit import GATES
from minprune_course import checks, remote

from . import _t08, _t10

GRADE_ID = "t10_unit_scores_test"
ANSWER = "unit_scores"
SIGNATURE = "(rnn, kind)"
REFERENCE = ("minprune.torchkit.unit_scores",)
HINT = (
    "this exercise asks for your own code: minprune.torchkit.rnn's functions are what the "
    "check compares your answer with, so they are switched off while it runs"
)
MISTAKES = {
    "shared_twice": "the entries W_hh[g*H + j, j] lie in unit j's rows and in its column: "
    "count them once",
    "rows_only": "also count unit j's column of weight_hh_l0 (what the other units read from it)",
    "with_biases": "leave the biases out: a unit's score counts its weights only",
    "first_block_only": "add up unit j's rows of every gate block, not only the first",
    "no_input_rows": "include unit j's rows of weight_ih_l0",
    "l2_without_root": "'l2' is the Euclidean norm: take the square root of the sum of squares",
    "changes_rnn": "changed its argument rnn in place; the exercise asks you to leave the "
    "inputs as they were",
}


def cases(rng, hidden):
    """``(cell, H, n_in, kind, dtype)``: the layer is drawn from these."""
    yield "lstm", int(rng.integers(3, 9)), int(rng.integers(2, 6)), "l1", torch.float64
    yield "gru", int(rng.integers(3, 9)), int(rng.integers(2, 6)), "l2", torch.float32
    if not hidden:
        return
    yield "lstm", int(rng.integers(3, 9)), 4, "l1", torch.float32
    yield "lstm", int(rng.integers(3, 9)), 4, "l2", torch.float64
    yield "gru", int(rng.integers(3, 9)), 6, "l1", torch.float64
    yield "gru", 1, 3, "l2", torch.float64
    yield "lstm", 16, 8, "l2", torch.float32


def mistakes(layer, cell, kind):
    """What each known mistake returns for ``layer``, in float64 (``changes_rnn``'s scores
    are right: its mistake shows on the layer)."""
    H, G = layer.hidden_size, GATES[cell]
    w_ih = layer.weight_ih_l0.detach().double()
    w_hh = layer.weight_hh_l0.detach().double()
    biases = (layer.bias_ih_l0.detach().double(), layer.bias_hh_l0.detach().double())
    f = torch.abs if kind == "l1" else torch.square
    finish = (lambda t: t) if kind == "l1" else torch.sqrt

    def rows(w):
        return f(w).reshape(G, H, -1).sum(dim=(0, 2))

    shared = f(w_hh.reshape(G, H, H)[:, torch.arange(H), torch.arange(H)]).sum(0)
    column = f(w_hh).sum(0)
    bias = sum(f(b).reshape(G, H).sum(0) for b in biases)
    first = f(w_ih[:H]).sum(1) + f(w_hh[:H]).sum(1) + column - f(w_hh[:H, :H].diagonal())
    right = rows(w_ih) + rows(w_hh) + column - shared
    out = {
        "shared_twice": finish(right + shared),
        "rows_only": finish(rows(w_ih) + rows(w_hh)),
        "with_biases": finish(right + bias),
        "first_block_only": finish(first),
        "no_input_rows": finish(right - rows(w_ih)),
    }
    if kind == "l2":
        out["l2_without_root"] = right
    return {name: v.numpy() for name, v in out.items()}


def probe(answer, spec, kind):
    """Build the layer ``spec`` describes, call ``answer`` on it: ``{"scores": what it
    returned, "changed": whether the layer's tensors changed}``."""
    layer = _t10.build(spec)
    before = _t10.spec(layer)["state"]
    scores = answer(layer, kind)
    after = layer.state_dict()
    return {"scores": scores, "changed": not all(torch.equal(before[k], after[k]) for k in before)}


def check(answer, hidden=False, seed=None):
    """``answer(rnn, kind)`` is one score per hidden unit, equal to ``unit_scores``'s."""
    references = checks.public(*REFERENCE)
    (reference,) = references
    rng = checks.case_rng(GRADE_ID, hidden, seed)
    for cell, H, n_in, kind, dtype in cases(rng, hidden):
        layer = _t10.random_rnn(rng, cell, H, n_in, dtype)
        expected = reference(copy.deepcopy(layer).double(), kind).numpy()  # in float64
        name = "nn.LSTM" if cell == "lstm" else "nn.GRU"
        what = f"unit_scores({name}({n_in}, {H}), {kind!r}) with {str(dtype)[6:]} weights"
        with torch.random.fork_rng(devices=[]):
            found = checks.call(
                remote.asking(sys.modules[__name__], answer),
                _t10.spec(layer),
                kind,
                what=what,
                without=references,
                hint=HINT,
                names=("rnn", "kind"),
            )
        if found["changed"]:
            checks.fail(f"{what} {MISTAKES['changes_rnn']}")
        scores = checks.expect_array(_t10.plain(found["scores"]), what=what)
        checks.expect_true(
            scores.shape != (GATES[cell] * H,),
            f"{what} returned {GATES[cell] * H} scores, one per row; expected {H}, one per "
            "hidden unit (add up its rows of all gate blocks)",
        )
        rtol = 1e-5 if dtype == torch.float32 else 1e-9
        checks.expect_no_mistake(
            scores,
            expected,
            mistakes(layer, cell, kind),
            {n: f"{what}: {hint}" for n, hint in MISTAKES.items()},
            rtol=rtol,
            atol=1e-6,
        )
        checks.expect_close(scores, expected, what=what, rtol=rtol, atol=1e-6)
    checks.passed()
