"""Penalties: values and gradients as the formulas say; soft-thresholding gives exact zeros."""

import numpy as np
import pytest

from minprune.network import Network
from minprune.optim import SGD
from minprune.penalties import (
    L1,
    L2,
    ElasticNet,
    GroupLasso,
    ProximalGroupLasso,
    group_soft_threshold,
    proximal_group_lasso_step,
    proximal_l1_step,
    soft_threshold,
)
from minprune.structured import remove_neurons
from minprune.train import train


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


# ------------------------------------------------------------------ group lasso
def test_group_lasso_value_sums_the_row_or_column_norms():
    """GroupLasso(lam).value = lam * sum of the L2 norms of every W's rows (or columns)."""
    net = known_net()  # W1 rows (1, -2), (0, 3); W2 rows (-1,), (0.5,)
    rows = np.sqrt(5) + 3 + 1 + 0.5
    assert GroupLasso(0.1).value(net) == pytest.approx(0.1 * rows)
    columns = 1 + np.sqrt(13) + np.sqrt(1.25)
    assert GroupLasso(0.1, group="incoming").value(net) == pytest.approx(0.1 * columns)


@pytest.mark.parametrize("group", ["outgoing", "incoming"])
def test_group_lasso_gradient_matches_finite_differences(group):
    """Away from a zero group, grad(W) is the derivative of value_of(W), checked numerically."""
    W = np.random.default_rng(0).normal(size=(4, 3))
    penalty, eps = GroupLasso(0.3, group), 1e-6
    numeric = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        step = np.zeros_like(W)
        step[idx] = eps
        numeric[idx] = (penalty.value_of(W + step) - penalty.value_of(W - step)) / (2 * eps)
    np.testing.assert_allclose(penalty.grad(W), numeric, rtol=1e-6, atol=1e-9)


def test_group_lasso_gradient_is_zero_on_a_zero_group():
    """A group that is all zeros gets the subgradient 0, not NaN."""
    W = np.array([[0.0, 0.0], [3.0, 4.0]])
    np.testing.assert_array_equal(GroupLasso(1.0).grad(W), [[0.0, 0.0], [0.6, 0.8]])


def test_group_soft_threshold_formula():
    """Each row is scaled by max(0, 1 - t / ||row||): direction kept, small rows zeroed whole."""
    W = np.array([[3.0, 4.0], [0.3, 0.4], [-6.0, 8.0]])
    np.testing.assert_allclose(group_soft_threshold(W, 1.0), [[2.4, 3.2], [0, 0], [-5.4, 7.2]])
    np.testing.assert_allclose(
        group_soft_threshold(W.T, 1.0, group="incoming"), [[2.4, 0, -5.4], [3.2, 0, 7.2]]
    )


def test_group_soft_threshold_zeroes_exactly_the_groups_within_the_threshold():
    """Rows with norm <= t become exactly 0.0, the boundary included; the others stay nonzero."""
    W = np.random.default_rng(1).normal(size=(50, 3))
    norms = np.linalg.norm(W, axis=1)
    t = float(np.median(norms))  # one row sits exactly on the threshold
    out = group_soft_threshold(W, t)
    assert np.all(out[norms <= t] == 0.0) and not np.any(np.signbit(out[norms <= t]))
    assert np.all(np.linalg.norm(out[norms > t], axis=1) > 0)


def test_group_soft_threshold_with_groups_of_one_weight_is_soft_threshold():
    """With one weight per group the block step is the ordinary soft-threshold."""
    w = np.linspace(-2, 2, 41)[:, None]
    np.testing.assert_allclose(group_soft_threshold(w, 0.5), soft_threshold(w, 0.5))


def test_group_soft_threshold_is_the_proximal_operator():
    """Its result minimises 1/2 ||V - W||^2 + t sum_j ||V[j, :]||: no nearby V does better."""
    rng = np.random.default_rng(2)
    W, t = rng.normal(size=(6, 4)), 1.5

    def objective(V):
        return 0.5 * np.sum((V - W) ** 2) + t * np.linalg.norm(V, axis=1).sum()

    V = group_soft_threshold(W, t)
    assert 0 < np.count_nonzero(V.any(axis=1)) < 6  # some rows zeroed, some kept
    for _ in range(200):
        assert objective(V) <= objective(V + 1e-3 * rng.normal(size=V.shape)) + 1e-12


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_group_lasso_keeps_the_dtype(dtype):
    """The gradient and the block step of float32 weights are float32."""
    W = np.ones((3, 2), dtype=dtype)
    assert GroupLasso(0.1).grad(W).dtype == dtype
    assert group_soft_threshold(W, 0.5).dtype == dtype


def test_proximal_group_lasso_step_changes_only_the_chosen_layers_and_respects_masks():
    """layers=[1] thresholds W_1's rows only; a pruned weight stays 0 and its mask stays."""
    net = Network([4, 5, 3], dtype="float64", rng=0)
    mask = np.ones((5, 3))
    mask[0, 0] = 0
    net.layers[1].apply_mask(mask)
    W0 = net.layers[0].W.copy()
    proximal_group_lasso_step(net, 10.0, 0.1, layers=[1])  # t = 1 > every row norm here
    np.testing.assert_array_equal(net.layers[0].W, W0)
    np.testing.assert_array_equal(net.layers[1].W, 0.0)
    np.testing.assert_array_equal(net.layers[1].mask, mask)


def test_training_with_proximal_group_lasso_removes_neurons_without_changing_outputs():
    """Training with the callback zeroes whole outgoing rows of hidden neurons; cutting those
    neurons out leaves every output as it was."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 6))
    y = (X[:, 0] > 0).astype(int)  # one feature decides: most neurons are not needed
    net = Network([6, 16, 2], activation="relu", dtype="float64", rng=0)
    train(net, X, y, epochs=30, callbacks=[ProximalGroupLasso(0.05, layers=[1])], rng=0)
    zero = ~net.layers[1].W.any(axis=1)
    assert 0 < zero.sum() < 16
    small = remove_neurons(net, 0, np.flatnonzero(~zero))
    assert small.sizes == [6, int((~zero).sum()), 2]
    # the removed neurons added exact zeros; only the order of the shorter sums may differ
    np.testing.assert_allclose(small.forward(X), net.forward(X), rtol=1e-12, atol=1e-12)
    assert net.accuracy(X, y) > 0.9


def test_subgradient_group_lasso_plugs_into_train_but_leaves_no_exact_zero_row():
    """As a plain penalty its subgradient shrinks rows but, like L1's, never lands on 0."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 6))
    y = (X[:, 0] > 0).astype(int)
    net = Network([6, 16, 2], activation="relu", dtype="float64", rng=0)
    train(net, X, y, epochs=30, penalty=GroupLasso(0.05), rng=0)
    assert net.layers[1].W.any(axis=1).all()


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: GroupLasso(-1.0), ValueError, "lam"),
        (lambda: GroupLasso(0.1, group="rows"), ValueError, "unknown group 'rows'; expected"),
        (lambda: group_soft_threshold(np.ones(3), 0.1), ValueError, "W"),
        (lambda: group_soft_threshold(np.ones((2, 2)), -0.1), ValueError, "threshold"),
        (
            lambda: proximal_group_lasso_step(known_net(), 0.1, 0.1, layers=[2]),
            ValueError,
            r"layers holds 2; expected indices into net.layers, 0..1",
        ),
        (
            lambda: proximal_group_lasso_step(known_net(), 0.1, 0.1, layers=1),
            TypeError,
            "layers must be a list of layer indices or None, got 1",
        ),
        (lambda: ProximalGroupLasso(0.1, group="columns"), ValueError, "unknown group"),
    ],
)
def test_group_lasso_bad_arguments(call, error, match):
    """Bad strengths, groups, thresholds and layer lists are refused, naming the argument."""
    with pytest.raises(error, match=match):
        call()
