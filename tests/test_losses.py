"""Losses: stable values, gradients that match numerical ones and the formulas."""

import numpy as np
import pytest

from minprune.gradcheck import numerical_gradient, rel_error
from minprune.losses import log_softmax, mse, softmax_cross_entropy


def test_cross_entropy_is_finite_for_logits_of_1e4():
    """Logits of +-1e4 give a finite loss and gradient, with no overflow."""
    logits = np.array([[1e4, -1e4, 0.0], [0.0, 1e4, 1e4]])
    y = np.array([1, 0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, dlogits = softmax_cross_entropy(logits, y)
    assert np.isfinite(loss) and np.all(np.isfinite(dlogits))
    assert loss == pytest.approx((2e4 + 1e4 + np.log(2)) / 2)


def test_cross_entropy_of_a_confident_right_answer_is_zero():
    """A huge logit on the right class gives loss 0 and gradient 0."""
    loss, dlogits = softmax_cross_entropy(np.array([[1e4, 0.0]]), np.array([0]))
    assert loss == 0.0
    np.testing.assert_array_equal(dlogits, 0.0)


def test_cross_entropy_of_uniform_logits_is_log_k():
    """Equal logits over k classes give loss log(k)."""
    loss, _ = softmax_cross_entropy(np.zeros((3, 7)), np.array([0, 3, 6]))
    assert loss == pytest.approx(np.log(7))


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    """dlogits = (softmax(logits) - onehot(y)) / n."""
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(5, 4))
    y = np.array([0, 1, 2, 3, 1])
    _, dlogits = softmax_cross_entropy(logits, y)
    expected = np.exp(log_softmax(logits))
    expected[np.arange(5), y] -= 1
    np.testing.assert_allclose(dlogits, expected / 5)


def test_cross_entropy_gradient_passes_a_numerical_check():
    """The cross-entropy gradient matches central differences in float64."""
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(6, 3))
    y = rng.integers(0, 3, size=6)
    _, dlogits = softmax_cross_entropy(logits, y)
    numeric = numerical_gradient(lambda: softmax_cross_entropy(logits, y)[0], logits)
    assert rel_error(dlogits, numeric) < 1e-6


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_gradient_keeps_the_dtype(dtype):
    """float32 logits give a float32 gradient."""
    _, dlogits = softmax_cross_entropy(np.zeros((2, 3), dtype=dtype), np.array([0, 1]))
    assert dlogits.dtype == dtype


def test_log_softmax_of_huge_logits_is_finite():
    """log_softmax of logits 1e4 apart is exact, not -inf or NaN."""
    out = log_softmax(np.array([[1e4, 0.0]]))
    np.testing.assert_allclose(out, [[0.0, -1e4]])


def test_mse_is_half_the_mean_square_with_its_gradient():
    """mse = mean((p - t)^2) / 2 and its gradient is (p - t) / size."""
    p = np.array([[1.0, 2.0], [3.0, 4.0]])
    t = np.array([[0.0, 2.0], [5.0, 4.0]])
    loss, grad = mse(p, t)
    assert loss == pytest.approx(0.5 * (1 + 0 + 4 + 0) / 4)
    np.testing.assert_allclose(grad, (p - t) / 4)


def test_mse_gradient_passes_a_numerical_check():
    """The mse gradient matches central differences in float64."""
    rng = np.random.default_rng(2)
    p, t = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    _, grad = mse(p, t)
    assert rel_error(grad, numerical_gradient(lambda: mse(p, t)[0], p)) < 1e-6


def test_mse_accepts_a_flat_target_for_a_single_output():
    """A target of shape (n,) is compared with a prediction of shape (n, 1)."""
    loss, grad = mse(np.array([[1.0], [3.0]]), np.array([0.0, 3.0]))
    assert loss == pytest.approx(0.25)
    assert grad.shape == (2, 1)
