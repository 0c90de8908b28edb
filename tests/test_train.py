"""Training: history, callbacks, stopping, errors, and a digits network that learns."""

import math

import numpy as np
import pytest

from minprune.data import load_digits_split, make_xor
from minprune.network import Network
from minprune.optim import SGD, Adam
from minprune.penalties import L1, ElasticNet
from minprune.train import Callback, History, iterate_minibatches, train

HISTORY_FIELDS = ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "sparsity"]


@pytest.fixture(scope="module")
def digits():
    return load_digits_split(rng=0)


def blobs(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    X = rng.normal(size=(n, 4)) + 3 * np.eye(3, 4)[y]
    return X, y


class Counter(Callback):
    def __init__(self):
        self.calls = {"on_train_begin": 0, "on_step_end": 0, "on_epoch_end": 0}

    def on_train_begin(self, net, state):
        self.calls["on_train_begin"] += 1

    def on_step_end(self, net, state):
        self.calls["on_step_end"] += 1
        assert state["step"] == self.calls["on_step_end"]
        assert len(state["grads"]) == len(net.layers)

    def on_epoch_end(self, net, state):
        self.calls["on_epoch_end"] += 1
        assert state["epoch"] == self.calls["on_epoch_end"]


def test_history_has_one_entry_per_epoch_in_every_field():
    """Every history field gets one value per epoch when validation data is given."""
    X, y = blobs()
    net = Network([4, 8, 3], rng=0)
    h = train(net, X, y, epochs=4, X_val=X, y_val=y, rng=0, progress=False)
    assert isinstance(h, History)
    assert all(len(h[f]) == 4 for f in HISTORY_FIELDS)
    assert h.epoch == [1, 2, 3, 4]


def test_history_without_validation_leaves_val_fields_empty():
    """Without X_val the val_* fields stay empty."""
    X, y = blobs()
    h = train(Network([4, 3], rng=0), X, y, epochs=2, rng=0, progress=False)
    assert h.val_loss == [] and h.val_accuracy == [] and len(h.loss) == 2


@pytest.mark.parametrize("n, batch_size, epochs", [(60, 16, 3), (60, 60, 2), (7, 2, 1)])
def test_callbacks_are_called_once_per_step_and_epoch(n, batch_size, epochs):
    """on_train_begin once, on_step_end ceil(n / batch_size) times an epoch, on_epoch_end per epoch."""
    X, y = blobs(n)
    cb = Counter()
    train(Network([4, 3], rng=0), X, y, epochs, batch_size, callbacks=[cb], rng=0, progress=False)
    assert cb.calls == {
        "on_train_begin": 1,
        "on_step_end": epochs * math.ceil(n / batch_size),
        "on_epoch_end": epochs,
    }


def test_a_callback_may_define_only_some_methods():
    """A plain object with only on_epoch_end is a valid callback."""

    class EpochsOnly:
        seen = 0

        def on_epoch_end(self, net, state):
            EpochsOnly.seen += 1

    X, y = blobs()
    train(Network([4, 3], rng=0), X, y, epochs=3, callbacks=[EpochsOnly()], rng=0, progress=False)
    assert EpochsOnly.seen == 3


def test_stop_flag_ends_training_after_the_epoch():
    """A callback setting state['stop'] = True at epoch 2 leaves a 2-epoch history."""

    class StopAt2(Callback):
        def on_epoch_end(self, net, state):
            state["stop"] = state["epoch"] >= 2

    X, y = blobs()
    h = train(Network([4, 3], rng=0), X, y, epochs=10, callbacks=[StopAt2()], rng=0, progress=False)
    assert h.epoch == [1, 2]


def test_nan_loss_raises_a_clear_floating_point_error():
    """A loss that turns NaN stops training with FloatingPointError naming epoch and step."""

    class Poison:
        lr = 0.1

        def step(self, net, grads):
            net.layers[0].W[...] = np.nan

    X, y = blobs()
    with pytest.raises(
        FloatingPointError, match=r"loss became nan at epoch 1, step 2.*learning rate"
    ):
        train(Network([4, 3], rng=0), X, y, 2, 16, optimizer=Poison(), rng=0, progress=False)


def test_progress_false_prints_nothing(capsys):
    """progress=False writes nothing to stdout or stderr."""
    X, y = blobs()
    train(Network([4, 3], rng=0), X, y, epochs=2, rng=0, progress=False)
    assert capsys.readouterr() == ("", "")


def test_same_seed_same_history():
    """The same rng gives the same shuffles and so the same losses."""
    X, y = blobs()
    h1 = train(Network([4, 5, 3], rng=1), X, y, epochs=3, batch_size=8, rng=7, progress=False)
    h2 = train(Network([4, 5, 3], rng=1), X, y, epochs=3, batch_size=8, rng=7, progress=False)
    assert h1.loss == h2.loss


def test_minibatches_cover_every_sample_once():
    """iterate_minibatches yields a partition of range(n)."""
    batches = list(iterate_minibatches(10, 3, np.random.default_rng(0)))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(np.concatenate(batches)) == list(range(10))


def test_digits_network_reaches_95_percent_test_accuracy(digits):
    """A 64-128-10 relu net trained 20 epochs with SGD momentum scores >= 95% on the test split."""
    net = Network([64, 128, 10], activation="relu", rng=0)
    h = train(
        net,
        digits.X_train,
        digits.y_train,
        epochs=20,
        batch_size=32,
        optimizer=SGD(lr=0.05, momentum=0.9),
        X_val=digits.X_val,
        y_val=digits.y_val,
        rng=0,
        progress=False,
    )
    assert net.accuracy(digits.X_test, digits.y_test) >= 0.95
    assert h.loss[-1] < h.loss[0]


def test_pruned_weights_stay_zero_through_training(digits):
    """Weights masked before training are still exactly 0 after it (momentum, weight decay)."""
    net = Network([64, 32, 10], rng=0)
    mask = (np.random.default_rng(0).uniform(size=(64, 32)) < 0.3).astype(np.float32)
    net.layers[0].apply_mask(mask)
    opt = SGD(lr=0.05, momentum=0.9, weight_decay=1e-3)
    h = train(net, digits.X_train, digits.y_train, epochs=3, optimizer=opt, rng=0, progress=False)
    assert np.all(net.layers[0].W[mask == 0] == 0.0)
    assert min(h.sparsity) >= 1 - mask.mean() - 1e-9


@pytest.mark.parametrize("penalty", [L1(1e-2), ElasticNet(1e-2, 1e-4)], ids=repr)
def test_proximal_training_makes_exact_zeros(digits, penalty):
    """proximal=True (ISTA) leaves many exact zeros; the subgradient leaves almost none."""
    kw = dict(epochs=10, optimizer=SGD(lr=0.05), rng=0, progress=False)
    prox, sub = Network([64, 32, 10], rng=0), Network([64, 32, 10], rng=0)
    h = train(prox, digits.X_train, digits.y_train, penalty=penalty, proximal=True, **kw)
    kw["optimizer"] = SGD(lr=0.05)
    h_sub = train(sub, digits.X_train, digits.y_train, penalty=penalty, **kw)
    assert h.sparsity[-1] > 0.1
    assert h_sub.sparsity[-1] < 0.01


def test_mse_network_learns_xor():
    """A 2-8-1 tanh/sigmoid net trained with mse and Adam separates XOR."""
    X, y = make_xor(200, noise=0.2, rng=0)
    net = Network([2, 8, 1], activation="tanh", output="sigmoid", loss="mse", rng=0)
    h = train(net, X, y, epochs=60, batch_size=16, optimizer=Adam(lr=0.02), rng=0, progress=False)
    assert h.accuracy == [None] * 60
    assert net.accuracy(X, y) >= 0.95
