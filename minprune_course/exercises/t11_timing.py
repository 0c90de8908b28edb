"""Exercise 11.1: ``time_fn(fn, *args, warmup=3, repeats=20, device="cpu")``, seconds per call.

The check judges a timing function by its behaviour. It times a workload of its own whose
calls take known times on a virtual clock (``time``'s clocks, ``timeit.default_timer`` and
the clocks the answer imported point at it while the check runs, so the result is exact on
a loaded machine): its first ``warmup`` calls are slow and two of the timed calls are slow
too, so only untimed warm-up calls, a median over per-call times and seconds per call give
the right number. Every known mistake's number is computed from the same schedule and
named when the answer returns it. For a CUDA device ``torch.cuda.synchronize`` is replaced
by a recorder, and every timed call must have a synchronisation before and after it.

PROBE: ``fn`` cannot be plain data, since the exercise is to time a function. The check
sends plain data (warm-up and repeat counts, the device, the schedule of call times, the
clock's start, the tensor ``x``) to ``probe``, which runs where the answer lives (here, or
in the grader's sandboxed kernel, through ``remote.asking``): it builds the workload, which
records each call (its arguments, its place among the synchronisations) and advances the
virtual clock, calls the answer, and returns plain data: the answer's float, the number of
calls, the log of calls and synchronisations. ``x`` is compared after the call: an answer
that changes it fails.

``REFERENCE`` names minprune's own timers: they are not compared with, but an answer that
delegates to them is not the learner's code, so they are switched off.
"""

import contextlib
import statistics
import sys
import time
import timeit

import torch

from minprune_course import checks, remote

from . import _t11

GRADE_ID = "t11_timing_test"
ANSWER = "time_fn"
SIGNATURE = '(fn, *args, warmup=3, repeats=20, device="cpu")'
REFERENCE = ("minprune.torchkit.benchmark", "minprune.torchkit.cuda_event_time")
MISTAKES = {
    "mean": "report the median of the per-call times, not the mean: two slow calls among "
    "the timed ones pull a mean up",
    "total": "this is the time of all timed calls together; return one call's, the median "
    "of the per-call times",
    "milliseconds": "return seconds per call, not milliseconds",
    "times_warmup": "the warm-up calls were timed too: make the warm-up calls first, "
    "untimed, then time each of the repeats calls",
    "skips_warmup": "make warmup + repeats calls of fn in all: the warm-up calls first, "
    "untimed, then the timed ones",
    "no_sync": "was not preceded by torch.cuda.synchronize(): synchronise before starting "
    "the clock, so work queued earlier (the warm-up, the previous call) is not counted",
    "sync_before_only": "was not followed by torch.cuda.synchronize() before the next call "
    "or the end: a GPU runs kernels asynchronously, so without it you time the launch, not "
    "the work",
    "sync_on_cpu": "called torch.cuda.synchronize() for a CPU device: that raises on a "
    "machine without a GPU; synchronise only when the device is CUDA",
}
_SLOW = 10  # the slow calls take this many times the fast ones
_CLOCK_NAMES = (
    "perf_counter",
    "perf_counter_ns",
    "monotonic",
    "monotonic_ns",
    "time",
    "time_ns",
    "process_time",
    "process_time_ns",
)
_REAL_CLOCKS = {name: getattr(time, name) for name in _CLOCK_NAMES}


class _VirtualClock:
    """A clock that only moves when the workload says so: exact, and immune to load."""

    def __init__(self, start):
        self.now = start

    def seconds(self):
        return self.now

    def nanoseconds(self):
        return int(round(self.now * 1e9))


@contextlib.contextmanager
def _virtual_time(clock, fn):
    """Point ``time``'s clocks, ``timeit.default_timer`` and the clocks ``fn`` imported at ``clock``.

    ``from time import perf_counter`` in the learner's cell binds the real clock in
    the notebook's globals; those names are redirected too, then all restored.
    """
    fakes = {
        name: clock.nanoseconds if name.endswith("_ns") else clock.seconds for name in _CLOCK_NAMES
    }
    patches = [(vars(time), name, fakes[name]) for name in _CLOCK_NAMES]
    patches.append((vars(timeit), "default_timer", fakes["perf_counter"]))
    namespace = getattr(fn, "__globals__", None)
    if isinstance(namespace, dict):
        for key, value in list(namespace.items()):
            for name, real in _REAL_CLOCKS.items():
                if value is real:
                    patches.append((namespace, key, fakes[name]))
    saved = [(space, key, space[key]) for space, key, _ in patches]
    try:
        for space, key, fake in patches:
            space[key] = fake
        yield
    finally:
        for space, key, old in reversed(saved):
            space[key] = old


class _Workload:
    """A function whose calls take known times on a virtual clock and that logs every call.

    Call ``i`` (counting from 0, warm-up included) takes ``durations[i]`` seconds (the
    last duration for any further call). A copy of the workload is the workload itself, so
    an answer that copies its arguments before calling fn is still counted.
    """

    def __init__(self, clock, durations, log):
        self.clock, self.durations, self.log = clock, durations, log
        self.calls, self.args = 0, []

    def __deepcopy__(self, memo):
        return self

    def __call__(self, *args, **kwargs):
        i = min(self.calls, len(self.durations) - 1)
        self.calls += 1
        self.args.append((args, kwargs))
        self.log.append("call")
        self.clock.now += self.durations[i]
        return args[0] if args else None


@contextlib.contextmanager
def _recorded_synchronize(log):
    """Replace ``torch.cuda.synchronize`` by a recorder writing ``"sync"`` into ``log``."""
    saved = torch.cuda.synchronize

    def synchronize(*args, **kwargs):
        log.append("sync")

    torch.cuda.synchronize = synchronize
    try:
        yield
    finally:
        torch.cuda.synchronize = saved


def cases(rng, hidden):
    """``(warmup, repeats, device, durations, start)``: a schedule of call times per case.

    The first case (warm-up 3, repeats 7, the default device) shows every value mistake
    and a synchronisation on the CPU; the second (CUDA) every missing synchronisation. The
    hidden battery adds ``torch.device`` objects (given as ``[type, index]``, made in the
    probe), ``"cuda:0"``, other counts and no warm-up.
    """
    devices = [(3, 7, None), (2, 7, "cuda")]
    if hidden:
        devices += [
            (4, 9, "cpu"),
            (1, 5, ["cpu"]),  # torch.device("cpu")
            (3, 9, ["cuda", 0]),  # torch.device("cuda", 0)
            (0, 7, "cuda:0"),
        ]
    for warmup, repeats, device in devices:
        fast = float(rng.uniform(0.002, 0.004))
        # two slow calls among the timed ones: a median ignores them, a mean does not
        outliers = {warmup + 1, warmup + repeats - 2}
        durations = [
            _SLOW * fast if i < warmup or i in outliers else fast for i in range(warmup + repeats)
        ]
        yield warmup, repeats, device, durations, float(rng.uniform(100.0, 10000.0))


def _sync_problem(log, warmup):
    """The hint of the missing synchronisation in ``log`` ("call"/"sync" events), or None."""
    calls = [i for i, event in enumerate(log) if event == "call"]
    for k, position in enumerate(calls[warmup:]):
        previous = calls[warmup + k - 1] if warmup + k > 0 else -1
        following = calls[warmup + k + 1] if warmup + k + 1 < len(calls) else len(log)
        if "sync" not in log[previous + 1 : position]:
            return f"timed call {k + 1} {MISTAKES['no_sync']}"
        if "sync" not in log[position + 1 : following]:
            return f"timed call {k + 1} {MISTAKES['sync_before_only']}"
    return None


def _mistakes(durations, warmup):
    """What each value mistake returns on this schedule (seconds)."""
    timed = durations[warmup:]
    right = statistics.median(timed)
    return {
        "mean": sum(timed) / len(timed),
        "total": sum(timed),
        "milliseconds": 1000 * right,
        "times_warmup": statistics.median(durations),
    }


def _device(spec):
    """The ``device`` argument a plain ``spec`` stands for: a string, or ``[type, index]`` for
    a ``torch.device`` (which plain data cannot carry)."""
    return torch.device(*spec) if isinstance(spec, list) else spec


def probe(answer, warmup, repeats, device, durations, start, x):
    """Time the check's workload with ``answer`` on a virtual clock; return plain data.

    Runs where the answer lives (``remote.asking``): builds the workload of ``durations`` on a
    clock starting at ``start``, calls ``answer(workload, x, warmup=..., repeats=...,
    device=...)`` (no ``device`` when it is None), and returns ``{"seconds": what it
    returned, "calls": how many calls of fn, "log": "call" and "sync" events in order,
    "args_ok": whether every call was fn(x) with nothing else}``.
    """
    log = []
    clock = _VirtualClock(start)
    workload = _Workload(clock, durations, log)
    kwargs = {"warmup": warmup, "repeats": repeats}
    if device is not None:
        kwargs["device"] = _device(device)
    with _recorded_synchronize(log), _virtual_time(clock, answer):
        seconds = answer(workload, x, **kwargs)
    args_ok = all(len(a) == 1 and torch.equal(a[0], x) and not kw for a, kw in workload.args)
    return {"seconds": seconds, "calls": workload.calls, "log": log, "args_ok": args_ok}


def check(answer, hidden=False, seed=None):
    """``answer(fn, x, warmup=..., repeats=..., device=...)`` returns the median seconds of a
    timed call, made after the untimed warm-up, synchronised around each call on CUDA."""
    references = checks.public(*REFERENCE)
    ask = remote.asking(sys.modules[__name__], answer)
    for warmup, repeats, device, durations, start in cases(
        checks.case_rng(GRADE_ID, hidden, seed), hidden
    ):
        shown = {"warmup": warmup, "repeats": repeats}
        if device is not None:
            shown["device"] = _device(device)
        what = "time_fn(fn, x, " + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"
        x = torch.arange(4.0)
        out = checks.call(
            ask, warmup, repeats, device, durations, start, x, what=what, without=references,
            names=("warmup", "repeats", "device", "durations", "start", "x"),
        )  # fmt: skip
        seconds = checks.expect_float(out["seconds"], what)
        checks.expect_true(
            out["calls"] == warmup + repeats,
            f"{what} called fn {out['calls']} times, not {warmup + repeats}: "
            f"{MISTAKES['skips_warmup']}",
        )
        checks.expect_true(
            out["args_ok"],
            f"{what}: call fn(*args) with the arguments given after fn, and nothing else",
        )
        log = list(out["log"])
        if device is not None and torch.device(_device(device)).type == "cuda":
            problem = _sync_problem(log, warmup)
            checks.expect_true(problem is None, f"{what}: {problem}")
        else:
            checks.expect_true("sync" not in log, f"{what} {MISTAKES['sync_on_cpu']}")
        right = statistics.median(durations[warmup:])
        _t11.no_mistake(what, seconds, right, _mistakes(durations, warmup), MISTAKES, rtol=1e-5)
        if seconds < right * (1 - 1e-3):
            checks.fail(
                f"{what} returned a time shorter than the calls took: read "
                "time.perf_counter() just before and just after each call"
            )
        checks.expect_true(
            seconds <= right * (1 + 1e-3),
            f"{what} is pulled up by slow calls: warm up first, then take the median of the "
            "per-call times",
        )
    checks.passed()
