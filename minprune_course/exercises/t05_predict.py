"""Exercise 05.4, predict then check: ``when_half_pruned()``, how early the cubic schedule
has done half of its pruning.

The learner predicts the fraction ``p`` of the pruning interval, from ``begin_step`` to
``end_step``, at which the cubic schedule of Zhu & Gupta (2017) first reaches the sparsity
halfway from its initial to its final one, as a number in [0, 1] within ``TOLERANCE``. The
check measures it with ``minprune.cubic_sparsity`` on long schedules drawn from its seed
(the first integer step at or past halfway, found by bisection), and a wrong prediction is
told the steps it measured and why. The truth is ``1 - 2 ** (-1 / 3) = 0.2063`` on every
schedule up to one step in 10,000, so every seed grades a prediction alike.
"""

import minprune as mp
from minprune_course import checks

GRADE_ID = "t05_predict_test"
ANSWER = "when_half_pruned"
SIGNATURE = "()"
REFERENCE = ()
#: how far from the measured fraction a prediction may be
TOLERANCE = 0.02
WHY_FRONT_LOADED = (
    "the distance still to prune is (s_f - s_i) (1 - p) ** 3 at a fraction p of the "
    "interval, so half of it is left when (1 - p) ** 3 = 1/2: the schedule prunes fast while "
    "many weights are redundant and slowly near the end"
)
MISTAKES = {
    "not_a_number": "return one number, the fraction of the interval from begin_step to "
    "end_step, e.g. 0.3 for 30% of it",
    "percent": "give a fraction between 0 and 1, not a percentage: 0.3 for 30% of the interval",
    "linear": "half of the steps is where a straight-line schedule is halfway; the cubic one "
    "is steepest at the start (its slope, 3 (s_f - s_i) (1 - p) ** 2, falls to 0 at the end), "
    "so it is halfway long before half of the steps",
    "reversed": "(1 - p) ** 3 = 1/2 gives the fraction of the interval still ahead, "
    "1 - p = 2 ** (-1/3); the prediction asks for p, the fraction behind",
    "wrong": WHY_FRONT_LOADED,
}


def cases(rng, hidden):
    """``(final, begin, end, initial)``: one schedule from 0 over 10,000 to 50,000 steps; the
    hidden battery adds three that start from a sparsity of up to 0.3."""
    count = 4 if hidden else 1
    for k in range(count):
        final = float(rng.uniform(0.5, 0.98))
        initial = 0.0 if k == 0 else float(rng.uniform(0.0, 0.3))
        begin = int(rng.integers(0, 2000))
        end = begin + int(rng.integers(10_000, 50_000))
        yield final, begin, end, initial


def measure(final, begin, end, initial):
    """What ``mp.cubic_sparsity`` does on one schedule: ``{"half": the sparsity halfway,
    "step": the first step whose target reaches it, "fraction": (step - begin) / (end - begin),
    "middle": the target at the middle step}``."""

    def target(step):
        return mp.cubic_sparsity(step, final, begin, end, initial)

    half = initial + (final - initial) / 2
    lo, hi = begin, end  # target(lo) < half <= target(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if target(mid) >= half else (mid, hi)
    return {
        "half": half,
        "step": hi,
        "fraction": (hi - begin) / (end - begin),
        "middle": target((begin + end) // 2),
    }


def _number(got):
    kind = type(got).__name__
    try:
        value = checks.expect_float(got, "when_half_pruned()")
    except AssertionError:
        checks.fail(f"when_half_pruned() returned a {kind}: {MISTAKES['not_a_number']}")
    if 1.0 < value <= 100.0:
        checks.fail(f"when_half_pruned() returned {value:g}: {MISTAKES['percent']}")
    return value


def check(answer, hidden=False, seed=None):
    """``answer()`` is within ``TOLERANCE`` of the fraction of the interval at which the
    cubic schedule is halfway to its final sparsity, on every schedule drawn."""
    value = _number(checks.call(answer, what="when_half_pruned()"))
    for final, begin, end, initial in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        m = measure(final, begin, end, initial)
        if abs(value - m["fraction"]) <= TOLERANCE:
            continue
        where = (
            f"from sparsity {initial:.3f} at step {begin} to {final:.3f} at step {end}, "
            f"mp.cubic_sparsity first reaches {m['half']:.3f} (halfway) at step {m['step']}, "
            f"{m['fraction']:.3f} of the interval, not {value:.3g}; at its middle step the "
            f"target is already {m['middle']:.3f}"
        )
        if abs(value - 0.5) <= 0.05:
            checks.fail(f"{where}: {MISTAKES['linear']}")
        if abs(value - (1 - m["fraction"])) <= TOLERANCE:
            checks.fail(f"{where}: {MISTAKES['reversed']}")
        checks.fail(f"{where}: {MISTAKES['wrong']}")
    checks.passed()
