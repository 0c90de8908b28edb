"""Exercise 11.2: ``mask_2to4(W)``, keep the 2 largest ``|w|`` of every 4 consecutive entries.

Compared with ``minprune.torchkit.mask_2to4`` on random weights with many tied magnitudes.
The first case is drawn until every known mistake gives a mask of its own there (a tie
straddling the kept pair, a large negative weight, groups read down the columns that differ
from the rows'), so each mistake is named by its hint on every draw.
"""

import torch

from minprune_course import checks

from . import _t11

GRADE_ID = "t11_mask_2to4_test"
ANSWER = "mask_2to4"
SIGNATURE = "(W)"
REFERENCE = ("minprune.torchkit.mask_2to4",)
MISTAKES = {
    "inverted": "the mask is inverted: 1 marks the 2 entries of largest |w| in each group "
    "(the weights kept), 0 the 2 removed",
    "signed": "rank by the magnitude |w|, not by the signed value: a large negative weight is kept",
    "later_on_ties": "among equal |w| keep the earlier entry (the lower column index), as a "
    "stable descending sort does",
    "columns": "the groups run down the columns; a group is 4 consecutive entries of a row, "
    "W[i, 4g:4g+4]",
    "wrong_dtype": "return a mask of W's dtype holding 0.0 and 1.0 (torch.zeros_like(W) is "
    "one), not booleans or another dtype",
    "numpy": "return a torch tensor like W (torch.zeros_like, scatter_), not a NumPy array "
    "or a list",
}


def _tied(rng, rows, cols, dtype, levels):
    """Random weights on a grid of ``levels`` magnitudes with random signs: many ties."""
    values = rng.integers(0, levels, size=(rows, cols)) * rng.choice([-1.0, 1.0], (rows, cols))
    return torch.tensor(values * float(rng.uniform(0.1, 1.0)), dtype=dtype)


def _top2(values, earlier=True):
    """Keep the 2 largest of each row of 4 (``values``: (groups, 4)); ties to the earlier
    entry, or with ``earlier=False`` to the later one."""
    if earlier:
        order = torch.sort(values, dim=1, descending=True, stable=True).indices[:, :2]
    else:
        order = torch.sort(values, dim=1, stable=True).indices[:, 2:]
    return torch.zeros_like(values).scatter_(1, order, 1.0)


def _masks(W):
    """The right mask and each mistake's, as float64 tensors of ``W``'s shape."""
    W64 = W.detach().to(torch.float64)
    mag = W64.abs()
    right = _top2(mag.reshape(-1, 4)).reshape(W.shape)
    smallest = _top2(-mag.reshape(-1, 4)).reshape(W.shape)  # keeps the 2 smallest |w|
    columns = _top2(mag.t().contiguous().reshape(-1, 4)).reshape(mag.t().shape).t()
    return right, {
        "inverted": 1 - right,
        "inverted_smallest": smallest,
        "signed": _top2(W64.reshape(-1, 4)).reshape(W.shape),
        "later_on_ties": _top2(mag.reshape(-1, 4), earlier=False).reshape(W.shape),
        "columns": columns.contiguous(),
    }


def _shows_every_mistake(W):
    right, mistakes = _masks(W)
    return _t11.distinct(right.numpy(), {k: v.numpy() for k, v in mistakes.items()})


def cases(rng, hidden):
    """Weight tensors: a tied float32 matrix drawn until it shows every mistake, a random
    one; the hidden battery adds a single group, a 16 x 64 matrix, float64 and float16 ties,
    zeros, a constant and all-negative weights."""
    while True:
        shape = (int(rng.integers(2, 7)), 4 * int(rng.integers(2, 5)))
        W = _tied(rng, *shape, torch.float32, levels=3)
        if _shows_every_mistake(W):
            break
    yield W
    yield torch.tensor(rng.normal(size=shape), dtype=torch.float32)
    if hidden:
        yield torch.tensor(rng.normal(size=(1, 4)), dtype=torch.float64)
        yield torch.tensor(rng.normal(size=(16, 64)), dtype=torch.float32)
        yield _tied(rng, 8, 16, torch.float64, levels=2)
        yield _tied(rng, 4, 8, torch.float16, levels=4)
        yield torch.zeros(3, 8)
        yield torch.full((2, 12), -0.5)
        yield torch.tensor(-abs(rng.normal(size=(5, 8))), dtype=torch.float32)


def _as_mask(answer, W, what):
    """The answer as a float64 array, after checking it is a tensor of W's shape and dtype."""
    if not isinstance(answer, torch.Tensor):
        name = "None" if answer is None else type(answer).__name__
        checks.fail(f"{what} returned a {name}: {MISTAKES['numpy']}")
    plain = torch.Tensor.as_subclass(answer, torch.Tensor).detach().cpu()
    checks.expect_true(
        tuple(plain.shape) == tuple(W.shape),
        f"{what} has shape {tuple(plain.shape)}; expected W's shape {tuple(W.shape)}",
    )
    checks.expect_true(
        plain.dtype == W.dtype, f"{what} has dtype {plain.dtype}: {MISTAKES['wrong_dtype']}"
    )
    return checks.expect_mask(plain.to(torch.float64).numpy(), shape=tuple(W.shape), what=what)


def check(answer, hidden=False, seed=None):
    """``answer(W)`` is a 0/1 tensor of W's shape and dtype equal to ``tk.mask_2to4(W)``."""
    (reference,) = checks.public(*REFERENCE)
    for W in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = reference(W).to(torch.float64).numpy()
        what = f"mask_2to4(W) with W of shape {tuple(W.shape)}, dtype {W.dtype}"
        got = checks.call(answer, W, what=what, without=[reference], names=("W",))
        mask = _as_mask(got, W, what)
        _, mistakes = _masks(W)
        mistakes = {k: v.numpy() for k, v in mistakes.items()}
        hints = {**MISTAKES, "inverted_smallest": MISTAKES["inverted"]}
        _t11.no_mistake(what, mask, expected, mistakes, hints)
        kept = mask.reshape(-1, 4).sum(axis=1)
        checks.expect_true(
            bool((kept == 2).all()),
            f"{what}: {int((kept != 2).sum())} of {kept.size} groups of 4 do not keep exactly "
            "2 entries; each group W[i, 4g:4g+4] keeps 2",
        )
        wrong = int((mask.reshape(-1, 4) != expected.reshape(-1, 4)).any(axis=1).sum())
        checks.expect_true(
            wrong == 0,
            f"{what}: {wrong} of {kept.size} groups do not keep their two largest |w| "
            "(the earlier entry on ties)",
        )
    checks.passed()
