"""Inputs shared by the exercises of topic 04: teacher networks, grids, mistakes that show.

The networks are small random tanh networks and the labels are their own
predictions, so a dense network scores 1.0 and every pruned weight can cost accuracy.
It also holds ``asking``: how a check reaches an answer through a probe of plain data,
in this process or across the grader's sandbox (topic 05's loop uses it too).
"""

import importlib
import itertools

import numpy as np

import minprune as mp
from minprune_course import checks


def teacher(rng, n=None, n_hidden=None, dtype="float64"):
    """``(net, X, y)``: a random tanh network and ``n`` inputs labelled by it."""
    n_hidden = int(rng.integers(1, 3)) if n_hidden is None else n_hidden
    sizes = [int(rng.integers(4, 9))]
    sizes += [int(rng.integers(6, 13)) for _ in range(n_hidden)]
    sizes += [int(rng.integers(2, 5))]
    net = mp.Network(sizes, activation="tanh", dtype=dtype, rng=rng)
    n = int(rng.integers(60, 120)) if n is None else n
    X = rng.normal(size=(n, sizes[0])).astype(dtype)
    return net, X, net.predict(X)


def grid(rng, low, high, size, shuffled=False):
    """``size`` distinct values of a grid of 0.05 steps in ``[low, high]``, sorted or not."""
    values = np.round(np.arange(low, high + 1e-9, 0.05), 2)
    chosen = rng.choice(values, size=min(size, values.size), replace=False)
    return chosen if shuffled else np.sort(chosen)


def distinct(expected, mistakes, atol):
    """True when every mistake's result differs from ``expected`` and from every other's.

    A case drawn until this holds fails each mistake with its own hint: none of them
    passes, and none is taken for another.
    """
    results = [expected, *mistakes.values()]
    return not any(
        checks.matches(a, b, rtol=0.0, atol=atol)
        for i, a in enumerate(results)
        for b in results[i + 1 :]
    )


def no_mistake(what, answer, expected, mistakes, hints, atol):
    """``checks.expect_no_mistake`` with exact comparison up to ``atol``, its hint after ``what``."""
    try:
        checks.expect_no_mistake(answer, expected, mistakes, hints, rtol=0.0, atol=atol)
    except AssertionError as exc:
        checks.fail(f"{what}: {exc}")
