"""Exercise 01.5, predict then check: ``prediction()``, the best step of a gradient check.

The learner predicts, before measuring, the step ``eps`` of the central differences that
gives the smallest gradient-check error ``||a - g|| / (||a|| + ||g||)`` on a small network,
once in float64 and once in float32. The check measures the error for every step from
``1e-1`` to ``1e-9`` on networks drawn from its seed, with ``mp.numerical_gradient`` and
``Network.loss_and_grads``, and accepts each prediction within a factor of 10 of the best
step; when one is wrong it explains why with the errors it measured.
"""

import numpy as np

import minprune as mp
from minprune_course import checks

GRADE_ID = "t01_predict_test"
ANSWER = "prediction"
SIGNATURE = "()"
REFERENCE = ()
DTYPES = ("float64", "float32")
STEPS = 10.0 ** -np.arange(1, 10)  # 1e-1 ... 1e-9
FACTOR = 10.0  # a prediction within this factor of the best step passes
UNIT_ROUNDOFF = {"float64": 2.0**-53, "float32": 2.0**-24}
WHY_ROUNDOFF = (
    "too small a step: the loss is computed with a relative rounding error of about u (the "
    "unit roundoff, 1.1e-16 in float64 and 6e-8 in float32, a billion times coarser), and "
    "dividing the difference by 2 eps magnifies it by 1/eps, so below the best step the "
    "round-off term u/eps outgrows the truncation error"
)
WHY_TRUNCATION = (
    "too large a step: the central difference is exact only for a quadratic; its truncation "
    "error grows as eps**2 (times the third derivative), so above the best step it outgrows "
    "the round-off term u/eps"
)
WHY_SQRT = (
    "eps = sqrt(u) is the best step of a one-sided difference, whose truncation error is of "
    "order eps; the central difference's is of order eps**2, and eps**2 balances u/eps at "
    "eps of about u**(1/3), a larger step"
)
MISTAKES = {
    "not_a_dict": "return a dict {'float64': eps, 'float32': eps} with one positive step "
    "(a float such as 1e-3) per dtype",
    "too_small": WHY_ROUNDOFF,
    "too_large": WHY_TRUNCATION,
    "square_root_rule": WHY_SQRT,
}


def cases(rng, hidden):
    """``(net, X, y)``: a float64 sigmoid network ``[n_in, h, n_out]`` with 3 to 5 inputs,
    3 to 5 hidden units and 2 or 3 classes, on 6 random samples; the hidden battery adds a
    tanh network."""
    for activation in ("sigmoid", "tanh") if hidden else ("sigmoid",):
        sizes = [int(rng.integers(3, 6)), int(rng.integers(3, 6)), int(rng.integers(2, 4))]
        net = mp.Network(sizes, activation=activation, dtype="float64", rng=rng)
        X = rng.normal(size=(6, sizes[0]))
        yield net, X, rng.integers(0, sizes[-1], size=6)


def check_error(net, X, y, eps):
    """``||a - g|| / (||a|| + ||g||)`` over every ``W`` and ``b`` of ``net`` at step ``eps``."""
    _, grads = net.loss_and_grads(X, y)
    analytic, numeric = [], []
    for i, layer in enumerate(net.layers):
        for name in ("W", "b"):
            param = getattr(layer, name)
            analytic.append(np.ravel(grads[i][name]).astype(np.float64))
            numeric.append(np.ravel(mp.numerical_gradient(lambda: net.loss(X, y), param, eps)))
    a, g = np.concatenate(analytic), np.concatenate(numeric)
    return float(np.linalg.norm(a - g) / (np.linalg.norm(a) + np.linalg.norm(g)))


def errors(net, X, y):
    """``{dtype: errors at STEPS}``, the float32 run on copies of ``net`` and ``X``."""
    nets = {"float64": (net, X), "float32": (net.astype("float32"), X.astype(np.float32))}
    return {k: np.array([check_error(n, x, y, eps) for eps in STEPS]) for k, (n, x) in nets.items()}


def _steps(got):
    if not isinstance(got, dict) or not all(isinstance(k, str) for k in got):
        checks.fail(f"prediction() returned {type(got).__name__}: {MISTAKES['not_a_dict']}")
    named = {str.lower(str.strip(k)): v for k, v in got.items()}
    if sorted(named) != sorted(DTYPES):
        checks.fail(f"prediction() has the keys {sorted(got)}: {MISTAKES['not_a_dict']}")
    steps = {k: checks.expect_float(v, what=f"prediction()[{k!r}]") for k, v in named.items()}
    if not all(np.isfinite(v) and v > 0 for v in steps.values()):
        checks.fail(f"prediction() returned {got!r}: {MISTAKES['not_a_dict']}")
    return steps


def _near(step, target):
    return abs(np.log10(step / target)) <= np.log10(FACTOR) + 1e-9


def check(answer, hidden=False, seed=None):
    """``answer()`` gives, per dtype, a step within a factor of 10 of the measured best."""
    steps = _steps(checks.call(answer, what="prediction()"))
    for net, X, y in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        measured = errors(net, X, y)
        best = {k: float(STEPS[int(np.argmin(v))]) for k, v in measured.items()}
        if all(_near(steps[k], best[k]) for k in DTYPES):
            continue
        curves = "; ".join(f"{k}: " + ", ".join(f"{e:.0e}" for e in measured[k]) for k in DTYPES)
        where = (
            f"on a {net.sizes} {net.layers[0].activation} network the errors at eps = 1e-1, "
            f"1e-2, ..., 1e-9 are {curves}"
        )
        if all(_near(steps[k], np.sqrt(UNIT_ROUNDOFF[k])) for k in DTYPES):
            checks.fail(f"{where}: {WHY_SQRT}")
        for k in DTYPES:
            if not _near(steps[k], best[k]):
                why = WHY_ROUNDOFF if steps[k] < best[k] else WHY_TRUNCATION
                checks.fail(f"{where}; your {k} step {steps[k]:g} is {why}")
    checks.passed()
