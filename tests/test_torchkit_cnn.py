"""Filter surgery, masks, Network Slimming and sensitivity on the digits CNN."""

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from minprune.torchkit.cnn import (  # noqa: E402
    filter_sensitivity,
    mask_filters,
    nonzero_macs,
    prune_filters,
    prune_last_conv_into_linear,
    slimming_keep,
    slimming_penalty,
)
from minprune.torchkit.counting import count_macs, count_parameters  # noqa: E402
from minprune.torchkit.models import DigitsCNN  # noqa: E402
from minprune.torchkit.surgery import bn_scale_scores, keep_top, l1_filter_scores  # noqa: E402

C1, C2 = 12, 20


def model(seed=0, channels=(C1, C2)):
    """A DigitsCNN in eval mode with random BatchNorm scales, shifts and statistics."""
    torch.manual_seed(seed)
    m = DigitsCNN(channels)
    with torch.no_grad():
        for bn in (m.bn1, m.bn2):
            bn.weight.normal_()
            bn.bias.normal_()
            bn.running_mean.normal_()
            bn.running_var.uniform_(0.5, 2.0)
    return m.eval()


def images(n=16, seed=1):
    return torch.randn(n, 1, 8, 8, generator=torch.Generator().manual_seed(seed))


def random_keep(n, k, seed):
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed))[:k]


def expected_parameters(k1, k2, classes=10):
    """conv1 + bn1 + conv2 + bn2 + fc of a DigitsCNN with k1 and k2 channels."""
    return k1 * 9 + 2 * k1 + k2 * k1 * 9 + 2 * k2 + classes * k2 * 16 + classes


@pytest.mark.parametrize("k1, k2", [(1, 1), (3, 7), (6, 10), (C1, C2), (C1, 1)])
def test_shrunk_outputs_equal_masked_outputs(k1, k2):
    """In eval mode the shrunk model computes the masked model's outputs."""
    m = model()
    keep1, keep2 = random_keep(C1, k1, 2), random_keep(C2, k2, 3)
    x = images()
    with torch.no_grad():
        shrunk = prune_filters(m, keep1, keep2)(x)
        masked = mask_filters(m, keep1, keep2)(x)
    torch.testing.assert_close(shrunk, masked, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("k1, k2", [(1, 1), (3, 7), (C1, C2)])
def test_parameter_count_is_exact(k1, k2):
    """The shrunk model has exactly the parameters of a DigitsCNN with k1 and k2 channels."""
    shrunk = prune_filters(model(), random_keep(C1, k1, 4), random_keep(C2, k2, 5))
    assert count_parameters(shrunk) == expected_parameters(k1, k2)
    assert count_parameters(shrunk) == count_parameters(DigitsCNN((k1, k2)))


def test_shrunk_shapes():
    """conv1, bn1, conv2, bn2 and fc shrink to the kept channels (fc by 16 columns each)."""
    s = prune_filters(model(), [0, 5, 7], [1, 2, 3, 4])
    assert s.conv1.weight.shape == (3, 1, 3, 3)
    assert s.bn1.running_mean.shape == (3,)
    assert s.conv2.weight.shape == (4, 3, 3, 3)
    assert s.bn2.running_var.shape == (4,)
    assert s.fc.weight.shape == (10, 4 * 16)


def test_fc_keeps_each_channels_block_of_columns():
    """Channel j of conv2 owns fc columns 16*j ... 16*j + 15, in order."""
    m = model()
    s = prune_filters(m, None, [2, 5])
    W = m.fc.weight.detach()
    torch.testing.assert_close(s.fc.weight.detach(), torch.cat([W[:, 32:48], W[:, 80:96]], 1))
    torch.testing.assert_close(s.fc.bias.detach(), m.fc.bias.detach())


def test_keep_order_does_not_matter():
    """An unsorted keep list gives the same model as the sorted one."""
    m, x = model(), images()
    a = prune_filters(m, [7, 0, 3], [9, 1])(x)
    b = prune_filters(m, [0, 3, 7], [1, 9])(x)
    torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_keep_all_changes_nothing():
    """Keeping every channel reproduces the original outputs."""
    m, x = model(), images()
    torch.testing.assert_close(prune_filters(m)(x), m(x), rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(mask_filters(m)(x), m(x), rtol=0, atol=0)


def test_original_model_is_not_modified():
    """prune_filters and mask_filters work on copies."""
    m = model()
    before = copy.deepcopy(m.state_dict())
    prune_filters(m, [0, 1], [2, 3])
    mask_filters(m, [0, 1], [2, 3])
    for key, value in m.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_shrunk_model_keeps_the_training_mode():
    """A model pruned in eval mode is returned in eval mode, and likewise for train."""
    m = model()
    assert not prune_filters(m, [0], [0]).training
    m.train()
    s = prune_filters(m, [0], [0])
    assert s.training and s.conv2.training and s.fc.training


def test_zeroing_the_filter_alone_leaves_batchnorm_shift():
    """Zeroing only the conv filter does not silence the channel: BatchNorm adds its shift."""
    m, x = model(), images()
    keep1 = torch.tensor([0, 1, 2])
    partial = copy.deepcopy(m)
    with torch.no_grad():
        partial.conv1.weight[3:] = 0
        diff = (partial(x) - prune_filters(m, keep1, None)(x)).abs().max()
    assert diff > 1e-2


def test_masked_channels_output_zero_after_batchnorm():
    """A masked channel is exactly 0 after bn1 in eval mode."""
    m = mask_filters(model(), [0, 1], None)
    with torch.no_grad():
        out = m.bn1(m.conv1(images()))
    assert torch.count_nonzero(out[:, 2:]) == 0


def test_prune_last_conv_into_linear_matches_masking():
    """conv-BN-fc surgery on a bare conv gives the outputs of a zeroed channel."""
    torch.manual_seed(0)
    conv, bn, fc = (
        torch.nn.Conv2d(3, 6, 3, padding=1),
        torch.nn.BatchNorm2d(6),
        torch.nn.Linear(6 * 25, 4),
    )
    with torch.no_grad():
        bn.weight.normal_()
        bn.bias.normal_()
        bn.running_mean.normal_()
    bn.eval()
    keep = [1, 4]
    new_conv, new_bn, new_fc = prune_last_conv_into_linear(conv, bn, fc, keep)
    x = torch.randn(5, 3, 5, 5)
    with torch.no_grad():
        shrunk = new_fc(torch.flatten(torch.relu(new_bn(new_conv(x))), 1))
        mask = torch.zeros(6, 1, 1)
        mask[keep] = 1
        masked = fc(torch.flatten(torch.relu(bn(conv(x))) * mask, 1))
    torch.testing.assert_close(shrunk, masked, rtol=1e-5, atol=1e-6)
    assert new_conv.bias.shape == (2,)


def test_torch_pruning_same_keep_sets_same_model():
    """Torch-Pruning's dependency graph, given our keep sets, builds the same model."""
    tp = pytest.importorskip("torch_pruning")
    m, x = model(), images()
    keep1, keep2 = (
        keep_top(l1_filter_scores(m.conv1), 0.5),
        keep_top(l1_filter_scores(m.conv2), 0.3),
    )
    ours = prune_filters(m, keep1, keep2)
    theirs = copy.deepcopy(m)
    graph = tp.DependencyGraph().build_dependency(theirs, example_inputs=x[:1])
    for conv, keep in ((theirs.conv1, keep1), (theirs.conv2, keep2)):
        drop = sorted(set(range(conv.out_channels)) - set(keep.tolist()))
        graph.get_pruning_group(conv, tp.prune_conv_out_channels, idxs=drop).prune()
    theirs.eval()
    assert count_parameters(theirs) == count_parameters(ours)
    with torch.no_grad():
        torch.testing.assert_close(theirs(x), ours(x), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("ratio", [0.25, 0.5, 0.75])
def test_torch_pruning_magnitude_pruner_same_parameter_count(ratio):
    """MagnitudePruner at one ratio per layer leaves as many parameters as keep_top + surgery."""
    tp = pytest.importorskip("torch_pruning")
    m = model()
    ours = prune_filters(
        m,
        keep_top(l1_filter_scores(m.conv1), 1.0 - ratio),
        keep_top(l1_filter_scores(m.conv2), 1.0 - ratio),
    )
    theirs = copy.deepcopy(m)
    pruner = tp.pruner.MagnitudePruner(
        theirs,
        images(1),
        importance=tp.importance.MagnitudeImportance(p=1),
        pruning_ratio=ratio,
        ignored_layers=[theirs.fc],
    )
    pruner.step()
    assert count_parameters(theirs) == count_parameters(ours)


def test_torch_pruning_first_layer_l1_importance_keeps_our_filters():
    """With importance from the filter alone (L1, no normalising), Torch-Pruning keeps our filters."""
    tp = pytest.importorskip("torch_pruning")
    m, x = model(), images()
    ours = prune_filters(
        m, keep_top(l1_filter_scores(m.conv1), 0.5), keep_top(l1_filter_scores(m.conv2), 0.5)
    )
    theirs = copy.deepcopy(m)
    importance = tp.importance.MagnitudeImportance(p=1, group_reduction="first", normalizer=None)
    tp.pruner.MagnitudePruner(
        theirs, x[:1], importance=importance, pruning_ratio=0.5, ignored_layers=[theirs.fc]
    ).step()
    theirs.eval()
    with torch.no_grad():
        torch.testing.assert_close(theirs(x), ours(x), rtol=1e-6, atol=1e-6)


def test_slimming_penalty_value():
    """slimming_penalty is lam times the sum of |gamma| over both BatchNorms."""
    m = model()
    expected = 1e-3 * (m.bn1.weight.abs().sum() + m.bn2.weight.abs().sum())
    torch.testing.assert_close(slimming_penalty(m, 1e-3), expected)


def test_slimming_penalty_gradient_is_lam_sign_gamma():
    """Its gradient is lam * sign(gamma) on the scales and nothing elsewhere."""
    m = model()
    slimming_penalty(m, 0.5).backward()
    torch.testing.assert_close(m.bn1.weight.grad, 0.5 * torch.sign(m.bn1.weight.detach()))
    assert m.bn1.bias.grad is None and m.conv1.weight.grad is None


def test_slimming_penalty_zero_lam_is_zero():
    """lam = 0 adds nothing."""
    assert slimming_penalty(model(), 0).item() == 0.0


@pytest.mark.parametrize("lam", [-1.0, True, "0.1", None])
def test_slimming_penalty_rejects_bad_lam(lam):
    """lam must be a number >= 0."""
    with pytest.raises(ValueError, match="must be a number >= 0"):
        slimming_penalty(model(), lam)


def test_slimming_penalty_needs_batchnorm():
    """A model without BatchNorm scales has nothing to penalise."""
    with pytest.raises(ValueError, match="no BatchNorm layer"):
        slimming_penalty(torch.nn.Linear(3, 2), 0.1)


def test_bn_scale_scores_are_absolute_gammas():
    """bn_scale_scores is |gamma|."""
    m = model()
    torch.testing.assert_close(bn_scale_scores(m.bn2), m.bn2.weight.detach().abs())


def test_bn_scale_scores_rejects_non_batchnorm():
    """Only a BatchNorm with a scale has slimming scores."""
    with pytest.raises(TypeError, match="BatchNorm layer with a scale"):
        bn_scale_scores(torch.nn.BatchNorm2d(3, affine=False))


def test_slimming_keep_is_one_global_ranking():
    """slimming_keep keeps the largest |gamma| over both layers together, one per layer at least."""
    m = model()
    with torch.no_grad():
        m.bn1.weight.copy_(torch.arange(C1) * 0.01)  # all small
        m.bn2.weight.copy_(torch.arange(C2) + 1.0)  # all large
    keep1, keep2 = slimming_keep(m, keep_fraction=0.5)
    assert keep2.tolist() == list(range(C2 - 16, C2))  # the 16 = round(0.5 * 32) largest
    assert keep1.tolist() == [C1 - 1]  # and the largest of bn1: every layer keeps one


def test_slimming_keep_rejects_bad_fraction():
    """keep_fraction is a float in (0, 1]."""
    with pytest.raises(ValueError, match=r"keep_fraction=1 must be a float in \(0, 1\]"):
        slimming_keep(model(), 1)


def test_filter_sensitivity_zero_fraction_is_dense_accuracy():
    """Removing no filters gives the dense model's accuracy for both layers."""
    m, x = model(), images(64)
    y = m(x).argmax(1)  # labels the dense model gets right by construction
    result = filter_sensitivity(m, x, y, [0.0, 0.5])
    assert result["conv1"][0] == 1.0 and result["conv2"][0] == 1.0
    assert result["conv1"].shape == (2,)


def test_filter_sensitivity_random_is_seeded():
    """The random control gives the same accuracies for the same seed."""
    m, x = model(), images(64)
    y = m(x).argmax(1)
    a = filter_sensitivity(m, x, y, [0.3, 0.6], criterion="random", seed=3)
    b = filter_sensitivity(m, x, y, [0.3, 0.6], criterion="random", seed=3)
    np.testing.assert_array_equal(a["conv2"], b["conv2"])


def test_filter_sensitivity_rejects_bad_arguments():
    """criterion must be l1 or random; fractions in [0, 1)."""
    m, x = model(), images(4)
    y = torch.zeros(4, dtype=torch.long)
    with pytest.raises(ValueError, match="criterion"):
        filter_sensitivity(m, x, y, [0.5], criterion="l2")
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\)"):
        filter_sensitivity(m, x, y, [1.0])


@pytest.mark.parametrize(
    "keep1, match",
    [
        ([], rf"keep1 is empty: removing all {C1} channels of conv1 leaves no layer"),
        ([0, C1], rf"keep1 holds index {C1} outside \[0, {C1}\), the indices of the {C1} channels"),
        ([-1], r"keep1 holds index -1 outside"),
        ([1, 1], "keep1 holds index 1 twice"),
    ],
)
def test_prune_filters_rejects_bad_keep(keep1, match):
    """Empty, out-of-range and repeated keep lists are refused with a sentence."""
    with pytest.raises(ValueError, match=match):
        prune_filters(model(), keep1, None)


def test_prune_filters_rejects_float_keep():
    """A keep list of floats (a fraction passed by mistake) is refused."""
    with pytest.raises(TypeError, match="keep1 must be a 1-D list of int indices of the channels"):
        prune_filters(model(), [0.5], None)


def test_prune_filters_needs_a_digits_cnn():
    """prune_filters and mask_filters take a DigitsCNN."""
    with pytest.raises(TypeError, match="must be a DigitsCNN"):
        prune_filters(torch.nn.Linear(2, 2), [0], [0])
    with pytest.raises(TypeError, match="must be a DigitsCNN"):
        mask_filters(torch.nn.Linear(2, 2), [0], [0])


def test_prune_last_conv_into_linear_rejects_mismatched_fc():
    """fc must read the flattened conv output (in_features a multiple of its channels)."""
    conv, bn = torch.nn.Conv2d(1, 6, 3), torch.nn.BatchNorm2d(6)
    with pytest.raises(ValueError, match="not a multiple"):
        prune_last_conv_into_linear(conv, bn, torch.nn.Linear(10, 2), [0])
    with pytest.raises(TypeError, match="fc must be an nn.Linear"):
        prune_last_conv_into_linear(conv, bn, torch.nn.Conv2d(6, 2, 1), [0])
    with pytest.raises(TypeError, match="conv must be an nn.Conv2d"):
        prune_last_conv_into_linear(torch.nn.Linear(6, 6), bn, torch.nn.Linear(12, 2), [0])


def test_nonzero_macs_of_a_dense_model_equal_count_macs():
    """With no zero weights, nonzero_macs is the dense multiply-add count."""
    m = model()
    assert (
        nonzero_macs(m, images(2))
        == count_macs(m, images(2))
        == 12 * 9 * 64 + 20 * 12 * 9 * 64 + 10 * 320
    )


def test_nonzero_macs_count_only_nonzero_weights_of_masked_model():
    """Pruned weights (torch.nn.utils.prune) cost nothing: each conv weight is used 64 times per sample."""
    from torch.nn.utils import prune

    m = model()
    prune.l1_unstructured(m.conv2, "weight", amount=0.5)
    dense = count_macs(m, images(2))
    half = 20 * 12 * 9 // 2
    assert nonzero_macs(m, images(2)) == dense - (20 * 12 * 9 - half) * 64


def test_nonzero_macs_of_filter_masked_model_exceed_shrunk_model():
    """Masked filters save their own multiply-adds, but the next layer still holds their inputs."""
    m = model()
    masked, shrunk = mask_filters(m, [0, 1, 2], [0, 1]), prune_filters(m, [0, 1, 2], [0, 1])
    assert count_macs(masked, images(2)) == count_macs(m, images(2))
    assert (
        count_macs(shrunk, images(2)) < nonzero_macs(masked, images(2)) < count_macs(m, images(2))
    )


def test_nonzero_macs_rejects_unbatched_input():
    """example_input must have a batch dimension."""
    with pytest.raises(ValueError, match="batched tensor"):
        nonzero_macs(model(), torch.tensor(1.0))
