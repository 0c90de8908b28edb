"""Exercise 12, part MACs: the compressed model needs at least 3x fewer multiply-adds.

Multiply-adds per image (``tk.count_macs``, the dense count: a zero weight costs as much
as any other) of the ``compressed`` model ``compress(baseline, data)`` returns, against the
baseline the check trained itself: at least ``capstone.MIN_MAC_REDUCTION`` (3x) fewer. The
hidden battery counts them again on one image and on a batch of random test images.

PROBE: the model is read as plain data, its widths and ``state_dict`` loaded into a
``DigitsCNN`` the check builds (``_t12.read``, as ``plain`` carries it across the grader's
sandbox); the learner's module is never called, so it can live in another process.
"""

import torch

from minprune.torchkit.counting import count_macs
from minprune_course import capstone, checks

from . import _t12

GRADE_ID = "t12_macs_test"
ANSWER = "compressed"
SIGNATURE = "(baseline, data)"
REFERENCE = ()
MISTAKES = {
    **_t12.READ_MISTAKES,
    "masks": "masks do not count: the compressed model keeps every channel of the baseline, "
    "and a zero weight is multiplied like any other; remove channels (prune_filters)",
    "too_few_removed": "at least 3x fewer multiply-adds per image are required: remove more "
    "channels (conv2 does most of them, 64 pixels x c1 x c2 x 9)",
}


def cases(rng, hidden):
    """The batches the multiply-adds are counted on (they are per image): the first 256 test
    images; the hidden battery adds one random image and a batch of random ones."""
    X, _ = _t12.test_split()
    yield X[: capstone.BATCH_SIZE]
    if hidden:
        order = torch.as_tensor(rng.permutation(len(X)))
        yield X[order[:1]]
        yield X[order[: int(rng.integers(2, len(X)))]]


def check(compressed, hidden=False, seed=None):
    """``compressed`` needs at least 3x fewer multiply-adds per image than the baseline."""
    model = _t12.read(compressed)
    ref = _t12.reference()
    widths = (model.conv1.out_channels, model.conv2.out_channels)
    checks.expect_true(
        widths != ref.widths,
        f"macs: the compressed model has the baseline's widths {widths}: {MISTAKES['masks']}",
    )
    for batch in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        macs = int(count_macs(model, batch))
        checks.expect_true(
            ref.macs / macs >= capstone.MIN_MAC_REDUCTION - 1e-9,
            f"macs: the compressed model (widths {widths}) needs {macs:,} multiply-adds per "
            f"image, {ref.macs / macs:.2f}x fewer than the baseline's {ref.macs:,}: "
            f"{MISTAKES['too_few_removed']}",
        )
    checks.passed()
