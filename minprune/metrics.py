"""Counting what pruning saves: parameters, nonzeros, sparsity, multiply-adds.

"Prunable" weights are the weight matrices a pruning function may touch: by
default every ``W`` but the output layer's, and no bias (see ``prunable_layers``).
"""

import numpy as np

from ._checks import check_network

__all__ = [
    "prunable_layers",
    "count_parameters",
    "count_nonzeros",
    "sparsity",
    "layer_sparsity",
    "count_macs",
]


def prunable_layers(net, include_output=False):
    """Indices of the layers whose ``W`` is pruned by default (all but the output layer)."""
    check_network(net)
    n = len(net.layers)
    return list(range(n if include_output or n == 1 else n - 1))


def count_parameters(net, biases=True):
    """Number of parameters: every entry of every ``W`` (and ``b`` with ``biases=True``)."""
    check_network(net)
    return int(sum(layer.W.size + (layer.b.size if biases else 0) for layer in net.layers))


def count_nonzeros(net, biases=True):
    """Number of nonzero parameters."""
    check_network(net)
    return int(
        sum(
            np.count_nonzero(layer.W) + (np.count_nonzero(layer.b) if biases else 0)
            for layer in net.layers
        )
    )


def sparsity(net, include_output=False):
    """Fraction of zero weights over all prunable weights together.

    This is ``zeros / total`` over the weights of all layers at once: a weighted
    mean of the per-layer sparsities, not their sum (a sum of per-layer ratios can
    exceed 1).
    """
    layers = [net.layers[i] for i in prunable_layers(net, include_output)]
    total = sum(layer.W.size for layer in layers)
    zeros = sum(layer.W.size - np.count_nonzero(layer.W) for layer in layers)
    return zeros / total


def layer_sparsity(net):
    """Fraction of zero weights in each layer's ``W``, output layer included."""
    check_network(net)
    return [1.0 - np.count_nonzero(layer.W) / layer.W.size for layer in net.layers]


def count_macs(net, effective=False):
    """Multiply-adds for one sample.

    Dense: ``sum n_in * n_out`` over layers. ``effective=True`` counts only the
    nonzero weights: the work a sparse kernel would do, not what a dense matmul does.
    """
    check_network(net)
    if effective:
        return int(sum(np.count_nonzero(layer.W) for layer in net.layers))
    return int(sum(layer.W.size for layer in net.layers))
