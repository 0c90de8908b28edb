"""Exercise 02.4: ``ista_step(W, dW, lr, l1)``, a gradient step then soft-thresholding by ``lr * l1``."""

import numpy as np

from minprune_course import checks

from . import _t02

GRADE_ID = "t02_prox_step_test"
ANSWER = "ista_step"
SIGNATURE = "(W, dW, lr, l1)"
REFERENCE = ("minprune.soft_threshold", "minprune.proximal_l1_step")
MISTAKES = {
    "threshold_l1": "the threshold of the proximal step is lr * l1, not l1",
    "subgradient": "this is the subgradient step; the proximal step takes the gradient "
    "step on dW alone, then soft-thresholds",
    "threshold_first": "the order is wrong; take the gradient step first, then threshold",
    "gradient_only": "this is the gradient step alone; then soft-threshold the result by "
    "lr * l1, which sets every |w| <= lr * l1 to exactly 0",
    "almost_zero": "every weight with |w - lr * dw| <= lr * l1 must come out exactly 0 "
    "(ties included), not merely close to it",
    "wrong_dtype": "return a NumPy array of W's dtype (a Python float combined with an "
    "array takes the array's dtype; cast back with .astype(W.dtype) if you compute in "
    "float64)",
}


def _mistakes(W, dW, lr, l1):
    W, dW = W.astype(float), dW.astype(float)
    return {
        "threshold_l1": _t02.soft(W - lr * dW, l1),
        "subgradient": W - lr * (dW + l1 * np.sign(W)),
        "threshold_first": _t02.soft(W, lr * l1) - lr * dW,
        "gradient_only": W - lr * dW,
    }


def _expected(W, dW, lr, l1):
    (reference, _) = checks.public(*REFERENCE)
    return reference(W - lr * dW, lr * l1)


def _step_case(rng, W, l1):
    """``(W, dW, lr, l1)`` where some ``W - lr * dW`` are exactly 0, some lie within
    ``lr * l1`` of 0 and one beyond it; one weight itself lies within ``lr * l1`` of 0
    (thresholding first zeroes it, the subgradient step does not). All on the grid."""
    dtype = W.dtype
    dW = _t02.weights(rng, W.shape, zeros=0.0)
    lr = int(rng.integers(1, 33)) / 64
    W = W.astype(float)
    W = np.where(rng.random(W.shape) < 0.2, lr * dW, W)  # lands exactly on 0
    if l1 > 0 and W.size >= 3:
        t = lr * l1
        near, far, small = rng.permutation(W.size)[:3]
        scale = rng.uniform(0.2, 0.9, size=W.shape)
        scale.flat[far] = rng.uniform(1.5, 4.0)
        pick = rng.random(W.shape) < 0.2
        pick.flat[near] = pick.flat[far] = True
        U = _t02.on_grid(t * scale * rng.choice([-1.0, 1.0], W.shape))
        W = np.where(pick, U + lr * dW, W)
        W.flat[small] = _t02.on_grid(t / 2)
    return W.astype(dtype), dW.astype(dtype), lr, l1


def cases(rng, hidden):
    """Steps built by ``_step_case`` on ``_t02``'s weights; the first shows every known
    mistake."""
    yield _t02.showing_every_mistake(
        lambda: _step_case(rng, *_t02.matrix(rng)), _expected, _mistakes
    )
    for W, l1 in _t02.cases(rng, hidden):
        yield _step_case(rng, W, l1)


def check(answer, hidden=False, seed=None):
    """``answer(W, dW, lr, l1)`` equals ``mp.soft_threshold(W - lr * dW, lr * l1)``."""
    soft_threshold, proximal_l1_step = checks.public(*REFERENCE)
    for W, dW, lr, l1 in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = soft_threshold(W - lr * dW, lr * l1)
        what = f"ista_step(W, dW, lr={lr:g}, l1={l1:g}) with {_t02.describe(W)}"
        got = checks.call(
            answer, W, dW, lr, l1, what=what, without=[soft_threshold, proximal_l1_step],
            names=("W", "dW", "lr", "l1"),
        )  # fmt: skip
        array = checks.expect_array(got, shape=W.shape, what=what)
        checks.expect_no_mistake(
            array, expected, _mistakes(W, dW, lr, l1), _t02.prefixed(what, MISTAKES)
        )
        U = W.astype(float) - lr * dW.astype(float)
        _t02.expect_exact_zeros(array, U, lr * l1, what, MISTAKES["almost_zero"])
        checks.expect_close(array, expected, what)
        _t02.expect_like(got, W, what, MISTAKES["wrong_dtype"])
    checks.passed()
