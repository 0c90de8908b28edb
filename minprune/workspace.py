"""The training step's fast path: forward and backward in arrays kept from batch to batch.

``Network.loss_and_grads`` runs its forward and backward pass here. They compute
what ``Network.forward(X, cache=True)`` and ``Network.backward`` compute, with the
same operations in the same order, so the results are the same to the bit; only
where the results go differs:

- each layer's ``Z = X @ W + b`` is written into an array kept for that layer,
  and ``A = f(Z)`` over it (every activation's derivative can be read off ``A``);
- ``dZ = dA * f'(Z)`` is written over the upstream gradient ``dA``, and
  ``dX = dZ @ W.T`` into an array kept for that layer; the first layer's ``dX``
  is not computed (nothing uses it);
- ``dW`` and ``db`` are new arrays on every call, so callers may keep them.

Why: fresh activations, about a megabyte per step of a 64-256-256-10 network at
batch 128, cost as much time as the step's matrix products. The C library hands
freed memory back to the system, and every new array page-faults it in again.
"""

import numpy as np

from .activations import ACTIVATIONS

__all__ = ["Workspace"]


def _over(f):
    """``f(Z)`` written over ``Z``, for an activation with no in-place form."""

    def f_over(Z):
        Z[...] = f(Z)
        return Z

    return f_over


#: ``f(Z)`` written over ``Z``: activations.py's forward with ``out=Z``.
FORWARD_IN_PLACE = {
    "relu": lambda Z: np.maximum(Z, 0, out=Z),
    "tanh": lambda Z: np.tanh(Z, out=Z),
    "identity": lambda Z: Z,
    "sigmoid": _over(ACTIVATIONS["sigmoid"][0]),
    "softmax": _over(ACTIVATIONS["softmax"][0]),
}

#: ``dA * f'(Z)`` written over ``dA``, read off ``A = f(Z)`` (``Z`` is gone):
#: activations.py's backward with ``out=dA``.
BACKWARD_IN_PLACE = {
    "relu": lambda dA, A: np.multiply(dA, A > 0, out=dA),  # A > 0 exactly where Z > 0
    "tanh": lambda dA, A: np.multiply(dA, 1.0 - A * A, out=dA),
    "identity": lambda dA, A: dA,
    "sigmoid": lambda dA, A: np.multiply(dA * A, 1.0 - A, out=dA),
    "softmax": lambda dA, A: np.multiply(A, dA - np.sum(dA * A, axis=-1, keepdims=True), out=dA),
}


class Workspace:
    """The arrays one network's training step computes in, kept for the next step.

    Each array is made when first needed and again when a batch of another size
    (or a layer of another shape or dtype) needs it. A network holds one
    workspace; a copy of the network gets its own.
    """

    def __init__(self):
        self.arrays = {}

    def array(self, key, shape, dtype):
        """The array kept under ``key``, made anew if its shape or dtype changed."""
        a = self.arrays.get(key)
        if a is None or a.shape != shape or a.dtype != dtype:
            a = self.arrays[key] = np.empty(shape, dtype)
        return a

    def forward(self, layers, X):
        """``Network.forward(X, cache=True)`` for ``layers``, computed in kept arrays.

        ``X`` is the checked input. Returns ``(out, caches)``; the next call
        overwrites both.
        """
        A = X
        caches = []
        for i, layer in enumerate(layers):
            Z = self.array(("A", i), (A.shape[0], layer.n_out), np.result_type(A, layer.W))
            np.matmul(A, layer.W, out=Z)
            Z += layer.b
            caches.append((A, Z, FORWARD_IN_PLACE[layer.activation](Z)))
            A = Z
        return A, caches

    def backward(self, layers, dout, caches):
        """``Network.backward(dout, caches)`` for ``layers``, computed over ``dout``
        and in kept arrays; the ``dW`` and ``db`` returned are new arrays."""
        grads = [None] * len(layers)
        for i in range(len(layers) - 1, -1, -1):
            layer, (X, _, A) = layers[i], caches[i]
            dZ = BACKWARD_IN_PLACE[layer.activation](dout, A)
            if i > 0:
                dX = self.array(("dX", i), X.shape, np.result_type(dZ, layer.W))
                dout = np.matmul(dZ, layer.W.T, out=dX)
            dW = X.T @ dZ
            dW *= layer.mask
            db = dZ.sum(axis=0)
            db *= layer.b_mask
            grads[i] = {"W": dW, "b": db}
        return grads
