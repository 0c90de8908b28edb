"""Answers to exercise t05_prune_retrain: its known mistakes and correct alternatives."""

import numpy as np

import minprune as mp

# Each check of this exercise trains a network and retrains it over several rounds
# (about 0.2 s for the hidden battery); 10 seeds keep the topic's share of
# tests/test_exercises.py near its budget, and the budgets' margins were measured over
# 400 seeds (see the module's docstring).
SEEDS = 10


def _retrain(net, data, epochs, rng):
    mp.train(net, data.X_train, data.y_train, epochs=epochs,
             optimizer=mp.SGD(lr=0.05, momentum=0.9), rng=rng, progress=False)  # fmt: skip


def _loop(net, data, sparsity, rounds, epochs, rng, target, retrain=True, **prune):
    records = []
    for k in range(1, rounds + 1):
        mp.prune(net, target(k), **prune)
        if retrain:
            _retrain(net, data, epochs, rng)
        records.append((mp.sparsity(net), net.accuracy(data.X_val, data.y_val)))
    return net, records


def _geometric(sparsity, rounds):
    return lambda k: 1.0 - (1.0 - sparsity) ** (k / rounds)


def dense_returned(net, data, sparsity, rounds, epochs, rng=0):
    _, records = _loop(
        net.copy(), data, sparsity, rounds, epochs, rng, _geometric(sparsity, rounds)
    )
    return net, records


def output_pruned(net, data, sparsity, rounds, epochs, rng=0):
    target = _geometric(sparsity, rounds)
    return _loop(net, data, sparsity, rounds, epochs, rng, target, include_output=True)


def linear_schedule(net, data, sparsity, rounds, epochs, rng=0):
    return _loop(net, data, sparsity, rounds, epochs, rng, lambda k: sparsity * k / rounds)


def rounds_from_zero(net, data, sparsity, rounds, epochs, rng=0):
    target = _geometric(sparsity, rounds)
    return _loop(net, data, sparsity, rounds, epochs, rng, lambda k: target(k - 1))


def no_retraining(net, data, sparsity, rounds, epochs, rng=0):
    target = _geometric(sparsity, rounds)
    return _loop(net, data, sparsity, rounds, epochs, rng, target, retrain=False)


def on_a_copy(net, data, sparsity, rounds, epochs, rng=0):
    """Prunes a copy and returns it: the caller's network stays dense, as the prompt allows."""
    return _loop(net.copy(), data, sparsity, rounds, epochs, rng, _geometric(sparsity, rounds))


def one_generator(net, data, sparsity, rounds, epochs, rng=0):
    """Draws every round's batches from one generator seeded by rng, and keeps the
    surviving fraction as a running product."""
    generator = np.random.default_rng(rng)
    keep, records = 1.0, []
    for _ in range(rounds):
        keep *= (1.0 - sparsity) ** (1.0 / rounds)
        mp.prune(net, sparsity=1.0 - keep)
        _retrain(net, data, epochs, generator)
        records.append([float(mp.sparsity(net)), float(net.accuracy(data.X_val, data.y_val))])
    return net, records


MISTAKES = {
    "dense_returned": dense_returned,
    "output_pruned": output_pruned,
    "linear_schedule": linear_schedule,
    "rounds_from_zero": rounds_from_zero,
    "no_retraining": no_retraining,
}
ALTERNATIVES = {"on_a_copy": on_a_copy, "one_generator": one_generator}
NOT_APPLICABLE = {
    "mutating": "the answer is meant to prune and retrain net in place (mp.prune and "
    "mp.train do), so the generic test, which changes the first argument, does not apply; "
    "tests/test_exercises_t05.py checks that changing data fails",
}
