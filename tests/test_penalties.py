"""Penalties: values and gradients as the formulas say; soft-thresholding gives exact zeros."""

import numpy as np
import pytest

from minprune.network import Network
from minprune.optim import SGD
from minprune.penalties import L1, L2, ElasticNet, proximal_l1_step, soft_threshold


def known_net():
    """Two layers with hand-picked weights and nonzero biases (which are never penalised)."""
    W1 = np.array([[1.0, -2.0], [0.0, 3.0]])
    W2 = np.array([[-1.0], [0.5]])
    return Network.from_weights([W1, W2], [np.ones(2), np.ones(1)], ["tanh", "identity"], "mse")


def test_l1_value_is_lambda_times_sum_of_absolute_weights():
    """L1(l1).value = l1 * sum |w| over every W, biases excluded."""
    assert L1(0.1).value(known_net()) == pytest.approx(0.1 * (1 + 2 + 0 + 3 + 1 + 0.5))


def test_l2_value_is_half_lambda_times_sum_of_squares():
    """L2(l2).value = l2 / 2 * sum w^2 over every W, biases excluded."""
    assert L2(0.1).value(known_net()) == pytest.approx(0.05 * (1 + 4 + 0 + 9 + 1 + 0.25))


def test_elastic_net_value_is_the_sum_of_both():
    """ElasticNet(l1, l2) = L1(l1) + L2(l2)."""
    net = known_net()
    assert ElasticNet(0.1, 0.2).value(net) == pytest.approx(L1(0.1).value(net) + L2(0.2).value(net))


def test_l1_gradient_is_lambda_sign_with_zero_at_zero():
    """L1 gradient is l1 * sign(w), 0 where w = 0."""
    W = np.array([[-3.0, 0.0, 2.0]])
    np.testing.assert_array_equal(L1(0.5).grad(W), [[-0.5, 0.0, 0.5]])


def test_l2_gradient_is_lambda_w():
    """L2 gradient is l2 * w: it shrinks in proportion, so it never reaches 0 by itself."""
    W = np.array([[-3.0, 0.0, 2.0]])
    np.testing.assert_allclose(L2(0.5).grad(W), 0.5 * W)


@pytest.mark.parametrize("penalty", [L1(0.1), L2(0.1), ElasticNet(0.1, 0.1)], ids=repr)
def test_penalty_gradient_keeps_float32(penalty):
    """A penalty gradient of a float32 W is float32."""
    assert penalty.grad(np.ones((2, 2), dtype=np.float32)).dtype == np.float32


def test_soft_threshold_formula():
    """soft_threshold(w, t) = sign(w) * max(|w| - t, 0)."""
    W = np.array([-2.0, -0.5, 0.0, 0.3, 1.5])
    np.testing.assert_allclose(soft_threshold(W, 0.5), [-1.5, 0.0, 0.0, 0.0, 1.0])


def test_soft_threshold_gives_exact_zeros_up_to_the_threshold():
    """Every |w| <= t becomes exactly 0.0, the boundary included."""
    W = np.linspace(-1, 1, 201)
    out = soft_threshold(W, 0.25)
    assert np.all(out[np.abs(W) <= 0.25] == 0.0)
    assert np.all(out[np.abs(W) > 0.25] != 0.0)


def test_soft_threshold_zeros_are_positive_zeros():
    """Thresholded negative weights read 0.0, not -0.0."""
    out = soft_threshold(np.array([-0.3, -0.1, 0.2]), 0.5)
    assert not np.any(np.signbit(out))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_soft_threshold_keeps_the_dtype(dtype):
    """soft_threshold of float32 weights is float32."""
    assert soft_threshold(np.ones(3, dtype=dtype), 0.5).dtype == dtype


def test_soft_threshold_of_integers_is_not_truncated():
    """Integer weights are thresholded in float, not rounded back to int."""
    np.testing.assert_allclose(soft_threshold(np.array([3, -1]), 0.5), [2.5, -0.5])


def lasso_problem():
    """A least-squares problem in 8 features of which only 2 matter."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 8))
    y = X[:, 0] * 2.0 - X[:, 1] * 1.5 + 0.01 * rng.normal(size=100)
    net = Network.from_weights([np.full((8, 1), 0.5)], [np.zeros(1)], ["identity"], loss="mse")
    net.layers[0].apply_mask(b_mask=np.zeros(1))
    return X, y, net


def test_l1_subgradient_never_reaches_exact_zero_but_proximal_step_does():
    """300 subgradient steps leave no weight at exactly 0; ISTA zeroes the 6 useless ones."""
    X, y, sub = lasso_problem()
    prox = sub.copy()
    opt_sub, opt_prox, l1, lr = SGD(lr=0.1), SGD(lr=0.1), 0.05, 0.1
    for _ in range(300):
        opt_sub.step(sub, sub.loss_and_grads(X, y, penalty=L1(l1))[1])
        opt_prox.step(prox, prox.loss_and_grads(X, y)[1])
        proximal_l1_step(prox, l1, lr)
    assert np.count_nonzero(sub.layers[0].W == 0) == 0
    np.testing.assert_array_equal(prox.layers[0].W[2:], 0.0)
    assert np.all(prox.layers[0].W[:2] != 0)


def test_proximal_step_reaches_a_lower_objective_than_the_subgradient():
    """On the lasso problem ISTA ends at least as low as the jittering subgradient method."""
    X, y, sub = lasso_problem()
    prox = sub.copy()
    opt_sub, opt_prox = SGD(lr=0.1), SGD(lr=0.1)
    for _ in range(300):
        opt_sub.step(sub, sub.loss_and_grads(X, y, penalty=L1(0.05))[1])
        opt_prox.step(prox, prox.loss_and_grads(X, y)[1])
        proximal_l1_step(prox, 0.05, 0.1)
    assert prox.loss(X, y, L1(0.05)) <= sub.loss(X, y, L1(0.05)) + 1e-9


def test_proximal_step_respects_masks():
    """proximal_l1_step keeps pruned weights at 0 and leaves the masks alone."""
    net = Network([4, 3], dtype="float64", rng=0)
    mask = np.ones((4, 3))
    mask[0] = 0
    net.layers[0].apply_mask(mask)
    proximal_l1_step(net, 0.0, 0.1)
    np.testing.assert_array_equal(net.layers[0].W[0], 0.0)
    np.testing.assert_array_equal(net.layers[0].mask, mask)
