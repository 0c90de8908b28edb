"""Answers to exercise t11_timing: its known mistakes and correct alternatives."""

import statistics
import time
import timeit

import numpy as np
import torch


def _is_cuda(device):
    return torch.device(device).type == "cuda"


def _per_call(fn, args, repeats, cuda, clock=None):
    clock = clock or time.perf_counter  # looked up at each call: the check points it elsewhere
    times = []
    for _ in range(repeats):
        if cuda:
            torch.cuda.synchronize()
        start = clock()
        fn(*args)
        if cuda:
            torch.cuda.synchronize()
        times.append(clock() - start)
    return times


def mean(fn, *args, warmup=3, repeats=20, device="cpu"):
    for _ in range(warmup):
        fn(*args)
    return statistics.mean(_per_call(fn, args, repeats, _is_cuda(device)))


def total(fn, *args, warmup=3, repeats=20, device="cpu"):
    for _ in range(warmup):
        fn(*args)
    return sum(_per_call(fn, args, repeats, _is_cuda(device)))


def milliseconds(fn, *args, warmup=3, repeats=20, device="cpu"):
    for _ in range(warmup):
        fn(*args)
    return 1e3 * statistics.median(_per_call(fn, args, repeats, _is_cuda(device)))


def times_warmup(fn, *args, warmup=3, repeats=20, device="cpu"):
    return statistics.median(_per_call(fn, args, warmup + repeats, _is_cuda(device)))


def skips_warmup(fn, *args, warmup=3, repeats=20, device="cpu"):
    return statistics.median(_per_call(fn, args, repeats, _is_cuda(device)))


def no_sync(fn, *args, warmup=3, repeats=20, device="cpu"):
    for _ in range(warmup):
        fn(*args)
    return statistics.median(_per_call(fn, args, repeats, cuda=False))


def sync_before_only(fn, *args, warmup=3, repeats=20, device="cpu"):
    cuda = _is_cuda(device)
    for _ in range(warmup):
        fn(*args)
    times = []
    for _ in range(repeats):
        if cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sync_on_cpu(fn, *args, warmup=3, repeats=20, device="cpu"):
    for _ in range(warmup):
        fn(*args)
    return statistics.median(_per_call(fn, args, repeats, cuda=True))


def nanoseconds(fn, *args, warmup=3, repeats=20, device="cpu"):
    cuda = str(device).startswith("cuda")
    for _ in range(warmup):
        fn(*args)
    times = _per_call(fn, args, repeats, cuda, clock=time.perf_counter_ns)
    return statistics.median(times) / 1e9


def numpy_median_timeit(fn, *args, warmup=3, repeats=20, device="cpu"):
    cuda = _is_cuda(device)
    for _ in range(warmup):
        fn(*args)
    return float(np.median(_per_call(fn, args, repeats, cuda, clock=timeit.default_timer)))


def sorted_middle(fn, *args, warmup=3, repeats=20, device="cpu"):
    """The median by hand, the clock read as a name imported from time."""
    from time import perf_counter

    for _ in range(warmup):
        fn(*args)
    times = sorted(_per_call(fn, args, repeats, _is_cuda(device), clock=perf_counter))
    middle = len(times) // 2
    return times[middle] if len(times) % 2 else (times[middle - 1] + times[middle]) / 2


MISTAKES = {
    "mean": mean,
    "total": total,
    "milliseconds": milliseconds,
    "times_warmup": times_warmup,
    "skips_warmup": skips_warmup,
    "no_sync": no_sync,
    "sync_before_only": sync_before_only,
    "sync_on_cpu": sync_on_cpu,
}
ALTERNATIVES = {
    "nanoseconds": nanoseconds,
    "numpy_median_timeit": numpy_median_timeit,
    "sorted_middle": sorted_middle,
}
