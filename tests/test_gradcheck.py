"""Gradient checks: every layer, loss and penalty passes in float64."""

import numpy as np
import pytest

import minprune as mp
from minprune.gradcheck import check_gradients, numerical_gradient, rel_error
from minprune.network import Network
from minprune.penalties import L1, L2, ElasticNet

PENALTIES = [None, L1(0.01), L2(0.1), ElasticNet(0.01, 0.1)]


def batch(n_in, k, n=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_in)), rng.integers(0, k, size=n)


@pytest.mark.parametrize("penalty", PENALTIES, ids=repr)
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_cross_entropy_network_passes_gradient_check(activation, penalty):
    """Every W and b of a 2-hidden-layer net passes at < 1e-6, with each penalty."""
    net = Network([4, 6, 5, 3], activation=activation, dtype="float64", rng=1)
    X, y = batch(4, 3)
    rows = check_gradients(net, X, y, penalty=penalty)
    assert len(rows) == 2 * len(net.layers)
    assert max(r["rel_error"] for r in rows) < 1e-6, rows


@pytest.mark.parametrize("output", ["identity", "sigmoid", "tanh", "softmax"])
def test_mse_network_passes_gradient_check(output):
    """The mse loss through every output activation passes at < 1e-6."""
    net = Network([3, 5, 2], activation="tanh", output=output, loss="mse", dtype="float64", rng=2)
    X = np.random.default_rng(3).normal(size=(5, 3))
    T = np.random.default_rng(4).uniform(size=(5, 2))
    rows = check_gradients(net, X, T)
    assert max(r["rel_error"] for r in rows) < 1e-6, rows


@pytest.mark.parametrize("penalty", PENALTIES, ids=repr)
def test_masked_network_passes_gradient_check(penalty):
    """With half the weights pruned, the masked gradients still pass."""
    net = Network([4, 6, 3], activation="tanh", dtype="float64", rng=5)
    rng = np.random.default_rng(6)
    for layer in net.layers:
        layer.apply_mask((rng.uniform(size=layer.W.shape) < 0.5).astype(float))
    X, y = batch(4, 3, seed=7)
    rows = check_gradients(net, X, y, penalty=penalty)
    assert max(r["rel_error"] for r in rows) < 1e-6, rows


def test_gradient_check_rows_name_layer_param_and_shape():
    """Each row says which layer and parameter, its shape and its error."""
    net = Network([3, 2], dtype="float64", rng=0)
    rows = check_gradients(net, *batch(3, 2))
    assert [(r["layer"], r["param"], r["shape"]) for r in rows] == [
        (0, "W", (3, 2)),
        (0, "b", (2,)),
    ]


def test_a_wrong_gradient_fails_the_check():
    """The check has teeth: a gradient off by 1% shows a relative error near 5e-3."""
    x = np.array([1.0, 2.0, 3.0])
    numeric = numerical_gradient(lambda: float(np.sum(x**3)), x)
    assert rel_error(3 * x**2, numeric) < 1e-8
    assert rel_error(3 * x**2 * 1.01, numeric) > 1e-3


def test_numerical_gradient_restores_x():
    """numerical_gradient leaves x as it found it."""
    x = np.array([[0.5, -1.5], [2.0, 3.0]])
    before = x.copy()
    numerical_gradient(lambda: float(np.sum(np.sin(x))), x)
    np.testing.assert_array_equal(x, before)


def test_rel_error_of_equal_arrays_is_zero():
    """rel_error(a, a) is 0, zeros included (no division by zero)."""
    assert rel_error(np.array([0.0, 1.0]), np.array([0.0, 1.0])) == 0.0


def test_check_gradients_warns_on_float32():
    """A float32 network triggers a warning that float64 is needed."""
    net = Network([3, 2], rng=0)
    with pytest.warns(RuntimeWarning, match="float64"):
        check_gradients(net, *batch(3, 2))


def test_norm_rel_error_compares_whole_arrays():
    """norm_rel_error is |a - b| / (|a| + |b|) over whole arrays: 0 for equal, 1/3 for a vs 2a."""
    a = np.array([[3.0, -4.0], [0.0, 1e-12]])
    assert mp.norm_rel_error(a, a) == 0.0
    assert mp.norm_rel_error(a, 2 * a) == pytest.approx(1 / 3)


def test_check_gradients_reports_norm_error_below_1e7():
    """Every row of check_gradients carries a whole-array error below 1e-7 in float64."""
    net = mp.Network([4, 6, 3], activation="sigmoid", dtype="float64", rng=3)
    X = np.random.default_rng(1).normal(size=(5, 4))
    rows = mp.check_gradients(net, X, np.array([0, 1, 2, 0, 1]))
    assert all(row["norm_error"] < 1e-7 for row in rows)
