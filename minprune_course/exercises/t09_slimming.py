"""Exercise 09.4: ``slimming_penalty(model, lam)``, Network Slimming's ``lam * sum |gamma|``.

PROBE: the answer gets a float32 model the check builds (a ``DigitsCNN``, or an
``nn.Sequential`` with BatchNorms at several depths, one without a scale) and ``lam``,
and returns a tensor, read back as its value. Where the answer runs in this process
(the learner's own check cell, the tests), the check also differentiates that tensor
inside the call with respect to every parameter of the model it was given
(``torch.autograd.grad``) and reads the gradients back as arrays. When grading, the
answer runs in the submission's kernel and its tensor crosses as plain data without
its graph (``_t09.is_remote``): there the gradient cannot be read, and is not checked.
"""

import numpy as np
import torch
from torch import nn

from minprune.torchkit import DigitsCNN
from minprune_course import checks

from . import _t09

GRADE_ID = "t09_slimming_test"
ANSWER = "slimming_penalty"
SIGNATURE = "(model, lam)"
REFERENCE = ("minprune.torchkit.slimming_penalty",)
MISTAKES = {
    "signed": "slimming_penalty summed the signed scales; take |gamma|: negative scales must "
    "add, not cancel",
    "squared": "slimming_penalty squared gamma (an L2 penalty); the penalty is lam * sum |gamma|",
    "with_shifts": "slimming_penalty penalised the shifts beta (bn.bias) too; only the scales "
    "gamma (bn.weight) are penalised",
    "every_parameter": "slimming_penalty penalised every parameter; only the scales of the "
    "BatchNorm layers",
    "no_lam": "slimming_penalty did not multiply the sum by lam",
    "mean": "slimming_penalty took the mean of |gamma| of each layer; sum over the channels",
    "children_only": "slimming_penalty left out nested BatchNorms; model.modules() visits "
    "every module at any depth, model.children() only the top level",
    "not_summed": "slimming_penalty returned several values; sum them into one number",
    "returns_number": "slimming_penalty returned a number, not a tensor; autograd can only "
    "differentiate a torch tensor built from bn.weight",
    "detached": "slimming_penalty returned a tensor without a gradient; build it from "
    "bn.weight with torch operations (no .item(), .detach(), NumPy or float()) so that "
    "backward() reaches gamma",
    "rebuilt": "backward() through the penalty does not give each BatchNorm scale the gradient "
    "lam * sign(gamma); compute the penalty from bn.weight itself, not from a new tensor",
}


def nested(c):
    """A model with BatchNorms at depths 1, 2 and 3, the one at depth 2 without a scale
    (``affine=False``): what ``model.children()`` alone, or ``bn.weight`` used without
    asking whether it is ``None``, gets wrong."""
    return nn.Sequential(
        nn.Conv2d(1, c, 3, padding=1),
        nn.BatchNorm2d(c),
        nn.Sequential(
            nn.Conv2d(c, c, 3, padding=1),
            nn.BatchNorm2d(c, affine=False),
            nn.Sequential(nn.BatchNorm2d(c)),
        ),
    )


def _randomized(rng, model, dtype):
    """``model`` in ``dtype`` with every parameter drawn from ``rng``: the scales of each
    BatchNorm of magnitude 0.05 to 0.95 (so gamma^2 < |gamma|), both signs, the first
    negative; every shift nonzero."""
    model = model.to(dtype)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(_t09.tensor(rng, tuple(p.shape), dtype, 0.5))
        for gamma in _scales(model):
            n = gamma.numel()
            signs = rng.choice([-1.0, 1.0], size=n)
            signs[0] = -1.0
            gamma.copy_(_t09.tensor(rng, (n,), dtype, 0.95, low=0.05) * torch.tensor(signs))
    return model


def _scales(model, modules=None):
    """The scales gamma of the BatchNorms among ``modules`` (by default every module)."""
    modules = model.modules() if modules is None else modules
    return [
        m.weight
        for m in modules
        if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.weight is not None
    ]


def cases(rng, hidden):
    """``(model, lam)``, float32 models. The visible check: a DigitsCNN, then the nested
    model, lam in (0.001, 0.5). The hidden battery adds another of each, one with lam = 0,
    and a DigitsCNN with a whole lam."""
    lam = float(rng.uniform(1e-3, 0.5))
    with torch.random.fork_rng(devices=[]):
        plans = [
            (DigitsCNN(tuple(int(n) for n in rng.integers(2, 9, size=2))), lam),
            (nested(int(rng.integers(2, 7))), float(rng.uniform(1e-3, 0.5))),
        ]
        if hidden:
            plans += [
                (DigitsCNN(tuple(int(n) for n in rng.integers(2, 9, size=2))), lam),
                (nested(int(rng.integers(2, 7))), 0.0),
                (DigitsCNN((3, 2)), int(rng.integers(1, 4))),
            ]
    for model, lam in plans:
        yield _randomized(rng, model, torch.float32), lam


def _probe(answer):
    """``answer`` with, beside its value, the gradients of that value with respect to every
    parameter of the model it was given (``None`` where it does not reach one), or the
    first line of the error autograd raised."""

    def penalty(model, lam):
        value = answer(model, lam)
        grads = None
        if isinstance(value, torch.Tensor) and value.requires_grad and value.numel() == 1:
            names, params = zip(*model.named_parameters(), strict=True)
            try:
                found = torch.autograd.grad(value.sum(), params, allow_unused=True)
            except RuntimeError as exc:  # a graph autograd cannot run back through
                return value, str(exc).splitlines()[0]
            grads = {n: None if g is None else _t09.numpy(g) for n, g in zip(names, found)}
        return value, grads

    return penalty


def _wrong(model, lam):
    """What each mistake returns on ``model``."""

    def total(tensors, f=np.abs):
        return lam * sum(float(f(_t09.numpy(t).astype(np.float64)).sum()) for t in tensors)

    gammas = _scales(model)
    shifts = [
        m.bias
        for m in model.modules()
        if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.bias is not None
    ]
    return {
        "signed": total(gammas, f=lambda a: a),
        "squared": total(gammas, f=np.square),
        "with_shifts": total(gammas) + total(shifts),
        "every_parameter": total(model.parameters()),
        "no_lam": total(gammas) / lam if lam else 0.0,
        "mean": lam * sum(float(np.abs(_t09.numpy(g)).mean()) for g in gammas),
        "children_only": total(_scales(model, model.children())),
    }


def check(answer, hidden=False, seed=None):
    """``answer(model, lam)`` is a one-number tensor equal to ``lam * sum |gamma|`` whose
    gradient is ``lam * sign(gamma)`` for every scale and nothing for other parameters."""
    references = _t09.references(REFERENCE)
    checks.expect_callable(answer, "slimming_penalty")
    for model, lam in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = float(references[0](model, lam).detach().double())
        what = (
            f"slimming_penalty(model, {lam:.3g}) for a {str(_scales(model)[0].dtype)[6:]} "
            f"{type(model).__name__} with {len(_scales(model))} BatchNorm layers that have a scale"
        )
        value, grads = _t09.call(
            _probe(answer), model, lam, what=what, names=("model", "lam"), without=references
        )
        hints = {name: f"{what}: {hint}" for name, hint in MISTAKES.items()}
        checks.expect_true(not isinstance(value, int | float | np.number), hints["returns_number"])
        checks.expect_true(
            isinstance(value, torch.Tensor),
            f"{what} returned a {type(value).__name__}; expected a torch tensor",
        )
        checks.expect_true(value.numel() == 1, hints["not_summed"])
        got = float(_t09.numpy(value).astype(np.float64).reshape(()))
        checks.expect_no_mistake(got, expected, _wrong(model, lam), hints, rtol=1e-5, atol=1e-7)
        checks.expect_close(got, expected, what, rtol=1e-5, atol=1e-7)
        if lam == 0 or _t09.is_remote(answer):
            continue  # every gradient is 0, or the tensor crossed without its graph
        checks.expect_true(value.requires_grad, hints["detached"])
        checks.expect_true(
            not isinstance(grads, str), f"{what}: backward() through the penalty failed: {grads}"
        )
        scales = {id(g) for g in _scales(model)}
        for name, param in model.named_parameters():
            grad = grads[name]
            if id(param) in scales:
                tol = 1e-4 if param.dtype == torch.float32 else 1e-9  # the gradient's dtype
                want = lam * np.sign(_t09.numpy(param))
                checks.expect_true(
                    grad is not None and (np.abs(grad - want) <= tol * (1 + abs(lam))).all(),
                    hints["rebuilt"],
                )
            else:
                checks.expect_true(
                    grad is None or not grad.any(),
                    f"{what}: the penalty has a gradient for {name}; only the scales gamma",
                )
    checks.passed()
