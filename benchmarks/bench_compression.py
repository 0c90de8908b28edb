"""Compression: how far iterative magnitude pruning shrinks the digits network.

A 64-300-100-10 relu network is trained on the digits (stratified 60/20/20 split,
standardised on train; one split and one initialisation per seed), then pruned
and retrained in rounds as Han et al. (2015) do: each round prunes all weight
matrices, output layer included, by global weight magnitude to the next
nonzero-weight reduction of the schedule (``sparsity = 1 - 1/reduction``) and
retrains with the masks fixed (SGD with momentum and L2 weight decay). The
figure is the largest reduction whose test accuracy, averaged over seeds, stays
within 0.5 points of the dense networks' mean. It is read off the whole curve,
which the summary shows; the reduction chosen on validation accuracy instead is
recorded beside it.
"""

import importlib.util

import numpy as np

from benchmarks.timing import headline

TITLE = "Compression of the 64-300-100-10 digits network (iterative pruning)"
GOAL = "at least 30x fewer nonzero weights within 0.5 points of dense test accuracy"
SIZES = [64, 300, 100, 10]
REDUCTIONS = (2, 4, 8, 12, 16, 20, 25, 30, 35, 40, 50, 60, 80, 100)
SEEDS = 5
TOLERANCE = 0.005
DENSE = {"epochs": 40, "lr": 0.05}
RETRAIN = {"epochs": 10, "lr": 0.02}
MOMENTUM, WEIGHT_DECAY, BATCH = 0.9, 5e-4, 64


def unavailable():
    for module in ("minprune.pruning", "minprune.data"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not in the package yet"
    return None


def _stats(values):
    v = np.asarray(values, dtype=float)
    return {
        "mean": float(v.mean()),
        "std": float(v.std(ddof=1)) if v.size > 1 else 0.0,
        "min": float(v.min()),
        "max": float(v.max()),
        "values": v.tolist(),
    }


def one_seed(seed, reductions, dense_epochs, retrain_epochs):
    """Dense accuracies and one record per reduction for one seed."""
    from minprune.data import load_digits_split
    from minprune.metrics import count_nonzeros, layer_sparsity
    from minprune.network import Network
    from minprune.optim import SGD
    from minprune.pruning import prune
    from minprune.train import train

    data = load_digits_split(rng=seed)

    def fit(net, epochs, lr):
        opt = SGD(lr=lr, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)
        train(net, data.X_train, data.y_train, epochs, BATCH, opt, rng=seed, progress=False)

    def accuracies(net):
        return net.accuracy(data.X_val, data.y_val), net.accuracy(data.X_test, data.y_test)

    net = Network(SIZES, activation="relu", rng=seed)
    fit(net, dense_epochs, DENSE["lr"])
    dense_val, dense_test = accuracies(net)
    n_dense = count_nonzeros(net, biases=False)
    n_dense_all = count_nonzeros(net, biases=True)
    records = []
    for r in reductions:
        prune(net, sparsity=1.0 - 1.0 / r, scope="global", include_output=True)
        fit(net, retrain_epochs, RETRAIN["lr"])
        val, test = accuracies(net)
        records.append(
            {
                "target": r,
                "reduction": n_dense / count_nonzeros(net, biases=False),
                "reduction_with_biases": n_dense_all / count_nonzeros(net, biases=True),
                "layer_sparsity": layer_sparsity(net),
                "val": val,
                "test": test,
            }
        )
    return {"dense_val": dense_val, "dense_test": dense_test, "records": records}


def largest_within(curve, key, dense_mean):
    """The largest reduction whose mean ``key`` accuracy is within the tolerance of dense."""
    ok = [c for c in curve if c[key]["mean"] >= dense_mean - TOLERANCE - 1e-12]
    return max(ok, key=lambda c: c["reduction"]) if ok else None


def run(quick=False):
    seeds = range(2) if quick else range(SEEDS)
    reductions = (2,) if quick else REDUCTIONS
    dense_epochs, retrain_epochs = (1, 1) if quick else (DENSE["epochs"], RETRAIN["epochs"])
    runs = [one_seed(s, reductions, dense_epochs, retrain_epochs) for s in seeds]
    dense = {
        "test_accuracy": _stats([r["dense_test"] for r in runs]),
        "val_accuracy": _stats([r["dense_val"] for r in runs]),
    }
    curve = []
    for k, target in enumerate(reductions):
        recs = [r["records"][k] for r in runs]
        test = _stats([x["test"] for x in recs])
        curve.append(
            {
                "target": target,
                "reduction": float(np.mean([x["reduction"] for x in recs])),
                "reduction_with_biases": float(np.mean([x["reduction_with_biases"] for x in recs])),
                "sparsity": 1.0 - 1.0 / float(np.mean([x["reduction"] for x in recs])),
                "layer_sparsity": np.mean([x["layer_sparsity"] for x in recs], axis=0).tolist(),
                "test_accuracy": test,
                "val_accuracy": _stats([x["val"] for x in recs]),
                "change": test["mean"] - dense["test_accuracy"]["mean"],
                "change_per_seed": _stats(
                    [x["test"] - r["dense_test"] for x, r in zip(recs, runs)]
                ),
            }
        )
    best = largest_within(curve, "test_accuracy", dense["test_accuracy"]["mean"])
    by_val = largest_within(curve, "val_accuracy", dense["val_accuracy"]["mean"])
    heads = [
        headline(
            "largest nonzero-weight reduction within 0.5 points of dense mean test accuracy",
            {"median": best["reduction"] if best else 1.0},
            30.0,
            ">=",
            "x",
        )
    ]
    if best:
        c = best["change_per_seed"]
        heads.append(
            headline(
                f"test accuracy change at {best['reduction']:.0f}x, per seed "
                f"(mean; min–max over {len(runs)} seeds; dense "
                f"{100 * dense['test_accuracy']['mean']:.2f}%)",
                {"median": 100 * c["mean"], "min": 100 * c["min"], "max": 100 * c["max"]},
                None,
                None,
                "points",
            )
        )
    return {
        "config": {
            "sizes": SIZES,
            "seeds": len(runs),
            "reductions": list(reductions),
            "dense": {"epochs": dense_epochs, "lr": DENSE["lr"]},
            "retrain": {"epochs": retrain_epochs, "lr": RETRAIN["lr"]},
            "momentum": MOMENTUM,
            "weight_decay": WEIGHT_DECAY,
            "batch": BATCH,
            "pruning": "global magnitude over all weight matrices (output included), biases kept",
            "tolerance_points": 100 * TOLERANCE,
        },
        "dense": dense,
        "curve": curve,
        "best_by_test": best["target"] if best else None,
        "best_by_val": by_val["target"] if by_val else None,
        "headline": heads,
    }
