"""Timing PyTorch code correctly on a CPU and on a GPU.

GPU kernels run asynchronously: a Python timer around a launch measures the
launch, not the work. Correct timing warms up first (allocations, cuDNN's
algorithm search, lazy initialisation), synchronises before reading the clock,
repeats, and reports the median and the spread.

``benchmark`` and ``cuda_event_time`` time one function. ``interleave`` times
several side by side, which is what a speedup needs: on a shared machine the
clock speed, the caches and the load drift, and only variants timed next to
each other see the same drift. ``torchkit.compare`` and the benchmark suite
(``benchmarks/timing.py``) both use it; ``spread`` summarises what it returns.
"""

import gc
import statistics
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.utils.benchmark as tbench


@dataclass
class Timing:
    """Seconds per call: median, interquartile range, and the number of measurements."""

    median: float
    iqr: float
    n: int

    @property
    def ms(self):
        return self.median * 1e3

    def __str__(self):
        return f"{self.median * 1e3:.3f} ms (IQR {self.iqr * 1e3:.3f} ms, n={self.n})"


def benchmark(fn, *args, min_run_time=0.5, num_threads=1, timer=None, **kwargs):
    """Time ``fn(*args, **kwargs)`` with ``torch.utils.benchmark.Timer``.

    The timer warms up, synchronises CUDA around each measurement and picks the
    number of calls per measurement itself; this returns seconds per call.
    ``timer`` replaces the wall clock: ``time.thread_time`` counts only this
    thread's CPU time, which other processes on a shared machine cannot inflate
    (valid for single-threaded CPU work only).
    """
    timer = tbench.Timer(
        stmt="fn(*args, **kwargs)",
        globals={"fn": fn, "args": args, "kwargs": kwargs},
        num_threads=num_threads,
        **({} if timer is None else {"timer": timer}),
    )
    m = timer.blocked_autorange(min_run_time=min_run_time)
    return Timing(median=m.median, iqr=m.iqr, n=len(m.times))


def cuda_event_time(fn, *args, repeats=50, warmup=10, **kwargs):
    """Time ``fn`` on the current CUDA device with CUDA events, one event pair per call."""
    if not torch.cuda.is_available():
        raise RuntimeError("cuda_event_time needs a CUDA device; use benchmark() on a CPU")
    for _ in range(warmup):
        fn(*args, **kwargs)
    torch.cuda.synchronize()
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(repeats)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(repeats)]
    for s, e in zip(starts, ends):
        s.record()
        fn(*args, **kwargs)
        e.record()
    torch.cuda.synchronize()
    times = sorted(s.elapsed_time(e) / 1e3 for s, e in zip(starts, ends))
    q = statistics.quantiles(times, n=4)
    return Timing(median=statistics.median(times), iqr=q[2] - q[0], n=repeats)


def time_block(fn, number, sync=None):
    """Seconds for ``number`` calls of ``fn()``, garbage collection off (as in ``timeit``).

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


def calls_per_block(fn, min_time, sync=None):
    """How many calls of ``fn()`` make a block of at least ``min_time`` seconds.

    Starts at one call and grows the count by the factor the last block fell
    short (with a 20% margin, at most tenfold per try) until a block is long enough.
    """
    number = 1
    while True:
        elapsed = time_block(fn, number, sync)
        if elapsed >= min_time:
            return number
        number = max(number + 1, int(number * min(10.0, 1.2 * min_time / max(elapsed, 1e-9))))


def interleave(variants, repeats=15, min_time=0.02, warmup=3, sync=None):
    """Time the callables of ``variants`` side by side, one block of each per repeat.

    Each variant is warmed up, then gets a number of calls per block so that a
    block lasts at least ``min_time`` seconds. Each repeat times one block of
    every variant, the order reversed on every other repeat (AB, BA, AB, ...), so
    drift hits all variants alike; a ratio of two variants is meaningful per repeat.

    Parameters
    ----------
    variants : dict of str to callable taking no argument
    repeats : int
        Blocks timed per variant.
    min_time : float
        Seconds a block lasts at least.
    warmup : int
        Untimed calls of each variant before its block size is chosen.
    sync : callable or None
        Waits for asynchronous work (``torch.cuda.synchronize``); called around each block.

    Returns
    -------
    seconds : dict of str to list of float
        Seconds per call of each variant, one entry per repeat.
    number : dict of str to int
        Calls per block of each variant.
    """
    names = list(variants)
    number = {}
    for name in names:
        for _ in range(warmup):
            variants[name]()
        number[name] = calls_per_block(variants[name], min_time, sync)
    seconds = {name: [] for name in names}
    for r in range(repeats):
        for name in names if r % 2 == 0 else names[::-1]:
            seconds[name].append(time_block(variants[name], number[name], sync) / number[name])
    return seconds, number


def spread(values):
    """Median, quartiles, extremes and count of a list of numbers (a dict of floats and ``n``)."""
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
