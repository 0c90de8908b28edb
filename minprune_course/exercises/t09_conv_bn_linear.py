"""Exercise 09.3: ``prune_conv_bn_linear(conv, bn, fc, keep)``, cutting the last conv's
filters and their column blocks of the classifier.

PROBE: as exercise 09.2's: the answer's three layers are read as plain data
(``_t09.read_layers``) and ``conv -> bn -> relu -> max-pool -> flatten -> fc`` is built by
the check from that data; its outputs, in eval mode, must be the original layers' whose
removed channels are silenced. The channels may come in any one order, the same in all
three layers; the prompt asks for the order of ``keep``.
"""

import numpy as np
import torch
import torch.nn.functional as F

from minprune_course import checks

from . import _t09

GRADE_ID = "t09_conv_bn_linear_test"
ANSWER = "prune_conv_bn_linear"
SIGNATURE = "(conv, bn, fc, keep)"
REFERENCE = (
    "minprune.torchkit.prune_last_conv_into_linear",
    "minprune.torchkit.prune_conv_bn_conv",
    "minprune.torchkit.prune_filters",
    "minprune.torchkit.channel_prune_resnet",
    "minprune.torchkit.slice_conv",
    "minprune.torchkit.slice_bn",
)
NAMES = ("conv", "bn", "fc")
NEXT = {
    "inputs": "fc must lose the columns of the removed channels: each kept channel keeps its "
    "block of h*w columns",
    "order": "is not made of the column blocks of the kept channels",
}
MISTAKES = {
    "fc_untouched": NEXT["inputs"],
    "one_column_per_channel": "fc kept one column per kept channel; after flatten each "
    "channel is an h x w map and owns h*w consecutive columns",
    "fc_strided": "flatten orders a (channels, h, w) map channel by channel: channel j owns "
    "the h*w consecutive columns j*h*w ... (j+1)*h*w - 1, not every C-th column",
    "first_columns": "fc kept its first columns; keep the column blocks of the kept channels",
    "statistics_reset": _t09.HINTS["statistics_reset"],
}


def cases(rng, hidden):
    """``(conv, bn, fc, keep, x, pool)``, float32 layers. The visible check: keep a sorted
    list (never the first channels only), 8x8 maps pooled to 4x4; then a conv bias, keep an
    unsorted tensor, 6x6 maps pooled to 2x2. The hidden battery adds maps pooled to 3x3,
    one channel kept of unpooled 4x4 maps, all channels kept, and 1x1 maps."""
    plans = [
        ("sorted", torch.float32, False, 8, 2),
        ("unsorted", torch.float32, True, 6, 3),
    ]
    if hidden:
        plans += [
            ("unsorted", torch.float32, True, 6, 2),
            ("one", torch.float32, False, 4, 1),
            ("all", torch.float32, True, 8, 4),
            ("sorted", torch.float32, False, 3, 3),
        ]
    for kind, dtype, bias, side, pool in plans:
        c_in, c = int(rng.integers(1, 5)), int(rng.integers(3, 9))
        conv = _t09.conv(rng, c_in, c, (3, 3), dtype, bias=bias)
        bn = _t09.batchnorm(rng, c, dtype)
        fc = _t09.linear(rng, c * (side // pool) ** 2, int(rng.integers(2, 11)), dtype)
        x = _t09.tensor(rng, (3, c_in, side, side), dtype)
        yield conv, bn, fc, _t09.keep(rng, c, kind), x, pool


def _mistakes(cut):
    """What each mistake's layers hold, as ``cut.state()`` does."""
    W = _t09.numpy(cut.nxt.weight)
    k, hw, c = len(cut.index), cut.block, cut.channels
    strided = [j + c * p for p in range(hw) for j in cut.index]
    dtype = _t09.numpy(cut.bn.weight).dtype
    return {
        "fc_untouched": cut.state(nxt_columns=W),
        "one_column_per_channel": cut.state(nxt_columns=W[:, cut.index]),
        "fc_strided": cut.state(nxt_columns=W[:, strided]),
        "first_columns": cut.state(nxt_columns=W[:, : k * hw]),
        "statistics_reset": cut.state(
            bn={"bn.running_mean": np.zeros(k, dtype), "bn.running_var": np.ones(k, dtype)}
        ),
    }


def _tail(pool):
    def tail(h, fc):
        return fc(torch.flatten(F.max_pool2d(h, pool), 1))

    return tail


def check(answer, hidden=False, seed=None):
    """``answer(conv, bn, fc, keep)`` returns new layers computing the masked model."""
    references = _t09.references(REFERENCE)
    for conv, bn, fc, keep, x, pool in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        cut = _t09.Cut(conv, bn, fc, keep, x, _tail(pool), NAMES)
        expected = cut.masked_output()
        side = x.shape[-1] // pool
        what = (
            f"prune_conv_bn_linear(conv, bn, fc, keep) with conv {tuple(conv.weight.shape)}, "
            f"a {side}x{side} map per channel, fc {tuple(fc.weight.shape)}, "
            f"{str(cut.dtype)[6:]}, keep {keep!r}"
        )
        got = _t09.call(
            answer, conv, bn, fc, keep, what=what, names=(*NAMES, "keep"), without=references
        )
        layers = _t09.read_layers(got, cut.kinds(), NAMES, what)
        hints = {name: f"{what}: {MISTAKES[name]}" for name in MISTAKES}
        _t09.expect_cut(cut, layers, expected, _mistakes(cut), hints, what, NEXT)
    checks.passed()
