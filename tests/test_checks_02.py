"""Checks of exercises 02 (regularization): usual mistakes get their hints, never the answer."""

import numpy as np
import pytest
from topic_checks import (
    assert_hidden,
    hint,
    liar,
    liar_test,
    master,
    perturbed,
    pin_rng,
    run,
    wrong_answer_test,
)

import minprune as mp
from minprune_course import checks_02 as c

M = master("02")
OWN_WORK = "they are switched off while it runs"


def _soft(U, t):
    return np.sign(U) * np.maximum(np.abs(U) - t, 0)


# ------------------------------------------------------------- penalties
def l1_half(W, l1):
    return 0.5 * l1 * float(np.abs(W).sum()), l1 * np.sign(W)


def l1_twice(W, l1):
    return 2 * l1 * float(np.abs(W).sum()), l1 * np.sign(W)


def l1_sign_at_zero(W, l1):
    return l1 * float(np.abs(W).sum()), l1 * np.where(W >= 0, 1.0, -1.0).astype(W.dtype)


def l1_float64(W, l1):
    return l1 * float(np.abs(W).sum()), l1 * np.sign(W).astype(np.float64)


def l1_value_array(W, l1):
    return l1 * np.abs(W).sum(axis=0), l1 * np.sign(W)


def l1_grad_only(W, l1):
    return l1 * np.sign(W)


def l2_no_half(W, l2):
    return l2 * float(np.sum(W * W)), l2 * W


def l2_grad_twice(W, l2):
    return 0.5 * l2 * float(np.sum(W * W)), 2 * l2 * W


def l2_grad_list(W, l2):
    return 0.5 * l2 * float(np.sum(W * W)), (l2 * W).tolist()


# -------------------------------------------------------- soft threshold
def hard(W, t):
    return W * (np.abs(W) > t)


def unsigned(W, t):
    return np.maximum(np.abs(W) - t, 0)


def almost_zero(W, t):
    return np.sign(W) * np.maximum(np.abs(W) - t, 1e-20)


def soft_float64(W, t):
    return _soft(W, t).astype(np.float64)


def shrink_by_half(W, t):
    return _soft(W, t / 2)


# ---------------------------------------------------------- ista step
def threshold_l1(W, dW, lr, l1):
    return _soft(W - lr * dW, l1)


def subgradient_step(W, dW, lr, l1):
    return W - lr * (dW + l1 * np.sign(W))


def threshold_first(W, dW, lr, l1):
    return _soft(W, lr * l1) - lr * dW


def gradient_only(W, dW, lr, l1):
    return W - lr * dW


WRONG = [
    (c.check_l1_penalty, l1_half, False, "half of what it should be; L1 has no factor 1/2"),
    (c.check_l1_penalty, l1_twice, False, "twice what it should be; L1 has no factor 2"),
    (c.check_l1_penalty, l1_sign_at_zero, True, "entries where W == 0"),
    (c.check_l1_penalty, l1_float64, True, "keep the weights' dtype"),
    (c.check_l1_penalty, l1_value_array, False, "returned a ndarray; expected a float"),
    (c.check_l1_penalty, l1_grad_only, False, "expected a tuple (value, dW)"),
    (c.check_l2_penalty, l2_no_half, False, "remember the factor 1/2"),
    (c.check_l2_penalty, l2_grad_twice, False, "is twice what it should be"),
    (c.check_l2_penalty, l2_grad_list, False, "is a list; expected a NumPy array"),
    (c.check_soft_threshold, almost_zero, False, "are not exactly 0"),
    (c.check_soft_threshold, soft_float64, True, "keep the weights' dtype"),
    (c.check_soft_threshold, shrink_by_half, False, "are not exactly 0"),
    (c.check_ista_step, threshold_l1, False, "the threshold of the proximal step is lr * l1"),
    (c.check_ista_step, subgradient_step, True, "this is the subgradient step"),
    # with no |w| <= lr * l1, thresholding first is the subgradient step: either hint is right
    (c.check_ista_step, threshold_first, True, ("the order is wrong", "the subgradient step")),
    (c.check_ista_step, gradient_only, False, ("are not exactly 0", "hard thresholding")),
]


test_a_wrong_answer_gets_its_hint = wrong_answer_test(WRONG)


@pytest.mark.parametrize(
    ("answer", "text"),
    [
        (hard, "that is hard thresholding"),
        (unsigned, "changed sign; shrink |w| and keep the sign"),
    ],
    ids=["hard", "unsigned"],
)
def test_a_wrong_soft_threshold_gets_its_hint(answer, text, monkeypatch):
    """Hard thresholding and a lost sign are named (on a draw with weights above the threshold)."""
    pin_rng(monkeypatch, 0)
    with pytest.raises(AssertionError, match=hint(text)):
        run(c.check_soft_threshold, answer)


test_wrong_numbers_that_claim_equality_fail = liar_test(
    [
        (c.check_l1_penalty, M.l1_penalty),
        (c.check_l2_penalty, M.l2_penalty),
        (c.check_soft_threshold, M.soft_threshold),
        (c.check_ista_step, M.ista_step),
    ],
    hidden=True,
)


def test_an_l1_value_that_equals_anything_fails():
    """A right gradient with a value that claims equality (and is off by 1) fails."""
    with pytest.raises(AssertionError, match="expected a float"):
        run(c.check_l1_penalty, lambda W, l1: liar(M.l1_penalty)(W, l1)[:1] + (l1 * np.sign(W),))


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (c.check_l1_penalty, lambda W, l1: (mp.L1(l1).value_of(W), mp.L1(l1).grad(W))),
        (c.check_l2_penalty, lambda W, l2: (mp.L2(l2).value_of(W), mp.L2(l2).grad(W))),
        (c.check_l2_penalty, lambda W, l2: (mp.ElasticNet(0.0, l2).value_of(W), l2 * W)),
        (c.check_soft_threshold, lambda W, t: mp.soft_threshold(W, t)),
        (c.check_ista_step, lambda W, dW, lr, l1: mp.soft_threshold(W - lr * dW, lr * l1)),
    ],
    ids=["l1", "l2", "elastic-net", "soft_threshold", "ista_step"],
)
def test_calling_minprune_is_switched_off(check, answer):
    """An answer that calls minprune's own penalty functions fails and is told why."""
    with pytest.raises(AssertionError, match=OWN_WORK):
        run(check, answer)


def test_minprune_works_again_after_the_check():
    """The switched-off penalty functions are restored once the check is done."""
    with pytest.raises(AssertionError):
        run(c.check_soft_threshold, lambda W, t: mp.soft_threshold(W, t))
    np.testing.assert_array_equal(mp.soft_threshold(np.array([-2.0, 0.5, 3.0]), 1.0), [-1, 0, 2])


def test_a_wrong_soft_threshold_does_not_show_the_right_one():
    """Slightly wrong shrunk weights fail without the hint giving the expected array."""
    wrong = perturbed(M.soft_threshold, lambda a: a * 1.01)
    with pytest.raises(AssertionError, match="values differ at") as info:
        run(c.check_soft_threshold, wrong)
    assert_hidden(str(info.value), wrong.expected[-1])


def test_a_wrong_penalty_value_does_not_show_the_right_one():
    """A slightly wrong penalty value fails without the hint giving the expected value."""
    wrong = perturbed(M.l2_penalty, lambda out: (out[0] * 1.01, out[1]))
    with pytest.raises(AssertionError, match="the value of") as info:
        run(c.check_l2_penalty, wrong)
    assert_hidden(str(info.value), wrong.expected[-1])


SEEDS = range(300)  # seeds 1 and 35 once drew every |w| below the threshold, 150 no U near 0


@pytest.mark.parametrize(
    ("answer", "text"),
    [(hard, "that is hard thresholding"), (unsigned, "changed sign; shrink |w| and keep the sign")],
    ids=["hard", "unsigned"],
)
def test_soft_threshold_always_has_weights_above_the_threshold(answer, text, monkeypatch):
    """On every draw some weights exceed the threshold, on both signs, so shrinking shows."""
    for seed in SEEDS:
        pin_rng(monkeypatch, seed)
        with pytest.raises(AssertionError, match=hint(text)):
            run(c.check_soft_threshold, answer)


@pytest.mark.parametrize(
    "answer", [threshold_first, subgradient_step, threshold_l1], ids=lambda f: f.__name__
)
def test_ista_step_always_has_weights_the_threshold_zeroes(answer, monkeypatch):
    """On every visible draw some U = W - lr * dW lie within lr * l1 of 0 and one beyond it."""
    for seed in SEEDS:
        pin_rng(monkeypatch, seed)
        with pytest.raises(AssertionError):
            run(c.check_ista_step, answer)


@pytest.mark.parametrize(
    ("check", "answer"),
    [(c.check_soft_threshold, M.soft_threshold), (c.check_ista_step, M.ista_step)],
    ids=["soft_threshold", "ista_step"],
)
def test_the_master_passes_every_draw(check, answer, monkeypatch):
    """The planted weights never make the right answer fail."""
    for seed in SEEDS:
        pin_rng(monkeypatch, seed)
        run(check, answer, hidden=True)
