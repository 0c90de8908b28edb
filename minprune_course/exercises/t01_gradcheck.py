"""Exercise 01.4: ``gradient_check(net, X, y, eps)``, ``||a - g|| / (||a|| + ||g||)`` over
every parameter of a network.

The answer builds on ``net.loss_and_grads`` and ``mp.numerical_gradient`` on purpose, so
nothing is switched off. It gets plain data: a float64 ``mp.Network`` (sigmoid or tanh,
no kinks, non-zero biases), a batch ``X``, labels ``y`` and ``eps``. Some networks are
correct; the others are pruned (a mask holds 0 at some entries of one ``W`` or one
``b``, and the weight there is 0): their ``loss_and_grads`` returns 0 for a pruned
entry's gradient while ``net.loss`` still changes when that entry is perturbed, so the
ratio is large, a bug the gradient check must see. Pruned networks stay pruned through
``net.copy()`` and ``net.astype``, so an answer that works on a copy gets the same ratio.

On a correct network the ratio is round-off, so any value below 1e-7 passes; on a pruned
one it is compared with the check's own ratio within a relative 1e-6. Every run holds a
correct network, one pruned in a ``W`` and one pruned in a ``b``, so the mistakes below
show on every draw. The answer runs on copies; the check reads back the network it ran
on and fails one whose parameters (weights, biases, masks) changed. Its workspace (the
activations ``loss_and_grads`` keeps) may change.
"""

import numpy as np

import minprune as mp
from minprune_course import checks

from . import _t01

GRADE_ID = "t01_gradcheck_test"
ANSWER = "gradient_check"
SIGNATURE = "(net, X, y, eps=1e-6)"
REFERENCE = ()
MISTAKES = {
    "weights_only": "looks like the ratio over the weights W only; include every layer's b",
    "per_parameter_max": "looks like the largest ratio of a single parameter array; "
    "concatenate every W and b into one vector a and one g first, then take the norms",
    "entrywise": "looks like the largest entry-wise relative error; the exercise asks for "
    "the ratio of norms ||a - g|| / (||a|| + ||g||)",
    "unnormalised": "looks like ||a - g|| alone; divide it by ||a|| + ||g||",
    "misaligned": "looks like a and g concatenated in different orders; put each "
    "parameter's analytic and numerical gradient at the same place (W0, b0, W1, b1, ...)",
    "blind": "returned almost 0 on a pruned network: its loss_and_grads returns 0 for a "
    "pruned weight's gradient, yet net.loss still changes when that weight is perturbed, "
    "and a gradient check must see that; compare the gradients of every W and b of net",
    "changes_net": "changed the network's parameters in place; leave them as you found them "
    "(mp.numerical_gradient puts every entry back)",
}
CORRECT_BELOW = 1e-7  # what the prompt promises for a correct float64 network
BLIND_BELOW = 1e-6  # far below any pruned network's ratio, far above round-off
RTOL = 1e-6


def _network(rng, prune=None):
    """A small float64 network, a batch and labels; ``prune=(layer, "W" or "b")`` prunes
    a random half of that parameter's entries (one at least, not all)."""
    sizes = [int(rng.integers(3, 7))]
    sizes += [int(v) for v in rng.integers(2, 6, size=int(rng.integers(1, 3)))]
    sizes.append(int(rng.integers(2, 5)))
    activation = str(rng.choice(["sigmoid", "tanh"]))
    net = mp.Network(sizes, activation=activation, dtype="float64", rng=rng)
    for layer in net.layers:  # non-zero biases, so that b's gradient is exercised
        layer.b += rng.normal(scale=0.1, size=layer.b.shape)
    n = int(rng.integers(3, 7))
    X = rng.normal(size=(n, sizes[0]))
    y = rng.integers(0, sizes[-1], size=n)
    if prune is not None:
        layer, name = net.layers[prune[0]], prune[1]
        shape = getattr(layer, name).shape
        keep = (rng.random(shape) < 0.5).ravel()
        keep[int(rng.integers(keep.size))] = False
        keep[int(rng.integers(keep.size))] = True
        if keep.all() or not keep.any():  # the two planted entries fell on one
            keep[:2] = False, True
        mask = keep.reshape(shape).astype(float)
        layer.apply_mask(**{"mask" if name == "W" else "b_mask": mask})
    return net, X, y


def cases(rng, hidden):
    """``(net, X, y, eps, pruned)``. Visible: a correct network, one pruned in a ``W``, one
    pruned in a ``b``, with eps = 1e-6. Hidden: eps between 1e-6 and 1e-5, and two more
    pruned networks (random layer and parameter) and another correct one."""

    def eps():
        return float(10 ** rng.uniform(-6, -5)) if hidden else 1e-6

    yield (*_network(rng), eps(), False)
    yield (*_network(rng, (int(rng.integers(0, 2)), "W")), eps(), True)
    yield (*_network(rng, (-1, "b")), eps(), True)
    if not hidden:
        return
    for _ in range(2):
        prune = (int(rng.integers(0, 2)), str(rng.choice(["W", "b"])))
        yield (*_network(rng, prune), eps(), True)
    yield (*_network(rng), eps(), False)


def _ratio(a, g):
    return float(np.linalg.norm(a - g) / max(float(np.linalg.norm(a) + np.linalg.norm(g)), 1e-300))


def _reference(net, X, y, eps):
    """The ratio asked for, and what each known mistake returns, on this network."""
    _, grads = net.loss_and_grads(X, y)
    analytic, numeric = [], []
    for i, layer in enumerate(net.layers):
        for name in ("W", "b"):
            analytic.append(np.ravel(grads[i][name]).astype(np.float64))
            numeric.append(
                np.ravel(mp.numerical_gradient(lambda: net.loss(X, y), getattr(layer, name), eps))
            )
    a, g = np.concatenate(analytic), np.concatenate(numeric)
    mistakes = {
        "weights_only": _ratio(np.concatenate(analytic[::2]), np.concatenate(numeric[::2])),
        "per_parameter_max": max(_ratio(p, q) for p, q in zip(analytic, numeric, strict=True)),
        "entrywise": mp.rel_error(a, g),
        "unnormalised": float(np.linalg.norm(a - g)),
        "misaligned": _ratio(np.concatenate(analytic[::2] + analytic[1::2]), g),
    }
    return _ratio(a, g), mistakes


def _parameters(net):
    """Everything of ``net`` a gradient check must leave as it was."""
    return [(layer.W, layer.b, layer.mask, layer.b_mask, layer.activation) for layer in net.layers]


def check(answer, hidden=False, seed=None):
    """``answer(net, X, y, eps)`` is the ratio of norms over every ``W`` and ``b``: below 1e-7
    on correct networks, the check's own ratio on pruned ones; ``net`` left as it was."""
    results = []
    for net, X, y, eps, pruned in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected, mistakes = _reference(net, X, y, eps)
        kind = "a pruned" if pruned else "a correct"
        what = f"gradient_check(net, X, y, eps={eps:.2g}) on {kind} float64 network {net.sizes}"
        before = _parameters(net)
        got, (net_after, *_) = _t01.call_keeping(
            answer, net, X, y, eps, what=what, frozen=(1, 2, 3), names=("net", "X", "y", "eps")
        )
        checks.expect_true(
            checks.same(_parameters(net_after), before), f"{what} {MISTAKES['changes_net']}"
        )
        value = checks.expect_float(got, what)
        checks.expect_true(value >= 0, f"{what} returned {value:.3g}; a ratio of norms is >= 0")
        results.append((what, value, expected, mistakes, pruned))
    for what, value, expected, mistakes, pruned in results:  # known mistakes first
        if pruned:
            _t01.no_mistake(what, value, expected, mistakes, MISTAKES, RTOL, 0.0)
    for what, value, _, _, pruned in results:
        if not pruned:
            checks.expect_true(
                value < CORRECT_BELOW,
                f"{what} returned {value:.1e}, not below 1e-7: compare net.loss_and_grads with "
                "central differences of net.loss, parameter by parameter",
            )
    for what, value, expected, _, pruned in results:
        if pruned:
            checks.expect_true(value >= BLIND_BELOW, f"{what} {MISTAKES['blind']}")
            checks.expect_close(value, expected, what, RTOL, 0.0)
    checks.passed()
