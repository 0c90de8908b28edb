"""Tests for pruning over time: the cubic schedule, callbacks, prune-retrain loops, rewinding."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minprune.network import Network
from minprune.optim import SGD, Adam
from minprune.pruning import magnitude, prune, sparsity_masks
from minprune.schedules import (
    DynamicPruning,
    GradualPruning,
    cubic_sparsity,
    iterative_pruning,
    one_shot,
    reinit,
    rewind,
)
from minprune.train import Callback, train

SIZES = (8, 20, 3)  # the pruned layer has 160 weights: 0.75 * 160 is a whole number


def make_net(sizes=SIZES, seed=0):
    return Network(list(sizes), activation="relu", rng=seed)


def data(n=64, n_in=8, k=3, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_in)).astype(np.float32)
    return X, (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 1)


def mask_sparsity(net, layers=(0,)):
    masks = [net.layers[i].mask for i in layers]
    return sum(m.size - np.count_nonzero(m) for m in masks) / sum(m.size for m in masks)


class Recorder(Callback):
    """Records the mask sparsity of layer 0 after every step."""

    def __init__(self):
        self.sparsity = {}

    def on_step_end(self, net, state):
        self.sparsity[state["step"]] = mask_sparsity(net)


# ------------------------------------------------------------ cubic schedule
def test_cubic_schedule_endpoints():
    """s = s_i up to begin_step, s = s_f from end_step on."""
    for step in (0, 5, 10):
        assert cubic_sparsity(step, 0.9, 10, 50, initial_sparsity=0.2) == 0.2
    for step in (50, 51, 1000):
        assert cubic_sparsity(step, 0.9, 10, 50, initial_sparsity=0.2) == 0.9


def test_cubic_schedule_matches_formula_at_midpoint():
    """Halfway, s = s_f + (s_i - s_f) * 0.5**3: 0.8 - 0.8 / 8 = 0.7."""
    assert cubic_sparsity(5, 0.8, 0, 10) == pytest.approx(0.7)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0.0, 0.99),
    st.floats(0.0, 1.0),
    st.integers(0, 50),
    st.integers(1, 200),
)
def test_cubic_schedule_is_monotone(final, fraction, begin, length):
    """The target sparsity never decreases from step to step and stays in [s_i, s_f]."""
    initial = final * fraction
    values = [
        cubic_sparsity(t, final, begin, begin + length, initial) for t in range(begin + length + 3)
    ]
    assert all(a <= b for a, b in zip(values, values[1:]))
    assert values[0] == initial and values[-1] == final


def test_cubic_schedule_with_equal_begin_and_end_is_one_shot():
    """begin_step == end_step jumps from s_i to s_f at that step."""
    assert [cubic_sparsity(t, 0.5, 3, 3) for t in (2, 3, 4)] == [0.0, 0.5, 0.5]


# ----------------------------------------------------------- gradual pruning
@pytest.mark.parametrize("scope", ["layer", "global"])
def test_gradual_pruning_reaches_final_sparsity_by_end_step(scope):
    """GradualPruning follows the cubic schedule and reaches s_f exactly at end_step."""
    net, (X, y), rec = make_net(), data(), Recorder()
    cb = GradualPruning(0.75, begin_step=2, end_step=18, frequency=5, scope=scope, layers=[0])
    train(net, X, y, epochs=6, batch_size=16, callbacks=[cb, rec], rng=0)  # 24 steps
    assert [h["step"] for h in cb.history] == [2, 7, 12, 17, 18]
    assert rec.sparsity[18] == 0.75 and rec.sparsity[24] == 0.75
    for h in cb.history:
        assert rec.sparsity[h["step"]] == round(h["sparsity"] * 160) / 160
    steps = sorted(rec.sparsity)
    assert all(rec.sparsity[a] <= rec.sparsity[b] for a, b in zip(steps, steps[1:]))


def test_gradual_pruning_with_saliency_uses_the_last_gradients():
    """criterion='saliency' runs inside train, on the gradients of the last batch."""
    net, (X, y) = make_net(), data()
    cb = GradualPruning(0.5, begin_step=1, end_step=4, frequency=1, criterion="saliency")
    train(net, X, y, epochs=2, batch_size=16, callbacks=[cb], rng=0)
    assert mask_sparsity(net) == 0.5


# ----------------------------------------------------------- dynamic pruning
def test_dynamic_pruning_keeps_sparsity_and_lets_weights_regrow():
    """DynamicPruning holds the target sparsity while some pruned weights come back."""
    net, (X, y) = make_net(), data()
    dp = DynamicPruning(0.75, frequency=2, layers=[0])
    train(
        net, X, y, epochs=10, batch_size=16, optimizer=SGD(0.2, momentum=0.9), callbacks=[dp], rng=0
    )
    assert all(h["sparsity"] == 0.75 for h in dp.history)
    assert np.count_nonzero(net.layers[0].W) == 40
    assert sum(h["regrown"] for h in dp.history) > 0


def test_dynamic_masks_come_from_the_shadow_weights():
    """The live mask is the magnitude selection of the dense shadow, and W = shadow * mask."""
    net, (X, y) = make_net(), data()
    prune(net, sparsity=0.75, layers=[0])
    pruned_at_start = net.layers[0].mask == 0
    dp = DynamicPruning(0.75, frequency=1, layers=[0])
    train(net, X, y, epochs=2, batch_size=16, optimizer=Adam(1e-2), callbacks=[dp], rng=0)
    shadow, mask = dp.shadow[0], dp.masks[0]
    expected = sparsity_masks([np.abs(shadow)], 0.75)[0]
    assert np.array_equal(mask, expected) and np.array_equal(net.layers[0].W, shadow * mask)
    assert np.count_nonzero(shadow[pruned_at_start]) > 0  # pruned weights received gradients


def test_finalize_makes_dynamic_masks_static():
    """After finalize, layer.mask holds the dynamic mask and further training keeps its zeros."""
    net, (X, y) = make_net(), data()
    dp = DynamicPruning(0.5, frequency=3)
    train(net, X, y, epochs=2, batch_size=16, callbacks=[dp], rng=0)
    masks = {i: m.copy() for i, m in dp.masks.items()}
    dp.finalize(net)
    train(net, X, y, epochs=2, batch_size=16, optimizer=SGD(0.1, momentum=0.9), rng=1)
    for i, m in masks.items():
        assert np.array_equal(net.layers[i].mask, m) and np.all(net.layers[i].W[m == 0] == 0)


# ------------------------------------------------------ one-shot, iterative
def test_one_shot_prunes_then_retrains():
    """one_shot prunes to the target, then calls the retrain callable or train with a dict."""
    net, (X, y) = make_net(), data()
    seen = []
    assert one_shot(net, 0.75, retrain=lambda n: seen.append(mask_sparsity(n)) or "done") == "done"
    assert seen == [0.75]
    history = one_shot(make_net(), 0.75, retrain={"X": X, "y": y, "epochs": 2}, scope="global")
    assert len(history["loss"]) == 2


@pytest.mark.parametrize("rounds", [1, 3, 4])
def test_iterative_pruning_reaches_target(rounds):
    """Round k prunes to 1 - (1 - s)**(k / rounds); the last round reaches s."""
    net, (X, y) = make_net(), data()
    records = iterative_pruning(
        net, X, y, 0.75, rounds, epochs_per_round=1, optimizer_factory=lambda: SGD(0.1), rng=0
    )
    targets = [r["target"] for r in records]
    assert targets == pytest.approx([1 - 0.25 ** (k / rounds) for k in range(1, rounds + 1)])
    assert [r["sparsity"] for r in records] == [round(t * 160) / 160 for t in targets]
    assert records[-1]["sparsity"] == 0.75 and mask_sparsity(net) == 0.75
    assert all(0.0 <= r["accuracy"] <= 1.0 for r in records)


# ----------------------------------------------------------------- rewinding
def test_rewind_restores_initial_values_on_survivors():
    """rewind keeps the masks and resets each surviving weight and bias to its initial value."""
    net, (X, y) = make_net(), data()
    initial = net.copy()
    train(net, X, y, epochs=2, batch_size=16, rng=0)
    prune(net, sparsity=0.75, include_biases=True)
    masks = [(layer.mask.copy(), layer.b_mask.copy()) for layer in net.layers]
    rewind(net, initial)
    for layer, init, (m, bm) in zip(net.layers, initial.layers, masks):
        assert np.array_equal(layer.mask, m) and np.array_equal(layer.b_mask, bm)
        assert np.array_equal(layer.W, init.W * m) and np.array_equal(layer.b, init.b * bm)


def test_reinit_keeps_masks_and_draws_new_weights():
    """reinit keeps the masks, zeroes pruned weights and biases, and is reproducible."""
    net = prune(make_net(), sparsity=0.75)
    a, b = reinit(net.copy(), rng=5), reinit(net.copy(), rng=5)
    for la, lb, layer in zip(a.layers, b.layers, net.layers):
        assert np.array_equal(la.W, lb.W) and np.array_equal(la.mask, layer.mask)
        assert np.all(la.W[layer.mask == 0] == 0) and np.all(la.b == 0)
        assert not np.array_equal(la.W, layer.W)


# -------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"final_sparsity": 1.0}, ValueError, r"final_sparsity=1.0 must be in \[0, 1\)"),
        ({"final_sparsity": 1}, TypeError, "final_sparsity=1 is an int"),
        ({"initial_sparsity": 0.9}, ValueError, "initial_sparsity=0.9 must be <= final_sparsity"),
        ({"end_step": 5}, ValueError, "end_step=5 must be >= begin_step=10"),
        ({"step": -1}, ValueError, "step=-1 must be >= 0"),
        ({"step": 1.5}, TypeError, "step must be an int"),
    ],
)
def test_cubic_schedule_rejects_bad_arguments(kwargs, error, match):
    """cubic_sparsity checks its fractions and steps."""
    args = {"step": 0, "final_sparsity": 0.8, "begin_step": 10, "end_step": 20} | kwargs
    with pytest.raises(error, match=match):
        cubic_sparsity(**args)


def test_callbacks_reject_bad_arguments():
    """The callbacks check their schedule, frequency and criterion when built."""
    with pytest.raises(ValueError, match="end_step=1 must be >= begin_step=5"):
        GradualPruning(0.5, begin_step=5, end_step=1)
    with pytest.raises(ValueError, match="frequency=0 must be >= 1"):
        GradualPruning(0.5, 0, 10, frequency=0)
    with pytest.raises(ValueError, match="unknown criterion 'size'"):
        DynamicPruning(0.5, criterion="size")
    with pytest.raises(ValueError, match="finalize needs a trained network"):
        DynamicPruning(0.5).finalize(make_net())


def test_loops_reject_bad_arguments():
    """one_shot, iterative_pruning and rewind name the argument that is wrong."""
    X, y = data()
    with pytest.raises(TypeError, match="retrain must be None, a callable"):
        one_shot(make_net(), 0.5, retrain=3)
    with pytest.raises(TypeError, match="optimizer_factory must be a callable"):
        iterative_pruning(make_net(), X, y, 0.5, 2, 1, optimizer_factory=SGD(0.1))
    with pytest.raises(ValueError, match="initial_net must have the sizes of net"):
        rewind(make_net(), make_net((8, 10, 3)))
    assert magnitude(make_net())[0].shape == (8, 20)
