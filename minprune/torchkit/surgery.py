"""Channel surgery, one layer at a time: score, select, apply.

    scores = l1_filter_scores(conv1)                        # score: one number per filter
    keep = keep_top(scores, keep_fraction=0.5)               # select: indices to keep
    conv1, bn1, conv2 = prune_conv_bn_conv(conv1, bn1, conv2, keep)   # apply

Removing output channel ``j`` of a convolution means removing filter ``j`` of
that conv, entry ``j`` of the BatchNorm that follows (weight, bias, running mean
and variance), and input channel ``j`` of the next convolution. The result is a
smaller dense network: fewer multiply-adds, and faster on any hardware.

Where things live: what reads or cuts one layer, for any network, lives here:
the channel scores of a layer (``l1_filter_scores`` of a conv, ``bn_scale_scores``
of a BatchNorm), ``keep_top`` that selects from them, and the layer surgery
(``slice_conv``, ``slice_bn``, ``prune_conv_bn_conv``). ``cnn`` holds what works on
a whole ``DigitsCNN`` (its two keep-lists, Network Slimming's penalty and global
ranking, filter sensitivity); ``rnn`` holds the scores and surgery of recurrent
hidden units, whose weights are spread over the gate blocks.

Vocabulary, as in ``minprune``: ``keep_fraction`` is the share of channels kept,
``fraction`` the share removed; every keep-list passes ``minprune.check_keep``.

Channel counts for the hardware: CPU convolution libraries such as oneDNN store
channels in blocks of 8 (AVX2) or 16 (AVX-512) and pad a count that is not a
multiple, so 37 channels cost about what 40 or 48 cost. ``round_to`` (in
``keep_count``, ``keep_top`` and ``channel_prune_resnet``) rounds the kept count
up to a multiple, keeping channels that would otherwise be paid for as padding.
"""

import copy

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm  # BatchNorm1d, 2d and 3d

from minprune.structured import check_keep

__all__ = [
    "l1_filter_scores",
    "bn_scale_scores",
    "keep_top",
    "keep_count",
    "check_keep_fraction",
    "slice_conv",
    "slice_bn",
    "prune_conv_bn_conv",
    "channel_prune_resnet",
]


# ------------------------------------------------------------------ scores
def l1_filter_scores(conv):
    """L1 norm of each output filter of ``conv`` (Li et al. 2017): shape ``(out_channels,)``."""
    if not isinstance(conv, nn.Conv2d):
        raise TypeError(f"conv must be an nn.Conv2d, got {type(conv).__name__}")
    return conv.weight.detach().abs().sum(dim=(1, 2, 3))


def bn_scale_scores(bn):
    """Network Slimming's channel importance: ``|gamma|`` of a BatchNorm, shape ``(channels,)``."""
    if not isinstance(bn, _BatchNorm) or bn.weight is None:
        raise TypeError(f"bn must be a BatchNorm layer with a scale (affine=True), got {bn!r}")
    return bn.weight.detach().abs()


# ------------------------------------------------------------------ select
def check_keep_fraction(keep_fraction, fraction=None, function="keep_top"):
    """Return ``keep_fraction``, the share kept, after checking it is a float in (0, 1].

    ``fraction=``, which meant the share kept before it was renamed, is refused
    with a sentence naming ``keep_fraction``: ``fraction`` means the share removed.
    ``function`` names the caller in the messages.
    """
    if fraction is not None:
        raise TypeError(
            f"{function}() got fraction={fraction!r}; the share of channels kept is called "
            f"keep_fraction (fraction always means the share removed): "
            f"{function}(..., keep_fraction={fraction!r})"
        )
    if not isinstance(keep_fraction, float) or not 0.0 < keep_fraction <= 1.0:
        raise ValueError(
            f"keep_fraction={keep_fraction!r} must be a float in (0, 1], the share kept"
        )
    return keep_fraction


def check_round_to(round_to, function="keep_count"):
    """Return ``round_to`` after checking it is ``None`` or an int >= 1 (not a bool)."""
    if round_to is None:
        return None
    if isinstance(round_to, bool) or not isinstance(round_to, int) or round_to < 1:
        raise ValueError(
            f"{function}() got round_to={round_to!r}; expected None or a whole number of "
            f"channels >= 1, such as 8 or 16"
        )
    return round_to


def keep_count(n, keep_fraction, round_to=None):
    """How many of ``n`` channels stay: ``round(keep_fraction * n)``, at least 1.

    With ``round_to``, that count is rounded **up** to a multiple of ``round_to``
    (a hardware-friendly width), but never above ``n``, the original count (which
    then stays as it was, a multiple or not) and never below ``round_to``.

    Parameters
    ----------
    n : int >= 1, the channels there are
    keep_fraction : float in (0, 1], the share kept
    round_to : None or int >= 1, the multiple the kept count is rounded up to

    Returns
    -------
    k : int, ``1 <= k <= n``

    Examples
    --------
    >>> keep_count(64, 0.3), keep_count(64, 0.3, round_to=16), keep_count(60, 0.95, round_to=16)
    (19, 32, 60)
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n={n!r} must be a whole number of channels >= 1")
    keep_fraction = check_keep_fraction(keep_fraction, function="keep_count")
    round_to = check_round_to(round_to)
    k = max(1, round(keep_fraction * n))
    if round_to is not None:
        k = min(n, max(round_to, -(-k // round_to) * round_to))
    return k


def keep_top(scores, keep_fraction=None, *, fraction=None, round_to=None):
    """Indices of the ``keep_count(n, keep_fraction, round_to)`` highest scores, ascending.

    That is ``round(keep_fraction * n)`` indices (at least 1), or with ``round_to``
    that count rounded up to a multiple of ``round_to`` (at most ``n``).
    Ties are broken by the lower index (a stable sort), so the choice is deterministic.

    Parameters
    ----------
    scores : (n,) tensor, higher = more important
    keep_fraction : float in (0, 1], the share of the ``n`` indices kept
    round_to : None or int >= 1, see ``keep_count``

    Returns
    -------
    keep : (k,) long tensor, sorted
    """
    keep_fraction = check_keep_fraction(keep_fraction, fraction, "keep_top")
    round_to = check_round_to(round_to, "keep_top")
    n_keep = keep_count(scores.numel(), keep_fraction, round_to)
    order = torch.sort(-scores, stable=True).indices
    return torch.sort(order[:n_keep]).values


# ------------------------------------------------------------------- apply
def slice_conv(conv, out_idx=None, in_idx=None):
    """A new ``nn.Conv2d`` made of filters ``out_idx`` of ``conv`` and its input channels ``in_idx``.

    ``None`` keeps them all. The indices pass ``check_keep`` and keep their order;
    stride, padding, dilation, dtype and device are those of ``conv``.

    Returns
    -------
    nn.Conv2d with weight ``(len(out_idx), len(in_idx), kh, kw)``
    """
    if not isinstance(conv, nn.Conv2d):
        raise TypeError(f"conv must be an nn.Conv2d, got {type(conv).__name__}")
    w = conv.weight.detach()
    b = None if conv.bias is None else conv.bias.detach()
    if out_idx is not None:
        out_idx = check_keep(out_idx, conv.out_channels, "out_idx", "filters of conv")
        w = w[torch.as_tensor(out_idx, device=w.device)]
        b = None if b is None else b[torch.as_tensor(out_idx, device=w.device)]
    if in_idx is not None:
        in_idx = check_keep(in_idx, conv.in_channels, "in_idx", "input channels of conv")
        w = w[:, torch.as_tensor(in_idx, device=w.device)]
    new = nn.Conv2d(
        w.shape[1], w.shape[0], conv.kernel_size, conv.stride, conv.padding,
        conv.dilation, bias=b is not None,
    ).to(device=w.device, dtype=w.dtype)  # fmt: skip
    new.weight.data.copy_(w)
    if b is not None:
        new.bias.data.copy_(b)
    return new


def slice_bn(bn, idx):
    """A new ``nn.BatchNorm2d`` made of channels ``idx`` of ``bn``: scale, shift and statistics.

    The indices pass ``check_keep`` and keep their order; eps, momentum, the
    count of batches seen, dtype, device and training mode are those of ``bn``.
    """
    if not isinstance(bn, nn.BatchNorm2d) or bn.weight is None or bn.running_mean is None:
        raise TypeError(
            f"bn must be an nn.BatchNorm2d with a scale and running statistics, got {bn!r}"
        )
    idx = torch.as_tensor(check_keep(idx, bn.num_features, "idx", "channels of bn"))
    idx = idx.to(bn.weight.device)
    new = nn.BatchNorm2d(len(idx), eps=bn.eps, momentum=bn.momentum)
    new = new.to(bn.weight.device, bn.weight.dtype).train(bn.training)
    for name in ("weight", "bias", "running_mean", "running_var"):
        getattr(new, name).data.copy_(getattr(bn, name).detach()[idx])
    new.num_batches_tracked.copy_(bn.num_batches_tracked)
    return new


def prune_conv_bn_conv(conv1, bn1, conv2, keep):
    """Keep output channels ``keep`` of ``conv1``/``bn1`` and the matching inputs of ``conv2``.

    Parameters
    ----------
    conv1, bn1, conv2 : nn.Conv2d, nn.BatchNorm2d, nn.Conv2d, in this order in the network
    keep : list or tensor of distinct channel indices of conv1, in the order they stay

    Returns
    -------
    New ``(conv1, bn1, conv2)``; the originals are not modified.
    """
    keep = check_keep(keep, conv1.out_channels, "keep", "output channels of conv1")
    return (
        slice_conv(conv1, out_idx=keep),
        slice_bn(bn1, keep),
        slice_conv(conv2, in_idx=keep),
    )


def channel_prune_resnet(model, keep_fraction=None, *, fraction=None, round_to=None):
    """Copy of a ``ResNet18`` whose blocks keep ``keep_fraction`` of their inner channels.

    The channels with the largest L1 filter norms stay. Only the inner width of
    each block (conv1's filters) is pruned, the pattern of Li et al. 2017: the
    block outputs feed the shortcuts and stay as they are.

    Parameters
    ----------
    model : ResNet18 (``minprune.torchkit.models``), not modified
    keep_fraction : float in (0, 1], the share of each block's inner channels kept
    round_to : None or int >= 1
        Round each block's kept count up to a multiple of ``round_to`` (8 or 16
        suit oneDNN's channel blocks), never above the block's width; see ``keep_count``.
    """
    keep_fraction = check_keep_fraction(keep_fraction, fraction, "channel_prune_resnet")
    round_to = check_round_to(round_to, "channel_prune_resnet")
    model = copy.deepcopy(model)
    for block in model.blocks:
        keep = keep_top(l1_filter_scores(block.conv1), keep_fraction, round_to=round_to)
        block.conv1, block.bn1, block.conv2 = prune_conv_bn_conv(
            block.conv1, block.bn1, block.conv2, keep
        )
    return model
