"""Activations: stable forwards, and backwards that match numerical derivatives."""

import numpy as np
import pytest

from minprune.activations import (
    ACTIVATIONS,
    relu,
    relu_backward,
    sigmoid,
    softmax,
    softmax_backward,
    tanh,
)
from minprune.gradcheck import numerical_gradient, rel_error

BIG = np.array([-1e4, -1000.0, -710.0, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0, 710.0, 1e4])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_raises_no_floating_point_warning_for_huge_inputs(dtype):
    """sigmoid signals no overflow or underflow for |z| up to 1e4."""
    with np.errstate(all="raise"):
        a = sigmoid(BIG.astype(dtype))
    assert np.all(np.isfinite(a))
    assert a[0] == 0.0 and a[-1] == 1.0


def test_sigmoid_matches_the_naive_formula_where_it_is_safe():
    """sigmoid equals 1 / (1 + exp(-z)) for moderate z."""
    z = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(sigmoid(z), 1.0 / (1.0 + np.exp(-z)), rtol=1e-14, atol=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_keeps_the_float_dtype(dtype):
    """sigmoid of a float32 array is float32, of a float64 array float64."""
    assert sigmoid(np.zeros(3, dtype=dtype)).dtype == dtype


def test_sigmoid_of_integers_is_float64():
    """Integer input is not truncated back to integers."""
    a = sigmoid(np.array([-2, 0, 2]))
    assert a.dtype == np.float64
    np.testing.assert_allclose(a, 1.0 / (1.0 + np.exp(-np.array([-2.0, 0.0, 2.0]))))


def test_sigmoid_is_symmetric():
    """sigmoid(-z) = 1 - sigmoid(z)."""
    z = np.linspace(-20, 20, 81)
    np.testing.assert_allclose(sigmoid(-z), 1.0 - sigmoid(z), atol=1e-15)


def test_sigmoid_propagates_nan():
    """A NaN input gives a NaN output, not a silent 0."""
    assert np.isnan(sigmoid(np.array([np.nan]))[0])


def test_tanh_matches_numpy_and_stays_bounded():
    """tanh equals np.tanh and saturates at +-1 without warnings."""
    with np.errstate(all="raise"):
        a = tanh(BIG)
    np.testing.assert_array_equal(a, np.tanh(BIG))
    assert a[0] == -1.0 and a[-1] == 1.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_zeroes_negatives_and_keeps_dtype(dtype):
    """relu(z) = max(z, 0) in the input's dtype."""
    z = np.array([-2.0, -0.0, 0.0, 3.5], dtype=dtype)
    a = relu(z)
    assert a.dtype == dtype
    np.testing.assert_array_equal(a, [0.0, 0.0, 0.0, 3.5])


def test_softmax_rows_sum_to_one_for_huge_logits():
    """softmax stays finite and normalised for logits of 1e4 (no overflow)."""
    z = np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = softmax(z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    np.testing.assert_allclose(a, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])


def test_softmax_is_shift_invariant():
    """Adding a constant to a row leaves its softmax unchanged."""
    z = np.random.default_rng(0).normal(size=(4, 5))
    np.testing.assert_allclose(softmax(z + 100.0), softmax(z), rtol=1e-12)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_backward_passes_a_numerical_gradient_check(name):
    """Each backward equals the central-difference gradient of sum(dout * f(z)), float64."""
    forward, backward = ACTIVATIONS[name]
    rng = np.random.default_rng(1)
    z = rng.normal(size=(4, 5)) * 2
    if name == "relu":
        z[np.abs(z) < 1e-3] = 0.5  # keep away from the kink, where there is no derivative
    dout = rng.normal(size=z.shape)
    analytic = backward(dout, z, forward(z))
    numeric = numerical_gradient(lambda: float(np.sum(dout * forward(z))), z)
    assert rel_error(analytic, numeric) < 1e-6


def test_softmax_backward_is_the_jacobian_transpose_times_dout():
    """softmax_backward equals J^T dout with J = diag(a) - a a^T for one row."""
    rng = np.random.default_rng(2)
    z = rng.normal(size=(1, 4))
    dout = rng.normal(size=(1, 4))
    a = softmax(z)[0]
    J = np.diag(a) - np.outer(a, a)
    np.testing.assert_allclose(softmax_backward(dout, z, softmax(z))[0], J.T @ dout[0])


def test_relu_backward_passes_nothing_at_or_below_zero():
    """relu_backward is dout where z > 0 and 0 where z <= 0 (the subgradient at 0 is 0)."""
    z = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(relu_backward(np.full(3, 5.0), z, relu(z)), [0.0, 0.0, 5.0])
