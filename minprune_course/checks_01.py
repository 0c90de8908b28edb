"""Checks for the exercises of lesson 01, dense networks from scratch.

Each check draws fresh random inputs (a new seed on every call, so a hard-coded
answer fails), computes the reference with ``minprune`` first, calls the
learner's function and raises ``AssertionError`` with a hint that names the
mistake, never the expected numbers::

    checks_01.check_sigmoid(sigmoid, sigmoid_backward)                # visible
    checks_01.check_sigmoid(sigmoid, sigmoid_backward, hidden=True)   # the grader's battery

While the learner's function runs, the ``minprune`` function it is asked to
write raises an ``AssertionError`` (an answer that only calls the reference
would pass any comparison with it). The gradient check exercise is the
exception: it is meant to call ``net.loss_and_grads`` and ``mp.numerical_gradient``.
"""

import numpy as np

import minprune as mp
from minprune import activations, gradcheck, layers

from . import checks

__all__ = [
    "check_sigmoid",
    "check_dense_backward",
    "check_numerical_gradient",
    "check_gradient_check",
]

_asarray = np.asarray
_absolute = np.absolute
_isfinite = np.isfinite
_errstate = np.errstate
_float64 = np.float64
_float32 = np.float32
_ndarray = np.ndarray
_norm = np.linalg.norm
_concatenate = np.concatenate
_exp = np.exp
_sin = np.sin
_copy = np.copy


# ------------------------------------------------------------ own work only
_BLOCKED = (  # the hint when the learner's code calls minprune's own answer
    "this exercise asks for your own NumPy code: minprune's version is what the check "
    "compares your answer with, so it is switched off while the check runs your code"
)


def _expect_dtype(answer, dtype, what):
    """``answer`` (already checked for its values) must be an ndarray of ``dtype``."""
    if not isinstance(answer, _ndarray):
        raise AssertionError(f"{what} is a {type(answer).__name__}; expected a NumPy array")
    if answer.dtype != dtype:
        raise AssertionError(f"{what} has dtype {answer.dtype} for {dtype} input; keep the dtype")


def _tuple_of(out, n, names, what):
    """The learner's tuple of ``n`` results."""
    if not isinstance(out, tuple | list) or len(out) != n:
        kind = type(out).__name__
        size = f" of length {len(out)}" if isinstance(out, tuple | list) else ""
        raise AssertionError(f"{what} returned a {kind}{size}; expected a tuple ({names})")
    return out


def _near(array, target, rtol, atol):
    """True when every entry of ``array`` is within ``atol + rtol * |target|`` of ``target``."""
    array = _asarray(array, dtype=_float64)
    target = _asarray(target, dtype=_float64)
    if array.shape != target.shape:
        return False
    with _errstate(invalid="ignore", over="ignore"):
        return bool((_absolute(array - target) <= atol + rtol * _absolute(target)).all())


# ------------------------------------------------------------------ sigmoid
def _sigmoid_inputs(rng, hidden):
    """Arrays of pre-activations with extreme entries mixed in (float64; float32 when hidden)."""
    n, k = (int(v) for v in rng.integers(3, 9, size=2))
    z = rng.normal(scale=rng.uniform(1.0, 10.0), size=(n, k))
    extremes = [-1e4, -1000.0, -800.0, -100.0, 0.0, 100.0, 800.0, 1000.0, 1e4]
    z.flat[: len(extremes)] = rng.permutation(extremes)
    cases = [z]
    if hidden:
        cases += [
            rng.uniform(-1e4, 1e4, size=int(rng.integers(5, 40))),
            rng.normal(scale=50.0, size=(2, 3, 4)),
            _asarray([-745.5, -709.9, -37.0, -1e-300, 0.0, 1e-300, 37.0, 709.9, 745.5]),
            (rng.normal(scale=60.0, size=(n, k))).astype(_float32),
            _asarray([-1e4, -100.0, -89.0, -88.0, 0.0, 88.0, 89.0, 1e4], dtype=_float32),
        ]
    return cases


def _run_stable(fn, args, what):
    """Run ``fn(*args)`` where any overflow, invalid operation or division by zero raises."""
    try:
        with _errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            return checks.call(fn, *args, what=what)
    except FloatingPointError as exc:
        raise AssertionError(
            f"{what} raised FloatingPointError ({exc}): NumPy would print a RuntimeWarning "
            "here. Take exp only of numbers <= 0, e.g. of -|z| (and remember that np.where "
            "computes both of its branches for every entry)"
        ) from None


def check_sigmoid(sigmoid, sigmoid_backward, hidden=False):
    """Check ``sigmoid(z)`` and ``sigmoid_backward(dout, z, a)`` against ``mp.sigmoid``.

    ``sigmoid`` must be overflow-free for any finite input (checked with ``|z|`` up to
    1e4 under ``np.errstate(over="raise", invalid="raise")``) and keep float32 as float32.
    """
    checks.expect_callable(sigmoid, "sigmoid")
    checks.expect_callable(sigmoid_backward, "sigmoid_backward")
    rng = checks.rng()
    for z in _sigmoid_inputs(rng, hidden):
        expected = mp.sigmoid(z)
        dout = rng.normal(size=z.shape).astype(z.dtype)
        grad_ref = mp.sigmoid_backward(dout, z, expected)
        rtol = 1e-6 if z.dtype == _float32 else 1e-10
        where = f"z of shape {z.shape}, dtype {z.dtype}, |z| up to {float(_absolute(z).max()):g}"

        what = f"sigmoid(z) with {where}"
        with checks.switched_off([activations.sigmoid, activations.sigmoid_backward], _BLOCKED):
            raw = _run_stable(sigmoid, (z,), what)
        a = checks.expect_array(raw, shape=z.shape, what=what)
        if not _isfinite(a).all():
            raise AssertionError(f"{what} contains nan or inf; sigmoid is finite everywhere")
        if ((a < 0) | (a > 1)).any():
            raise AssertionError(f"{what} has values outside [0, 1]")
        # minprune sets exp(-|z|) to 0 where it would be subnormal; allow for that
        atol = 4 * float(np.finfo(z.dtype).tiny)
        if not _near(a, expected, rtol, atol) and _near(a, 1.0 - expected, 1e-6, 1e-12):
            raise AssertionError(f"{what} looks like sigmoid(-z): check the sign in the exponent")
        checks.expect_close(a, expected, what=what, rtol=rtol, atol=atol)
        _expect_dtype(raw, z.dtype, what)

        what = f"sigmoid_backward(dout, z, a) with {where}"
        with checks.switched_off([activations.sigmoid, activations.sigmoid_backward], _BLOCKED):
            raw = _run_stable(sigmoid_backward, (dout, z, expected), what)
        g = checks.expect_array(raw, shape=z.shape, what=what)
        if not _isfinite(g).all():
            raise AssertionError(
                f"{what} contains nan or inf; write the derivative with a = sigmoid(z), "
                "which is finite everywhere"
            )
        if not _near(g, grad_ref, rtol, 1e-12):
            if _near(g, mp.sigmoid_backward(1.0, z, expected), rtol, 1e-12):
                raise AssertionError(
                    f"{what} is the derivative alone; multiply it by the upstream gradient dout"
                )
            checks.expect_close(g, grad_ref, what=what, rtol=rtol, atol=1e-12)
    checks.passed("sigmoid and sigmoid_backward")


# ------------------------------------------------------------ dense backward
def _dense_cases(rng, hidden):
    """``(dZ, X, W)`` with n, n_in and n_out all different, so a transpose shows in the shapes."""
    n, n_in, n_out = (int(v) for v in rng.choice(np.arange(2, 12), size=3, replace=False))
    cases = [(n, n_in, n_out, _float64)]
    if hidden:
        cases += [
            (1, n_in, n_out, _float64),
            (int(rng.integers(20, 60)), int(rng.integers(20, 60)) + 61, 7, _float64),
            (n, n_in, n_out, _float32),
        ]
    for n, n_in, n_out, dtype in cases:
        X = rng.normal(size=(n, n_in)).astype(dtype)
        W = rng.normal(scale=0.5, size=(n_in, n_out)).astype(dtype)
        dZ = (rng.normal(size=(n, n_out)) / n).astype(dtype)
        yield dZ, X, W


def check_dense_backward(dense_backward, hidden=False):
    """Check ``dense_backward(dZ, X, W) -> (dX, dW, db)`` against ``mp.dense_backward``."""
    checks.expect_callable(dense_backward, "dense_backward")
    rng = checks.rng()
    for dZ, X, W in _dense_cases(rng, hidden):
        dX_ref, dW_ref, db_ref = mp.dense_backward(dZ, X, W)
        n = X.shape[0]
        rtol = 1e-5 if W.dtype == _float32 else 1e-10
        what = (
            f"dense_backward(dZ, X, W) with dZ {dZ.shape}, X {X.shape}, W {W.shape}, "
            f"dtype {W.dtype}"
        )
        with checks.switched_off([layers.dense_backward], _BLOCKED):
            out = checks.call(dense_backward, dZ, X, W, what=what)
        dX, dW, db = _tuple_of(out, 3, "dX, dW, db", what)
        for name, got, ref, shape_hint in (
            ("dX", dX, dX_ref, "the shape of X"),
            ("dW", dW, dW_ref, "the shape of W"),
            ("db", db, db_ref, "one entry per output unit, like b"),
        ):
            label = f"{name} of {what}"
            array = checks.expect_array(got, what=label)
            if array.shape != ref.shape:
                raise AssertionError(
                    f"{label} has shape {array.shape}; expected {ref.shape}, {shape_hint}"
                )
            if not _near(array, ref, rtol, 1e-12):
                if n > 1 and _near(array * n, ref, rtol, 1e-12):
                    raise AssertionError(
                        f"{label} is {n} times too small: no division by the batch size here, "
                        "dZ already carries the 1/n of the mean loss"
                    )
                if name == "db" and n > 1 and _near(array, ref * n, rtol, 1e-12):
                    raise AssertionError(f"{label} is {n} times too large")
                checks.expect_close(array, ref, what=label, rtol=rtol, atol=1e-12)
            _expect_dtype(got, W.dtype, label)
    checks.passed("dense_backward")


# ------------------------------------------------------- numerical gradient
class _Function:
    """``f() = sum(c * exp(s * x)) + sum(d * sin(x))``, reading ``x`` when called; counts calls."""

    def __init__(self, x, rng):
        self.x = x
        self.s = rng.uniform(0.5, 1.5)
        self.c = rng.uniform(0.5, 2.0, size=x.shape)
        self.d = rng.uniform(-1.0, 1.0, size=x.shape)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        x = self.x
        return float((self.c * _exp(self.s * x)).sum() + (self.d * _sin(x)).sum())

    def forward_difference(self, eps):
        """What a one-sided difference would return, for the hint."""
        base = self()
        grad = np.zeros(self.x.shape)
        for i in np.ndindex(self.x.shape):
            old = self.x[i]
            self.x[i] = old + eps
            grad[i] = (self() - base) / eps
            self.x[i] = old
        return grad


def _gradient_cases(rng, hidden):
    """``(x, eps)``: one 2-D case with a large eps (so eps matters) and one with the default."""
    shape = tuple(int(v) for v in rng.integers(2, 6, size=2))
    cases = [
        (rng.normal(size=shape), float(10 ** rng.uniform(-2.7, -2.3))),
        (rng.normal(size=shape), 1e-6),
    ]
    if hidden:
        cases += [
            (rng.normal(size=int(rng.integers(3, 12))), float(10 ** rng.uniform(-5, -3))),
            (rng.normal(size=(2, 3, 2)), float(10 ** rng.uniform(-5, -3))),
            (rng.normal(size=1), 1e-4),
        ]
    return cases


def check_numerical_gradient(numerical_gradient, hidden=False):
    """Check ``numerical_gradient(f, x, eps)`` (central differences) against ``mp.numerical_gradient``.

    ``f`` takes no arguments and reads ``x``, which the answer perturbs in place and must
    restore. The answer is called directly (not on copies): ``f`` must see the changes.
    """
    checks.expect_callable(numerical_gradient, "numerical_gradient")
    rng = checks.rng()
    for x, eps in _gradient_cases(rng, hidden):
        f = _Function(x, rng)
        original = _copy(x)
        expected = mp.numerical_gradient(f, x, eps)
        one_sided = f.forward_difference(eps)
        # round-off of a central difference: about machine epsilon * |f| / eps
        atol = max(1e-9, 4e-16 * abs(f()) / eps)
        f.calls = 0
        what = f"numerical_gradient(f, x, eps={eps:.3g}) with x of shape {x.shape}"
        with checks.switched_off([gradcheck.numerical_gradient], _BLOCKED):
            raw = numerical_gradient(f, x, eps)
        if not _near(x, original, 1e-12, 0.0):
            raise AssertionError(f"{what} left x changed; put every entry back after perturbing it")
        if f.calls == 0:
            raise AssertionError(f"{what} never called f(); evaluate f at perturbed copies of x")
        grad = checks.expect_array(raw, shape=x.shape, what=what)
        if not _near(grad, expected, 1e-7, atol):
            if _near(grad, one_sided, 1e-7, atol):
                raise AssertionError(
                    f"{what} is a one-sided difference (f(x + eps) - f(x)) / eps; use the "
                    "central difference, which is accurate to order eps**2"
                )
            if _near(grad, 2 * expected, 1e-7, atol) or _near(grad, 0.5 * expected, 1e-7, atol):
                raise AssertionError(
                    f"{what} is off by a factor of 2: the two points are 2 * eps apart"
                )
            if _near(grad, mp.numerical_gradient(f, x, 1e-6), 1e-7, atol):
                raise AssertionError(f"{what} does not use the eps it was given")
            checks.expect_close(grad, expected, what=what, rtol=1e-7, atol=atol)
        if f.calls < 2 * x.size:
            raise AssertionError(
                f"{what} called f {f.calls} times for {x.size} entries; central differences "
                "need two evaluations per entry"
            )
    checks.passed("numerical_gradient")


# ------------------------------------------------------------ gradient check
class _BuggyNetwork(mp.Network):
    """A network whose backward pass scales one gradient: a bug a gradient check must see."""

    bug = (0, "b", 2.0)

    def loss_and_grads(self, X, y, penalty=None):
        loss, grads = super().loss_and_grads(X, y, penalty=penalty)
        layer, name, factor = self.bug
        grads[layer][name] = grads[layer][name] * factor
        return loss, grads


def _all_grads(net, X, y, eps):
    """Analytic and numerical gradients of every parameter, in order W0, b0, W1, b1, ..."""
    _, grads = net.loss_and_grads(X, y)
    analytic, numeric = [], []
    for i, layer in enumerate(net.layers):
        for name in ("W", "b"):
            analytic.append(_asarray(grads[i][name], dtype=_float64))
            numeric.append(mp.numerical_gradient(lambda: net.loss(X, y), getattr(layer, name), eps))
    return analytic, numeric


def _ratio(a, g):
    return float(_norm(a - g) / max(float(_norm(a) + _norm(g)), 1e-300))


def _gradcheck_reference(net, X, y, eps):
    """The expected answer and the answers of common mistakes, by name."""
    analytic, numeric = _all_grads(net, X, y, eps)
    a, g = _concatenate([v.ravel() for v in analytic]), _concatenate([v.ravel() for v in numeric])
    weights_only = (
        _concatenate([v.ravel() for v in analytic[::2]]),
        _concatenate([v.ravel() for v in numeric[::2]]),
    )
    mistakes = {
        "the weights W only: include every layer's b too": _ratio(*weights_only),
        "the largest per-parameter ratio: concatenate all parameters into one vector first": max(
            _ratio(p, q) for p, q in zip(analytic, numeric, strict=True)
        ),
        "the entry-wise relative error; the exercise asks for the ratio of norms": gradcheck.rel_error(
            a, g
        ),
        "||a - g|| without dividing by ||a|| + ||g||": float(_norm(a - g)),
    }
    return _ratio(a, g), mistakes


def _gradcheck_net(rng, bug=None):
    """A small float64 network (sigmoid or tanh: no kinks) and a batch of data."""
    sizes = [int(rng.integers(3, 7))] + [
        int(v) for v in rng.integers(2, 6, size=int(rng.integers(1, 3)))
    ]
    sizes.append(int(rng.integers(2, 5)))
    activation = str(rng.choice(["sigmoid", "tanh"]))
    net = mp.Network(sizes, activation=activation, dtype="float64", rng=rng)
    if bug is not None:
        net = _BuggyNetwork.from_layers(net.layers)
        net.bug = bug
    n = int(rng.integers(3, 7))
    X = rng.normal(size=(n, sizes[0]))
    y = rng.integers(0, sizes[-1], size=n)
    for layer in net.layers:  # nonzero biases, so that b's gradient is exercised
        layer.b += rng.normal(scale=0.1, size=layer.b.shape)
    return net, X, y


def _snapshot(net):
    return [(_copy(layer.W), _copy(layer.b)) for layer in net.layers]


def check_gradient_check(gradient_check, hidden=False):
    """Check ``gradient_check(net, X, y, eps)``: ``||a - g|| / (||a|| + ||g||)`` over all parameters.

    On correct float64 networks the answer must be below 1e-7 and agree with the
    reference; on networks with a planted bug in one gradient it must equal the
    reference (and so be large). The parameters must be left as they were.
    """
    checks.expect_callable(gradient_check, "gradient_check")
    rng = checks.rng()
    nets = [_gradcheck_net(rng), _gradcheck_net(rng, bug=(-1, "b", 2.0))]
    if hidden:
        for _ in range(3):
            layer = int(rng.integers(0, 2))
            name = str(rng.choice(["W", "b"]))
            nets.append(_gradcheck_net(rng, bug=(layer, name, float(rng.choice([0.0, 0.5, -1.0])))))
        nets.append(_gradcheck_net(rng))
    for net, X, y in nets:
        buggy = isinstance(net, _BuggyNetwork)
        eps = 1e-6 if not hidden else float(10 ** rng.uniform(-6, -5))
        expected, mistakes = _gradcheck_reference(net, X, y, eps)
        before = _snapshot(net)
        kind = "a network with a bug in one gradient" if buggy else "a correct float64 network"
        what = f"gradient_check(net, X, y, eps={eps:.2g}) on {kind} {net.sizes}"
        answer = checks.expect_float(gradient_check(net, X, y, eps), what=what)
        for (W, b), layer in zip(before, net.layers, strict=True):
            if not (_near(layer.W, W, 1e-12, 0.0) and _near(layer.b, b, 1e-12, 0.0)):
                raise AssertionError(f"{what} left the network's parameters changed; restore them")
        if not answer >= 0:
            raise AssertionError(f"{what} returned {answer:.3g}; a ratio of norms is >= 0")
        if buggy:
            if abs(answer - expected) <= 1e-3 * expected:
                continue
            for hint, value in mistakes.items():
                if abs(answer - value) <= 1e-3 * abs(value):
                    raise AssertionError(f"{what} looks like {hint}")
            if answer < 1e-3:
                raise AssertionError(f"{what} returned {answer:.1e}: the check did not see the bug")
            raise AssertionError(f"{what} returned a wrong value")
        if not answer < 1e-7:
            raise AssertionError(
                f"{what} returned {answer:.1e}, not below 1e-7: compare net.loss_and_grads with "
                "central differences of net.loss, parameter by parameter"
            )
        if not abs(answer - expected) <= 0.5 * expected + 1e-12:
            raise AssertionError(
                f"{what} returned a wrong value (small, but not the ratio asked for)"
            )
    checks.passed("gradient_check")
