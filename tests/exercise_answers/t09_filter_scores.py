"""Answers to exercise t09_filter_scores: its known mistakes and correct alternatives."""

import numpy as np
import torch


def per_input_channel(conv):
    return conv.weight.detach().abs().sum(dim=(0, 2, 3))


def l2_norm(conv):
    return conv.weight.detach().pow(2).sum(dim=(1, 2, 3)).sqrt()


def signed_sum(conv):
    return conv.weight.detach().sum(dim=(1, 2, 3))


def mean(conv):
    return conv.weight.detach().abs().mean(dim=(1, 2, 3))


def with_bias(conv):
    scores = conv.weight.detach().abs().sum(dim=(1, 2, 3))
    return scores if conv.bias is None else scores + conv.bias.detach().abs()


def numpy(conv):
    return np.abs(conv.weight.detach().numpy()).sum(axis=(1, 2, 3))


def with_gradient(conv):
    """Scores that require grad: they rank the filters all the same."""
    return conv.weight.abs().sum(dim=(1, 2, 3))


def float64_inside(conv):
    return conv.weight.detach().double().abs().sum(dim=(1, 2, 3))


def loop(conv):
    return torch.stack([w.abs().sum() for w in conv.weight.detach()])


def vector_norm(conv):
    return torch.linalg.vector_norm(conv.weight.detach().flatten(1), ord=1, dim=1)


def from_numpy(conv):
    return torch.from_numpy(np.abs(conv.weight.detach().numpy()).sum(axis=(1, 2, 3)))


def under_no_grad(conv):
    with torch.no_grad():
        return conv.weight.abs().sum(dim=(1, 2, 3))


MISTAKES = {
    "per_input_channel": per_input_channel,
    "l2_norm": l2_norm,
    "signed_sum": signed_sum,
    "mean": mean,
    "with_bias": with_bias,
    "numpy": numpy,
}
ALTERNATIVES = {
    "float64_inside": float64_inside,
    "loop": loop,
    "vector_norm": vector_norm,
    "from_numpy": from_numpy,
    "under_no_grad": under_no_grad,
    "with_gradient": with_gradient,
}
NOT_APPLICABLE = {
    "mutating": "the answer takes one Conv2d, which the generic mutation (arrays, tensors, "
    "lists) cannot change; tests/test_exercises_t09.py changes its weight in place instead",
}
