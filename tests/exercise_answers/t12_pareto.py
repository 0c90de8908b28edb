"""Answers to exercise t12_pareto: the check's arguments for known mistakes and alternatives."""

import copy

import numpy as np

from . import _t12
from ._t12 import NOT_APPLICABLE, Lazy  # noqa: F401 - read by tests/test_exercises.py

# The seed only picks the image the multiply-adds are counted on, which a DigitsCNN's count
# per image does not depend on: ten seeds show that as well as fifty.
SEEDS = 10
IMAGES = 359


def check_args():
    return _t12.solved()


def one_channel_more(model):
    """The master's model with one zero channel more in conv1: no longer one of the points."""
    return _t12.padded(model, (model.conv1.out_channels + 1, model.conv2.out_channels))


perturbed = one_channel_more


def _points():
    return copy.deepcopy(_t12.solved()[1]["pareto"])


def with_points(points):
    """The master's model and report, its Pareto points replaced by ``points``."""
    compressed, report = _t12.solved()
    return compressed, {**report, "pareto": points}


def changed(index, **values):
    """The master's report with point ``index`` changed by ``values``."""
    points = _points()
    points[index] = {**points[index], **values}
    return with_points(points)


def spread_out(point, se):
    """``point`` with three accuracies one and two images apart, and ``se(accuracies)``."""
    top = round(max(point["accuracies"]) * IMAGES)
    accuracies = [top / IMAGES, (top - 1) / IMAGES, (top - 3) / IMAGES]
    return {**point, "accuracies": accuracies, "mean": float(np.mean(accuracies)),
            "se": float(se(np.array(accuracies)))}  # fmt: skip


def _own(method=None):
    return [p for p in _points() if (p["method"] != "random") == (method is None)]


def four_widths():
    """Only four of the method's widths, the compressed model's among them, and controls."""
    width = (_t12.solved()[0].conv1.out_channels, _t12.solved()[0].conv2.out_channels)
    own = [p for p in _own() if tuple(p["widths"]) == width]
    own += [p for p in _own() if tuple(p["widths"]) != width][:3]
    return with_points(own + _own("random"))


def same_width_five_times():
    """Five points of the method, all at the compressed model's widths."""
    width = (_t12.solved()[0].conv1.out_channels, _t12.solved()[0].conv2.out_channels)
    (point,) = [p for p in _own() if tuple(p["widths"]) == width]
    return with_points([dict(point) for _ in range(5)] + _own("random"))


def two_seeds():
    points = _points()
    acc = points[0]["accuracies"][:2]
    points[0] = {**points[0], "accuracies": acc, "mean": float(np.mean(acc)),
                 "se": float(np.std(acc, ddof=1) / np.sqrt(2))}  # fmt: skip
    return with_points(points)


def control_elsewhere():
    """Control points only at widths the method has no point at."""
    controls = [{**p, "widths": (3, 5)} for p in _own("random")[:1]]
    return with_points(_own() + controls)


def population_se():
    return changed(0, **spread_out(_points()[0], lambda a: a.std(ddof=0) / np.sqrt(len(a))))


def std_for_se():
    return changed(0, **spread_out(_points()[0], lambda a: a.std(ddof=1)))


def made_up_accuracies():
    acc = [0.99, 0.98, 0.985]
    return changed(0, accuracies=acc, mean=float(np.mean(acc)),
                   se=float(np.std(acc, ddof=1) / np.sqrt(3)))  # fmt: skip


def percent():
    p = _points()[0]
    acc = [100 * a for a in p["accuracies"]]
    return changed(0, accuracies=acc, mean=100 * p["mean"], se=100 * p["se"])


def compressed_elsewhere():
    """The points of the master without the compressed model's widths (five others remain)."""
    width = (_t12.solved()[0].conv1.out_channels, _t12.solved()[0].conv2.out_channels)
    points = [p for p in _points() if tuple(p["widths"]) != width]
    extra = {**_own()[0], "widths": (2, 4), "macs": 6400}
    return with_points(points + [extra])


def numpy_and_capitals():
    """Numbers as NumPy scalars and arrays' lists, the method in capitals, widths a list."""
    points = []
    for p in _points():
        points.append({"method": p["method"].upper(), "widths": [np.int64(c) for c in p["widths"]],
                       "macs": np.int64(p["macs"]),
                       "accuracies": [np.float32(a) for a in p["accuracies"]],
                       "mean": np.float64(p["mean"]), "se": np.float64(p["se"])})  # fmt: skip
    return with_points(points)


def extra_keys_and_seeds():
    """Five seeds at one point and a key the check does not read."""
    points = _points()
    acc = [*points[0]["accuracies"], points[0]["accuracies"][0], points[0]["accuracies"][-1]]
    points[0] = {**points[0], "accuracies": acc, "mean": float(np.mean(acc)),
                 "se": float(np.std(acc, ddof=1) / np.sqrt(5)), "note": "5 seeds"}  # fmt: skip
    return with_points(points)


MISTAKES = Lazy(
    not_a_digits_cnn=lambda: (_t12.as_sequential(_t12.solved()[0]), _t12.solved()[1]),
    prune_hooks_left=lambda: (_t12.prune_hooks_left(_t12.solved()[0]), _t12.solved()[1]),
    no_pareto=lambda: (
        _t12.solved()[0],
        {k: v for k, v in _t12.solved()[1].items() if k != "pareto"},
    ),
    bad_point=lambda: changed(0, widths=16),
    too_few_points=four_widths,
    no_control=control_elsewhere,
    too_few_seeds=two_seeds,
    macs_not_of_widths=lambda: changed(0, macs=2 * _points()[0]["macs"]),
    accuracy_percent=percent,
    not_test_counts=made_up_accuracies,
    wrong_mean=lambda: changed(0, mean=_points()[0]["mean"] + 1 / IMAGES),
    se_population=population_se,
    std_not_se=std_for_se,
    wrong_se=lambda: changed(0, se=_points()[0]["se"] + 0.01),
    compressed_not_a_point=compressed_elsewhere,
)
ALTERNATIVES = Lazy(
    numpy_and_capitals=numpy_and_capitals,
    extra_keys_and_seeds=extra_keys_and_seeds,
    same_width_counts_once=lambda: with_points(_points() + [_points()[0]]),
    crossed=lambda: (_t12.crossed(_t12.solved()[0]), _t12.solved()[1]),
)
