"""Exercise 11.4, predict then check: ``macs_left()``, what inner-channel pruning leaves of a ResNet.

``channel_prune_resnet(model, keep_fraction=0.5)`` keeps half of every residual block's inner
channels (conv1's filters, bn1, conv2's input channels). The learner predicts, before
measuring, what share of the network's multiply-adds remains: less than half, half, or more
than half. The check measures the truth itself on ResNet-18s of widths and input sizes drawn
from its seed, with ``minprune.torchkit``'s ``channel_prune_resnet`` and ``count_macs``, and
when the prediction is wrong explains why with the counts it measured.
"""

import functools

import torch

from minprune_course import checks

GRADE_ID = "t11_predict_test"
ANSWER = "macs_left"
SIGNATURE = "()"
REFERENCE = ()
CHOICES = ("less than half", "half", "more than half")
WHY_NOT_A_QUARTER = (
    "conv1 of a block loses half its filters (its outputs) and conv2 half its input channels; "
    "each loses one of its two channel dimensions, so each keeps half its multiply-adds, not a "
    "quarter, and nothing falls below half"
)
WHY_NOT_HALF = (
    "only the blocks' inner convolutions shrink: the stem's 7x7 convolution, the 1x1 shortcut "
    "convolutions and the classifier keep their widths, so more than half of the "
    "multiply-adds remain"
)
MISTAKES = {
    "not_a_choice": "return one of the strings 'less than half', 'half' or 'more than half'",
    "less than half": WHY_NOT_A_QUARTER,
    "half": WHY_NOT_HALF,
}


WIDTHS = (8, 12, 16, 24)  # the first stage's width w; the stages are w, 2w, 4w, 8w
SIDES = (32, 48, 64)  # the side of the input image


def cases(rng, hidden):
    """``(w, side)``: a ResNet-18 of stage widths ``w, 2w, 4w, 8w`` (``w`` from ``WIDTHS``) and
    10 classes, on one image of side ``side`` (from ``SIDES``); the hidden battery adds two more.
    Multiply-adds depend on the architecture alone, not on the weights, so these two numbers
    are the whole case."""
    for _ in range(3 if hidden else 1):
        yield int(rng.choice(WIDTHS)), int(rng.choice(SIDES))


def network(w, side):
    """``(model, x)``: the case's ResNet-18 (weights from a fixed seed, torch's global random
    state left as it was) and an input of one ``side`` x ``side`` image."""
    from minprune.torchkit import ResNet18

    state = torch.random.get_rng_state()
    torch.manual_seed(w)
    model = ResNet18(widths=(w, 2 * w, 4 * w, 8 * w), num_classes=10).eval()
    torch.random.set_rng_state(state)
    return model, torch.zeros(1, 3, side, side)


@functools.cache
def measure(w, side):
    """``(dense MACs, MACs after keeping half of every block's inner channels)``, counted once
    per architecture with ``channel_prune_resnet`` and ``count_macs``."""
    from minprune.torchkit import channel_prune_resnet, count_macs

    model, x = network(w, side)
    return count_macs(model, x), count_macs(channel_prune_resnet(model, keep_fraction=0.5), x)


def truth(dense, pruned):
    """The choice the measured counts make."""
    if 2 * pruned == dense:
        return "half"
    return "more than half" if 2 * pruned > dense else "less than half"


def _choice(got):
    if not isinstance(got, str):
        checks.fail(f"macs_left() returned {type(got).__name__}: {MISTAKES['not_a_choice']}")
    choice = " ".join(got.lower().replace("_", " ").split())
    if choice not in CHOICES:
        checks.fail(f"macs_left() returned {got!r}: {MISTAKES['not_a_choice']}")
    return choice


def check(answer, hidden=False, seed=None):
    """``answer()`` names the share of multiply-adds that inner-channel pruning at 50% leaves."""
    choice = _choice(checks.call(answer, what="macs_left()"))
    for w, side in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        dense, pruned = measure(w, side)
        if choice != truth(dense, pruned):
            # dense = untouched + inner, pruned = untouched + inner / 2
            untouched = 2 * pruned - dense
            checks.fail(
                f"a ResNet-18 of widths {w} to {8 * w} on a {side}x{side} image does "
                f"{dense:,} multiply-adds, {pruned:,} after the cut ({pruned / dense:.3f} of them); "
                f"the layers the cut leaves alone do {untouched:,} ({untouched / dense:.3f}): "
                f"{MISTAKES[choice]}"
            )
    checks.passed()
