"""Answers to exercise t09_slimming: its known mistakes and correct alternatives."""

import torch
from torch import nn

BN = nn.modules.batchnorm._BatchNorm


def _gammas(modules):
    return [m.weight for m in modules if isinstance(m, BN) and m.weight is not None]


def signed(model, lam):
    return lam * sum(g.sum() for g in _gammas(model.modules()))


def squared(model, lam):
    return lam * sum((g**2).sum() for g in _gammas(model.modules()))


def with_shifts(model, lam):
    bns = [m for m in model.modules() if isinstance(m, BN) and m.weight is not None]
    return lam * sum(m.weight.abs().sum() + m.bias.abs().sum() for m in bns)


def every_parameter(model, lam):
    return lam * sum(p.abs().sum() for p in model.parameters())


def no_lam(model, lam):
    return sum(g.abs().sum() for g in _gammas(model.modules()))


def mean(model, lam):
    return lam * sum(g.abs().mean() for g in _gammas(model.modules()))


def children_only(model, lam):
    return lam * sum(g.abs().sum() for g in _gammas(model.children()))


def not_summed(model, lam):
    return lam * torch.cat([g.abs() for g in _gammas(model.modules())])


def returns_number(model, lam):
    return float(lam * sum(g.detach().abs().sum() for g in _gammas(model.modules())))


def detached(model, lam):
    return lam * sum(g.detach().abs().sum() for g in _gammas(model.modules()))


def rebuilt(model, lam):
    value = lam * sum(float(g.abs().sum()) for g in _gammas(model.modules()))
    return torch.tensor(value, requires_grad=True)


def l1_norm_cat(model, lam):
    return lam * torch.linalg.vector_norm(torch.cat(_gammas(model.modules())), ord=1)


def float64_inside(model, lam):
    return lam * torch.stack([g.double().abs().sum() for g in _gammas(model.modules())]).sum()


def shape_one(model, lam):
    """A tensor of shape (1,): one number, as the prompt allows."""
    total = torch.zeros(1)
    for g in _gammas(model.modules()):
        total = total + g.abs().sum()
    return lam * total


def sqrt_square(model, lam):
    return lam * sum(torch.sqrt(g * g).sum() for g in _gammas(model.modules()))


MISTAKES = {
    "signed": signed,
    "squared": squared,
    "with_shifts": with_shifts,
    "every_parameter": every_parameter,
    "no_lam": no_lam,
    "mean": mean,
    "children_only": children_only,
    "not_summed": not_summed,
    "returns_number": returns_number,
    "detached": detached,
    "rebuilt": rebuilt,
}
ALTERNATIVES = {
    "l1_norm_cat": l1_norm_cat,
    "float64_inside": float64_inside,
    "shape_one": shape_one,
    "sqrt_square": sqrt_square,
}
NOT_APPLICABLE = {
    "mutating": "the answer takes a module and a number, which the generic mutation (arrays, "
    "tensors, lists) cannot change; tests/test_exercises_t09.py changes a scale in place "
    "instead",
}
