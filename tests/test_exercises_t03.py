"""Properties of topic 03's exercise checks that tests/test_exercises.py cannot state."""

import numpy as np
import pytest
from topic_checks import assert_hidden, master, perturbed

import minprune as mp
from minprune_course.exercises import t03_masked_step

M = master("03")


def sgd_step(W, dW, mask, velocity, lr, momentum):
    """A masked step taken by mp.SGD itself."""
    layer = mp.Dense(np.atleast_2d(W), np.zeros(np.atleast_2d(W).shape[1], W.dtype))
    layer.apply_mask(np.atleast_2d(mask))
    net = mp.Network.from_layers([layer])
    mp.SGD(lr, momentum).step(net, [{"W": np.atleast_2d(dW), "b": np.zeros_like(layer.b)}])
    return layer.W.reshape(W.shape), velocity


def test_masked_step_taken_by_mp_sgd_fails():
    """mp.SGD's step is switched off while the answer runs, and the hint says so."""
    with pytest.raises(AssertionError, match="switched off"):
        t03_masked_step.check(sgd_step)


def test_a_wrong_step_does_not_show_the_right_weights():
    """Slightly wrong weights fail without the hint giving the expected array."""
    wrong = perturbed(M.masked_sgd_step, lambda out: (out[0] * 1.01, out[1]))
    with pytest.raises(AssertionError, match="values differ at") as info:
        t03_masked_step.check(wrong)
    assert_hidden(str(info.value), wrong.expected[-1])
