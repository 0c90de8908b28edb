"""A multilayer perceptron: a list of ``Dense`` layers and a loss.

net = Network([64, 128, 10], activation="relu", rng=0)
logits, caches = net.forward(X, cache=True)
loss, grads = net.loss_and_grads(X, y)     # grads[l] = {"W": dW, "b": db}
"""

import numbers
import os

import numpy as np

from ._checks import (
    check_array,
    check_choice,
    check_dtype,
    check_labels,
    check_penalty,
    check_rng,
)
from .activations import ACTIVATIONS, softmax
from .layers import Dense
from .losses import LOSSES
from .workspace import Workspace

__all__ = ["Network", "init_weights"]


def init_weights(n_in, n_out, activation, rng, dtype):
    """Draw ``W : (n_in, n_out)``: He-normal before relu, Glorot-uniform otherwise."""
    if activation == "relu":
        W = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
    else:
        limit = np.sqrt(6.0 / (n_in + n_out))
        W = rng.uniform(-limit, limit, size=(n_in, n_out))
    return W.astype(dtype)


class Predictor:
    """``predict_proba``, ``predict`` and ``accuracy`` for anything with ``forward`` and ``loss_name``.

    ``Network`` and the sparse ``storage.SparseNetwork`` share them.
    """

    def predict_proba(self, X):
        """Class probabilities: softmax of the logits (or the output itself for mse)."""
        out = self.forward(X)
        return softmax(out) if self.loss_name == "cross_entropy" else out

    def predict(self, X):
        """Predicted labels: argmax of the output (or output > 0.5 for one sigmoid unit)."""
        out = self.forward(X)
        if out.shape[1] == 1:
            return (out[:, 0] > 0.5).astype(np.int64)
        return out.argmax(axis=1)

    def accuracy(self, X, y):
        """Fraction of samples whose predicted label equals ``y``."""
        pred = self.predict(X)
        y = check_labels(y, "y", pred.shape[0])
        return float(np.mean(pred == y))


class Network(Predictor):
    """A dense network with masks beside its weights.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths, input first: ``[64, 128, 10]`` is one hidden layer of 128.
    activation : str
        Hidden-layer activation: ``'relu'``, ``'sigmoid'`` or ``'tanh'``.
    output : str
        Output activation. ``'identity'`` (logits) for ``loss='cross_entropy'``,
        which applies the softmax itself; any activation for ``loss='mse'``.
    loss : str
        ``'cross_entropy'`` (softmax cross-entropy on integer labels) or ``'mse'``.
    dtype : float32 (default) or float64
    rng : numpy.random.Generator, int seed or None
    """

    def __init__(
        self,
        sizes,
        activation="relu",
        output="identity",
        loss="cross_entropy",
        dtype="float32",
        rng=None,
    ):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
            raise TypeError(
                f"sizes must be a list of layer widths such as [64, 128, 10], got {sizes!r}"
            )
        sizes = list(sizes)
        if len(sizes) < 2 or not all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1 for s in sizes
        ):
            raise ValueError(f"sizes must be a list of at least two positive ints, got {sizes!r}")
        check_choice(activation, "activation", ACTIVATIONS)
        check_choice(output, "output", ACTIVATIONS)
        dtype = check_dtype(dtype)
        rng = check_rng(rng)
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            act = output if i == len(sizes) - 2 else activation
            W = init_weights(n_in, n_out, act if act != "identity" else activation, rng, dtype)
            layers.append(Dense(W, np.zeros(n_out, dtype=dtype), act))
        self._set(layers, loss)

    @classmethod
    def from_layers(cls, layers, loss="cross_entropy"):
        """Build a network from a list of ``Dense`` layers (they are used, not copied)."""
        net = cls.__new__(cls)
        net._set(list(layers), loss)
        return net

    @classmethod
    def from_weights(cls, Ws, bs, activations, loss="cross_entropy"):
        """Build a network from weight matrices ``W_l : (n_l, n_{l+1})``, biases and activations."""
        if not (len(Ws) == len(bs) == len(activations)) or not Ws:
            raise ValueError(
                "Ws, bs and activations must be non-empty and of equal length, got "
                f"{len(Ws)}, {len(bs)} and {len(activations)}"
            )
        return cls.from_layers([Dense(W, b, a) for W, b, a in zip(Ws, bs, activations)], loss)

    def _set(self, layers, loss):
        if not layers or not all(isinstance(layer, Dense) for layer in layers):
            raise TypeError("layers must be a non-empty list of minprune.Dense")
        for i, (a, b) in enumerate(zip(layers[:-1], layers[1:])):
            if a.n_out != b.n_in:
                raise ValueError(
                    f"layer {i} has {a.n_out} outputs but layer {i + 1} expects {b.n_in} inputs"
                )
        check_choice(loss, "loss", LOSSES)
        if loss == "cross_entropy" and layers[-1].activation != "identity":
            raise ValueError(
                f"loss='cross_entropy' applies softmax to logits itself; the output activation "
                f"must be 'identity', got {layers[-1].activation!r}"
            )
        self.layers = layers
        self.loss_name = loss
        self._workspace = Workspace()  # where loss_and_grads computes (workspace.py)

    # ------------------------------------------------------------------ shape
    @property
    def sizes(self):
        """Layer widths, input first."""
        return [self.layers[0].n_in] + [layer.n_out for layer in self.layers]

    @property
    def dtype(self):
        return self.layers[0].W.dtype

    def __repr__(self):
        acts = [layer.activation for layer in self.layers]
        return f"Network(sizes={self.sizes}, activations={acts}, loss={self.loss_name!r})"

    # --------------------------------------------------------- forward/backward
    def _check_X(self, X, name="X"):
        X = check_array(X, name, ndim=2)
        if X.shape[1] != self.layers[0].n_in:
            raise ValueError(
                f"{name} must have {self.layers[0].n_in} features (columns), got shape {X.shape}"
            )
        return X.astype(self.dtype, copy=False)

    def forward(self, X, cache=False):
        """Output of the last layer for ``X : (n, n_in)``.

        Returns ``out`` or, with ``cache=True``, ``(out, caches)`` for ``backward``.
        """
        A = self._check_X(X)
        caches = []
        for layer in self.layers:
            A, c = layer.forward(A)
            caches.append(c)
        return (A, caches) if cache else A

    def backward(self, dout, caches):
        """Gradients ``[{"W": dW, "b": db}, ...]`` of a scalar whose gradient at the output is ``dout``."""
        grads = [None] * len(self.layers)
        for i in range(len(self.layers) - 1, -1, -1):
            dout, dW, db = self.layers[i].backward(dout, caches[i])
            grads[i] = {"W": dW, "b": db}
        return grads

    @staticmethod
    def _check_output(out):
        # X is checked finite, so a NaN or infinite output means the weights diverged
        if not np.all(np.isfinite(out)):
            raise FloatingPointError(
                "the network output contains NaN or infinity: the weights have diverged "
                "(too large a learning rate?) or hold NaN"
            )
        return out

    def loss(self, X, y, penalty=None):
        """The data loss (plus ``penalty(net)`` if given) on ``(X, y)``.

        Raises ``FloatingPointError`` if the output is not finite (diverged weights).
        """
        check_penalty(penalty)
        value, _ = LOSSES[self.loss_name](self._check_output(self.forward(X)), y)
        return value + (penalty.value(self) if penalty is not None else 0.0)

    def loss_and_grads(self, X, y, penalty=None):
        """Loss and gradients on a batch; a penalty adds its value and its gradient.

        The same as ``forward(X, cache=True)``, the loss and ``backward``, bit for
        bit, computed in arrays the network keeps from one batch to the next
        (``workspace.py`` says why); the ``dW`` and ``db`` returned are new arrays.

        Raises ``FloatingPointError`` if the output is not finite (diverged weights).
        """
        check_penalty(penalty)
        out, caches = self._workspace.forward(self.layers, self._check_X(X))
        value, dout = LOSSES[self.loss_name](self._check_output(out), y)
        grads = self._workspace.backward(self.layers, dout, caches)
        if penalty is not None:
            value += penalty.value(self)
            for layer, g in zip(self.layers, grads):
                g["W"] += penalty.grad(layer.W) * layer.mask
        return value, grads

    # ----------------------------------------------------------------- state
    def copy(self):
        """A deep copy: weights, biases and masks."""
        return Network.from_layers([layer.copy() for layer in self.layers], self.loss_name)

    def astype(self, dtype):
        """A copy in ``dtype`` (float32 or float64)."""
        dtype = check_dtype(dtype)
        layers = [
            Dense(lay.W.astype(dtype), lay.b.astype(dtype), lay.activation, lay.mask, lay.b_mask)
            for lay in self.layers
        ]
        return Network.from_layers(layers, self.loss_name)

    def save(self, path):
        """Write weights, biases, masks and activations to an ``.npz`` file."""
        arrays = {"loss": np.array(self.loss_name)}
        for i, layer in enumerate(self.layers):
            arrays[f"W{i}"] = layer.W
            arrays[f"b{i}"] = layer.b
            arrays[f"mask{i}"] = layer.mask
            arrays[f"b_mask{i}"] = layer.b_mask
            arrays[f"activation{i}"] = np.array(layer.activation)
        np.savez(path, **arrays)

    @classmethod
    def load(cls, path):
        """Read a network written by ``save`` (the ``.npz`` suffix may be left out, as in ``save``)."""
        path = os.fspath(path)
        if not os.path.exists(path) and os.path.exists(path + ".npz"):
            path = path + ".npz"
        with np.load(path, allow_pickle=False) as f:
            n = sum(1 for k in f.files if k.startswith("W"))
            layers = [
                Dense(
                    f[f"W{i}"], f[f"b{i}"], str(f[f"activation{i}"]), f[f"mask{i}"], f[f"b_mask{i}"]
                )
                for i in range(n)
            ]
            return cls.from_layers(layers, str(f["loss"]))
