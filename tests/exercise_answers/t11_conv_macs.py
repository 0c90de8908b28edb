"""Answers to exercise t11_conv_macs: its known mistakes and correct alternatives."""

import copy
import math

import torch


def _out(size, k, s, p, d):
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _right(conv, height, width, stride=True, groups=True, dilation=True):
    (kh, kw), (sh, sw) = conv.kernel_size, conv.stride if stride else (1, 1)
    (ph, pw), (dh, dw) = conv.padding, conv.dilation if dilation else (1, 1)
    h_out, w_out = _out(height, kh, sh, ph, dh), _out(width, kw, sw, pw, dw)
    c_in = conv.in_channels // conv.groups if groups else conv.in_channels
    return h_out * w_out * conv.out_channels * c_in * kh * kw


def no_stride(conv, height, width):
    return _right(conv, height, width, stride=False)


def no_groups(conv, height, width):
    return _right(conv, height, width, groups=False)


def no_dilation(conv, height, width):
    return _right(conv, height, width, dilation=False)


def flops(conv, height, width):
    return 2 * _right(conv, height, width)


def bias_added(conv, height, width):
    (kh, kw), (sh, sw) = conv.kernel_size, conv.stride
    (ph, pw), (dh, dw) = conv.padding, conv.dilation
    outputs = _out(height, kh, sh, ph, dh) * _out(width, kw, sw, pw, dw) * conv.out_channels
    return _right(conv, height, width) + (outputs if conv.bias is not None else 0)


def float_count(conv, height, width):
    return float(_right(conv, height, width))


def floor_division_by_float(conv, height, width):
    (kh, kw), (sh, sw) = conv.kernel_size, conv.stride
    (ph, pw), (dh, dw) = conv.padding, conv.dilation
    h_out = math.floor((height + 2 * ph - dh * (kh - 1) - 1) / sh + 1)
    w_out = math.floor((width + 2 * pw - dw * (kw - 1) - 1) / sw + 1)
    return int(h_out * w_out * conv.weight.numel())


def run_on_meta(conv, height, width):
    """The output size read off a forward pass of a copy on the meta device (shapes only);
    the multiply-adds per output from the weight."""
    shapes_only = copy.deepcopy(conv).to("meta")
    with torch.no_grad():
        out = shapes_only(torch.zeros(1, conv.in_channels, height, width, device="meta"))
    return int(out[0, 0].numel() * conv.weight.numel())


MISTAKES = {
    "no_stride": no_stride,
    "no_groups": no_groups,
    "no_dilation": no_dilation,
    "flops": flops,
    "bias_added": bias_added,
    "float_count": float_count,
}
ALTERNATIVES = {"floor_division_by_float": floor_division_by_float, "run_on_meta": run_on_meta}
NOT_APPLICABLE = {
    "mutating": "the arguments are a layer and two ints: the generic test changes arrays, "
    "tensors and lists, not a module's weights; tests/test_exercises_t11.py checks that an "
    "answer changing conv's weights in place fails",
}
