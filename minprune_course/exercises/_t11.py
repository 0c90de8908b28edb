"""Pieces shared by the exercises of topic 11: naming a known mistake, probing an answer."""

import importlib
import itertools

from minprune_course import checks


def no_mistake(what, answer, expected, mistakes, hints, rtol=1e-7, atol=1e-9):
    """``checks.expect_no_mistake``, its hint prefixed with ``what`` (which call, which case)."""
    try:
        checks.expect_no_mistake(answer, expected, mistakes, hints, rtol, atol)
    except AssertionError as exc:
        checks.fail(f"{what}: {exc}")


def distinct(expected, mistakes):
    """True when every mistake's result differs from ``expected`` and from every other's.

    A case drawn this way names each mistake by its own hint: no mistake returns the
    right result, and no two return the same wrong one.
    """
    results = [expected, *mistakes.values()]
    return not any(checks.matches(a, b) for i, a in enumerate(results) for b in results[i + 1 :])
