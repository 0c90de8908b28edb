"""Checks of exercises 09 (pruning CNNs): mistakes get their hints, not the answer."""

import pytest
import torch
from topic_checks import hint, master, run
from torch import nn

from minprune.torchkit import l1_filter_scores
from minprune_course import checks_09 as c

M = master("09")
OWN_WORK = "switched off while it runs"


def scores_per_input_channel(conv):
    return conv.weight.detach().abs().sum(dim=(0, 2, 3))


def scores_l2(conv):
    return conv.weight.detach().pow(2).sum(dim=(1, 2, 3)).sqrt()


def scores_signed(conv):
    return conv.weight.detach().sum(dim=(1, 2, 3))


def scores_numpy(conv):
    return M.filter_scores(conv).numpy()


def conv2_untouched(conv1, bn1, conv2, keep):
    new1, new_bn, _ = M.prune_conv_bn_conv(conv1, bn1, conv2, keep)
    return new1, new_bn, conv2


def fresh_batchnorm(conv1, bn1, conv2, keep):
    new1, new_bn, new2 = M.prune_conv_bn_conv(conv1, bn1, conv2, keep)
    return new1, nn.BatchNorm2d(len(keep)).to(new_bn.weight.dtype), new2


def statistics_reset(conv1, bn1, conv2, keep):
    new1, new_bn, new2 = M.prune_conv_bn_conv(conv1, bn1, conv2, keep)
    new_bn.running_mean.zero_()
    new_bn.running_var.fill_(1.0)
    return new1, new_bn, new2


def fc_columns_strided(conv, bn, fc, keep):
    new_conv, new_bn, new_fc = M.prune_conv_bn_linear(conv, bn, fc, keep)
    keep = torch.as_tensor(keep, dtype=torch.long)
    hw = fc.in_features // conv.out_channels
    cols = torch.cat([keep + conv.out_channels * p for p in range(hw)])
    with torch.no_grad():
        new_fc.weight.copy_(fc.weight[:, cols])
    return new_conv, new_bn, new_fc


def fc_untouched(conv, bn, fc, keep):
    new_conv, new_bn, _ = M.prune_conv_bn_linear(conv, bn, fc, keep)
    return new_conv, new_bn, fc


def penalty_signed(model, lam):
    return lam * sum(m.weight.sum() for m in model.modules() if isinstance(m, nn.BatchNorm2d))


def penalty_detached(model, lam):
    return M.slimming_penalty(model, lam).detach()


def penalty_float(model, lam):
    return M.slimming_penalty(model, lam).item()


WRONG = [
    # with as many input channels as filters only the values differ
    (
        c.check_filter_scores,
        scores_per_input_channel,
        ("one score per input channel", "values differ at"),
    ),
    (c.check_filter_scores, scores_l2, "this is the L2 norm; the score is the sum of |w|"),
    (c.check_filter_scores, scores_signed, "sum the absolute values |w|"),
    (c.check_filter_scores, scores_numpy, "is a ndarray; expected a torch tensor"),
    (c.check_prune_conv_bn_conv, conv2_untouched, "it must lose the input channels"),
    (c.check_prune_conv_bn_conv, fresh_batchnorm, "a cut BatchNorm keeps its scales"),
    (c.check_prune_conv_bn_conv, statistics_reset, "a cut BatchNorm keeps its scales"),
    (c.check_prune_conv_bn_linear, fc_columns_strided, "flatten orders a (channels, h, w) map"),
    (c.check_prune_conv_bn_linear, fc_untouched, "kept channels x"),
    (c.check_slimming_penalty, penalty_signed, "take |gamma|; negative scales must add"),
    (c.check_slimming_penalty, penalty_detached, "returned a tensor without a gradient"),
    (c.check_slimming_penalty, penalty_float, "returned a float; expected a torch tensor"),
]


@pytest.mark.parametrize(
    ("check", "answer", "text"),
    [pytest.param(*w, id=f"{w[0].__name__}-{w[1].__name__}") for w in WRONG],
)
def test_a_wrong_answer_gets_its_hint(check, answer, text):
    """A usual mistake fails, on the hidden battery, with the hint that names it."""
    texts = text if isinstance(text, tuple) else (text,)
    with pytest.raises(AssertionError, match="|".join(hint(t) for t in texts)):
        run(check, answer, hidden=True)


def test_calling_minprune_is_switched_off():
    """An answer that calls minprune.torchkit's filter scores fails and is told why."""
    with pytest.raises(AssertionError, match=OWN_WORK):
        run(c.check_filter_scores, lambda conv: l1_filter_scores(conv))


def test_a_wrong_score_does_not_show_the_right_one():
    """Slightly wrong scores fail without the hint giving the expected values."""
    right = []

    def wrong(conv):
        right.append(M.filter_scores(conv))
        return right[-1] * 1.01

    with pytest.raises(AssertionError) as info:
        run(c.check_filter_scores, wrong)
    message = str(info.value)
    assert all(f"{float(v):.4g}" not in message for v in right[-1]), message
