"""Checks of exercises 04 (choosing what to prune): mistakes get their hints, not the answer."""

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
from minprune import selection
from minprune_course import checks_04 as c

M = master("04")
OWN_WORK = "minprune.selection is what the check compares your answer with"


# ------------------------------------------------------------------ scan
def scan_in_place(net, X, y, sparsities, layers):
    return [[mp.prune(net, sparsity=float(s), layers=[i]).accuracy(X, y) for s in sparsities]
            for i in layers]  # fmt: skip


def scan_all_layers(net, X, y, sparsities, layers):
    row = [
        mp.prune(net.copy(), sparsity=float(s), layers=list(layers)).accuracy(X, y)
        for s in sparsities
    ]
    return [row for _ in layers]


def scan_transposed(net, X, y, sparsities, layers):
    return np.asarray(M.sensitivity_scan(net, X, y, sparsities, layers)).T


def scan_every_layer(net, X, y, sparsities, layers):
    return M.sensitivity_scan(net, X, y, sparsities, range(len(net.layers)))


# ----------------------------------------------------------------- folds
def folds_fixed_seed(y, k, rng):
    return M.kfold_indices(y, k, np.random.default_rng(0))


def folds_fresh_generator(y, k, rng):
    return M.kfold_indices(y, k, np.random.default_rng())


def folds_unstratified(y, k, rng):
    return np.array_split(rng.permutation(len(y)), k)


def folds_one_short(y, k, rng):
    folds = M.kfold_indices(y, k, rng)
    return folds[:-1] + [folds[-1][:-1]]


def folds_too_few(y, k, rng):
    return M.kfold_indices(y, k, rng)[:-1]


def folds_as_masks(y, k, rng):
    return [np.isin(np.arange(len(y)), f) for f in M.kfold_indices(y, k, rng)]


# ------------------------------------------------------ cross-validation
def cv_leaky(train_fn, X, y, folds, thresholds):
    return M.cross_val_accuracy(lambda X_train, y_train: train_fn(X, y), X, y, folds, thresholds)


def cv_in_place(train_fn, X, y, folds, thresholds):
    base, acc = np.zeros(len(folds)), np.zeros((len(folds), len(thresholds)))
    for j, fold in enumerate(folds):
        rest = np.setdiff1d(np.arange(len(y)), fold)
        net = train_fn(X[rest], y[rest])
        base[j] = net.accuracy(X[fold], y[fold])
        for i, t in enumerate(thresholds):
            acc[j, i] = mp.prune(net, threshold=float(t)).accuracy(X[fold], y[fold])
    return base, acc


def cv_train_accuracy(train_fn, X, y, folds, thresholds):
    base, acc = M.cross_val_accuracy(train_fn, X, y, folds, thresholds)
    nets = []

    def spy(X_train, y_train):
        nets.append((train_fn(X_train, y_train), X_train, y_train))
        return nets[-1][0]

    M.cross_val_accuracy(spy, X, y, folds, thresholds)
    return np.array([net.accuracy(Xt, yt) for net, Xt, yt in nets]), acc


def cv_transposed(train_fn, X, y, folds, thresholds):
    base, acc = M.cross_val_accuracy(train_fn, X, y, folds, thresholds)
    return base, acc.T


def cv_too_few_trainings(train_fn, X, y, folds, thresholds):
    return np.zeros(len(folds)), np.zeros((len(folds), len(thresholds)))


# -------------------------------------------------------------- selection
def select_largest_within(thresholds, accuracy, base, tolerance):
    drop = np.mean(base[:, None] - accuracy, axis=0)
    within = drop <= tolerance + 1e-9
    return float(thresholds[within].max()) if within.any() else None


def select_no_slack(thresholds, accuracy, base, tolerance):
    drop = np.mean(base[:, None] - accuracy, axis=0)
    chosen = None
    for t, d in zip(thresholds, drop):
        if d > tolerance:
            break
        chosen = float(t)
    return chosen


def select_every_fold(thresholds, accuracy, base, tolerance):
    chosen = None
    for i, t in enumerate(thresholds):
        if np.any(base - accuracy[:, i] > tolerance + 1e-9):
            break
        chosen = float(t)
    return chosen


def select_never(thresholds, accuracy, base, tolerance):
    return None


def select_index(thresholds, accuracy, base, tolerance):
    chosen = M.select_threshold(thresholds, accuracy, base, tolerance)
    return None if chosen is None else int(np.flatnonzero(thresholds == chosen)[0]) + 100


FRESH_COPY = "prune a fresh copy of net for every (layer, sparsity)"
WRONG = [
    (c.check_sensitivity_scan, scan_in_place, False, FRESH_COPY),
    (c.check_sensitivity_scan, scan_all_layers, False, "must prune layer layers[j] alone"),
    (c.check_sensitivity_scan, scan_transposed, False, "expected one row per layer"),
    (c.check_sensitivity_scan, scan_every_layer, False, "has shape"),
    (c.check_kfold_indices, folds_fixed_seed, False, "other seeds give the same folds"),
    (c.check_kfold_indices, folds_fresh_generator, False, "the same seed gave different folds"),
    (c.check_kfold_indices, folds_unstratified, True, "a stratified split gives every fold"),
    (c.check_kfold_indices, folds_one_short, False, "must hold every index 0 .. n-1 exactly once"),
    (c.check_kfold_indices, folds_too_few, False, "folds; expected k ="),
    (c.check_kfold_indices, folds_as_masks, False, "array of bool values; expected integers"),
    (c.check_cross_val_accuracy, cv_leaky, False, "train_fn got the held-out fold too"),
    (c.check_cross_val_accuracy, cv_in_place, True, "prune a fresh copy of each fold's network"),
    (c.check_cross_val_accuracy, cv_train_accuracy, False, "(the dense accuracy on each held-out"),
    (c.check_cross_val_accuracy, cv_transposed, False, ("has shape", "values differ at")),
    (c.check_cross_val_accuracy, cv_too_few_trainings, False, "train one network per fold"),
    (c.check_select_threshold, select_largest_within, False, "stop at the first one that drops"),
    (c.check_select_threshold, select_no_slack, False, "compare drop <= tolerance + 1e-9"),
    (c.check_select_threshold, select_every_fold, True, "average the drop over the folds"),
    # None is also what the every-fold mistake returns on some draws, and that hint comes first
    (
        c.check_select_threshold,
        select_never,
        False,
        ("returned None, but a threshold stays", "average the drop over the folds"),
    ),
    (c.check_select_threshold, select_index, False, "is not one of the thresholds"),
]


test_a_wrong_answer_gets_its_hint = wrong_answer_test(WRONG)


test_wrong_numbers_that_claim_equality_fail = liar_test(
    [
        (c.check_sensitivity_scan, M.sensitivity_scan),
        (c.check_kfold_indices, M.kfold_indices),
        (c.check_cross_val_accuracy, M.cross_val_accuracy),
        (c.check_select_threshold, M.select_threshold),
    ]
)


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (
            c.check_sensitivity_scan,
            lambda net, X, y, s, layers: selection.sensitivity_scan(net, X, y, s, layers),
        ),
        (c.check_kfold_indices, lambda y, k, rng: selection.kfold_indices(y, k, rng=rng)),
        (
            c.check_cross_val_accuracy,
            lambda fn, X, y, folds, t: selection.cross_val_accuracy(fn, X, y, folds, t),
        ),
        (c.check_select_threshold, lambda t, a, b, tol: selection.largest_within(t, a, b, tol)),
    ],
    ids=["scan", "folds", "cross_val", "select"],
)
def test_calling_minprune_selection_is_switched_off(check, answer):
    """An answer that calls minprune.selection fails and is told which functions it may use."""
    with pytest.raises(AssertionError, match=OWN_WORK):
        run(check, answer)


def test_a_wrong_scan_does_not_show_the_right_accuracies():
    """Slightly wrong accuracies fail without the hint giving the expected ones."""
    wrong = perturbed(M.sensitivity_scan, lambda scan: np.asarray(scan) * 0.999)
    with pytest.raises(AssertionError, match="values differ at") as info:
        run(c.check_sensitivity_scan, wrong)
    assert_hidden(str(info.value), wrong.expected[-1])


def test_a_wrong_threshold_is_not_corrected_in_the_hint():
    """A threshold one step off fails with no threshold value in the hint."""
    wrong = perturbed(M.select_threshold, lambda t: None if t is None else t + 0.013)
    with pytest.raises(AssertionError) as info:
        run(c.check_select_threshold, wrong)
    assert_hidden(str(info.value), [v for v in wrong.expected if v is not None])


SEEDS = range(100)  # include draws that once passed these mistakes: 8 and 22


@pytest.mark.parametrize(
    ("check", "answer", "text"),
    [
        (c.check_cross_val_accuracy, cv_in_place, "prune a fresh copy of each fold's network"),
        (c.check_select_threshold, select_every_fold, "average the drop over the folds"),
    ],
    ids=["cv-in-place", "select-every-fold"],
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
        (c.check_cross_val_accuracy, M.cross_val_accuracy),
        (c.check_select_threshold, M.select_threshold),
    ],
    ids=["cross_val", "select"],
)
def test_the_master_passes_every_visible_draw(check, answer, monkeypatch):
    """Drawing the visible case again until it shows pruning in place never fails the master."""
    for seed in SEEDS:
        pin_rng(monkeypatch, seed)
        run(check, answer)
