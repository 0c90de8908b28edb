"""Checks of exercises 05 (retraining): mistakes get their hints, not the answer.

checks_05 switches off minprune's optimiser steps and ``cubic_sparsity`` while the
learner's step and schedule run, and leaves minprune on for the prune-retrain loop,
which is meant to call ``mp.prune`` and ``mp.train``.
"""

import numpy as np
import pytest
from topic_checks import (
    EqualFloat,
    assert_hidden,
    liar_test,
    master,
    perturbed,
    run,
    wrong_answer_test,
)

import minprune as mp
from minprune_course import checks_05 as c

M = master("05")
OWN_WORK = "so they are switched off while it runs"


# ------------------------------------------------------------ masked step
def sgd_unmasked(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    velocity = momentum * velocity + dW + weight_decay * W
    return W - lr * velocity, velocity


def sgd_velocity_unmasked(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    velocity = momentum * velocity + dW * mask + weight_decay * W
    return (W - lr * velocity) * mask, velocity


def sgd_decoupled(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    velocity = (momentum * velocity + dW * mask) * mask
    return (W - lr * velocity - lr * weight_decay * W) * mask, velocity


def sgd_uphill(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    velocity = (momentum * velocity + dW * mask + weight_decay * W) * mask
    return (W + lr * velocity) * mask, velocity


def sgd_no_velocity(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    grad = dW * mask + weight_decay * W
    velocity = (momentum * velocity + grad) * mask
    return (W - lr * grad) * mask, velocity


def sgd_float64(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    W_new, v = M.masked_sgd_step(W, dW, mask, velocity, lr, momentum, weight_decay)
    return W_new.astype(np.float64), v


def sgd_list(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    W_new, v = M.masked_sgd_step(W, dW, mask, velocity, lr, momentum, weight_decay)
    return W_new.tolist(), v


def sgd_weights_only(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    return M.masked_sgd_step(W, dW, mask, velocity, lr, momentum, weight_decay)[0]


# -------------------------------------------------------- cubic schedule
def cubic_clamped(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0):
    frac = min(max((step - begin_step) / (end_step - begin_step), 0), 1)
    return final_sparsity + (initial_sparsity - final_sparsity) * (1 - frac) ** 3


def cubic_square(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0):
    if step >= end_step:
        return final_sparsity
    if step <= begin_step:
        return initial_sparsity
    frac = (step - begin_step) / (end_step - begin_step)
    return final_sparsity + (initial_sparsity - final_sparsity) * (1 - frac) ** 2


def cubic_zero_before(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0):
    if begin_step < end_step and step <= begin_step:
        return 0.0
    return M.cubic_sparsity(step, final_sparsity, begin_step, end_step, initial_sparsity)


def cubic_never_final(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0):
    if step >= end_step:
        return initial_sparsity
    return M.cubic_sparsity(step, final_sparsity, begin_step, end_step, initial_sparsity)


def cubic_array(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0):
    return np.array(
        [M.cubic_sparsity(step, final_sparsity, begin_step, end_step, initial_sparsity)]
    )


# ----------------------------------------------------- prune-retrain loop
def _retrain(net, data, epochs, rng):
    optimizer = mp.SGD(lr=0.05, momentum=0.9)
    mp.train(net, data.X_train, data.y_train, epochs=epochs, optimizer=optimizer, rng=rng,
             progress=False)  # fmt: skip


def loop_linear(net, data, sparsity, rounds, epochs, rng=0):
    records = []
    for k in range(1, rounds + 1):
        mp.prune(net, sparsity * k / rounds)
        _retrain(net, data, epochs, rng)
        records.append((mp.sparsity(net), net.accuracy(data.X_val, data.y_val)))
    return records


def loop_on_a_copy(net, data, sparsity, rounds, epochs, rng=0):
    return M.prune_retrain(net.copy(), data, sparsity, rounds, epochs, rng)


def loop_output_too(net, data, sparsity, rounds, epochs, rng=0):
    records = []
    for k in range(1, rounds + 1):
        mp.prune(net, 1 - (1 - sparsity) ** (k / rounds), include_output=True)
        _retrain(net, data, epochs, rng)
        records.append((mp.sparsity(net), net.accuracy(data.X_val, data.y_val)))
    return records


def loop_lying_records(net, data, sparsity, rounds, epochs, rng=0):
    return [(EqualFloat(0.5), EqualFloat(0.5))] * rounds


WRONG = [
    (c.check_masked_sgd_step, sgd_unmasked, False, "pruned weights (mask 0) are not exactly 0"),
    (c.check_masked_sgd_step, sgd_velocity_unmasked, False, "the velocity is not 0 where"),
    (c.check_masked_sgd_step, sgd_decoupled, False, "weight decay belongs in the gradient"),
    (c.check_masked_sgd_step, sgd_uphill, False, "the weights moved up the gradient"),
    (c.check_masked_sgd_step, sgd_no_velocity, False, "the velocity was not used"),
    (c.check_masked_sgd_step, sgd_float64, True, "expected a NumPy array of the weights' dtype"),
    (c.check_masked_sgd_step, sgd_list, False, "is list; expected a NumPy array"),
    (c.check_masked_sgd_step, sgd_weights_only, False, "expected a tuple (W, velocity)"),
    (c.check_cubic_sparsity, cubic_clamped, True, "divided by zero"),
    (c.check_cubic_sparsity, cubic_square, False, "check the formula, its exponent 3"),
    (c.check_cubic_sparsity, cubic_zero_before, True, "the target is initial_sparsity"),
    (c.check_cubic_sparsity, cubic_never_final, False, "from end_step on the target is final"),
    (c.check_cubic_sparsity, cubic_array, False, "returned a ndarray; expected a float"),
    (c.check_prune_retrain, loop_linear, False, "1 - (1 - sparsity) ** (k / rounds)"),
    (c.check_prune_retrain, loop_on_a_copy, False, "prune net itself (in place)"),
    (c.check_prune_retrain, loop_output_too, False, "prune the hidden layers only"),
    (c.check_prune_retrain, loop_lying_records, False, "returned a EqualFloat; expected a float"),
]


test_a_wrong_answer_gets_its_hint = wrong_answer_test(WRONG)


test_wrong_numbers_that_claim_equality_fail = liar_test(
    [(c.check_masked_sgd_step, M.masked_sgd_step), (c.check_cubic_sparsity, M.cubic_sparsity)],
    hidden=True,
)


def test_a_wrong_schedule_value_is_not_corrected_in_the_hint():
    """A slightly wrong target sparsity fails without the hint giving the expected one."""
    wrong = perturbed(M.cubic_sparsity, lambda s: s * 0.97 + 0.003)
    with pytest.raises(AssertionError, match="returned a wrong value") as info:
        run(c.check_cubic_sparsity, wrong)
    assert_hidden(str(info.value), wrong.expected[-1])


def test_a_wrong_step_does_not_show_the_right_weights():
    """Slightly wrong weights after a step fail without the hint giving the expected array."""
    wrong = perturbed(M.masked_sgd_step, lambda out: (out[0] * 1.001, out[1]))
    with pytest.raises(AssertionError, match="values differ at") as info:
        run(c.check_masked_sgd_step, wrong)
    assert_hidden(str(info.value), wrong.expected[-1])


def _sgd_step(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    layer = mp.Dense(W.copy(), np.zeros(W.shape[1], W.dtype), "identity", mask)
    net = mp.Network.from_layers([layer])
    mp.SGD(lr, momentum, weight_decay=weight_decay).step(
        net, [{"W": dW * mask, "b": np.zeros(W.shape[1], W.dtype)}]
    )
    return net.layers[0].W, velocity


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (c.check_masked_sgd_step, _sgd_step),
        (
            c.check_cubic_sparsity,
            lambda step, final, begin, end, initial=0.0: mp.cubic_sparsity(
                step, final, begin, end, initial
            ),
        ),
    ],
    ids=["sgd", "cubic_sparsity"],
)
def test_calling_minprune_is_switched_off(check, answer):
    """An answer that calls minprune's optimiser or schedule fails and is told why."""
    with pytest.raises(AssertionError, match=OWN_WORK):
        run(check, answer)


def test_a_reference_taken_before_the_check_is_switched_off_too():
    """``from minprune import cubic_sparsity`` before the check does not get around it."""
    from minprune import cubic_sparsity

    with pytest.raises(AssertionError, match=OWN_WORK):
        run(c.check_cubic_sparsity, cubic_sparsity)


def test_minprune_works_again_after_the_check():
    """The switched-off functions are restored once the check is done."""
    with pytest.raises(AssertionError):
        run(c.check_cubic_sparsity, mp.cubic_sparsity)
    with pytest.raises(AssertionError):
        run(c.check_masked_sgd_step, _sgd_step)
    assert mp.cubic_sparsity(10, 0.8, 0, 10) == 0.8
    W, *_ = _sgd_step(np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2)), np.zeros((2, 2)), 0.5)
    np.testing.assert_allclose(W, 0.5)
