"""Properties of topic 11's exercise checks that tests/test_exercises.py cannot state."""

import numpy as np
import pytest
import torch
from topic_checks import always_equal, liar, master

import minprune.torchkit as tk
from minprune_course.exercises import t11_conv_macs, t11_predict, t11_timing

M = master("11")


def test_a_wrong_count_shows_the_answers_number_not_the_right_one():
    """A count one off fails naming the answer's number, never the expected one."""
    right = []

    def one_more(conv, height, width):
        right.append(M.conv_macs(conv, height, width))
        return right[-1] + 1

    with pytest.raises(AssertionError) as info:
        t11_conv_macs.check(one_more)
    assert f"returned {right[-1] + 1}," in str(info.value)
    assert f"returned {right[-1]}," not in str(info.value)


def test_an_answer_that_changes_the_layer_in_place_fails():
    """conv is left as it was: zeroing its weights in place fails."""

    def zeroes_weights(conv, height, width):
        with torch.no_grad():
            conv.weight.zero_()
        return M.conv_macs(conv, height, width)

    with pytest.raises(AssertionError, match="in place"):
        t11_conv_macs.check(zeroes_weights)


def test_timing_is_exact_whatever_the_machine_does():
    """The virtual clock makes a real sleep inside fn invisible: the right answer still passes."""
    import time

    def sleepy(fn, *args, **kwargs):
        time.sleep(0.001)  # real time passes; the check's clock does not move
        return M.time_fn(fn, *args, **kwargs)

    t11_timing.check(sleepy, hidden=True)


def test_predict_is_fair_on_every_seed():
    """Every case the check draws, on 30 seeds, is one of the 12 architectures of WIDTHS x SIDES,
    and on each of those more than half of the multiply-adds remain, with a margin of at least
    0.05: counts are whole numbers, the same on every CPU, so the truth is the same on every seed."""
    grid = {(w, side) for w in t11_predict.WIDTHS for side in t11_predict.SIDES}
    for seed in range(30):
        assert set(t11_predict.cases(np.random.default_rng(seed), hidden=True)) <= grid
    for w, side in sorted(grid):
        dense, pruned = t11_predict.measure(w, side)
        assert pruned / dense > 0.55, (w, side, dense, pruned)
        assert t11_predict.truth(dense, pruned) == "more than half"


def test_predict_counts_depend_on_the_architecture_alone():
    """The cached count is what count_macs gives for other weights of the same architecture."""
    torch.manual_seed(123)
    model = tk.ResNet18(widths=(8, 16, 32, 64), num_classes=10).eval()
    x = torch.zeros(1, 3, 32, 32)
    cut = tk.channel_prune_resnet(model, keep_fraction=0.5)
    assert t11_predict.measure(8, 32) == (tk.count_macs(model, x), tk.count_macs(cut, x))


def test_predict_inner_convolutions_keep_exactly_half():
    """The mechanism the hints name: the blocks' conv1 and conv2 each keep exactly half their
    weights (and so their multiply-adds): pruned = untouched + inner / 2, dense = untouched + inner."""
    model, _ = t11_predict.network(12, 48)
    pruned = tk.channel_prune_resnet(model, keep_fraction=0.5)
    for dense_block, cut_block in zip(model.blocks, pruned.blocks):
        for name in ("conv1", "conv2"):
            dense_conv, cut_conv = getattr(dense_block, name), getattr(cut_block, name)
            assert 2 * cut_conv.weight.numel() == dense_conv.weight.numel()


def test_predict_rejects_a_lying_answer():
    """An object that claims to equal anything is not one of the three phrases."""
    with pytest.raises(AssertionError, match="'less than half', 'half' or 'more than half'"):
        t11_predict.check(always_equal)
    with pytest.raises(AssertionError):
        t11_predict.check(liar(lambda: "more than half"))


def test_predict_explains_with_the_measured_counts():
    """A wrong choice is told the multiply-adds the check counted and why."""
    with pytest.raises(
        AssertionError, match=r"multiply-adds, [\d,]+ after the cut \(0\.\d+ of them\)"
    ):
        t11_predict.check(lambda: "half")
