"""The dense layer: ``out = f(X @ W + b)``, its backward beside it, and its mask.

The layer keeps its masks next to its weights, as PyTorch keeps ``weight_orig``
beside ``weight_mask``: ``mask`` for ``W`` and ``b_mask`` for ``b``, arrays of
0.0 and 1.0 of the weights' dtype. The engine keeps ``W == W * mask`` at all
times (pruning and every optimiser step re-apply it), so the forward pass reads
``W`` directly and a pruned weight costs nothing extra to respect.
"""

import numpy as np

from ._checks import check_array, check_choice
from .activations import ACTIVATIONS

__all__ = ["Dense", "dense_forward", "dense_backward"]


def dense_forward(X, W, b):
    """Affine map.

    Parameters
    ----------
    X : (n, n_in) array
    W : (n_in, n_out) array
    b : (n_out,) array

    Returns
    -------
    Z : (n, n_out) array, ``X @ W + b``
    """
    Z = X @ W
    Z += b
    return Z


def dense_backward(dZ, X, W):
    """Gradients of ``Z = X @ W + b``.

    Parameters
    ----------
    dZ : (n, n_out) array, upstream gradient
    X : (n, n_in) array, the layer input saved by the forward pass
    W : (n_in, n_out) array

    Returns
    -------
    dX : (n, n_in) array, ``dZ @ W.T``
    dW : (n_in, n_out) array, ``X.T @ dZ``
    db : (n_out,) array, ``dZ.sum(axis=0)``
    """
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


class Dense:
    """A fully connected layer with an activation and masks for its parameters.

    Parameters
    ----------
    W : (n_in, n_out) array
    b : (n_out,) array
    activation : str
        One of ``'sigmoid'``, ``'tanh'``, ``'relu'``, ``'identity'``, ``'softmax'``.
    mask, b_mask : arrays of W's and b's shapes, optional
        1.0 keeps a parameter, 0.0 prunes it. Default: all ones.
    """

    def __init__(self, W, b, activation="identity", mask=None, b_mask=None):
        W = check_array(W, "W", ndim=2)
        if not np.issubdtype(W.dtype, np.floating):
            W = W.astype(np.float64)
        b = check_array(b, "b", ndim=1, dtype=W.dtype)
        if b.shape != (W.shape[1],):
            raise ValueError(
                f"b must have shape ({W.shape[1]},) to match W {W.shape}, got {b.shape}"
            )
        self.activation = check_choice(activation, "activation", ACTIVATIONS)
        self.W = W.copy()
        self.b = b.copy()
        self.mask = self._check_mask(mask, self.W, "mask")
        self.b_mask = self._check_mask(b_mask, self.b, "b_mask")
        self._zero_pruned()

    @staticmethod
    def _check_mask(mask, param, name):
        if mask is None:
            return np.ones_like(param)
        mask = check_array(mask, name)
        if mask.shape != param.shape:
            raise ValueError(f"{name} must have shape {param.shape}, got {mask.shape}")
        if not np.all((mask == 0) | (mask == 1)):
            bad = mask[(mask != 0) & (mask != 1)]
            raise ValueError(
                f"{name} must hold only 0 and 1 (1 keeps, 0 prunes), got {bad.size} other "
                f"value(s) such as {bad.flat[0].item()!r}"
            )
        return mask.astype(param.dtype)

    @property
    def n_in(self):
        return self.W.shape[0]

    @property
    def n_out(self):
        return self.W.shape[1]

    def forward(self, X):
        """Return ``(A, cache)`` with ``A = f(X @ W + b)``; the cache feeds ``backward``."""
        Z = dense_forward(X, self.W, self.b)
        A = ACTIVATIONS[self.activation][0](Z)
        return A, (X, Z, A)

    def backward(self, dA, cache):
        """Return ``(dX, dW, db)`` for upstream ``dA``; ``dW`` and ``db`` are masked."""
        X, Z, A = cache
        dZ = ACTIVATIONS[self.activation][1](dA, Z, A)
        dX, dW, db = dense_backward(dZ, X, self.W)
        return dX, dW * self.mask, db * self.b_mask

    def apply_mask(self, mask=None, b_mask=None):
        """Multiply new masks into the current ones (pruned stays pruned) and zero the weights."""
        if mask is not None:
            self.mask *= self._check_mask(mask, self.W, "mask")
        if b_mask is not None:
            self.b_mask *= self._check_mask(b_mask, self.b, "b_mask")
        self._zero_pruned()

    def _zero_pruned(self):
        # where(mask, w, 0) rather than w * mask: a pruned negative weight must
        # read 0.0, not -0.0, when a lesson prints it
        np.copyto(self.W, 0, where=self.mask == 0)
        np.copyto(self.b, 0, where=self.b_mask == 0)

    def copy(self):
        return Dense(self.W, self.b, self.activation, self.mask, self.b_mask)

    def __repr__(self):
        return f"Dense({self.n_in} -> {self.n_out}, {self.activation})"
