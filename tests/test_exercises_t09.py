"""Exercises 09 (pruning CNNs): what the generic tests of tests/test_exercises.py cannot say."""

import numpy as np
import pytest
import torch
from topic_checks import InProcessKernel, always_equal, assert_hidden, liar, master, perturbed

from minprune.torchkit import surgery
from minprune_course import remote
from minprune_course.exercises import (
    _t09,
    t09_conv_bn_conv,
    t09_conv_bn_linear,
    t09_filter_scores,
    t09_predict,
    t09_slimming,
)

M = master("09")
CHECKS = [
    (t09_filter_scores, "filter_scores"),
    (t09_conv_bn_conv, "prune_conv_bn_conv"),
    (t09_conv_bn_linear, "prune_conv_bn_linear"),
    (t09_slimming, "slimming_penalty"),
]


def test_a_wrong_score_does_not_show_the_right_one():
    """Slightly wrong filter scores fail without the hint giving the expected scores."""
    wrong = perturbed(M.filter_scores, lambda right: right * 1.01)
    with pytest.raises(AssertionError) as info:
        t09_filter_scores.check(wrong, hidden=True, seed=3)
    assert_hidden(str(info.value), [s.numpy() for s in wrong.expected])


def test_a_wrong_penalty_does_not_show_the_right_one():
    """A slightly wrong penalty fails without the hint giving the expected value."""
    wrong = perturbed(M.slimming_penalty, lambda right: right * 1.01)
    with pytest.raises(AssertionError) as info:
        t09_slimming.check(wrong, hidden=True, seed=3)
    lam = wrong.calls[-1][0][1]
    assert_hidden(str(info.value), [float(v.detach()) for v in wrong.expected], [f"{lam:.3g}"])


def test_the_helpers_of_the_references_are_switched_off():
    """The layer slicers the surgeries are built from are switched off with them."""
    found = _t09.references(t09_conv_bn_conv.REFERENCE)
    assert surgery.slice_conv in found and surgery.slice_bn in found

    def borrows(conv1, bn1, conv2, keep):
        surgery.slice_conv(conv1, out_idx=torch.as_tensor(keep))
        return M.prune_conv_bn_conv(conv1, bn1, conv2, keep)

    with pytest.raises(AssertionError, match="switched off"):
        t09_conv_bn_conv.check(borrows)


def _changes_conv(conv):
    with torch.no_grad():
        conv.weight.abs_()
    return conv.weight.detach().sum(dim=(1, 2, 3))


def _shrinks_conv1(conv1, bn1, conv2, keep):
    new1, new_bn, new2 = M.prune_conv_bn_conv(conv1, bn1, conv2, keep)
    conv1.weight = torch.nn.Parameter(conv1.weight.detach()[torch.as_tensor(keep)])
    return new1, new_bn, new2


def _changes_scales(model, lam):
    value = M.slimming_penalty(model, lam)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.abs_()
    return value


@pytest.mark.parametrize(
    ("module", "answer"),
    [
        (t09_filter_scores, _changes_conv),
        (t09_conv_bn_conv, _shrinks_conv1),
        (t09_slimming, _changes_scales),
    ],
)
def test_an_answer_that_changes_the_given_layers_fails(module, answer):
    """Changing the layers or the model given, not only keep, fails with "in place"."""
    with pytest.raises(AssertionError, match="in place"):
        module.check(answer)


@pytest.mark.parametrize(("module", "name"), CHECKS)
def test_a_check_leaves_torchs_random_state_alone(module, name):
    """Building layers draws from torch's generator; a check restores it, so the notebook's
    later cells compute what they would without it."""
    before = torch.get_rng_state()
    module.check(getattr(M, name), hidden=True, seed=1)
    assert torch.equal(torch.get_rng_state(), before)


@pytest.mark.parametrize(("module", "name"), CHECKS)
def test_the_master_passes_when_graded_through_plain_data(module, name, tmp_path, monkeypatch):
    """The grader calls the answer in the submission's kernel: the cases' layers and models
    cross as plain data and come back unchanged, and so do the answer's results."""
    monkeypatch.setattr(remote, "_namespace", lambda: {name: getattr(M, name)})
    answer = remote.RemoteAnswer(InProcessKernel(), tmp_path, name, module.REFERENCE)
    module.check(answer)
    for seed in range(3):
        module.check(answer, hidden=True, seed=seed)


def test_a_mistake_graded_through_plain_data_gets_its_hint(tmp_path, monkeypatch):
    """A surgery's layers read back from plain data still name the mistake they make."""
    from exercise_answers.t09_conv_bn_linear import fc_strided

    monkeypatch.setattr(remote, "_namespace", lambda: {"prune_conv_bn_linear": fc_strided})
    answer = remote.RemoteAnswer(
        InProcessKernel(), tmp_path, "prune_conv_bn_linear", t09_conv_bn_linear.REFERENCE
    )
    with pytest.raises(AssertionError, match="not every C-th column"):
        t09_conv_bn_linear.check(answer, hidden=True, seed=0)


def test_predict_is_fair_on_every_seed():
    """On every layer the check draws, |gamma| follows the strength (rank correlation above 0.99)
    and the filters' L1 norm does not (below 0.5 in magnitude): the truth is 'gamma', with a
    margin no CPU's rounding can cross."""
    for seed in range(30):
        for conv, bn, x in t09_predict.cases(np.random.default_rng(seed), hidden=True):
            rho = t09_predict.correlations(conv, bn, x)
            assert rho["gamma"] > 0.99 and abs(rho["l1"]) < 0.5, (seed, rho)
            assert t09_predict.truth(rho) == "gamma"


def test_predict_scaling_a_filter_leaves_the_strength_unchanged():
    """The mechanism the hints name: a filter scaled by 10 changes its L1 norm tenfold and its
    channel after BatchNorm (batch statistics) only through BatchNorm's epsilon."""
    conv, bn, x = next(t09_predict.cases(np.random.default_rng(0), hidden=False))
    with torch.no_grad():
        before = bn(conv(x))
        conv.weight[3] *= 10
        after = bn(conv(x))
    assert torch.allclose(before, after, atol=1e-3)


def test_predict_rejects_a_lying_answer():
    """An object that claims to equal anything is not one of the four names."""
    with pytest.raises(AssertionError, match="'l1', 'gamma', 'both' or 'neither'"):
        t09_predict.check(always_equal)
    with pytest.raises(AssertionError):
        t09_predict.check(liar(lambda: "gamma"))


def test_predict_explains_with_the_measured_correlations():
    """A wrong choice is told the rank correlations the check measured and why."""
    with pytest.raises(AssertionError, match=r"is -?[\d.]+ for the filters' L1 norm and 1\.00"):
        t09_predict.check(lambda: "both")
