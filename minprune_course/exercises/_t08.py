"""Inputs shared by the exercises of topic 08: tie-free networks and weights, dyadic thresholds.

The weights are drawn free of ties (no two equal magnitudes, none zero), so that torch's
``topk`` and minprune's stable sort select the same weights. Thresholds are multiples of
1/256, exact in float32 and float64, so a tie ``|w| == threshold`` is a tie in either
precision.

It also holds ``asking``: how a check reaches an answer through a probe of plain data,
in this process or across the grader's sandbox (see the section at the end).
"""

import importlib
import itertools
import sys

import numpy as np
import torch
from torch import nn

import minprune as mp
from minprune_course import checks


def distinct(values):
    """True when no two entries of ``values`` have the same magnitude."""
    flat = np.abs(np.asarray(values)).ravel()
    return np.unique(flat).size == flat.size


def tie_free(rng, shape, dtype, scale=1.0):
    """Normal weights of ``shape`` with no two equal magnitudes and none zero."""
    while True:
        W = rng.normal(scale=scale, size=shape).astype(dtype)
        if distinct(W) and (W != 0).all():
            return W


def network(rng, sizes, activation="relu", dtype="float32", output="identity"):
    """A network of ``sizes``: tie-free weights across all layers, nonzero biases, and
    layers on different scales (so global and layer-wise ranking differ)."""
    loss = "cross_entropy" if output == "identity" else "mse"
    while True:
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            act = output if i == len(sizes) - 2 else activation
            scale = float(rng.uniform(0.3, 1.5)) / np.sqrt(n_in)
            W = tie_free(rng, (n_in, n_out), dtype, scale)
            b = rng.normal(scale=0.5, size=n_out).astype(dtype)
            layers.append(mp.Dense(W, b, act))
        if distinct(np.concatenate([layer.W.ravel() for layer in layers])):
            return mp.Network.from_layers(layers, loss)


def sizes(rng, n_hidden):
    """``n_hidden + 2`` layer widths from 3 to 9."""
    return [int(n) for n in rng.integers(3, 10, size=n_hidden + 2)]


def inputs(rng, net, n=13):
    """A batch of ``n`` samples in the network's dtype."""
    return rng.normal(size=(n, net.sizes[0])).astype(net.dtype)


def describe(net):
    """``"a float32 network of sizes [..], activations [..]"``: how hints name a network."""
    acts = [layer.activation for layer in net.layers]
    return f"a {net.dtype} network of sizes {net.sizes}, activations {acts}"


def dyadic(rng, low, high):
    """A threshold in ``[low, high]`` that is a multiple of 1/256 (exact in float32)."""
    return int(rng.integers(round(low * 256), round(high * 256) + 1)) / 256


def linears(model):
    """The ``nn.Linear`` modules of ``model``, in order."""
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def state(model):
    """``model``'s ``state_dict`` as detached copies: plain data to read back."""
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def numpy(value):
    """A tensor as a NumPy array (anything else as it is)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return value
