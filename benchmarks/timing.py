"""Side-by-side timing: every figure is a ratio of variants timed in the same run.

    t = compare({"minprune": step_mp, "torch": step_torch}, repeats=15)
    t.ratio("minprune", "torch")   # {"median": 0.71, "q25": ..., "q75": ..., ...}

Each variant is warmed up, then its number of calls per block is chosen so that
a block lasts at least ``min_time`` seconds. Each repeat times one block of
every variant, the order reversed on every other repeat (ABBA...), so drift in
clock speed or cache state hits all variants alike. A ratio is computed per
repeat, from blocks timed next to each other, and summarised by its median,
quartiles and extremes. Garbage collection is off inside a block, as in timeit.
"""

import numpy as np

from minprune.torchkit.timing import interleave, spread

__all__ = ["compare", "Timings", "spread", "headline"]


class Timings:
    """Per-call seconds of each variant, one entry per repeat."""

    def __init__(self, seconds, number):
        self.seconds = seconds
        self.number = number

    def median(self, name):
        """Median seconds per call of one variant."""
        return float(np.median(self.seconds[name]))

    def ratio(self, num, den):
        """Spread of ``time(num) / time(den)`` over the repeats (each repeat paired)."""
        a = np.asarray(self.seconds[num])
        b = np.asarray(self.seconds[den])
        return spread(a / b)

    def summary(self):
        """Median seconds per call and calls per block of every variant."""
        return {
            name: {"median_s": self.median(name), "calls_per_block": self.number[name]}
            for name in self.seconds
        }


def compare(variants, repeats=15, min_time=0.02, warmup=3, sync=None):
    """Time the callables of ``variants`` (name -> fn) side by side.

    The parameters are ``interleave``'s: blocks of at least ``min_time`` seconds,
    ``repeats`` of them per variant in alternating order, ``warmup`` untimed calls
    first, ``sync`` around each block on a GPU.

    Returns
    -------
    Timings
    """
    seconds, number = interleave(variants, repeats, min_time, warmup, sync)
    return Timings(seconds, number)


def headline(label, stats, goal=None, op=None, unit=""):
    """One line of the headline table: a median with its spread, and the goal it is held to.

    ``op`` is ``'<='`` or ``'>='``: whether the value must stay under or above ``goal``.
    """
    value = stats["median"]
    met = None
    if goal is not None:
        met = bool(value <= goal) if op == "<=" else bool(value >= goal)
    return {
        "label": label,
        "value": value,
        "q25": stats.get("q25"),
        "q75": stats.get("q75"),
        "min": stats.get("min"),
        "max": stats.get("max"),
        "n": stats.get("n"),
        "goal": goal,
        "op": op,
        "met": met,
        "unit": unit,
    }
