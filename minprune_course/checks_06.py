"""Checks for the exercises of lesson 06, neuron and layer removal.

The exercises work on plain arrays: a hidden layer ``W : (n_in, n)``, ``b : (n,)``,
the next layer ``W_next : (n, n_next)``, ``b_next : (n_next,)``, and the layer's
activations ``A : (m, n)`` on some data. Each check draws a fresh random layer
pair (a new seed on every call, so a hard-coded answer fails), builds the same
two layers as a ``minprune`` network, computes the reference with
``minprune.structured`` first, then calls the learner's function on copies of
the inputs and raises ``AssertionError`` with a hint that names the mistake,
never the expected numbers::

    checks_06.check_neuron_scores(neuron_scores)               # the visible check
    checks_06.check_neuron_scores(neuron_scores, hidden=True)  # the longer battery

With ``hidden=True`` a check runs more cases: every elementwise activation,
float32 weights (the answer must keep the dtype), a single neuron kept, every
neuron constant, chains of near-duplicates.

While the learner's function runs, minprune's structured-pruning functions
raise an ``AssertionError``: the exercises ask for NumPy code, and an answer
that only calls the reference would pass any comparison with it.
"""

import numpy as np

import minprune as mp
from minprune import layers, structured
from minprune.activations import ACTIVATIONS

from . import checks

__all__ = [
    "check_neuron_scores",
    "check_remove_neurons",
    "check_fold_constant_neurons",
    "check_merge_duplicate_neurons",
]

_absolute = np.absolute
_float32 = np.float32
_float64 = np.float64
_ndarray = np.ndarray
_sqrt = np.sqrt
_isinstance = isinstance
_dict = dict
_list = list
_tuple = tuple
_len = len
_sorted = sorted
_ACTIVATIONS = ("relu", "sigmoid", "tanh", "identity")
_SCORE_NAMES = (
    "incoming_l1",
    "incoming_l2",
    "outgoing_l1",
    "outgoing_l2",
    "mean_activation",
    "activation_variance",
)


# ------------------------------------------------------------ own work only
_BLOCKED = (  # the hint when the learner's code calls minprune's own answer
    "this exercise asks for your own NumPy code: minprune's structured-pruning "
    "functions are what the check compares your answer with, so they are switched "
    "off while it runs"
)


def _reference_functions():
    """minprune's functions that answer these exercises by themselves."""
    funcs = [getattr(structured, name) for name in structured.__all__]  # skips non-functions
    return funcs + [structured._rebuild, structured._caches, layers.Dense.apply_mask]


def _call(fn, *args, what):
    """``checks.call`` with minprune's reference functions switched off."""
    return checks.call(fn, *args, what=what, without=_reference_functions(), hint=_BLOCKED)


# ----------------------------------------------------------------- inputs
class _Case:
    """A hidden layer and the next one, as arrays and as a two-layer network."""

    def __init__(self, W, b, W_next, b_next, activation, X):
        self.W, self.b, self.W_next, self.b_next = W, b, W_next, b_next
        self.activation = activation
        self.X = X
        self.net = mp.Network.from_layers(
            [
                layers.Dense(W, b, activation),
                layers.Dense(W_next, b_next, "identity"),
            ]
        )
        _, caches = self.net.forward(X, cache=True)
        self.A = caches[0][2]

    @property
    def dtype(self):
        return self.W.dtype

    @property
    def tol(self):
        """Relative tolerance for comparing with minprune in this dtype."""
        return 2e-5 if self.dtype == _float32 else 1e-9

    def atol(self, *arrays):
        """Absolute tolerance for sums over this layer's arrays (float32 rounds them)."""
        unit = 1e-9 if self.dtype == _float64 else 1e-6
        return unit * self.W.shape[1] * _scale(*arrays)

    def describe(self):
        n_in, n = self.W.shape
        return (
            f"{'an' if self.activation[0] in 'aeiou' else 'a'} {self.activation} layer W of "
            f"shape {(n_in, n)} ({self.dtype}), "
            f"W_next of shape {self.W_next.shape}"
        )


def _case(rng, n_in=None, n=None, n_next=None, activation=None, dtype=_float64, m=None):
    n_in = int(rng.integers(3, 9)) if n_in is None else n_in
    n = int(rng.integers(4, 11)) if n is None else n
    n_next = int(rng.integers(2, 7)) if n_next is None else n_next
    m = int(rng.integers(20, 41)) if m is None else m
    activation = str(rng.choice(_ACTIVATIONS)) if activation is None else activation
    W = rng.normal(scale=float(rng.uniform(0.3, 1.5)), size=(n_in, n)).astype(dtype)
    b = rng.normal(scale=0.5, size=n).astype(dtype)
    W_next = rng.normal(size=(n, n_next)).astype(dtype)
    b_next = rng.normal(scale=0.5, size=n_next).astype(dtype)
    X = rng.normal(size=(m, n_in)).astype(dtype)
    return _Case(W, b, W_next, b_next, activation, X)


def _rebuild(case, W=None, b=None, W_next=None, b_next=None):
    """A new case from ``case`` with some arrays replaced (the data stays)."""
    return _Case(
        case.W if W is None else W,
        case.b if b is None else b,
        case.W_next if W_next is None else W_next,
        case.b_next if b_next is None else b_next,
        case.activation,
        case.X,
    )


def _expect_tuple(answer, n, names, what):
    if not _isinstance(answer, (_tuple, _list)) or _len(answer) != n:
        kind = type(answer).__name__
        size = f" of length {_len(answer)}" if _isinstance(answer, (_tuple, _list)) else ""
        raise AssertionError(f"{what} returned a {kind}{size}; expected a tuple ({names})")
    return answer


def _expect_dtype(value, dtype, what):
    got = getattr(value, "dtype", None)
    if not _isinstance(value, _ndarray) or got != dtype:
        got = got if got is not None else type(value).__name__
        raise AssertionError(
            f"{what} has dtype {got} for {dtype} weights; keep the weights' dtype "
            "(for example with .astype(W.dtype))"
        )


def _close(a, b, rtol, atol=1e-12):
    """True when arrays ``a`` and ``b`` of one shape agree within ``atol + rtol * |b|``."""
    if a.shape != b.shape:
        return False
    return bool((_absolute(a - b) <= atol + rtol * _absolute(b)).all())


def _scale(*arrays):
    """A typical magnitude of ``arrays``, for absolute tolerances."""
    return max(float(_absolute(x).max()) if x.size else 0.0 for x in arrays) + 1.0


# ------------------------------------------------------------------ scores
def _score_cases(rng, hidden):
    cases = [_case(rng, activation=str(rng.choice(("relu", "tanh"))))]
    if hidden:
        cases += [_case(rng, activation=act) for act in _ACTIVATIONS]
        cases += [
            _case(rng, n=1, activation="tanh"),
            _case(rng, n_next=1, activation="sigmoid"),
            _case(rng, activation="relu", dtype=_float32),
        ]
        dead = _case(rng, activation="relu")
        b = dead.b.copy()
        b[: max(1, b.size // 3)] = -100.0  # dead neurons: zero mean and variance
        cases.append(_rebuild(dead, b=b))
    return cases


def check_neuron_scores(neuron_scores, hidden=False):
    """Check ``neuron_scores(W, W_next, A)`` against ``minprune.NEURON_SCORES``."""
    checks.expect_callable(neuron_scores, "neuron_scores")
    rng = checks.rng()
    for case in _score_cases(rng, hidden):
        n_in, n = case.W.shape
        expected = {name: mp.NEURON_SCORES[name](case.net, 0, case.X) for name in _SCORE_NAMES}
        what = f"neuron_scores(W, W_next, A) with {case.describe()} and A of shape {case.A.shape}"
        answer = _call(neuron_scores, case.W, case.W_next, case.A, what=what)
        if not _isinstance(answer, _dict):
            raise AssertionError(
                f"{what} returned a {type(answer).__name__}; expected a dict of scores, "
                f"keys {list(_SCORE_NAMES)}"
            )
        missing = [name for name in _SCORE_NAMES if name not in answer]
        if missing:
            raise AssertionError(f"{what}: the dict has no key {missing[0]!r}")
        for name in _SCORE_NAMES:
            label = f"{what}: {name!r}"
            raw = checks.expect_array(answer[name], what=label)
            if raw.shape != (n,):
                if name.startswith("incoming") and raw.shape == (n_in,):
                    hint = "the incoming weights of neuron j are the column W[:, j]"
                elif name.startswith("outgoing") and raw.shape == (case.W_next.shape[1],):
                    hint = "the outgoing weights of neuron j are the row W_next[j, :]"
                elif raw.shape == (case.A.shape[0],):
                    hint = "average over the samples (the rows of A), one number per neuron"
                else:
                    hint = "one score per neuron"
                raise AssertionError(f"{label} has shape {raw.shape}; expected ({n},): {hint}")
            ref = expected[name]
            if not _close(raw, ref, case.tol, atol=1e-9 * _scale(ref)):
                A = case.A.astype(_float64)
                if name.endswith("_l2") and _close(raw, ref * ref, case.tol, 1e-9 * _scale(ref)):
                    raise AssertionError(
                        f"{label}: this is the sum of squares; the L2 norm is its square root"
                    )
                if name == "mean_activation" and _close(raw, A.mean(axis=0), 1e-5, 1e-9):
                    raise AssertionError(
                        f"{label}: average the absolute activation |a|, so that a tanh neuron "
                        "swinging between -1 and 1 does not score 0"
                    )
                if (
                    name == "activation_variance"
                    and A.shape[0] > 1
                    and _close(raw, A.var(axis=0, ddof=1), 1e-5, 1e-9)
                ):
                    raise AssertionError(
                        f"{label}: use the population variance, dividing by the number of "
                        "samples N (np.var's default), not N - 1"
                    )
                if name == "activation_variance" and _close(raw, _sqrt(ref), 1e-5, 1e-9):
                    raise AssertionError(
                        f"{label}: this is the standard deviation, not the variance"
                    )
                other = {"incoming_l1": "outgoing_l1", "incoming_l2": "outgoing_l2"}
                other.update({v: k for k, v in other.items()})
                if name in other and _close(raw, expected[other[name]], 1e-5, 1e-9):
                    raise AssertionError(
                        f"{label}: these are the {other[name].split('_')[0]} weights; incoming "
                        "weights are the column W[:, j], outgoing the row W_next[j, :]"
                    )
            checks.expect_close(raw, ref, what=label, rtol=case.tol, atol=1e-9 * _scale(ref))
    checks.passed("neuron_scores")


# --------------------------------------------------------- remove neurons
def _keep(rng, n, size=None):
    size = int(rng.integers(1, n + 1)) if size is None else size
    return np.sort(rng.choice(n, size=size, replace=False)).astype(np.int64)


def _remove_cases(rng, hidden):
    first = _case(rng, activation="sigmoid")
    size = max(1, first.W.shape[1] // 2)
    keep = _keep(rng, first.W.shape[1], size=size)
    while keep[-1] == size - 1:  # keep = range(k): then W_next[:k] would be the kept rows
        keep = _keep(rng, first.W.shape[1], size=size)
    cases = [(first, keep)]
    if hidden:
        for act in _ACTIVATIONS:
            case = _case(rng, activation=act)
            cases.append((case, _keep(rng, case.W.shape[1])))
        case = _case(rng, activation="sigmoid")
        cases.append((case, _keep(rng, case.W.shape[1], size=1)))
        case = _case(rng, activation="tanh")
        cases.append((case, np.arange(case.W.shape[1], dtype=np.int64)))  # keep everything
        case = _case(rng, activation="sigmoid", dtype=_float32)
        cases.append((case, _keep(rng, case.W.shape[1], size=2)))
        case = _case(rng, activation="relu", dtype=_float32)
        cases.append((case, _keep(rng, case.W.shape[1])))
    return cases


_NAMES4 = "W, b, W_next, b_next"


def _expect_layers(answer, shapes, dtype, what):
    """The learner's four arrays, checked for shape and dtype, as float64 arrays."""
    parts = _expect_tuple(answer, 4, _NAMES4, what)
    out = []
    for name, part, shape in zip(_NAMES4.split(", "), parts, shapes):
        array = checks.expect_array(part, shape=shape, what=f"the {name} of {what}")
        out.append(array)
    for name, part in zip(_NAMES4.split(", "), parts):
        _expect_dtype(part, dtype, f"the {name} of {what}")
    return out


def check_remove_neurons(remove_neurons, hidden=False):
    """Check ``remove_neurons(W, b, W_next, b_next, keep, activation)`` against minprune."""
    checks.expect_callable(remove_neurons, "remove_neurons")
    rng = checks.rng()
    for case, keep in _remove_cases(rng, hidden):
        small = mp.remove_neurons(case.net, 0, keep)
        masked = mp.neuron_mask(case.net.copy(), 0, keep)
        ref = [small.layers[0].W, small.layers[0].b, small.layers[1].W, small.layers[1].b]
        n_in, n = case.W.shape
        k, n_next = keep.size, case.W_next.shape[1]
        what = (
            f"remove_neurons(W, b, W_next, b_next, keep, {case.activation!r}) with "
            f"{case.describe()}, keeping {k} of {n} neurons"
        )
        answer = _call(
            remove_neurons,
            case.W,
            case.b,
            case.W_next,
            case.b_next,
            keep,
            case.activation,
            what=what,
        )
        shapes = [(n_in, k), (k,), (k, n_next), (n_next,)]
        W, b, W_next, b_next = _expect_layers(answer, shapes, case.dtype, what)
        for name, got, exp in zip(("W", "b", "W_next"), (W, b, W_next), ref):
            if not _close(got, exp.astype(_float64), 0.0, 0.0):
                raise AssertionError(
                    f"the {name} of {what} is not the kept neurons' part of the original "
                    "(columns keep of W, entries keep of b, rows keep of W_next, in keep's order)"
                )
        atol = case.atol(case.b_next, case.W_next)
        if not _close(b_next, ref[3].astype(_float64), case.tol, atol):
            gone = np.setdiff1d(np.arange(n), keep)
            f0 = structured._f0(case.net.layers[0])
            if f0 != 0 and _close(b_next, case.b_next.astype(_float64), 0.0, 0.0):
                raise AssertionError(
                    f"{what}: the outputs differ from the masked network's. A masked "
                    f"{case.activation} neuron (weights and bias zeroed) still outputs f(0) = "
                    f"{f0:g} into the next layer; add what the removed neurons send, "
                    "f(0) * W_next[j, :], to b_next"
                )
            fb = ACTIVATIONS[case.activation][0](case.b[gone].astype(_float64))
            if gone.size and _close(
                b_next, case.b_next + fb @ case.W_next[gone].astype(_float64), 1e-5, 1e-9
            ):
                raise AssertionError(
                    f"{what}: a masked neuron's bias is zeroed too, so it outputs f(0), not f(b_j)"
                )
            if f0 == 0 and gone.size:
                raise AssertionError(
                    f"{what}: for {case.activation}, f(0) = 0, so b_next must stay as it is"
                )
        checks.expect_close(b_next, ref[3], what=f"the b_next of {what}", rtol=case.tol, atol=atol)
        rebuilt = _Case(
            W.astype(case.dtype),
            b.astype(case.dtype),
            W_next.astype(case.dtype),
            b_next.astype(case.dtype),
            case.activation,
            case.X,
        )
        out, expected = rebuilt.net.forward(case.X), masked.forward(case.X)
        if not _close(out.astype(_float64), expected.astype(_float64), 1e-4, 1e-4):
            raise AssertionError(
                f"{what}: the smaller network's outputs differ from the masked one's"
            )
    checks.passed("remove_neurons")


# ----------------------------------------------------------------- folding
def _fold_cases(rng, hidden):
    """``(case, tol)``: layers with dead, input-less and saturated neurons."""

    def with_constants(act, dtype=_float64, everything=False, saturate=0.0, saturate_tol=0.0):
        case = _case(rng, activation=act, dtype=dtype)
        n = case.W.shape[1]
        chosen = np.arange(n) if everything else rng.choice(n, size=int(rng.integers(1, n - 1)))
        W, b = case.W.copy(), case.b.copy()
        for j in chosen:
            if act == "relu" and rng.random() < 0.5:
                b[j] = -100.0  # dead: z < 0 on every input
            elif saturate:
                # saturated sigmoid: nearly constant, its activation spread about tol / 2
                z = case.X.astype(_float64) @ W[:, j].astype(_float64)
                a = 1.0 / (1.0 + np.exp(-saturate))
                W[:, j] *= 0.5 * saturate_tol / (a * (1 - a) * float(z.max() - z.min()))
                b[j] = saturate
            else:
                W[:, j] = 0.0  # no inputs left: outputs the constant f(b_j)
        return _rebuild(case, W=W, b=b)

    cases = [(with_constants("sigmoid"), 0.0)]
    if hidden:
        cases += [
            (with_constants("relu"), 0.0),
            (with_constants("tanh"), 1e-6),
            (with_constants("sigmoid", saturate=9.0, saturate_tol=1e-4), 1e-4),
            (with_constants("sigmoid", everything=True), 0.0),
            (with_constants("relu", dtype=_float32), 0.0),
            (with_constants("sigmoid", dtype=_float32, saturate=6.0, saturate_tol=1e-3), 1e-3),
            (_case(rng, activation="tanh"), 0.0),  # nothing constant
        ]
    return cases


def check_fold_constant_neurons(fold_constant_neurons, hidden=False):
    """Check ``fold_constant_neurons(W, b, W_next, b_next, A, tol)`` against minprune."""
    checks.expect_callable(fold_constant_neurons, "fold_constant_neurons")
    rng = checks.rng()
    for case, tol in _fold_cases(rng, hidden):
        new, removed_ref = mp.fold_constant_neurons(case.net, 0, case.X, tol=tol)
        ref = [new.layers[0].W, new.layers[0].b, new.layers[1].W, new.layers[1].b]
        n_in, n = case.W.shape
        n_next = case.W_next.shape[1]
        what = (
            f"fold_constant_neurons(W, b, W_next, b_next, A, tol={tol:g}) with "
            f"{case.describe()} and A of shape {case.A.shape}"
        )
        answer = _call(
            fold_constant_neurons,
            case.W,
            case.b,
            case.W_next,
            case.b_next,
            case.A,
            tol,
            what=what,
        )
        parts = _expect_tuple(answer, 5, _NAMES4 + ", removed", what)
        removed = checks.expect_array(parts[4], what=f"the removed of {what}", dtype=int)
        if removed.ndim != 1:
            raise AssertionError(f"the removed of {what} has shape {removed.shape}; expected 1-D")
        A = case.A.astype(_float64)
        spread = A.max(axis=0) - A.min(axis=0)
        got, exp = set(removed.tolist()), set(removed_ref.tolist())
        if got != exp or removed.size != removed_ref.size:
            if exp == set(np.flatnonzero(spread <= tol).tolist()) - {0} and got == exp | {0}:
                raise AssertionError(
                    f"{what}: every neuron is constant; keep the lowest-index one so the layer "
                    "is not emptied"
                )
            if tol == 0 and got == set(np.flatnonzero(spread < tol).tolist()):
                raise AssertionError(
                    f"{what}: a neuron is constant when max - min <= tol; with tol = 0 that "
                    "means exactly constant (the comparison must include equality)"
                )
            if got - set(range(n)):
                raise AssertionError(f"{what}: removed holds indices outside 0..{n - 1}")
            raise AssertionError(
                f"{what}: removed differs from the neurons whose activation over A varies by "
                "at most tol (max - min over the rows of A)"
            )
        if removed.tolist() != _sorted(removed.tolist()):
            raise AssertionError(f"the removed of {what} must be sorted ascending")
        k = n - removed_ref.size
        shapes = [(n_in, k), (k,), (k, n_next), (n_next,)]
        W, b, W_next, b_next = _expect_layers(parts[:4], shapes, case.dtype, what)
        for name, got_a, exp_a in zip(("W", "b", "W_next"), (W, b, W_next), ref):
            if not _close(got_a, exp_a.astype(_float64), 0.0, 0.0):
                raise AssertionError(
                    f"the {name} of {what} is not the remaining neurons' part of the original "
                    "(in their original order)"
                )
        atol = case.atol(case.b_next, case.W_next)
        if not _close(b_next, ref[3].astype(_float64), case.tol, atol):
            gone = removed_ref
            if gone.size and _close(b_next, case.b_next.astype(_float64), 0.0, 0.0):
                raise AssertionError(
                    f"{what}: b_next is unchanged, but a constant neuron need not output 0 "
                    "(sigmoid(b_j), a saturated 1): add c_j * W_next[j, :] to b_next"
                )
            first_row = A[0, gone] @ case.W_next[gone].astype(_float64)
            if tol > 0 and _close(b_next, case.b_next + first_row, 1e-6, 1e-9):
                raise AssertionError(
                    f"{what}: take each constant neuron's value c_j as its mean over the rows of "
                    "A, not one sample"
                )
        checks.expect_close(b_next, ref[3], what=f"the b_next of {what}", rtol=case.tol, atol=atol)
    checks.passed("fold_constant_neurons")


# ----------------------------------------------------------------- merging
def _merge_cases(rng, hidden):
    """``(case, tol)``: layers holding exact and near duplicates of some neurons."""

    def with_duplicates(act, tol, dtype=_float64, chain=False):
        case = _case(rng, activation=act, n=int(rng.integers(4, 8)), dtype=dtype)
        W, b = case.W.astype(_float64), case.b.astype(_float64)
        n = W.shape[1]
        extra_W, extra_b = [], []
        for i, j in enumerate(rng.choice(n, size=int(rng.integers(2, n + 1)), replace=False)):
            copies = int(rng.integers(1, 3))
            for _ in range(copies):
                # the first neuron's copies lie within tol of it: something always merges
                scales = [0.0, 0.4] if i == 0 else [0.0, 0.4, 3.0]
                noise = rng.uniform(-1, 1, size=W.shape[0] + 1) * float(rng.choice(scales))
                extra_W.append(W[:, j] + tol * noise[:-1])
                extra_b.append(b[j] + tol * noise[-1])
        if chain:
            # j, then a neuron 0.8 tol away, then one 1.6 tol away: only the first two merge
            step = np.full(W.shape[0] + 1, 0.8 * tol)
            for s in (1, 2):
                extra_W.append(W[:, 0] + s * step[:-1])
                extra_b.append(b[0] + s * step[-1])
        W = np.hstack([W, np.array(extra_W).T])
        b = np.concatenate([b, extra_b])
        order = rng.permutation(W.shape[1])
        if chain:
            # the middle of the chain after both ends: were it first, its group would
            # take both ends, and merging through the chain would give the same groups
            where = np.argsort(order)
            ends, middle = (0, W.shape[1] - 1), W.shape[1] - 2
            last = max(where[e] for e in ends)
            if where[middle] < last:
                order[where[middle]], order[last] = order[last], order[where[middle]]
        W, b = W[:, order].astype(dtype), b[order].astype(dtype)
        W_next = rng.normal(size=(W.shape[1], case.W_next.shape[1])).astype(dtype)
        return _Case(W, b, W_next, case.b_next, act, case.X)

    cases = [(with_duplicates("relu", 1e-3), 1e-3)]
    if hidden:
        cases += [
            (with_duplicates("sigmoid", 0.0), 0.0),
            (with_duplicates("tanh", 1e-2, chain=True), 1e-2),
            (with_duplicates("identity", 0.05, chain=True), 0.05),
            (with_duplicates("relu", 1e-3, dtype=_float32), 1e-3),
            (_case(rng, activation="tanh"), 1e-6),  # no duplicates
        ]
    return cases


def check_merge_duplicate_neurons(merge_duplicate_neurons, hidden=False):
    """Check ``merge_duplicate_neurons(W, b, W_next, b_next, tol)`` against minprune."""
    checks.expect_callable(merge_duplicate_neurons, "merge_duplicate_neurons")
    rng = checks.rng()
    for case, tol in _merge_cases(rng, hidden):
        new, groups = mp.merge_duplicate_neurons(case.net, 0, tol=tol)
        ref = [new.layers[0].W, new.layers[0].b, new.layers[1].W, new.layers[1].b]
        n_in, n = case.W.shape
        k, n_next = ref[1].size, case.W_next.shape[1]
        what = f"merge_duplicate_neurons(W, b, W_next, b_next, tol={tol:g}) with {case.describe()}"
        answer = _call(
            merge_duplicate_neurons, case.W, case.b, case.W_next, case.b_next, tol, what=what
        )
        parts = _expect_tuple(answer, 4, _NAMES4, what)
        width = getattr(checks.expect_array(parts[1], what=f"the b of {what}"), "shape", None)
        if width != (k,):
            kept = width[0] if width and _len(width) == 1 else width
            if width == (0,):
                hint = "every neuron belongs to a group, and a neuron is within tol of itself"
            elif width and _len(width) == 1 and width[0] < k:
                hint = (
                    "too many neurons merged: compare each candidate with the group's first "
                    "neuron (max |c_i - c_j| <= tol), not with the last one added"
                )
            elif width and _len(width) == 1:
                hint = (
                    "too few neurons merged: a neuron joins the group of the first earlier "
                    "ungrouped neuron whose column [W[:, j]; b[j]] is within tol (<= tol)"
                )
            else:
                hint = "b must be 1-D"
            raise AssertionError(f"{what} keeps {kept} neurons; expected {k}: {hint}")
        W, b, W_next, b_next = _expect_layers(
            parts, [(n_in, k), (k,), (k, n_next), (n_next,)], case.dtype, what
        )
        if not (_close(W, ref[0].astype(_float64), 0.0, 0.0) and _close(b, ref[1], 0.0, 0.0)):
            raise AssertionError(
                f"{what}: the kept neurons' W and b differ: keep the first (lowest-index) neuron "
                "of each group unchanged, and the neurons in their original order"
            )
        atol = case.atol(case.W_next)
        if not _close(W_next, ref[2].astype(_float64), case.tol, atol):
            if groups and _close(W_next, _plain_rows(case, groups), 0.0, 0.0):
                raise AssertionError(
                    f"{what}: the merged neurons' outgoing rows were dropped; add each one "
                    "into the kept neuron's row of W_next, or the next layer loses their signal"
                )
            raise AssertionError(
                f"the W_next of {what} differs: the kept neuron's row is the sum of its "
                "group's rows"
            )
        checks.expect_close(
            b_next, case.b_next, what=f"the b_next of {what}", rtol=case.tol, atol=1e-12
        )
    checks.passed("merge_duplicate_neurons")


def _plain_rows(case, groups):
    """``W_next`` with the merged neurons' rows dropped and nothing added."""
    merged = {i for g in groups for i in g.merged}
    rows = [j for j in range(case.W.shape[1]) if j not in merged]
    return case.W_next[rows].astype(_float64)
