"""Exercise 02.2: ``l2_penalty(W, l2)``, the value ``l2 / 2 * sum w**2`` and gradient ``l2 * W``."""

import numpy as np

from minprune_course import checks

from . import _t02

GRADE_ID = "t02_l2_test"
ANSWER = "l2_penalty"
SIGNATURE = "(W, l2)"
REFERENCE = ("minprune.L2", "minprune.ElasticNet")
MISTAKES = {
    "grad_only": "expected a tuple (value, dW): the penalty's value and its gradient",
    "value_array": "return the value as one number (a Python or NumPy float), the sum over "
    "every entry of W",
    "no_half": "it is twice what it should be; remember the factor 1/2 in l2 / 2 * sum w**2",
    "grad_twice": "it is twice what it should be: the factor 1/2 of the value cancels the "
    "2 of the derivative of w**2, so dW = l2 * W",
    "wrong_dtype": "return a NumPy array of W's dtype (l2 * W keeps it: a Python float "
    "combined with an array takes the array's dtype)",
}


def _values(W, l2):
    return {"no_half": l2 * float(np.sum(W.astype(float) ** 2))}


def _grads(W, l2):
    return {"grad_twice": 2 * l2 * W.astype(float)}


def _expected(W, l2):
    (L2, _) = checks.public(*REFERENCE)
    return [L2(l2).value_of(W.astype(float)), L2(l2).grad(W)]


def _mistakes(W, l2):
    """Each known mistake's ``[value, dW]``, for drawing a case that shows them all."""
    value, grad = _expected(W, l2)
    values = {name: [v, grad] for name, v in _values(W, l2).items()}
    return {**values, **{name: [value, g] for name, g in _grads(W, l2).items()}}


def cases(rng, hidden):
    """A float64 matrix on which every known mistake differs from the answer; then
    ``_t02.cases``."""
    yield _t02.showing_every_mistake(lambda: _t02.matrix(rng), _expected, _mistakes)
    yield from _t02.cases(rng, hidden)


def check(answer, hidden=False, seed=None):
    """``answer(W, l2)`` is ``(value, dW)`` equal to ``mp.L2(l2).value_of(W)`` and ``.grad(W)``."""
    L2, ElasticNet = checks.public(*REFERENCE)
    _t02.check_penalty(
        answer,
        cases(checks.case_rng(GRADE_ID, hidden, seed), hidden),
        "l2_penalty",
        L2,
        MISTAKES,
        _values,
        _grads,
        _t02.penalty_methods(L2, ElasticNet),
    )
