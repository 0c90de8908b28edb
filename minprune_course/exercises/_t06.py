"""Inputs shared by the exercises of topic 06: a hidden layer and the next, as arrays.

Every exercise of topic 06 works on one hidden layer ``W : (n_in, n)``, ``b : (n,)``
and the layer after it, ``W_next : (n, n_next)``, ``b_next : (n_next,)``, with data
``X : (m, n_in)`` and the hidden layer's activations ``A = f(X @ W + b) : (m, n)``.
A ``Layers`` holds them and the same two layers as a ``minprune`` network, from which
the checks compute their references.
"""

import numpy as np

import minprune as mp
from minprune_course import checks

ACTIVATIONS = ("relu", "sigmoid", "tanh", "identity")
#: The names of the four arrays an answer returns, in order.
NAMES = ("W", "b", "W_next", "b_next")


class Layers:
    """A hidden layer and the next one, as arrays and as a two-layer ``mp.Network``."""

    def __init__(self, W, b, W_next, b_next, activation, X):
        self.W, self.b, self.W_next, self.b_next = W, b, W_next, b_next
        self.activation = activation
        self.X = X
        self.net = mp.Network.from_weights([W, W_next], [b, b_next], [activation, "identity"])
        self.A = self.net.forward(X, cache=True)[1][0][2]

    @property
    def dtype(self):
        return self.W.dtype

    @property
    def rtol(self):
        """Relative tolerance against minprune's float64 results: float32 rounds at 1e-7."""
        return 2e-5 if self.dtype == np.float32 else 1e-9

    def atol(self, *arrays):
        """Absolute tolerance for sums over this layer's neurons of ``arrays``' entries."""
        unit = 1e-6 if self.dtype == np.float32 else 1e-12
        biggest = max(float(np.abs(x).max()) if x.size else 0.0 for x in arrays)
        return unit * self.W.shape[1] * (biggest + 1.0)

    def describe(self):
        """``"a sigmoid layer W of shape (4, 6) (float64), W_next of shape (6, 3)"``."""
        article = "an" if self.activation[0] in "aeiou" else "a"
        return (
            f"{article} {self.activation} layer W of shape {self.W.shape} ({self.dtype}), "
            f"W_next of shape {self.W_next.shape}"
        )


def sizes(rng, n=None, n_next=None):
    """``(n_in, n, n_next, m)``, four different numbers: a mix-up of axes changes a shape."""
    while True:
        n_in = int(rng.integers(3, 9))
        width = int(rng.integers(4, 11)) if n is None else n
        after = int(rng.integers(2, 7)) if n_next is None else n_next
        m = 2 * int(rng.integers(10, 21))  # even: a 0/1 input column can be half ones
        if len({n_in, width, after, m}) == 4:
            return n_in, width, after, m


def random_layers(rng, activation, dtype=np.float64, n=None, n_next=None):
    """Random layers of ``activation``: weights of varied scale, biases, data."""
    n_in, n, n_next, m = sizes(rng, n, n_next)
    W = rng.normal(scale=float(rng.uniform(0.3, 1.5)), size=(n_in, n))
    b = rng.normal(scale=0.5, size=n)
    W_next = rng.normal(size=(n, n_next))
    b_next = rng.normal(scale=0.5, size=n_next)
    X = rng.normal(size=(m, n_in))
    return Layers(*(x.astype(dtype) for x in (W, b, W_next, b_next)), activation, X.astype(dtype))


def layers_of(net):
    """``(W, b, W_next, b_next)`` of a two-layer network, as float64 arrays."""
    first, second = net.layers
    return tuple(x.astype(np.float64) for x in (first.W, first.b, second.W, second.b))


def call(answer, case, *rest, what, names, reference):
    """``answer(case.W, case.b, case.W_next, case.b_next, *rest)`` through ``checks.call``."""
    return checks.call(
        answer,
        case.W,
        case.b,
        case.W_next,
        case.b_next,
        *rest,
        what=what,
        without=reference,
        names=(*NAMES, *names),
    )


def expect_parts(answer, names, what):
    """``answer`` as a tuple of ``len(names)`` parts, or a hint that names them."""
    if not isinstance(answer, tuple | list) or len(answer) != len(names):
        size = f" of length {len(answer)}" if isinstance(answer, tuple | list) else ""
        checks.fail(
            f"{what} returned a {type(answer).__name__}{size}; expected a tuple "
            f"({', '.join(names)})"
        )
    return tuple(answer)


def expect_layers(parts, shapes, dtype, what, dtype_hint):
    """The four arrays ``(W, b, W_next, b_next)`` of ``shapes`` and ``dtype``, as float64.

    A float array of another dtype fails with ``dtype_hint``.
    """
    arrays = [
        checks.expect_array(part, shape=shape, what=f"the {name} of {what}")
        for name, part, shape in zip(NAMES, parts, shapes, strict=True)
    ]
    for name, part in zip(NAMES, parts, strict=True):
        got = getattr(part, "dtype", None)
        if not isinstance(part, np.ndarray) or got != dtype:
            got = type(part).__name__ if got is None else got
            checks.fail(f"the {name} of {what} has dtype {got} for {dtype} weights; {dtype_hint}")
    return arrays


def expect_same(arrays, expected, what, hint):
    """Check that each of ``arrays`` equals ``expected`` bit for bit (cut from the inputs)."""
    for name, got, want in zip(NAMES[: len(arrays)], arrays, expected, strict=True):
        checks.expect_true(
            got.shape == want.shape and bool(np.all(got == want)), f"the {name} of {what} {hint}"
        )


def hints(mistakes, what):
    """The exercise's ``MISTAKES`` hints, each after ``what`` (which inputs it failed on)."""
    return {name: f"{what}: {hint}" for name, hint in mistakes.items()}
