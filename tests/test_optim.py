"""Optimisers: the update rules, and pruned weights that stay exactly zero."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minprune.network import Network
from minprune.optim import SGD, Adam

OPTIMISERS = {
    "sgd": lambda: SGD(lr=0.1),
    "sgd-wd": lambda: SGD(lr=0.1, weight_decay=0.1),
    "momentum": lambda: SGD(lr=0.1, momentum=0.9, weight_decay=0.01),
    "nesterov": lambda: SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "adam": lambda: Adam(lr=0.01),
    "adam-wd": lambda: Adam(lr=0.01, weight_decay=0.1),
}


def random_grads(net, rng):
    return [
        {"W": rng.normal(size=layer.W.shape), "b": rng.normal(size=layer.b.shape)}
        for layer in net.layers
    ]


def random_masks(net, rng, density):
    for layer in net.layers:
        layer.apply_mask(
            (rng.uniform(size=layer.W.shape) < density).astype(float),
            (rng.uniform(size=layer.b.shape) < density).astype(float),
        )


def test_sgd_step_is_w_minus_lr_g():
    """Plain SGD: w <- w - lr * g."""
    net = Network([3, 2], dtype="float64", rng=0)
    W = net.layers[0].W.copy()
    g = {"W": np.ones_like(W), "b": np.ones(2)}
    SGD(lr=0.5).step(net, [g])
    np.testing.assert_allclose(net.layers[0].W, W - 0.5)
    np.testing.assert_allclose(net.layers[0].b, -0.5)


def test_weight_decay_is_coupled_l2_on_weights_only():
    """weight_decay adds weight_decay * w to the weight gradient, not to the bias's."""
    net = Network.from_weights([np.array([[2.0]])], [np.array([2.0])], ["identity"])
    SGD(lr=0.1, weight_decay=0.5).step(net, [{"W": np.zeros((1, 1)), "b": np.zeros(1)}])
    assert net.layers[0].W[0, 0] == pytest.approx(2.0 - 0.1 * 0.5 * 2.0)
    assert net.layers[0].b[0] == 2.0


def test_momentum_accumulates_velocity():
    """With momentum m and a constant gradient g, the second step moves lr * (1 + m) * g."""
    net = Network.from_weights([np.zeros((1, 1))], [np.zeros(1)], ["identity"])
    opt = SGD(lr=1.0, momentum=0.5)
    g = [{"W": np.ones((1, 1)), "b": np.zeros(1)}]
    opt.step(net, g)
    opt.step(net, g)
    assert net.layers[0].W[0, 0] == pytest.approx(-(1.0 + 1.5))


def test_adam_first_step_moves_each_weight_by_lr():
    """Adam's bias-corrected first step is lr * sign(g) (up to eps)."""
    net = Network([3, 2], dtype="float64", rng=0)
    W = net.layers[0].W.copy()
    g = np.random.default_rng(1).normal(size=W.shape)
    Adam(lr=0.01).step(net, [{"W": g, "b": np.ones(2)}])
    np.testing.assert_allclose(net.layers[0].W, W - 0.01 * np.sign(g), rtol=1e-6)


@pytest.mark.parametrize("name", sorted(OPTIMISERS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_step_keeps_the_network_dtype(name, dtype):
    """A step on a float32 net keeps float32 weights, even with float64 gradients."""
    net = Network([3, 4, 2], dtype=dtype, rng=0)
    OPTIMISERS[name]().step(net, random_grads(net, np.random.default_rng(0)))
    assert all(layer.W.dtype == np.dtype(dtype) for layer in net.layers)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(sorted(OPTIMISERS)),
    seed=st.integers(0, 2**16),
    density=st.floats(0.0, 1.0),
    warmup=st.integers(0, 5),
    steps=st.integers(1, 30),
)
def test_pruned_weights_stay_exactly_zero_through_any_number_of_steps(
    name, seed, density, warmup, steps
):
    """After pruning, no step of any optimiser moves a pruned weight or bias off 0.0.

    Some steps run before pruning, so momentum and Adam's moments hold old values.
    """
    rng = np.random.default_rng(seed)
    net = Network([5, 6, 3], dtype="float64", rng=seed)
    opt = OPTIMISERS[name]()
    for _ in range(warmup):
        opt.step(net, random_grads(net, rng))
    random_masks(net, rng, density)
    for _ in range(steps):
        opt.step(net, random_grads(net, rng))
        for layer in net.layers:
            assert np.all(layer.W[layer.mask == 0] == 0.0)
            assert np.all(layer.b[layer.b_mask == 0] == 0.0)


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(sorted(OPTIMISERS)), seed=st.integers(0, 2**16))
def test_a_mask_of_ones_changes_no_update(name, seed):
    """Applying an all-ones mask leaves every optimiser's trajectory bit for bit the same."""
    plain = Network([4, 5, 3], dtype="float64", rng=seed)
    masked = plain.copy()
    for layer in masked.layers:
        layer.apply_mask(np.ones_like(layer.W), np.ones_like(layer.b))
    opt_a, opt_b = OPTIMISERS[name](), OPTIMISERS[name]()
    rng = np.random.default_rng(seed)
    for _ in range(5):
        grads = random_grads(plain, rng)
        opt_a.step(plain, grads)
        opt_b.step(masked, grads)
    for a, b in zip(plain.layers, masked.layers, strict=True):
        np.testing.assert_array_equal(a.W, b.W)
        np.testing.assert_array_equal(a.b, b.b)


def test_step_does_not_modify_the_gradients():
    """The caller's gradient arrays are left as they were."""
    net = Network([3, 2], dtype="float64", rng=0)
    net.layers[0].apply_mask(np.zeros((3, 2)))
    grads = random_grads(net, np.random.default_rng(0))
    before = grads[0]["W"].copy()
    SGD(lr=0.1, momentum=0.9, weight_decay=0.1).step(net, grads)
    np.testing.assert_array_equal(grads[0]["W"], before)


def test_zero_state_forgets_momentum():
    """After zero_state a step is a plain first step again."""
    net = Network.from_weights([np.zeros((1, 1))], [np.zeros(1)], ["identity"])
    opt = SGD(lr=1.0, momentum=0.9)
    g = [{"W": np.ones((1, 1)), "b": np.zeros(1)}]
    opt.step(net, g)
    opt.zero_state()
    opt.step(net, g)
    assert net.layers[0].W[0, 0] == pytest.approx(-2.0)
