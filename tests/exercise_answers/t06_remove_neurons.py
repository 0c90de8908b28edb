"""Answers to exercise t06_remove_neurons: its known mistakes and correct alternatives."""

import numpy as np

from minprune.activations import ACTIVATIONS


def _cut(W, b, W_next, b_next, keep, shift):
    return W[:, keep], b[keep], W_next[keep], (b_next + shift).astype(W.dtype)


def _gone(W, keep):
    return np.setdiff1d(np.arange(W.shape[1]), keep)


def _f0(activation):
    return 0.5 if activation == "sigmoid" else 0.0


def right(W, b, W_next, b_next, keep, activation):
    shift = _f0(activation) * W_next[_gone(W, keep)].sum(axis=0, dtype=np.float64)
    return _cut(W, b, W_next, b_next, keep, shift)


def no_shift(W, b, W_next, b_next, keep, activation):
    return W[:, keep], b[keep], W_next[keep], b_next.copy()


def f_of_b(W, b, W_next, b_next, keep, activation):
    gone = _gone(W, keep)
    f = ACTIVATIONS[activation][0]
    shift = f(b[gone].astype(np.float64)) @ W_next[gone].astype(np.float64)
    return _cut(W, b, W_next, b_next, keep, shift)


def always_half(W, b, W_next, b_next, keep, activation):
    return _cut(W, b, W_next, b_next, keep, 0.5 * W_next[_gone(W, keep)].sum(axis=0))


def first_rows(W, b, W_next, b_next, keep, activation):
    out = right(W, b, W_next, b_next, keep, activation)
    return out[0], out[1], W_next[: len(keep)], out[3]


def float64_result(W, b, W_next, b_next, keep, activation):
    return tuple(x.astype(np.float64) for x in right(W, b, W_next, b_next, keep, activation))


def three_arrays(W, b, W_next, b_next, keep, activation):
    return right(W, b, W_next, b_next, keep, activation)[:3]


def in_place_bias(W, b, W_next, b_next, keep, activation):
    """``b_next += ...``: the caller's network gets the shift too, once per call."""
    b_next += _f0(activation) * W_next[_gone(W, keep)].sum(axis=0)
    return W[:, keep], b[keep], W_next[keep], b_next


def masks_inputs(W, b, W_next, b_next, keep, activation):
    """Masks the removed neurons in the caller's arrays first, as ``neuron_mask`` does."""
    gone = _gone(W, keep)
    W[:, gone] = 0
    b[gone] = 0
    return right(W, b, W_next, b_next, keep, activation)


def in_float32(W, b, W_next, b_next, keep, activation):
    """The shift summed in the weights' dtype; f(0) computed, not looked up."""
    f0 = ACTIVATIONS[activation][0](np.zeros(1, dtype=W.dtype))[0]
    gone = [j for j in range(W.shape[1]) if j not in set(keep.tolist())]
    shift = np.zeros_like(b_next)
    for j in gone:
        shift = shift + f0 * W_next[j]
    return W[:, keep].copy(), b[keep].copy(), W_next[keep, :].copy(), b_next + shift


def deleting(W, b, W_next, b_next, keep, activation):
    """``np.delete`` the others; the bias returned as given when nothing is added."""
    gone = _gone(W, keep)
    if activation != "sigmoid" or gone.size == 0:
        new_b_next = b_next
    else:
        new_b_next = b_next.astype(np.float64) + 0.5 * W_next[gone].astype(np.float64).sum(0)
        new_b_next = new_b_next.astype(b_next.dtype)
    return np.delete(W, gone, axis=1), np.delete(b, gone), np.delete(W_next, gone, 0), new_b_next


MISTAKES = {
    "no_shift": no_shift,
    "f_of_b": f_of_b,
    "always_half": always_half,
    "first_rows": first_rows,
    "float64_result": float64_result,
    "three_arrays": three_arrays,
    "in_place_bias": in_place_bias,
    "masks_inputs": masks_inputs,
}
ALTERNATIVES = {"in_float32": in_float32, "deleting": deleting}
