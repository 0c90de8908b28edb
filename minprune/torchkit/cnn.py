"""Pruning the whole digits CNN: filters by L1 norm, channels by BatchNorm scale.

``DigitsCNN`` is conv1-bn1-relu, conv2-bn2-relu-pool, flatten, fc. Its channels
are removed in two places:

- a channel of conv1 is filter ``j`` of conv1, entry ``j`` of bn1 and input
  channel ``j`` of conv2 (``surgery.prune_conv_bn_conv``);
- a channel of conv2 is filter ``j`` of conv2, entry ``j`` of bn2 and, after
  pooling and flattening, the ``h * w`` input columns ``j*h*w ... (j+1)*h*w - 1``
  of fc (``prune_last_conv_into_linear``): flatten orders a ``(c, h, w)`` map
  channel by channel.

The *masked* model keeps every shape and zeroes what surgery removes: the
filter, and its BatchNorm scale and shift. In eval mode the masked channel
then outputs exactly 0, so the shrunk model computes the same outputs.
Zeroing the filter alone is not enough: BatchNorm would still add its shift
``beta - gamma * mean / sqrt(var + eps)`` to a channel of zeros.

Where things live: this module works on a whole ``DigitsCNN`` (two keep-lists,
one global ranking, one penalty over every BatchNorm); the scores and surgery
of a single layer (``l1_filter_scores``, ``bn_scale_scores``, ``keep_top``,
``slice_conv``, ``slice_bn``) live in ``surgery``. ``keep_fraction`` is the share
of channels kept, ``fraction`` the share removed.
"""

import copy

import numpy as np
import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm  # BatchNorm1d, 2d and 3d

from minprune.structured import check_keep

from .models import DigitsCNN
from .surgery import (
    bn_scale_scores,
    check_keep_fraction,
    keep_top,
    l1_filter_scores,
    prune_conv_bn_conv,
    slice_bn,
    slice_conv,
)
from .training import accuracy

__all__ = [
    "prune_last_conv_into_linear",
    "prune_filters",
    "mask_filters",
    "slimming_penalty",
    "slimming_keep",
    "filter_sensitivity",
    "nonzero_macs",
]


def _check_model(model):
    if not isinstance(model, DigitsCNN):
        raise TypeError(f"model must be a DigitsCNN, got {type(model).__name__}")


def _keep_index(keep, n, name, layer):
    """``keep`` checked by ``check_keep``, as a sorted long tensor; ``None`` keeps all ``n``."""
    if keep is None:
        return torch.arange(n)
    return torch.sort(torch.as_tensor(check_keep(keep, n, name, f"channels of {layer}"))).values


def prune_last_conv_into_linear(conv, bn, fc, keep):
    """Keep output channels ``keep`` of ``conv``/``bn`` and their flattened inputs of ``fc``.

    ``fc`` reads the flattened ``(channels, h, w)`` map (pooling in between does not
    matter), so channel ``j`` owns the ``h * w = fc.in_features // conv.out_channels``
    consecutive input columns starting at ``j * h * w``.

    Returns new ``(conv, bn, fc)``, each in its original's training mode; the
    originals are not modified.
    """
    if not isinstance(conv, nn.Conv2d):
        raise TypeError(f"conv must be an nn.Conv2d, got {type(conv).__name__}")
    if not isinstance(fc, nn.Linear):
        raise TypeError(f"fc must be an nn.Linear, got {type(fc).__name__}")
    c = conv.out_channels
    if fc.in_features % c:
        raise ValueError(
            f"fc.in_features={fc.in_features} is not a multiple of conv.out_channels={c}: "
            "fc does not read the flattened output of conv"
        )
    keep = _keep_index(keep, c, "keep", "conv").to(conv.weight.device)
    hw = fc.in_features // c
    W = fc.weight.detach().reshape(fc.out_features, c, hw)[:, keep].reshape(fc.out_features, -1)
    new_fc = nn.Linear(W.shape[1], fc.out_features, bias=fc.bias is not None)
    new_fc = new_fc.to(device=W.device, dtype=W.dtype)
    new_fc.weight.data.copy_(W)
    if fc.bias is not None:
        new_fc.bias.data.copy_(fc.bias.detach())
    new_conv, new_bn = slice_conv(conv, out_idx=keep), slice_bn(bn, keep)
    return new_conv.train(conv.training), new_bn.train(bn.training), new_fc.train(fc.training)


def prune_filters(model, keep1=None, keep2=None):
    """A smaller copy of a ``DigitsCNN`` keeping filters ``keep1`` of conv1 and ``keep2`` of conv2.

    Parameters
    ----------
    model : DigitsCNN (not modified)
    keep1, keep2 : sequences or tensors of distinct channel indices, or ``None`` to keep all

    Returns
    -------
    DigitsCNN
        conv1 ``(len(keep1), 1, 3, 3)``, conv2 ``(len(keep2), len(keep1), 3, 3)``,
        fc ``(10, len(keep2) * 16)``; in eval mode its outputs equal those of
        ``mask_filters(model, keep1, keep2)``.
    """
    _check_model(model)
    keep1 = _keep_index(keep1, model.conv1.out_channels, "keep1", "conv1")
    keep2 = _keep_index(keep2, model.conv2.out_channels, "keep2", "conv2")
    new = copy.deepcopy(model)
    new.conv1, new.bn1, conv2 = prune_conv_bn_conv(model.conv1, model.bn1, model.conv2, keep1)
    new.conv2, new.bn2, new.fc = prune_last_conv_into_linear(conv2, model.bn2, model.fc, keep2)
    new.train(model.training)
    return new


def _zero_channels(conv, bn, keep):
    drop = torch.ones(conv.out_channels, dtype=torch.bool)
    drop[keep] = False
    drop = drop.to(conv.weight.device)
    with torch.no_grad():
        conv.weight[drop] = 0
        if conv.bias is not None:
            conv.bias[drop] = 0
        bn.weight[drop] = 0
        bn.bias[drop] = 0


def mask_filters(model, keep1=None, keep2=None):
    """A copy of a ``DigitsCNN`` of the same shape whose removed channels output 0 (eval mode).

    For each channel not kept: its filter, its BatchNorm scale (gamma) and shift
    (beta) are set to 0. Running statistics stay, so in eval mode BatchNorm maps
    the channel to ``0 * (0 - mean) / sqrt(var + eps) + 0 = 0``.
    """
    _check_model(model)
    keep1 = _keep_index(keep1, model.conv1.out_channels, "keep1", "conv1")
    keep2 = _keep_index(keep2, model.conv2.out_channels, "keep2", "conv2")
    new = copy.deepcopy(model)
    _zero_channels(new.conv1, new.bn1, keep1)
    _zero_channels(new.conv2, new.bn2, keep2)
    return new


def slimming_penalty(model, lam):
    """Network Slimming's sparsity term: ``lam * sum(|gamma|)`` over every BatchNorm scale.

    Added to the training loss (``fit(..., penalty=lambda m: slimming_penalty(m, lam))``),
    its subgradient ``lam * sign(gamma)`` pushes the scales of unneeded channels to 0
    (Liu et al. 2017). Returns a scalar tensor that autograd differentiates.
    """
    if isinstance(lam, bool) or not isinstance(lam, int | float) or not lam >= 0:
        raise ValueError(f"lam={lam!r} must be a number >= 0")
    scales = [
        m.weight for m in model.modules() if isinstance(m, _BatchNorm) and m.weight is not None
    ]
    if not scales:
        raise ValueError("model has no BatchNorm layer with a scale (affine=True) to penalise")
    return lam * sum(g.abs().sum() for g in scales)


def slimming_keep(model, keep_fraction=None, *, fraction=None):
    """Channels of a ``DigitsCNN`` kept by one global ranking of ``|gamma|`` over bn1 and bn2.

    Keeps the ``round(keep_fraction * n)`` largest scales of all ``n`` channels
    (ties: the earlier channel, bn1 before bn2), and at least one channel per layer.

    Parameters
    ----------
    model : DigitsCNN
    keep_fraction : float in (0, 1], the share of all channels kept

    Returns
    -------
    ``(keep1, keep2)``, sorted index tensors for ``prune_filters``.
    """
    keep_fraction = check_keep_fraction(keep_fraction, fraction, "slimming_keep")
    _check_model(model)
    s1, s2 = bn_scale_scores(model.bn1).cpu(), bn_scale_scores(model.bn2).cpu()
    kept = keep_top(torch.cat([s1, s2]), keep_fraction)
    keep1, keep2 = kept[kept < len(s1)], kept[kept >= len(s1)] - len(s1)
    if keep1.numel() == 0:
        keep1 = keep_top(s1, 1.0 / len(s1))
    if keep2.numel() == 0:
        keep2 = keep_top(s2, 1.0 / len(s2))
    return keep1, keep2


def filter_sensitivity(model, X, y, fractions, criterion="l1", seed=0):
    """Accuracy after removing a fraction of one layer's filters, the other layer intact.

    Parameters
    ----------
    model : DigitsCNN (not modified)
    X, y : tensors to score on (a validation split)
    fractions : floats in [0, 1): fractions of the layer's filters removed
    criterion : ``'l1'`` (lowest L1 norms go, Li et al. 2017) or ``'random'``
    seed : int, for ``'random'``

    Returns
    -------
    dict
        ``{"conv1": accuracies, "conv2": accuracies}``, each an array like ``fractions``.
        No retraining: this measures how sensitive each layer is (Li et al., Fig. 2).
    """
    _check_model(model)
    if criterion not in ("l1", "random"):
        raise ValueError(f"criterion={criterion!r} must be 'l1' or 'random'")
    fractions = [float(f) for f in fractions]
    if any(not 0.0 <= f < 1.0 for f in fractions):
        raise ValueError(f"fractions={fractions!r} must lie in [0, 1)")
    generator = torch.Generator().manual_seed(seed)
    result = {}
    for name in ("conv1", "conv2"):
        conv = getattr(model, name)
        accs = []
        for f in fractions:
            if criterion == "l1":
                scores = l1_filter_scores(conv).cpu()
            else:
                scores = torch.rand(conv.out_channels, generator=generator)
            keep = keep_top(scores, keep_fraction=1.0 - f)
            keeps = {"keep1": None, "keep2": None, "keep1" if name == "conv1" else "keep2": keep}
            accs.append(accuracy(prune_filters(model, **keeps), X, y))
        result[name] = np.array(accs)
    return result


def nonzero_macs(model, example_input):
    """Multiply-adds per sample that the nonzero weights of convolutions and linear layers need.

    A convolution needs ``nonzero weights * output positions`` multiply-adds, a
    linear layer its nonzero weights: what a kernel that skipped every zero would
    do. ``count_macs`` counts what a dense kernel does; the two agree when no weight is 0.
    Reads masked weights under ``torch.nn.utils.prune`` (the ``weight`` the forward uses).
    """
    if not isinstance(example_input, torch.Tensor) or example_input.ndim < 2:
        raise ValueError("example_input must be a batched tensor (first dimension = batch)")
    total = []

    def hook(module, inputs, output):
        nonzero = int(torch.count_nonzero(module.weight.detach()))
        positions = output[0, 0].numel() if isinstance(module, nn.Conv2d) else 1
        total.append(nonzero * positions)

    handles = [
        m.register_forward_hook(hook)
        for m in model.modules()
        if isinstance(m, nn.Conv2d | nn.Linear)
    ]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(example_input[:1])
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    return sum(total)
