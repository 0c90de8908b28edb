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
