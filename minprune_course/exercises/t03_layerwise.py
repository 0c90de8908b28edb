"""Exercise 03.2: ``layerwise_sparsity_masks(Ws, sparsity)``, the same sparsity in every array."""

import numpy as np

from minprune_course import checks

from . import _t03

GRADE_ID = "t03_layerwise_test"
ANSWER = "layerwise_sparsity_masks"
SIGNATURE = "(Ws, sparsity)"
REFERENCE = ("minprune.sparsity_masks",)
MISTAKES = {
    "one_mask": "expected a list of masks, one per array of Ws",
    "inverted": "the masks are inverted; a mask holds 1 where the weight is kept",
    "as_global": "this ranks all arrays together; prune each array on its own",
    "signed": "rank the magnitudes |w|, not the signed w: a large negative weight matters "
    "as much as a large positive one",
    "unstable": "the right magnitudes are kept but not the right weights among equal "
    "magnitudes; prune the lower flat index first (row-major through each array): a "
    "stable sort does this",
    "floor": "int() rounds down; each array loses round(sparsity * n) of its n weights "
    "(Python's round, a half to the even integer)",
    "quantile": "a threshold at a quantile prunes all the weights tied at the cut, or "
    "interpolates past it; prune exactly round(sparsity * n) weights of each array, ties "
    "by flat index",
}


def _expected(Ws, sparsity):
    (reference,) = checks.public(*REFERENCE)
    return reference([np.abs(W) for W in Ws], sparsity, scope="layer")


def _mistakes(Ws, sparsity):
    """What each known mistake returns for ``Ws`` (all but the structural ``one_mask``)."""
    (reference,) = checks.public(*REFERENCE)

    def each(select):
        return [select(W).reshape(W.shape) for W in Ws]

    def k(W):
        return round(sparsity * W.size)

    return {
        "inverted": [1 - e for e in _expected(Ws, sparsity)],
        "as_global": reference([np.abs(W) for W in Ws], sparsity, scope="global"),
        "signed": each(lambda W: _t03.lowest(W.ravel().astype(float), k(W))),
        "unstable": each(lambda W: _t03.lowest(_t03.flat_abs([W]), k(W), ties="reversed")),
        "floor": each(lambda W: _t03.lowest(_t03.flat_abs([W]), int(sparsity * W.size))),
        "quantile": each(lambda W: np.abs(W) > np.quantile(np.abs(W), sparsity)),
    }


def _plant(Ws, sparsity):
    for W in Ws:
        _t03.tie_at_cut(W, round(sparsity * W.size))


def cases(rng, hidden):
    """First a list of arrays on a grid with a tie straddling each array's cut, on which
    every known mistake gives its own wrong masks; hidden: ``_t03.hidden_sparsity_cases``."""
    yield _t03.first_case(rng, _plant, _mistakes, _expected)
    if hidden:
        yield from _t03.hidden_sparsity_cases(rng)


def check(answer, hidden=False, seed=None):
    """``answer(Ws, sparsity)`` is a list of masks equal to ``mp.sparsity_masks(scope="layer")``."""
    (reference,) = checks.public(*REFERENCE)
    for Ws, sparsity in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = _expected(Ws, sparsity)
        mistakes = _mistakes(Ws, sparsity)
        what = f"layerwise_sparsity_masks(Ws, {sparsity:g}) with {_t03.describe(Ws)}"
        got = checks.call(
            answer, Ws, sparsity, what=what, without=[reference], names=("Ws", "sparsity")
        )
        masks = _t03.expect_masks(got, Ws, what, MISTAKES["one_mask"])
        _t03.no_mistake(what, masks, expected, mistakes, MISTAKES)
        for j, (m, e) in enumerate(zip(masks, expected, strict=True)):
            checks.expect_mask(m, what=f"mask {j} of {what}")
            pruned, right = int((m == 0).sum()), int((e == 0).sum())
            checks.expect_true(
                pruned == right,
                f"mask {j} of {what} prunes {pruned} of {m.size} weights; each array loses "
                "round(sparsity * n) of its n weights (Python's round)",
            )
        differs = any((m != e).any() for m, e in zip(masks, expected, strict=True))
        if differs and _t03.same_magnitudes_kept(Ws, masks, expected, "layer"):
            checks.fail(f"{what}: {MISTAKES['unstable']}")  # ties broken another way
        for j, (m, e) in enumerate(zip(masks, expected, strict=True)):
            checks.expect_equal(m, e, f"mask {j} of {what}")
    checks.passed()
