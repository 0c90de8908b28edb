"""Checks of exercises 06 (neuron removal): mistakes get their hints, not the answer."""

import numpy as np
import pytest
from topic_checks import (
    assert_hidden,
    hint,
    liar_test,
    master,
    perturbed,
    pin_rng,
    run,
    wrong_answer_test,
)

import minprune as mp
from minprune.activations import ACTIVATIONS
from minprune_course import checks_06 as c

M = master("06")
OWN_WORK = "switched off while it runs"


def _gone(W, keep):
    return np.setdiff1d(np.arange(W.shape[1]), keep)


# ----------------------------------------------------------------- scores
def _scores_with(**changes):
    def scores(W, W_next, A):
        out = M.neuron_scores(W, W_next, A)
        W, W_next, A = (np.asarray(x, dtype=np.float64) for x in (W, W_next, A))
        out.update({key: fn(W, W_next, A) for key, fn in changes.items()})
        return out

    return scores


scores_l2_squared = _scores_with(incoming_l2=lambda W, Wn, A: (W**2).sum(axis=0))
scores_signed_mean = _scores_with(mean_activation=lambda W, Wn, A: A.mean(axis=0))
scores_sample_variance = _scores_with(activation_variance=lambda W, Wn, A: A.var(axis=0, ddof=1))
scores_std = _scores_with(activation_variance=lambda W, Wn, A: A.std(axis=0))
scores_swapped = _scores_with(outgoing_l1=lambda W, Wn, A: np.abs(W).sum(axis=0))
scores_rows = _scores_with(incoming_l1=lambda W, Wn, A: np.abs(W).sum(axis=1))
scores_outgoing_columns = _scores_with(outgoing_l1=lambda W, Wn, A: np.abs(Wn).sum(axis=0))
scores_per_sample = _scores_with(mean_activation=lambda W, Wn, A: np.abs(A).mean(axis=1))


def scores_missing(W, W_next, A):
    out = M.neuron_scores(W, W_next, A)
    del out["outgoing_l2"]
    return out


def scores_as_list(W, W_next, A):
    return list(M.neuron_scores(W, W_next, A).values())


# ---------------------------------------------------------- remove neurons
def remove_no_shift(W, b, W_next, b_next, keep, activation):
    return W[:, keep], b[keep], W_next[keep], b_next


def remove_f_of_b(W, b, W_next, b_next, keep, activation):
    gone = _gone(W, keep)
    f = ACTIVATIONS[activation][0]
    shift = f(b[gone].astype(np.float64)) @ W_next[gone].astype(np.float64)
    return W[:, keep], b[keep], W_next[keep], (b_next + shift).astype(W.dtype)


def remove_always_half(W, b, W_next, b_next, keep, activation):
    shift = 0.5 * W_next[_gone(W, keep)].sum(axis=0)
    return W[:, keep], b[keep], W_next[keep], (b_next + shift).astype(W.dtype)


def remove_float64(W, b, W_next, b_next, keep, activation):
    out = M.remove_neurons(W, b, W_next, b_next, keep, activation)
    return tuple(x.astype(np.float64) for x in out)


def remove_wrong_rows(W, b, W_next, b_next, keep, activation):
    out = M.remove_neurons(W, b, W_next, b_next, keep, activation)
    return out[0], out[1], W_next[: len(keep)], out[3]


def remove_three(W, b, W_next, b_next, keep, activation):
    return M.remove_neurons(W, b, W_next, b_next, keep, activation)[:3]


# ---------------------------------------------------------------- folding
def _fold(W, b, W_next, b_next, A, tol, *, strict=False, first_row=False, empty_ok=False):
    A = np.asarray(A, dtype=np.float64)
    spread = A.max(axis=0) - A.min(axis=0)
    constant = np.flatnonzero(spread < tol if strict else spread <= tol)
    if constant.size == W.shape[1] and not empty_ok:
        constant = constant[1:]
    keep = np.setdiff1d(np.arange(W.shape[1]), constant)
    value = A[0, constant] if first_row else A[:, constant].mean(axis=0)
    shift = value @ W_next[constant].astype(np.float64)
    return W[:, keep], b[keep], W_next[keep], (b_next + shift).astype(W.dtype), constant


def fold_strict(W, b, W_next, b_next, A, tol):
    return _fold(W, b, W_next, b_next, A, tol, strict=True)


def fold_first_row(W, b, W_next, b_next, A, tol):
    return _fold(W, b, W_next, b_next, A, tol, first_row=True)


def fold_everything(W, b, W_next, b_next, A, tol):
    return _fold(W, b, W_next, b_next, A, tol, empty_ok=True)


def fold_no_shift(W, b, W_next, b_next, A, tol):
    out = M.fold_constant_neurons(W, b, W_next, b_next, A, tol)
    return out[0], out[1], out[2], b_next, out[4]


def fold_unsorted(W, b, W_next, b_next, A, tol):
    out = M.fold_constant_neurons(W, b, W_next, b_next, A, tol)
    return (*out[:4], out[4][::-1])


# ---------------------------------------------------------------- merging
def _merge(W, b, W_next, b_next, tol, *, chain=False, add=True):
    C = np.vstack([W, b[None, :]]).astype(np.float64)
    n = W.shape[1]
    owner = np.full(n, -1)
    for j in range(n):
        if owner[j] >= 0:
            continue
        owner[j] = j
        frontier = [j]
        while frontier:
            i = frontier.pop()
            new = np.flatnonzero((owner < 0) & (np.abs(C - C[:, [i]]).max(axis=0) <= tol))
            owner[new] = j
            if chain:
                frontier += list(new)
    keep = np.flatnonzero(owner == np.arange(n))
    if not add:
        return W[:, keep], b[keep], W_next[keep], b_next
    rows = np.zeros(W_next.shape)
    np.add.at(rows, owner, W_next)
    return W[:, keep], b[keep], rows[keep].astype(W.dtype), b_next


def merge_chained(W, b, W_next, b_next, tol):
    return _merge(W, b, W_next, b_next, tol, chain=True)


def merge_rows_dropped(W, b, W_next, b_next, tol):
    return _merge(W, b, W_next, b_next, tol, add=False)


def merge_strict(W, b, W_next, b_next, tol):
    return M.merge_duplicate_neurons(W, b, W_next, b_next, tol * (1 - 1e-12) - 1e-300)


def merge_nothing(W, b, W_next, b_next, tol):
    return W, b, W_next, b_next


def merge_averaged(W, b, W_next, b_next, tol):
    out = M.merge_duplicate_neurons(W, b, W_next, b_next, tol)
    return out[0], out[1], out[2] / 2, out[3]


SIGMOID_SHIFT = ("add what the removed neurons send", "outputs f(0), not f(b_j)")
WRONG = [
    (c.check_neuron_scores, scores_l2_squared, False, "this is the sum of squares"),
    (c.check_neuron_scores, scores_signed_mean, True, "average the absolute activation |a|"),
    (c.check_neuron_scores, scores_sample_variance, False, "use the population variance"),
    (c.check_neuron_scores, scores_std, False, "this is the standard deviation"),
    (c.check_neuron_scores, scores_swapped, False, "these are the incoming weights"),
    # a square W or W_next hides the axis in the shape: then only the values differ
    (
        c.check_neuron_scores,
        scores_rows,
        False,
        ("the incoming weights of neuron j are the column", "values differ at"),
    ),
    (
        c.check_neuron_scores,
        scores_outgoing_columns,
        False,
        ("the outgoing weights of neuron j", "values differ at"),
    ),
    (c.check_neuron_scores, scores_per_sample, False, "average over the samples (the rows of A)"),
    (c.check_neuron_scores, scores_missing, False, "the dict has no key 'outgoing_l2'"),
    (c.check_neuron_scores, scores_as_list, False, "returned a list; expected a dict"),
    (c.check_remove_neurons, remove_no_shift, False, "still outputs f(0) = 0.5"),
    (c.check_remove_neurons, remove_f_of_b, False, "it outputs f(0), not f(b_j)"),
    (c.check_remove_neurons, remove_always_half, True, "f(0) = 0, so b_next must stay"),
    (c.check_remove_neurons, remove_float64, True, "keep the weights' dtype"),
    (c.check_remove_neurons, remove_wrong_rows, True, "not the kept neurons' part"),
    (c.check_remove_neurons, remove_three, False, "expected a tuple (W, b, W_next, b_next)"),
    (c.check_fold_constant_neurons, fold_strict, False, "must include equality"),
    (c.check_fold_constant_neurons, fold_first_row, True, "not one sample"),
    (c.check_fold_constant_neurons, fold_everything, True, "keep the lowest-index one"),
    (c.check_fold_constant_neurons, fold_no_shift, False, "b_next is unchanged"),
    (c.check_fold_constant_neurons, fold_unsorted, True, "must be sorted ascending"),
    (c.check_merge_duplicate_neurons, merge_rows_dropped, True, "outgoing rows were dropped"),
    # with tol = 0 a strict comparison leaves even a neuron out of its own group
    (
        c.check_merge_duplicate_neurons,
        merge_strict,
        True,
        ("too few neurons merged", "a neuron is within tol of itself"),
    ),
    (c.check_merge_duplicate_neurons, merge_nothing, True, "too few neurons merged"),
    (c.check_merge_duplicate_neurons, merge_averaged, False, "the sum of its group's rows"),
]


test_a_wrong_answer_gets_its_hint = wrong_answer_test(WRONG)


test_wrong_numbers_that_claim_equality_fail = liar_test(
    [
        (c.check_neuron_scores, M.neuron_scores),
        (c.check_remove_neurons, M.remove_neurons),
        (c.check_fold_constant_neurons, M.fold_constant_neurons),
        (c.check_merge_duplicate_neurons, M.merge_duplicate_neurons),
    ],
    hidden=True,
)


def _net(W, b, W_next, b_next, activation):
    return mp.Network.from_weights([W, W_next], [b, b_next], [activation, "identity"])


def _layers(net):
    return net.layers[0].W, net.layers[0].b, net.layers[1].W, net.layers[1].b


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (
            c.check_neuron_scores,
            lambda W, Wn, A: (
                {k: np.zeros(W.shape[1]) for k in mp.NEURON_SCORES}
                | {
                    "incoming_l1": mp.NEURON_SCORES["incoming_l1"](
                        _net(W, W[0], Wn, Wn[0], "relu"), 0
                    )
                }
            ),
        ),
        (
            c.check_remove_neurons,
            lambda W, b, Wn, bn, keep, act: _layers(
                mp.remove_neurons(_net(W, b, Wn, bn, act), 0, keep)
            ),
        ),
        (
            c.check_merge_duplicate_neurons,
            lambda W, b, Wn, bn, tol: _layers(
                mp.merge_duplicate_neurons(_net(W, b, Wn, bn, "relu"), 0, tol=tol)[0]
            ),
        ),
    ],
    ids=["scores", "remove", "merge"],
)
def test_calling_minprune_is_switched_off(check, answer):
    """An answer that calls minprune's structured pruning fails and is told why."""
    with pytest.raises(AssertionError, match=OWN_WORK):
        run(check, answer)


def test_a_chained_merge_gets_its_hint(monkeypatch):
    """Merging through a chain of near neighbours is named (on a draw where it shows)."""
    pin_rng(monkeypatch, 0)
    with pytest.raises(AssertionError, match=hint("compare each candidate with the group")):
        run(c.check_merge_duplicate_neurons, merge_chained, hidden=True)


SEEDS = range(200)  # include draws that once missed these mistakes: 3, 62 and 113


def test_the_hidden_battery_always_tells_chained_merging_apart(monkeypatch):
    """Every hidden battery has a chain whose far end must stay unmerged."""
    for seed in SEEDS:
        pin_rng(monkeypatch, seed)
        with pytest.raises(AssertionError, match=hint("compare each candidate with the group")):
            run(c.check_merge_duplicate_neurons, merge_chained, hidden=True)


@pytest.mark.parametrize(
    ("check", "answer", "text"),
    [
        (c.check_remove_neurons, remove_wrong_rows, "rows keep of W_next"),
        (c.check_merge_duplicate_neurons, merge_nothing, "too few neurons merged"),
        (c.check_merge_duplicate_neurons, merge_rows_dropped, "outgoing rows were dropped"),
    ],
    ids=["remove-first-rows", "merge-nothing", "merge-rows-dropped"],
)
def test_the_visible_draw_shows_the_usual_mistakes(check, answer, text, monkeypatch):
    """The visible check alone fails each usual mistake with its hint, whatever it draws."""
    for seed in SEEDS:
        pin_rng(monkeypatch, seed)
        with pytest.raises(AssertionError, match=hint(text)):
            run(check, answer)


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (c.check_remove_neurons, M.remove_neurons),
        (c.check_merge_duplicate_neurons, M.merge_duplicate_neurons),
    ],
    ids=["remove", "merge"],
)
def test_the_master_passes_every_draw(check, answer, monkeypatch):
    """Reordering the chain and planting near duplicates never fails the right answer."""
    for seed in SEEDS:
        pin_rng(monkeypatch, seed)
        run(check, answer, hidden=True)


def test_a_wrong_bias_does_not_show_the_right_one():
    """A slightly wrong folded b_next fails without the hint giving the expected values."""
    wrong = perturbed(M.fold_constant_neurons, lambda out: (*out[:3], out[3] * 1.01, out[4]))
    with pytest.raises(AssertionError) as info:
        run(c.check_fold_constant_neurons, wrong)
    assert_hidden(str(info.value), wrong.expected[-1][3])


def test_a_wrong_score_does_not_show_the_right_one():
    """A slightly wrong score fails without the hint giving the expected scores."""
    wrong = perturbed(M.neuron_scores, lambda s: s | {"outgoing_l1": s["outgoing_l1"] * 1.01})
    with pytest.raises(AssertionError, match="values differ at") as info:
        run(c.check_neuron_scores, wrong)
    assert_hidden(str(info.value), wrong.expected[-1]["outgoing_l1"])
