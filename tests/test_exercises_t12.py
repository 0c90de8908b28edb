"""Properties of topic 12's exercise checks that tests/test_exercises.py cannot state."""

import copy
import re

import numpy as np
import pytest
import torch
from exercise_answers import _t12 as answers
from exercise_answers import t12_pareto as pareto_answers
from topic_checks import always_equal, liar

from minprune.torchkit import DigitsCNN
from minprune_course import checks
from minprune_course.exercises import (
    t12_accuracy,
    t12_macs,
    t12_pareto,
    t12_predict,
    t12_report,
    t12_speedup,
)


@pytest.mark.parametrize("module", [t12_accuracy, t12_macs, t12_speedup], ids=lambda m: m.__name__)
def test_a_compress_left_unanswered_is_not_answered_yet(module):
    """The run cell leaves compressed = None for the stub: each part says not answered yet."""
    with pytest.raises(AssertionError, match=checks.NOT_ANSWERED):
        module.check(None)


@pytest.mark.parametrize("args", [(None, None), ("model", None)], ids=["both", "report"])
def test_a_report_left_unanswered_is_not_answered_yet(args):
    """A report of None (or a model and no report) says not answered yet."""
    compressed = answers.solved()[0] if args[0] == "model" else None
    with pytest.raises(AssertionError, match=checks.NOT_ANSWERED):
        t12_report.check(compressed, args[1])


def test_the_checks_never_call_the_learners_module():
    """Only widths and state_dict are read: a DigitsCNN whose forward raises is judged alike."""

    def raising(x):
        raise RuntimeError("the check ran the learner's module")

    model = copy.deepcopy(answers.solved()[0])
    model.forward = raising
    t12_accuracy.check(model, hidden=True)


def test_a_slow_model_fails_with_the_speed_hint_and_no_measured_number():
    """A wider model than the baseline is slower: the hint names the layers, not a time."""
    with pytest.raises(AssertionError, match="not always less time") as info:
        t12_speedup.check(DigitsCNN((48, 96)).eval())
    assert "x faster than the baseline on the CPU (interleaved" in str(info.value)
    shown = re.findall(r"\d+\.\d+", str(info.value).replace("1.5x", ""))
    assert not shown, f"the hint shows a measured number: {info.value}"


def test_a_wrong_count_shows_the_claim_not_the_recomputed_one():
    """A report one parameter off names the claimed count, never the model's."""
    compressed, report = answers.solved()
    with pytest.raises(AssertionError, match="is not what the compressed model has") as info:
        t12_report.check(compressed, {**report, "params": report["params"] + 1})
    assert str(report["params"] + 1) in str(info.value)
    assert str(report["params"]) + " " not in str(info.value)


def test_a_pareto_left_unanswered_is_not_answered_yet():
    """A report of None says not answered yet for the trade-off curve too."""
    with pytest.raises(AssertionError, match=checks.NOT_ANSWERED):
        t12_pareto.check(None, None)
    with pytest.raises(AssertionError, match=checks.NOT_ANSWERED):
        t12_pareto.check(answers.solved()[0], None)


def test_five_points_at_one_width_are_one_point():
    """The same width listed five times is one operating point, not five."""
    with pytest.raises(AssertionError, match=re.escape(t12_pareto.MISTAKES["too_few_points"])):
        t12_pareto.check(*pareto_answers.same_width_five_times())


def test_the_master_curve_has_what_the_capstone_asks():
    """The master reports 5 widths of L1 pruning, a random control at 3 of them, 3 seeds each,
    and hands in one of its L1 models."""
    compressed, report = answers.solved()
    own = {tuple(p["widths"]) for p in report["pareto"] if p["method"] == "l1"}
    control = {tuple(p["widths"]) for p in report["pareto"] if p["method"] == "random"}
    assert len(own) >= 5 and len(control) >= 3 and control <= own
    assert all(len(p["accuracies"]) >= 3 for p in report["pareto"])
    assert (compressed.conv1.out_channels, compressed.conv2.out_channels) in own


def test_predict_is_fair_on_every_seed():
    """On every CNN the check draws, masks lower exactly nonzeros and bytes_sparse: the other
    three counts stay equal to the byte (shapes and float32 storage, the same on every CPU)."""
    for seed in range(30):
        for case in t12_predict.cases(np.random.default_rng(seed), hidden=True):
            dense, masked = t12_predict.measured(*case)
            assert {k for k in dense if masked[k] < dense[k]} == {"nonzeros", "bytes_sparse"}
            assert all(masked[k] == dense[k] for k in ("params", "macs", "bytes_on_disk"))


def test_predict_rejects_a_lying_answer():
    """An object that claims to equal anything is not a list of names."""
    with pytest.raises(AssertionError, match="list of names"):
        t12_predict.check(always_equal)
    with pytest.raises(AssertionError):
        t12_predict.check(liar(lambda: ["nonzeros", "bytes_sparse"]))


def test_predict_explains_with_the_measured_counts():
    """A wrong prediction is told the counts the check measured and why."""
    with pytest.raises(AssertionError, match=r"macs went from ([\d,]+) to \1: macs counts"):
        t12_predict.check(lambda: ["nonzeros", "bytes_sparse", "macs"])


def test_predict_leaves_torch_global_generator_alone():
    """Measuring draws from its own generator: the learner's torch.manual_seed still holds."""
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    t12_predict.measured((4, 8), 0.5, 0)
    assert torch.equal(torch.rand(3), expected)
