"""Metrics: counts and sparsities on a network whose numbers are worked out by hand."""

import numpy as np
import pytest

from minprune.metrics import (
    count_macs,
    count_nonzeros,
    count_parameters,
    layer_sparsity,
    prunable_layers,
    sparsity,
)
from minprune.network import Network


@pytest.fixture
def net():
    """3-4-2-2 net: 12 + 8 + 4 weights and 4 + 2 + 2 biases, all ones before pruning.

    Layer 0 loses 6 of its 12 weights (sparsity 0.5), layer 1 loses 7 of its 8 (0.875),
    the output layer keeps its 4, and one bias of layer 0 is pruned.
    """
    net = Network([3, 4, 2, 2], activation="tanh", rng=0)
    for layer in net.layers:
        layer.W[:] = 1.0
        layer.b[:] = 1.0
    m0 = np.ones((3, 4))
    m0[:, :2] = 0
    m1 = np.zeros((4, 2))
    m1[0, 0] = 1
    net.layers[0].apply_mask(m0, np.array([0.0, 1.0, 1.0, 1.0]))
    net.layers[1].apply_mask(m1)
    return net


def test_count_parameters_counts_every_weight_and_bias(net):
    """Parameters: 24 weights + 8 biases = 32; 24 without biases."""
    assert count_parameters(net) == 32
    assert count_parameters(net, biases=False) == 24


def test_count_nonzeros_counts_what_pruning_left(net):
    """Nonzeros: 6 + 1 + 4 weights, 3 + 2 + 2 biases."""
    assert count_nonzeros(net, biases=False) == 11
    assert count_nonzeros(net) == 18


def test_sparsity_is_zeros_over_all_prunable_weights(net):
    """Model sparsity is (6 + 7) / (12 + 8) = 0.65 over the hidden layers together."""
    assert sparsity(net) == pytest.approx(13 / 20)


def test_sparsity_is_not_a_sum_of_layer_ratios(net):
    """The per-layer ratios 0.5 and 0.875 sum to 1.375 > 1; the model sparsity does not."""
    ratios = layer_sparsity(net)
    assert sum(ratios[:2]) == pytest.approx(1.375)
    assert sparsity(net) < 1
    assert sparsity(net) != pytest.approx(np.mean(ratios[:2]))


def test_sparsity_with_the_output_layer(net):
    """include_output=True adds the 4 dense output weights: 13 / 24."""
    assert sparsity(net, include_output=True) == pytest.approx(13 / 24)


def test_layer_sparsity_lists_every_layer(net):
    """layer_sparsity gives each W's zero fraction, output layer included."""
    assert layer_sparsity(net) == pytest.approx([0.5, 0.875, 0.0])


def test_prunable_layers_leaves_the_output_layer_out(net):
    """All layers but the output by default; all with include_output."""
    assert prunable_layers(net) == [0, 1]
    assert prunable_layers(net, include_output=True) == [0, 1, 2]


def test_a_single_layer_network_is_prunable():
    """With one layer there is no hidden layer, so the only layer counts as prunable."""
    assert prunable_layers(Network([4, 2], rng=0)) == [0]


def test_macs_dense_and_effective(net):
    """Dense multiply-adds are 12 + 8 + 4 = 24 per sample; effective ones 6 + 1 + 4 = 11."""
    assert count_macs(net) == 24
    assert count_macs(net, effective=True) == 11


def test_fresh_network_has_zero_sparsity():
    """A network straight from initialisation has no zero weights."""
    assert sparsity(Network([8, 6, 3], rng=0)) == 0.0
