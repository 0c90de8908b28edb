"""Exercise 01.2: ``dense_backward(dZ, X, W) -> (dX, dW, db)``, the gradients of a dense layer.

Batch size, input and output widths differ in every case, so a transposed gradient shows
in its shape, and the first case has a batch of two or more, so a mean where a sum is
due shows in the values. The visible check has a float64 and a float32 case. Values are
compared with ``mp.dense_backward`` within a relative 1e-9 (float64) or 1e-5 (float32)
of each gradient's largest entry, so float64 arithmetic inside a float32 answer passes;
the gradients must be NumPy arrays of the inputs' dtype, the inputs left alone.
"""

import numpy as np

from minprune_course import checks

from . import _t01

GRADE_ID = "t01_dense_backward_test"
ANSWER = "dense_backward"
SIGNATURE = "(dZ, X, W)"
REFERENCE = ("minprune.dense_backward",)
MISTAKES = {
    "db_mean": "db is the mean of dZ over the batch; sum it over axis 0 instead: dZ already "
    "carries the 1/n of the mean loss",
    "dW_over_n": "dW was divided by the batch size; dZ already carries the 1/n of the mean "
    "loss, so add nothing for it",
    "db_keepdims": "db has shape (1, n_out); it has one entry per output unit, like b: sum "
    "over axis 0 without keepdims",
    "dW_transposed": "dW has the shape of W transposed, (n_out, n_in); dW = X.T @ dZ has "
    "W's shape (n_in, n_out)",
    "dX_missing": "returned two arrays; return all three gradients, the tuple (dX, dW, db)",
    "float64_grads": "float64 gradients for float32 input; keep the inputs' dtype (float32 "
    "in, float32 out)",
}
HINT = (
    "this exercise asks for your own NumPy code: minprune's dense_backward is what the check "
    "compares your answer with, so it is switched off while it runs"
)


def _sizes(rng, low=2, high=12):
    """``(n, n_in, n_out)``, three different numbers in ``[low, high)``."""
    return tuple(int(v) for v in rng.choice(np.arange(low, high), size=3, replace=False))


def _case(rng, n, n_in, n_out, dtype):
    X = rng.normal(size=(n, n_in)).astype(dtype)
    W = rng.normal(scale=0.5, size=(n_in, n_out)).astype(dtype)
    dZ = (rng.normal(size=(n, n_out)) / n).astype(dtype)
    return dZ, X, W


def cases(rng, hidden):
    """``(dZ, X, W)``. Visible: float64, then float32. Hidden adds a batch of one, a wide
    float64 layer and another float32 one."""
    yield _case(rng, *_sizes(rng), np.float64)
    yield _case(rng, *_sizes(rng), np.float32)
    if not hidden:
        return
    n_in, n_out = _sizes(rng)[1:]
    yield _case(rng, 1, n_in, n_out, np.float64)
    yield _case(rng, int(rng.integers(20, 60)), int(rng.integers(81, 121)), 7, np.float64)
    yield _case(rng, *_sizes(rng, 2, 30), np.float32)


def _three(out, what):
    """The answer's ``(dX, dW, db)``."""
    if isinstance(out, tuple | list) and len(out) == 3:
        return out
    if isinstance(out, tuple | list) and len(out) == 2:
        checks.fail(f"{what} {MISTAKES['dX_missing']}")
    size = f" of length {len(out)}" if isinstance(out, tuple | list) else ""
    checks.fail(f"{what} returned a {type(out).__name__}{size}; expected a tuple (dX, dW, db)")


def _shape(label, array, expected, wrong):
    """``array`` has ``expected``'s shape; ``wrong`` maps a known wrong shape to its hint."""
    if array.shape == expected.shape:
        return
    if array.shape in wrong:
        checks.fail(f"{label}: {wrong[array.shape]}")
    checks.fail(f"{label} has shape {array.shape}; expected {expected.shape}")


def check(answer, hidden=False, seed=None):
    """``answer(dZ, X, W)`` returns ``(dX, dW, db)`` equal to ``mp.dense_backward``'s."""
    (reference,) = checks.public(*REFERENCE)
    for dZ, X, W in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        (n, n_in), n_out = X.shape, W.shape[1]
        expected = reference(dZ, X, W)
        what = (
            f"dense_backward(dZ, X, W) with dZ {dZ.shape}, X {X.shape}, W {W.shape}, "
            f"dtype {W.dtype}"
        )
        out = checks.call(
            answer, dZ, X, W, what=what, without=[reference], hint=HINT, names=("dZ", "X", "W")
        )
        grads = _three(out, what)
        wrong_shapes = {
            "dX": {},
            "dW": {(n_out, n_in): MISTAKES["dW_transposed"]},
            "db": {(1, n_out): MISTAKES["db_keepdims"]},
        }
        mistakes = {
            "dX": {},
            "dW": {"dW_over_n": expected[1] / n},
            "db": {"db_mean": expected[2] / n},
        }
        tol = 1e-5 if W.dtype == np.float32 else 1e-9
        for name, got, ref in zip(("dX", "dW", "db"), grads, expected, strict=True):
            label = f"{name} of {what}"
            array = checks.expect_array(got, what=label)
            _shape(label, array, ref, wrong_shapes[name])
            atol = tol * float(np.abs(ref).max())
            _t01.no_mistake(label, array, ref, mistakes[name], MISTAKES, tol, atol)
            checks.expect_close(array, ref, label, tol, atol)
            _t01.expect_dtype(got, W.dtype, label, f"returned {MISTAKES['float64_grads']}")
    checks.passed()
