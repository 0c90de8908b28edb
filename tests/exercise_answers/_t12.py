"""Answers shared by topic 12's four parts: the master's model and report, and wrong ones.

Each part's answer is the ``(compressed, report)`` that the master's ``compress`` returned,
not a function: the answers modules list check arguments. They are built on first use
(``Lazy``), since building means training or timing, and once per process (the master
trains its baseline and fine-tunes three widths, about 15 s).
"""

import copy
import functools
import tempfile
from collections.abc import Mapping

import torch
from topic_checks import master

from minprune.torchkit import DigitsCNN, keep_top, l1_filter_scores, mask_filters, prune_filters
from minprune_course import plain


class Lazy(Mapping):
    """``{name: check arguments}``, each built by its function on first use, then kept."""

    def __init__(self, **builders):
        self._builders, self._built = builders, {}

    def __getitem__(self, name):
        if name not in self._built:
            self._built[name] = tuple(self._builders[name]())
        return self._built[name]

    def __iter__(self):
        return iter(self._builders)

    def __len__(self):
        return len(self._builders)


@functools.cache
def solved():
    """The master's ``(compressed, report)``."""
    found = master("12")
    return found.compressed, found.report


def baseline():
    return master("12").baseline


def pruned(widths, fine_tune=False):
    """The baseline with its L1-largest filters kept to ``widths``, fine-tuned or not."""
    base = baseline()
    keep1 = keep_top(l1_filter_scores(base.conv1), widths[0] / base.conv1.out_channels)
    keep2 = keep_top(l1_filter_scores(base.conv2), widths[1] / base.conv2.out_channels)
    return prune_filters(base, keep1, keep2)


def masked(widths):
    """The baseline with all but ``widths`` filters zeroed: every channel is still there."""
    base = baseline()
    keep1 = keep_top(l1_filter_scores(base.conv1), widths[0] / base.conv1.out_channels)
    keep2 = keep_top(l1_filter_scores(base.conv2), widths[1] / base.conv2.out_channels)
    return mask_filters(base, keep1, keep2)


def padded(model, widths):
    """``model`` inside a wider ``DigitsCNN``: the extra channels are zero, the outputs equal."""
    wide = DigitsCNN(widths).eval()
    c1, c2 = model.conv1.out_channels, model.conv2.out_channels
    with torch.no_grad():
        for p in wide.parameters():
            p.zero_()
        wide.conv1.weight[:c1] = model.conv1.weight
        wide.conv2.weight[:c2, :c1] = model.conv2.weight
        for new, old, c in ((wide.bn1, model.bn1, c1), (wide.bn2, model.bn2, c2)):
            new.weight[:c], new.bias[:c] = old.weight, old.bias
            new.running_mean[:c], new.running_var[:c] = old.running_mean, old.running_var
        fc = wide.fc.weight.view(10, widths[1], 16)
        fc[:, :c2] = model.fc.weight.view(10, c2, 16)
        wide.fc.bias[:] = model.fc.bias
    return wide


def as_sequential(model):
    """The same layers as an ``nn.Sequential``: the same function, not a DigitsCNN."""
    return torch.nn.Sequential(
        model.conv1, model.bn1, torch.nn.ReLU(), model.conv2, model.bn2, torch.nn.ReLU(),
        model.pool, torch.nn.Flatten(), model.fc,
    ).eval()  # fmt: skip


def crossed(model):
    """``model`` as the grader's check receives it: written and read back by ``plain``."""
    with tempfile.TemporaryDirectory() as folder:
        plain.dump(model, folder, "compressed")
        return plain.load(folder, "compressed")


def in_train_mode(model):
    return copy.deepcopy(model).train()


def prune_hooks_left(model):
    """``model`` still carrying torch's pruning (weight_orig, weight_mask) on both
    convolutions, as ``torch.nn.utils.prune`` leaves a layer before ``prune.remove``."""
    with_masks = copy.deepcopy(model)
    for conv in (with_masks.conv1, with_masks.conv2):
        torch.nn.utils.prune.identity(conv, "weight")
    return with_masks


NOT_APPLICABLE = {
    "stub": "the answer is the model compress returned, not a function: the cell that runs "
    "compress turns the stub's NotImplementedError into compressed = None, which the check "
    "reports as not answered yet (tests/test_exercises_t12.py)",
    "mutating": "the check calls no function of the learner's: it reads the model's "
    "checkpoint and the report's numbers, so there is nothing the answer could change in place",
    "borrowing": "the capstone asks the learner to use minprune.torchkit's tools (measure, "
    "compare, prune_filters): no reference answer exists to switch off",
}
