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

import gc
import time

import numpy as np

__all__ = ["compare", "Timings", "spread", "headline"]


def _block(fn, number, sync=None):
    """Seconds for ``number`` calls of ``fn``, with garbage collection off.

    ``sync`` (``torch.cuda.synchronize`` on a GPU) is called before the clock
    starts and before it stops, so queued asynchronous work is counted.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        if sync:
            sync()
        start = time.perf_counter()
        for _ in range(number):
            fn()
        if sync:
            sync()
        return time.perf_counter() - start
    finally:
        if enabled:
            gc.enable()


def _calibrate(fn, min_time, warmup, sync=None):
    """Warm ``fn`` up, then return how many calls make a block of at least ``min_time``."""
    for _ in range(warmup):
        fn()
    number = 1
    while True:
        elapsed = _block(fn, number, sync)
        if elapsed >= min_time:
            return number
        number = max(number + 1, int(number * min(10.0, 1.2 * min_time / max(elapsed, 1e-9))))


def spread(values):
    """Median, quartiles, extremes and count of a list of numbers."""
    v = np.asarray(values, dtype=float)
    q25, median, q75 = np.percentile(v, [25, 50, 75])
    return {
        "median": float(median),
        "q25": float(q25),
        "q75": float(q75),
        "min": float(v.min()),
        "max": float(v.max()),
        "n": int(v.size),
    }


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

    Parameters
    ----------
    variants : dict of str to callable taking no argument
    repeats : int
        Blocks timed per variant; the order of variants alternates between repeats.
    min_time : float
        Seconds a block lasts at least.
    warmup : int
        Untimed calls of each variant before calibration.
    sync : callable or None
        Waits for asynchronous work (``torch.cuda.synchronize``); called around each block.

    Returns
    -------
    Timings
    """
    names = list(variants)
    number = {name: _calibrate(variants[name], min_time, warmup, sync) for name in names}
    seconds = {name: [] for name in names}
    for r in range(repeats):
        for name in names if r % 2 == 0 else names[::-1]:
            seconds[name].append(_block(variants[name], number[name], sync) / number[name])
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
