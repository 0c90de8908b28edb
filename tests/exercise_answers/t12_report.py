"""Answers to exercise t12_report: the check's arguments for known mistakes and alternatives."""

import numpy as np

from minprune.torchkit import measure

from . import _t12
from ._t12 import NOT_APPLICABLE, Lazy  # noqa: F401 - read by tests/test_exercises.py

# A report whose counts are right is checked against a timing of the model (about a
# second), and the seed only picks which 256 test images are timed: one hidden seed and
# the visible check suffice.
SEEDS = 1


def check_args():
    return _t12.solved()


def one_channel_more(model):
    """The master's model with one zero channel more in conv1: the report no longer fits it."""
    return _t12.padded(model, (model.conv1.out_channels + 1, model.conv2.out_channels))


perturbed = one_channel_more


def changed(**values):
    """The master's ``(compressed, report)`` with ``values`` in the report (None drops a key)."""
    compressed, report = _t12.solved()
    report = {**report, **values}
    return compressed, {k: v for k, v in report.items() if v is not None}


def _report():
    return _t12.solved()[1]


def baseline_report():
    """The baseline's numbers, handed in with the compressed model."""
    from topic_checks import master

    found = master("12")
    batch = found.X_test[:256]
    report = measure(found.baseline, found.X_test, found.y_test, batch, latency=False)
    return _t12.solved()[0], {**report, "cpu_speedup": 1.0}


def numpy_rounded():
    r = _report()
    counts = ("params", "nonzeros", "macs", "bytes_on_disk", "nonzero_macs", "bytes_sparse")
    values = {k: np.int64(r[k]) for k in counts}
    values["accuracy"] = np.float32(round(r["accuracy"], 3))
    values["cpu_speedup"] = round(r["cpu_speedup"], 1)
    return changed(**values)


def required_only_one_image_off():
    compressed, r = _t12.solved()
    required = ("params", "nonzeros", "macs", "bytes_on_disk", "accuracy", "cpu_speedup")
    report = {k: r[k] for k in required}
    report["accuracy"] -= 1 / 359
    return compressed, report


MISTAKES = Lazy(
    not_a_digits_cnn=lambda: (_t12.as_sequential(_t12.solved()[0]), _report()),
    prune_hooks_left=lambda: (_t12.prune_hooks_left(_t12.solved()[0]), _report()),
    missing_key=lambda: changed(cpu_speedup=None),
    not_numbers=lambda: changed(params=f"{_report()['params']:,}"),
    stale_report=baseline_report,
    flops=lambda: changed(macs=2 * _report()["macs"]),
    bytes_of_parameters=lambda: changed(bytes_on_disk=4 * _report()["params"]),
    accuracy_percent=lambda: changed(accuracy=100 * _report()["accuracy"]),
    inverted_speedup=lambda: changed(cpu_speedup=1 / _report()["cpu_speedup"]),
    overstated_speedup=lambda: changed(cpu_speedup=10 * _report()["cpu_speedup"]),
)
ALTERNATIVES = Lazy(
    numpy_rounded=numpy_rounded,
    required_only_one_image_off=required_only_one_image_off,
    crossed=lambda: (_t12.crossed(_t12.solved()[0]), _report()),
)
