"""Pieces shared by the exercises of topic 13: layers and calibration inputs, torch in and out."""

import numpy as np
import torch

from minprune_course import checks

from ._t11 import no_mistake

__all__ = ["distinct", "no_mistake", "inputs", "as_torch", "as_mask"]


def inputs(rng, n, d, outliers=0, dead=0):
    """Calibration inputs ``X : (n, d)``: features of unequal scale, ``outliers`` of them 20x
    larger (large models' outlier features), ``dead`` of them always zero."""
    X = rng.normal(size=(n, d)) * np.exp(rng.normal(size=d))
    cols = rng.permutation(d)
    X[:, cols[:outliers]] *= 20.0
    X[:, cols[outliers : outliers + dead]] = 0.0
    return X


def as_torch(*arrays):
    return [torch.as_tensor(np.asarray(a)) for a in arrays]


def as_mask(answer, shape, what):
    """The answer read as a 0/1 float array of ``shape`` (booleans accepted)."""
    if isinstance(answer, torch.Tensor):
        answer = torch.Tensor.as_subclass(answer, torch.Tensor).detach().cpu().numpy()
    return checks.expect_mask(answer, shape=shape, what=what)


def distinct(expected, mistakes, rtol=1e-7):
    """True when every mistake's result differs from ``expected`` and from every other's by
    more than ``rtol`` (of the largest entry): each mistake is then named by its own hint."""
    results = [
        np.asarray(expected, dtype=float),
        *(np.asarray(m, dtype=float) for m in mistakes.values()),
    ]
    scale = max(float(np.abs(r).max()) for r in results) or 1.0
    return not any(
        checks.matches(a, b, rtol=rtol, atol=rtol * scale)
        for i, a in enumerate(results)
        for b in results[i + 1 :]
    )
