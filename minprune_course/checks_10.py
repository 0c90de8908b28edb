"""Checks for the exercises of lesson 10, pruning recurrent networks.

Each check builds fresh random ``nn.LSTM``/``nn.GRU`` layers and ``DigitsRNN``
models (a new seed on every call, so a hard-coded answer fails), computes the
reference with ``minprune.torchkit.rnn`` first, calls the learner's function on
copies and raises ``AssertionError`` with a hint that names the mistake, never
the expected values::

    checks_10.check_unit_scores(unit_scores)               # the visible check
    checks_10.check_unit_scores(unit_scores, hidden=True)  # the longer battery

With ``hidden=True`` a check runs more cases: both cell types, float32 and
float64 weights, a hidden size of 1, keep sets in any order, of one unit and
of every unit, given as lists, arrays or tensors.

While the learner's function runs, the reference functions of
``minprune.torchkit.rnn`` raise an ``AssertionError``: an answer that only
called them would pass any comparison with them. ``DigitsRNN`` stays available.
Answers are read as plain arrays (tensors through ``detach().cpu().numpy()``)
and compared by arithmetic, so an object that claims equality fools nothing.
The checks leave torch's global random state as they found it.
"""

import copy

import numpy as np
import torch
from torch import nn

from minprune.torchkit import rnn

from . import checks

__all__ = ["check_gate_rows", "check_unit_scores", "check_shrink_rnn"]

_Tensor = torch.Tensor
_Module = nn.Module
_deepcopy = copy.deepcopy
_asarray = np.asarray
_absolute = np.absolute
_ndarray = np.ndarray


# ------------------------------------------------------------ own work only
_BLOCKED = (  # the hint when the learner's code calls minprune's own answer
    "this exercise asks for your own code: minprune.torchkit.rnn's functions are what the "
    "check compares your answer with, so they are switched off while it runs"
)


def _own_work():
    """minprune's reference functions switched off while the block runs."""
    return checks.switched_off(_reference_functions(), _BLOCKED)


def _reference_functions():
    return [rnn.gate_rows, rnn.unit_scores, rnn.mask_units, rnn.shrink_rnn]


def _call(fn, *args, what):
    """``checks.call`` with the reference switched off and torch's random state kept."""
    with _own_work(), torch.random.fork_rng(devices=[]):
        return checks.call(fn, *args, what=what)


def _plain(answer, what, dtype=float, shape=None):
    """The learner's tensor, array or list as a plain NumPy array of ``dtype``."""
    if isinstance(answer, _Tensor):
        answer = answer.detach().cpu().numpy()
    return checks.expect_array(answer, shape=shape, what=what, dtype=dtype)


def _seed(rng):
    return int(rng.integers(2**31))


def _random_rnn(rng, cell, hidden, n_in, dtype=torch.float32):
    """A one-layer ``nn.LSTM``/``nn.GRU`` with standard normal weights and biases."""
    gen = torch.Generator().manual_seed(_seed(rng))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(_seed(rng))
        layer = (nn.LSTM if cell == "lstm" else nn.GRU)(n_in, hidden, batch_first=True)
    layer = layer.to(dtype)
    with torch.no_grad():
        for p in layer.parameters():
            p.normal_(generator=gen)
    return layer


def _random_model(rng, cell, hidden, n_in, classes):
    """A ``DigitsRNN`` with random weights (float32)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(_seed(rng))
        model = rnn.DigitsRNN(cell, hidden=hidden, num_classes=classes, input_size=n_in)
    model.rnn = _random_rnn(rng, cell, hidden, n_in)
    gen = torch.Generator().manual_seed(_seed(rng))
    with torch.no_grad():
        for p in model.fc.parameters():
            p.normal_(generator=gen)
    return model.eval()


def _keep(rng, hidden, kind="sorted"):
    if kind == "all":
        return list(range(hidden))
    k = int(rng.integers(1, hidden)) if hidden > 1 else 1
    keep = rng.choice(hidden, size=k, replace=False)
    return [int(j) for j in (keep if kind == "shuffled" else np.sort(keep))]


# --------------------------------------------------------------- gate_rows
def _gate_rows_cases(rng, hidden):
    cell = str(rng.choice(["lstm", "gru"]))
    H = int(rng.integers(4, 12))
    cases = [(_keep(rng, H), H, cell)]
    if hidden:
        H2 = int(rng.integers(3, 10))
        cases += [
            (_keep(rng, H2, "shuffled"), H2, "lstm"),
            (_keep(rng, H2, "shuffled"), H2, "gru"),
            ([int(rng.integers(0, 5))], 5, "gru"),
            (np.array(_keep(rng, 6, "all")), 6, "lstm"),
            (torch.tensor(_keep(rng, 9)), 9, "gru"),
        ]
    return cases


def check_gate_rows(gate_rows, hidden=False):
    """Check ``gate_rows(keep, hidden, cell)``: the rows of units ``keep``, block by block."""
    checks.expect_callable(gate_rows, "gate_rows")
    rng = checks.rng()
    for keep, H, cell in _gate_rows_cases(rng, hidden):
        expected = rnn.gate_rows(keep, H, cell).numpy()
        shown = keep.tolist() if isinstance(keep, _Tensor | _ndarray) else keep
        what = f"gate_rows({shown}, {H}, {cell!r})"
        answer = _plain(_call(gate_rows, keep, H, cell, what=what), what, dtype=int)
        G = rnn.GATES[cell]
        if answer.ndim != 1:
            raise AssertionError(f"{what} has shape {answer.shape}; expected a 1-D list of rows")
        ks = [int(k) for k in shown]
        other = 7 - G  # 3 blocks for 4 and 4 for 3
        if answer.size == other * len(ks) and answer.size != expected.size:
            raise AssertionError(
                f"{what} returned {answer.size} rows: an LSTM has 4 gate blocks, a GRU 3"
            )
        if answer.size == len(ks):
            raise AssertionError(
                f"{what} returned one row per unit; each unit has a row in every gate block"
            )
        checks.expect_array(answer, shape=expected.shape, what=what, dtype=int)
        unit_major = np.array([g * H + k for k in ks for g in range(G)])
        if len(ks) > 1 and (answer == unit_major).all():
            raise AssertionError(
                f"{what}: list the rows block by block (every kept unit's row of block 0, then of "
                "block 1, ...), the layout of the stacked gate matrices"
            )
        if (np.sort(answer) == np.sort(expected)).all() and (answer != expected).any():
            raise AssertionError(
                f"{what}: the right rows in the wrong order; within each block keep the order of "
                "keep, and the blocks in order"
            )
        if (answer != expected).any():
            raise AssertionError(
                f"{what}: {int((answer != expected).sum())} of {expected.size} rows differ; unit k's "
                f"row in gate block g is g * hidden + k"
            )
    checks.passed("gate_rows")


# ------------------------------------------------------------- unit_scores
def _variants(layer, cell, kind):
    """Scores from the usual mistakes, each with its hint."""
    H, G = layer.hidden_size, rnn.GATES[cell]
    w_ih = layer.weight_ih_l0.detach().double()
    w_hh = layer.weight_hh_l0.detach().double()
    b = (layer.bias_ih_l0.detach().double(), layer.bias_hh_l0.detach().double())
    f = torch.abs if kind == "l1" else torch.square

    def rows(w):
        return f(w).reshape(G, H, -1).sum(dim=(0, 2))

    diag = f(w_hh.reshape(G, H, H)[:, torch.arange(H), torch.arange(H)]).sum(0)
    col = f(w_hh).sum(0)
    bias = sum(f(v).reshape(G, H).sum(0) for v in b)
    first = (
        f(w_ih[:H]).sum(1) + f(w_hh[:H]).sum(1) + f(w_hh[:, :H]).sum(0) - f(w_hh[:H, :H].diagonal())
    )
    finish = (lambda t: t) if kind == "l1" else torch.sqrt
    out = [
        (
            finish(rows(w_ih) + rows(w_hh) + col),
            "the entries W_hh[g*H + j, j] lie in unit j's rows and in its column: count them once",
        ),
        (
            finish(rows(w_ih) + rows(w_hh)),
            "also count unit j's column of weight_hh_l0 (what the other units read from it)",
        ),
        (finish(rows(w_ih) + rows(w_hh) + col - diag + bias), "leave the biases out"),
        (finish(first), "add up unit j's rows of every gate block, not only the first"),
        (finish(rows(w_hh) + col - diag), "include unit j's rows of weight_ih_l0"),
    ]
    if kind == "l2":
        out.append(
            (
                rows(w_ih) + rows(w_hh) + col - diag,
                "'l2' is the Euclidean norm: take the square root of the sum of squares",
            )
        )
    return [(v.numpy(), hint) for v, hint in out]


def _scores_cases(rng, hidden):
    cell = str(rng.choice(["lstm", "gru"]))
    cases = [(cell, int(rng.integers(3, 9)), int(rng.integers(2, 6)), str(rng.choice(["l1", "l2"])),
              torch.float64)]  # fmt: skip
    if hidden:
        cases += [
            ("lstm", int(rng.integers(3, 9)), 4, "l1", torch.float32),
            ("lstm", int(rng.integers(3, 9)), 4, "l2", torch.float64),
            ("gru", int(rng.integers(3, 9)), 6, "l1", torch.float64),
            ("gru", int(rng.integers(3, 9)), 3, "l2", torch.float32),
            ("gru", 1, 3, "l2", torch.float64),
            ("lstm", 16, 8, "l2", torch.float32),
        ]
    return cases


def check_unit_scores(unit_scores, hidden=False):
    """Check ``unit_scores(rnn_module, kind)``: one gate-aware score per hidden unit."""
    checks.expect_callable(unit_scores, "unit_scores")
    rng = checks.rng()
    for cell, H, n_in, kind, dtype in _scores_cases(rng, hidden):
        layer = _random_rnn(rng, cell, H, n_in, dtype)
        expected = rnn.unit_scores(layer, kind).double().numpy()
        name = "nn.LSTM" if cell == "lstm" else "nn.GRU"
        what = f"unit_scores({name}({n_in}, {H}), {kind!r}) with {str(dtype)[6:]} weights"
        answer = _call(unit_scores, layer, kind, what=what)
        G = rnn.GATES[cell]
        array = _plain(answer, what)
        if array.shape == (G * H,):
            raise AssertionError(
                f"{what} returned {G * H} scores, one per row; expected {H}, one per hidden unit "
                "(add up its rows of all gate blocks)"
            )
        array = checks.expect_array(array, shape=(H,), what=what)
        rtol = 1e-5 if dtype == torch.float32 else 1e-9
        close = np.abs(array - expected) <= 1e-6 + rtol * np.abs(expected)
        if not close.all():
            for wrong, hint in _variants(layer, cell, kind):
                if np.allclose(array, wrong, rtol=rtol, atol=1e-6):
                    raise AssertionError(f"{what}: {hint}")
        checks.expect_close(array, expected, what=what, rtol=rtol, atol=1e-6)
    checks.passed("unit_scores")


# -------------------------------------------------------------- shrink_rnn
def _shrink_cases(rng, hidden):
    cell = str(rng.choice(["lstm", "gru"]))
    H = int(rng.integers(4, 10))
    cases = [(cell, H, 8, 10, _keep(rng, H))]
    if hidden:
        cases += [
            ("lstm", 7, 5, 4, _keep(rng, 7, "shuffled")),
            ("gru", 6, 3, 3, _keep(rng, 6, "shuffled")),
            ("lstm", 5, 8, 10, [int(rng.integers(0, 5))]),
            ("gru", 5, 8, 10, np.array(_keep(rng, 5, "all"))),
            ("lstm", 12, 6, 7, torch.tensor(_keep(rng, 12))),
            ("gru", 12, 6, 7, np.array(_keep(rng, 12), dtype=np.int32)),
        ]
    return cases


_HINTS = {
    "weight_ih_l0": "take unit k's row from every gate block (rows g * hidden + k)",
    "weight_hh_l0": "take the kept units' rows of every gate block and only the kept columns",
    "bias_ih_l0": "the biases have a row per gate block too: take the same rows as the weights",
    "bias_hh_l0": "the biases have a row per gate block too: take the same rows as the weights",
    "fc.weight": "the classifier keeps the columns of the kept units",
    "fc.bias": "the classifier's bias does not change",
}


def _params(model):
    return dict(model.named_parameters())


def check_shrink_rnn(shrink_rnn, hidden=False):
    """Check ``shrink_rnn(model, keep)``: a smaller DigitsRNN whose outputs equal the masked one's."""
    checks.expect_callable(shrink_rnn, "shrink_rnn")
    rng = checks.rng()
    for cell, H, n_in, classes, keep in _shrink_cases(rng, hidden):
        model = _random_model(rng, cell, H, n_in, classes)
        x = torch.randn(5, int(rng.integers(3, 9)), n_in,
                        generator=torch.Generator().manual_seed(_seed(rng)))  # fmt: skip
        ks = [int(k) for k in (keep.tolist() if isinstance(keep, _Tensor | _ndarray) else keep)]
        reference = rnn.shrink_rnn(model, ks)
        with torch.no_grad():
            expected = rnn.mask_units(model, ks)(x).double().numpy()
        what = f"shrink_rnn(DigitsRNN({cell!r}, hidden={H}), keep={ks})"
        given = _deepcopy(model)
        with _own_work(), torch.random.fork_rng(devices=[]):
            answer = shrink_rnn(given, _deepcopy(keep))
        before, after = _params(model), _params(given)
        if any(not torch.equal(before[n], after[n]) for n in before):
            raise AssertionError(f"{what} changed the model it was given; build a new one")
        if not isinstance(answer, rnn.DigitsRNN):
            raise AssertionError(
                f"{what} returned a {type(answer).__name__}; expected a new DigitsRNN"
            )
        if answer is given:
            raise AssertionError(f"{what} returned the model it was given; build a new one")
        want = nn.LSTM if cell == "lstm" else nn.GRU
        if type(answer.rnn) is not want:
            raise AssertionError(f"{what}: its .rnn is a {type(answer.rnn).__name__}; expected "
                                 f"an {want.__name__}")  # fmt: skip
        if answer.rnn.hidden_size != len(ks):
            raise AssertionError(
                f"{what}: its .rnn has hidden_size {answer.rnn.hidden_size}; expected len(keep)"
            )
        got, ref = _params(answer), _params(reference)
        for name, p in ref.items():
            if name.startswith("rnn."):
                name = name[4:]
                q = got.get("rnn." + name)
            else:
                q = got.get(name)
            if q is None:
                raise AssertionError(f"{what}: the new model has no parameter {name}")
            if tuple(q.shape) != tuple(p.shape):
                raise AssertionError(
                    f"{what}: {name} has shape {tuple(q.shape)}; expected {tuple(p.shape)}"
                )
            if ks == sorted(ks):  # values in the order of keep
                a = q.detach().double().numpy()
                b = p.detach().double().numpy()
                if (_absolute(a - b) > 1e-6 + 1e-6 * _absolute(b)).any():
                    raise AssertionError(f"{what}: {name} holds the wrong weights; {_HINTS[name]}")
        with torch.no_grad():
            out = answer.eval()(x)
        out = _plain(out, f"the logits of {what}", shape=expected.shape)
        if (_absolute(out - expected) > 1e-4 + 1e-4 * _absolute(expected)).any():
            raise AssertionError(
                f"{what}: the logits differ from those of the masked model; every tensor must "
                "take the kept units in the same order"
            )
    checks.passed("shrink_rnn")
