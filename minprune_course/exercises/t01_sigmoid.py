"""Exercise 01.1: ``sigmoid(z)`` and ``sigmoid_backward(dout, z, a)``, overflow-free.

Both functions run with overflow, ``inf - inf`` and ``0 / 0`` raising (underflow is fine):
under ``np.errstate`` where the check calls them itself, under the ``np.seterr`` of the
notebook's setup cell where the grader calls them in the learner's kernel (an overflowing
formula mostly returns the right values there, with a warning no check could see). They
get arrays holding ``|z|`` up to 1e4 of both signs, in float64 and in
float32, visible check included. ``sigmoid`` is compared with ``mp.sigmoid`` within a
relative 1e-9 (float64) or 1e-5 (float32), tiny values included: float64 arithmetic
inside a float32 answer, ``np.logaddexp`` or ``scipy.special.expit`` pass, a cut-off
does not. ``sigmoid_backward`` gets the reference ``a`` and is compared with
``mp.sigmoid_backward`` within the same relative tolerance plus 16 units in the last
place of ``max |dout|``, so a derivative computed from ``z`` (``e / (1 + e)**2``) passes
too. Both must return a NumPy array of the input's dtype and leave their arguments alone.
"""

import numpy as np

from minprune_course import checks, remote

from . import _t01

GRADE_ID = "t01_sigmoid_test"
ANSWER = "sigmoid, sigmoid_backward"
SIGNATURE = "(z), (dout, z, a)"
REFERENCE = ("minprune.sigmoid", "minprune.sigmoid_backward")
MISTAKES = {
    "overflow": "overflow where z is large and negative: 1 / (1 + np.exp(-z)) takes exp of "
    "-z > 0 there; take exp only of numbers <= 0, e.g. e = np.exp(-np.abs(z))",
    "where_both": "overflow where z is large and positive: exp(z) overflows there. "
    "np.where(cond, A, B) computes both A and B for every entry before it chooses, so a "
    "branch meant for z < 0 runs on z > 0 too; compute e = np.exp(-np.abs(z)) once and "
    "use it in both branches",
    "flipped": "looks like sigmoid(-z): check the sign in the exponent",
    "clipped": "right for moderate z but wrong where |z| is large: do not clip z or cut "
    "sigmoid off; for very negative z it is tiny but not 0, and e / (1 + e) keeps its digits",
    "float64_out": "float64 values for float32 input; keep the input's dtype (float32 in, "
    "float32 out), e.g. with .astype(z.dtype)",
    "no_dout": "the derivative alone; multiply it by the upstream gradient dout",
    "backward_overflow": "overflow in the derivative: write it with a = sigmoid(z), which "
    "the function is given; dout * a * (1 - a) is finite everywhere",
}
HINT = (
    "this exercise asks for your own NumPy code: minprune's sigmoid and sigmoid_backward are "
    "what the check compares your answer with, so they are switched off while it runs"
)
#: What the setup cell of the notebook passes to ``np.seterr``, and the check to ``np.errstate``.
FLOATING_POINT_ERRORS = {"over": "raise", "invalid": "raise", "divide": "raise", "under": "ignore"}
EXTREMES = [-1e4, -1000.0, -800.0, -100.0, 0.0, 100.0, 800.0, 1000.0, 1e4]
LARGE = 25.0  # "large |z|": where a cut-off at 30 or more already changes sigmoid


def _with_extremes(rng, dtype, scale):
    """A 2-D array of normal draws at a random scale, the extremes of both signs planted."""
    n, k = (int(v) for v in rng.integers(3, 9, size=2))
    z = rng.normal(scale=rng.uniform(1.0, scale), size=(n, k))
    z.flat[: len(EXTREMES)] = rng.permutation(EXTREMES)
    return z.astype(dtype)


def cases(rng, hidden):
    """``z`` arrays. Visible: float64, then float32, each with ``|z|`` up to 1e4 of both
    signs (so every mistake shows in the visible check). Hidden adds 1-D and 3-D shapes
    and the values where float64 and float32 exponentials stop being normal numbers."""
    yield _with_extremes(rng, np.float64, 10.0)
    yield _with_extremes(rng, np.float32, 40.0)
    if not hidden:
        return
    yield rng.uniform(-1e4, 1e4, size=int(rng.integers(5, 40)))
    yield rng.normal(scale=50.0, size=(2, 3, 4))
    yield np.array([-745.5, -709.9, -37.0, -1e-300, 0.0, 1e-300, 37.0, 709.9, 745.5])
    yield rng.normal(scale=60.0, size=tuple(int(v) for v in rng.integers(3, 9, size=2))).astype(
        np.float32
    )
    yield np.array([-1e4, -100.0, -89.0, -88.0, -87.0, 0.0, 88.0, 89.0, 1e4], dtype=np.float32)


def _raising(fn, *args, what, switched_off):
    """``checks.call(fn, *args)`` with every overflow, ``inf - inf`` or ``0 / 0`` raising;
    ``None`` where one did.

    Here that is ``np.errstate``; an answer the grader calls in the learner's kernel runs
    under the ``np.seterr`` of the notebook's setup cell, and its ``FloatingPointError``
    arrives as a ``remote.RemoteError`` that names it.
    """
    try:
        with np.errstate(**FLOATING_POINT_ERRORS):
            return checks.call(fn, *args, what=what, without=switched_off, hint=HINT)
    except FloatingPointError:
        return None
    except remote.RemoteError as exc:
        if exc.ename == "FloatingPointError":
            return None
        raise


def _tolerance(dtype):
    """``(rtol, atol)`` for sigmoid's values: ``mp.sigmoid`` writes 0 where ``exp(-|z|)``
    would be subnormal, an answer may keep the subnormal."""
    return (1e-5 if dtype == np.float32 else 1e-9), 4 * float(np.finfo(dtype).tiny)


def _check_forward(sigmoid, z, reference, switched_off, where):
    """The answer's ``sigmoid(z)``, checked; returns nothing."""
    what = f"sigmoid(z) with {where}"
    expected, flipped = reference(z), reference(-z)
    raw = _raising(sigmoid, z, what=what, switched_off=switched_off)
    if raw is None:
        positive = _raising(sigmoid, np.abs(z), what=what, switched_off=switched_off)
        name = "where_both" if positive is None else "overflow"
        checks.fail(f"{what} raised FloatingPointError, an {MISTAKES[name]}")
    a = checks.expect_array(raw, shape=z.shape, what=what)
    checks.expect_true(
        np.isfinite(a).all(), f"{what} contains nan or inf; sigmoid is finite everywhere"
    )
    checks.expect_true(not ((a < 0) | (a > 1)).any(), f"{what} has values outside [0, 1]")
    rtol, atol = _tolerance(z.dtype)
    _t01.no_mistake(what, a, expected, {"flipped": flipped}, MISTAKES, rtol, atol)
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(a - expected) <= atol + rtol * np.abs(expected.astype(np.float64)))
    if bad.any() and (np.abs(z[bad]) > LARGE).all():
        checks.fail(f"{what} is {MISTAKES['clipped']}")
    checks.expect_close(a, expected, what, rtol, atol)
    _t01.expect_dtype(raw, z.dtype, what, f"returned {MISTAKES['float64_out']}")


def _check_backward(sigmoid_backward, dout, z, a, reference, switched_off, where):
    """The answer's ``sigmoid_backward(dout, z, a)``, checked; returns nothing."""
    what = f"sigmoid_backward(dout, z, a) with {where}"
    expected = reference(dout, z, a)
    alone = reference(np.ones_like(dout), z, a)
    raw = _raising(sigmoid_backward, dout, z, a, what=what, switched_off=switched_off)
    if raw is None:
        checks.fail(f"{what} raised FloatingPointError: {MISTAKES['backward_overflow']}")
    g = checks.expect_array(raw, shape=z.shape, what=what)
    checks.expect_true(
        np.isfinite(g).all(),
        f"{what} contains nan or inf; write the derivative with a = sigmoid(z), which is "
        "finite everywhere",
    )
    rtol = _tolerance(z.dtype)[0]
    atol = 16 * float(np.finfo(z.dtype).eps) * float(np.abs(dout).max())
    _t01.no_mistake(what, g, expected, {"no_dout": alone}, MISTAKES, rtol, atol)
    checks.expect_close(g, expected, what, rtol, atol)
    _t01.expect_dtype(raw, dout.dtype, what, f"returned {MISTAKES['float64_out']}")


def check(sigmoid, sigmoid_backward, hidden=False, seed=None):
    """``sigmoid(z)`` and ``sigmoid_backward(dout, z, a)`` agree with ``mp.sigmoid`` and
    ``mp.sigmoid_backward``, without overflow, in the input's dtype."""
    checks.expect_callable(sigmoid, "sigmoid")
    checks.expect_callable(sigmoid_backward, "sigmoid_backward")
    forward, backward = checks.public(*REFERENCE)
    rng = checks.case_rng(GRADE_ID, hidden, seed)
    for z in cases(rng, hidden):
        where = f"z of shape {z.shape}, dtype {z.dtype}, |z| up to {float(np.abs(z).max()):g}"
        _check_forward(sigmoid, z, forward, [forward, backward], where)
        dout = rng.normal(size=z.shape).astype(z.dtype)
        a = forward(z)
        _check_backward(sigmoid_backward, dout, z, a, backward, [forward, backward], where)
    checks.passed()
