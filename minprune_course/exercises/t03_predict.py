"""Exercise 03.5, predict then check: ``prediction()``, the layer global pruning empties most.

A fresh ReLU network (He initialisation: each layer's weights drawn with standard deviation
``sqrt(2 / n_in)``) is pruned by magnitude to a target sparsity, globally (one ranking over
the hidden layers' weights; the output layer left alone, as ``mp.prune`` does). The learner
predicts, before measuring, which layer loses the largest share of its weights, named by
what sets it apart: the most ``"inputs"``, the most ``"outputs"``, the most ``"weights"``,
or ``"same"`` (every layer about the same share). The check draws its networks from its
seed, prunes them with ``minprune``, and when the prediction is wrong explains why with
the shares it measured.
"""

import numpy as np

import minprune as mp
from minprune_course import checks

GRADE_ID = "t03_predict_test"
ANSWER = "prediction"
SIGNATURE = "()"
REFERENCE = ()
CHOICES = ("inputs", "outputs", "weights", "same")
#: Shares further apart than this are not "about the same".
SAME = 0.1
WHY = (
    "global pruning ranks magnitudes, not counts: He initialisation draws a layer's weights "
    "with standard deviation sqrt(2 / n_in), so the layer whose neurons have the most "
    "inputs holds the smallest weights and loses the largest share"
)
MISTAKES = {
    "not_a_choice": "return one of the strings 'inputs', 'outputs', 'weights' or 'same'",
    "most_weights": "a large layer is not pruned harder for being large: " + WHY,
    "most_outputs": "a layer's number of outputs does not set the size of its weights; " + WHY,
    "same_share": "that is layer-wise pruning, which gives every layer the same sparsity; "
    "one global ranking does not: " + WHY,
}
#: ``(sizes, sparsity)``: in each, the layer with the most inputs is neither the one with
#: the most weights nor the one with the most outputs.
VISIBLE = ([32, 200, 16, 10], 0.8)
HIDDEN = (([20, 150, 12, 10], 0.5), ([48, 256, 24, 10], 0.75), ([10, 64, 160, 6, 10], 0.7))


def cases(rng, hidden):
    """``(net, sparsity)``: fresh ReLU networks drawn from ``rng``; the hidden battery adds
    three of other sizes, one with three hidden layers, at other sparsities."""
    for sizes, sparsity in (VISIBLE, *HIDDEN) if hidden else (VISIBLE,):
        yield mp.Network(sizes, activation="relu", rng=rng), sparsity


def shares(net, sparsity):
    """``{"inputs", "outputs", "weights", "std", "pruned"}``: one array each, one entry per
    hidden layer of ``net``, ``pruned`` the share of its weights that global magnitude
    pruning to ``sparsity`` removes (``net`` itself is left as it was)."""
    layers = mp.prunable_layers(net)
    pruned = mp.prune(net.copy(), sparsity=sparsity, scope="global")
    return {
        "inputs": np.array([net.layers[i].W.shape[0] for i in layers]),
        "outputs": np.array([net.layers[i].W.shape[1] for i in layers]),
        "weights": np.array([net.layers[i].W.size for i in layers]),
        "std": np.array([float(np.std(net.layers[i].W, dtype=np.float64)) for i in layers]),
        "pruned": np.array([mp.layer_sparsity(pruned)[i] for i in layers]),
    }


def _choice(got):
    if not isinstance(got, str):
        checks.fail(f"prediction() returned {type(got).__name__}: {MISTAKES['not_a_choice']}")
    choice = str.lower(str.strip(got))
    if choice not in CHOICES:
        checks.fail(f"prediction() returned {got[:40]!r}: {MISTAKES['not_a_choice']}")
    return choice


def describe(measured):
    """``"layer 0 (32 inputs, 200 outputs, 6400 weights) lost 71%, ..."``."""
    return ", ".join(
        f"layer {j} ({measured['inputs'][j]} inputs, {measured['outputs'][j]} outputs, "
        f"{measured['weights'][j]} weights) lost {measured['pruned'][j]:.0%}"
        for j in range(len(measured["pruned"]))
    )


def check(answer, hidden=False, seed=None):
    """``answer()`` names the layer that loses the largest share, as measured."""
    choice = _choice(checks.call(answer, what="prediction()"))
    mistake = {"weights": "most_weights", "outputs": "most_outputs", "same": "same_share"}
    for net, sparsity in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        measured = shares(net, sparsity)
        where = f"pruned globally to {sparsity:.0%}, {describe(measured)}"
        most = int(np.argmax(measured["pruned"]))
        spread = float(np.ptp(measured["pruned"]))
        if choice == "same" and spread > SAME:
            checks.fail(f"{where}: {MISTAKES['same_share']}")
        if choice != "same" and int(np.argmax(measured[choice])) != most:
            checks.fail(f"{where}: {MISTAKES[mistake[choice]]}")
    checks.passed()
