"""Checks for the exercises of lesson 11, timing and hardware sparsity.

Each check draws fresh random inputs (a new seed on every call, so a hard-coded
answer fails) and raises ``AssertionError`` with a hint that names the mistake,
never the expected answer::

    checks_11.check_time_fn(time_fn)                 # the visible check
    checks_11.check_time_fn(time_fn, hidden=True)    # the longer battery

- ``check_time_fn`` checks a timing function **by its behaviour**: it times a
  workload whose calls take known times on a virtual clock (``time``'s clocks
  point at it while the check runs, so the result is exact on a loaded
  machine), whose first calls are slow and two of whose timed calls are slow
  too: only untimed warm-up calls, a median over per-call times, and seconds
  per call give the right number. For a CUDA device it replaces
  ``torch.cuda.synchronize`` with a recorder and checks that every timed call
  has a synchronisation before and after it.
- ``check_mask_2to4`` compares with ``minprune.torchkit.mask_2to4`` on random
  matrices with many tied magnitudes.
- ``check_conv_macs`` compares with ``minprune.torchkit.count_macs`` on random
  convolutions (strides, padding, dilation, groups, rectangular kernels).

While the learner's function runs, the reference it is compared with raises an
``AssertionError``: an answer that only calls it would pass any comparison.
"""

import contextlib
import time
import timeit

import numpy as np
import torch
from torch import nn

from minprune.torchkit import counting, semistructured

from . import checks

__all__ = ["check_time_fn", "check_mask_2to4", "check_conv_macs"]

_SLOW = 10  # the slow calls take this many times the fast ones


# ------------------------------------------------------------ own work only
_BLOCKED = (  # the hint when the learner's code calls minprune's own answer
    "this exercise asks for your own code: minprune's function is what the check "
    "compares your answer with, so it is switched off while the check runs"
)


# ------------------------------------------------------------------ timing
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
        for space, key, old in saved:
            space[key] = old


class _Workload:
    """A function whose calls take known times on a virtual clock and that logs every call.

    Call ``i`` (counting from 0, warm-up included) takes ``slow`` seconds when
    ``i < slow_first`` or ``i in outliers``, ``fast`` seconds otherwise.
    """

    def __init__(self, clock, fast, slow, slow_first, outliers, log):
        self.clock, self.fast, self.slow = clock, fast, slow
        self.slow_first, self.outliers = slow_first, set(outliers)
        self.log, self.calls, self.args = log, 0, []

    def __call__(self, *args, **kwargs):
        i = self.calls
        self.calls += 1
        self.args.append((args, kwargs))
        self.log.append("call")
        self.clock.now += self.slow if i < self.slow_first or i in self.outliers else self.fast
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


def _timing_cases(rng, hidden):
    """``(warmup, repeats, device)`` triples; every case times ``fast`` per call."""
    cases = [(3, 7, None), (2, 7, "cuda")]
    if hidden:
        cases += [
            (4, 9, "cpu"),
            (1, 5, torch.device("cpu")),
            (3, 9, torch.device("cuda", 0)),
            (0, 7, "cuda:0"),
        ]
    return cases


def _sync_problem(log, warmup):
    """What is wrong with the synchronisation in ``log`` (a list of "call"/"sync"), or None."""
    calls = [i for i, event in enumerate(log) if event == "call"]
    timed = calls[warmup:]
    for k, position in enumerate(timed):
        previous = calls[warmup + k - 1] if warmup + k > 0 else -1
        following = calls[warmup + k + 1] if warmup + k + 1 < len(calls) else len(log)
        if "sync" not in log[previous + 1 : position]:
            return (
                f"timed call {k + 1} was not preceded by torch.cuda.synchronize(): "
                "synchronise before starting the clock, so work queued earlier "
                "(the warm-up, the previous call) is not counted"
            )
        if "sync" not in log[position + 1 : following]:
            return (
                f"timed call {k + 1} was not followed by torch.cuda.synchronize() "
                "before the next call or the end: a GPU runs kernels asynchronously, "
                "so without it you time the launch, not the work"
            )
    return None


def _check_one_timing(time_fn, rng, warmup, repeats, device):
    fast = float(rng.uniform(0.002, 0.004))
    slow = _SLOW * fast
    # two slow calls among the timed ones: a median ignores them, a mean does not;
    # timing the warm-up calls too puts four slow calls among the first `repeats`
    outliers = [warmup + 1, warmup + repeats - 2]
    log = []
    clock = _VirtualClock(float(rng.uniform(100.0, 10000.0)))
    workload = _Workload(clock, fast, slow, slow_first=warmup, outliers=outliers, log=log)
    x = torch.zeros(int(rng.integers(1, 5)))
    kwargs = {"warmup": warmup, "repeats": repeats}
    if device is not None:
        kwargs["device"] = device
    shown = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    what = f"time_fn(fn, x, {shown})"
    cuda = device is not None and torch.device(device).type == "cuda"
    with _recorded_synchronize(log), _virtual_time(clock, time_fn):
        # not checks.call: its deep copies would hide the calls the workload counts
        answer = time_fn(workload, x.clone(), **kwargs)
    seconds = checks.expect_float(answer, what)
    checks.expect_true(
        workload.calls == warmup + repeats,
        f"{what} called fn {workload.calls} times; expected warmup + repeats = "
        f"{warmup + repeats} calls (the warm-up calls are made but not timed)",
    )
    checks.expect_true(
        all(len(a) == 1 and torch.equal(a[0], x) and not kw for a, kw in workload.args),
        f"{what}: call fn(*args) with the arguments given after fn, and nothing else",
    )
    if cuda:
        problem = _sync_problem(log, warmup)
        checks.expect_true(problem is None, f"{what}: {problem}")
    else:
        checks.expect_true(
            "sync" not in log,
            f"{what} called torch.cuda.synchronize() for a CPU device: that raises on a "
            "machine without a GPU; synchronise only when the device is CUDA",
        )
    if seconds <= 0:
        raise AssertionError(f"{what} returned {seconds!r}: a time per call is positive")
    return seconds / fast


def _ratio_hint(ratio, warmup, repeats):
    """None when ``ratio`` (answer over the true time per call) is right, else a hint."""
    what = f"time_fn(fn, x, warmup={warmup}, repeats={repeats})"
    if 0.999 <= ratio <= 1.001:
        return None
    if ratio < 0.999:
        return (
            f"{what} returned a time shorter than every call took: read time.perf_counter() "
            "just before and just after each call"
        )
    total = repeats + 2 * (_SLOW - 1)  # the timed calls together, two of them slow
    if 300 < ratio < 3000:
        return f"{what}: return seconds per call, not milliseconds"
    if 0.7 * total < ratio < 1.4 * total:
        return f"{what}: this looks like the time of all timed calls together; return one call's"
    if 0.7 * _SLOW < ratio < 1.4 * _SLOW:
        return (
            f"{what} measured the slow first calls: make the {warmup} warm-up calls "
            "first and do not time them"
        )
    if 0.7 * total / repeats < ratio < 1.4 * total / repeats:
        return (
            f"{what} is pulled up by two slow calls among the timed ones: report the "
            "median of the per-call times, not the mean"
        )
    return f"{what} is pulled up by slow calls: warm up first, then take the median"


def check_time_fn(time_fn, hidden=False):
    """Check ``time_fn(fn, *args, warmup=3, repeats=20, device="cpu")`` by its behaviour.

    The median of per-call wall-clock times over ``repeats`` timed calls made
    after ``warmup`` untimed ones, in seconds; on a CUDA device the clock is
    read only after ``torch.cuda.synchronize()``.
    """
    checks.expect_callable(time_fn, "time_fn")
    rng = checks.rng()
    for warmup, repeats, device in _timing_cases(rng, hidden):
        ratio = _check_one_timing(time_fn, rng, warmup, repeats, device)
        hint = _ratio_hint(ratio, warmup, repeats)
        checks.expect_true(hint is None, hint)
    checks.passed("time_fn")


# --------------------------------------------------------------------- 2:4
def _tied_matrix(rng, rows, cols, dtype, levels):
    """Random weights on a grid of ``levels`` magnitudes with random signs: many ties."""
    values = rng.integers(0, levels, size=(rows, cols)) * rng.choice([-1.0, 1.0], (rows, cols))
    return torch.tensor(values * float(rng.uniform(0.1, 1.0)), dtype=dtype)


def _mask_cases(rng, hidden):
    shape = (int(rng.integers(2, 7)), 4 * int(rng.integers(2, 5)))
    cases = [
        torch.tensor(rng.normal(size=shape), dtype=torch.float32),
        _tied_matrix(rng, *shape, torch.float32, levels=3),
    ]
    if hidden:
        cases += [
            torch.tensor(rng.normal(size=(1, 4)), dtype=torch.float64),
            torch.tensor(rng.normal(size=(64, 128)), dtype=torch.float32),
            _tied_matrix(rng, 8, 16, torch.float64, levels=2),
            _tied_matrix(rng, 4, 8, torch.float16, levels=4),
            torch.zeros(3, 8),
            torch.full((2, 12), -0.5),
            torch.tensor(-np.abs(rng.normal(size=(5, 8))), dtype=torch.float32),
        ]
    return cases


def _as_plain_array(answer, W, what):
    """The learner's mask as a float64 array, after checking it is a tensor like ``W``."""
    if not isinstance(answer, torch.Tensor):
        name = "None" if answer is None else type(answer).__name__
        raise AssertionError(f"{what} returned a {name}; expected a torch tensor like W")
    plain = torch.Tensor.as_subclass(answer, torch.Tensor).detach().cpu()
    checks.expect_true(
        tuple(plain.shape) == tuple(W.shape),
        f"{what} has shape {tuple(plain.shape)}; expected W's shape {tuple(W.shape)}",
    )
    checks.expect_true(
        plain.dtype == W.dtype,
        f"{what} has dtype {plain.dtype}; expected W's dtype {W.dtype} (0.0 and 1.0)",
    )
    return checks.expect_mask(plain.to(torch.float64).numpy(), shape=tuple(W.shape), what=what)


def _top2(values):
    """Keep the 2 largest of each group of 4 consecutive entries of a row (stable order)."""
    groups = values.reshape(-1, 4)
    order = torch.sort(groups, dim=1, descending=True, stable=True).indices
    mask = torch.zeros_like(groups).scatter_(1, order[:, :2], 1.0)
    return mask.reshape(values.shape).numpy()


def _mask_hint(mask, expected, W, what):
    """A hint for a wrong 2:4 mask that says which rule was broken."""
    W64 = W.detach().to(torch.float64)
    if W.shape[0] % 4 == 0 and (mask == _top2(W64.abs().t().contiguous()).T).all():
        return (
            f"{what}: the groups run down the columns; a group is 4 consecutive "
            "entries of a row, W[i, 4g:4g+4]"
        )
    kept = mask.reshape(-1, 4).sum(axis=1)
    if not (kept == 2).all():
        bad = int((kept != 2).sum())
        return (
            f"{what}: {bad} of {kept.size} groups of 4 do not keep exactly 2 entries; "
            "each group W[i, 4g:4g+4] keeps 2"
        )
    if (mask == 1 - expected).all():
        return f"{what}: the mask is inverted; 1 means the weight is kept"
    if (mask == _top2(W64)).all():
        return f"{what}: rank by the magnitude |w|, not by the signed value"
    groups = W64.abs().numpy().reshape(-1, 4)
    wrong = (mask.reshape(-1, 4) != expected.reshape(-1, 4)).any(axis=1)
    kept_sum = (groups * mask.reshape(-1, 4)).sum(axis=1)
    best_sum = (groups * expected.reshape(-1, 4)).sum(axis=1)
    if (kept_sum[wrong] == best_sum[wrong]).all():
        return (
            f"{what}: {int(wrong.sum())} groups keep different entries of equal magnitude; "
            "among equal |w| keep the earlier entry (a stable sort)"
        )
    return f"{what}: {int(wrong.sum())} of {wrong.size} groups do not keep their two largest |w|"


def check_mask_2to4(mask_2to4, hidden=False):
    """Check ``mask_2to4(W)`` against ``minprune.torchkit.mask_2to4``."""
    checks.expect_callable(mask_2to4, "mask_2to4")
    rng = checks.rng()
    for W in _mask_cases(rng, hidden):
        expected = semistructured.mask_2to4(W).to(torch.float64).numpy()
        what = f"mask_2to4(W) with W of shape {tuple(W.shape)}, dtype {W.dtype}"
        with checks.switched_off([semistructured.mask_2to4], _BLOCKED):
            answer = checks.call(mask_2to4, W, what=what)
        mask = _as_plain_array(answer, W, what)
        if (mask != expected).any():
            raise AssertionError(_mask_hint(mask, expected, W, what))
        checks.expect_equal(mask, expected, what=what)
    checks.passed("mask_2to4")


# -------------------------------------------------------------------- MACs
def _conv_cases(rng, hidden):
    """``(conv, height, width)`` triples."""

    def conv(c_in, c_out, k, **kw):
        return nn.Conv2d(c_in, c_out, k, **kw)

    c = lambda: int(rng.integers(1, 9))  # noqa: E731 - a short local draw
    cases = [
        (conv(c(), c(), 3, padding=1), int(rng.integers(4, 12)), int(rng.integers(4, 12))),
        (conv(c(), c(), 3, stride=2), int(rng.integers(5, 13)), int(rng.integers(5, 13))),
        (conv(c(), c(), 1, bias=False), int(rng.integers(2, 9)), int(rng.integers(2, 9))),
    ]
    if hidden:
        g = int(rng.integers(2, 4))
        cases += [
            (conv(c(), c(), 5, stride=2, padding=2, bias=False), 9, 7),
            (conv(c(), c(), 3, padding=2, dilation=2), 8, 11),
            (conv(g * c(), g * c(), 3, padding=1, groups=g), 6, 6),
            (conv(4, 4, 3, padding=1, groups=4), 7, 9),
            (conv(c(), c(), (3, 1), stride=(2, 1), padding=(1, 0)), 9, 5),
            (conv(3, 16, 7, stride=2, padding=3, bias=False), 32, 32),
        ]
    return cases


def _conv_formula(conv, h, w, strided=True, grouped=True):
    """Multiply-adds of ``conv`` on an ``h x w`` input, with two common mistakes as options."""
    (kh, kw), (sh, sw) = conv.kernel_size, conv.stride if strided else (1, 1)
    (ph, pw), (dh, dw) = conv.padding, conv.dilation
    h_out = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    w_out = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    c_in = conv.in_channels // conv.groups if grouped else conv.in_channels
    return h_out * w_out * conv.out_channels * c_in * kh * kw


def check_conv_macs(conv_macs, hidden=False):
    """Check ``conv_macs(conv, height, width)`` against ``minprune.torchkit.count_macs``."""
    checks.expect_callable(conv_macs, "conv_macs")
    rng = checks.rng()
    for conv, h, w in _conv_cases(rng, hidden):
        expected = counting.count_macs(conv, torch.zeros(1, conv.in_channels, h, w))
        what = f"conv_macs({conv}, {h}, {w})"
        with checks.switched_off([counting.count_macs], _BLOCKED):
            answer = checks.call(conv_macs, conv, h, w, what=what)
        value = checks.expect_int(answer, what)
        if value == expected:
            continue
        if conv.groups > 1 and value == _conv_formula(conv, h, w, grouped=False):
            raise AssertionError(
                f"{what}: with groups, each filter sees in_channels / groups input channels"
            )
        if value == 2 * expected:
            raise AssertionError(
                f"{what}: count multiply-adds, not flops (1 multiply-add = 2 flops)"
            )
        if value == _conv_formula(conv, h, w, strided=False):
            raise AssertionError(f"{what}: the stride shrinks the output: divide by it")
        bias_adds = _conv_formula(conv, h, w) // (conv.in_channels // conv.groups)
        bias_adds //= conv.kernel_size[0] * conv.kernel_size[1]
        if conv.bias is not None and value == expected + bias_adds:
            raise AssertionError(f"{what}: leave the bias out (an addition, not a multiply-add)")
        raise AssertionError(
            f"{what} returned {value}, which is not the expected count: the output has "
            "(h + 2*padding - dilation*(k - 1) - 1) // stride + 1 rows, and each output "
            "value costs (in_channels / groups) * kh * kw multiply-adds per output channel"
        )
    checks.passed("conv_macs")
