"""Exercise 06.3: ``fold_constant_neurons(W, b, W_next, b_next, A, tol)``.

A neuron whose activation over ``A`` varies by at most ``tol`` (``max - min <= tol``) is
removed and its mean value, times its row of ``W_next``, moves into ``b_next``.
"""

import numpy as np

import minprune as mp
from minprune.activations import ACTIVATIONS
from minprune_course import checks

from . import _t06

GRADE_ID = "t06_fold_constant_test"
ANSWER = "fold_constant_neurons"
SIGNATURE = "(W, b, W_next, b_next, A, tol)"
REFERENCE = ("minprune.fold_constant_neurons",)
MISTAKES = {
    "strict": "a neuron is constant when max - min <= tol; with tol = 0 that means exactly "
    "constant, so the comparison must include equality",
    "std_test": "constancy is tested on the range max - min over the rows of A, not on the "
    "standard deviation or variance: a neuron flipping between two values a little more "
    "than tol apart has a std below tol, and the float std of a constant column need not "
    "be exactly 0",
    "first_row": "take each constant neuron's value c_j as its mean over the rows of A, not "
    "one sample",
    "folds_everything": "every neuron is constant here; keep the lowest-index one so the "
    "layer is not emptied, and fold the others",
    "no_shift": "b_next is unchanged, but a constant neuron need not output 0 (sigmoid(b_j), "
    "a saturated 1): add c_j * W_next[j, :] to b_next",
    "unsorted": "removed must be sorted ascending",
    "in_place_bias": "changed its argument b_next in place; the exercise asks you to leave "
    "the inputs as they were",
}
_OTHER = (
    "is not the remaining neurons' part of the original (the neurons not folded, in their "
    "original order)"
)


def _inverse(activation, y):
    """``z`` with ``f(z) = y``, for the monotone activations."""
    if activation == "sigmoid":
        return np.log(y / (1 - y))
    if activation == "tanh":
        return np.arctanh(y)
    return y  # relu above 0, identity


def _layers(rng, activation, tol, dtype, everything):
    """One draw of ``_fold_layers``, or None where a random neuron's range is near ``tol``."""
    case = _t06.random_layers(rng, activation)
    W, b, W_next, X = case.W.copy(), case.b.copy(), case.W_next.copy(), case.X.copy()
    n, m = W.shape[1], X.shape[0]
    X[:, 0] = rng.permutation(np.repeat([0.0, 1.0], m // 2))  # a 0/1 input, half ones
    order = rng.permutation(n)
    chosen = order if everything else order[: 4 if tol > 0 else 2]
    W[:, chosen] = 0.0  # no inputs: each outputs the constant f(b_j)
    b[chosen[0]] = 0.0  # f(0): 0, or sigmoid's exact 0.5
    for j in chosen[1:]:
        b[j] = rng.uniform(0.5, 1.5) * rng.choice([-1, 1])  # f(b_j) != 0 (0 if relu and < 0)
    if tol > 0 and not everything:
        # two neurons driven by the 0/1 input: their activation takes two values, 0.5 tol
        # apart (constant) and 1.5 tol apart (not constant, though its std is 0.75 tol)
        for j, spread in zip(chosen[2:], (0.5 * tol, 1.5 * tol), strict=True):
            b[j] = abs(b[j])
            low = ACTIVATIONS[activation][0](np.array([b[j]]))[0]
            W[0, j] = _inverse(activation, low + spread) - b[j]
    W_next[chosen] = rng.choice([-1.0, 1.0], size=(chosen.size, W_next.shape[1]))
    case = _t06.Layers(
        *(x.astype(dtype) for x in (W, b, W_next, case.b_next)), activation, X.astype(dtype)
    )
    A = case.A.astype(np.float64)
    ranges = A.max(axis=0) - A.min(axis=0)
    others = np.setdiff1d(np.arange(n), chosen)
    if np.any((ranges[others] > 0) & (ranges[others] < 10 * tol + 1e-4)):
        return None  # a random neuron nearly constant: how it compares with tol is rounding
    return case


def _fold_layers(rng, activation, tol, dtype=np.float64, everything=False):
    """Random layers with constant neurons: one outputting f(0), others f(b_j) != f(0);
    with ``tol > 0`` also a neuron varying by 0.5 tol and one by 1.5 tol; with
    ``everything``, only constant neurons. The other neurons vary by more than 10 tol."""
    while True:
        case = _layers(rng, activation, tol, dtype, everything)
        if case is not None:
            return case


def cases(rng, hidden):
    """``(layers, tol)``: near-constant sigmoid neurons with tol = 1e-3, exactly constant
    relu ones with tol = 0, a sigmoid layer of constant neurons only; the hidden battery
    adds tanh and identity, float32 weights, and a layer with nothing constant."""
    yield _fold_layers(rng, "sigmoid", 1e-3), 1e-3
    yield _fold_layers(rng, "relu", 0.0), 0.0
    yield _fold_layers(rng, "sigmoid", 0.0, everything=True), 0.0
    if hidden:
        yield _fold_layers(rng, "tanh", 1e-6), 1e-6
        yield _fold_layers(rng, "identity", 1e-2), 1e-2
        yield _fold_layers(rng, "sigmoid", 1e-3, dtype=np.float32), 1e-3
        yield _fold_layers(rng, "relu", 0.0, dtype=np.float32), 0.0
        yield _fold_layers(rng, "tanh", 0.0, everything=True), 0.0
        yield _t06.random_layers(rng, "tanh"), 0.0  # nothing constant


def _folded(case, removed, values):
    """The answer that folds ``removed`` with values ``values``, as float64 arrays."""
    W, b, W_next, b_next = (
        x.astype(np.float64) for x in (case.W, case.b, case.W_next, case.b_next)
    )
    keep = np.setdiff1d(np.arange(W.shape[1]), removed)
    return [W[:, keep], b[keep], W_next[keep], b_next + values @ W_next[removed], removed]


def _constant(flags):
    """The neurons ``flags`` marks, all but the first if it marks every neuron."""
    constant = np.flatnonzero(flags)
    return constant[1:] if constant.size == flags.size else constant


def _mistakes(case, tol, removed):
    """What each mistake returns on ``case``; ``removed`` are the right neurons."""
    A = case.A.astype(np.float64)
    ranges = A.max(axis=0) - A.min(axis=0)
    strict, by_std = _constant(ranges < tol), _constant(A.std(axis=0) <= tol)
    return {
        "strict": _folded(case, strict, A[:, strict].mean(axis=0)),
        "std_test": _folded(case, by_std, A[:, by_std].mean(axis=0)),
        "first_row": _folded(case, removed, A[0, removed]),
        "folds_everything": _folded(
            case, np.flatnonzero(ranges <= tol), A.mean(axis=0)[ranges <= tol]
        ),
        "no_shift": _folded(case, removed, np.zeros(removed.size)),
    }


def _by_variance(case, tol):
    """What testing ``A.var(axis=0) <= tol`` returns, the std mistake's other spelling."""
    A = case.A.astype(np.float64)
    by_var = _constant(A.var(axis=0) <= tol)
    return _folded(case, by_var, A[:, by_var].mean(axis=0))


def _expect_removed(value, n, what):
    """``removed`` as a 1-D int array (an empty one of any dtype is fine)."""
    label = f"the removed of {what}"
    if value is not None and np.size(value) == 0:
        return np.zeros(0, dtype=np.int64)
    removed = checks.expect_array(value, what=label, dtype=int)
    checks.expect_true(removed.ndim == 1, f"{label} has shape {removed.shape}; expected 1-D")
    checks.expect_true(
        bool(np.all((removed >= 0) & (removed < n))), f"{label} holds indices outside 0..{n - 1}"
    )
    return removed


def check(answer, hidden=False, seed=None):
    """``answer(W, b, W_next, b_next, A, tol)`` equals ``mp.fold_constant_neurons``."""
    references = checks.public(*REFERENCE)
    for case, tol in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        new, right = mp.fold_constant_neurons(case.net, 0, case.X, tol=tol)
        expected = [*_t06.layers_of(new), right]
        n_in, n = case.W.shape
        what = (
            f"fold_constant_neurons(W, b, W_next, b_next, A, tol={tol:g}) with "
            f"{case.describe()} and A of shape {case.A.shape}"
        )
        got = _t06.call(
            answer, case, case.A, tol, what=what, names=("A", "tol"), reference=references
        )
        parts = list(_t06.expect_parts(got, (*_t06.NAMES, "removed"), what))
        b_next, W_next = case.b_next.astype(np.float64), case.W_next.astype(np.float64)
        rtol, atol = case.rtol, case.atol(b_next, W_next)
        mistakes, hints = _mistakes(case, tol, right), _t06.hints(MISTAKES, what)
        checks.expect_no_mistake(parts, expected, mistakes, hints, rtol, atol)
        checks.expect_no_mistake(
            parts, expected, {"std_test": _by_variance(case, tol)}, hints, rtol, atol
        )
        removed = _expect_removed(parts[4], n, what)
        if sorted(removed.tolist()) == right.tolist() and removed.tolist() != right.tolist():
            checks.fail(f"the removed of {what}: {MISTAKES['unsorted']}")
        checks.expect_true(
            removed.tolist() == right.tolist(),
            f"the removed of {what} differs from the neurons whose activation over A varies "
            "by at most tol (max - min over the rows of A <= tol), all but the lowest-index "
            "one if every neuron does",
        )
        k, n_next = n - right.size, case.W_next.shape[1]
        shapes = [(n_in, k), (k,), (k, n_next), (n_next,)]
        arrays = _t06.expect_layers(
            parts[:4], shapes, case.dtype, what, "keep the weights' dtype (.astype(W.dtype))"
        )
        _t06.expect_same(arrays[:3], expected[:3], what, _OTHER)
        checks.expect_close(
            arrays[3], expected[3], what=f"the b_next of {what}", rtol=rtol, atol=atol
        )
    checks.passed()
