"""Exercise 12, part Pareto: the trade-off curve, with a random control and 3 seeds a point.

Blalock et al. (2020) ask for several operating points, a control and seeds, not one model.
``report["pareto"]`` lists the points of the learner's Pareto plot, one dict per pruned
model kind::

    {"method": "l1", "widths": (16, 32), "macs": 309248,
     "accuracies": [0.994, 0.992, 0.994], "mean": 0.9935, "se": 0.0007}

``method`` is ``"random"`` for the control and any other name for the learner's method;
``accuracies`` holds one test accuracy per fine-tuning seed; ``mean`` is their mean and
``se`` its standard error, ``std(accuracies, ddof=1) / sqrt(n)``. The check requires at
least 5 points of the learner's method at 5 different widths, at least one control point
at the widths of one of them, at least 3 seeds for every point, and the compressed model
among the learner's points. It recomputes what it can without the learner's models: each
point's multiply-adds (``tk.count_macs`` on a ``DigitsCNN`` of its widths), that each
accuracy is a count of right answers out of the 359 test images, each mean and each
standard error. The hidden battery counts the multiply-adds again on a random test image.

The models behind the points stay in the learner's kernel: retraining 30 of them would
make the check as slow as the capstone itself. The points are judged as a report is,
against what can be recomputed, and the ``accuracy`` part grades the one model handed in.

PROBE: ``compressed`` is read as plain data (``_t12.read``), only for its widths;
``report["pareto"]`` is read key by key as numbers, so both can come from another process.
"""

import math

import numpy as np
import torch

from minprune.torchkit.counting import count_macs
from minprune.torchkit.models import DigitsCNN
from minprune_course import checks

from . import _t12

GRADE_ID = "t12_pareto_test"
ANSWER = "compressed, report"
SIGNATURE = "(baseline, data)"
REFERENCE = ()
CONTROL = "random"
MIN_POINTS = 5
MIN_SEEDS = 3
KEYS = ("method", "widths", "macs", "accuracies", "mean", "se")
MISTAKES = {
    **_t12.READ_MISTAKES,
    "no_pareto": "report['pareto'] is the list of your Pareto plot's points, one dict per "
    "pruned model (method, widths, macs, accuracies, mean, se), as the prompt shows",
    "bad_point": "every point is a dict with the keys method (a str), widths (two ints), "
    "macs (an int), accuracies (a list of numbers, one per seed), mean and se (numbers)",
    "too_few_points": "a trade-off curve needs at least 5 points of your method at 5 "
    "different widths (Blalock et al.: several operating points, not one)",
    "no_control": "the random control is missing: add points with method 'random', filters "
    "kept at random and fine-tuned the same way, at the widths of (some of) your points, so "
    "the plot shows what your criterion adds over chance",
    "too_few_seeds": "each point needs at least 3 fine-tuning seeds (one accuracy each), so "
    "that its mean comes with a standard error",
    "macs_not_of_widths": "is not the multiply-adds per image of a DigitsCNN of its widths: "
    "count them with count_macs on the model of that point",
    "accuracy_percent": "accuracies are fractions in [0, 1], not percentages",
    "not_test_counts": "is not a count of right answers out of the 359 test images: report "
    "each seed's test accuracy, accuracy(model, X_test, y_test)",
    "wrong_mean": "is not the mean of the point's accuracies",
    "se_population": "is the population standard deviation (ddof=0) over sqrt(n); the "
    "standard error of a mean of n seeds uses the sample one: std(ddof=1) / sqrt(n)",
    "std_not_se": "is the spread of the seeds, not the standard error of their mean: divide "
    "the sample standard deviation by sqrt(n)",
    "wrong_se": "is not the standard error of the point's mean, std(accuracies, ddof=1) / sqrt(n)",
    "compressed_not_a_point": "the compressed model's widths are not those of one of your "
    "method's points: the model you hand in is one of the points of your curve",
}


def cases(rng, hidden):
    """The images the multiply-adds are counted on (they are per image): the first test
    image; the hidden battery adds a random one."""
    X, _ = _t12.test_split()
    yield X[:1]
    if hidden:
        yield X[int(rng.integers(len(X))) :][:1]


def _is_number(value):
    kind = type(value)
    plain = kind in (int, float) or (
        issubclass(kind, np.integer | np.floating) and kind.__module__ == "numpy"
    )
    return plain and math.isfinite(float(value))


def _is_int(value):
    kind = type(value)
    return kind is int or (issubclass(kind, np.integer) and kind.__module__ == "numpy")


def _points(report):
    """``report["pareto"]`` as checked plain dicts: method, widths, macs, accuracies, mean, se."""
    if report is None:
        checks.fail(_t12.not_answered("report"))
    if not isinstance(report, dict) or not isinstance(report.get("pareto"), list | tuple):
        checks.fail(f"report has no list under 'pareto': {MISTAKES['no_pareto']}")
    points = []
    for i, point in enumerate(report["pareto"]):
        where = f"report['pareto'][{i}]"
        ok = isinstance(point, dict) and all(key in point for key in KEYS)
        checks.expect_true(ok, f"{where} is not a point: {MISTAKES['bad_point']}")
        widths, accuracies = point["widths"], point["accuracies"]
        ok = (
            type(point["method"]) is str
            and isinstance(widths, list | tuple)
            and len(widths) == 2
            and all(_is_int(c) and c > 0 for c in widths)
            and _is_int(point["macs"])
            and isinstance(accuracies, list | tuple)
            and all(_is_number(a) for a in accuracies)
            and _is_number(point["mean"])
            and _is_number(point["se"])
        )
        checks.expect_true(ok, f"{where} is not a point: {MISTAKES['bad_point']}")
        points.append(
            {
                "where": where,
                "method": point["method"].strip().lower(),
                "widths": (int(widths[0]), int(widths[1])),
                "macs": int(point["macs"]),
                "accuracies": [float(a) for a in accuracies],
                "mean": float(point["mean"]),
                "se": float(point["se"]),
            }
        )
    return points


def _check_shape(points, widths):
    """At least 5 widths of the learner's method, a control at one of them, 3 seeds each."""
    own = {p["widths"] for p in points if p["method"] != CONTROL}
    control = {p["widths"] for p in points if p["method"] == CONTROL}
    checks.expect_true(
        len(own) >= MIN_POINTS,
        f"pareto: {len(own)} point(s) of your method at different widths: "
        f"{MISTAKES['too_few_points']}",
    )
    checks.expect_true(control & own, f"pareto: {MISTAKES['no_control']}")
    for p in points:
        checks.expect_true(
            len(p["accuracies"]) >= MIN_SEEDS,
            f"pareto: {p['where']} has {len(p['accuracies'])} accuracies: "
            f"{MISTAKES['too_few_seeds']}",
        )
    checks.expect_true(
        widths in own,
        f"pareto: the compressed model has widths {widths}: {MISTAKES['compressed_not_a_point']}",
    )


def _check_statistics(p, images):
    """Each accuracy a count out of the test images; the mean and its standard error."""
    acc = np.array(p["accuracies"])
    if (acc > 1).any():
        checks.fail(f"pareto: {p['where']}['accuracies']: {MISTAKES['accuracy_percent']}")
    counts = acc * images
    checks.expect_true(
        (acc >= 0).all() and np.allclose(counts, np.round(counts), rtol=0, atol=1e-3),
        f"pareto: an accuracy of {p['where']} {MISTAKES['not_test_counts']}",
    )
    checks.expect_true(
        abs(p["mean"] - acc.mean()) <= 1e-6,
        f"pareto: {p['where']}['mean'] = {p['mean']:g} {MISTAKES['wrong_mean']}",
    )
    n = len(acc)
    se = acc.std(ddof=1) / math.sqrt(n)
    if abs(p["se"] - se) <= 1e-6:
        return
    named = {
        "se_population": acc.std(ddof=0) / math.sqrt(n),
        "std_not_se": acc.std(ddof=1),
    }
    for mistake, wrong in named.items():
        if abs(wrong - se) > 1e-6 and abs(p["se"] - wrong) <= 1e-6:
            checks.fail(f"pareto: {p['where']}['se'] {MISTAKES[mistake]}")
    checks.fail(f"pareto: {p['where']}['se'] = {p['se']:g} {MISTAKES['wrong_se']}")


def check(compressed, report, hidden=False, seed=None):
    """``report["pareto"]``: 5 widths, a random control, 3 seeds each, numbers that add up."""
    model = _t12.read(compressed)
    points = _points(report)
    _check_shape(points, (model.conv1.out_channels, model.conv2.out_channels))
    images = len(_t12.test_split()[1])
    for p in points:
        _check_statistics(p, images)
    with torch.random.fork_rng(devices=[]):  # the learner's global generator left alone
        models = {w: DigitsCNN(w).eval() for w in {p["widths"] for p in points}}
    for batch in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        with torch.no_grad():
            macs = {w: int(count_macs(m, batch)) for w, m in models.items()}
        for p in points:
            checks.expect_true(
                p["macs"] == macs[p["widths"]],
                f"pareto: {p['where']}['macs'] = {p['macs']:,} {MISTAKES['macs_not_of_widths']}",
            )
    checks.passed()
