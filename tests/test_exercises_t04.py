"""Properties of topic 04's exercise checks that tests/test_exercises.py cannot state."""

import numpy as np
import pytest
from topic_checks import InProcessKernel, always_equal, assert_hidden, liar, master, perturbed

import minprune as mp
from minprune_course import checks, remote
from minprune_course.exercises import t04_cv, t04_folds, t04_predict, t04_scan, t04_select

M = master("04")


def test_a_wrong_scan_does_not_show_the_right_accuracies():
    """Slightly wrong accuracies fail without the hint giving the expected ones."""
    wrong = perturbed(M.sensitivity_scan, lambda scan: np.asarray(scan) * 0.999)
    with pytest.raises(AssertionError, match="values differ at") as info:
        t04_scan.check(wrong)
    assert_hidden(str(info.value), wrong.expected[-1])


def test_a_wrong_threshold_is_not_corrected_in_the_hint():
    """A threshold a little off fails with no threshold value in the hint."""
    wrong = perturbed(M.select_threshold, lambda t: None if t is None else t + 0.013)
    with pytest.raises(AssertionError) as info:
        t04_select.check(wrong)
    assert_hidden(str(info.value), [v for v in wrong.expected if v is not None])


def test_the_train_fn_given_to_the_answer_does_not_mind_the_order_of_the_rows():
    """train_fn trains the same network from the same rows in any order."""
    train_fn, X, y, _, _ = next(t04_cv.cases(checks.case_rng(t04_cv.GRADE_ID), False))
    order = np.random.default_rng(0).permutation(len(y))
    a, b = train_fn(X, y), train_fn(X[order], y[order])
    assert all(np.array_equal(p.W, q.W) for p, q in zip(a.layers, b.layers, strict=True))


EXERCISES = [
    (t04_scan, "sensitivity_scan"),
    (t04_folds, "kfold_indices"),
    (t04_cv, "cross_val_accuracy"),
    (t04_select, "select_threshold"),
    (t04_predict, "prediction"),
]


@pytest.mark.parametrize(("module", "name"), EXERCISES, ids=[m.__name__ for m, _ in EXERCISES])
def test_the_master_passes_when_graded_through_plain_data(module, name, tmp_path, monkeypatch):
    """The grader calls the answer in the submission's kernel: the cases cross as plain data
    (a generator or train_fn is built there, by the module's probe) and so do the results."""
    monkeypatch.setattr(remote, "_namespace", lambda: {name: getattr(M, name)})
    answer = remote.RemoteAnswer(InProcessKernel(), tmp_path, name, module.REFERENCE)
    module.check(answer)
    module.check(answer, hidden=True, seed=0)


def test_a_mistake_graded_through_plain_data_gets_its_hint(tmp_path, monkeypatch):
    """Through the probe, training on every row is still named."""
    from exercise_answers.t04_cv import trained_on_everything

    monkeypatch.setattr(remote, "_namespace", lambda: {"cross_val_accuracy": trained_on_everything})
    answer = remote.RemoteAnswer(
        InProcessKernel(), tmp_path, "cross_val_accuracy", t04_cv.REFERENCE
    )
    with pytest.raises(AssertionError, match="train_fn got the held-out fold too"):
        t04_cv.check(answer)


def test_an_answer_changing_its_input_through_plain_data_fails(tmp_path, monkeypatch):
    """An answer that shuffles y in place fails with "in place" when graded, too."""

    def shuffles(y, k, rng):
        folds = M.kfold_indices(y, k, rng)
        y.sort()
        return folds

    monkeypatch.setattr(remote, "_namespace", lambda: {"kfold_indices": shuffles})
    answer = remote.RemoteAnswer(InProcessKernel(), tmp_path, "kfold_indices", t04_folds.REFERENCE)
    with pytest.raises(AssertionError, match="changed its argument y in place"):
        t04_folds.check(answer)


def test_predict_is_fair_on_every_seed():
    """On every network the check draws, one round of SynFlow at 99% keeps output weights only,
    with a margin no CPU's rounding can cross: the lowest output score kept is over 1.3 times
    the highest score of any hidden weight."""
    layers = list(t04_predict.LAYERS)
    for seed in range(30):
        for net in t04_predict.cases(np.random.default_rng(seed), hidden=True):
            counts = t04_predict.kept(net)
            assert counts[0] == counts[1] == 0 and counts[2] > 0
            scores = mp.synflow_scores(net, layers)
            lowest_kept = np.sort(scores[2].ravel())[-counts[2]]
            assert lowest_kept > 1.3 * max(scores[0].max(), scores[1].max())


def test_predict_rejects_a_lying_answer():
    """An object that claims to equal anything is not a list of layer indices."""
    with pytest.raises(AssertionError, match="list of layer indices"):
        t04_predict.check(always_equal)
    with pytest.raises(AssertionError, match="holds something else than ints"):
        t04_predict.check(liar(lambda: [2]))


def test_predict_explains_with_the_measured_counts():
    """A wrong prediction is told the counts the check measured, and why."""
    with pytest.raises(AssertionError, match=r"kept 0, 0 and 170 weights in layers 0, 1 and 2"):
        t04_predict.check(lambda: [0, 1, 2])


def test_iterated_synflow_would_make_every_layer_right():
    """The mistake 'every layer' is right for 100 rounds: the check's hint names the difference."""
    net = next(t04_predict.cases(np.random.default_rng(0), hidden=False))
    iterated = mp.synflow_prune(net.copy(), 0.99, rounds=100, layers=list(t04_predict.LAYERS))
    assert all(np.count_nonzero(layer.mask) > 0 for layer in iterated.layers)
    assert "iterative SynFlow" in t04_predict.MISTAKES["every_layer"]
