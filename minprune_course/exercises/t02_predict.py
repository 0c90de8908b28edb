"""Exercise 02.5, predict then check: ``prediction()``, the exact zeros three optimisers leave.

Each weight ``w_j`` of a vector is pulled by its data loss ``(w_j - a_j)**2 / 2`` towards
``a_j``: half of the pulls are weak (``|a_j| <= 0.2``), half strong (``|a_j| >= 0.6``).
From random weights, 200 steps with ``lr = 0.1`` of three optimisers: gradient descent with
the L2 penalty (``l2 = 0.4``), subgradient descent with the L1 penalty (``l1 = 0.4``), and
proximal steps (ISTA) with the same L1 penalty. The learner predicts, before measuring, the
fraction of weights each leaves at exactly 0.0. The check runs the three with ``mp.L2``,
``mp.L1`` and ``mp.soft_threshold`` on pulls drawn from its seed, and when the prediction is
wrong explains why with the fractions it measured.
"""

import numpy as np

import minprune as mp
from minprune_course import checks

GRADE_ID = "t02_predict_test"
ANSWER = "prediction"
SIGNATURE = "()"
REFERENCE = ()
NAMES = ("l2", "subgradient", "proximal")
STRENGTH, LR, STEPS = 0.4, 0.1, 200
TOLERANCE = 0.05
WHY_L2 = (
    "L2's pull l2 * w fades as w shrinks, so it cannot beat a data pull that stays away from "
    "zero: its minimiser is a / (1 + l2), a scaled copy of a, exactly 0 only where a is, and "
    "gradient descent approaches it without landing on 0"
)
WHY_SUBGRADIENT = (
    "the L1 minimiser has exact zeros, but a subgradient step pushes by lr * l1 * sign(w) "
    "whichever side of 0 the weight is on: the weakly pulled weights hop across 0 in steps of "
    "about lr * l1 and land on exactly 0.0 only by floating-point accident"
)
WHY_PROXIMAL = (
    "a proximal step is a gradient step on the data loss, then soft_threshold(w, lr * l1), "
    "which sets every weight within lr * l1 of 0 to exactly 0; its fixed point is "
    "soft_threshold(a, l1): every weight whose pull |a_j| <= l1 ends at exactly 0, and only "
    "those"
)
MISTAKES = {
    "not_a_dict": "return a dict {'l2': ..., 'subgradient': ..., 'proximal': ...} with one "
    "fraction of exact zeros per optimiser",
    "percent": "give each fraction as a number between 0 and 1 (0.3, not 30 per cent)",
    "l2_zeros": WHY_L2,
    "subgradient_zeros": WHY_SUBGRADIENT,
    "proximal_wrong": WHY_PROXIMAL,
}


def cases(rng, hidden):
    """``(a, w0)``: 200 pulls, half weak and half strong, in random order and with random
    signs, and random starting weights; the hidden battery adds 100 and 1000 weights."""
    for n in (200, 100, 1000) if hidden else (200,):
        size = np.where(np.arange(n) < n // 2, rng.uniform(0, 0.2, n), rng.uniform(0.6, 1.0, n))
        a = rng.permutation(size) * rng.choice([-1.0, 1.0], size=n)
        yield a, rng.normal(size=n)


def run(a, w0):
    """``{optimiser: weights after STEPS steps}`` on the loss ``sum (w - a)**2 / 2``."""
    l2, l1 = mp.L2(STRENGTH), mp.L1(STRENGTH)
    w = {name: w0.copy() for name in NAMES}
    for _ in range(STEPS):
        w["l2"] = w["l2"] - LR * ((w["l2"] - a) + l2.grad(w["l2"]))
        w["subgradient"] = w["subgradient"] - LR * (
            (w["subgradient"] - a) + l1.grad(w["subgradient"])
        )
        w["proximal"] = mp.soft_threshold(w["proximal"] - LR * (w["proximal"] - a), LR * STRENGTH)
    return w


def zeros(a, w0):
    """``{optimiser: fraction of its weights exactly 0.0}``."""
    return {name: float(np.mean(w == 0)) for name, w in run(a, w0).items()}


def _fractions(got):
    if not isinstance(got, dict) or not all(isinstance(k, str) for k in got):
        checks.fail(f"prediction() returned {type(got).__name__}: {MISTAKES['not_a_dict']}")
    named = {str.lower(str.strip(k)): v for k, v in got.items()}
    if sorted(named) != sorted(NAMES):
        checks.fail(f"prediction() has the keys {sorted(got)}: {MISTAKES['not_a_dict']}")
    values = {k: checks.expect_float(v, what=f"prediction()[{k!r}]") for k, v in named.items()}
    if not all(np.isfinite(v) for v in values.values()):
        checks.fail(f"prediction() holds a number that is not finite: {MISTAKES['not_a_dict']}")
    if any(v < 0 or v > 1 for v in values.values()):
        checks.fail(f"prediction() returned {got!r}: {MISTAKES['percent']}")
    return values


def check(answer, hidden=False, seed=None):
    """``answer()`` gives each optimiser's fraction of exact zeros within 0.05."""
    predicted = _fractions(checks.call(answer, what="prediction()"))
    why = {"l2": WHY_L2, "subgradient": WHY_SUBGRADIENT, "proximal": WHY_PROXIMAL}
    for a, w0 in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        measured = zeros(a, w0)
        numbers = ", ".join(f"{k} {measured[k]:.2f}" for k in NAMES)
        for name in NAMES:
            if abs(predicted[name] - measured[name]) > TOLERANCE:
                checks.fail(
                    f"on {a.size} weights the measured fractions of exact zeros are {numbers}; "
                    f"your {name} fraction is off: {why[name]}"
                )
    checks.passed()
