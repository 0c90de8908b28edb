"""Activation functions, each forward beside its backward.

Every backward takes the upstream gradient ``dout``, the pre-activation ``z``
and the activation ``a = f(z)``, and returns ``dout * f'(z)``. Each reads its
derivative off ``a`` alone, the cheaper exact form, so ``z`` may already have
been overwritten by ``a``: training computes ``f(z)`` in place (``out=z``) and
``dout * f'(z)`` in place (``out=dout``), with no fresh arrays per batch.
"""

import numpy as np

__all__ = [
    "sigmoid",
    "sigmoid_backward",
    "tanh",
    "tanh_backward",
    "relu",
    "relu_backward",
    "identity",
    "identity_backward",
    "softmax",
    "softmax_backward",
    "ACTIVATIONS",
]


def _into(result, out):
    """``result``, or ``out`` holding it."""
    if out is None or out is result:
        return result
    out[...] = result
    return out


def sigmoid(z, out=None):
    """Logistic function ``1 / (1 + exp(-z))`` without overflow for any finite ``z``.

    ``exp`` is only ever taken of ``-|z|`` (which is <= 0), so it never overflows:
    ``sigmoid(z) = 1 / (1 + e)`` for ``z >= 0`` and ``e / (1 + e)`` for ``z < 0``,
    with ``e = exp(-|z|)``. Where ``e`` would underflow (``|z|`` past about 87 in
    float32, 708 in float64) it is set to 0 directly, so not even an underflow is
    signalled. Integer input is computed in float64; float input keeps its dtype.
    """
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    cutoff = np.floor(-np.log(np.finfo(z.dtype).tiny))
    absz = np.abs(z)
    e = np.where(absz > cutoff, 0.0, np.exp(-np.minimum(absz, cutoff)))
    s = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)
    return _into(s, out)


def sigmoid_backward(dout, z, a, out=None):
    """``d sigmoid / dz = a (1 - a)``."""
    return np.multiply(dout * a, 1.0 - a, out=out)


def tanh(z, out=None):
    """Hyperbolic tangent."""
    return np.tanh(z, out=out)


def tanh_backward(dout, z, a, out=None):
    """``d tanh / dz = 1 - a**2``."""
    return np.multiply(dout, 1.0 - a * a, out=out)


def relu(z, out=None):
    """``max(z, 0)``."""
    return np.maximum(z, 0, out=out)


def relu_backward(dout, z, a, out=None):
    """Gradient 1 where ``z > 0``, else 0 (the subgradient at 0 is taken as 0).

    Read off ``a = max(z, 0)``: ``a > 0`` exactly where ``z > 0``.
    """
    return np.multiply(dout, a > 0, out=out)


def identity(z, out=None):
    """The identity, for linear output layers (logits)."""
    return _into(z, out)


def identity_backward(dout, z, a, out=None):
    """Gradient of the identity."""
    return _into(dout, out)


def softmax(z, out=None):
    """Row-wise softmax of ``z : (n, k)``, shifted by the row max so ``exp`` never overflows."""
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return np.divide(e, e.sum(axis=-1, keepdims=True), out=out)


def softmax_backward(dout, z, a, out=None):
    """Vector-Jacobian product of softmax: ``a * (dout - sum(dout * a))`` row-wise."""
    return np.multiply(a, dout - np.sum(dout * a, axis=-1, keepdims=True), out=out)


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_backward),
    "tanh": (tanh, tanh_backward),
    "relu": (relu, relu_backward),
    "identity": (identity, identity_backward),
    "softmax": (softmax, softmax_backward),
}
