"""Checks of exercises 00 (welcome): wrong counts and sparsities get hints, not answers.

checks_00 compares with minprune and leaves it on: an answer that calls
``mp.count_parameters`` is allowed here, so there is no switched-off test.
"""

import numpy as np
import pytest
from topic_checks import (
    EqualFloat,
    EqualInt,
    assert_hidden,
    hint,
    liar_test,
    master,
    perturbed,
    run,
)

from minprune_course import checks_00 as c

M = master("00")


def weights_only(sizes):
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


def with_biases(sizes):
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def as_float(sizes):
    return float(M.count_parameters(sizes))


def mean_of_ratios(weights):
    return float(np.mean([np.mean(W == 0) for W in weights]))


def sum_of_ratios(weights):
    return float(sum(np.mean(W == 0) for W in weights))


def density(weights):
    return 1.0 - M.sparsity(weights)


def at_least(weights, threshold):
    return [(np.abs(W) >= threshold).astype(float) for W in weights]


def signed(weights, threshold):
    return [(W > threshold).astype(float) for W in weights]


def one_mask(weights, threshold):
    return (np.abs(weights[0]) > threshold).astype(float)


def mask_of_ints(weights, threshold):
    return [np.where(np.abs(W) > threshold, 2, 0) for W in weights]


WRONG = [
    (c.check_count_parameters, weights_only, "which is not the expected count"),
    (c.check_count_parameters, as_float, "returned a float; expected an int"),
    (c.check_count_macs, with_biases, "which is not the expected count"),
    (c.check_count_macs, lambda sizes: None, "returned a None; expected an int"),
    (c.check_sparsity, mean_of_ratios, "returned the mean of the per-array ratios"),
    (c.check_sparsity, sum_of_ratios, "returned the sum of the per-array ratios"),
    (c.check_sparsity, density, "returned a wrong value"),
    (c.check_sparsity, lambda weights: np.array([0.5]), "returned a ndarray; expected a float"),
    (c.check_threshold_masks, at_least, "values differ at 1 of 6 entries"),
    (c.check_threshold_masks, signed, "values differ at"),
    (c.check_threshold_masks, one_mask, "must return a list with one mask per weight array"),
    (c.check_threshold_masks, mask_of_ints, "is not a mask"),
]


@pytest.mark.parametrize(
    ("check", "answer", "text"),
    [pytest.param(*w, id=f"{w[0].__name__}-{w[1].__name__}") for w in WRONG],
)
@pytest.mark.parametrize("hidden", [False, True], ids=["visible", "hidden"])
def test_a_wrong_answer_gets_its_hint(check, answer, text, hidden):
    """A usual mistake fails, on the visible seed and on fresh inputs, with the hint naming it."""
    with pytest.raises(AssertionError, match=hint(text)):
        run(check, answer, hidden=hidden)


test_wrong_numbers_that_claim_equality_fail = liar_test(
    [
        (c.check_count_parameters, M.count_parameters),
        (c.check_count_macs, M.count_macs),
        (c.check_sparsity, M.sparsity),
        (c.check_threshold_masks, M.threshold_masks),
    ]
)


@pytest.mark.parametrize(
    ("value", "text"),
    [(EqualInt(13), "returned a EqualInt; expected an int"), (True, "returned a bool")],
)
def test_a_count_must_be_a_plain_int(value, text):
    """An int subclass that equals anything, or a bool, is not a count."""
    with pytest.raises(AssertionError, match=hint(text)):
        run(c.check_count_parameters, lambda sizes: value)


def test_a_sparsity_must_be_a_plain_number():
    """A float subclass that equals anything is not accepted as a sparsity."""
    with pytest.raises(AssertionError, match=hint("returned a EqualFloat; expected a float")):
        run(c.check_sparsity, lambda weights: EqualFloat(0.5))


def test_a_wrong_count_is_named_but_the_right_one_is_not():
    """An off-by-one count shows the answer's value and never the expected one."""
    wrong = perturbed(M.count_parameters, lambda n: n + 1)
    with pytest.raises(AssertionError) as info:
        run(c.check_count_parameters, wrong)
    expected = wrong.expected[-1]
    assert f"returned {expected + 1}," in str(info.value)
    assert str(expected) not in str(info.value)


def test_a_wrong_sparsity_does_not_show_the_right_one():
    """A slightly wrong sparsity fails without the hint giving the expected value."""
    wrong = perturbed(M.sparsity, lambda s: s * 0.9 + 0.01)
    with pytest.raises(AssertionError) as info:
        run(c.check_sparsity, wrong, hidden=True)
    assert_hidden(str(info.value), wrong.expected[-1])
