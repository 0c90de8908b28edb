"""Timing PyTorch code correctly on a CPU and on a GPU.

GPU kernels run asynchronously: a Python timer around a launch measures the
launch, not the work. Correct timing warms up first (allocations, cuDNN's
algorithm search, lazy initialisation), synchronises before reading the clock,
repeats, and reports the median and the spread.
"""

import statistics
from dataclasses import dataclass

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
