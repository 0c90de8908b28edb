"""Properties of topic 11's exercise checks that tests/test_exercises.py cannot state."""

import pytest
import torch
from topic_checks import master

from minprune_course.exercises import t11_conv_macs, t11_timing

M = master("11")


def test_a_wrong_count_shows_the_answers_number_not_the_right_one():
    """A count one off fails naming the answer's number, never the expected one."""
    right = []

    def one_more(conv, height, width):
        right.append(M.conv_macs(conv, height, width))
        return right[-1] + 1

    with pytest.raises(AssertionError) as info:
        t11_conv_macs.check(one_more)
    assert f"returned {right[-1] + 1}," in str(info.value)
    assert f"returned {right[-1]}," not in str(info.value)


def test_an_answer_that_changes_the_layer_in_place_fails():
    """conv is left as it was: zeroing its weights in place fails."""

    def zeroes_weights(conv, height, width):
        with torch.no_grad():
            conv.weight.zero_()
        return M.conv_macs(conv, height, width)

    with pytest.raises(AssertionError, match="in place"):
        t11_conv_macs.check(zeroes_weights)


def test_timing_is_exact_whatever_the_machine_does():
    """The virtual clock makes a real sleep inside fn invisible: the right answer still passes."""
    import time

    def sleepy(fn, *args, **kwargs):
        time.sleep(0.001)  # real time passes; the check's clock does not move
        return M.time_fn(fn, *args, **kwargs)

    t11_timing.check(sleepy, hidden=True)
