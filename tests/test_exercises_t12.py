"""Properties of topic 12's exercise checks that tests/test_exercises.py cannot state."""

import copy
import re

import pytest
from exercise_answers import _t12 as answers

from minprune.torchkit import DigitsCNN
from minprune_course import checks
from minprune_course.exercises import t12_accuracy, t12_macs, t12_report, t12_speedup


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
