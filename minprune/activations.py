"""Activation functions, each forward beside its backward.

Every backward takes the upstream gradient ``dout``, the pre-activation ``z``
and the activation ``a = f(z)``, and returns ``dout * f'(z)``; each uses
whichever of ``z`` and ``a`` gives the cheaper, exact form.
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


def sigmoid(z):
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
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


def sigmoid_backward(dout, z, a):
    """``d sigmoid / dz = a (1 - a)``."""
    return dout * a * (1.0 - a)


def tanh(z):
    """Hyperbolic tangent."""
    return np.tanh(z)


def tanh_backward(dout, z, a):
    """``d tanh / dz = 1 - a**2``."""
    return dout * (1.0 - a * a)


def relu(z):
    """``max(z, 0)``."""
    return np.maximum(z, 0)


def relu_backward(dout, z, a):
    """Gradient 1 where ``z > 0``, else 0 (the subgradient at 0 is taken as 0)."""
    return dout * (z > 0)


def identity(z):
    """The identity, for linear output layers (logits)."""
    return z


def identity_backward(dout, z, a):
    """Gradient of the identity."""
    return dout


def softmax(z):
    """Row-wise softmax of ``z : (n, k)``, shifted by the row max so ``exp`` never overflows."""
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(dout, z, a):
    """Vector-Jacobian product of softmax: ``a * (dout - sum(dout * a))`` row-wise."""
    return a * (dout - np.sum(dout * a, axis=-1, keepdims=True))


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_backward),
    "tanh": (tanh, tanh_backward),
    "relu": (relu, relu_backward),
    "identity": (identity, identity_backward),
    "softmax": (softmax, softmax_backward),
}
