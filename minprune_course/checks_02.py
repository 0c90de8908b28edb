"""Checks for the exercises of lesson 02, regularization for sparsity.

Each check draws fresh random inputs (a new seed on every call, so a hard-coded
answer fails), computes the reference with ``minprune`` first, calls the
learner's function on copies of the inputs and raises ``AssertionError`` with a
hint that names the mistake, never the expected numbers::

    checks_02.check_l1_penalty(l1_penalty)          # the visible check
    checks_02.check_l1_penalty(l1_penalty, hidden=True)   # more shapes, float32, edge cases

With ``hidden=True`` a check runs a longer battery: 1-D to 3-D arrays, float32
weights (the answer must keep the dtype), a strength of 0 and arrays that are all zeros.

While the learner's function runs, minprune's own penalty functions raise an
``AssertionError``: the exercises ask for NumPy code, and an answer that only
calls the reference would pass any comparison with it.
"""

import numpy as np

import minprune as mp
from minprune import penalties

from . import checks

__all__ = ["check_l1_penalty", "check_l2_penalty", "check_soft_threshold", "check_ista_step"]

_asarray = np.asarray
_sign = np.sign
_absolute = np.absolute
_float64 = np.float64
_float32 = np.float32
_ndarray = np.ndarray


# ------------------------------------------------------------ own work only
_BLOCKED = (  # the hint when the learner's code calls minprune's own answer
    "this exercise asks for your own NumPy code: minprune's penalty functions are "
    "what the check compares your answer with, so they are switched off while it runs"
)


def _reference_functions():
    """minprune's functions that answer these exercises by themselves."""
    funcs = [penalties.soft_threshold, penalties.proximal_l1_step, penalties._Penalty.value]
    for cls in (penalties.L1, penalties.L2, penalties.ElasticNet):
        funcs += [cls.value_of, cls.grad]
    return funcs


def _call(fn, *args, what):
    """``checks.call`` with minprune's reference functions switched off."""
    return checks.call(fn, *args, what=what, without=_reference_functions(), hint=_BLOCKED)


# ----------------------------------------------------------------- inputs
def _weights(rng, shape, dtype=_float64, zeros=0.25):
    """Random weights of ``shape`` at a random scale, about ``zeros`` of them exactly 0."""
    W = rng.normal(scale=rng.uniform(0.05, 2.0), size=shape)
    W[rng.random(shape) < zeros] = 0.0
    return W.astype(dtype)


def _cases(rng, hidden):
    """``(W, strength)`` pairs: one matrix for the visible check, a battery when hidden."""
    rows, cols = (int(n) for n in rng.integers(2, 8, size=2))
    strength = float(rng.uniform(1e-3, 0.5))
    cases = [(_weights(rng, (rows, cols)), strength)]
    if hidden:
        cases += [
            (_weights(rng, (int(rng.integers(3, 12)),)), float(rng.uniform(1e-4, 2.0))),
            (_weights(rng, (2, 3, 4)), float(rng.uniform(1e-4, 2.0))),
            (_weights(rng, (rows, cols), dtype=_float32), float(rng.uniform(1e-4, 0.5))),
            (_weights(rng, (cols, rows)), 0.0),
            (np.zeros((rows, cols)), strength),
        ]
    return cases


def _tol(W):
    """Relative tolerance: float32 sums differ from float64 ones in the 7th digit."""
    return 1e-5 if W.dtype == _float32 else 1e-9


def _expect_dtype(answer, W, what):
    """``answer`` (already checked to hold the right values) must be an ndarray of ``W``'s dtype."""
    if not isinstance(answer, _ndarray):
        raise AssertionError(f"{what} is a {type(answer).__name__}; expected a NumPy array")
    if answer.dtype != W.dtype:
        got = answer.dtype
        raise AssertionError(
            f"{what} has dtype {got} for {W.dtype} weights; keep the weights' dtype "
            f"(NumPy does when you combine the array with a Python float)"
        )


def _where(W):
    """Describe the array the checker used, for hints."""
    return f"W of shape {W.shape}, dtype {W.dtype}"


# --------------------------------------------------------------- penalties
def _unpack(out, what):
    """The learner's ``(value, dW)`` pair."""
    if not isinstance(out, tuple | list) or len(out) != 2:
        kind = type(out).__name__
        n = f" of length {len(out)}" if isinstance(out, tuple | list) else ""
        raise AssertionError(f"{what} returned a {kind}{n}; expected a tuple (value, dW)")
    return out


def _check_penalty(fn, name, penalty_cls, grad_hint, value_hints, hidden):
    """Shared body of the L1 and L2 checks."""
    checks.expect_callable(fn, name)
    rng = checks.rng()
    for W, strength in _cases(rng, hidden):
        reference = penalty_cls(strength)
        value_ref = reference.value_of(W.astype(_float64))
        grad_ref = reference.grad(W)
        what = f"{name}(W, {strength:.3g}) with {_where(W)}"
        value, raw_dW = _unpack(_call(fn, W, strength, what=what), what)
        value = checks.expect_float(value, what=f"the value of {what}")
        rtol = _tol(W)
        if not _absolute(value - value_ref) <= 1e-12 + rtol * _absolute(value_ref):
            for factor, hint in value_hints:
                if _absolute(value - factor * value_ref) <= 1e-12 + rtol * _absolute(value_ref):
                    raise AssertionError(f"the value of {what} is wrong: {hint}")
            raise AssertionError(f"the value of {what} is wrong")
        dW = checks.expect_array(raw_dW, shape=W.shape, what=f"dW of {what}")
        bad_zero = (W == 0) & ~(_absolute(dW - grad_ref) <= 1e-12)
        if bad_zero.any():
            raise AssertionError(
                f"dW of {what} is wrong at the {int(bad_zero.sum())} entries where W == 0: "
                f"{grad_hint}"
            )
        close = _absolute(dW - grad_ref) <= 1e-12 + rtol * _absolute(grad_ref)
        if (
            not close.all()
            and (_absolute(dW - 2 * grad_ref) <= 1e-12 + rtol * _absolute(grad_ref)).all()
        ):
            raise AssertionError(f"dW of {what} is twice what it should be")
        checks.expect_close(dW, grad_ref, what=f"dW of {what}", rtol=rtol, atol=1e-12)
        _expect_dtype(raw_dW, W, f"dW of {what}")
    checks.passed(name)


def check_l1_penalty(l1_penalty, hidden=False):
    """Check ``l1_penalty(W, l1) -> (l1 * sum|w|, l1 * sign(W))`` against ``mp.L1``."""
    _check_penalty(
        l1_penalty,
        "l1_penalty",
        mp.L1,
        "the subgradient minprune uses there is 0 (what np.sign gives)",
        [
            (0.5, "it is half of what it should be; L1 has no factor 1/2"),
            (2.0, "it is twice what it should be; L1 has no factor 2"),
        ],
        hidden,
    )


def check_l2_penalty(l2_penalty, hidden=False):
    """Check ``l2_penalty(W, l2) -> (l2 / 2 * sum w**2, l2 * W)`` against ``mp.L2``."""
    _check_penalty(
        l2_penalty,
        "l2_penalty",
        mp.L2,
        "the L2 gradient l2 * w is 0 where w is 0",
        [(2.0, "it is twice what it should be; remember the factor 1/2 in l2 / 2 * sum w**2")],
        hidden,
    )


# ---------------------------------------------------------- soft threshold
def _soft_threshold_cases(rng, hidden):
    """``(W, threshold)`` pairs; some weights sit exactly at +-threshold, some above it.

    The threshold is drawn regardless of the weights' scale, so every |w| may lie below
    it; then the answer is all zeros and hard thresholding or a lost sign would pass.
    Each case with weights other than 0 gets one weight above the threshold on each
    sign, far enough above it that shrinking shows in any precision.
    """
    cases = []
    for W, strength in _cases(rng, hidden):
        if W.size >= 4 and strength > 0 and W.any():
            above = strength * (1.0 + rng.uniform(0.5, 3.0, size=2))
            W.flat[1], W.flat[-2] = above[0], -above[1]
        if W.size >= 2 and strength > 0:
            W.flat[0], W.flat[-1] = strength, -strength  # ties: |w| == threshold -> 0
        cases.append((W, strength))
    return cases


def _small(U, threshold):
    """Entries of ``U`` that soft-thresholding sets to 0, compared in ``U``'s own dtype."""
    return _absolute(U) <= U.dtype.type(threshold)


def _expect_exact_zeros(array, U, threshold, what):
    """Every entry with ``|u| <= threshold`` must come out exactly 0 (not just close to it)."""
    small = _small(U, threshold)
    wrong = small & (array != 0)
    if wrong.any():
        ties = wrong & (_absolute(U) == U.dtype.type(threshold))
        note = " (some with |w| exactly equal to the threshold)" if ties.any() else ""
        raise AssertionError(
            f"{what}: {int(wrong.sum())} weights with |w| <= threshold{note} are not exactly 0"
        )


def _threshold_hint(array, U, threshold, what):
    """Name the usual mistake in a wrong soft-threshold of ``U``, if it is one."""
    big = ~_small(U, threshold)
    u = U.astype(_float64)
    if threshold > 0 and big.any():
        if (_absolute(array[big] - u[big]) <= 1e-6 * _absolute(u[big])).all():
            raise AssertionError(
                f"{what}: weights with |w| > threshold must also shrink towards 0 by the "
                "threshold (these were kept unchanged: that is hard thresholding)"
            )
        if (_sign(array[big]) != _sign(u[big])).any():
            raise AssertionError(
                f"{what}: some kept weights changed sign; shrink |w| and keep the sign"
            )


def _expect_threshold(answer, U, threshold, expected, what):
    """``answer`` must equal ``expected``, the soft-threshold of ``U``, with exact zeros."""
    array = checks.expect_array(answer, shape=U.shape, what=what)
    _expect_exact_zeros(array, U, threshold, what)
    tol = _tol(U)
    if not (_absolute(array - expected) <= 1e-12 + tol * _absolute(expected)).all():
        _threshold_hint(array, U, threshold, what)
    checks.expect_close(array, expected, what=what, rtol=tol, atol=1e-12)
    return array


def check_soft_threshold(soft_threshold, hidden=False):
    """Check ``soft_threshold(W, threshold)`` against ``mp.soft_threshold``."""
    checks.expect_callable(soft_threshold, "soft_threshold")
    rng = checks.rng()
    for W, threshold in _soft_threshold_cases(rng, hidden):
        expected = mp.soft_threshold(W, threshold)
        what = f"soft_threshold(W, {threshold:.3g}) with {_where(W)}"
        answer = _call(soft_threshold, W, threshold, what=what)
        _expect_threshold(answer, W, threshold, expected, what)
        _expect_dtype(answer, W, what)
    checks.passed("soft_threshold")


# ---------------------------------------------------------- proximal step
def check_ista_step(ista_step, hidden=False):
    """Check ``ista_step(W, dW, lr, l1) == soft_threshold(W - lr * dW, lr * l1)``."""
    checks.expect_callable(ista_step, "ista_step")
    rng = checks.rng()
    for W, l1 in _cases(rng, hidden):
        dW = rng.normal(size=W.shape).astype(W.dtype)
        lr = float(rng.uniform(0.01, 0.5))
        # a few weights land exactly at 0 after the gradient step
        land = rng.random(W.shape) < 0.2
        W = np.where(land, lr * dW, W).astype(W.dtype)
        if l1 > 0:
            # some land within lr * l1 of 0, not at 0: only the proximal step zeroes them,
            # which tells it from thresholding first and from the subgradient step; one
            # lands beyond lr * l1, where a threshold of l1 alone would shrink it too far
            near, far = rng.permutation(W.size)[:2]
            scale = rng.uniform(0.2, 0.9, size=W.shape)
            scale.flat[far] = rng.uniform(1.5, 4.0)
            pick = rng.random(W.shape) < 0.2
            pick.flat[near] = pick.flat[far] = True
            U = lr * l1 * scale * rng.choice([-1.0, 1.0], W.shape)
            W = np.where(pick, U + lr * dW, W).astype(W.dtype)
        expected = mp.soft_threshold(W - lr * dW, lr * l1)
        what = f"ista_step(W, dW, lr={lr:.3g}, l1={l1:.3g}) with {_where(W)}"
        answer = _call(ista_step, W, dW, lr, l1, what=what)
        array = checks.expect_array(answer, shape=W.shape, what=what)
        tol = _tol(W)

        def near(x, array=array, tol=tol):
            x = _asarray(x, dtype=_float64)
            return bool((_absolute(array - x) <= 1e-12 + tol * _absolute(x)).all())

        if l1 > 0 and not near(expected):
            if near(mp.soft_threshold(W - lr * dW, l1)):
                raise AssertionError(
                    f"{what}: the threshold of the proximal step is lr * l1, not l1"
                )
            if near(W - lr * (dW + l1 * _sign(W))):
                raise AssertionError(
                    f"{what}: this is the subgradient step; the proximal step takes the gradient "
                    "step on dW alone, then soft-thresholds"
                )
            if near(mp.soft_threshold(W, lr * l1) - lr * dW):
                raise AssertionError(
                    f"{what}: the order is wrong; take the gradient step first, then threshold"
                )
        _expect_threshold(array, W - lr * dW, lr * l1, expected, what)
        _expect_dtype(answer, W, what)
    checks.passed("ista_step")
