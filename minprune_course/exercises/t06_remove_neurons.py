"""Exercise 06.2: ``remove_neurons(W, b, W_next, b_next, keep, activation)``, surgery.

The smaller layers must compute what the masked network computes: a removed neuron
still sent ``f(0) * W_next[j, :]`` (``sigmoid(0) = 0.5``), which moves into ``b_next``.
"""

import numpy as np

import minprune as mp
from minprune.activations import ACTIVATIONS
from minprune_course import checks

from . import _t06

GRADE_ID = "t06_remove_neurons_test"
ANSWER = "remove_neurons"
SIGNATURE = "(W, b, W_next, b_next, keep, activation)"
REFERENCE = ("minprune.remove_neurons",)
MISTAKES = {
    "no_shift": "b_next is unchanged, but a masked neuron (incoming weights and bias zeroed) "
    "still outputs f(0), and sigmoid(0) = 0.5: add f(0) * W_next[j, :] to b_next for every "
    "removed neuron j",
    "f_of_b": "a masked neuron's bias is zeroed too, so it outputs f(0), not f(b[j])",
    "always_half": "only sigmoid has f(0) = 0.5; for relu, tanh and identity f(0) = 0, so "
    "b_next stays as it is",
    "first_rows": "W_next must hold rows keep of the original (W_next[keep]), not its first "
    "len(keep) rows",
    "float64_result": "keep the weights' dtype (for example with .astype(W.dtype))",
    "three_arrays": "return all four arrays, (W, b, W_next, b_next)",
    "in_place_bias": "changed its argument b_next in place; the exercise asks you to leave "
    "the inputs as they were",
    "masks_inputs": "changed its argument W in place; the exercise asks you to leave the "
    "inputs as they were",
}
_SAME = (
    "is not the kept neurons' part of the original: columns keep of W, entries keep of b, "
    "rows keep of W_next, in keep's order"
)


def _keep(rng, n, size):
    """``size`` sorted indices of ``range(n)``, not ``0..size-1`` unless that is all of them."""
    while True:
        keep = np.sort(rng.choice(n, size=size, replace=False)).astype(np.int64)
        if size == n or keep[-1] != size - 1:
            return keep


def cases(rng, hidden):
    """``(layers, keep)``: a sigmoid layer (f(0) = 0.5), a relu or tanh one (f(0) = 0),
    float32 sigmoid weights, each losing neurons other than its last ones; the hidden
    battery adds every activation, one neuron kept, every neuron kept, float32 relu."""

    def some(activation, dtype=np.float64, size=None):
        case = _t06.random_layers(rng, activation, dtype=dtype)
        n = case.W.shape[1]
        return case, _keep(rng, n, int(rng.integers(1, n)) if size is None else size)

    yield some("sigmoid")
    yield some(str(rng.choice(["relu", "tanh", "identity"])))
    yield some("sigmoid", dtype=np.float32)
    if hidden:
        for activation in _t06.ACTIVATIONS:
            yield some(activation)
        yield some("sigmoid", size=1)
        case = _t06.random_layers(rng, "tanh")
        yield case, np.arange(case.W.shape[1], dtype=np.int64)  # nothing removed
        yield some("relu", dtype=np.float32)


def _with_bias(case, keep, b_next):
    """The kept neurons' part of the inputs with ``b_next``, as float64 arrays."""
    W, b, W_next = (x.astype(np.float64) for x in (case.W, case.b, case.W_next))
    return W[:, keep], b[keep], W_next[keep], np.asarray(b_next, dtype=np.float64)


def check(answer, hidden=False, seed=None):
    """``answer(W, b, W_next, b_next, keep, activation)`` equals ``mp.remove_neurons``."""
    references = checks.public(*REFERENCE)
    for case, keep in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = _t06.layers_of(mp.remove_neurons(case.net, 0, keep))
        n_in, n = case.W.shape
        k, n_next = keep.size, case.W_next.shape[1]
        what = (
            f"remove_neurons(W, b, W_next, b_next, keep, {case.activation!r}) with "
            f"{case.describe()}, keeping {k} of {n} neurons"
        )
        got = _t06.call(
            answer,
            case,
            keep,
            case.activation,
            what=what,
            names=("keep", "activation"),
            reference=references,
        )
        if isinstance(got, tuple | list) and len(got) == 3:
            checks.fail(f"{what} returned three values; {MISTAKES['three_arrays']}")
        parts = _t06.expect_parts(got, _t06.NAMES, what)
        gone = np.setdiff1d(np.arange(n), keep)
        f = ACTIVATIONS[case.activation][0]
        b_next, W_next = case.b_next.astype(np.float64), case.W_next.astype(np.float64)
        first_rows = list(expected)
        first_rows[2] = W_next[:k]
        rtol, atol = case.rtol, case.atol(b_next, W_next)
        checks.expect_no_mistake(
            list(parts),
            list(expected),
            {
                "no_shift": _with_bias(case, keep, b_next),
                "f_of_b": _with_bias(
                    case, keep, b_next + f(case.b[gone].astype(np.float64)) @ W_next[gone]
                ),
                "always_half": _with_bias(case, keep, b_next + 0.5 * W_next[gone].sum(axis=0)),
                "first_rows": first_rows,
            },
            _t06.hints(MISTAKES, what),
            rtol,
            atol,
        )
        shapes = [(n_in, k), (k,), (k, n_next), (n_next,)]
        arrays = _t06.expect_layers(parts, shapes, case.dtype, what, MISTAKES["float64_result"])
        _t06.expect_same(arrays[:3], expected[:3], what, _SAME)
        checks.expect_close(
            arrays[3],
            expected[3],
            what=f"the b_next of {what} (the smaller network's outputs must equal the masked "
            "network's)",
            rtol=rtol,
            atol=atol,
        )
    checks.passed()
