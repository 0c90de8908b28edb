"""Properties of topic 02's exercise checks that tests/test_exercises.py cannot state."""

import numpy as np
import pytest
from topic_checks import assert_hidden, master, perturbed

import minprune as mp
from minprune_course import checks
from minprune_course.exercises import t02_l1, t02_l2, t02_prox_step, t02_soft_threshold

M = master("02")


@pytest.mark.parametrize(
    ("module", "answer"),
    [
        (t02_l1, lambda W, l1: (mp.L1(l1).value_of(W), mp.L1(l1).grad(W))),
        (t02_l1, lambda W, l1: (mp.ElasticNet(l1, 0.0).value_of(W), l1 * np.sign(W))),
        (t02_l2, lambda W, l2: (mp.L2(l2).value_of(W), mp.L2(l2).grad(W))),
        (t02_l2, lambda W, l2: (mp.ElasticNet(0.0, l2).value_of(W), l2 * W)),
    ],
    ids=["l1", "l1-elastic-net", "l2", "l2-elastic-net"],
)
def test_a_penalty_computed_by_minprune_fails(module, answer):
    """minprune's penalty classes are switched off while the answer runs, and the hint says so."""
    with pytest.raises(AssertionError, match="switched off"):
        module.check(answer)


def test_minprune_works_again_after_the_check():
    """The switched-off functions are restored once the check is done."""
    with pytest.raises(AssertionError):
        t02_soft_threshold.check(lambda W, t: mp.soft_threshold(W, t))
    np.testing.assert_array_equal(mp.soft_threshold(np.array([-2.0, 0.5, 3.0]), 1.0), [-1, 0, 2])
    assert mp.L1(0.5).value_of(np.array([-2.0, 1.0])) == 1.5


def test_a_wrong_soft_threshold_does_not_show_the_right_one():
    """Slightly wrong shrunk weights fail without the hint giving the expected array."""
    wrong = perturbed(M.soft_threshold, lambda a: a * 1.01)
    with pytest.raises(AssertionError, match="values differ at") as info:
        t02_soft_threshold.check(wrong)
    assert_hidden(str(info.value), wrong.expected[-1])


def test_a_wrong_penalty_value_does_not_show_the_right_one():
    """A slightly wrong penalty value fails without the hint giving the expected value."""
    wrong = perturbed(M.l2_penalty, lambda out: (out[0] * 1.01, out[1]))
    with pytest.raises(AssertionError, match="the value of") as info:
        t02_l2.check(wrong)
    assert_hidden(str(info.value), wrong.expected[-1])


@pytest.mark.parametrize("module", [t02_soft_threshold, t02_prox_step], ids=lambda m: m.__name__)
def test_float32_and_float64_arithmetic_agree_exactly(module):
    """The weights and thresholds sit on a grid float32 holds exactly: computing in float64
    gives the reference's float32 result exactly (-0.0 aside), ties included."""
    for seed in range(100):
        for case in module.cases(checks.case_rng(module.GRADE_ID, True, seed), True):
            W, dW, lr, l1 = (
                case if len(case) == 4 else (case[0], np.zeros_like(case[0]), 1.0, case[1])
            )
            U = W.astype(np.float64) - lr * dW.astype(np.float64)
            as_float64 = np.sign(U) * np.maximum(np.abs(U) - lr * l1, 0)
            reference = mp.soft_threshold(W - lr * dW, lr * l1)
            assert np.array_equal(as_float64.astype(W.dtype), reference), (seed, W.dtype)


# ------------------------------------------------------------------ predict
def test_predict_is_fair_on_every_seed():
    """On every draw the check makes, L2 and the L1 subgradient leave no exact zero and the
    proximal steps leave exactly half of the weights at zero."""
    from minprune_course.exercises import t02_predict

    for seed in range(30):
        for a, w0 in t02_predict.cases(np.random.default_rng(seed), hidden=True):
            assert t02_predict.zeros(a, w0) == {"l2": 0.0, "subgradient": 0.0, "proximal": 0.5}


def test_predict_proximal_zeros_are_the_weakly_pulled_weights():
    """The proximal run ends at soft_threshold(a, l1): zero exactly where |a| <= l1, and the
    subgradient run keeps those weights hopping within about lr * l1 of zero."""
    from minprune_course.exercises import t02_predict

    a, w0 = next(t02_predict.cases(np.random.default_rng(0), hidden=False))
    final = t02_predict.run(a, w0)
    np.testing.assert_array_equal(final["proximal"] == 0, np.abs(a) <= t02_predict.STRENGTH)
    np.testing.assert_allclose(final["proximal"], mp.soft_threshold(a, t02_predict.STRENGTH))
    weak = np.abs(a) <= t02_predict.STRENGTH
    hop = t02_predict.LR * t02_predict.STRENGTH
    assert np.all(np.abs(final["subgradient"][weak]) < 2 * hop)


def test_predict_rejects_a_lying_answer():
    """An object that claims to equal anything is not a dict of fractions."""
    from topic_checks import always_equal, liar

    from minprune_course.exercises import t02_predict

    with pytest.raises(AssertionError, match="return a dict"):
        t02_predict.check(always_equal)
    with pytest.raises(AssertionError):
        t02_predict.check(liar(lambda: {"l2": 0.0, "subgradient": 0.0, "proximal": 0.5}))
