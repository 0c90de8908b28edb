"""Inputs shared by the exercises of topic 02: weights and strengths on a binary grid.

Every weight is a multiple of ``2**-9`` or finer, a few hundred steps from 0 at most;
every strength a multiple of ``2**-10`` and every learning rate of ``2**-6``, with few
significant bits. float32 holds them, and every product, difference and comparison
with a threshold that the exercises ask for, exactly: an answer computing in float32
or in float64 gets the same values, and a weight equal to the threshold is a tie in
both. Only the penalties' sums round, and their values are compared within
a tolerance.
"""

import numpy as np

from minprune_course import checks

STEP = 2.0**-10  # the grid of strengths and thresholds
FINE = 2.0**-16  # the grid every planted value is rounded to


def weights(rng, shape, dtype="float64", zeros=0.25):
    """Random weights on a grid at a random power-of-two scale, about ``zeros`` exactly 0."""
    scale = 2.0 ** int(rng.integers(-3, 2))
    step = scale / 64
    W = np.round(rng.normal(scale=scale, size=shape) / step) * step
    W[rng.random(shape) < zeros] = 0.0
    return W.astype(dtype)


def strength(rng, low, high):
    """A multiple of ``STEP`` in ``[low, high]``, at least ``STEP``."""
    return max(float(np.round(rng.uniform(low, high) / STEP)) * STEP, STEP)


def on_grid(x):
    """``x`` rounded to the grid ``FINE``."""
    return np.round(np.asarray(x, dtype=float) / FINE) * FINE


def matrix(rng, dtype="float64"):
    """``(W, strength)``: a random matrix with a zero and a large negative weight."""
    W = weights(rng, tuple(int(n) for n in rng.integers(2, 8, size=2)), dtype)
    W.flat[0] = 0.0
    W.flat[-1] = -float(np.abs(W).max()) - 0.25
    return W, strength(rng, 1e-3, 0.5)


def cases(rng, hidden):
    """``(W, strength)`` after an exercise's first case: a float32 matrix; hidden adds 1-D
    and 3-D weights, float32 with a strength of 0 and weights all 0."""
    yield matrix(rng, "float32")
    if not hidden:
        return
    for shape in ((int(rng.integers(3, 12)),), (2, 3, 4)):
        W = weights(rng, shape)
        W.flat[-1] = -float(np.abs(W).max()) - 0.25
        yield W, strength(rng, 1e-4, 2.0)
    yield matrix(rng, "float32")[0], 0.0
    yield np.zeros(tuple(int(n) for n in rng.integers(2, 8, size=2))), strength(rng, 1e-3, 0.5)


def tolerance(W):
    """Relative tolerance of the penalties' sums: float32 ones round in the 7th digit."""
    return 1e-5 if W.dtype == np.float32 else 1e-9


def describe(W):
    return f"W of shape {W.shape}, dtype {W.dtype}"


def prefixed(what, hints):
    """``hints`` with ``what`` in front of each, for ``checks.expect_no_mistake``."""
    return {name: f"{what}: {hint}" for name, hint in hints.items()}


def expect_like(answer, W, what, hint):
    """``answer`` (already known to hold the right values) is a NumPy array of W's dtype."""
    got = answer.dtype if isinstance(answer, np.ndarray) else type(answer).__name__
    checks.expect_true(
        isinstance(answer, np.ndarray) and answer.dtype == W.dtype,
        f"{what} is {got} for {W.dtype} weights; {hint}",
    )


def expect_exact_zeros(array, U, threshold, what, hint):
    """Every entry with ``|u| <= threshold`` (ties included) is exactly 0."""
    wrong = (np.abs(U.astype(float)) <= threshold) & (array != 0)
    checks.expect_true(not wrong.any(), f"{what}: {hint} ({int(wrong.sum())} are not)")


def soft(U, threshold):
    """``sign(u) * max(|u| - threshold, 0)`` in float64: what the mistakes are built from."""
    U = np.asarray(U, dtype=float)
    return np.sign(U) * np.maximum(np.abs(U) - threshold, 0)


def showing_every_mistake(draw, expected, mistakes):
    """The first case ``draw()`` gives on which every one of ``mistakes(case)`` differs
    from ``expected(case)`` and from the others (a few draws at most)."""
    for _ in range(1000):
        case = draw()
        results = [expected(*case), *mistakes(*case).values()]
        if all(not checks.matches(a, b) for i, a in enumerate(results) for b in results[i + 1 :]):
            return case
    raise RuntimeError("no case showing every mistake in 1000 draws")  # never happens


# ------------------------------------------------------------------ penalties
PENALTY_HINT = (
    "this exercise asks for your own NumPy code: minprune's penalty functions are what the "
    "check compares your answer with, so they are switched off while it runs"
)


def penalty_methods(*classes):
    """The methods of minprune's penalty ``classes`` that compute a value or a gradient."""
    return [f for cls in classes for f in (cls.value, cls.value_of, cls.grad)]


def check_penalty(answer, case_list, name, penalty, hints, value_mistakes, grad_mistakes, without):
    """The body of the L1 and L2 checks: ``answer(W, strength)`` is ``(value, dW)`` equal to
    ``penalty(strength).value_of(W)`` and ``.grad(W)``, the known mistakes named."""
    for W, s in case_list:
        value_ref = penalty(s).value_of(W.astype(float))
        grad_ref = penalty(s).grad(W)
        what = f"{name}(W, {s:g}) with {describe(W)}"
        out = checks.call(answer, W, s, what=what, without=without, hint=PENALTY_HINT)
        if not isinstance(out, tuple | list) or len(out) != 2:
            n = f" of length {len(out)}" if isinstance(out, tuple | list) else ""
            checks.fail(f"{what} returned a {type(out).__name__}{n}; {hints['grad_only']}")
        value, raw_dW = out
        try:
            value = checks.expect_float(value, f"the value of {what}")
        except AssertionError:
            checks.fail(f"the value of {what} is a {type(value).__name__}; {hints['value_array']}")
        rtol = tolerance(W)
        checks.expect_no_mistake(
            value, value_ref, value_mistakes(W, s), prefixed(f"the value of {what}", hints), rtol
        )
        checks.expect_close(value, value_ref, f"the value of {what}", rtol, 1e-12)
        dW = checks.expect_array(raw_dW, shape=W.shape, what=f"dW of {what}")
        checks.expect_no_mistake(
            dW, grad_ref, grad_mistakes(W, s), prefixed(f"dW of {what}", hints), rtol
        )
        checks.expect_close(dW, grad_ref, f"dW of {what}", rtol, 1e-12)
        expect_like(raw_dW, W, f"dW of {what}", hints["wrong_dtype"])
    checks.passed()
