"""Exercise 02.1: ``l1_penalty(W, l1)``, the value ``l1 * sum |w|`` and subgradient ``l1 * sign(W)``."""

import numpy as np

from minprune_course import checks

from . import _t02

GRADE_ID = "t02_l1_test"
ANSWER = "l1_penalty"
SIGNATURE = "(W, l1)"
REFERENCE = ("minprune.L1", "minprune.ElasticNet")
MISTAKES = {
    "grad_only": "expected a tuple (value, dW): the penalty's value and its subgradient",
    "value_array": "return the value as one number (a Python or NumPy float), the sum over "
    "every entry of W",
    "half": "it is half of what it should be; L1 has no factor 1/2",
    "twice": "it is twice what it should be; L1 has no factor 2",
    "signed_sum": "it sums the signed weights; the L1 penalty sums the magnitudes |w|",
    "sign_at_zero": "it is wrong where W == 0: the subgradient minprune uses there is 0 "
    "(what np.sign gives)",
    "wrong_dtype": "return a NumPy array of W's dtype (l1 * np.sign(W) keeps it: a Python "
    "float combined with an array takes the array's dtype)",
}


def _values(W, l1):
    total = l1 * float(np.abs(W.astype(float)).sum())
    return {"half": total / 2, "twice": total * 2, "signed_sum": l1 * float(W.astype(float).sum())}


def _grads(W, l1):
    return {"sign_at_zero": l1 * np.where(W >= 0, 1.0, -1.0)}


def _expected(W, l1):
    (L1, _) = checks.public(*REFERENCE)
    return [L1(l1).value_of(W.astype(float)), L1(l1).grad(W)]


def _mistakes(W, l1):
    """Each known mistake's ``[value, dW]``, for drawing a case that shows them all."""
    value, grad = _expected(W, l1)
    values = {name: [v, grad] for name, v in _values(W, l1).items()}
    return {**values, **{name: [value, g] for name, g in _grads(W, l1).items()}}


def cases(rng, hidden):
    """A float64 matrix with a zero and a large negative weight, on which every known
    mistake differs from the answer and from the others; then ``_t02.cases``."""
    yield _t02.showing_every_mistake(lambda: _t02.matrix(rng), _expected, _mistakes)
    yield from _t02.cases(rng, hidden)


def check(answer, hidden=False, seed=None):
    """``answer(W, l1)`` is ``(value, dW)`` equal to ``mp.L1(l1).value_of(W)`` and ``.grad(W)``."""
    L1, ElasticNet = checks.public(*REFERENCE)
    _t02.check_penalty(
        answer,
        cases(checks.case_rng(GRADE_ID, hidden, seed), hidden),
        "l1_penalty",
        L1,
        MISTAKES,
        _values,
        _grads,
        _t02.penalty_methods(L1, ElasticNet),
    )
