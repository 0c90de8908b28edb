"""Exercise 01.3: ``numerical_gradient(f, x, eps)``, central differences of ``f()`` in ``x``.

``f`` takes no arguments and reads ``x``, which the answer perturbs in place, one entry at
a time, and must put back exactly (the comparison is bit for bit).

PROBE: ``f`` cannot be plain data, since the exercise is to differentiate a function: it
is the check's own ``Function``, ``sum(c * exp(s * x)) + sum(d * sin(x))``, whose state is
plain data (the array ``x`` it reads, its coefficients, a count of calls). ``probe(answer,
x, s, c, d, eps)``, run where the answer lives (``remote.asking``), builds ``f`` there
around the very ``x`` the answer is given and sends back plain data: the gradient, that
``x`` (exactly as it was?) and ``f``'s count of calls.

The first case has a large ``eps`` (about 3e-3), so a one-sided difference, a fixed
``eps`` or a factor of 2 all show in the values; the gradient is compared with
``mp.numerical_gradient`` within a relative 1e-7 plus the round-off a central difference
cannot avoid (16 units in the last place of ``f``'s terms, over ``eps``).
"""

import sys

import numpy as np

from minprune_course import checks, remote

from . import _t01

GRADE_ID = "t01_numerical_gradient_test"
ANSWER = "numerical_gradient"
SIGNATURE = "(f, x, eps=1e-6)"
REFERENCE = ("minprune.numerical_gradient",)
MISTAKES = {
    "one_sided": "a one-sided difference (f(x + eps) - f(x)) / eps; use the central "
    "difference (f(x + eps) - f(x - eps)) / (2 * eps), accurate to order eps**2",
    "fixed_eps": "does not use the eps it was given",
    "over_eps": "off by a factor of 2: the two points x + eps and x - eps are 2 * eps apart",
    "not_restored": "left x changed in place; after perturbing an entry, assign its saved "
    "value back (x[i] = old): adding and subtracting eps does not always give the same "
    "number back",
    "on_a_copy": "returned zeros although it called f(): f reads the x it was given, so "
    "perturb that array itself (in place, then put it back), not a copy",
    "never_calls_f": "never called f(); evaluate f() with x perturbed, entry by entry",
}
HINT = (
    "this exercise asks for your own NumPy code: minprune's numerical_gradient is what the "
    "check compares your answer with, so it is switched off while it runs"
)


class Function:
    """``f() = sum(c * exp(s * x)) + sum(d * sin(x))``, reading ``x`` when called; counts calls.

    Only plain data: the array ``x`` it reads, its coefficients and the count.
    """

    def __init__(self, x, s, c, d):
        self.x, self.s, self.c, self.d = x, float(s), np.asarray(c), np.asarray(d)
        self.calls = 0

    @classmethod
    def drawn(cls, x, rng):
        """A function of ``x`` with coefficients drawn from ``rng``."""
        s = float(rng.uniform(0.5, 1.5))
        return cls(x, s, rng.uniform(0.5, 2.0, size=x.shape), rng.uniform(-1.0, 1.0, size=x.shape))

    def __call__(self):
        self.calls += 1
        return float((self.c * np.exp(self.s * self.x)).sum() + (self.d * np.sin(self.x)).sum())

    def scale(self):
        """The sum of the terms' sizes: what ``f``'s round-off is relative to."""
        return float(np.abs(self.c * np.exp(self.s * self.x)).sum() + np.abs(self.d).sum())

    def one_sided(self, eps):
        """What a one-sided difference returns, ``x`` restored."""
        base, grad = self(), np.zeros(self.x.shape)
        for i in np.ndindex(self.x.shape):
            old = self.x[i]
            self.x[i] = old + eps
            grad[i] = (self() - base) / eps
            self.x[i] = old
        return grad


def probe(answer, x, s, c, d, eps):
    """``answer(f, x, eps)`` with ``f = Function(x, s, c, d)`` reading that ``x``:
    ``(what it returned, x after the call, how often f was called)``."""
    f = Function(x, s, c, d)
    return answer(f, x, eps), x, f.calls


def cases(rng, hidden):
    """``(x, eps)``: a 2-D ``x`` with a large ``eps``, then one with the default 1e-6;
    hidden adds 1-D, 3-D and one-entry ``x`` with ``eps`` between 1e-5 and 1e-3."""
    shape = tuple(int(v) for v in rng.integers(2, 6, size=2))
    yield rng.normal(size=shape), float(10 ** rng.uniform(-2.7, -2.3))
    yield rng.normal(size=shape), 1e-6
    if not hidden:
        return
    yield rng.normal(size=int(rng.integers(3, 12))), float(10 ** rng.uniform(-5, -3))
    yield rng.normal(size=(2, 3, 2)), float(10 ** rng.uniform(-5, -3))
    yield rng.normal(size=1), 1e-4


def check(answer, hidden=False, seed=None):
    """``answer(f, x, eps)`` returns ``mp.numerical_gradient(f, x, eps)``, ``x`` put back."""
    (reference,) = checks.public(*REFERENCE)
    ask = remote.asking(sys.modules[__name__], answer)
    rng = checks.case_rng(GRADE_ID, hidden, seed)
    for x, eps in cases(rng, hidden):
        f = Function.drawn(x, rng)
        original = x.copy()
        expected = reference(f, x, eps)
        atol = max(1e-9, 16 * float(np.finfo(np.float64).eps) * f.scale() / eps)
        wrong = {
            "one_sided": f.one_sided(eps),
            "fixed_eps": reference(f, x, 1e-6),
            "over_eps": 2 * expected,
        }
        what = f"numerical_gradient(f, x, eps={eps:.3g}) with x of shape {x.shape}"
        raw, x_after, calls = checks.call(
            ask, x, f.s, f.c, f.d, eps, what=what, without=[reference], hint=HINT, frozen=False
        )
        checks.expect_true(checks.same(x_after, original), f"{what} {MISTAKES['not_restored']}")
        checks.expect_true(calls > 0, f"{what} {MISTAKES['never_calls_f']}")
        grad = checks.expect_array(raw, shape=x.shape, what=what)
        checks.expect_true(
            bool((np.abs(grad) > atol).any()) or checks.matches(grad, expected, 1e-7, atol),
            f"{what} {MISTAKES['on_a_copy']}",
        )
        _t01.no_mistake(what, grad, expected, wrong, MISTAKES, 1e-7, atol)
        checks.expect_close(grad, expected, what, 1e-7, atol)
    checks.passed()
