"""Exercise 08.2: ``KeepAboveThreshold``, minprune's threshold rule as a torch pruning method.

The answer is a class, a subclass of ``torch.nn.utils.prune.BasePruningMethod``. The
check never holds on to it: it sends it plain-data requests (``PROBE``), which ``probe``
answers on the side where the class lives (in the grader, inside the submission's kernel,
through ``remote.asking``), and judges the plain data that comes back.

Ties are decided in ``t``'s dtype (``t.abs() > threshold`` compares a tensor with a
Python number in the tensor's dtype, as minprune does). Every threshold the check uses
is a multiple of 1/256, exact in float32, so a comparison made in float64 inside gives
the same mask and passes too. Every run, visible included, applies the method to a
float32 weight holding ``+threshold`` and ``-threshold`` exactly and a large negative
weight, then calls ``compute_mask`` with zeros in ``default_mask``, one of them over a
weight above the threshold; so keeping ties, comparing signed weights, an inverted
mask, ignoring ``default_mask`` and changing it in place each show on every draw. The
hidden runs add 1-D and 4-D tensors, float64, a threshold of 0 (the ties are exact
zeros), a threshold above every weight, repeated pruning (torch's
``PruningContainer``), pruning after ``prune.custom_from_mask`` and importance scores.
"""

import sys

import numpy as np
import torch
import torch.nn.utils.prune as prune
from torch import nn

from minprune_course import checks, remote

from . import _t08

GRADE_ID = "t08_threshold_method_test"
ANSWER = "KeepAboveThreshold"
SIGNATURE = "(threshold)"
REFERENCE = (
    "minprune.torchkit.ThresholdPruning",
    "minprune.torchkit.threshold_unstructured",
    "minprune.threshold_masks",
)
PROBE = (
    "the class is probed by three plain-data requests: ('describe',) returns a dict of "
    "a bool (is it a class), a bool (a subclass of prune.BasePruningMethod) and a string "
    "(its PRUNING_TYPE); ('compute_mask', threshold, t, default_mask) constructs it with "
    "the number and returns compute_mask(t, default_mask), a tensor; ('apply', W, steps) "
    "builds a module holding one parameter `weight` from the tensor W, runs the steps in "
    "order (('threshold', number, importance_scores or None): cls.apply(module, 'weight', "
    "threshold=number, importance_scores=...); ('custom', mask): prune.custom_from_mask) "
    "and returns the module's weight_orig, weight_mask and weight as tensors"
)
HINT = (
    "this exercise asks for your own code: minprune's ThresholdPruning, "
    "threshold_unstructured and threshold_masks are what the check compares your answer "
    "with, so they are switched off while it runs"
)
MISTAKES = {
    "instance": "expected the class itself (class KeepAboveThreshold), not an instance of it",
    "not_a_method": "must subclass torch.nn.utils.prune.BasePruningMethod",
    "structured": "PRUNING_TYPE must be 'unstructured': the rule decides for each entry on "
    "its own, and a PruningContainer needs to know that",
    "keeps_ties": "a weight with |w| equal to the threshold must be pruned (keep |w| > "
    "threshold, strictly)",
    "signed": "compare the magnitude |w|, not the signed w: large negative weights are kept",
    "inverted": "the mask is inverted; 1 means the weight is kept",
    "bool_mask": "return the mask in default_mask's dtype (0.0 and 1.0), as torch's own methods do",
    "ignores_default_mask": "entries already pruned (default_mask 0) come back; multiply by "
    "default_mask",
    "changes_default_mask": "changed its argument default_mask in place; the exercise asks "
    "you to leave the inputs as they were",
    "borrows_minprune": HINT,
}

#: What each mistaken rule keeps of scores ``s`` at threshold ``t``.
RULES = {
    "keeps_ties": lambda s, t: np.abs(s) >= t,
    "signed": lambda s, t: s > t,
    "inverted": lambda s, t: np.abs(s) <= t,
}


# ------------------------------------------------------------------ probe
def _module(W):
    """A module holding ``W`` (a copy) as its parameter ``weight``."""
    module = nn.Module()
    module.weight = nn.Parameter(W.clone())
    return module


def _read(module):
    """What ``apply`` left on ``module``: its ``weight_orig``, ``weight_mask``, ``weight``."""
    return {
        name: getattr(module, name).detach().clone()
        if isinstance(getattr(module, name, None), torch.Tensor)
        else None
        for name in ("weight_orig", "weight_mask", "weight")
    }


def probe(cls, request, *args):
    """Answer one plain-data ``request`` about the class ``cls`` (see ``PROBE``)."""
    if request == "describe":
        is_class = isinstance(cls, type)
        return {
            "is_class": is_class,
            "is_method": is_class and issubclass(cls, prune.BasePruningMethod),
            "is_instance": isinstance(cls, prune.BasePruningMethod),
            "pruning_type": str(getattr(cls, "PRUNING_TYPE", None)),
            "type": type(cls).__name__,
        }
    if request == "compute_mask":
        threshold, t, default_mask = args
        return cls(threshold).compute_mask(t, default_mask)
    W, steps = args
    module = _module(W)
    for step in steps:
        if step[0] == "custom":
            prune.custom_from_mask(module, "weight", step[1].clone())
        else:
            cls.apply(module, "weight", threshold=step[1], importance_scores=step[2])
    return _read(module)


# ------------------------------------------------------------------ cases
def _weights(rng, shape, dtype, threshold):
    """Tie-free weights with ``+threshold`` and ``-threshold`` exactly and a negative weight
    well above the threshold."""
    W = _t08.tie_free(rng, shape, dtype, float(rng.uniform(0.1, 1.0)))
    flat = W.reshape(-1)
    flat[0], flat[-1] = threshold, -threshold  # with a threshold of 0: exact zeros
    flat[1] = -(threshold + float(rng.uniform(0.3, 1.0)))
    return torch.tensor(W)


def _shape(rng):
    n_in, n_out = (int(n) for n in rng.integers(3, 10, size=2))
    return (n_out, n_in)


def _default_mask_case(rng):
    """``('compute_mask', threshold, t, default_mask)`` with zeros in ``default_mask``: one over
    a weight above the threshold, none over the ties (so a mask changed in place differs)."""
    threshold = _t08.dyadic(rng, 0.1, 0.3)
    t = _weights(rng, tuple(int(n) for n in rng.integers(4, 9, size=2)), "float32", threshold)
    keep = (rng.random(tuple(t.shape)) < 0.5).astype("float32")
    flat = keep.reshape(-1)
    flat[0] = flat[1] = flat[-1] = 1.0  # the ties and the large negative weight
    j = int(rng.integers(2, flat.size - 1))
    flat[j] = 0.0
    t.view(-1)[j] = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.4, 1.0))
    return ("compute_mask", threshold, t, torch.tensor(keep))


def cases(rng, hidden):
    """Requests ``('apply', W, steps)`` and ``('compute_mask', threshold, t, default_mask)``."""
    threshold = _t08.dyadic(rng, 0.05, 0.5)
    yield (
        "apply",
        _weights(rng, _shape(rng), "float32", threshold),
        [("threshold", threshold, None)],
    )
    yield _default_mask_case(rng)
    if not hidden:
        return
    for shape, dtype, threshold in (
        ((int(rng.integers(4, 12)),), "float32", _t08.dyadic(rng, 0.05, 0.5)),
        ((3, 2, 3, 3), "float64", _t08.dyadic(rng, 0.05, 0.5)),
        (_shape(rng), "float64", 0.0),
        (_shape(rng)[::-1], "float32", 10.0),
    ):
        yield ("apply", _weights(rng, shape, dtype, threshold), [("threshold", threshold, None)])
    for first, second in ((0.375, 0.125), (0.125, 0.375)):
        W = _weights(rng, (7, 5), "float32", first)
        yield ("apply", W, [("threshold", first, None), ("threshold", second, None)])
    W = _weights(rng, (6, 8), "float64", 0.25)
    custom = torch.tensor((rng.random((6, 8)) < 0.6).astype("float64"))
    yield ("apply", W, [("custom", custom), ("threshold", 0.25, None)])
    W = _weights(rng, (5, 6), "float32", 0.5)
    scores = rng.uniform(0.0, 1.0, size=(5, 6)).astype("float32")
    scores.reshape(-1)[0] = 0.5  # a tie among the scores
    yield ("apply", W, [("threshold", 0.5, torch.tensor(scores))])
    yield _default_mask_case(rng)


# ------------------------------------------------------------------ judge
def _expected(W, steps, threshold_masks, rule=None):
    """The mask of ``steps`` on ``W``: minprune's rule (``threshold_masks``), or ``RULES[rule]``."""
    mask = np.ones(tuple(W.shape))
    for step in steps:
        if step[0] == "custom":
            mask = mask * _t08.numpy(step[1])
            continue
        _, threshold, scores = step
        s = _t08.numpy(W if scores is None else scores).astype(np.float64)
        if rule is None:
            kept = threshold_masks([np.abs(s)], threshold)[0]
        else:
            kept = RULES[rule](s, threshold)
        mask = mask * kept
    return mask


def _describe(request):
    """How hints name a request."""
    if request[0] == "compute_mask":
        _, threshold, t, _ = request
        return (
            f"KeepAboveThreshold({threshold}).compute_mask(t, default_mask) on a {t.dtype} t "
            f"of shape {tuple(t.shape)} with zeros in default_mask"
        )
    _, W, steps = request
    done = ", then ".join(
        "prune.custom_from_mask"
        if s[0] == "custom"
        else f"KeepAboveThreshold.apply(module, 'weight', threshold={s[1]}"
        + (", importance_scores=scores)" if s[2] is not None else ")")
        for s in steps
    )
    return f"{done} on a {W.dtype} weight of shape {tuple(W.shape)}"


def _mask(answer, dtype, shape, what):
    """``answer`` read as a 0/1 mask of ``shape``, which must be a tensor of ``dtype``."""
    if answer is None:
        checks.fail(f"{what}: no weight_mask after apply (compute_mask returned None?)")
    if not isinstance(answer, torch.Tensor):
        checks.fail(f"{what} returned a {type(answer).__name__}; expected a tensor")
    if answer.dtype != dtype:
        checks.fail(
            f"{what}: the mask has dtype {answer.dtype} for a {dtype} tensor; {MISTAKES['bool_mask']}"
        )
    return checks.expect_mask(_t08.numpy(answer), shape=shape, what=f"the mask of {what}")


def _judge_class(found):
    if found["is_instance"]:
        checks.fail(f"the answer is a {found['type']}; {MISTAKES['instance']}")
    if not found["is_class"]:
        checks.fail(
            f"the answer is a {found['type']}; expected the class itself (a subclass of "
            "prune.BasePruningMethod)"
        )
    if not found["is_method"]:
        checks.fail(f"KeepAboveThreshold {MISTAKES['not_a_method']}")
    if found["pruning_type"] != "unstructured":
        checks.fail(f"KeepAboveThreshold.{MISTAKES['structured']}")


def _judge_apply(found, request, threshold_masks, what):
    _, W, steps = request
    mask = _mask(found["weight_mask"], W.dtype, tuple(W.shape), what)
    if found["weight_orig"] is None or not torch.equal(found["weight_orig"], W):
        checks.fail(
            f"{what}: module.weight_orig is no longer the weight it was; compute_mask must "
            "not change t (here the weight itself): compute on new tensors"
        )
    expected = _expected(W, steps, threshold_masks)
    checks.expect_no_mistake(
        mask,
        expected,
        {rule: _expected(W, steps, None, rule) for rule in RULES},
        {rule: f"{what}: {MISTAKES[rule]}" for rule in RULES},
    )
    checks.expect_equal(mask, expected, what=f"the mask of {what}")
    weight = found["weight"]
    if weight is None or not torch.equal(weight, W * found["weight_mask"]):
        checks.fail(f"{what}: module.weight is not weight_orig * weight_mask")


def _judge_compute_mask(found, request, threshold_masks, what):
    _, threshold, t, default_mask = request
    mask = _mask(found, default_mask.dtype, tuple(t.shape), what)
    kept = _t08.numpy(default_mask)
    steps = [("threshold", threshold, None)]
    alone = _expected(t, steps, threshold_masks)  # the rule without default_mask
    mistakes = {rule: _expected(t, steps, None, rule) * kept for rule in RULES}
    mistakes["ignores_default_mask"] = alone
    checks.expect_no_mistake(
        mask, alone * kept, mistakes, {name: f"{what}: {MISTAKES[name]}" for name in mistakes}
    )
    if ((mask == 1) & (kept == 0)).any():
        checks.fail(f"{what}: {MISTAKES['ignores_default_mask']}")
    checks.expect_equal(mask, alone * kept, what=f"the mask of {what}")


def references():
    """minprune's functions that answer the exercise: ``ThresholdPruning.compute_mask``,
    ``threshold_unstructured``, ``threshold_masks``."""
    method, unstructured, threshold_masks = checks.public(*REFERENCE)
    return [method.compute_mask, unstructured, threshold_masks]


def check(answer, hidden=False, seed=None):
    """``answer`` is a pruning method keeping ``|w| > threshold`` in every way torch uses it."""
    blocked = references()
    threshold_masks = blocked[-1]
    ask = remote.asking(sys.modules[__name__], answer)
    _judge_class(checks.call(ask, "describe", what=ANSWER, without=blocked, hint=HINT))
    for request in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        what = _describe(request)
        if request[0] == "apply":
            names, judge = ("request", "W", "steps"), _judge_apply
        else:
            names, judge = ("request", "threshold", "t", "default_mask"), _judge_compute_mask
        with torch.random.fork_rng(devices=[]):
            found = checks.call(
                ask,
                *request,
                what=what,
                without=blocked,
                hint=HINT,
                names=names,
            )
        judge(found, request, threshold_masks, what)
    checks.passed()
