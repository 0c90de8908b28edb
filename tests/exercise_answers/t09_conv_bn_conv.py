"""Answers to exercise t09_conv_bn_conv: its known mistakes and correct alternatives."""

import copy

import torch
from torch import nn


def _cut(conv1, bn1, conv2, keep, order1=None, bn="copy", geometry=True, eps=True,
         bias="same"):  # fmt: skip
    """The master's surgery; each keyword makes one of the known mistakes."""
    keep = torch.as_tensor(keep, dtype=torch.long)
    order1 = keep if order1 is None else torch.as_tensor(order1, dtype=torch.long)
    k, dt = len(keep), conv1.weight.dtype

    def new_conv(conv, c_in, c_out):
        where = (conv.stride, conv.padding, conv.dilation) if geometry else ()
        has_bias = conv.bias is not None if bias == "same" else True
        return nn.Conv2d(c_in, c_out, conv.kernel_size, *where, bias=has_bias).to(dt)

    new1 = new_conv(conv1, conv1.in_channels, k)
    new_bn = nn.BatchNorm2d(k, eps=bn1.eps if eps else 1e-5).to(dt)
    new2 = new_conv(conv2, k, conv2.out_channels)
    with torch.no_grad():
        new1.weight.copy_(conv1.weight[order1])
        if conv1.bias is not None:
            new1.bias.copy_(conv1.bias[order1])
        names = {"copy": ("weight", "bias", "running_mean", "running_var"),
                 "scales_only": ("weight", "bias"), "fresh": ()}[bn]  # fmt: skip
        for name in names:
            getattr(new_bn, name).copy_(getattr(bn1, name)[order1])
        new2.weight.copy_(conv2.weight[:, keep])
        if conv2.bias is not None:
            new2.bias.copy_(conv2.bias)
    return new1, new_bn, new2


def conv2_untouched(conv1, bn1, conv2, keep):
    new1, new_bn, _ = _cut(conv1, bn1, conv2, keep)
    return new1, new_bn, conv2


def keeps_removed(conv1, bn1, conv2, keep):
    drop = set(torch.as_tensor(keep).tolist())
    return _cut(conv1, bn1, conv2, [j for j in range(conv1.out_channels) if j not in drop])


def orders_disagree(conv1, bn1, conv2, keep):
    mask = torch.zeros(conv1.out_channels, dtype=torch.bool)
    mask[torch.as_tensor(keep)] = True
    return _cut(conv1, bn1, conv2, keep, order1=torch.nonzero(mask).flatten())


def fresh_batchnorm(conv1, bn1, conv2, keep):
    return _cut(conv1, bn1, conv2, keep, bn="fresh")


def statistics_reset(conv1, bn1, conv2, keep):
    return _cut(conv1, bn1, conv2, keep, bn="scales_only")


def default_bias(conv1, bn1, conv2, keep):
    return _cut(conv1, bn1, conv2, keep, bias="default")


def lost_geometry(conv1, bn1, conv2, keep):
    return _cut(conv1, bn1, conv2, keep, geometry=False)


def lost_eps(conv1, bn1, conv2, keep):
    return _cut(conv1, bn1, conv2, keep, eps=False)


def stale_sizes(conv1, bn1, conv2, keep):
    keep = torch.as_tensor(keep, dtype=torch.long)
    new1, new_bn, new2 = copy.deepcopy((conv1, bn1, conv2))
    new1.weight = nn.Parameter(conv1.weight.detach()[keep].clone())
    if conv1.bias is not None:
        new1.bias = nn.Parameter(conv1.bias.detach()[keep].clone())
    new_bn.weight = nn.Parameter(bn1.weight.detach()[keep].clone())
    new_bn.bias = nn.Parameter(bn1.bias.detach()[keep].clone())
    new_bn.running_mean = bn1.running_mean[keep].clone()
    new_bn.running_var = bn1.running_var[keep].clone()
    new2.weight = nn.Parameter(conv2.weight.detach()[:, keep].clone())
    return new1, new_bn, new2


def patched_copies(conv1, bn1, conv2, keep):
    """Copies of the originals with their tensors and sizes replaced."""
    new1, new_bn, new2 = stale_sizes(conv1, bn1, conv2, keep)
    k = len(torch.as_tensor(keep))
    new1.out_channels, new_bn.num_features, new2.in_channels = k, k, k
    return new1, new_bn, new2


def ascending(conv1, bn1, conv2, keep):
    """The kept channels in ascending order in all three layers: the same outputs."""
    order = torch.sort(torch.as_tensor(keep, dtype=torch.long)).values
    return _cut(conv1, bn1, conv2, order)


def index_select_list(conv1, bn1, conv2, keep):
    """index_select, parameters assigned rather than copied, a list returned."""
    keep = torch.as_tensor(keep, dtype=torch.long)
    new1, new_bn, new2 = _cut(conv1, bn1, conv2, keep)
    new1.weight = nn.Parameter(torch.index_select(conv1.weight.detach(), 0, keep))
    new2.weight = nn.Parameter(torch.index_select(conv2.weight.detach(), 1, keep))
    new_bn.num_batches_tracked.copy_(bn1.num_batches_tracked)
    return [new1, new_bn.train(bn1.training), new2]


MISTAKES = {
    "conv2_untouched": conv2_untouched,
    "keeps_removed": keeps_removed,
    "orders_disagree": orders_disagree,
    "fresh_batchnorm": fresh_batchnorm,
    "statistics_reset": statistics_reset,
    "default_bias": default_bias,
    "lost_geometry": lost_geometry,
    "lost_eps": lost_eps,
    "stale_sizes": stale_sizes,
}
ALTERNATIVES = {
    "patched_copies": patched_copies,
    "ascending": ascending,
    "index_select_list": index_select_list,
}
