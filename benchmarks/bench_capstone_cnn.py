"""The capstone CNN: multiply-add reduction and measured CPU speedup within 1 point.

One answer to the capstone (exercises 12, measured with ``minprune.torchkit.report``): the fixed
baseline ``baseline_cnn`` (DigitsCNN 32/64, seeded), L1 filter pruning to 8/16
channels with ``prune_filters``, fine-tuned 8 epochs. Over seeds (each seed
trains its own baseline): the test accuracy drop, the multiply-add reduction
(``count_macs``) and the CPU speedup timed interleaved by ``report.compare``
(batch 256, one thread).
"""

import importlib.util

from benchmarks.timing import headline, spread

TITLE = "Capstone CNN: multiply-add reduction and CPU speedup within 1 point"
GOAL = "at least 3x fewer multiply-adds and 2x measured CPU speedup within 1 point"
SEEDS = (0, 1, 2, 3, 4)
WIDTHS = (8, 16)


def unavailable():
    if importlib.util.find_spec("minprune_course.capstone") is None:
        return "minprune_course.capstone (lesson 12) is not in the package yet"
    return None


def run(quick=False):
    import torch

    from minprune.data import load_digits_split
    from minprune.torchkit import (
        accuracy,
        as_tensors,
        compare,
        count_macs,
        fit,
        keep_top,
        l1_filter_scores,
        prune_filters,
    )
    from minprune_course.capstone import BATCH_SIZE, baseline_cnn

    torch.set_num_threads(1)
    seeds = SEEDS[:1] if quick else SEEDS
    epochs, repeats = (1, 3) if quick else (8, 15)
    data = load_digits_split(rng=0)
    X, y = as_tensors(data.X_train, data.y_train, (1, 8, 8))
    X_test, y_test = as_tensors(data.X_test, data.y_test, (1, 8, 8))
    batch = X_test[:BATCH_SIZE]
    results = []
    for seed in seeds:
        base = baseline_cnn(X, y, seed=seed)
        c1, c2 = WIDTHS
        small = prune_filters(
            base,
            keep_top(l1_filter_scores(base.conv1), keep_fraction=c1 / base.conv1.out_channels),
            keep_top(l1_filter_scores(base.conv2), keep_fraction=c2 / base.conv2.out_channels),
        )
        fit(small, X, y, epochs=epochs, lr=0.02, weight_decay=5e-4, seed=seed + 1)
        speed = compare(base, small, batch, repeats=repeats)
        results.append(
            {
                "seed": seed,
                "widths": list(WIDTHS),
                "accuracy_drop_points": 100
                * (accuracy(base, X_test, y_test) - accuracy(small, X_test, y_test)),
                "mac_reduction": count_macs(base, batch) / count_macs(small, batch),
                "speedup": {k: speed[k] for k in ("speedup", "q25", "q75", "min", "max")},
            }
        )
    drops = spread([r["accuracy_drop_points"] for r in results])
    macs = spread([r["mac_reduction"] for r in results])
    speeds = spread([r["speedup"]["speedup"] for r in results])
    return {
        "config": {
            "widths": list(WIDTHS),
            "seeds": list(seeds),
            "finetune_epochs": epochs,
            "batch": BATCH_SIZE,
            "threads": 1,
            "repeats": repeats,
        },
        "results": results,
        "headline": [
            headline("test accuracy drop, points (median over seeds)", drops, 1.0, "<=", " pts"),
            headline("multiply-add reduction", macs, 3.0, ">=", "x"),
            headline(
                "CPU speedup, interleaved, batch 256, 1 thread (median over seeds)",
                speeds,
                2.0,
                ">=",
                "x",
            ),
        ],
    }
