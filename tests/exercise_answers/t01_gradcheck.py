"""Answers to exercise t01_gradcheck: its known mistakes and correct alternatives."""

import numpy as np

import minprune as mp


def gradients(net, X, y, eps):
    """Analytic and numerical gradients, parameter by parameter: W0, b0, W1, b1, ..."""
    _, grads = net.loss_and_grads(X, y)
    analytic, numeric = [], []
    for i, layer in enumerate(net.layers):
        for name in ("W", "b"):
            analytic.append(np.ravel(grads[i][name]))
            numeric.append(
                np.ravel(mp.numerical_gradient(lambda: net.loss(X, y), getattr(layer, name), eps))
            )
    return analytic, numeric


def ratio(a, g):
    return float(np.linalg.norm(a - g) / (np.linalg.norm(a) + np.linalg.norm(g)))


# ------------------------------------------------------------------ mistakes
def weights_only(net, X, y, eps=1e-6):
    analytic, numeric = gradients(net, X, y, eps)
    return ratio(np.concatenate(analytic[::2]), np.concatenate(numeric[::2]))


def per_parameter_max(net, X, y, eps=1e-6):
    analytic, numeric = gradients(net, X, y, eps)
    return max(ratio(a, g) for a, g in zip(analytic, numeric, strict=True))


def entrywise(net, X, y, eps=1e-6):
    analytic, numeric = gradients(net, X, y, eps)
    a, g = np.concatenate(analytic), np.concatenate(numeric)
    return float(np.max(np.abs(a - g) / np.maximum(np.abs(a) + np.abs(g), 1e-12)))


def unnormalised(net, X, y, eps=1e-6):
    analytic, numeric = gradients(net, X, y, eps)
    return float(np.linalg.norm(np.concatenate(analytic) - np.concatenate(numeric)))


def misaligned(net, X, y, eps=1e-6):
    _, grads = net.loss_and_grads(X, y)
    a = np.concatenate([g["W"].ravel() for g in grads] + [g["b"].ravel() for g in grads])
    _, numeric = gradients(net, X, y, eps)
    return ratio(a, np.concatenate(numeric))


def blind(net, X, y, eps=1e-6):
    return 0.0


def changes_net(net, X, y, eps=1e-6):
    analytic, numeric = gradients(net, X, y, eps)
    net.layers[0].W[0, 0] += 1.0
    return ratio(np.concatenate(analytic), np.concatenate(numeric))


# ------------------------------------------------------------------ alternatives
def on_a_copy(net, X, y, eps=1e-6):
    net = net.copy()
    analytic, numeric = gradients(net, X, y, eps)
    return ratio(np.concatenate(analytic), np.concatenate(numeric))


def sum_of_squares(net, X, y, eps=1e-6):
    analytic, numeric = gradients(net, X, y, eps)
    diff = sum(float(np.sum((a - g) ** 2)) for a, g in zip(analytic, numeric, strict=True))
    norm_a = sum(float(np.sum(a**2)) for a in analytic)
    norm_g = sum(float(np.sum(g**2)) for g in numeric)
    return np.sqrt(diff) / (np.sqrt(norm_a) + np.sqrt(norm_g))


def norm_rel_error(net, X, y, eps=1e-6):
    analytic, numeric = gradients(net, X, y, eps)
    return mp.norm_rel_error(np.concatenate(analytic), np.concatenate(numeric))


def params_first(net, X, y, eps=1e-6):
    """Every numerical gradient first, then one loss_and_grads: the order does not matter."""
    numeric = []
    for layer in net.layers:
        for param in (layer.W, layer.b):
            numeric.append(mp.numerical_gradient(lambda: net.loss(X, y), param, eps).ravel())
    _, grads = net.loss_and_grads(X, y)
    analytic = [grads[i][name].ravel() for i in range(len(net.layers)) for name in ("W", "b")]
    return ratio(np.concatenate(analytic), np.concatenate(numeric))


MISTAKES = {
    "weights_only": weights_only,
    "per_parameter_max": per_parameter_max,
    "entrywise": entrywise,
    "unnormalised": unnormalised,
    "misaligned": misaligned,
    "blind": blind,
    "changes_net": changes_net,
}
ALTERNATIVES = {
    "on_a_copy": on_a_copy,
    "sum_of_squares": sum_of_squares,
    "norm_rel_error": norm_rel_error,
    "params_first": params_first,
}
# Each run computes central differences of every parameter of six networks, twice (the
# check's reference and the answer): about 60 ms. 20 seeds keep the topic's share of
# tests/test_exercises.py under 40 s on one core; every mistake shows on every draw by
# construction (each run has a correct, a W-pruned and a b-pruned network), not by luck.
SEEDS = 20
