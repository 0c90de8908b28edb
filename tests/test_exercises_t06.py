"""Properties of topic 06's checks that ``test_exercises.py`` does not state for every module."""

import re

import numpy as np
import pytest
from exercise_answers import t06_fold_constant as fold_answers
from topic_checks import always_equal, assert_hidden, liar, master, perturbed

from minprune_course import checks
from minprune_course.exercises import (
    t06_fold_constant,
    t06_merge_duplicates,
    t06_neuron_scores,
    t06_predict,
)

M = master("06")
SEEDS = range(50)


def test_a_wrong_bias_does_not_show_the_right_one():
    """A slightly wrong folded b_next fails without the hint giving the expected values."""
    wrong = perturbed(M.fold_constant_neurons, lambda out: (*out[:3], out[3] * 1.01, out[4]))
    with pytest.raises(AssertionError, match="values differ at") as info:
        t06_fold_constant.check(wrong)
    assert_hidden(str(info.value), wrong.expected[-1][3])


def test_a_wrong_score_does_not_show_the_right_one():
    """A slightly wrong score fails without the hint giving the expected scores."""
    wrong = perturbed(M.neuron_scores, lambda s: s | {"outgoing_l1": s["outgoing_l1"] * 1.01})
    with pytest.raises(AssertionError, match="values differ at") as info:
        t06_neuron_scores.check(wrong)
    assert_hidden(str(info.value), wrong.expected[-1]["outgoing_l1"])


def test_constancy_tested_by_variance_gets_the_std_hint():
    """``A.var(axis=0) <= tol``, the std mistake's other spelling, is named as it on every draw."""
    hint = t06_fold_constant.MISTAKES["std_test"]
    for seed in SEEDS:
        with pytest.raises(AssertionError, match=re.escape(hint)):
            t06_fold_constant.check(fold_answers.variance_test, hidden=True, seed=seed)


def test_merge_distances_are_ties_or_far_from_tol():
    """Column distances equal tol exactly or stay 20% away from it, in float32 as in float64,
    so comparing in the weights' dtype groups the neurons as float64 does."""
    for seed in SEEDS:
        rng = checks.case_rng(t06_merge_duplicates.GRADE_ID, True, seed)
        for case, tol in t06_merge_duplicates.cases(rng, hidden=True):
            C = np.vstack([case.W, case.b[None, :]])
            gaps = np.abs(C[:, :, None] - C[:, None, :]).max(axis=0).astype(np.float64)
            wide = C.astype(np.float64)
            assert np.array_equal(gaps, np.abs(wide[:, :, None] - wide[:, None, :]).max(axis=0))
            if tol > 0:
                ratio = gaps / tol
                assert not np.any((ratio > 0.8) & (ratio < 1.25) & (ratio != 1)), seed


def test_predict_is_fair_on_every_seed():
    """On every layer the check draws, each criterion cuts its planted neuron, the dead
    neuron's cut changes no output (to rounding), the quiet one's by at least 0.005 and the
    large-bias one's by at least 0.5: no CPU's rounding can reorder them."""
    for seed in range(30):
        for net, X, planted in t06_predict.cases(np.random.default_rng(seed), hidden=True):
            m = t06_predict.measure(net, X)
            assert m["mean_activation"][0] == planted["dead"] and m["mean_activation"][1] <= 1e-12
            assert m["outgoing_l2"][0] == planted["quiet"] and m["outgoing_l2"][1] >= 5e-3
            assert m["incoming_l2"][0] == planted["bias"] and m["incoming_l2"][1] >= 0.5


def test_predict_rejects_a_lying_answer():
    """An object that claims to equal anything is not a criterion's name."""
    with pytest.raises(AssertionError, match="return one of the strings"):
        t06_predict.check(always_equal)
    with pytest.raises(AssertionError):
        t06_predict.check(liar(lambda: "mean_activation"))


def test_predict_explains_with_the_measured_changes():
    """A wrong prediction is told which neuron each criterion cut and how far the outputs moved."""
    with pytest.raises(
        AssertionError, match=r"incoming_l2 removes neuron \d+ and moves the outputs by up to"
    ):
        t06_predict.check(lambda: "outgoing_l2")
