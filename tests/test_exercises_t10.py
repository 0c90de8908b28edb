"""Properties of topic 10's exercise checks that the generic tests cannot state."""

import pytest
import torch
from topic_checks import assert_hidden, master, perturbed

from minprune_course.exercises import t10_gate_rows, t10_shrink_rnn, t10_unit_scores

M = master("10")


def test_a_wrong_row_list_does_not_show_the_right_one():
    """Rows off by one fail without the hint listing the expected rows."""
    wrong = perturbed(M.gate_rows, lambda rows: rows + 1)
    with pytest.raises(AssertionError) as info:
        t10_gate_rows.check(wrong)
    right = wrong.expected[-1]
    message = str(info.value)
    assert str(right.tolist()) not in message
    assert_hidden(message, right.numpy())


def test_wrong_scores_do_not_show_the_right_ones():
    """Scores nudged a little fail without the hint showing the expected scores."""
    wrong = perturbed(M.unit_scores, lambda scores: scores * 1.01)
    with pytest.raises(AssertionError) as info:
        t10_unit_scores.check(wrong)
    assert_hidden(str(info.value), wrong.expected[-1].double().numpy())


@pytest.mark.parametrize(
    ("module", "answer"),
    [
        (t10_gate_rows, M.gate_rows),
        (t10_unit_scores, M.unit_scores),
        (t10_shrink_rnn, M.shrink_rnn),
    ],
    ids=["gate_rows", "unit_scores", "shrink_rnn"],
)
def test_a_check_leaves_torchs_random_state_alone(module, answer):
    """Running a check (whose answer may build a model) leaves torch's generator as it was."""
    torch.manual_seed(0)
    before = torch.get_rng_state()
    module.check(answer, hidden=True)
    assert torch.equal(torch.get_rng_state(), before)


# ------------------------------------------------------------------ predict then check
def test_predict_is_fair_on_every_seed():
    """Every model the check draws, LSTM or GRU, keeps exactly half of weight_ih_l0 and a
    quarter of weight_hh_l0, so the truth is one pair on every seed."""
    import numpy as np

    from minprune_course.exercises import t10_predict

    cells = set()
    for seed in range(30):
        for model, keep in t10_predict.cases(np.random.default_rng(seed), hidden=True):
            cells.add(model.cell)
            assert len(keep) * 2 == model.rnn.hidden_size
            assert t10_predict.fractions(t10_predict.kept(model, keep)) == (0.5, 0.25)
    assert cells == {"lstm", "gru"}


def test_predict_reads_the_shapes_of_the_rebuilt_layer():
    """The measured shapes are the rebuilt layer's: G*k rows for both matrices, the input's
    columns for weight_ih_l0 and k columns for weight_hh_l0."""
    import numpy as np

    from minprune.torchkit.rnn import GATES
    from minprune_course.exercises import t10_predict

    for model, keep in t10_predict.cases(np.random.default_rng(0), hidden=True):
        G, k, n_in = GATES[model.cell], len(keep), model.rnn.input_size
        shapes = t10_predict.kept(model, keep)
        assert shapes["weight_ih_l0"][1] == (G * k, n_in)
        assert shapes["weight_hh_l0"][1] == (G * k, k)


def test_predict_explains_with_the_measured_shapes():
    """A wrong pair is told the shapes the check measured and why."""
    from minprune_course.exercises import t10_predict

    with pytest.raises(AssertionError, match=r"weight_hh_l0 went from \(32, 8\) to \(16, 4\)"):
        t10_predict.check(lambda: (0.5, 0.5))


def test_predict_rejects_a_lying_answer():
    """An object that claims to equal anything is not a pair of numbers."""
    from topic_checks import always_equal, liar

    from minprune_course.exercises import t10_predict

    with pytest.raises(AssertionError, match="tuple of two numbers"):
        t10_predict.check(always_equal)
    with pytest.raises(AssertionError):
        t10_predict.check(liar(lambda: (0.5, 0.25)))


@pytest.mark.parametrize("pair", [(0.51, 0.24), (0.49, 0.26), [1 / 2, 1 / 4]])
def test_predict_accepts_within_its_tolerance(pair, capsys):
    """Each fraction within 0.01 of the measured one passes, visible and hidden."""
    from minprune_course.exercises import t10_predict

    t10_predict.check(lambda: pair)
    t10_predict.check(lambda: pair, hidden=True, seed=7)
    assert capsys.readouterr().out.count("public checks passed") == 2


@pytest.mark.parametrize("pair", [(0.512, 0.25), (0.5, 0.238)])
def test_predict_refuses_just_past_its_tolerance(pair):
    """A fraction more than 0.01 from the truth fails."""
    from minprune_course.exercises import t10_predict

    with pytest.raises(AssertionError, match="went from"):
        t10_predict.check(lambda: pair)
