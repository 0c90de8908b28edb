"""Answers to exercise t06_fold_constant: its known mistakes and correct alternatives."""

import numpy as np


def _fold(W, b, W_next, b_next, A, constant, values):
    keep = np.setdiff1d(np.arange(W.shape[1]), constant)
    shift = values @ W_next[constant].astype(np.float64)
    return W[:, keep], b[keep], W_next[keep], (b_next + shift).astype(W.dtype), constant


def _constant(flags):
    constant = np.flatnonzero(flags)
    return constant[1:] if constant.size == flags.size else constant


def _by(W, b, W_next, b_next, A, flags):
    A = np.asarray(A, dtype=np.float64)
    constant = _constant(flags)
    return _fold(W, b, W_next, b_next, A, constant, A[:, constant].mean(axis=0))


def _range(A):
    A = np.asarray(A, dtype=np.float64)
    return A.max(axis=0) - A.min(axis=0)


def right(W, b, W_next, b_next, A, tol):
    return _by(W, b, W_next, b_next, A, _range(A) <= tol)


def strict(W, b, W_next, b_next, A, tol):
    return _by(W, b, W_next, b_next, A, _range(A) < tol)


def std_test(W, b, W_next, b_next, A, tol):
    """The reviewer's answer: ``<=``, but constancy tested with a floating-point std."""
    return _by(W, b, W_next, b_next, A, A.std(axis=0) <= tol)


def variance_test(W, b, W_next, b_next, A, tol):
    return _by(W, b, W_next, b_next, A, np.var(A, axis=0) <= tol)


def first_row(W, b, W_next, b_next, A, tol):
    A = np.asarray(A, dtype=np.float64)
    constant = _constant(_range(A) <= tol)
    return _fold(W, b, W_next, b_next, A, constant, A[0, constant])


def folds_everything(W, b, W_next, b_next, A, tol):
    A = np.asarray(A, dtype=np.float64)
    constant = np.flatnonzero(_range(A) <= tol)
    return _fold(W, b, W_next, b_next, A, constant, A[:, constant].mean(axis=0))


def no_shift(W, b, W_next, b_next, A, tol):
    out = right(W, b, W_next, b_next, A, tol)
    return out[0], out[1], out[2], b_next.copy(), out[4]


def unsorted(W, b, W_next, b_next, A, tol):
    out = right(W, b, W_next, b_next, A, tol)
    return (*out[:4], out[4][::-1])


def in_place_bias(W, b, W_next, b_next, A, tol):
    """``b_next += ...``: the caller's network gets the shift too."""
    A = np.asarray(A, dtype=np.float64)
    constant = _constant(_range(A) <= tol)
    keep = np.setdiff1d(np.arange(W.shape[1]), constant)
    b_next += A[:, constant].mean(axis=0) @ W_next[constant]
    return W[:, keep], b[keep], W_next[keep], b_next, constant


def in_dtype(W, b, W_next, b_next, A, tol):
    """Range and mean in A's own dtype (float32 stays float32), np.ptp, a list for removed."""
    constant = np.flatnonzero(np.ptp(A, axis=0) <= tol)
    if len(constant) == W.shape[1]:
        constant = constant[1:]
    keep = [j for j in range(W.shape[1]) if j not in constant]
    shift = A[:, constant].mean(axis=0) @ W_next[constant]
    return W[:, keep], b[keep], W_next[keep], b_next + shift, [int(j) for j in constant]


def loops(W, b, W_next, b_next, A, tol):
    """Neuron by neuron; an empty float array when nothing is folded."""
    n = W.shape[1]
    constant = [j for j in range(n) if float(A[:, j].max()) - float(A[:, j].min()) <= tol]
    if len(constant) == n:
        constant = constant[1:]
    new_b_next = b_next.astype(np.float64)
    for j in constant:
        new_b_next = new_b_next + float(np.mean(A[:, j], dtype=np.float64)) * W_next[j]
    keep = [j for j in range(n) if j not in constant]
    removed = np.array(constant, dtype=np.int64) if constant else np.array([])
    return W[:, keep], b[keep], W_next[keep], new_b_next.astype(b_next.dtype), removed


MISTAKES = {
    "strict": strict,
    "std_test": std_test,
    "first_row": first_row,
    "folds_everything": folds_everything,
    "no_shift": no_shift,
    "unsorted": unsorted,
    "in_place_bias": in_place_bias,
}
ALTERNATIVES = {"in_dtype": in_dtype, "loops": loops}
