"""Answers to exercise t04_scan: its known mistakes and correct alternatives."""

import numpy as np

import minprune as mp


def pruned_net(net, X, y, sparsities, layers):
    return [[mp.prune(net, sparsity=float(s), layers=[i]).accuracy(X, y) for s in sparsities]
            for i in layers]  # fmt: skip


def copy_per_layer(net, X, y, sparsities, layers):
    rows = []
    for i in layers:
        again = net.copy()
        rows.append(
            [mp.prune(again, sparsity=float(s), layers=[i]).accuracy(X, y) for s in sparsities]
        )
    return np.array(rows)


def one_copy(net, X, y, sparsities, layers):
    again = net.copy()
    return np.array(
        [
            [mp.prune(again, sparsity=float(s), layers=[i]).accuracy(X, y) for s in sparsities]
            for i in layers
        ]  # fmt: skip
    )


def all_layers(net, X, y, sparsities, layers):
    row = [mp.prune(net.copy(), sparsity=float(s), layers=list(layers)).accuracy(X, y)
           for s in sparsities]  # fmt: skip
    return np.array([row for _ in layers])


def every_layer(net, X, y, sparsities, layers):
    return np.array(
        [
            [mp.prune(net.copy(), sparsity=float(s), layers=[i]).accuracy(X, y) for s in sparsities]
            for i in range(len(net.layers))
        ]  # fmt: skip
    )


def transposed(net, X, y, sparsities, layers):
    return np.array(
        [
            [mp.prune(net.copy(), sparsity=float(s), layers=[i]).accuracy(X, y) for i in layers]
            for s in sparsities
        ]  # fmt: skip
    )


def list_of_lists(net, X, y, sparsities, layers):
    return [[mp.prune(net.copy(), sparsity=s, layers=[i]).accuracy(X, y) for s in sparsities]
            for i in layers]  # fmt: skip


def float32_counted(net, X, y, sparsities, layers):
    scan = np.zeros((len(layers), len(sparsities)), dtype=np.float32)
    for j, i in enumerate(layers):
        for col, s in enumerate(sparsities):
            pruned = mp.prune(net.copy(), sparsity=float(s), layers=[i])
            scan[j, col] = np.count_nonzero(pruned.predict(X) == y) / len(y)
    return scan


def sorted_grid_one_copy_each(net, X, y, sparsities, layers):
    """One copy per layer, pruned up a sorted grid: pruning counts the weights already
    pruned, so each entry is what a fresh copy gives."""
    order = np.argsort(sparsities)
    scan = np.zeros((len(layers), len(sparsities)))
    for j, i in enumerate(layers):
        again = net.copy()
        for col in order:
            scan[j, col] = mp.prune(again, sparsity=float(sparsities[col]), layers=[i]).accuracy(
                X, y
            )
    return scan


MISTAKES = {
    "pruned_net": pruned_net,
    "copy_per_layer": copy_per_layer,
    "one_copy": one_copy,
    "all_layers": all_layers,
    "every_layer": every_layer,
    "transposed": transposed,
}
ALTERNATIVES = {
    "list_of_lists": list_of_lists,
    "float32_counted": float32_counted,
    "sorted_grid_one_copy_each": sorted_grid_one_copy_each,
}
