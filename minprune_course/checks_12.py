"""Checks for the capstone, lesson 12: compress the digits CNN within a 1-point budget.

The learner hands in ``compressed`` (an ``nn.Module``) and ``report`` (a dict of the
numbers they claim for it). Nothing printed or passed in is trusted: every number
is recomputed here from ``compressed`` itself, on the test split reloaded from
``minprune.data`` inside the check, against the reference baseline that
``baseline_model()`` trained (seeded) when the setup cell ran::

    baseline = checks_12.baseline_model()                         # the setup cell
    checks_12.check_capstone(baseline, compressed, report, X_test, y_test)   # every part
    checks_12.check_capstone(..., part="speedup")                 # one graded part
    checks_12.check_capstone(..., part="speedup", hidden=True)    # its longer battery

The parts, each graded on its own (``minprune.torchkit.report`` holds the thresholds):

========== ==================================================================
accuracy   test accuracy of ``compressed`` at most ``ACCURACY_BUDGET`` (1 point)
           below the baseline's
macs       multiply-adds per sample (``count_macs``) at least
           ``MIN_MAC_REDUCTION`` (3x) fewer than the baseline's
speedup    CPU speedup over the baseline at least ``MIN_CPU_SPEEDUP`` (1.5x):
           the median of 15 interleaved ratios (``report.compare``) at batch
           ``BATCH_SIZE`` (256 test images), one thread; a noisy machine gets
           up to three measurements
report     the report's ``params``, ``nonzeros``, ``macs`` and ``bytes_on_disk``
           (and ``nonzero_macs``, ``bytes_sparse`` when given) equal the
           recomputed ones, its ``accuracy`` is within one test image, and its
           ``cpu_speedup`` within a factor 2 of a fresh measurement
========== ==================================================================

The factor 2 for a reported speedup: the same two models timed a minute apart
on a busy machine gave 4.6x and 9.5x (contention slows the large baseline more
than the small model), so a closer match would fail honest reports, while a
speedup inferred from multiply-adds instead of measured is usually off by more.

Why 1.5x and not 2x: on the course's 2-core machine, under a load average of 5,
models with 3.0x to 3.15x fewer multiply-adds than the baseline measured from
0.9x to 3.2x faster (median 1.8x) depending on *which* channels went (widths
that leave conv2 with many channels keep its large output and its memory
traffic), and the uniform L1 recipe at 3.9x fewer MACs (16 and 32 channels)
measured 2.2x to 3.2x. On a quiet 16-core x86 server (one thread) the same
3x-MAC models measured 1.1x to 3.1x and the 16/32 recipe 2.8x to 3.0x. 1.5x
leaves that recipe a margin of a third or more on a slower or busier machine,
and still fails a model whose MACs fall but whose latency does not (masks:
1.0x; 10/64 channels: 0.9x to 1.2x).

With ``hidden=True`` the accuracy is computed on a fresh random permutation of
the test images in batches of random sizes, and the model must give every
image the same logits whatever batch it is in; MACs are counted on a single
image and on the permuted batch; the speedup is timed on a permuted batch.
"""

import copy
import math

import numpy as np
import torch
from torch import nn

from minprune.data import load_digits_split
from minprune.torchkit import report as _measure
from minprune.torchkit.counting import count_macs, count_nonzeros, count_parameters
from minprune.torchkit.training import as_tensors

from . import capstone as _policy
from . import checks

__all__ = ["baseline_model", "check_capstone", "PARTS"]

PARTS = ("accuracy", "macs", "speedup", "report")
_REQUIRED = ("params", "nonzeros", "macs", "bytes_on_disk", "accuracy", "cpu_speedup")
_EXACT = ("params", "nonzeros", "macs", "bytes_on_disk", "nonzero_macs", "bytes_sparse")
_SPEEDUP_TOLERANCE = 2.0
_ATTEMPTS = 3

_isinstance = isinstance
_len = len
_float = float
_int = int
_dict = dict
_Module = nn.Module
_Tensor = torch.Tensor
_no_grad = torch.no_grad
_isfinite = math.isfinite
_compare = _measure.compare
_measure_bytes = _measure.bytes_on_disk
_bytes_sparse = _measure.bytes_sparse
_copy_model = _measure.copy_model
_nonzero_macs = _measure.nonzero_macs

_REFERENCE = {}


# ------------------------------------------------------------------ data, baseline
def _split():
    """The digits split of the course (seed 0), reloaded: never the learner's arrays."""
    return load_digits_split(rng=0)


def _test_tensors():
    split = _split()
    return as_tensors(split.X_test, split.y_test, (1, 8, 8))


def baseline_model():
    """The capstone's baseline ``DigitsCNN``, trained once per kernel (seeded); a copy.

    The checks compare against the model trained here, whatever the notebook's
    ``baseline`` variable holds later.
    """
    if "model" not in _REFERENCE:
        split = _split()
        X, y = as_tensors(split.X_train, split.y_train, (1, 8, 8))
        _REFERENCE["model"] = _policy.baseline_cnn(X, y, seed=0)
        X_test, y_test = as_tensors(split.X_test, split.y_test, (1, 8, 8))
        _REFERENCE["accuracy"] = _accuracy(_REFERENCE["model"], X_test, y_test)
        _REFERENCE["macs"] = _int(count_macs(_REFERENCE["model"], X_test[:8]))
    return copy.deepcopy(_REFERENCE["model"])


def _reference():
    if "model" not in _REFERENCE:
        baseline_model()
    return _REFERENCE


# ------------------------------------------------------------------ the model
def _logits(model, X, batch_size=None):
    """Eval-mode logits of ``model`` on ``X`` in batches of ``batch_size`` (all at once if None)."""
    was_training = model.training
    model.eval()
    try:
        with _no_grad():
            if batch_size is None:
                return model(X)
            return torch.cat([model(X[i : i + batch_size]) for i in range(0, _len(X), batch_size)])
    finally:
        model.train(was_training)


def _accuracy(model, X, y, batch_size=None):
    logits = _logits(model, X, batch_size)
    return _int((logits.argmax(dim=1) == y).sum()) / _len(y)


def _expect_model(compressed):
    """``compressed`` is a CPU ``nn.Module`` that maps ``(n, 1, 8, 8)`` images to ``(n, 10)`` logits."""
    if compressed is None:
        raise AssertionError(
            "compressed is None: finish compress(baseline, data) and run the cell that calls it"
        )
    if not _isinstance(compressed, _Module):
        raise AssertionError(
            f"compressed is a {type(compressed).__name__}; expected a torch nn.Module "
            "(the compressed network itself)"
        )
    devices = {p.device.type for p in compressed.parameters()}
    if devices - {"cpu"}:
        raise AssertionError(
            "compressed has parameters on a GPU; the checks run it on the CPU (use .cpu())"
        )
    X, _ = _test_tensors()
    try:
        out = _logits(compressed, X[:5])
    except Exception as exc:  # noqa: BLE001 - any failure of the learner's model is a hint
        raise AssertionError(
            f"compressed(images) raised {type(exc).__name__}: {exc} "
            "(images: a (5, 1, 8, 8) float32 tensor of test digits)"
        ) from None
    if not _isinstance(out, _Tensor) or tuple(out.shape) != (5, 10):
        shape = tuple(out.shape) if _isinstance(out, _Tensor) else type(out).__name__
        raise AssertionError(
            f"compressed(images) returned {shape} for 5 images; expected (5, 10) logits"
        )
    if not bool(torch.isfinite(out).all()):
        raise AssertionError("compressed(images) returned NaN or infinite logits")


def _notes(baseline, X_test, y_test):
    """Say so when the notebook's baseline or test split differ from the ones the checks use."""
    ref = _reference()["model"]
    same = _isinstance(baseline, _Module)
    if same:
        theirs, ours = baseline.state_dict(), ref.state_dict()
        same = theirs.keys() == ours.keys() and all(
            _isinstance(theirs[k], _Tensor)
            and theirs[k].shape == v.shape
            and bool(torch.equal(theirs[k].cpu(), v))
            for k, v in ours.items()
        )
    if not same:
        print(
            "note: `baseline` is no longer the model the setup cell trained; "
            "the checks compare with the original"
        )
    X, y = _test_tensors()
    try:
        same = (
            _isinstance(X_test, _Tensor)
            and _isinstance(y_test, _Tensor)
            and X_test.shape == X.shape
            and bool(torch.equal(X_test.cpu().float(), X))
            and bool(torch.equal(y_test.cpu().long(), y))
        )
    except Exception:  # noqa: BLE001 - anything else is simply not the test split
        same = False
    if not same:
        print("note: X_test, y_test are not the test split; the checks reload it themselves")


# ------------------------------------------------------------------ the parts
def _check_accuracy(compressed, rng, hidden):
    X, y = _test_tensors()
    base = _reference()["accuracy"]
    acc = _accuracy(compressed, X, y)
    floor = base - _policy.ACCURACY_BUDGET - 1e-9
    if acc < floor:
        raise AssertionError(
            f"accuracy: the compressed model's test accuracy is {acc:.3f}, the baseline's "
            f"{base:.3f}: a drop of {100 * (base - acc):.1f} points, more than the budget of "
            f"{100 * _policy.ACCURACY_BUDGET:.0f} (fine-tune longer, or prune less)"
        )
    if hidden:
        order = torch.as_tensor(rng.permutation(_len(X)))
        Xp, yp = X[order], y[order]
        reference = _logits(compressed, X)[order]
        for size in (1, _int(rng.integers(2, 64)), _len(X)):
            got = _logits(compressed, Xp, size)
            if not bool(torch.allclose(got, reference, rtol=1e-4, atol=1e-4)):
                raise AssertionError(
                    "accuracy: the compressed model gives an image different logits depending "
                    f"on the batch it is in (batches of {size}); in eval mode each image must "
                    "be computed on its own"
                )
        if _accuracy(compressed, Xp, yp, _int(rng.integers(2, 64))) < floor:
            raise AssertionError(
                "accuracy: on the test images in another order the drop is over the budget"
            )
    return acc, base


def _check_macs(compressed, rng, hidden):
    X, _ = _test_tensors()
    base = _reference()["macs"]
    macs = _int(count_macs(compressed, X[: _policy.BATCH_SIZE]))
    if macs <= 0:
        raise AssertionError(
            "macs: count_macs finds no multiply-adds in the compressed model; it must compute "
            "its logits with convolutions and linear layers"
        )
    if base / macs < _policy.MIN_MAC_REDUCTION - 1e-9:
        raise AssertionError(
            f"macs: the compressed model needs {macs:,} multiply-adds per image, "
            f"{base / macs:.2f}x fewer than the baseline's {base:,}; at least "
            f"{_policy.MIN_MAC_REDUCTION:g}x is required (masks do not count: remove channels)"
        )
    if hidden:
        order = torch.as_tensor(rng.permutation(_len(X)))
        for batch in (X[order[:1]], X[order]):
            if _int(count_macs(compressed, batch)) != macs:
                raise AssertionError(
                    "macs: the compressed model's multiply-adds per image change with the batch"
                )
    return macs, base


def _speedup(compressed, batch):
    """Median interleaved CPU speedup of ``compressed`` over the reference, one thread."""
    return _compare(_reference()["model"], _copy_model(compressed), batch, repeats=15)["speedup"]


def _check_speedup(compressed, rng, hidden):
    X, _ = _test_tensors()
    batch = X[: _policy.BATCH_SIZE]
    if hidden:
        batch = X[torch.as_tensor(rng.permutation(_len(X))[: _policy.BATCH_SIZE])]
    best = 0.0
    for _ in range(_ATTEMPTS):
        best = max(best, _speedup(compressed, batch))
        if best >= _policy.MIN_CPU_SPEEDUP:
            return best
    raise AssertionError(
        f"speedup: the compressed model runs {best:.2f}x faster than the baseline on the CPU "
        f"(best of {_ATTEMPTS} interleaved measurements, batch {_policy.BATCH_SIZE}, one "
        f"thread); at least {_policy.MIN_CPU_SPEEDUP:g}x is required. Fewer MACs are not "
        "always less time: see which layer's channels you removed"
    )


def _number(report, key):
    value = report[key]
    ok = _isinstance(value, _int | _float | np.integer | np.floating) and not _isinstance(
        value, bool | np.bool_
    )
    if not ok or not _isfinite(_float(value)):
        raise AssertionError(
            f"report[{key!r}] is a {type(value).__name__} ({value!r:.40}); expected a number"
        )
    return _float(value)


def _check_report(compressed, report, rng, hidden):
    if not _isinstance(report, _dict):
        raise AssertionError(
            f"report is a {type(report).__name__}; expected a dict with keys {list(_REQUIRED)}"
        )
    missing = [k for k in _REQUIRED if k not in report]
    if missing:
        raise AssertionError(f"report has no key {missing[0]!r} (needed: {list(_REQUIRED)})")
    X, y = _test_tensors()
    batch = X[: _policy.BATCH_SIZE]
    truth = {
        "params": count_parameters(compressed),
        "nonzeros": count_nonzeros(compressed),
        "macs": _int(count_macs(compressed, batch)),
        "bytes_on_disk": _measure_bytes(compressed),
    }
    if "nonzero_macs" in report:
        truth["nonzero_macs"] = _int(_nonzero_macs(compressed, batch))
    if "bytes_sparse" in report:
        truth["bytes_sparse"] = _bytes_sparse(compressed)
    for key in _EXACT:
        if key in truth and _number(report, key) != truth[key]:
            raise AssertionError(
                f"report: report[{key!r}] = {report[key]!r}, but the compressed model has "
                f"{truth[key]:,} (recomputed from the model itself)"
            )
    acc = _accuracy(compressed, X, y)
    if abs(_number(report, "accuracy") - acc) > 1 / _len(y) + 1e-9:
        raise AssertionError(
            f"report: report['accuracy'] = {report['accuracy']!r}, but the compressed model's "
            f"accuracy on the test split is {acc:.4f} (a fraction in [0, 1], on all "
            f"{_len(y)} test images)"
        )
    claimed = _number(report, "cpu_speedup")
    if claimed <= 0:
        raise AssertionError("report: report['cpu_speedup'] must be a positive ratio")
    measured = []
    for _ in range(2 if not hidden else _ATTEMPTS):
        measured.append(_speedup(compressed, batch))
        ratio = claimed / measured[-1]
        if 1 / _SPEEDUP_TOLERANCE <= ratio <= _SPEEDUP_TOLERANCE:
            return
    raise AssertionError(
        f"report: report['cpu_speedup'] = {claimed:.2f}, but the compressed model measures "
        f"{max(measured):.2f}x faster than the baseline here (interleaved, batch "
        f"{_policy.BATCH_SIZE}, one thread); a claimed speedup must be within a factor "
        f"{_SPEEDUP_TOLERANCE:g} of a measured one (baseline time / compressed time)"
    )


def check_capstone(baseline, compressed, report, X_test, y_test, part=None, hidden=False):
    """Recompute the capstone's numbers from ``compressed`` and check them.

    Parameters
    ----------
    baseline : the notebook's baseline (only compared with the checks' own copy)
    compressed : nn.Module, the learner's compressed model
    report : dict, the learner's numbers (keys ``params``, ``nonzeros``, ``macs``,
        ``bytes_on_disk``, ``accuracy``, ``cpu_speedup``)
    X_test, y_test : the notebook's test tensors (only compared with the reloaded split)
    part : one of ``PARTS``, or ``None`` for all of them (the visible check)
    hidden : bool, the longer battery

    Raises
    ------
    AssertionError
        Naming the part and the number that failed.
    """
    if part is not None and part not in PARTS:
        raise ValueError(f"part={part!r} must be one of {PARTS} or None")
    rng = checks.rng()
    _reference()
    if part is None:
        _notes(baseline, X_test, y_test)
    _expect_model(compressed)
    if part == "accuracy":
        _check_accuracy(compressed, rng, hidden)
    elif part == "macs":
        _check_macs(compressed, rng, hidden)
    elif part == "speedup":
        _check_speedup(compressed, rng, hidden)
    elif part == "report":
        _check_report(compressed, report, rng, hidden)
    else:
        _check_all(compressed, report, rng)
        return
    checks.passed(
        {
            "accuracy": f"within {100 * _policy.ACCURACY_BUDGET:.0f} point of the baseline",
            "macs": f"at least {_policy.MIN_MAC_REDUCTION:g}x fewer multiply-adds",
            "speedup": f"at least {_policy.MIN_CPU_SPEEDUP:g}x faster on the CPU",
            "report": "the report matches the model",
        }[part]
    )


def _check_all(compressed, report, rng):
    """Every part, each line saying what was measured; fail at the end naming what failed."""
    failed = []
    for name in PARTS:
        try:
            if name == "accuracy":
                acc, base = _check_accuracy(compressed, rng, False)
                line = f"test accuracy {acc:.3f}, baseline {base:.3f}"
            elif name == "macs":
                macs, base = _check_macs(compressed, rng, False)
                line = f"{macs:,} MACs per image, {base / macs:.1f}x fewer than the baseline"
            elif name == "speedup":
                line = f"{_check_speedup(compressed, rng, False):.2f}x faster on the CPU"
            else:
                _check_report(compressed, report, rng, False)
                line = "every reported number matches the model"
            print(f"{name:9s} ok      {line}")
        except AssertionError as exc:
            failed.append(str(exc))
            print(f"{name:9s} FAILED  {exc}")
    if failed:
        raise AssertionError(failed[0])
    checks.passed()
