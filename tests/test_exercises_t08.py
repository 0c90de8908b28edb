"""Properties of topic 08's exercise checks that the generic tests cannot state (and, at
the end, of topics 08 and 10 graded across the sandbox: both reach their answers through
``remote.asking``)."""

import importlib
import re
import sys

import numpy as np
import pytest
import torch
import torch.nn.utils.prune as prune
from topic_checks import InProcessKernel, assert_hidden, master, perturbed

from minprune_course import checks, exercises, remote
from minprune_course.exercises import t08_global_masks, t08_port, t08_threshold_method

M = master("08")


class Stub(prune.BasePruningMethod):
    """The released class: its compute_mask still raises."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, threshold):
        self.threshold = threshold

    def compute_mask(self, t, default_mask):
        raise NotImplementedError("KeepAboveThreshold: replace this line with your answer")


@pytest.mark.parametrize("hidden", [False, True])
def test_the_released_pruning_method_is_not_answered_yet(hidden):
    """A class whose compute_mask is the stub fails with "not answered yet"."""
    with pytest.raises(AssertionError, match=checks.NOT_ANSWERED):
        t08_threshold_method.check(Stub, hidden=hidden)


def _plain(value):
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    return value is None or isinstance(value, bool | str | torch.Tensor)


def test_the_pruning_method_is_probed_through_plain_data():
    """Every request the check sends the class returns plain data only (PROBE)."""
    rng = checks.case_rng(t08_threshold_method.GRADE_ID, True, 0)
    assert _plain(t08_threshold_method.probe(M.KeepAboveThreshold, "describe"))
    for request in t08_threshold_method.cases(rng, hidden=True):
        assert _plain(t08_threshold_method.probe(M.KeepAboveThreshold, *request))


def test_a_wrong_mask_does_not_show_the_right_one():
    """A mask with one entry flipped fails without the hint showing the expected masks."""

    def flip_one(masks):
        masks = [np.array(m, dtype=float) for m in masks]
        masks[0][0, 0] = 1 - masks[0][0, 0]
        return masks

    wrong = perturbed(M.global_l1_masks, flip_one)
    with pytest.raises(AssertionError) as info:
        t08_global_masks.check(wrong)
    assert_hidden(str(info.value), wrong.expected[-1])


@pytest.mark.parametrize(
    ("module", "answer"),
    [
        (t08_port, M.port_to_torch),
        (t08_threshold_method, M.KeepAboveThreshold),
        (t08_global_masks, M.global_l1_masks),
    ],
    ids=["port", "threshold_method", "global_masks"],
)
def test_a_check_leaves_torchs_random_state_alone(module, answer):
    """Running a check (whose answer may draw initial weights) leaves torch's generator as it was."""
    torch.manual_seed(0)
    before = torch.get_rng_state()
    module.check(answer, hidden=True)
    assert torch.equal(torch.get_rng_state(), before)


# ------------------------------------------------------------ across the sandbox's wall


def remote_answer(monkeypatch, tmp_path, name, value):
    """``value`` as the grader reaches it: a ``RemoteAnswer`` whose every call crosses as
    plain data (written to ``tmp_path`` and read back)."""
    monkeypatch.setattr(sys.modules["__main__"], name, value, raising=False)
    return remote.RemoteAnswer(InProcessKernel(), tmp_path, name)


ACROSS = [
    ("t08_port", "port_to_torch", "shares_memory"),
    ("t08_threshold_method", "KeepAboveThreshold", "changes_default_mask"),
    ("t08_global_masks", "global_l1_masks", "pruned_a_copy"),
    ("t10_gate_rows", "gate_rows", "unit_major"),
    ("t10_unit_scores", "unit_scores", "changes_rnn"),
    ("t10_shrink_rnn", "shrink_rnn", "returns_given"),
]


@pytest.mark.parametrize(("name", "answer", "mistake"), ACROSS, ids=[a[0] for a in ACROSS])
def test_graded_across_the_wall_the_master_passes_and_a_mistake_gets_its_hint(
    name, answer, mistake, monkeypatch, tmp_path
):
    """Through ``RemoteAnswer`` (plain data both ways), the master passes the hidden battery
    and a mistake that only the answer's side can see fails with its own hint."""
    module = exercises.load(name)
    right = getattr(master(name[1:3]), answer)
    module.check(remote_answer(monkeypatch, tmp_path, answer, right), hidden=True, seed=3)
    wrong = importlib.import_module(f"exercise_answers.{name}").MISTAKES[mistake]
    with pytest.raises(AssertionError, match=re.escape(module.MISTAKES[mistake])):
        module.check(remote_answer(monkeypatch, tmp_path, answer, wrong), hidden=True, seed=3)


# ------------------------------------------------------------------ predict then check
def test_predict_is_fair_on_every_seed():
    """Every layer the check draws ends at sparsity 0.5 after the first call and exactly 0.75
    after the second, so the truth is one number on every seed."""
    from minprune_course.exercises import t08_predict

    for seed in range(30):
        for W in t08_predict.cases(np.random.default_rng(seed), hidden=True):
            assert W.size % 4 == 0
            assert t08_predict.measured(W) == [0.5, 0.75]


def test_predict_measures_what_torch_does_not_a_formula():
    """The truth comes from torch: a second call on the same layer prunes half of what the
    first left, and its mask is the first mask times a new one (a PruningContainer)."""
    from minprune_course.exercises import t08_predict

    W = next(t08_predict.cases(np.random.default_rng(0), hidden=False))
    layer = torch.nn.Linear(W.shape[1], W.shape[0])
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(W))
    prune.l1_unstructured(layer, "weight", amount=0.5)
    first = layer.weight_mask.clone()
    prune.l1_unstructured(layer, "weight", amount=0.5)
    assert type(next(iter(layer._forward_pre_hooks.values()))).__name__ == "PruningContainer"
    assert bool((layer.weight_mask <= first).all())
    assert int((layer.weight_mask == 0).sum()) == 3 * W.size // 4


@pytest.mark.parametrize("value", [0.74, 0.76, 3 / 4])
def test_predict_accepts_within_its_tolerance(value, capsys):
    """Any number within 0.01 of the measured 0.75 passes, visible and hidden."""
    from minprune_course.exercises import t08_predict

    t08_predict.check(lambda: value)
    t08_predict.check(lambda: value, hidden=True, seed=7)
    assert capsys.readouterr().out.count("public checks passed") == 2


@pytest.mark.parametrize("value", [0.738, 0.762])
def test_predict_refuses_just_past_its_tolerance(value):
    """A number more than 0.01 from the truth fails, and the hint gives the measurement."""
    from minprune_course.exercises import t08_predict

    with pytest.raises(
        AssertionError, match=r"the first call left sparsity 0\.5, the second 0\.75"
    ):
        t08_predict.check(lambda: value)


def test_predict_rejects_a_lying_answer():
    """An object that claims to equal anything is not a number."""
    from topic_checks import always_equal, liar

    from minprune_course.exercises import t08_predict

    with pytest.raises(AssertionError, match="return one number"):
        t08_predict.check(always_equal)
    with pytest.raises(AssertionError):
        t08_predict.check(liar(lambda: 0.75))
