"""Exercise 04.5, predict then check: ``prediction()``, the layers one round of SynFlow keeps.

The learner predicts, before measuring, which layers of the lesson's network at
initialisation (sizes 64, 128, 64, 10: layers 0 and 1 of 8192 weights each, the output
layer 2 of 640) keep at least one weight when single-shot SynFlow prunes 99% of the
weights of all three layers with one global ranking. The check measures the truth itself
on networks drawn from its seed, with ``minprune.synflow_scores`` and
``minprune.sparsity_masks``, and when the prediction is wrong explains why with the
numbers it measured.
"""

import numpy as np

import minprune as mp
from minprune_course import checks

GRADE_ID = "t04_predict_test"
ANSWER = "prediction"
SIGNATURE = "()"
REFERENCE = ()
SIZES = (64, 128, 64, 10)
SPARSITY = 0.99
LAYERS = (0, 1, 2)
CONSERVATION = (
    "SynFlow's scores sum to the same R in every layer, so the 640 weights of the output "
    "layer score on average 12.8 times more than the 8192 of a hidden layer"
)
MISTAKES = {
    "not_a_list": "return a list of layer indices, e.g. [0, 2]: the layers that keep at least "
    "one weight",
    "not_layer_indices": "use the layer indices 0, 1 and 2, each at most once",
    "every_layer": "keeping every layer is what iterative SynFlow does, re-scoring after each of "
    "many rounds; in one round " + CONSERVATION + ", and the 1% kept all come from the output "
    "layer",
    "hidden_layers": "the hidden layers hold most of the weights, but not the largest scores: "
    + CONSERVATION
    + ", and the 1% kept all come from the output layer",
    "keeps_a_hidden_layer": "no hidden weight is among the 1% kept: " + CONSERVATION,
    "no_layer": "1% of the 17024 weights is 170 weights, and a global ranking keeps the highest "
    "scores wherever they are: some layer keeps them",
}


def cases(rng, hidden):
    """Networks of the lesson's sizes at initialisation (He-normal weights drawn from ``rng``):
    one for the visible check, four for the hidden battery."""
    for _ in range(4 if hidden else 1):
        yield mp.Network(list(SIZES), activation="relu", rng=rng)


def kept(net):
    """Weights kept in each layer after one round of SynFlow at 99%, one global ranking."""
    masks = mp.sparsity_masks(mp.synflow_scores(net, list(LAYERS)), SPARSITY, scope="global")
    return [int(np.count_nonzero(m)) for m in masks]


def _layers(got):
    if not isinstance(got, list | tuple | set | frozenset | np.ndarray):
        checks.fail(f"prediction() returned a {type(got).__name__}: {MISTAKES['not_a_list']}")
    got = list(got)
    if not all(checks._is_int(i) for i in got):
        checks.fail(f"prediction() holds something else than ints: {MISTAKES['not_a_list']}")
    got = [int(i) for i in got]
    if any(i not in LAYERS for i in got) or len(set(got)) != len(got):
        checks.fail(f"prediction() returned {got}: {MISTAKES['not_layer_indices']}")
    return sorted(got)


def _mistake(got):
    if got == [0, 1, 2]:
        return "every_layer"
    if got == [0, 1]:
        return "hidden_layers"
    if not got:
        return "no_layer"
    return "keeps_a_hidden_layer"


def check(answer, hidden=False, seed=None):
    """``answer()`` lists the layers that keep at least one weight, as measured."""
    got = _layers(checks.call(answer, what="prediction()"))
    for net in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        counts = kept(net)
        truth = [i for i, c in zip(LAYERS, counts, strict=True) if c > 0]
        if got != truth:
            scores = mp.synflow_scores(net, list(LAYERS))
            means = ", ".join(f"{s.mean():.3g}" for s in scores)
            checks.fail(
                f"one round of SynFlow at 99% kept {counts[0]}, {counts[1]} and {counts[2]} "
                f"weights in layers 0, 1 and 2 (mean scores {means}): "
                f"{MISTAKES[_mistake(got)]}"
            )
    checks.passed()
