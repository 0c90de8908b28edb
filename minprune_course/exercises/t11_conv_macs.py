"""Exercise 11.3: ``conv_macs(conv, height, width)``, multiply-adds of a convolution per image.

Compared with ``minprune.torchkit.count_macs`` on random convolutions. The visible cases
each bring one feature the known mistakes forget (a bias, a stride, groups, a dilation);
every case is drawn until the mistakes' counts differ from the right one and from each
other there, so each mistake is named by its hint on every draw.

PROBE: ``conv`` is an ``nn.Conv2d`` the check builds from plain numbers (its constructor's
arguments), so another process could rebuild the same layer; the answer reads its sizes
and returns an int. The layer's ``state_dict`` is compared after the call: an answer that
changes its weights fails.
"""

import torch
from torch import nn

from minprune_course import checks

from . import _t11

GRADE_ID = "t11_conv_macs_test"
ANSWER = "conv_macs"
SIGNATURE = "(conv, height, width)"
REFERENCE = ("minprune.torchkit.count_macs",)
MISTAKES = {
    "no_stride": "the stride shrinks the output: h_out = (h + 2*padding - dilation*(k - 1) "
    "- 1) // stride + 1",
    "no_groups": "with groups, each filter sees in_channels / groups input channels",
    "no_dilation": "a dilated kernel spans dilation*(k - 1) + 1 pixels: the dilation enters "
    "the output size",
    "flops": "count multiply-adds, not flops (1 multiply-add = 2 flops)",
    "bias_added": "leave the bias out: it is an addition, not a multiply-add",
    "float_count": "a count of multiply-adds is an int: use // for the output size (or "
    "int(...) at the end)",
}


def _macs(spec, h, w, strided=True, grouped=True, dilated=True):
    """Multiply-adds of the convolution ``spec`` on ``h x w``, a mistake or two as options."""
    (kh, kw), (sh, sw) = spec["kernel_size"], spec["stride"] if strided else (1, 1)
    (ph, pw), (dh, dw) = spec["padding"], spec["dilation"] if dilated else (1, 1)
    h_out = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    w_out = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    c_in = spec["in_channels"] // spec["groups"] if grouped else spec["in_channels"]
    return h_out * w_out * spec["out_channels"] * c_in * kh * kw


def _mistakes(spec, h, w):
    """What each mistake returns (float_count is caught by its type)."""
    (kh, kw), (sh, sw) = spec["kernel_size"], spec["stride"]
    (ph, pw), (dh, dw) = spec["padding"], spec["dilation"]
    h_out = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    w_out = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    right = _macs(spec, h, w)
    bias = h_out * w_out * spec["out_channels"] if spec["bias"] else 0
    return {
        "no_stride": _macs(spec, h, w, strided=False),
        "no_groups": _macs(spec, h, w, grouped=False),
        "no_dilation": _macs(spec, h, w, dilated=False),
        "flops": 2 * right,
        "bias_added": right + bias,
    }


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def _spec(c_in, c_out, k, stride=1, padding=0, dilation=1, groups=1, bias=True):
    """The constructor's arguments of an ``nn.Conv2d``, as plain numbers."""
    return {
        "in_channels": c_in,
        "out_channels": c_out,
        "kernel_size": _pair(k),
        "stride": _pair(stride),
        "padding": _pair(padding),
        "dilation": _pair(dilation),
        "groups": groups,
        "bias": bias,
    }


def _draw(make):
    """``(spec, h, w)`` from ``make()``, drawn again until every mistake that differs
    from the right count differs from every other mistake too."""
    while True:
        spec, h, w = make()
        right, wrong = _macs(spec, h, w), _mistakes(spec, h, w)
        differing = [v for v in wrong.values() if v != right]
        if len(set(differing)) == len(differing) and right > 0:
            return spec, h, w


def cases(rng, hidden):
    """``(spec, height, width)``: padding with a bias, a stride, groups, a dilation, a 1x1
    convolution; the hidden battery adds strided 5x5, dilated, depthwise, rectangular and
    a stem-like 7x7 convolution."""

    def c():
        return int(rng.integers(1, 9))

    def size(low=4, high=12):
        return int(rng.integers(low, high))

    makers = [
        lambda: (_spec(c(), c(), 3, padding=1), size(), size()),
        lambda: (_spec(c(), c(), 3, stride=2), size(5, 13), size(5, 13)),
        lambda: (_spec(3 * c(), 3 * c(), 3, padding=1, groups=3, bias=False), size(), size()),
        lambda: (_spec(c(), c(), 3, padding=2, dilation=2, bias=False), size(), size()),
        lambda: (_spec(c(), c(), 1, bias=False), size(2, 9), size(2, 9)),
    ]
    if hidden:
        makers += [
            lambda: (_spec(c(), c(), 5, stride=2, padding=2, bias=False), 9, 7),
            lambda: (_spec(c(), c(), 3, padding=2, dilation=2), 8, 11),
            lambda: (_spec(4 * c(), 4 * c(), 3, padding=1, groups=4), 6, 6),
            lambda: (_spec(4, 4, 3, padding=1, groups=4), size(), size()),
            lambda: (_spec(c(), c(), (3, 1), stride=(2, 1), padding=(1, 0)), 9, 5),
            lambda: (_spec(3, 16, 7, stride=2, padding=3, bias=False), 32, 32),
        ]
    for make in makers:
        yield _draw(make)


def check(answer, hidden=False, seed=None):
    """``answer(conv, height, width)`` is an int equal to ``tk.count_macs`` on one image."""
    (reference,) = checks.public(*REFERENCE)
    for spec, h, w in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        conv = nn.Conv2d(**spec)
        # counted on the meta device: the same shapes, no arithmetic to wait for
        meta = nn.Conv2d(**spec, device="meta")
        expected = reference(meta, torch.zeros(1, spec["in_channels"], h, w, device="meta"))
        what = f"conv_macs({conv}, {h}, {w})"
        got = checks.call(
            answer, conv, h, w, what=what, without=[reference], names=("conv", "height", "width")
        )
        if isinstance(got, float):
            checks.fail(f"{what} returned a float: {MISTAKES['float_count']}")
        value = checks.expect_int(got, what)
        _t11.no_mistake(what, value, expected, _mistakes(spec, h, w), MISTAKES, rtol=0, atol=0)
        checks.expect_true(
            value == expected,
            f"{what} returned {value}, which is not the expected count: the output has "
            "(h + 2*padding - dilation*(k - 1) - 1) // stride + 1 rows, and each output "
            "value costs (in_channels / groups) * kh * kw multiply-adds per output channel",
        )
    checks.passed()
