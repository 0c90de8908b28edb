"""Answers to exercise t09_conv_bn_linear: its known mistakes and correct alternatives."""

import torch
from torch import nn


def _cut(conv, bn, fc, keep, columns=None, stats=True):
    """The master's surgery; ``columns(W, keep, hw)`` picks fc's columns another way."""
    keep = torch.as_tensor(keep, dtype=torch.long)
    k, dt = len(keep), conv.weight.dtype
    classes, c = fc.out_features, conv.out_channels
    hw = fc.in_features // c
    if columns is None:
        W = fc.weight.detach().reshape(classes, c, hw)[:, keep].reshape(classes, -1)
    else:
        W = columns(fc.weight.detach(), keep, hw)
    new_conv = nn.Conv2d(conv.in_channels, k, conv.kernel_size, conv.stride, conv.padding,
                         conv.dilation, bias=conv.bias is not None).to(dt)  # fmt: skip
    new_bn = nn.BatchNorm2d(k, eps=bn.eps).to(dt)
    new_fc = nn.Linear(W.shape[1], classes).to(dt)
    with torch.no_grad():
        new_conv.weight.copy_(conv.weight[keep])
        if conv.bias is not None:
            new_conv.bias.copy_(conv.bias[keep])
        names = ("weight", "bias", "running_mean", "running_var") if stats else ("weight", "bias")
        for name in names:
            getattr(new_bn, name).copy_(getattr(bn, name)[keep])
        new_fc.weight.copy_(W)
        new_fc.bias.copy_(fc.bias)
    return new_conv, new_bn, new_fc


def fc_untouched(conv, bn, fc, keep):
    new_conv, new_bn, _ = _cut(conv, bn, fc, keep)
    return new_conv, new_bn, fc


def one_column_per_channel(conv, bn, fc, keep):
    return _cut(conv, bn, fc, keep, columns=lambda W, keep, hw: W[:, keep])


def fc_strided(conv, bn, fc, keep):
    c = conv.out_channels

    def strided(W, keep, hw):
        return W[:, torch.cat([keep + c * p for p in range(hw)])]

    return _cut(conv, bn, fc, keep, columns=strided)


def first_columns(conv, bn, fc, keep):
    return _cut(conv, bn, fc, keep, columns=lambda W, keep, hw: W[:, : len(keep) * hw])


def statistics_reset(conv, bn, fc, keep):
    return _cut(conv, bn, fc, keep, stats=False)


def ascending(conv, bn, fc, keep):
    """The kept channels in ascending order in all three layers: the same outputs."""
    return _cut(conv, bn, fc, torch.sort(torch.as_tensor(keep, dtype=torch.long)).values)


def column_loop(conv, bn, fc, keep):
    """fc's columns gathered block by block in a loop."""

    def blocks(W, keep, hw):
        return torch.cat([W[:, j * hw : (j + 1) * hw] for j in keep.tolist()], dim=1)

    return _cut(conv, bn, fc, keep, columns=blocks)


def boolean_mask(conv, bn, fc, keep):
    """A boolean mask over channels and over fc's columns (ascending order throughout)."""
    mask = torch.zeros(conv.out_channels, dtype=torch.bool)
    mask[torch.as_tensor(keep, dtype=torch.long)] = True
    hw = fc.in_features // conv.out_channels
    return _cut(conv, bn, fc, torch.nonzero(mask).flatten(),
                columns=lambda W, keep, hw_: W[:, mask.repeat_interleave(hw)])  # fmt: skip


MISTAKES = {
    "fc_untouched": fc_untouched,
    "one_column_per_channel": one_column_per_channel,
    "fc_strided": fc_strided,
    "first_columns": first_columns,
    "statistics_reset": statistics_reset,
}
ALTERNATIVES = {"ascending": ascending, "column_loop": column_loop, "boolean_mask": boolean_mask}
