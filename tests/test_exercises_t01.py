"""Properties of topic 01's exercise checks that tests/test_exercises.py cannot state."""

import numpy as np
import pytest
from topic_checks import assert_hidden, master, perturbed

import minprune as mp
from minprune.activations import sigmoid as imported_sigmoid
from minprune_course.exercises import (
    t01_dense_backward,
    t01_gradcheck,
    t01_numerical_gradient,
    t01_sigmoid,
)

M = master("01")


def test_a_backward_that_calls_minprune_fails():
    """mp.sigmoid_backward is switched off too while the learner's backward runs."""
    with pytest.raises(AssertionError, match="switched off"):
        t01_sigmoid.check(M.sigmoid, lambda dout, z, a: mp.sigmoid_backward(dout, z, a))


def test_a_sigmoid_imported_earlier_is_switched_off_and_restored():
    """A reference taken before the check is switched off too, and works again after it."""
    with pytest.raises(AssertionError, match="switched off"):
        t01_sigmoid.check(imported_sigmoid, M.sigmoid_backward)
    np.testing.assert_allclose(imported_sigmoid(np.zeros(2)), [0.5, 0.5])


def test_a_wrong_sigmoid_does_not_show_the_right_one():
    """A slightly wrong sigmoid fails without the hint giving the expected values."""
    wrong = perturbed(M.sigmoid, lambda a: a * 0.99)
    with pytest.raises(AssertionError, match="values differ at") as info:
        t01_sigmoid.check(wrong, M.sigmoid_backward)
    assert_hidden(str(info.value), wrong.expected[-1])


def test_a_wrong_gradient_does_not_show_the_right_one():
    """Slightly wrong gradients fail without the hint giving the expected arrays."""
    wrong = perturbed(M.dense_backward, lambda g: (g[0], g[1] * 1.01, g[2]))
    with pytest.raises(AssertionError, match="values differ at") as info:
        t01_dense_backward.check(wrong)
    assert_hidden(str(info.value), wrong.expected[-1])


def test_a_wrong_numerical_gradient_does_not_show_the_right_one():
    """A slightly wrong numerical gradient fails without the hint giving the expected array."""
    wrong = perturbed(M.numerical_gradient, lambda g: g * 1.01)
    with pytest.raises(AssertionError, match="values differ at") as info:
        t01_numerical_gradient.check(wrong)
    assert_hidden(str(info.value), wrong.expected[-1])


def test_a_wrong_ratio_does_not_show_the_right_one():
    """A slightly wrong ratio on a pruned network fails without the hint giving the ratio."""
    wrong = perturbed(M.gradient_check, lambda r: r * 1.01)
    with pytest.raises(AssertionError, match="wrong value") as info:
        t01_gradcheck.check(wrong)
    assert_hidden(str(info.value), [r for r in wrong.expected if r > 1e-6])


def test_the_pruned_networks_are_plain_networks():
    """The networks the gradient check gets are mp.Network itself, whatever they carry."""
    rng = np.random.default_rng(0)
    nets = [case[0] for case in t01_gradcheck.cases(rng, hidden=True)]
    assert all(type(net) is mp.Network for net in nets)


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("central", None),
        ("not_restored", "left x changed in place"),
        ("on_a_copy", "returned zeros although it called f"),
    ],
)
def test_numerical_gradient_is_judged_through_plain_data(tmp_path, monkeypatch, name, hint):
    """Graded, ``f`` is rebuilt in the submission's kernel from plain coefficients around
    the x the answer gets; the gradient, x and f's count of calls come back as data. The
    master passes, and a mistake still gets its own hint."""
    from exercise_answers import t01_numerical_gradient as answers
    from topic_checks import InProcessKernel

    from minprune_course import remote

    fn = M.numerical_gradient if name == "central" else getattr(answers, name)
    monkeypatch.setattr(remote, "_namespace", lambda: {"numerical_gradient": fn})
    module = t01_numerical_gradient
    answer = remote.RemoteAnswer(InProcessKernel(), tmp_path, module.ANSWER, module.REFERENCE)
    if hint is None:
        module.check(answer)
        module.check(answer, hidden=True, seed=0)
    else:
        with pytest.raises(AssertionError, match=hint):
            module.check(answer)


# ------------------------------------------------------------------ predict
def test_predict_is_fair_on_every_seed():
    """On every network the check draws, the best step is 1e-5 in float64 and 1e-2 in
    float32, and every step more than a factor of 10 from it gives an error at least 3 times
    the smallest within that factor: no CPU's rounding moves the answer's window."""
    from minprune_course.exercises import t01_predict

    steps = t01_predict.STEPS
    for seed in range(25):
        for net, X, y in t01_predict.cases(np.random.default_rng(seed), hidden=True):
            for dtype, errors in t01_predict.errors(net, X, y).items():
                best = {"float64": 1e-5, "float32": 1e-2}[dtype]
                near = np.abs(np.log10(steps / best)) < 1.5
                assert steps[np.argmin(errors)] == pytest.approx(best), (seed, dtype, errors)
                assert errors[~near].min() > 3 * errors[near].min(), (seed, dtype, errors)


def test_predict_float64_step_for_float32_is_too_small():
    """Taking float64's best step in float32 fails, explained by float32's round-off."""
    from minprune_course.exercises import t01_predict

    with pytest.raises(AssertionError, match=r"your float32 step 1e-05 is too small a step"):
        t01_predict.check(lambda: {"float64": 1e-5, "float32": 1e-5})


def test_predict_rejects_a_lying_answer():
    """An object that claims to equal anything is not a dict of steps."""
    from topic_checks import always_equal, liar

    from minprune_course.exercises import t01_predict

    with pytest.raises(AssertionError, match="return a dict"):
        t01_predict.check(always_equal)
    with pytest.raises(AssertionError):
        t01_predict.check(liar(lambda: {"float64": 1e-5, "float32": 1e-2}))


def test_predict_explains_with_the_measured_errors():
    """A wrong step is told the errors the check measured at every step."""
    from minprune_course.exercises import t01_predict

    with pytest.raises(AssertionError, match=r"errors at eps = 1e-1, .* float64: [\de.+-]+, "):
        t01_predict.check(lambda: {"float64": 1e-1, "float32": 1e-2})
