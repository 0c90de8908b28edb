"""Neuron removal: measured inference speedup against the ratio of multiply-adds.

For a relu network 64-w-w-10, the same fraction of neurons (lowest incoming L2
norm) is removed from both hidden layers with ``minprune.structured.remove_neurons``.
The dense network, the shrunk one and the masked one (``neuron_mask``: the same
neurons zeroed, same shapes) are timed side by side on batch 128. The figure is
the efficiency ``speedup / MAC ratio``: 1 means time fell exactly as the
multiply-adds did.
"""

import importlib.util

import numpy as np

from benchmarks.timing import compare, headline, spread

TITLE = "Neuron removal: inference speedup against the multiply-add ratio"
GOAL = "speedup at least 0.8 of the multiply-add ratio"
WIDTHS = (256, 512, 1024, 2048)
FRACTIONS = (0.25, 0.5, 0.75, 0.9)
BATCH = 128


def unavailable():
    if importlib.util.find_spec("minprune.structured") is None:
        return "minprune.structured (remove_neurons) is not in the package yet"
    return None


def shrink(net, fraction):
    """Copies of ``net`` with ``fraction`` (the share removed) of each hidden layer's neurons cut, and masked.

    The neurons are chosen on the dense network, so both copies lose the same ones.
    """
    from minprune.structured import neuron_importance, neuron_mask, remove_neurons, select_neurons

    keeps = [
        select_neurons(neuron_importance(net, layer, "incoming_l2"), fraction=fraction)
        for layer in range(len(net.layers) - 1)
    ]
    small, masked = net.copy(), net.copy()
    for layer, keep in enumerate(keeps):
        small = remove_neurons(small, layer, keep)
        neuron_mask(masked, layer, keep)
    return small, masked


def run(quick=False):
    from minprune.metrics import count_macs
    from minprune.network import Network

    widths, fractions = ((32,), (0.5,)) if quick else (WIDTHS, FRACTIONS)
    batch = 16 if quick else BATCH
    repeats, min_time = (3, 0.002) if quick else (15, 0.03)
    rng = np.random.default_rng(0)
    results = []
    for w in widths:
        net = Network([64, w, w, 10], activation="relu", rng=rng)
        X = rng.standard_normal((batch, 64)).astype(np.float32)
        for f in fractions:
            small, masked = shrink(net, f)
            np.testing.assert_allclose(small.forward(X), masked.forward(X), rtol=1e-4, atol=1e-4)
            t = compare(
                {
                    "dense": lambda n=net, X=X: n.forward(X),
                    "removed": lambda n=small, X=X: n.forward(X),
                    "masked": lambda n=masked, X=X: n.forward(X),
                },
                repeats,
                min_time,
            )
            mac_ratio = count_macs(net) / count_macs(small)
            speedup = t.ratio("dense", "removed")
            results.append(
                {
                    "width": w,
                    "fraction_removed": f,
                    "sizes": small.sizes,
                    "mac_ratio": mac_ratio,
                    "speedup": speedup,
                    "masked_speedup": t.ratio("dense", "masked"),
                    "efficiency": {k: v / mac_ratio for k, v in speedup.items() if k != "n"},
                    "times": t.summary(),
                }
            )
    heads = []
    for f in fractions:
        eff = [r["efficiency"]["median"] for r in results if r["fraction_removed"] == f]
        stats = spread(eff)
        heads.append(
            headline(
                f"{f:.0%} of neurons removed: speedup / MAC ratio "
                f"(median over widths {widths[0]}-{widths[-1]}, spread = min-max over widths)",
                {
                    "median": stats["median"],
                    "min": stats["min"],
                    "max": stats["max"],
                    "n": stats["n"],
                },
                0.8,
                ">=",
                "",
            )
        )
    return {
        "config": {
            "batch": batch,
            "widths": list(widths),
            "fractions": list(fractions),
            "score": "incoming_l2",
            "repeats": repeats,
            "min_block_s": min_time,
            "dtype": "float32",
        },
        "results": results,
        "headline": heads,
    }
