"""Pruning over time: schedules, training callbacks, prune-retrain loops, rewinding.

    prune_cb = GradualPruning(0.9, begin_step=100, end_step=1000, frequency=50)
    train(net, X, y, epochs=30, callbacks=[prune_cb])          # Zhu & Gupta 2017

    records = iterative_pruning(net, X, y, 0.9, rounds=5, epochs_per_round=3,
                                optimizer_factory=lambda: SGD(lr=0.1, momentum=0.9))

    rewind(net, net_at_init)                                   # Frankle & Carbin 2019

All of them prune with ``pruning.prune``: the same criteria, scopes and rules
(total sparsity, ties by position, pruned stays pruned), except
``DynamicPruning``, whose masks may regrow.
"""

import numpy as np

from ._checks import (
    check_choice,
    check_fraction,
    check_network,
    check_positive_int,
    check_rng,
)
from .layers import Dense
from .network import Network, init_weights
from .pruning import SCOPES, layer_indices, prune, score_function, sparsity_masks
from .train import Callback, train

__all__ = [
    "cubic_sparsity",
    "GradualPruning",
    "DynamicPruning",
    "one_shot",
    "iterative_pruning",
    "rewind",
    "reinit",
]


def cubic_sparsity(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0):
    """The gradual pruning schedule of Zhu & Gupta (2017).

    ``s_t = s_f + (s_i - s_f) * (1 - (t - t0) / (n * dt)) ** 3`` for
    ``t0 <= t <= t0 + n * dt``, with ``t0 = begin_step`` and ``t0 + n * dt = end_step``;
    ``s_i`` before ``begin_step`` and ``s_f`` from ``end_step`` on. It prunes fast
    while there are many redundant weights and slowly near the end.

    Parameters
    ----------
    step : int >= 0
    final_sparsity, initial_sparsity : float in [0, 1), ``initial <= final``
    begin_step, end_step : int, ``0 <= begin_step <= end_step``

    Returns
    -------
    float, the target sparsity at ``step``
    """
    step = check_positive_int(step, "step", minimum=0)
    final = check_fraction(final_sparsity, "final_sparsity")
    initial = check_fraction(initial_sparsity, "initial_sparsity")
    if initial > final:
        raise ValueError(
            f"initial_sparsity={initial!r} must be <= final_sparsity={final!r}; "
            "the schedule only prunes more"
        )
    begin = check_positive_int(begin_step, "begin_step", minimum=0)
    end = check_positive_int(end_step, "end_step", minimum=0)
    if end < begin:
        raise ValueError(f"end_step={end} must be >= begin_step={begin}")
    if step >= end:
        return final
    if step <= begin:
        return initial
    return final + (initial - final) * (1.0 - (step - begin) / (end - begin)) ** 3


class GradualPruning(Callback):
    """Prune on step ends to ``cubic_sparsity(step, ...)``, every ``frequency`` steps.

    Prunes at ``begin_step``, every ``frequency`` steps after it, and at
    ``end_step``, so the network reaches ``final_sparsity`` exactly at
    ``end_step`` (if training runs that long). ``step`` is ``state["step"]``: the
    number of optimiser steps taken in the current ``train`` call, from 1. Each
    pruning uses ``prune`` with ``criterion``, ``scope`` and ``layers``;
    ``criterion='saliency'`` uses the last batch's gradients. ``self.history``
    records ``{"step", "sparsity"}`` for each pruning.
    """

    def __init__(
        self,
        final_sparsity,
        begin_step,
        end_step,
        frequency=100,
        criterion="magnitude",
        scope="layer",
        initial_sparsity=0.0,
        layers=None,
        include_output=False,
        rng=None,
    ):
        cubic_sparsity(0, final_sparsity, begin_step, end_step, initial_sparsity)  # checks
        self.final_sparsity, self.initial_sparsity = final_sparsity, initial_sparsity
        self.begin_step, self.end_step = int(begin_step), int(end_step)
        self.frequency = check_positive_int(frequency, "frequency")
        self.criterion = criterion
        score_function(criterion)
        self.scope = check_choice(scope, "scope", SCOPES)
        self.layers, self.include_output = layers, include_output
        self.rng = check_rng(rng)
        self.history = []

    def on_step_end(self, net, state):
        step = state["step"]
        if not self.begin_step <= step <= self.end_step:
            return
        if (step - self.begin_step) % self.frequency and step != self.end_step:
            return
        target = cubic_sparsity(
            step, self.final_sparsity, self.begin_step, self.end_step, self.initial_sparsity
        )
        prune(
            net,
            sparsity=target,
            criterion=self.criterion,
            scope=self.scope,
            layers=self.layers,
            include_output=self.include_output,
            grads=state["grads"],
            rng=self.rng,
        )
        self.history.append({"step": step, "sparsity": target})


class DynamicPruning(Callback):
    """Pruning whose masks may regrow: Dynamic Network Surgery (Guo et al. 2016).

    The callback keeps a dense shadow copy ``W~`` of each pruned layer. The
    forward pass uses ``W = W~ * mask``, and the gradient taken there updates
    every entry of ``W~``, pruned ones included. Every ``frequency`` steps the
    mask is recomputed from ``W~`` alone (not multiplied into the old one) with
    ``sparsity_masks(criterion(W~), sparsity, scope)``, so a pruned weight whose
    shadow has grown comes back ("splicing").

    How it runs inside ``train``: at ``on_train_begin`` the shadow is copied
    from ``W`` and ``layer.mask`` is set to ones, so that ``backward`` and the
    optimiser reach every entry; the live mask is ``self.masks[i]`` and
    ``W == W~ * self.masks[i]`` after every step. A step of the optimiser moves
    ``W`` by ``delta``; the callback adds the same ``delta`` to ``W~``.
    Weight decay therefore acts on ``W``, not on the shadow of pruned weights.
    Call ``finalize(net)`` after training to write the masks back into
    ``layer.mask``; until then a further ``train`` without this callback would
    let pruned weights grow. The first mask is computed at step ``frequency``.
    ``self.history`` records ``{"step", "sparsity",
    "regrown"}`` for each mask update (``regrown``: weights that came back).
    """

    def __init__(
        self,
        sparsity,
        frequency=1,
        criterion="magnitude",
        scope="layer",
        layers=None,
        include_output=False,
        rng=None,
    ):
        self.sparsity = check_fraction(sparsity, "sparsity")
        self.frequency = check_positive_int(frequency, "frequency")
        self.score = score_function(criterion)
        self.scope = check_choice(scope, "scope", SCOPES)
        self._layers_arg, self.include_output = layers, include_output
        self.rng = check_rng(rng)
        self.shadow = None
        self.masks = None
        self.history = []

    def on_train_begin(self, net, state):
        if self.shadow is not None:  # a second train() before finalize: carry on
            return
        self.layers = layer_indices(net, self._layers_arg, self.include_output)
        self.shadow = {i: net.layers[i].W.copy() for i in self.layers}
        self.masks = {i: net.layers[i].mask.copy() for i in self.layers}
        for i in self.layers:
            net.layers[i].mask[...] = 1

    def on_step_end(self, net, state):
        for i in self.layers:
            # the optimiser moved W = shadow * mask by W_new - W; move the shadow the same way
            self.shadow[i] += net.layers[i].W - self.shadow[i] * self.masks[i]
        if state["step"] % self.frequency == 0:
            self._update_masks(net, state)
        for i in self.layers:
            net.layers[i].W[...] = self.shadow[i] * self.masks[i]

    def _update_masks(self, net, state):
        shadow_net = Network.from_layers(
            [Dense(self.shadow.get(i, d.W), d.b, d.activation) for i, d in enumerate(net.layers)],
            net.loss_name,
        )
        scores = self.score(shadow_net, self.layers, grads=state["grads"], rng=self.rng)
        new = sparsity_masks(scores, self.sparsity, self.scope)
        regrown = sum(
            int(np.sum((m == 1) & (self.masks[i] == 0))) for i, m in zip(self.layers, new)
        )
        self.masks = {i: m.astype(self.masks[i].dtype) for i, m in zip(self.layers, new)}
        total = sum(m.size for m in new)
        zeros = sum(m.size - np.count_nonzero(m) for m in new)
        self.history.append(
            {"step": state["step"], "sparsity": float(zeros / total), "regrown": regrown}
        )

    def finalize(self, net):
        """Write the current masks into ``layer.mask`` (static from now on); return ``net``."""
        if self.shadow is None:
            raise ValueError("finalize needs a trained network: pass this callback to train first")
        for i in self.layers:
            net.layers[i].mask[...] = self.masks[i]
            net.layers[i].W[...] = self.shadow[i] * self.masks[i]
        self.shadow = None
        return net


def one_shot(net, sparsity, retrain=None, **prune_kwargs):
    """Prune once to ``sparsity``, then retrain with the masks fixed.

    Parameters
    ----------
    net : Network, pruned and retrained in place
    sparsity : float in [0, 1)
    retrain : None, a callable ``retrain(net)``, or a dict of ``train`` arguments
        (``{"X": X, "y": y, "epochs": 5, ...}``)
    **prune_kwargs : passed to ``prune`` (``criterion``, ``scope``, ``layers``, ...)

    Returns
    -------
    What ``retrain`` returns (a ``History`` for a dict), or None without retraining.
    """
    if retrain is not None and not callable(retrain) and not isinstance(retrain, dict):
        raise TypeError(
            f"retrain must be None, a callable retrain(net) or a dict of train arguments, "
            f"got {type(retrain).__name__}"
        )
    prune(net, sparsity=sparsity, **prune_kwargs)
    if retrain is None:
        return None
    return retrain(net) if callable(retrain) else train(net, **retrain)


def _mask_sparsity(net, layers):
    masks = [net.layers[i].mask for i in layers]
    return float(sum(m.size - np.count_nonzero(m) for m in masks) / sum(m.size for m in masks))


def iterative_pruning(
    net,
    X,
    y,
    final_sparsity,
    rounds,
    epochs_per_round,
    optimizer_factory,
    criterion="magnitude",
    scope="layer",
    layers=None,
    include_output=False,
    penalty=None,
    X_val=None,
    y_val=None,
    batch_size=64,
    rng=None,
):
    """Prune and retrain in ``rounds`` steps (Han et al. 2015), in place.

    Round ``k`` prunes to ``s_k = 1 - (1 - s) ** (k / rounds)``, which removes the
    same fraction of the surviving weights each round and reaches ``s`` at
    ``k = rounds``, then retrains for ``epochs_per_round`` epochs with a fresh
    optimiser from ``optimizer_factory()``. Gradients for ``'saliency'`` are taken
    on the whole of ``(X, y)`` before each pruning.

    Returns
    -------
    records : list of dict, one per round, with ``round``, ``target`` (``s_k``),
        ``sparsity`` (fraction of pruned weights in the pruned layers),
        ``accuracy_pruned`` (just after pruning), ``accuracy`` (after retraining)
        and ``history``. Accuracies are on ``(X_val, y_val)`` when given, else on ``(X, y)``.
    """
    final = check_fraction(final_sparsity, "final_sparsity")
    rounds = check_positive_int(rounds, "rounds")
    epochs = check_positive_int(epochs_per_round, "epochs_per_round")
    if not callable(optimizer_factory):
        raise TypeError(
            f"optimizer_factory must be a callable returning a fresh optimiser, "
            f"got {type(optimizer_factory).__name__}"
        )
    layers = layer_indices(net, layers, include_output)
    score_function(criterion)
    check_choice(scope, "scope", SCOPES)
    rng = check_rng(rng)
    X_eval, y_eval = (X, y) if X_val is None else (X_val, y_val)
    records = []
    for k in range(1, rounds + 1):
        target = 1.0 - (1.0 - final) ** (k / rounds)
        grads = net.loss_and_grads(X, y)[1]
        prune(net, target, criterion=criterion, scope=scope, layers=layers, grads=grads, rng=rng)
        accuracy_pruned = net.accuracy(X_eval, y_eval)
        history = train(
            net,
            X,
            y,
            epochs=epochs,
            batch_size=batch_size,
            optimizer=optimizer_factory(),
            penalty=penalty,
            X_val=X_val,
            y_val=y_val,
            rng=rng,
        )
        records.append(
            {
                "round": k,
                "target": target,
                "sparsity": _mask_sparsity(net, layers),
                "accuracy_pruned": accuracy_pruned,
                "accuracy": net.accuracy(X_eval, y_eval),
                "history": history,
            }
        )
    return records


def _check_same_shapes(net, other, name):
    check_network(other, name)
    if [d.W.shape for d in net.layers] != [d.W.shape for d in other.layers]:
        raise ValueError(f"{name} must have the sizes of net {net.sizes}, got {other.sizes}")


def rewind(net, initial_net):
    """Lottery-ticket rewinding (Frankle & Carbin 2019), in place.

    Keeps ``net``'s masks and resets every surviving weight and bias to its value
    in ``initial_net`` (a copy of ``net`` taken at initialisation, or early in
    training for late rewinding): ``W = W_init * mask``, ``b = b_init * b_mask``.
    """
    check_network(net)
    _check_same_shapes(net, initial_net, "initial_net")
    for layer, init in zip(net.layers, initial_net.layers):
        layer.W[...] = init.W * layer.mask
        layer.b[...] = init.b * layer.b_mask
    return net


def reinit(net, rng=None):
    """The control for ``rewind``: keep the masks, draw fresh initial weights, zero biases.

    Weights are drawn as ``Network`` draws them (He before relu, Glorot otherwise).
    """
    check_network(net)
    rng = check_rng(rng)
    hidden = net.layers[0].activation
    for layer in net.layers:
        act = layer.activation if layer.activation != "identity" else hidden
        layer.W[...] = init_weights(layer.n_in, layer.n_out, act, rng, layer.W.dtype) * layer.mask
        layer.b[...] = 0.0
    return net
