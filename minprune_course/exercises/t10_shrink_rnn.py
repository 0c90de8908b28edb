"""Exercise 10.3: ``shrink_rnn(model, keep)``, a smaller DigitsRNN with the masked model's outputs.

The answer gets a ``DigitsRNN`` the check builds and returns a module of its own, which
``probe`` reads back as plain data on the side where the answer runs (``PROBE``; in the
grader inside the submission's kernel, through ``remote.asking``); the check loads its
``state_dict`` into a ``DigitsRNN`` it builds itself to compute the logits.

Every tensor is compared with ``minprune.torchkit.shrink_rnn``'s, which holds the units
in the order of ``keep`` (as the prompt asks), and the logits with those of the masked
model (``mask_units``). Every run, visible included, has an LSTM whose ``keep`` is two
units or more in an order that is not increasing, and a GRU whose ``keep`` is some units
in increasing order, not the first ones; so sorting ``keep``, taking the first columns of
``weight_hh_l0`` or ``fc.weight``, interleaving the gate rows, leaving the biases as a
new model draws them, returning the model given and shrinking it in place each show on
every draw. The hidden runs add other sizes, one unit, every unit, and ``keep`` as a
NumPy array (int64 and int32) and as a tensor.
"""

import sys

import numpy as np
import torch

from minprune.torchkit import DigitsRNN
from minprune_course import checks, remote

from . import _t08, _t10

GRADE_ID = "t10_shrink_rnn_test"
ANSWER = "shrink_rnn"
SIGNATURE = "(model, keep)"
REFERENCE = (
    "minprune.torchkit.shrink_rnn",
    "minprune.torchkit.mask_units",
    "minprune.torchkit.gate_rows",
)
PROBE = (
    "shrink_rnn(model, keep) is called with a DigitsRNN the check builds and keep (a list, "
    "an array or a tensor of ints); the model it returns is read back where it was built as "
    "plain data: its class name, whether it is the model it was given, the class name and "
    "hidden_size of its .rnn, and its state_dict (tensors)"
)
HINT = (
    "this exercise asks for your own code: minprune.torchkit.rnn's functions are what the "
    "check compares your answer with, so they are switched off while it runs"
)
ADVICE = {  # what a wrong tensor is told, by its name in the state_dict
    "rnn.weight_ih_l0": "take unit k's row from every gate block (rows g * hidden + k, block "
    "by block)",
    "rnn.weight_hh_l0": "take the kept units' rows of every gate block and only the kept columns",
    "rnn.bias_ih_l0": "the biases have a row per gate block too: take the same rows as the weights",
    "rnn.bias_hh_l0": "the biases have a row per gate block too: take the same rows as the weights",
    "fc.weight": "the classifier keeps the columns of the kept units",
    "fc.bias": "the classifier's bias does not change",
}


def _wrong_tensor(name):
    """The hint for a wrong tensor ``name`` (``"rnn.weight_hh_l0"``)."""
    return f"{name.removeprefix('rnn.')} holds the wrong weights; {ADVICE[name]}"


MISTAKES = {
    "sorted_keep": "the new model holds the kept units in increasing order; hold them in "
    "the order of keep",
    "hh_first_columns": _wrong_tensor("rnn.weight_hh_l0"),
    "fc_first_columns": _wrong_tensor("fc.weight"),
    "unit_major_rows": _wrong_tensor("rnn.weight_ih_l0"),
    "biases_not_copied": _wrong_tensor("rnn.bias_ih_l0").split(" ", 1)[1],
    "returns_given": "returned the model it was given; build a new one",
    "shrinks_in_place": "changed its argument model in place; the exercise asks you to "
    "leave the inputs as they were",
}


def cases(rng, hidden):
    """``(cell, H, n_in, classes, keep)``: the model is drawn from the first four."""
    H = int(rng.integers(5, 10))
    yield "lstm", H, 8, 10, _t10.keep(rng, H, "shuffled")
    H = int(rng.integers(4, 10))
    yield "gru", H, int(rng.integers(3, 9)), int(rng.integers(3, 11)), _t10.keep(rng, H)
    if not hidden:
        return
    yield "lstm", 7, 5, 4, _t10.keep(rng, 7)
    yield "gru", 6, 3, 3, _t10.keep(rng, 6, "shuffled")
    yield "lstm", 5, 8, 10, [int(rng.integers(0, 5))]
    yield "gru", 5, 8, 10, np.array(_t10.keep(rng, 5, "all"))
    yield "lstm", 12, 6, 7, torch.tensor(_t10.keep(rng, 12, "shuffled"))
    yield "gru", 12, 6, 7, np.array(_t10.keep(rng, 12), dtype=np.int32)


def read(small, model):
    """The model returned, as plain data (see ``PROBE``)."""
    found = {"type": type(small).__name__, "given": small is model}
    layer = getattr(small, "rnn", None)
    if isinstance(small, torch.nn.Module) and isinstance(layer, torch.nn.Module):
        found["rnn"] = type(layer).__name__
        found["hidden"] = getattr(layer, "hidden_size", None)
        found["state"] = {k: v.detach().clone() for k, v in small.state_dict().items()}
    return found


def probe(answer, model, keep):
    """Shrink ``model`` with ``answer``, then read the result as plain data (``PROBE``)."""
    return read(answer(model, keep), model)


def _state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def mistakes(model, ks, shrink_rnn):
    """The state each known mistake gives (the tensor-by-tensor ones are told by ``ADVICE``)."""
    return {"sorted_keep": _state(shrink_rnn(model, sorted(ks)))}


def _logits(cell, n_in, classes, state, x):
    """The logits of a DigitsRNN the check builds, holding ``state``."""
    with torch.random.fork_rng(devices=[]):
        rebuilt = DigitsRNN(cell, hidden=int(state["fc.weight"].shape[1]), num_classes=classes,
                            input_size=n_in)  # fmt: skip
    rebuilt.load_state_dict(state)
    with torch.no_grad():
        return rebuilt.eval()(x).double().numpy()


def _judge(found, cell, ks, expected_state, wrong, what):
    """Fail unless the model read back holds ``expected_state``, names and shapes first."""
    if found["given"]:
        checks.fail(f"{what} {MISTAKES['returns_given']}")
    if found["type"] != "DigitsRNN":
        checks.fail(f"{what} returned a {found['type']}; expected a new DigitsRNN")
    want = "LSTM" if cell == "lstm" else "GRU"
    if found.get("rnn") != want:
        checks.fail(f"{what}: its .rnn is a {found.get('rnn')}; expected an nn.{want}")
    if found["hidden"] != len(ks):
        checks.fail(
            f"{what}: its .rnn has hidden_size {found['hidden']}; expected len(keep) = {len(ks)}"
        )
    state = found["state"]
    for name, right in wrong.items():
        if not _same_state(right, expected_state) and _same_state(state, right):
            checks.fail(f"{what}: {MISTAKES[name]}")
    for name, p in expected_state.items():
        q = state.get(name)
        if q is None:
            checks.fail(f"{what}: the new model has no tensor {name}")
        if tuple(q.shape) != tuple(p.shape):
            checks.fail(f"{what}: {name} has shape {tuple(q.shape)}; expected {tuple(p.shape)}")
        if not checks.matches(q.double().numpy(), p.double().numpy(), 1e-6, 1e-7):
            checks.fail(f"{what}: {_wrong_tensor(name)}")
    unexpected = sorted(set(state) - set(expected_state))
    if unexpected:
        checks.fail(f"{what}: the new model has tensors {unexpected} that a DigitsRNN has not")


def _same_state(a, b):
    return set(a) == set(b) and all(
        a[k].shape == b[k].shape
        and checks.matches(a[k].double().numpy(), b[k].double().numpy(), 1e-6, 1e-7)
        for k in a
    )


def check(answer, hidden=False, seed=None):
    """``answer(model, keep)`` is a new DigitsRNN holding units ``keep`` in that order, whose
    logits equal the masked model's; ``model`` and ``keep`` are left as they were."""
    references = checks.public(*REFERENCE)
    shrink_rnn, mask_units, _ = references
    rng = checks.case_rng(GRADE_ID, hidden, seed)
    for cell, H, n_in, classes, keep in cases(rng, hidden):
        model = _t10.random_model(rng, cell, H, n_in, classes)
        gen = torch.Generator().manual_seed(_t10.seed(rng))
        x = torch.randn(5, int(rng.integers(3, 9)), n_in, generator=gen)
        ks = _t10.as_list(keep)
        with torch.random.fork_rng(devices=[]), torch.no_grad():  # new models draw weights
            expected_state = _state(shrink_rnn(model, ks))
            expected = mask_units(model, ks)(x).double().numpy()
            wrong = mistakes(model, ks, shrink_rnn)
        what = f"shrink_rnn(DigitsRNN({cell!r}, hidden={H}), keep={ks})"
        with torch.random.fork_rng(devices=[]):
            found = checks.call(
                remote.asking(sys.modules[__name__], answer),
                model,
                keep,
                what=what,
                without=references,
                hint=HINT,
                names=("model", "keep"),
            )
        _judge(found, cell, ks, expected_state, wrong, what)
        logits = _logits(cell, n_in, classes, found["state"], x)
        checks.expect_true(
            checks.matches(logits, expected, 1e-4, 1e-4),
            f"{what}: the logits differ from those of the masked model; every tensor must "
            "take the kept units in the same order",
        )
    checks.passed()
