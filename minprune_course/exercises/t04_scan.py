"""Exercise 04.1: ``sensitivity_scan(net, X, y, sparsities, layers)``, one layer pruned at a time.

Entry ``[j, i]`` is the accuracy of a fresh copy of ``net`` whose layer ``layers[j]``
alone is pruned to ``sparsities[i]``. The first case of every draw is drawn again
until each known mistake gives a result of its own: the sparsities out of order (so
one copy pruned again and again shows), ``layers`` neither every layer nor the hidden
ones in order (so ignoring it shows), and more sparsities than layers (so a transposed
table shows). The hidden battery adds the output layer, float32 networks and a
sparsity of 0. Accuracies are ratios of counts, compared to 1e-6: a float32 table passes.
"""

import numpy as np

import minprune as mp
from minprune_course import checks

from . import _t04

GRADE_ID = "t04_scan_test"
ANSWER = "sensitivity_scan"
SIGNATURE = "(net, X, y, sparsities, layers)"
REFERENCE = ("minprune.sensitivity_scan", "minprune.pruning_curve")
MISTAKES = {
    # raised by checks.call, whose hint for a changed argument names it
    "pruned_net": "changed its argument net in place",
    "copy_per_layer": "an entry depends on the ones before it: one copy of net was pruned "
    "again and again; prune a fresh copy, net.copy(), for every (layer, sparsity)",
    "one_copy": "a row depends on the rows before it: the layers pruned for earlier rows "
    "stayed pruned; prune a fresh copy, net.copy(), for every (layer, sparsity)",
    "all_layers": "every row pruned all of `layers` at once; row j prunes layer layers[j] "
    "alone and leaves every other layer whole",
    "every_layer": "the rows are not the layers of `layers`: scan exactly the layers it "
    "names, in its order, one row each",
    "transposed": "expected one row per layer and one column per sparsity, shape "
    "(len(layers), len(sparsities))",
}
ATOL = 1e-6  # accuracies differ by 1 / len(y) or more; float32 results are within 1e-7


def _pruned(net, X, y, s, layers):
    return mp.prune(net, sparsity=float(s), layers=list(layers)).accuracy(X, y)


def _mistakes(net, X, y, sparsities, layers, expected):
    """What each known mistake returns on this case."""
    copy_per_layer = []
    for i in layers:
        again = net.copy()
        copy_per_layer.append([_pruned(again, X, y, s, [i]) for s in sparsities])
    once = net.copy()
    one_copy = [[_pruned(once, X, y, s, [i]) for s in sparsities] for i in layers]
    together = [_pruned(net.copy(), X, y, s, layers) for s in sparsities]
    every = [
        [_pruned(net.copy(), X, y, s, [i]) for s in sparsities] for i in range(len(net.layers))
    ]
    return {
        "copy_per_layer": np.array(copy_per_layer),
        "one_copy": np.array(one_copy),
        "all_layers": np.array([together] * len(layers)),
        "every_layer": np.array(every),
        "transposed": np.asarray(expected).T,
    }


def _prepared(rng, hidden):
    """``(inputs, expected, mistakes)`` of each case. The first is drawn again until every
    mistake gives a result of its own (the others' mistakes are worked out by the check
    when an answer is wrong, as ``None`` says); hidden adds the output layer, float32 networks and a
    sparsity of 0."""
    (reference,) = checks.public(REFERENCE[0])

    def prepare(net, X, y, sparsities, layers, showing=False):
        expected = reference(net, X, y, sparsities=sparsities, layers=layers)
        inputs = (net, X, y, sparsities, layers)
        return inputs, expected, _mistakes(*inputs, expected) if showing else None

    while True:
        net, X, y = _t04.teacher(rng, n_hidden=2)
        n_layers = len(net.layers)
        layers = [int(i) for i in rng.permutation(n_layers)[: int(rng.integers(2, n_layers + 1))]]
        if layers in (list(range(n_layers)), list(range(n_layers - 1))):
            continue  # ignoring `layers` would pass
        sparsities = _t04.grid(rng, 0.2, 0.95, int(rng.integers(len(layers) + 1, 7)), shuffled=True)
        first = prepare(net, X, y, sparsities, layers, showing=True)
        if _t04.distinct(*first[1:], ATOL):
            break
    yield first
    if not hidden:
        return
    net, X, y = _t04.teacher(rng, n_hidden=2)
    yield prepare(net, X, y, _t04.grid(rng, 0.0, 0.95, 6, shuffled=True), [2, 0, 1])
    net, X, y = _t04.teacher(rng, n_hidden=1, dtype="float32")
    yield prepare(net, X, y, _t04.grid(rng, 0.1, 0.9, 5, shuffled=True), [1])
    net, X, y = _t04.teacher(rng, n_hidden=2)
    yield prepare(net, X, y, np.array([0.0, 0.5, 0.9]), [1, 2])


def cases(rng, hidden):
    """``(net, X, y, sparsities, layers)``: see ``_prepared``."""
    for inputs, _, _ in _prepared(rng, hidden):
        yield inputs


def check(answer, hidden=False, seed=None):
    """``answer(net, X, y, sparsities, layers)`` is the table of ``mp.sensitivity_scan``."""
    references = checks.public(*REFERENCE)
    for inputs, expected, mistakes in _prepared(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        net, X, y, sparsities, layers = inputs
        what = (
            f"sensitivity_scan(net, X, y, sparsities, layers={layers}) with net.sizes "
            f"{net.sizes}, {len(sparsities)} sparsities"
        )
        got = checks.call(
            answer, net, X, y, sparsities, layers, what=what, without=references,
            names=("net", "X", "y", "sparsities", "layers"),
        )  # fmt: skip
        if not checks.matches(got, expected, rtol=0.0, atol=ATOL):
            mistakes = _mistakes(*inputs, expected) if mistakes is None else mistakes
            _t04.no_mistake(what, got, expected, mistakes, MISTAKES, ATOL)
        scan = checks.expect_array(got, shape=expected.shape, what=what)
        checks.expect_close(scan, expected, what, rtol=0.0, atol=ATOL)
    checks.passed()
