"""Exercise 08.4, predict then check: ``prediction()``, the sparsity after pruning twice.

The learner predicts, before measuring, the sparsity of a layer's ``weight`` after
``prune.l1_unstructured(layer, "weight", amount=0.5)`` is called on it twice. The check
measures the truth itself on ``nn.Linear`` layers drawn from its seed (tie-free weights,
sizes a multiple of 4, so the truth is exactly 0.75 on every draw) and, when the
prediction is wrong, explains why with the numbers it measured.
"""

import numpy as np
import torch
import torch.nn.utils.prune as prune
from torch import nn

from minprune_course import checks

from . import _t08

GRADE_ID = "t08_predict_test"
ANSWER = "prediction"
SIGNATURE = "()"
REFERENCE = ()
AMOUNT = 0.5
TOLERANCE = 0.01
CONTAINER = (
    "torch puts both methods in a PruningContainer, which hands the second call only the "
    "entries the first one kept and multiplies the two masks"
)
MISTAKES = {
    "not_a_number": "return one number, the fraction of the weight's entries that are zero, "
    "between 0 and 1 (for example 0.3)",
    "percent": "return a fraction between 0 and 1, not a percentage: 30% is 0.3",
    "same_half_again": "pruning again does not rank the whole tensor, whose smallest half is "
    f"already zero, and prune nothing new: {CONTAINER}, so amount=0.5 prunes half of what "
    "is left, 1 - (1 - 0.5) * (1 - 0.5) of the entries in all",
    "amounts_add_up": "the two amounts do not add up to the whole tensor: the second "
    f"amount=0.5 is a fraction of the entries still unpruned, not of all of them ({CONTAINER})",
    "other_number": "a float amount is a fraction of the entries the call is given, and "
    f"{CONTAINER}: each call prunes half of what is left",
}


def _within(difference):
    """True when ``difference`` is at most ``TOLERANCE`` (with room for float rounding:
    0.76 - 0.75 is a little more than 0.01 in binary)."""
    return abs(difference) <= TOLERANCE + 1e-9


def cases(rng, hidden):
    """``W : (out, in)``: the weights of one ``nn.Linear``, no two of equal magnitude; the
    hidden battery adds two layers of other shapes. Every size is a multiple of 4."""
    shapes = [(16, 12)] + ([(8, 50), (32, 20)] if hidden else [])
    for shape in shapes:
        yield _t08.tie_free(rng, shape, np.float32)


def measured(W):
    """``[sparsity after the first call, after the second]`` of ``weight`` when
    ``prune.l1_unstructured(layer, "weight", amount=AMOUNT)`` runs twice, measured in torch."""
    with torch.random.fork_rng(devices=[]):
        layer = nn.Linear(W.shape[1], W.shape[0])
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(W))
    sparsities = []
    for _ in range(2):
        prune.l1_unstructured(layer, "weight", amount=AMOUNT)
        sparsities.append(float((layer.weight == 0).double().mean()))
    return sparsities


def _fraction(got):
    try:
        value = checks.expect_float(got, what="prediction()")
    except AssertionError as exc:
        checks.fail(f"{exc}: {MISTAKES['not_a_number']}")
    if not np.isfinite(value) or value < 0:
        checks.fail(f"prediction() returned {value}: {MISTAKES['not_a_number']}")
    if value > 1:
        checks.fail(f"prediction() returned {value}: {MISTAKES['percent']}")
    return value


def check(answer, hidden=False, seed=None):
    """``answer()`` is the measured sparsity after pruning twice, within ``TOLERANCE``."""
    value = _fraction(checks.call(answer, what="prediction()"))
    for W in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        first, truth = measured(W)
        if _within(value - truth):
            continue
        where = (
            f"prediction() returned {value:g}; on a {W.shape[0]} x {W.shape[1]} weight the "
            f"first call left sparsity {first:g}, the second {truth:g}"
        )
        if _within(value - first):
            checks.fail(f"{where}: {MISTAKES['same_half_again']}")
        if _within(value - 1.0):
            checks.fail(f"{where}: {MISTAKES['amounts_add_up']}")
        checks.fail(f"{where}: {MISTAKES['other_number']}")
    checks.passed()
