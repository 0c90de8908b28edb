"""Exercise 03.3: ``global_sparsity_masks(Ws, sparsity)``, one ranking over all arrays."""

import numpy as np

from minprune_course import checks

from . import _t03

GRADE_ID = "t03_global_test"
ANSWER = "global_sparsity_masks"
SIGNATURE = "(Ws, sparsity)"
REFERENCE = ("minprune.sparsity_masks",)
MISTAKES = {
    "one_mask": "expected a list of masks, one per array of Ws (split the ranking's mask "
    "back into the arrays' shapes)",
    "inverted": "the masks are inverted; a mask holds 1 where the weight is kept",
    "as_layerwise": "this prunes each array on its own; rank all arrays together",
    "signed": "rank the magnitudes |w|, not the signed w: a large negative weight matters "
    "as much as a large positive one",
    "unstable": "the right magnitudes are kept but not the right weights among equal "
    "magnitudes; prune the lower index first in the concatenation of W.ravel() for the "
    "arrays in list order: a stable sort does this",
    "floor": "int() rounds down; the arrays together lose round(sparsity * N) of their N "
    "weights (Python's round, a half to the even integer)",
}


def _expected(Ws, sparsity):
    (reference,) = checks.public(*REFERENCE)
    return reference([np.abs(W) for W in Ws], sparsity, scope="global")


def _mistakes(Ws, sparsity):
    """What each known mistake returns for ``Ws`` (all but the structural ``one_mask``)."""
    (reference,) = checks.public(*REFERENCE)
    flat = _t03.flat_abs(Ws)
    k = round(sparsity * flat.size)
    signed = np.concatenate([W.ravel().astype(float) for W in Ws])
    return {
        "inverted": [1 - e for e in _expected(Ws, sparsity)],
        "as_layerwise": reference([np.abs(W) for W in Ws], sparsity, scope="layer"),
        "signed": _t03.split(_t03.lowest(signed, k), Ws),
        "unstable": _t03.split(_t03.lowest(flat, k, ties="reversed"), Ws),
        "floor": _t03.split(_t03.lowest(flat, int(sparsity * flat.size)), Ws),
    }


def _plant(Ws, sparsity):
    """A tie straddling the global cut."""
    flat = np.concatenate([W.ravel() for W in Ws])
    _t03.tie_at_cut(flat, round(sparsity * flat.size))
    for W, part in zip(Ws, _t03.split(flat, Ws), strict=True):
        W[...] = part


def cases(rng, hidden):
    """First a list of arrays on a grid with a tie straddling the global cut, on which
    every known mistake gives its own wrong masks; hidden: ``_t03.hidden_sparsity_cases``."""
    yield _t03.first_case(rng, _plant, _mistakes, _expected)
    if hidden:
        yield from _t03.hidden_sparsity_cases(rng)


def check(answer, hidden=False, seed=None):
    """``answer(Ws, sparsity)`` is a list of masks equal to ``mp.sparsity_masks(scope="global")``."""
    (reference,) = checks.public(*REFERENCE)
    for Ws, sparsity in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = _expected(Ws, sparsity)
        mistakes = _mistakes(Ws, sparsity)
        what = f"global_sparsity_masks(Ws, {sparsity:g}) with {_t03.describe(Ws)}"
        got = checks.call(
            answer, Ws, sparsity, what=what, without=[reference], names=("Ws", "sparsity")
        )
        masks = _t03.expect_masks(got, Ws, what, MISTAKES["one_mask"])
        _t03.no_mistake(what, masks, expected, mistakes, MISTAKES)
        for j, m in enumerate(masks):
            checks.expect_mask(m, what=f"mask {j} of {what}")
        pruned = sum(int((m == 0).sum()) for m in masks)
        n = sum(W.size for W in Ws)
        checks.expect_true(
            pruned == sum(int((e == 0).sum()) for e in expected),
            f"{what} prunes {pruned} of {n} weights in all; the arrays together lose "
            "round(sparsity * N) of their N weights (Python's round)",
        )
        differs = any((m != e).any() for m, e in zip(masks, expected, strict=True))
        if differs and _t03.same_magnitudes_kept(Ws, masks, expected, "global"):
            checks.fail(f"{what}: {MISTAKES['unstable']}")  # ties broken another way
        for j, (m, e) in enumerate(zip(masks, expected, strict=True)):
            checks.expect_equal(m, e, f"mask {j} of {what}")
    checks.passed()
