"""Exercise 04.3: ``cross_val_accuracy(train_fn, X, y, folds, thresholds)``, retrain per fold.

PROBE: a function cannot cross the grader's sandbox, so the check sends the training's
plain parameters and ``probe(answer, X, y, folds, thresholds, n_classes, width, seed)``,
run where the answer lives (``remote.asking``), builds ``train_fn =
functools.partial(train, n_classes=, width=, seed=)`` of this module's ``train`` (arrays
in, a ``minprune.Network`` out) and returns ``answer(train_fn, X, y, folds,
thresholds)``. ``train`` sorts the rows it gets before training, so the network depends
on which rows arrive, not on their order. The answer is judged by the ``(base,
accuracy)`` it returns alone.

The first case of every draw is drawn again until each known mistake gives a result
of its own: thresholds out of order (so one network pruned again and again shows),
more thresholds than folds (so a transposed table shows), and training on every row
or measuring the base on the training rows changes some accuracy. Accuracies are
ratios of counts, compared to 1e-6: float32 results pass.
"""

import functools
import sys

import numpy as np

import minprune as mp
from minprune_course import checks, remote

from . import _t04

GRADE_ID = "t04_cv_test"
ANSWER = "cross_val_accuracy"
SIGNATURE = "(train_fn, X, y, folds, thresholds)"
REFERENCE = ("minprune.cross_val_accuracy", "minprune.pruning_curve")
MISTAKES = {
    "trained_on_everything": "train_fn got the held-out fold too; train each fold's network "
    "on the other folds only, X[rest] and y[rest]",
    "pruned_in_place": "an entry depends on the ones before it: one network was pruned "
    "again and again; prune a fresh copy of each fold's network, net.copy(), for every "
    "threshold",
    "base_on_training_rows": "base is not each network's dense accuracy on its held-out "
    "fold: measure it on X[folds[j]], y[folds[j]], not on the rows it was trained on",
    "transposed": "expected accuracy of shape (len(folds), len(thresholds)): one row per "
    "fold, one column per threshold",
}
ATOL = 1e-6  # accuracies differ by 1 / (fold size) or more; float32 results are within 1e-7
NAMES = ("X", "y", "folds", "thresholds", "n_classes", "width", "seed")


def probe(answer, X, y, folds, thresholds, n_classes, width, seed):
    """``answer(train_fn, X, y, folds, thresholds)`` with ``train_fn`` built from the
    training's parameters: the ``(base, accuracy)`` it returns."""
    train_fn = functools.partial(train, n_classes=n_classes, width=width, seed=seed)
    return answer(train_fn, X, y, folds, thresholds)


def train(X_train, y_train, n_classes, width, seed):
    """A small seeded tanh network trained 3 epochs on the rows in a fixed order.

    Sorting the rows first makes the network independent of the order they arrive in.
    The check asks for the same networks several times (the reference, the mistakes,
    the answer): each is trained once and handed out as a copy.
    """
    X_train, y_train = np.asarray(X_train), np.asarray(y_train)
    order = np.lexsort(X_train.T[::-1])
    X_train, y_train = X_train[order], y_train[order]
    key = (X_train.shape, X_train.tobytes(), y_train.tobytes(), n_classes, width, seed)
    if key not in _TRAINED:
        if len(_TRAINED) >= 64:
            _TRAINED.clear()
        net = mp.Network(
            [X_train.shape[1], width, n_classes], activation="tanh", dtype="float64", rng=seed
        )
        mp.train(net, X_train, y_train, epochs=3, batch_size=16, rng=seed, progress=False)
        _TRAINED[key] = net
    return _TRAINED[key].copy()


_TRAINED = {}


def _mistakes(train_fn, X, y, folds, thresholds, expected):
    """What each known mistake returns on this case."""
    base, accuracy = expected
    everything = train_fn(X, y)
    leaked = [[], []]
    in_place, on_training_rows = [], []
    for fold in folds:
        rest = np.setdiff1d(np.arange(len(y)), fold)
        net = train_fn(X[rest], y[rest])
        on_training_rows.append(net.accuracy(X[rest], y[rest]))
        in_place.append(
            [mp.prune(net, threshold=float(t)).accuracy(X[fold], y[fold]) for t in thresholds]
        )
        leaked[0].append(everything.accuracy(X[fold], y[fold]))
        leaked[1].append(
            [
                mp.prune(everything.copy(), threshold=float(t)).accuracy(X[fold], y[fold])
                for t in thresholds
            ]
        )
    return {
        "trained_on_everything": [np.array(leaked[0]), np.array(leaked[1])],
        "pruned_in_place": [base, np.array(in_place)],
        "base_on_training_rows": [np.array(on_training_rows), accuracy],
        "transposed": [base, accuracy.T],
    }


def _draw(rng, k):
    """``(train_fn, X, y, folds, thresholds)``: data labelled by a teacher, stratified folds."""
    teacher, X, y = _t04.teacher(rng, n=int(rng.integers(60, 90)), n_hidden=1)
    folds = mp.kfold_indices(y, k, rng=rng)
    train_fn = functools.partial(
        train,
        n_classes=teacher.sizes[-1],
        width=int(rng.integers(6, 12)),
        seed=int(rng.integers(2**31)),
    )
    thresholds = _t04.grid(rng, 0.0, 1.0, int(rng.integers(k + 1, k + 4)), shuffled=True)
    return train_fn, X, y, folds, thresholds


def _prepared(rng, hidden):
    """``(inputs, expected, mistakes)`` of each case. The first is drawn again until every
    mistake gives a result of its own (the others' mistakes are worked out by the check
    when an answer is wrong, as ``None`` says); hidden adds 2 and 5 folds."""
    (reference,) = checks.public(REFERENCE[0])

    def prepare(inputs, showing=False):
        train_fn, X, y, folds, thresholds = inputs
        expected = list(reference(train_fn, X, y, folds, thresholds=thresholds))
        return inputs, expected, _mistakes(*inputs, expected) if showing else None

    while True:
        first = prepare(_draw(rng, int(rng.integers(3, 5))), showing=True)
        if _t04.distinct(*first[1:], ATOL):
            break
    yield first
    if hidden:
        yield prepare(_draw(rng, 2))
        yield prepare(_draw(rng, 5))


def cases(rng, hidden):
    """``(train_fn, X, y, folds, thresholds)``: see ``_prepared``."""
    for inputs, _, _ in _prepared(rng, hidden):
        yield inputs


def check(answer, hidden=False, seed=None):
    """``answer(train_fn, X, y, folds, thresholds)`` is ``(base, accuracy)`` as
    ``mp.cross_val_accuracy`` computes them."""
    references = checks.public(*REFERENCE)
    ask = remote.asking(sys.modules[__name__], answer)
    for inputs, expected, mistakes in _prepared(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        train_fn, X, y, folds, thresholds = inputs
        k, m = len(folds), len(thresholds)
        what = (
            f"cross_val_accuracy(train_fn, X, y, folds, thresholds) with {k} folds, {m} thresholds"
        )
        params = [train_fn.keywords[key] for key in ("n_classes", "width", "seed")]
        got = checks.call(
            ask, X, y, folds, thresholds, *params, what=what, without=references, names=NAMES
        )
        checks.expect_true(
            isinstance(got, tuple | list) and len(got) == 2,
            f"{what} returned a {type(got).__name__}; expected a tuple (base, accuracy)",
        )
        if not checks.matches(got, expected, rtol=0.0, atol=ATOL):
            mistakes = _mistakes(*inputs, expected) if mistakes is None else mistakes
            _t04.no_mistake(what, got, expected, mistakes, MISTAKES, ATOL)
        base = checks.expect_array(got[0], shape=(k,), what=f"base of {what}")
        accuracy = checks.expect_array(got[1], shape=(k, m), what=f"accuracy of {what}")
        checks.expect_close(base, expected[0], f"base of {what}", rtol=0.0, atol=ATOL)
        checks.expect_close(accuracy, expected[1], f"accuracy of {what}", rtol=0.0, atol=ATOL)
    checks.passed()
