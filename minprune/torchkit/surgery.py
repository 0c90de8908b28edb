"""Channel surgery: physically removing convolution filters.

Removing output channel ``j`` of a convolution means removing filter ``j`` of
that conv, entry ``j`` of the BatchNorm that follows (weight, bias, running mean
and variance), and input channel ``j`` of the next convolution. The result is a
smaller dense network: fewer multiply-adds, and faster on any hardware.
"""

import torch
from torch import nn


def l1_filter_scores(conv):
    """L1 norm of each output filter of ``conv`` (Li et al. 2017): shape ``(out_channels,)``."""
    if not isinstance(conv, nn.Conv2d):
        raise TypeError(f"conv must be an nn.Conv2d, got {type(conv).__name__}")
    return conv.weight.detach().abs().sum(dim=(1, 2, 3))


def keep_top(scores, fraction):
    """Indices of the ``round(fraction * n)`` highest scores (at least 1), in ascending order.

    Ties are broken by the lower index (a stable sort), so the choice is deterministic.
    """
    if not isinstance(fraction, float) or not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction={fraction!r} must be a float in (0, 1]")
    n_keep = max(1, round(fraction * scores.numel()))
    order = torch.sort(-scores, stable=True).indices
    return torch.sort(order[:n_keep]).values


def _new_conv(conv, in_idx=None, out_idx=None):
    w = conv.weight.detach()
    if out_idx is not None:
        w = w[out_idx]
    if in_idx is not None:
        w = w[:, in_idx]
    new = nn.Conv2d(
        w.shape[1], w.shape[0], conv.kernel_size, conv.stride, conv.padding,
        conv.dilation, bias=conv.bias is not None,
    ).to(dtype=w.dtype)  # fmt: skip
    new.weight.data.copy_(w)
    if conv.bias is not None:
        b = conv.bias.detach()
        new.bias.data.copy_(b[out_idx] if out_idx is not None else b)
    return new.to(w.device)


def _new_bn(bn, idx):
    new = nn.BatchNorm2d(len(idx), eps=bn.eps, momentum=bn.momentum)
    new = new.to(bn.weight.device, bn.weight.dtype).train(bn.training)
    for name in ("weight", "bias"):
        getattr(new, name).data.copy_(getattr(bn, name).detach()[idx])
    new.running_mean.copy_(bn.running_mean[idx])
    new.running_var.copy_(bn.running_var[idx])
    new.num_batches_tracked.copy_(bn.num_batches_tracked)
    return new


def prune_conv_bn_conv(conv1, bn1, conv2, keep):
    """Keep output channels ``keep`` of ``conv1``/``bn1`` and the matching inputs of ``conv2``.

    Returns new ``(conv1, bn1, conv2)``; the originals are not modified.
    """
    keep = torch.as_tensor(keep, dtype=torch.long, device=conv1.weight.device)
    if keep.numel() == 0:
        raise ValueError(
            "keep must name at least one channel: removing every filter leaves no layer"
        )
    if keep.max() >= conv1.out_channels or keep.min() < 0:
        raise ValueError(f"keep has indices outside [0, {conv1.out_channels})")
    return _new_conv(conv1, out_idx=keep), _new_bn(bn1, keep), _new_conv(conv2, in_idx=keep)


def channel_prune_resnet(model, fraction):
    """Copy of a ``ResNet18`` whose blocks keep ``fraction`` of their inner channels by L1 norm.

    Only the inner width of each block (conv1's filters) is pruned, the pattern
    of Li et al. 2017: the block outputs feed the shortcuts and stay as they are.
    """
    import copy

    model = copy.deepcopy(model)
    for block in model.blocks:
        keep = keep_top(l1_filter_scores(block.conv1), fraction)
        block.conv1, block.bn1, block.conv2 = prune_conv_bn_conv(
            block.conv1, block.bn1, block.conv2, keep
        )
    return model
