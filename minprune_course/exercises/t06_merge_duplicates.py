"""Exercise 06.4: ``merge_duplicate_neurons(W, b, W_next, b_next, tol)``.

Neurons are grouped greedily in index order: an ungrouped neuron ``j`` takes every later
ungrouped neuron whose column ``[W[:, i]; b[i]]`` is within ``tol`` of its own
(largest absolute difference); the group keeps ``j`` and sums the group's rows of ``W_next``.

The cases are built on a grid of multiples of 1/8 with ``tol`` a power of two, so every
difference of columns is exact in float32 and float64 alike: a distance equal to ``tol``
is a tie in either, and no other distance comes near ``tol``.
"""

import numpy as np

import minprune as mp
from minprune_course import checks

from . import _t06

GRADE_ID = "t06_merge_duplicates_test"
ANSWER = "merge_duplicate_neurons"
SIGNATURE = "(W, b, W_next, b_next, tol)"
REFERENCE = ("minprune.merge_duplicate_neurons",)
MISTAKES = {
    "last_neuron": "a candidate was compared with the neuron added to the group last; compare "
    "each candidate with the group's first neuron c_j (max |c_i - c_j| <= tol), so a chain "
    "of small steps does not pull in a neuron more than tol away from c_j",
    "chained": "a group grew through its members (neighbours of neighbours); a neuron joins "
    "only when it is within tol of the group's first neuron c_j itself",
    "ignores_bias": "neurons with equal weights but different biases were merged; compare the "
    "whole column [W[:, j]; b[j]], bias included",
    "strict": "a neuron exactly tol away was not merged; merge when max |c_i - c_j| <= tol "
    "(equality included)",
    "rows_dropped": "the merged neurons' outgoing rows were dropped; add each one into the "
    "kept neuron's row of W_next, or the next layer loses their signal",
    "averaged": "a kept neuron's row of W_next is the sum of its group's rows, not their mean: "
    "each merged neuron sent its own signal",
    "merges_nothing": "nothing was merged; neurons whose columns [W[:, j]; b[j]] differ by at "
    "most tol belong to one group",
    "in_place": "changed its argument W_next in place; the exercise asks you to leave the "
    "inputs as they were",
}


def _far_columns(rng, count, rows):
    """``count`` columns of multiples of 1/8 in [-3, 3], pairwise at least 1 apart."""
    columns = []
    while len(columns) < count:
        c = rng.integers(-24, 25, size=rows) / 8
        if all(np.abs(c - other).max() >= 1 for other in columns):
            columns.append(c)
    return columns


def _signs(rng, rows):
    return rng.choice([-1.0, 1.0], size=rows)


def _merge_layers(rng, activation, tol, dtype=np.float64):
    """Layers holding, around columns far apart: exact copies of a neuron and (tol > 0)
    one exactly tol away; a neuron with the same weights and a bias 1/4 away; and
    (tol > 0) two chains c, c + 0.75 tol s, c + 1.5 tol s, the middle one after both ends
    in one and between them in the other, so only the first two of each merge."""
    n_in = int(rng.integers(3, 7))
    rows = n_in + 1
    singles = int(rng.integers(1, 3))
    far = _far_columns(rng, 4 + singles, rows)
    copies = [far[0]] * int(rng.integers(2, 4))
    if tol > 0:
        tie = _signs(rng, rows) * tol / 2
        tie[int(rng.integers(rows))] *= 2
        copies.append(far[0] + tie)
    bias = far[1].copy()
    bias[-1] += 0.25
    groups = [copies, [far[1], bias]] + [[c] for c in far[4:]]
    if tol > 0:
        for base, order in ((far[2], (0, 1, 2)), (far[3], (0, 2, 1))):
            step = _signs(rng, rows) * 0.75 * tol
            chain = [base, base + step, base + 2 * step]
            groups.append([chain[i] for i in order])
    else:
        groups += [[far[2]], [far[3]]]
    n = sum(len(g) for g in groups)
    places = rng.permutation(n)
    C = np.zeros((rows, n))
    start = 0
    for group in groups:  # each group keeps its order, at random places among the others
        where = np.sort(places[start : start + len(group)])
        C[:, where] = np.array(group).T
        start += len(group)
    n_next, m = int(rng.integers(2, 7)), int(rng.integers(10, 21))
    W_next = rng.normal(size=(n, n_next))
    b_next = rng.normal(scale=0.5, size=n_next)
    X = rng.normal(size=(m, n_in))
    arrays = (C[:-1], C[-1], W_next, b_next)
    return _t06.Layers(*(x.astype(dtype) for x in arrays), activation, X.astype(dtype))


def cases(rng, hidden):
    """``(layers, tol)``: relu layers with tol = 1/16 and sigmoid ones with tol = 0; the
    hidden battery adds tanh and identity, other tols, float32, and a layer whose neurons
    all differ."""
    yield _merge_layers(rng, "relu", 1 / 16), 1 / 16
    yield _merge_layers(rng, "sigmoid", 0.0), 0.0
    if hidden:
        yield _merge_layers(rng, "tanh", 1 / 32), 1 / 32
        yield _merge_layers(rng, "identity", 1 / 64), 1 / 64
        yield _merge_layers(rng, "relu", 1 / 16, dtype=np.float32), 1 / 16
        yield _merge_layers(rng, "sigmoid", 0.0, dtype=np.float32), 0.0
        yield _t06.random_layers(rng, "tanh"), 2.0**-20  # no two neurons alike


def _owners(C, tol, rule="first"):
    """The group (its first neuron) of each column of ``C``, grouping by ``rule``."""
    n = C.shape[1]
    owner = np.full(n, -1)
    for j in range(n):
        if owner[j] >= 0:
            continue
        owner[j] = j
        if rule in ("first", "strict"):
            gap = np.abs(C - C[:, [j]]).max(axis=0)
            owner[(owner < 0) & ((gap < tol) if rule == "strict" else (gap <= tol))] = j
        elif rule == "last":
            last = j
            for i in range(j + 1, n):
                if owner[i] < 0 and np.abs(C[:, i] - C[:, last]).max() <= tol:
                    owner[i], last = j, i
        else:  # "chained"
            frontier = [j]
            while frontier:
                gap = np.abs(C - C[:, [frontier.pop()]]).max(axis=0)
                new = np.flatnonzero((owner < 0) & (gap <= tol))
                owner[new] = j
                frontier += list(new)
    return owner


def _merged(case, owner, rows="sum"):
    """The layers with one neuron per group of ``owner``, as float64 arrays."""
    W, b, W_next, b_next = (
        x.astype(np.float64) for x in (case.W, case.b, case.W_next, case.b_next)
    )
    n = W.shape[1]
    keep = np.flatnonzero(owner == np.arange(n))
    summed = np.zeros(W_next.shape)
    np.add.at(summed, owner, W_next)
    if rows == "mean":
        summed /= np.bincount(owner, minlength=n)[:, None].clip(1)
    elif rows == "dropped":
        summed = W_next
    return [W[:, keep], b[keep], summed[keep], b_next]


def _mistakes(case, tol):
    """What each mistake returns on ``case``."""
    C = np.vstack([case.W, case.b[None, :]]).astype(np.float64)
    owner = _owners(C, tol)
    return {
        "last_neuron": _merged(case, _owners(C, tol, "last")),
        "chained": _merged(case, _owners(C, tol, "chained")),
        "ignores_bias": _merged(case, _owners(C[:-1], tol)),
        "strict": _merged(case, _owners(C, tol, "strict")),
        "rows_dropped": _merged(case, owner, "dropped"),
        "averaged": _merged(case, owner, "mean"),
        "merges_nothing": _merged(case, np.arange(C.shape[1])),
    }


def check(answer, hidden=False, seed=None):
    """``answer(W, b, W_next, b_next, tol)`` equals ``mp.merge_duplicate_neurons``."""
    references = checks.public(*REFERENCE)
    for case, tol in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = list(_t06.layers_of(mp.merge_duplicate_neurons(case.net, 0, tol=tol)[0]))
        n_in, n = case.W.shape
        k, n_next = expected[1].size, case.W_next.shape[1]
        what = f"merge_duplicate_neurons(W, b, W_next, b_next, tol={tol:g}) with {case.describe()}"
        got = _t06.call(answer, case, tol, what=what, names=("tol",), reference=references)
        parts = list(_t06.expect_parts(got, _t06.NAMES, what))
        rtol, atol = case.rtol, case.atol(case.W_next)
        checks.expect_no_mistake(
            parts, expected, _mistakes(case, tol), _t06.hints(MISTAKES, what), rtol, atol
        )
        b = checks.expect_array(parts[1], what=f"the b of {what}")
        if b.ndim == 1 and b.size < k:
            checks.fail(
                f"{what} keeps {b.size} neurons, too few: a neuron joins a group only when "
                "its column [W[:, i]; b[i]] is within tol of the group's first neuron"
            )
        if b.ndim == 1 and b.size > k:
            checks.fail(
                f"{what} keeps {b.size} neurons, too many: every later ungrouped neuron within "
                "tol (<= tol) of an ungrouped neuron's column joins its group"
            )
        shapes = [(n_in, k), (k,), (k, n_next), (n_next,)]
        arrays = _t06.expect_layers(
            parts, shapes, case.dtype, what, "keep the weights' dtype (.astype(W.dtype))"
        )
        _t06.expect_same(
            arrays[:2],
            expected[:2],
            what,
            "differs from the kept neurons' columns: keep the first (lowest-index) neuron of "
            "each group unchanged, and the kept neurons in their original order",
        )
        checks.expect_close(
            arrays[2],
            expected[2],
            what=f"the W_next of {what} (a kept neuron's row is the sum of its group's rows)",
            rtol=rtol,
            atol=atol,
        )
        checks.expect_close(arrays[3], expected[3], what=f"the b_next of {what}", rtol=0, atol=0)
    checks.passed()
