"""Answers to exercise t08_threshold_method: its known mistakes and correct alternatives.

The answer is a class, so the generic tests that wrap it in a function do not apply
(``NOT_APPLICABLE``); what they test is covered by declared mistakes here and by
``tests/test_exercises_t08.py``.
"""

import numpy as np
import torch
import torch.nn.utils.prune as prune

from minprune.torchkit import ThresholdPruning


class Right(prune.BasePruningMethod):
    PRUNING_TYPE = "unstructured"

    def __init__(self, threshold):
        self.threshold = threshold

    def compute_mask(self, t, default_mask):
        return default_mask * (t.abs() > self.threshold).to(default_mask.dtype)


# ------------------------------------------------------------------ mistakes
class KeepsTies(Right):
    def compute_mask(self, t, default_mask):
        return default_mask * (t.abs() >= self.threshold).to(default_mask.dtype)


class Signed(Right):
    def compute_mask(self, t, default_mask):
        return default_mask * (t > self.threshold).to(default_mask.dtype)


class Inverted(Right):
    def compute_mask(self, t, default_mask):
        return default_mask * (t.abs() <= self.threshold).to(default_mask.dtype)


class BoolMask(Right):
    def compute_mask(self, t, default_mask):
        return default_mask.bool() & (t.abs() > self.threshold)


class IgnoresDefaultMask(Right):
    def compute_mask(self, t, default_mask):
        return (t.abs() > self.threshold).to(default_mask.dtype)


class ChangesDefaultMask(Right):
    def compute_mask(self, t, default_mask):
        mask = default_mask
        mask[t.abs() <= self.threshold] = 0
        return mask


class Structured(Right):
    PRUNING_TYPE = "structured"


class NotAMethod:
    PRUNING_TYPE = "unstructured"

    def __init__(self, threshold):
        self.threshold = threshold

    def compute_mask(self, t, default_mask):
        return default_mask * (t.abs() > self.threshold).to(default_mask.dtype)


class BorrowsMinprune(Right):
    def compute_mask(self, t, default_mask):
        return ThresholdPruning(self.threshold).compute_mask(t, default_mask)


# --------------------------------------------------------------- alternatives
class Float64Inside(Right):
    """Compares in float64: the check's thresholds are exact in float32, so ties agree."""

    def compute_mask(self, t, default_mask):
        return default_mask * (t.double().abs() > self.threshold).to(default_mask.dtype)


class CloneAndZero(Right):
    def compute_mask(self, t, default_mask):
        mask = default_mask.clone()
        mask[t.abs() <= self.threshold] = 0
        return mask


class Where(Right):
    def compute_mask(self, t, default_mask):
        return torch.where(t.abs() > self.threshold, default_mask, torch.zeros_like(default_mask))


class ThresholdInTheTensorsDtype(Right):
    def compute_mask(self, t, default_mask):
        threshold = torch.tensor(self.threshold, dtype=t.dtype)
        return (default_mask.bool() & (t.abs() > threshold)).to(default_mask.dtype)


class NumPyInside(Right):
    def compute_mask(self, t, default_mask):
        keep = np.abs(t.detach().cpu().numpy()) > self.threshold
        return default_mask * torch.as_tensor(keep, dtype=default_mask.dtype)


def perturbed(cls):
    """``cls`` with every mask entry flipped."""

    class Flipped(cls):
        def compute_mask(self, t, default_mask):
            return 1 - super().compute_mask(t, default_mask)

    return Flipped


MISTAKES = {
    "instance": Right(0.25),
    "not_a_method": NotAMethod,
    "structured": Structured,
    "keeps_ties": KeepsTies,
    "signed": Signed,
    "inverted": Inverted,
    "bool_mask": BoolMask,
    "ignores_default_mask": IgnoresDefaultMask,
    "changes_default_mask": ChangesDefaultMask,
    "borrows_minprune": BorrowsMinprune,
}
ALTERNATIVES = {
    "float64_inside": Float64Inside,
    "clone_and_zero": CloneAndZero,
    "where": Where,
    "threshold_in_the_tensors_dtype": ThresholdInTheTensorsDtype,
    "numpy_inside": NumPyInside,
}
NOT_APPLICABLE = {
    "mutating": "the answer is a class built from a number; wrapping it in a function makes "
    "it no class. Changing compute_mask's inputs is the declared mistake changes_default_mask",
    "borrowing": "the answer is a class, not a function to wrap; calling minprune's "
    "ThresholdPruning is the declared mistake borrows_minprune",
    "stub": "the released stub is a class whose compute_mask raises NotImplementedError, "
    "not a function; tests/test_exercises_t08.py checks it is 'not answered yet'",
}
