"""Inputs shared by the exercises of topic 00: layer sizes and sparse weight lists."""

import minprune as mp


def random_sizes(rng, hidden):
    """2 to 5 layer widths; the hidden battery adds width-1 layers and wide ones."""
    top = 300 if hidden else 60
    return [int(n) for n in rng.integers(1, top, size=int(rng.integers(2, 6)))]


def network(sizes):
    """A float64 ``mp.Network`` of widths ``sizes``: the counts' reference."""
    return mp.Network(sizes, dtype="float64", rng=0)


def sparse_weights(rng, n_layers):
    """``n_layers`` weight arrays of chained shapes, each with its own fraction of zeros."""
    sizes = [int(n) for n in rng.integers(1, 50, size=n_layers + 1)]
    weights = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        keep = rng.random((n_in, n_out)) < rng.uniform(0.05, 0.95)
        weights.append(rng.normal(size=(n_in, n_out)) * keep)
    return weights
