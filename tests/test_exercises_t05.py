"""Properties of topic 05's exercise checks that tests/test_exercises.py cannot state."""

import numpy as np
import pytest
from topic_checks import InProcessKernel, always_equal, assert_hidden, liar, master, perturbed

import minprune as mp
from minprune_course import checks, remote
from minprune_course.exercises import (
    t03_masked_step,
    t05_cubic_sparsity,
    t05_masked_sgd_step,
    t05_predict,
    t05_prune_retrain,
)

M = master("05")


def sgd_step(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0):
    """A masked step taken by mp.SGD itself."""
    layer = mp.Dense(W.copy(), np.zeros(W.shape[1], W.dtype))
    layer.apply_mask(mask)
    net = mp.Network.from_layers([layer])
    mp.SGD(lr, momentum, weight_decay=weight_decay).step(
        net, [{"W": dW, "b": np.zeros_like(layer.b)}]
    )
    return layer.W, velocity


def test_masked_step_taken_by_mp_sgd_fails():
    """mp.SGD's step is switched off while the answer runs, and the hint says so."""
    with pytest.raises(AssertionError, match="switched off"):
        t05_masked_sgd_step.check(sgd_step)


def test_the_masked_step_is_topic_03s_with_weight_decay():
    """Topic 05's step draws topic 03's runs, each with a weight decay."""
    rng = checks.case_rng(t05_masked_sgd_step.GRADE_ID, True, 7)
    ours = list(t05_masked_sgd_step.cases(rng, True))
    rng = checks.case_rng(t05_masked_sgd_step.GRADE_ID, True, 7)
    theirs = list(t03_masked_step.cases(rng, True, weight_decay=True))
    assert checks.same(ours, theirs)
    assert any(case[-1] > 0 for case in ours)


def test_a_wrong_schedule_value_is_not_corrected_in_the_hint():
    """A slightly wrong target sparsity fails without the hint giving the expected one."""
    wrong = perturbed(M.cubic_sparsity, lambda s: s * 0.97 + 0.003)
    with pytest.raises(AssertionError, match="returned a wrong value") as info:
        t05_cubic_sparsity.check(wrong)
    assert_hidden(str(info.value), wrong.expected[-1])


def test_a_loop_that_changes_data_fails():
    """The loop may change net, not data: standardising data in place fails."""

    def changes_data(net, data, sparsity, rounds, epochs, rng=0):
        result = M.prune_retrain(net, data, sparsity, rounds, epochs, rng)
        data.X_val *= 2
        return result

    with pytest.raises(AssertionError, match="changed its argument data in place"):
        t05_prune_retrain.check(changes_data)


EXERCISES = [
    (t05_masked_sgd_step, "masked_sgd_step"),
    (t05_cubic_sparsity, "cubic_sparsity"),
    (t05_prune_retrain, "prune_retrain"),
    (t05_predict, "when_half_pruned"),
]


@pytest.mark.parametrize(("module", "name"), EXERCISES, ids=[m.__name__ for m, _ in EXERCISES])
def test_the_master_passes_when_graded_through_plain_data(module, name, tmp_path, monkeypatch):
    """The grader calls the answer in the submission's kernel: the cases cross as plain data
    (the digits split is loaded there, by the loop's probe) and so do the results."""
    monkeypatch.setattr(remote, "_namespace", lambda: {name: getattr(M, name)})
    answer = remote.RemoteAnswer(InProcessKernel(), tmp_path, name, module.REFERENCE)
    module.check(answer)
    module.check(answer, hidden=True, seed=0)


def test_a_loop_changing_data_through_plain_data_fails(tmp_path, monkeypatch):
    """The probe fails a loop that changes data in the submission's kernel too."""

    def changes_data(net, data, sparsity, rounds, epochs, rng=0):
        data.y_train[:] = 0
        return M.prune_retrain(net, data, sparsity, rounds, epochs, rng)

    monkeypatch.setattr(remote, "_namespace", lambda: {"prune_retrain": changes_data})
    answer = remote.RemoteAnswer(
        InProcessKernel(), tmp_path, "prune_retrain", t05_prune_retrain.REFERENCE
    )
    with pytest.raises(AssertionError, match="changed its argument data in place"):
        t05_prune_retrain.check(answer)


def test_a_division_by_zero_graded_through_plain_data_gets_its_hint(tmp_path, monkeypatch):
    """A ZeroDivisionError raised in the submission's kernel arrives named, and is named."""
    from exercise_answers.t05_cubic_sparsity import divides_by_zero

    monkeypatch.setattr(remote, "_namespace", lambda: {"cubic_sparsity": divides_by_zero})
    answer = remote.RemoteAnswer(
        InProcessKernel(), tmp_path, "cubic_sparsity", t05_cubic_sparsity.REFERENCE
    )
    with pytest.raises(AssertionError, match="divided by zero"):
        t05_cubic_sparsity.check(answer)


def test_predict_is_fair_on_every_seed():
    """On every schedule the check draws, mp.cubic_sparsity is halfway at the same fraction of
    the interval, 1 - 2 ** (-1/3), to within one step in 10,000: far inside the tolerance."""
    truth = 1 - 2 ** (-1 / 3)
    for seed in range(30):
        for schedule in t05_predict.cases(np.random.default_rng(seed), hidden=True):
            m = t05_predict.measure(*schedule)
            assert abs(m["fraction"] - truth) < 2e-4, (seed, schedule, m)
            assert m["middle"] > m["half"]  # halfway through the steps, past halfway pruned


def test_predict_rejects_a_lying_answer():
    """A number that claims to equal anything is not a number the check accepts."""
    with pytest.raises(AssertionError, match="return one number"):
        t05_predict.check(always_equal)
    with pytest.raises(AssertionError, match="return one number"):
        t05_predict.check(liar(M.when_half_pruned))


def test_predict_explains_with_the_measured_steps():
    """A wrong prediction is told the step the check measured and the fraction it is."""
    with pytest.raises(AssertionError, match=r"halfway\) at step \d+, 0\.206 of the interval"):
        t05_predict.check(lambda: 0.5)


def test_predict_measures_the_step_where_the_target_first_reaches_halfway():
    """The measured step is the first whose target reaches halfway: the step before is below."""
    final, begin, end, initial = 0.9, 100, 10_100, 0.1
    m = t05_predict.measure(final, begin, end, initial)
    assert mp.cubic_sparsity(m["step"], final, begin, end, initial) >= m["half"] == 0.5
    assert mp.cubic_sparsity(m["step"] - 1, final, begin, end, initial) < m["half"]
