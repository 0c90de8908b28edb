"""Shared pieces of topic 01's checks: prefixed hints, dtypes, and calls whose arguments
the check reads back afterwards."""

import numpy as np

from minprune_course import checks


def call_keeping(answer, *args, what, **options):
    """``checks.call(answer, *args, ...)``, returning ``(result, the arguments it ran on)``.

    ``checks.call`` runs the answer on copies. Where the prompt lets the answer change an
    argument and put it back (``numerical_gradient`` perturbs ``x`` in place, a network
    keeps its workspace between calls), the check needs those very copies after the
    call, to see that they were put back and how often ``f`` was called.
    """
    checks.expect_callable(answer, what)

    def keeping(*given):
        return answer(*given), given

    return checks.call(keeping, *args, what=what, **options)


def no_mistake(what, answer, expected, mistakes, hints, rtol, atol):
    """``checks.expect_no_mistake``, its hint prefixed with ``what`` (which call, which input)."""
    try:
        checks.expect_no_mistake(answer, expected, mistakes, hints, rtol, atol)
    except AssertionError as exc:
        checks.fail(f"{what}: {exc}")


def expect_dtype(raw, dtype, what, float64_hint):
    """``raw`` (its values already checked) is a NumPy array of ``dtype``.

    A float64 result for float32 input fails with ``float64_hint``, the exercise's own
    hint for that mistake; any other dtype with a hint that names both.
    """
    if not isinstance(raw, np.ndarray):
        checks.fail(f"{what} is a {type(raw).__name__}; expected a NumPy array")
    if raw.dtype == dtype:
        return
    if dtype == np.float32 and raw.dtype == np.float64:
        checks.fail(f"{what}: {float64_hint}")
    checks.fail(f"{what} has dtype {raw.dtype} for {np.dtype(dtype)} input; keep the dtype")
