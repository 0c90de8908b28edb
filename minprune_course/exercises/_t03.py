"""Inputs shared by the exercises of topic 03: random weights, shapes, descriptions."""

import numpy as np

from minprune_course import checks


def shape(rng, low=2, high=9):
    """A random 2-D shape, each side in ``[low, high)``."""
    return tuple(int(n) for n in rng.integers(low, high, size=2))


def weights(rng, shape, dtype="float64", ties=False):
    """Random weights of ``shape`` at a random scale; with ``ties``, on a coarse grid.

    On the grid many magnitudes are equal, zeros included, and the grid step is a power
    of two, so every value is exact in float32 and float64 alike.
    """
    scale = float(rng.uniform(0.05, 2.0))
    W = rng.normal(scale=scale, size=shape)
    if ties:
        step = 2.0 ** np.floor(np.log2(scale / 2))
        W = np.round(W / step) * step
    return W.astype(dtype)


def describe(Ws):
    """``"W of shape (3, 4), dtype float64"`` or ``"2 arrays of shapes [(3, 4), (5,)]"``."""
    if isinstance(Ws, np.ndarray):
        return f"W of shape {Ws.shape}, dtype {Ws.dtype}"
    return f"{len(Ws)} arrays of shapes {[W.shape for W in Ws]}, dtype {Ws[0].dtype}"


def no_mistake(what, answer, expected, mistakes, hints, rtol=1e-7, atol=1e-9):
    """``checks.expect_no_mistake``, its hint prefixed with ``what`` (which call, which step)."""
    try:
        checks.expect_no_mistake(answer, expected, mistakes, hints, rtol, atol)
    except AssertionError as exc:
        checks.fail(f"{what}: {exc}")


# ---------------------------------------------------------------- sparsity targets
def lowest(flat, k, ties="index"):
    """0/1 keep-vector dropping the ``k`` lowest entries of ``flat``.

    ``ties="index"`` prunes the lower index first among equal values (a stable sort),
    ``"reversed"`` the higher one (what a tie-breaking mistake does).
    """
    keep = np.ones(flat.size)
    if ties == "index":
        order = np.argsort(flat, kind="stable")
    else:
        order = np.argsort(-flat, kind="stable")[::-1]
    keep[order[:k]] = 0
    return keep


def split(flat, Ws):
    """``flat`` cut into arrays of the shapes of ``Ws``, in list order."""
    ends = np.cumsum([W.size for W in Ws])[:-1]
    return [part.reshape(W.shape) for part, W in zip(np.split(flat, ends), Ws, strict=True)]


def flat_abs(Ws):
    """``|w|`` of every array, concatenated in list order (row-major within each), float64."""
    return np.concatenate([np.abs(W).ravel().astype(np.float64) for W in Ws])


def tie_at_cut(W, k):
    """Give the smallest kept ``|w|`` of ``W`` (any shape) the magnitude of the largest
    pruned one, in place, keeping its sign: with ``k`` pruned, two equal magnitudes then
    sit on both sides of the cut and only the lower flat index may be pruned."""
    if not 0 < k < W.size:
        return
    order = np.argsort(np.abs(W).ravel(), kind="stable")
    low, high = W.flat[order[k - 1]], W.flat[order[k]]
    W.flat[order[k]] = abs(low) if high >= 0 else -abs(low)


def hidden_sparsity_cases(rng):
    """``(Ws, sparsity)`` cases the hidden batteries of both scopes add: arrays without
    ties, 1-D and 3-D arrays, float32, sparsity * n exactly a half (Python's round takes
    the even integer), a sparsity of 0 and layers of very different sizes."""
    yield [weights(rng, shape(rng)) for _ in range(3)], float(rng.uniform(0.05, 0.95))
    yield [weights(rng, (int(rng.integers(3, 12)),), ties=True)], float(rng.uniform(0.1, 0.9))
    yield [weights(rng, (2, 3, 4), ties=True), weights(rng, (5, 2))], 0.4
    yield [weights(rng, shape(rng), "float32", ties=True) for _ in range(2)], 0.55
    yield [weights(rng, (2, 5)), weights(rng, (6,))], 0.25  # 2.5 -> 2 and 1.5 -> 2
    yield [weights(rng, shape(rng), ties=True) for _ in range(2)], 0.0
    yield [weights(rng, (3, 3), ties=True), weights(rng, (4, 4)) * 100], 0.9


def first_case(rng, plant, mistakes, expected):
    """The first case of a sparsity check: ``(Ws, sparsity)`` on which every one of
    ``mistakes(Ws, sparsity)`` differs from ``expected(Ws, sparsity)`` and from the others.

    ``plant(Ws, sparsity)`` puts ties at the cuts in place. Draws until a case shows every
    mistake (a few draws at most); the visible check and the hidden battery both start
    with such a case, so each mistake fails with its own hint on every draw.
    """
    for _ in range(1000):
        sparsity = float(rng.choice([0.3, 0.4, 0.6, 0.7, 0.8]))
        Ws = [weights(rng, shape(rng), ties=True) for _ in range(int(rng.integers(2, 4)))]
        big = int(rng.integers(len(Ws)))
        W = Ws[big]
        W.flat[int(rng.integers(W.size))] = -1.5 * float(np.abs(W).max()) - 1.0  # signed ranks
        plant(Ws, sparsity)
        right = expected(Ws, sparsity)
        wrong = list(mistakes(Ws, sparsity).values())
        results = [right, *wrong]
        if all(not checks.matches(a, b) for i, a in enumerate(results) for b in results[i + 1 :]):
            return Ws, sparsity
    raise RuntimeError("no case showing every mistake in 1000 draws")  # never happens


def expect_masks(answer, Ws, what, one_mask_hint):
    """The answer's list of masks, one per array of ``Ws``, each of its array's shape."""
    if not isinstance(answer, list | tuple):
        checks.fail(f"{what} returned a {type(answer).__name__}; {one_mask_hint}")
    checks.expect_true(
        len(answer) == len(Ws), f"{what} returned {len(answer)} masks for {len(Ws)} arrays"
    )
    return [
        checks.expect_array(m, shape=W.shape, what=f"mask {j} of {what}")
        for j, (m, W) in enumerate(zip(answer, Ws, strict=True))
    ]


def same_magnitudes_kept(Ws, masks, expected, scope):
    """True when ``masks`` keep the same multiset of magnitudes as ``expected`` in each
    group (each array, or all together): only ties were broken differently."""

    def kept(arrays, ms):
        return np.sort(np.concatenate([flat_abs([W])[m.ravel() == 1] for W, m in zip(arrays, ms)]))

    groups = (
        [(Ws, masks, expected)]
        if scope == "global"
        else [([W], [m], [e]) for W, m, e in zip(Ws, masks, expected, strict=True)]
    )
    for arrays, ms, es in groups:
        a, b = kept(arrays, ms), kept(arrays, es)
        if a.shape != b.shape or (a != b).any():
            return False
    return True
