"""Exercise 09.2: ``prune_conv_bn_conv(conv1, bn1, conv2, keep)``, cutting filters through
a BatchNorm into the next convolution.

PROBE: the answer gets layers the check builds and returns three new layers. The check
reads each as plain data (``_t09.read_layers``: its ``state_dict``, the names of its
parameters, its sizes and geometry), builds ``conv1 -> bn1 -> relu -> conv2`` itself
from that data and compares its outputs, in eval mode, with the original layers' whose
removed channels are silenced. The channels may come in any one order, the same in all
three layers; the prompt asks for the order of ``keep``.
"""

import numpy as np
import torch

from minprune_course import checks

from . import _t09

GRADE_ID = "t09_conv_bn_conv_test"
ANSWER = "prune_conv_bn_conv"
SIGNATURE = "(conv1, bn1, conv2, keep)"
REFERENCE = (
    "minprune.torchkit.prune_conv_bn_conv",
    "minprune.torchkit.prune_last_conv_into_linear",
    "minprune.torchkit.prune_filters",
    "minprune.torchkit.channel_prune_resnet",
    "minprune.torchkit.slice_conv",
    "minprune.torchkit.slice_bn",
)
NAMES = ("conv1", "bn1", "conv2")
NEXT = {
    "inputs": "conv2 must lose the input channels of the removed filters, weight[:, keep]",
    "order": "is not conv2.weight[:, keep]",
}
MISTAKES = {
    "conv2_untouched": NEXT["inputs"],
    "keeps_removed": "the cut layers hold the channels that keep does not name; keep names "
    "the channels to keep, not those to remove",
    "orders_disagree": "conv1 and bn1 hold the kept channels in ascending order but conv2 "
    "reads them in the order of keep; use one order, keep's, for all three layers",
    "fresh_batchnorm": _t09.HINTS["fresh_batchnorm"],
    "statistics_reset": _t09.HINTS["statistics_reset"],
    "default_bias": _t09.HINTS["default_bias"],
    "lost_geometry": _t09.HINTS["lost_geometry"],
    "lost_eps": _t09.HINTS["lost_eps"],
    "stale_sizes": _t09.HINTS["stale_sizes"],
}


def cases(rng, hidden):
    """``(conv1, bn1, conv2, keep, x)``, float32 layers. The visible check: no biases, keep
    a sorted list (never the first channels only); then biases, conv1 of stride 2, an eps
    of 1e-3, keep an unsorted tensor. The hidden battery adds 1x1, 5x5 and 3x1 kernels,
    one channel kept or all of them."""
    plans = [
        ("sorted", torch.float32, False, (3, 3), 1e-5, 1),
        ("unsorted", torch.float32, True, (3, 3), 1e-3, 2),
    ]
    if hidden:
        plans += [
            ("unsorted", torch.float32, True, (1, 1), 1e-5, 1),
            ("sorted", torch.float32, False, (5, 5), 0.1, 1),
            ("one", torch.float32, True, (5, 5), 1e-5, 2),
            ("all", torch.float32, True, (3, 1), 1e-5, 1),
        ]
    for kind, dtype, bias, kernel, eps, stride in plans:
        c_in, c1, c2 = (int(n) for n in rng.integers(2, 8, size=3))
        c1 += 2
        conv1 = _t09.conv(rng, c_in, c1, kernel, dtype, bias=bias, stride=stride)
        bn1 = _t09.batchnorm(rng, c1, dtype, eps=eps)
        conv2 = _t09.conv(rng, c1, c2, (3, 3), dtype, bias=bias)
        side = int(rng.integers(4, 9))
        x = _t09.tensor(rng, (3, c_in, side, side), dtype)
        yield conv1, bn1, conv2, _t09.keep(rng, c1, kind), x


def _mistakes(cut):
    """What each mistake's layers hold, as ``cut.state()`` does."""
    c = cut.channels
    removed = [j for j in range(c) if j not in cut.index]
    k = len(cut.index)
    dtype = _t09.numpy(cut.bn.weight).dtype
    ones, zeros = np.ones(k, dtype), np.zeros(k, dtype)
    out = {
        "conv2_untouched": cut.state(nxt_columns=_t09.numpy(cut.nxt.weight)),
        "orders_disagree": cut.state(conv_index=sorted(cut.index)),
        "fresh_batchnorm": cut.state(
            bn={
                "bn1.weight": ones,
                "bn1.bias": zeros,
                "bn1.running_mean": zeros,
                "bn1.running_var": ones,
            }
        ),  # fmt: skip
        "statistics_reset": cut.state(bn={"bn1.running_mean": zeros, "bn1.running_var": ones}),
    }
    if removed:
        out["keeps_removed"] = cut.state(index=removed)
    return out


def check(answer, hidden=False, seed=None):
    """``answer(conv1, bn1, conv2, keep)`` returns new layers computing the masked model."""
    references = _t09.references(REFERENCE)
    for conv1, bn1, conv2, keep, x in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        cut = _t09.Cut(conv1, bn1, conv2, keep, x, lambda h, conv: conv(h), NAMES)
        expected = cut.masked_output()
        what = (
            f"prune_conv_bn_conv(conv1, bn1, conv2, keep) with conv1 {tuple(conv1.weight.shape)}, "
            f"conv2 {tuple(conv2.weight.shape)}, {str(cut.dtype)[6:]}, keep {keep!r}"
        )
        got = _t09.call(
            answer, conv1, bn1, conv2, keep, what=what, names=(*NAMES, "keep"), without=references
        )
        layers = _t09.read_layers(got, cut.kinds(), NAMES, what)
        hints = {name: f"{what}: {MISTAKES[name]}" for name in MISTAKES}
        _t09.expect_cut(cut, layers, expected, _mistakes(cut), hints, what, NEXT)
    checks.passed()
