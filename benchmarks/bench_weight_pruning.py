"""Weight pruning: what zeros in a weight matrix buy at inference time.

For ``W : (n, n)`` with a random fraction ``sparsity`` of its entries set to
zero (as unstructured magnitude pruning leaves it), three products of a batch
``X : (batch, n)`` are timed side by side:

* ``dense``: ``X @ W`` on the unpruned matrix;
* ``masked``: ``X @ (W * mask)``, the same dense product on the pruned matrix:
  BLAS multiplies zeros as fast as anything else, so no speedup is expected;
* ``csr``: ``W_csr @ X.T`` with ``W.T`` stored as ``scipy.sparse.csr_array``
  (``X.T`` contiguous, prepared once, as a sparse network would keep it).

The crossover is the sparsity where CSR starts to beat the dense product,
interpolated linearly between the measured sparsities.
"""

import numpy as np

from benchmarks.timing import compare, headline

TITLE = "Weight pruning: masked dense and CSR against dense matmul"
GOAL = "none: measures where CSR starts to win (masking alone gives no speedup)"
SPARSITIES = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)
SHAPES = ((1024, 128), (1024, 1), (2048, 128))  # (n, batch)


def unavailable():
    return None


def crossover(sparsities, speedups):
    """First sparsity where ``speedup`` reaches 1, linearly interpolated; None if never."""
    points = list(zip(sparsities, speedups))
    if points[0][1] >= 1.0:
        return float(points[0][0])
    for (s0, v0), (s1, v1) in zip(points[:-1], points[1:]):
        if v0 < 1.0 <= v1:
            return float(s0 + (1.0 - v0) * (s1 - s0) / (v1 - v0))
    return None


def run(quick=False):
    import scipy.sparse

    shapes, sparsities = (((64, 8),), (0.0, 0.5, 0.99)) if quick else (SHAPES, SPARSITIES)
    repeats, min_time = (3, 0.002) if quick else (21, 0.02)
    rng = np.random.default_rng(0)
    results, heads = [], []
    for n, batch in shapes:
        W = rng.standard_normal((n, n)).astype(np.float32)
        X = rng.standard_normal((batch, n)).astype(np.float32)
        Xt = np.ascontiguousarray(X.T)
        rows = []
        for s in sparsities:
            Wm = W * (rng.random(W.shape) >= s)
            Wcsr = scipy.sparse.csr_array(Wm.T)
            np.testing.assert_allclose((Wcsr @ Xt).T, X @ Wm, rtol=1e-3, atol=1e-3)
            t = compare(
                {
                    "dense": lambda W=W, X=X: X @ W,
                    "masked": lambda Wm=Wm, X=X: X @ Wm,
                    "csr": lambda Wcsr=Wcsr, Xt=Xt: Wcsr @ Xt,
                },
                repeats,
                min_time,
            )
            rows.append(
                {
                    "sparsity": s,
                    "nnz": int(Wcsr.nnz),
                    "masked_over_dense": t.ratio("masked", "dense"),
                    "csr_speedup": t.ratio("dense", "csr"),
                    "times": t.summary(),
                }
            )
        cross = {
            q: crossover(sparsities, [r["csr_speedup"][q] for r in rows])
            for q in ("median", "q25", "q75")
        }
        results.append({"n": n, "batch": batch, "crossover": cross, "rows": rows})
    main = results[0]
    heads.append(
        headline(
            f"CSR beats dense from sparsity (n={main['n']}, batch {main['batch']}; "
            "spread from the quartile curves)",
            {
                "median": main["crossover"]["median"],
                "q25": main["crossover"]["q75"],
                "q75": main["crossover"]["q25"],
            },
            None,
            None,
            "sparsity",
        )
    )
    masked = [
        r["masked_over_dense"]["median"]
        for res in results
        for r in res["rows"]
        if r["sparsity"] > 0
    ]
    heads.append(
        headline(
            "masked dense / dense time, all sparsities (median; spread = min-max)",
            {"median": float(np.median(masked)), "min": min(masked), "max": max(masked)},
            None,
            None,
            "x",
        )
    )
    return {
        "config": {
            "shapes": [list(s) for s in shapes],
            "sparsities": list(sparsities),
            "repeats": repeats,
            "min_block_s": min_time,
            "dtype": "float32",
            "sparse": "scipy.sparse.csr_array(W.T) @ X.T",
        },
        "results": results,
        "headline": heads,
    }
