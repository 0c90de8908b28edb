"""Checks of exercises 01 (dense networks): usual mistakes get their hints, never the answer."""

import numpy as np
import pytest
from topic_checks import assert_hidden, hint, liar, master, perturbed, run

import minprune as mp
from minprune.activations import sigmoid as imported_sigmoid
from minprune_course import checks_01 as c

M = master("01")
OWN_WORK = "switched off while the check runs your code"


# ---------------------------------------------------------------- sigmoid
def naive(z):
    return 1 / (1 + np.exp(-z))


def where_naive(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


def flipped(z):
    return M.sigmoid(-z)


def float64_out(z):
    return M.sigmoid(np.asarray(z, dtype=np.float64))


def clipped(z):
    return 1 / (1 + np.exp(-np.clip(z, -30, 30)))


def no_dout(dout, z, a):
    return a * (1 - a)


def quotient(dout, z, a):
    return dout * np.exp(-z) / (1 + np.exp(-z)) ** 2


def from_z(dout, z, a):
    return dout * a * (1 - a) + 1e-3


# --------------------------------------------------------- dense backward
def db_mean(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)


def db_keepdims(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)


def dW_transposed(dZ, X, W):
    return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)


def dW_over_n(dZ, X, W):
    return dZ @ W.T, X.T @ dZ / len(X), dZ.sum(axis=0)


def dX_missing(dZ, X, W):
    return X.T @ dZ, dZ.sum(axis=0)


def float64_grads(dZ, X, W):
    return tuple(g.astype(np.float64) for g in M.dense_backward(dZ, X, W))


# ----------------------------------------------------- numerical gradient
def one_sided(f, x, eps=1e-6):
    grad, base = np.zeros(x.shape), f()
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        grad[i] = (f() - base) / eps
        x[i] = old
    return grad


def fixed_eps(f, x, eps=1e-6):
    return M.numerical_gradient(f, x, 1e-6)


def not_restored(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f()
        x[i] = old - eps
        grad[i] = (plus - f()) / (2 * eps)
    return grad


def doubled(f, x, eps=1e-6):
    return 2 * M.numerical_gradient(f, x, eps)


def on_a_copy(f, x, eps=1e-6):
    return M.numerical_gradient(f, x.copy(), eps)


def never_calls_f(f, x, eps=1e-6):
    return np.zeros(x.shape)


# --------------------------------------------------------- gradient check
def weights_only(net, X, y, eps=1e-6):
    _, grads = net.loss_and_grads(X, y)
    a = np.concatenate([grads[i]["W"].ravel() for i in range(len(net.layers))])
    g = np.concatenate(
        [mp.numerical_gradient(lambda: net.loss(X, y), lay.W, eps).ravel() for lay in net.layers]
    )
    return float(np.linalg.norm(a - g) / (np.linalg.norm(a) + np.linalg.norm(g)))


def always_zero(net, X, y, eps=1e-6):
    return 0.0


def always_large(net, X, y, eps=1e-6):
    return 1.0


def leaves_changes(net, X, y, eps=1e-6):
    value = M.gradient_check(net, X, y, eps)
    net.layers[0].W[0, 0] += 1.0
    return value


WRONG = [
    (c.check_sigmoid, (naive, M.sigmoid_backward), False, "raised FloatingPointError"),
    (c.check_sigmoid, (where_naive, M.sigmoid_backward), False, "np.where computes both"),
    (c.check_sigmoid, (flipped, M.sigmoid_backward), False, "looks like sigmoid(-z)"),
    (c.check_sigmoid, (float64_out, M.sigmoid_backward), True, "for float32 input; keep the dtype"),
    (c.check_sigmoid, (clipped, M.sigmoid_backward), False, "sigmoid(z) with z of shape"),
    (c.check_sigmoid, (M.sigmoid, no_dout), False, "is the derivative alone"),
    (c.check_sigmoid, (M.sigmoid, quotient), False, "raised FloatingPointError"),
    (c.check_sigmoid, (M.sigmoid, from_z), False, "values differ at"),
    (c.check_dense_backward, db_mean, False, "times too small: no division by the batch size"),
    (c.check_dense_backward, db_keepdims, False, "one entry per output unit, like b"),
    (c.check_dense_backward, dW_transposed, False, "expected (%s), the shape of W"),
    (c.check_dense_backward, dW_over_n, False, "times too small"),
    (c.check_dense_backward, dX_missing, False, "expected a tuple (dX, dW, db)"),
    (c.check_dense_backward, float64_grads, True, "for float32 input; keep the dtype"),
    (c.check_numerical_gradient, one_sided, False, "is a one-sided difference"),
    (c.check_numerical_gradient, fixed_eps, False, "does not use the eps it was given"),
    (c.check_numerical_gradient, not_restored, False, "left x changed"),
    (c.check_numerical_gradient, doubled, False, "off by a factor of 2"),
    (c.check_numerical_gradient, on_a_copy, False, "values differ at"),
    (c.check_numerical_gradient, never_calls_f, False, "never called f()"),
    # on a correct network the W-only ratio is sometimes within the tolerance, sometimes not
    (
        c.check_gradient_check,
        weights_only,
        True,
        ("looks like the weights W only", "not the ratio"),
    ),
    (c.check_gradient_check, always_zero, False, "small, but not the ratio asked for"),
    (c.check_gradient_check, always_large, False, "not below 1e-7"),
    (c.check_gradient_check, leaves_changes, False, "left the network's parameters changed"),
]


def pattern_of(text):
    """The regex for a hint: literal text, ``%s`` standing for a shape, a tuple for either."""
    texts = text if isinstance(text, tuple) else (text,)
    return "|".join(hint(t).replace("%s", r"\d+, \d+") for t in texts)


def _id(entry):
    answers = entry[1] if isinstance(entry[1], tuple) else (entry[1],)
    return f"{entry[0].__name__}-" + "-".join(a.__name__ for a in answers)


@pytest.mark.parametrize(
    ("check", "answer", "hidden", "text"), [pytest.param(*w, id=_id(w)) for w in WRONG]
)
def test_a_wrong_answer_gets_its_hint(check, answer, hidden, text):
    """A usual mistake fails with the hint that names it."""
    answers = answer if isinstance(answer, tuple) else (answer,)
    pattern = pattern_of(text)
    with pytest.raises(AssertionError, match=pattern):
        run(check, *answers, hidden=hidden)


@pytest.mark.parametrize(
    ("check", "answers"),
    [
        (c.check_sigmoid, (liar(M.sigmoid), M.sigmoid_backward)),
        (c.check_sigmoid, (M.sigmoid, liar(M.sigmoid_backward))),
        (c.check_dense_backward, (liar(M.dense_backward),)),
        (c.check_numerical_gradient, (liar(M.numerical_gradient),)),
        (c.check_gradient_check, (liar(M.gradient_check),)),
    ],
    ids=["sigmoid", "sigmoid_backward", "dense_backward", "numerical_gradient", "gradient_check"],
)
def test_wrong_numbers_that_claim_equality_fail(check, answers):
    """The master's results with every number changed fail, though they claim to be equal."""
    with pytest.raises(AssertionError):
        run(check, *answers, hidden=True)


@pytest.mark.parametrize(
    ("check", "answers"),
    [
        (c.check_sigmoid, (lambda z: mp.sigmoid(z), M.sigmoid_backward)),
        (c.check_sigmoid, (imported_sigmoid, M.sigmoid_backward)),
        (c.check_sigmoid, (M.sigmoid, lambda dout, z, a: mp.sigmoid_backward(dout, z, a))),
        (c.check_dense_backward, (lambda dZ, X, W: mp.dense_backward(dZ, X, W),)),
        (c.check_numerical_gradient, (lambda f, x, eps=1e-6: mp.numerical_gradient(f, x, eps),)),
    ],
    ids=["sigmoid", "sigmoid-imported-earlier", "sigmoid_backward", "dense", "numerical"],
)
def test_calling_minprune_is_switched_off(check, answers):
    """An answer that calls minprune's own function fails and is told why."""
    with pytest.raises(AssertionError, match=OWN_WORK):
        run(check, *answers)


def test_minprune_works_again_after_the_check():
    """The switched-off functions are restored once the check is done."""
    with pytest.raises(AssertionError):
        run(c.check_sigmoid, lambda z: mp.sigmoid(z), M.sigmoid_backward)
    np.testing.assert_allclose(mp.sigmoid(np.zeros(2)), [0.5, 0.5])


def test_a_wrong_gradient_does_not_show_the_right_one():
    """Slightly wrong gradients fail without the hint giving the expected arrays."""
    wrong = perturbed(M.dense_backward, lambda g: (g[0], g[1] * 1.01, g[2]))
    with pytest.raises(AssertionError, match="values differ at") as info:
        run(c.check_dense_backward, wrong)
    assert_hidden(str(info.value), wrong.expected[-1])


def test_a_wrong_sigmoid_does_not_show_the_right_one():
    """A slightly wrong sigmoid fails without the hint giving the expected values."""
    wrong = perturbed(M.sigmoid, lambda a: a * 0.99)
    with pytest.raises(AssertionError) as info:
        run(c.check_sigmoid, wrong, M.sigmoid_backward)
    assert_hidden(str(info.value), wrong.expected[-1])
