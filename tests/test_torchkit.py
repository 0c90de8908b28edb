"""Tests of minprune.torchkit's shared pieces: models, counting, 2:4 masks, channel surgery."""

import copy
import subprocess
import sys

import pytest
import torch
import torch.nn.utils.prune
from torch import nn

import minprune.torchkit as tk


def test_import_minprune_alone_does_not_import_torch():
    """`import minprune` stays NumPy-only; torch comes in with minprune.torchkit."""
    code = "import sys, minprune; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_resnet18_has_torchvisions_parameter_count():
    """ResNet-18 written out here has the 11,689,512 parameters of torchvision's resnet18."""
    assert tk.count_parameters(tk.resnet18()) == 11_689_512


def test_count_macs_of_a_linear_layer_is_in_times_out():
    """A Linear(in, out) costs in * out multiply-adds per sample, whatever the batch."""
    model = nn.Sequential(nn.Linear(7, 5), nn.ReLU(), nn.Linear(5, 3))
    assert tk.count_macs(model, torch.randn(4, 7)) == 7 * 5 + 5 * 3


def test_count_macs_rejects_an_unbatched_input():
    """count_macs needs a batch dimension and says so."""
    with pytest.raises(ValueError, match="batched"):
        tk.count_macs(nn.Linear(3, 2), torch.randn(3))


def test_count_nonzeros_reads_torch_prune_masks():
    """Under torch.nn.utils.prune, count_nonzeros counts the masked weight, not weight_orig."""
    torch.manual_seed(0)
    layer = nn.Linear(10, 10, bias=False)
    torch.nn.utils.prune.l1_unstructured(layer, "weight", amount=0.3)
    assert tk.count_nonzeros(layer) == 70


@pytest.mark.parametrize("shape", [(4, 8), (16, 32), (3, 12)])
def test_mask_2to4_keeps_the_two_largest_of_every_four(shape):
    """Each group of 4 keeps exactly its 2 largest magnitudes."""
    torch.manual_seed(1)
    W = torch.randn(shape)
    mask = tk.mask_2to4(W)
    groups, kept = W.abs().reshape(-1, 4), mask.reshape(-1, 4)
    assert torch.all(kept.sum(dim=1) == 2)
    smallest_kept = torch.where(kept.bool(), groups, torch.inf).min(dim=1).values
    largest_dropped = torch.where(kept.bool(), -torch.inf, groups).max(dim=1).values
    assert torch.all(smallest_kept >= largest_dropped)
    assert tk.is_2to4(W * mask) and not tk.is_2to4(W)


def test_mask_2to4_breaks_ties_towards_the_earlier_entry():
    """Equal magnitudes keep the earlier columns: the mask is deterministic."""
    mask = tk.mask_2to4(torch.tensor([[1.0, -1.0, 1.0, 1.0]]))
    assert mask.tolist() == [[1.0, 1.0, 0.0, 0.0]]


def test_mask_2to4_rejects_widths_not_divisible_by_four():
    """A row must split into groups of 4."""
    with pytest.raises(ValueError, match="multiple of 4"):
        tk.mask_2to4(torch.randn(2, 6))


def test_keep_top_keeps_the_highest_scores_with_stable_ties():
    """keep_top returns the round(keep_fraction * n) best indices, ties to the lower index, sorted."""
    scores = torch.tensor([0.5, 2.0, 0.5, 3.0, 0.5])
    assert tk.keep_top(scores, keep_fraction=0.6).tolist() == [0, 1, 3]
    assert tk.keep_top(scores, 0.6).tolist() == [0, 1, 3]


@pytest.mark.parametrize("keep_fraction", [0.0, 1.5, 1])
def test_keep_top_rejects_bad_fractions(keep_fraction):
    """keep_fraction is a float in (0, 1]."""
    with pytest.raises(
        ValueError, match=r"keep_fraction=.* must be a float in \(0, 1\], the share"
    ):
        tk.keep_top(torch.ones(4), keep_fraction)


@pytest.mark.parametrize(
    ("function", "args"),
    [
        (tk.keep_top, lambda: (torch.ones(4),)),
        (tk.channel_prune_resnet, lambda: (tk.ResNet18(widths=(4, 4, 4, 4), num_classes=2),)),
        (tk.slimming_keep, lambda: (tk.DigitsCNN(),)),
    ],
)
def test_the_old_spelling_fraction_names_keep_fraction(function, args):
    """fraction= once meant the share kept here; it is refused with the name to use instead."""
    with pytest.raises(TypeError, match=r"got fraction=0.5; .* keep_fraction=0.5\)"):
        function(*args(), fraction=0.5)


def test_slice_conv_takes_filters_and_input_channels_in_the_order_given():
    """slice_conv(conv, out_idx, in_idx) holds weight[out_idx][:, in_idx] and bias[out_idx]."""
    conv = nn.Conv2d(5, 6, 3, stride=2, padding=1).double()
    new = tk.slice_conv(conv, out_idx=[4, 1], in_idx=torch.tensor([0, 3, 2]))
    torch.testing.assert_close(new.weight, conv.weight[[4, 1]][:, [0, 3, 2]])
    torch.testing.assert_close(new.bias, conv.bias[[4, 1]])
    assert (new.stride, new.padding, new.weight.dtype) == ((2, 2), (1, 1), torch.float64)


def test_slice_bn_keeps_the_statistics_of_the_kept_channels():
    """slice_bn copies scale, shift, running mean and variance of channels idx, and the mode."""
    bn = nn.BatchNorm2d(4, eps=1e-3).eval()
    with torch.no_grad():
        for t in (bn.weight, bn.bias, bn.running_mean, bn.running_var):
            t.copy_(torch.arange(4.0) + 1)
    new = tk.slice_bn(bn, [3, 0])
    for name in ("weight", "bias", "running_mean", "running_var"):
        assert getattr(new, name).tolist() == [4.0, 1.0]
    assert new.eps == 1e-3 and not new.training


@pytest.mark.parametrize(
    ("keep", "error", "match"),
    [
        ([], ValueError, r"keep is empty: removing all 4 output channels of conv1 leaves no layer"),
        ([0, 4], ValueError, r"keep holds index 4 outside \[0, 4\), the indices of the 4 output"),
        (torch.tensor([2, 2]), ValueError, "keep holds index 2 twice"),
        (torch.tensor([0.0, 1.0]), TypeError, "got float32 values such as 0.0"),
        (torch.tensor([True, False, True, True]), TypeError, "got a boolean mask"),
    ],
)
def test_prune_conv_bn_conv_rejects_bad_keeps(keep, error, match):
    """Each bad keep-list is refused, naming keep, what came and which indices fit."""
    conv1, bn1, conv2 = nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Conv2d(4, 2, 3)
    with pytest.raises(error, match=match):
        tk.prune_conv_bn_conv(conv1, bn1, conv2, keep)


def _zero_filters(conv, bn, drop):
    """The masked baseline: zero dropped filters and their BatchNorm scale and shift."""
    with torch.no_grad():
        conv.weight[drop] = 0
        bn.weight[drop] = 0
        bn.bias[drop] = 0


def test_prune_conv_bn_conv_matches_the_masked_network():
    """Removing filters (conv, BN, next conv's inputs) gives the masked network's outputs."""
    torch.manual_seed(2)
    conv1, bn1, conv2 = nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.Conv2d(8, 4, 3)
    with torch.no_grad():
        bn1.running_mean.uniform_(-1, 1)
        bn1.running_var.uniform_(0.5, 2)
    keep = torch.tensor([0, 2, 5, 7])
    drop = torch.tensor([1, 3, 4, 6])
    masked = nn.Sequential(
        copy.deepcopy(conv1), copy.deepcopy(bn1), nn.ReLU(), copy.deepcopy(conv2)
    )
    _zero_filters(masked[0], masked[1], drop)
    with torch.no_grad():  # a zeroed filter's conv bias goes too: the channel is then 0
        masked[0].bias[drop] = 0
    c1, b1, c2 = tk.prune_conv_bn_conv(conv1, bn1, conv2, keep)
    shrunk = nn.Sequential(c1, b1, nn.ReLU(), c2).eval()
    x = torch.randn(2, 3, 9, 9)
    assert torch.allclose(shrunk(x), masked.eval()(x), atol=1e-6)
    assert (c1.out_channels, b1.num_features, c2.in_channels) == (4, 4, 4)


def test_channel_pruned_resnet_equals_the_masked_resnet():
    """channel_prune_resnet's outputs equal ResNet-18 with the same inner filters zeroed."""
    torch.manual_seed(3)
    dense = tk.ResNet18(widths=(8, 16, 16, 32), num_classes=5).eval()
    pruned = tk.channel_prune_resnet(dense, keep_fraction=0.5).eval()
    masked = copy.deepcopy(dense)
    for block in masked.blocks:
        keep = tk.keep_top(tk.l1_filter_scores(block.conv1), 0.5)
        drop = torch.ones(block.conv1.out_channels, dtype=torch.bool)
        drop[keep] = False
        _zero_filters(block.conv1, block.bn1, drop)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(pruned(x), masked(x), atol=1e-5)
    assert tk.count_parameters(pruned) < tk.count_parameters(dense)


def test_benchmark_returns_a_positive_median():
    """benchmark times a call and reports seconds per call with a spread."""
    t = tk.benchmark(torch.mm, torch.randn(16, 16), torch.randn(16, 16), min_run_time=0.05)
    assert t.median > 0 and t.iqr >= 0 and t.n >= 1


def test_cuda_event_time_refuses_without_a_gpu():
    """cuda_event_time needs CUDA and says to use benchmark() otherwise."""
    if torch.cuda.is_available():
        pytest.skip("a GPU is present: the refusal cannot be observed")
    with pytest.raises(RuntimeError, match="benchmark"):
        tk.cuda_event_time(torch.mm, torch.randn(2, 2), torch.randn(2, 2))


def test_fit_learns_a_separable_problem_and_is_seeded():
    """fit trains to high accuracy, and the same seeds give the same weights."""

    def run():
        torch.manual_seed(0)
        X = torch.randn(200, 2)
        y = (X[:, 0] > 0).long()
        model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
        tk.fit(model, X, y, epochs=20, lr=0.1, seed=1)
        return model, tk.accuracy(model, X, y)

    (m1, acc), (m2, _) = run(), run()
    assert acc > 0.95
    assert all(torch.equal(a, b) for a, b in zip(m1.parameters(), m2.parameters()))


def test_fit_rejects_a_bad_epoch_count():
    """epochs is an int >= 1."""
    with pytest.raises(ValueError, match="epochs"):
        tk.fit(nn.Linear(2, 2), torch.randn(4, 2), torch.zeros(4, dtype=torch.long), epochs=0)


def test_prune_conv_bn_conv_keeps_dtype_and_mode():
    """Surgery returns layers of the originals' dtype, and BatchNorm in the original's mode."""
    conv1, bn1 = nn.Conv2d(1, 4, 3).double(), nn.BatchNorm2d(4).double().eval()
    c1, b1, c2 = tk.prune_conv_bn_conv(conv1, bn1, nn.Conv2d(4, 2, 3).double(), [0, 2])
    assert c1.weight.dtype == b1.weight.dtype == c2.weight.dtype == torch.float64
    assert not b1.training


@pytest.mark.parametrize(
    "n, keep_fraction, round_to, expected",
    [
        (64, 0.3, None, 19),
        (64, 0.3, 8, 24),
        (64, 0.3, 16, 32),
        (512, 0.3, 16, 160),
        (64, 0.5, 16, 32),  # already a multiple: unchanged
        (64, 0.01, 16, 16),  # never below round_to
        (60, 0.95, 16, 60),  # never above the original width, a multiple or not
        (10, 0.5, 16, 10),  # a layer narrower than round_to keeps all it has
        (37, 0.5, 1, 18),  # round_to=1 changes nothing
    ],
)
def test_keep_count_rounds_up_to_a_multiple_within_the_width(n, keep_fraction, round_to, expected):
    """keep_count rounds round(keep_fraction * n) up to a multiple of round_to, in [round_to, n]."""
    assert tk.keep_count(n, keep_fraction, round_to) == expected


@pytest.mark.parametrize("round_to", [0, -8, 8.0, "16", True])
def test_round_to_rejects_what_is_not_a_positive_int(round_to):
    """round_to must be None or an int >= 1; the message names it and what arrived."""
    for call in (
        lambda: tk.keep_count(64, 0.5, round_to),
        lambda: tk.keep_top(torch.ones(64), 0.5, round_to=round_to),
        lambda: tk.channel_prune_resnet(
            tk.ResNet18(widths=(8, 8, 8, 8), num_classes=2), 0.5, round_to=round_to
        ),
    ):
        with pytest.raises(ValueError, match=rf"round_to={round_to!r}.*None or a whole number"):
            call()


def test_keep_count_rejects_a_bad_width():
    """n must be a whole number >= 1."""
    with pytest.raises(ValueError, match=r"n=0 must be a whole number"):
        tk.keep_count(0, 0.5)


def test_keep_top_with_round_to_keeps_the_best_scores_of_the_rounded_count():
    """keep_top(round_to=8) keeps the 8 highest of 20 scores where round(0.3 * 20) = 6 alone."""
    scores = torch.arange(20.0).flip(0)  # index 0 scores highest
    assert tk.keep_top(scores, 0.3).tolist() == list(range(6))
    assert tk.keep_top(scores, 0.3, round_to=8).tolist() == list(range(8))


def test_channel_prune_resnet_rounds_every_inner_width_to_the_multiple():
    """With round_to=16, ResNet-18's inner widths at keep 0.3 are 32, 48, 80, 160 (not 19, 38, 77, 154)."""
    dense = tk.resnet18(num_classes=10).eval()
    plain = tk.channel_prune_resnet(dense, keep_fraction=0.3)
    rounded = tk.channel_prune_resnet(dense, keep_fraction=0.3, round_to=16)
    assert [b.conv1.out_channels for b in plain.blocks] == [19, 19, 38, 38, 77, 77, 154, 154]
    assert [b.conv1.out_channels for b in rounded.blocks] == [32, 32, 48, 48, 80, 80, 160, 160]
    assert all(b.conv2.in_channels == b.conv1.out_channels for b in rounded.blocks)


def test_channel_prune_resnet_round_to_keeps_a_superset_of_the_plain_choice():
    """Rounding up adds the next-best channels: the plain keep-list is inside the rounded one, and
    the rounded network equals the dense one with the other inner filters zeroed."""
    torch.manual_seed(4)
    dense = tk.ResNet18(widths=(8, 16, 16, 32), num_classes=5).eval()
    pruned = tk.channel_prune_resnet(dense, keep_fraction=0.3, round_to=4).eval()
    masked = copy.deepcopy(dense)
    for block in masked.blocks:
        scores = tk.l1_filter_scores(block.conv1)
        keep = tk.keep_top(scores, 0.3, round_to=4)
        assert set(tk.keep_top(scores, 0.3).tolist()) <= set(keep.tolist())
        assert len(keep) % 4 == 0
        drop = torch.ones(block.conv1.out_channels, dtype=torch.bool)
        drop[keep] = False
        _zero_filters(block.conv1, block.bn1, drop)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(pruned(x), masked(x), atol=1e-5)
