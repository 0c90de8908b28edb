"""Exercise 12, part report: every number of the learner's report matches the model.

``compress(baseline, data)`` returns ``(compressed, report)``. Each number of ``report`` is
recomputed here from ``compressed`` itself: ``params``, ``nonzeros``, ``macs`` and
``bytes_on_disk`` (and ``nonzero_macs``, ``bytes_sparse`` when given) exactly, ``accuracy``
within one test image (on the test split the check reloads), and ``cpu_speedup`` within a
factor 2 of a speedup measured here (``tk.compare`` against the baseline the check trained,
batch 256, one thread). A measurement is repeated, up to three in all, while one of its 15
ratios lies within a factor 2 of the claim; the hidden battery times random test images.

The factor 2: the same two models timed a minute apart on a busy machine gave 4.6x and
9.5x (contention slows the large baseline more than the small model), so a closer match
would fail honest reports, while a speedup written down instead of measured is usually off
by more. Known mistakes (flops for multiply-adds, 4 bytes per parameter for the checkpoint,
a percentage for the accuracy, the inverted ratio for the speedup) are named by their
hints; the hints never show a recomputed number, nor a measured speedup.

PROBE: the model is read as plain data, its widths and ``state_dict`` loaded into a
``DigitsCNN`` the check builds (``_t12.read``, as ``plain`` carries it across the grader's
sandbox); the learner's module is never called. ``bytes_on_disk`` is measured on that
model. ``report`` is read key by key as numbers. So both can come from another process.
"""

import math

import numpy as np
import torch

from minprune.torchkit.cnn import nonzero_macs
from minprune.torchkit.counting import count_macs, count_nonzeros, count_parameters
from minprune.torchkit.report import bytes_on_disk, bytes_sparse
from minprune_course import capstone, checks

from . import _t12

GRADE_ID = "t12_report_test"
ANSWER = "compressed, report"
SIGNATURE = "(baseline, data)"
REFERENCE = ()
REQUIRED = ("params", "nonzeros", "macs", "bytes_on_disk", "accuracy", "cpu_speedup")
EXACT = ("params", "nonzeros", "macs", "bytes_on_disk", "nonzero_macs", "bytes_sparse")
TOLERANCE = 2.0
MISTAKES = {
    **_t12.READ_MISTAKES,
    "missing_key": "report needs the keys params, nonzeros, macs, bytes_on_disk, accuracy "
    "and cpu_speedup (measure gives the first five; add cpu_speedup from compare)",
    "not_numbers": "the report's values are numbers (int or float), not text or tensors: "
    "store what measure and compare return",
    "stale_report": "is not what the compressed model has (recomputed from the model "
    "itself): measure the model you return, after its last change",
    "flops": "report['macs'] counts flops; count multiply-adds per image (count_macs), one "
    "multiply-add being 2 flops",
    "bytes_of_parameters": "report['bytes_on_disk'] is 4 bytes per parameter; it is the size "
    "of torch.save(compressed.state_dict()): BatchNorm's running statistics, the names and "
    "the archive's headers count too",
    "accuracy_percent": "report['accuracy'] is a fraction in [0, 1], not a percentage",
    "inverted_speedup": "report['cpu_speedup'] looks like compressed time / baseline time; "
    "the speedup is baseline time / compressed time (above 1 when the model is faster)",
    "overstated_speedup": "report['cpu_speedup'] is more than twice the speedup measured "
    "here: measure it with compare(baseline, compressed, X_test[:BATCH_SIZE]) (one thread, "
    "batch 256), rather than derive it from multiply-adds or write it down",
}


def cases(rng, hidden):
    """The batch the speedup is timed on: the first 256 test images; hidden, 256 random ones."""
    X, _ = _t12.test_split()
    if hidden:
        yield X[torch.as_tensor(rng.permutation(len(X))[: capstone.BATCH_SIZE])]
    else:
        yield X[: capstone.BATCH_SIZE]


def _numbers(report):
    """The report's required and exact keys as floats, after checking they are numbers."""
    if report is None:
        checks.fail(_t12.not_answered("report"))
    if not isinstance(report, dict):
        checks.fail(f"report is a {type(report).__name__}: {MISTAKES['missing_key']}")
    for key in REQUIRED:
        checks.expect_true(key in report, f"report has no key {key!r}: {MISTAKES['missing_key']}")
    numbers = {}
    for key in (*REQUIRED, *(k for k in EXACT if k in report and k not in REQUIRED)):
        value = report[key]
        kind = type(value)
        ok = (
            kind in (int, float) or (issubclass(kind, np.integer | np.floating))
        ) and kind not in (bool, np.bool_)
        if not ok or not math.isfinite(float(value)):
            checks.fail(f"report[{key!r}] is a {kind.__name__}: {MISTAKES['not_numbers']}")
        numbers[key] = float(value)
    return numbers


def _truth(model, batch, keys):
    """The exact numbers of ``model``, recomputed, for the keys the report has."""
    truth = {
        "params": count_parameters(model),
        "nonzeros": count_nonzeros(model),
        "macs": int(count_macs(model, batch)),
        "bytes_on_disk": bytes_on_disk(model),
    }
    if "nonzero_macs" in keys:
        truth["nonzero_macs"] = int(nonzero_macs(model, batch))
    if "bytes_sparse" in keys:
        truth["bytes_sparse"] = bytes_sparse(model)
    return truth


def _check_counts(numbers, truth):
    for key, right in truth.items():
        claimed = numbers[key]
        if claimed == right:
            continue
        if key == "macs" and claimed == 2 * right:
            checks.fail(MISTAKES["flops"])
        if key == "bytes_on_disk" and claimed == 4 * truth["params"]:
            checks.fail(MISTAKES["bytes_of_parameters"])
        checks.fail(f"report: report[{key!r}] = {claimed:g} {MISTAKES['stale_report']}")


def _check_accuracy(claimed, model):
    X, y = _t12.test_split()
    right = _t12.correct(model, X, y)
    image = 1 / len(y)
    if abs(claimed - right * image) <= image + 1e-9:
        return
    checks.expect_true(abs(claimed / 100 - right * image) > image, MISTAKES["accuracy_percent"])
    checks.fail(
        f"report: report['accuracy'] = {claimed:g} is more than one test image away from the "
        f"compressed model's accuracy on all {len(y)} test images (a fraction in [0, 1]): "
        f"{MISTAKES['stale_report']}"
    )


def _check_speedup(claimed, model, batch):
    checks.expect_true(claimed > 0, "report: report['cpu_speedup'] must be a positive ratio")

    def within(r):
        return 1 / TOLERANCE <= claimed / r["speedup"] <= TOLERANCE

    def doubt(r):
        return r["min"] / TOLERANCE <= claimed <= r["max"] * TOLERANCE

    results = _t12.speedups(model, batch, within, doubt)
    if within(results[-1]):
        return
    measured = results[-1]["speedup"]
    if claimed < 1 < measured and 1 / TOLERANCE**2 <= claimed * measured <= TOLERANCE**2:
        checks.fail(MISTAKES["inverted_speedup"])
    if claimed > measured:
        checks.fail(MISTAKES["overstated_speedup"])
    checks.fail(
        "report['cpu_speedup'] is less than half the speedup measured here (the measurements "
        "are printed above): measure it with compare(baseline, compressed, X_test[:BATCH_SIZE])"
    )


def check(compressed, report, hidden=False, seed=None):
    """Every number of ``report`` is the one recomputed from ``compressed``."""
    model = _t12.read(compressed)
    numbers = _numbers(report)
    for batch in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        _check_counts(numbers, _truth(model, batch, numbers))
        _check_accuracy(numbers["accuracy"], model)
        _check_speedup(numbers["cpu_speedup"], model, batch)
    checks.passed()
