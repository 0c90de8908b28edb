"""Exercise 05.3: ``prune_retrain(net, data, sparsity, rounds, epochs, rng)``, Han et al.'s loop.

The check trains a 64-100-10 digits network (15 epochs, seeded by the draw), hands the
answer a copy of it with the digits split, and reads back the ``(net, records)`` it
returns (through ``probe``, below): the target sparsity in the hidden layers, the pruned weights at 0, the output
layer whole, the records' sparsities on the schedule ``1 - (1 - s) ** (k / rounds)``,
the last record's accuracy that of the returned network, and a validation accuracy
within a budget of the dense network's. The answer may change ``net`` (``mp.prune`` and
``mp.train`` do), not ``data``.

PROBE: a data split cannot cross the grader's sandbox, so the check sends the network,
the numbers and the seed, and ``probe(answer, net, sparsity, rounds, epochs, seed)``, run
where the answer lives (``remote.asking``), loads the digits split there (``DATA_SEED``),
calls ``answer(net, data, sparsity, rounds, epochs, rng=seed)``, fails an answer that
changed ``data``, and returns the ``(net, records)`` it got.

The budgets hold for the master's loop with a margin: over 400 seeds its largest
drops were 0.042 (s = 0.9 in 3 rounds), 0.047 (0.95 in 4) and 0.017 (0.5 in 1), and
drawing the batches from another generator moved them by 0.003 at most. Pruning
without retraining is recognised by its weights (the dense ones, pruned), not by the
budget, which it sometimes meets at s = 0.9. Each dense network is kept for the next
check of the same seed.
"""

import functools
import sys

import numpy as np

import minprune as mp
from minprune_course import checks, remote

from . import _t04

GRADE_ID = "t05_prune_retrain_test"
ANSWER = "prune_retrain"
SIGNATURE = "(net, data, sparsity, rounds, epochs, rng=0)"
REFERENCE = ("minprune.iterative_pruning",)
MISTAKES = {
    "dense_returned": "the returned network has no pruned weight: prune net with mp.prune "
    "(which records the pruned weights in masks, so that retraining cannot regrow them) "
    "and return it",
    "output_pruned": "the output layer was pruned; prune the hidden layers only (mp.prune's "
    "default)",
    "linear_schedule": "the sparsities of the rounds grow in equal steps; round k prunes to "
    "1 - (1 - sparsity) ** (k / rounds), removing the same fraction of the surviving "
    "weights each round",
    "rounds_from_zero": "the first round pruned nothing and the last one stops short: k "
    "runs from 1 to rounds, so the last round reaches the target sparsity",
    "no_retraining": "the returned weights are the dense network's, pruned: retrain for "
    "`epochs` epochs after every pruning step, with a fresh mp.SGD(lr=0.05, momentum=0.9)",
}
DATA_SEED = 0
NAMES = ("net", "sparsity", "rounds", "epochs", "seed")


@functools.cache
def _digits():
    """The digits split the loop is checked on (loaded once)."""
    return mp.load_digits_split(rng=DATA_SEED)


@functools.lru_cache(maxsize=8)
def _trained(seed):
    """The dense 64-100-10 network of ``seed``, trained 15 epochs (kept: copy it)."""
    data = _digits()
    net = mp.Network([data.n_features, 100, data.n_classes], rng=seed)
    optimizer = mp.SGD(lr=0.05, momentum=0.9)
    mp.train(net, data.X_train, data.y_train, epochs=15, optimizer=optimizer, rng=seed,
             progress=False)  # fmt: skip
    return net


def probe(answer, net, sparsity, rounds, epochs, seed):
    """``answer(net, data, sparsity, rounds, epochs, rng=seed)`` on the digits split; an
    answer that changes ``data`` fails."""
    data = _digits()
    given = type(data)(**{k: v.copy() for k, v in vars(data).items()})
    result = answer(net, given, sparsity, rounds, epochs, rng=seed)
    checks.expect_true(
        checks.same(given, data),
        f"{ANSWER} changed its argument data in place; the exercise asks you to leave data "
        "as it was (mp.train does not change it)",
    )
    return result


def cases(rng, hidden):
    """``(seed, sparsity, rounds, epochs, budget)``: 0.9 in 3 rounds; hidden adds 0.95 in 4
    and 0.5 in one round."""
    yield int(rng.integers(2**31)), 0.9, 3, 3, 0.06
    if hidden:
        yield int(rng.integers(2**31)), 0.95, 4, 3, 0.07
        yield int(rng.integers(2**31)), 0.5, 1, 2, 0.04


def _records(records, rounds, what):
    """The answer's list of ``(sparsity, accuracy)`` pairs, as floats."""
    checks.expect_true(
        isinstance(records, list | tuple),
        f"{what} returned records of type {type(records).__name__}; expected a list with one "
        "(sparsity, accuracy) pair per round",
    )
    checks.expect_true(
        len(records) == rounds, f"{what} returned {len(records)} records for {rounds} rounds"
    )
    out = []
    for k, record in enumerate(records, 1):
        checks.expect_true(
            isinstance(record, list | tuple) and len(record) == 2,
            f"{what}: record {k} is not a pair (sparsity, accuracy)",
        )
        out.append(
            [
                checks.expect_float(record[0], f"the sparsity of round {k} of {what}"),
                checks.expect_float(record[1], f"the accuracy of round {k} of {what}"),
            ]
        )
    return out


def _on_schedule(records, targets):
    return all(abs(r[0] - t) <= 1e-3 for r, t in zip(records, targets, strict=True))


def check(answer, hidden=False, seed=None):
    """``answer(net, data, sparsity, rounds, epochs, rng=)`` returns ``(net, records)``: net
    pruned to ``sparsity`` in rounds, retrained, within the budget of the dense accuracy."""
    (reference,) = checks.public(*REFERENCE)
    ask = remote.asking(sys.modules[__name__], answer)
    data = _digits()
    for drawn, sparsity, rounds, epochs, budget in cases(
        checks.case_rng(GRADE_ID, hidden, seed), hidden
    ):
        dense = _trained(drawn)
        dense_accuracy = dense.accuracy(data.X_val, data.y_val)
        what = f"prune_retrain(net, data, sparsity={sparsity}, rounds={rounds}, epochs={epochs})"
        # net may change (the loop prunes it in place); the probe fails a changed data
        got = checks.call(
            ask, dense.copy(), sparsity, rounds, epochs, drawn, what=what, without=[reference],
            frozen=False, names=NAMES,
        )  # fmt: skip
        checks.expect_true(
            isinstance(got, list | tuple) and len(got) == 2,
            f"{what} returned a {type(got).__name__}; expected a tuple (net, records)",
        )
        net, records = got
        checks.expect_true(
            isinstance(net, mp.Network) and list(net.sizes) == list(dense.sizes),
            f"{what} returned a {type(net).__name__} first; expected the pruned network, a "
            f"minprune.Network of sizes {list(dense.sizes)}",
        )
        records = _records(records, rounds, what)
        hidden_layers = [net.layers[i] for i in mp.prunable_layers(net)]
        zeros = sum(int((layer.mask == 0).sum()) for layer in hidden_layers)
        total = sum(layer.mask.size for layer in hidden_layers)
        checks.expect_true(zeros > 0, f"after {what}: {MISTAKES['dense_returned']}")
        checks.expect_true(
            not (net.layers[-1].mask == 0).any(), f"{what}: {MISTAKES['output_pruned']}"
        )
        checks.expect_true(
            not any(((layer.mask == 0) & (layer.W != 0)).any() for layer in net.layers),
            f"after {what} some weights with mask 0 are not 0",
        )
        ks = np.arange(1, rounds + 1)
        targets = 1.0 - (1.0 - sparsity) ** (ks / rounds)
        for name, wrong in (
            ("linear_schedule", sparsity * ks / rounds),
            ("rounds_from_zero", 1.0 - (1.0 - sparsity) ** ((ks - 1) / rounds)),
        ):
            checks.expect_true(
                not _on_schedule(records, wrong) or _on_schedule(records, targets),
                f"{what}: {MISTAKES[name]}",
            )
        checks.expect_true(
            _on_schedule(records, targets),
            f"{what}: the sparsity after round k is not 1 - (1 - sparsity) ** (k / rounds)",
        )
        checks.expect_true(
            abs(zeros / total - sparsity) <= 1e-3,
            f"after {what} the hidden layers are not pruned to the target sparsity",
        )
        final = net.accuracy(data.X_val, data.y_val)
        checks.expect_true(
            abs(records[-1][1] - final) <= 1e-9,
            f"{what}: the last accuracy is not the validation accuracy of the returned network; "
            "measure it on data.X_val, data.y_val after the round's retraining",
        )
        untrained = mp.prune(dense.copy(), sparsity)
        checks.expect_true(
            not all(
                np.array_equal(a.W, b.W) for a, b in zip(net.layers, untrained.layers, strict=True)
            ),
            f"{what}: {MISTAKES['no_retraining']}",
        )
        checks.expect_true(
            final >= dense_accuracy - budget,
            f"{what} lost more validation accuracy than the budget of {budget * 100:.0f} "
            f"points; retrain for {epochs} epochs after every pruning step, with a fresh "
            "mp.SGD(lr=0.05, momentum=0.9)",
        )
    checks.passed()
