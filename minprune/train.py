"""Minibatch training with validation, a history and callbacks.

    history = train(net, X, y, epochs=20, optimizer=SGD(lr=0.1, momentum=0.9),
                    X_val=X_val, y_val=y_val, callbacks=[schedule], rng=0)

A callback is any object with some of the methods ``on_train_begin``,
``on_step_end`` and ``on_epoch_end``; each gets ``(net, state)``, where ``state``
holds ``epoch``, ``step`` (global step count), ``optimizer``, ``history`` and
``grads``. Pruning schedules plug in here. Setting ``state["stop"] = True``
ends training after the current epoch.
"""

import sys

import numpy as np

from ._checks import (
    check_array,
    check_labels,
    check_network,
    check_penalty,
    check_positive_int,
    check_rng,
)
from .metrics import sparsity
from .optim import SGD
from .penalties import L1, ElasticNet, proximal_l1_step

__all__ = ["train", "History", "Callback", "iterate_minibatches"]


class Callback:
    """Base class for training callbacks; override what you need."""

    def on_train_begin(self, net, state):
        pass

    def on_step_end(self, net, state):
        pass

    def on_epoch_end(self, net, state):
        pass


class History(dict):
    """Per-epoch records: ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``, ``sparsity``."""

    def __init__(self):
        super().__init__(epoch=[], loss=[], accuracy=[], val_loss=[], val_accuracy=[], sparsity=[])

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as err:
            raise AttributeError(name) from err


def iterate_minibatches(n, batch_size, rng, shuffle=True):
    """Yield index arrays covering ``range(n)`` in batches of ``batch_size``."""
    order = rng.permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def _check_data(net, X, y, x_name, y_name):
    """Check a data set against ``net``: features, rows and labels (or targets)."""
    X = net._check_X(X, x_name)
    if net.loss_name == "cross_entropy":
        y = check_labels(y, y_name, X.shape[0], n_classes=net.sizes[-1])
    else:
        y = check_array(y, y_name)
        if y.ndim == 0 or y.shape[0] != X.shape[0]:
            raise ValueError(
                f"{y_name} must have {X.shape[0]} rows like {x_name}, got shape {y.shape}"
            )
    return X, y


def _diverged(loss, state, optimizer):
    return (
        f"loss became {loss} at epoch {state['epoch']}, step {state['step'] + 1}; "
        f"training stopped. Try a smaller learning rate (lr={getattr(optimizer, 'lr', '?')})"
    )


def train(
    net,
    X,
    y,
    epochs=10,
    batch_size=64,
    optimizer=None,
    penalty=None,
    proximal=False,
    X_val=None,
    y_val=None,
    callbacks=(),
    rng=None,
    progress=None,
):
    """Train ``net`` in place by minibatch gradient descent and return a ``History``.

    Parameters
    ----------
    net : Network
    X : (n, n_in) array; y : (n,) labels (or targets for ``loss='mse'``)
    epochs, batch_size : int
    optimizer : optimiser with ``step(net, grads)``; default ``SGD(lr=0.1)``
    penalty : L1, L2 or ElasticNet, optional
    proximal : bool
        Apply the L1 part of ``penalty`` by soft-thresholding after each step
        (ISTA, exact zeros) instead of adding its subgradient.
    X_val, y_val : validation data, optional
    callbacks : sequence of callbacks (see the module docstring)
    rng : Generator or seed for the shuffling
    progress : bool or None
        Show a tqdm bar; ``None`` shows one only when stderr is a terminal.

    Raises
    ------
    FloatingPointError
        When the loss becomes NaN or infinite (training stops at once).
    """
    check_network(net)
    X, y = _check_data(net, X, y, "X", "y")
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together")
    if X_val is not None:
        X_val, y_val = _check_data(net, X_val, y_val, "X_val", "y_val")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    optimizer = optimizer if optimizer is not None else SGD(lr=0.1)
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer must have a step(net, grads) method, got {optimizer!r}")
    check_penalty(penalty)
    if isinstance(callbacks, (str, bytes)) or not hasattr(callbacks, "__iter__"):
        raise TypeError(
            f"callbacks must be a list of callbacks, got {type(callbacks).__name__}; "
            "wrap a single one in a list: callbacks=[cb]"
        )
    callbacks = list(callbacks)
    if proximal and not isinstance(penalty, (L1, ElasticNet)):
        raise ValueError(f"proximal=True needs an L1 or ElasticNet penalty, got {penalty!r}")
    rng = check_rng(rng)
    if progress is None:
        progress = sys.stderr.isatty()

    smooth = penalty
    if proximal:
        smooth = None if isinstance(penalty, L1) else type(penalty)(0.0, penalty.l2)

    history = History()
    state = {"epoch": 0, "step": 0, "optimizer": optimizer, "history": history, "grads": None}
    state["stop"] = False
    for cb in callbacks:
        getattr(cb, "on_train_begin", lambda *a: None)(net, state)

    epoch_iter = range(1, epochs + 1)
    if progress:
        from tqdm.auto import tqdm

        epoch_iter = tqdm(epoch_iter, desc="epochs", leave=False)
    for epoch in epoch_iter:
        state["epoch"] = epoch
        total, seen = 0.0, 0
        for idx in iterate_minibatches(X.shape[0], batch_size, rng):
            try:
                loss, grads = net.loss_and_grads(X[idx], y[idx], penalty=smooth)
            except FloatingPointError as err:
                raise FloatingPointError(_diverged(float("nan"), state, optimizer)) from err
            if not np.isfinite(loss):
                raise FloatingPointError(_diverged(loss, state, optimizer))
            optimizer.step(net, grads)
            if proximal:
                proximal_l1_step(net, penalty.l1, optimizer.lr)
            state["step"] += 1
            state["grads"] = grads
            total += loss * len(idx)
            seen += len(idx)
            for cb in callbacks:
                getattr(cb, "on_step_end", lambda *a: None)(net, state)
        history["epoch"].append(epoch)
        history["loss"].append(total / seen)
        history["accuracy"].append(net.accuracy(X, y) if net.loss_name == "cross_entropy" else None)
        if X_val is not None:
            history["val_loss"].append(net.loss(X_val, y_val))
            history["val_accuracy"].append(
                net.accuracy(X_val, y_val) if net.loss_name == "cross_entropy" else None
            )
        history["sparsity"].append(sparsity(net))
        for cb in callbacks:
            getattr(cb, "on_epoch_end", lambda *a: None)(net, state)
        if progress:
            epoch_iter.set_postfix(loss=f"{history['loss'][-1]:.4f}")
        if state["stop"]:
            break
    return history
