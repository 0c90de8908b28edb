"""The GPU measurements (PyTorch on CUDA), recorded like the CPU ones.

On the GPU every block of calls is bracketed by ``torch.cuda.synchronize``, so
queued kernels are counted; variants are interleaved as on the CPU. Float32
with TF32 matmuls off (as the CPU runs), except 2:4 sparsity, which needs fp16.

* neuron removal: an MLP 1024-w-w-10 (batch 4096) against the same network with
  a fraction of its hidden neurons removed: speedup against the multiply-add ratio;
* weight pruning: ``X @ W.T`` on masked ``W`` against unmasked, and
  ``torch.sparse`` CSR against dense, 50% to 99% sparsity, with the crossover;
* 2:4 semi-structured sparsity (``to_sparse_semi_structured``, fp16) against
  the dense fp16 product, where the GPU supports it.
"""

import importlib.util

import numpy as np

from benchmarks.bench_weight_pruning import crossover
from benchmarks.timing import compare, headline, spread

TITLE = "GPU: neuron removal, masked and CSR weights, 2:4 sparsity (PyTorch, CUDA)"
GOAL = "as on the CPU: neuron-removal speedup at least 0.8 of the multiply-add ratio"
DEVICE = "gpu"
WIDTHS = (2048, 8192)
FRACTIONS = (0.5, 0.75, 0.9)
SPARSITIES = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)


def unavailable():
    if importlib.util.find_spec("torch") is None:
        return "torch is not installed"
    import torch

    if not torch.cuda.is_available():
        return "no CUDA GPU on this machine (results recorded on one are in gpu-*.json)"
    return None


def mlp(sizes, device):
    import torch

    mods = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        mods.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods).to(device).eval()


def macs(sizes):
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


def neuron_removal(quick, sync, repeats, min_time):
    import torch

    widths, fractions = ((64,), (0.5,)) if quick else (WIDTHS, FRACTIONS)
    batch, n_in = (64, 64) if quick else (4096, 1024)
    X = torch.randn(batch, n_in, device="cuda")
    results = []
    for w in widths:
        dense = mlp([n_in, w, w, 10], "cuda")
        for f in fractions:
            k = w - int(round(f * w))
            small = mlp([n_in, k, k, 10], "cuda")
            with torch.inference_mode():
                t = compare(
                    {"dense": lambda m=dense: m(X), "removed": lambda m=small: m(X)},
                    repeats,
                    min_time,
                    sync=sync,
                )
            ratio = macs([n_in, w, w, 10]) / macs([n_in, k, k, 10])
            speedup = t.ratio("dense", "removed")
            results.append(
                {
                    "width": w,
                    "fraction_removed": f,
                    "sizes": [n_in, k, k, 10],
                    "batch": batch,
                    "mac_ratio": ratio,
                    "speedup": speedup,
                    "efficiency": {q: speedup[q] / ratio for q in ("median", "q25", "q75")},
                    "times": t.summary(),
                }
            )
    return results


def weight_pruning(quick, sync, repeats, min_time):
    import torch

    n, batch = (256, 64) if quick else (4096, 512)
    sparsities = (0.0, 0.9, 0.99) if quick else SPARSITIES
    W = torch.randn(n, n, device="cuda")
    X = torch.randn(batch, n, device="cuda")
    Xt = X.T.contiguous()
    rows = []
    for s in sparsities:
        Wm = W * (torch.rand_like(W) >= s)
        Wcsr = Wm.to_sparse_csr()
        t = compare(
            {
                "dense": lambda: X @ W.T,
                "masked": lambda Wm=Wm: X @ Wm.T,
                "csr": lambda Wcsr=Wcsr: Wcsr @ Xt,
            },
            repeats,
            min_time,
            sync=sync,
        )
        rows.append(
            {
                "sparsity": s,
                "nnz": int(Wcsr.values().numel()),
                "masked_over_dense": t.ratio("masked", "dense"),
                "csr_speedup": t.ratio("dense", "csr"),
                "times": t.summary(),
            }
        )
    cross = {
        q: crossover(sparsities, [r["csr_speedup"][q] for r in rows])
        for q in ("median", "q25", "q75")
    }
    return [{"n": n, "batch": batch, "crossover": cross, "rows": rows}]


def semi_structured(quick, sync, repeats, min_time):
    import torch

    try:
        from torch.sparse import to_sparse_semi_structured
    except ImportError as err:
        return {"status": f"not available: {err}"}
    out = []
    for n, batch in ((512, 128),) if quick else ((4096, 4096), (8192, 8192)):
        W = torch.randn(n, n, device="cuda", dtype=torch.float16)
        X = torch.randn(n, batch, device="cuda", dtype=torch.float16)
        # 2:4 by magnitude: in every group of 4 along a row keep the 2 largest |w|.
        groups = W.abs().reshape(n, n // 4, 4)
        keep = groups.argsort(dim=-1, descending=True)[..., :2]
        mask = torch.zeros_like(groups, dtype=torch.bool).scatter_(-1, keep, True).reshape(n, n)
        W24 = W * mask
        try:
            Ws = to_sparse_semi_structured(W24)
            torch.testing.assert_close(Ws @ X, W24 @ X, rtol=1e-2, atol=1e-1)
        except (RuntimeError, ValueError, NotImplementedError) as err:
            return {"status": f"not available: {type(err).__name__}: {str(err)[:200]}"}
        t = compare(
            {"dense": lambda W24=W24, X=X: W24 @ X, "2:4": lambda Ws=Ws, X=X: Ws @ X},
            repeats,
            min_time,
            sync=sync,
        )
        out.append(
            {"n": n, "batch": batch, "speedup": t.ratio("dense", "2:4"), "times": t.summary()}
        )
    return {"status": "ok", "results": out}


def run(quick=False):
    import torch

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    sync = torch.cuda.synchronize
    repeats, min_time = (3, 0.002) if quick else (21, 0.05)
    torch.manual_seed(0)
    neurons = neuron_removal(quick, sync, repeats, min_time)
    weights = weight_pruning(quick, sync, repeats, min_time)
    semi = semi_structured(quick, sync, repeats, min_time)
    heads = []
    for f in sorted({r["fraction_removed"] for r in neurons}):
        eff = [r["efficiency"]["median"] for r in neurons if r["fraction_removed"] == f]
        st = spread(eff)
        heads.append(
            headline(
                f"GPU: {f:.0%} of neurons removed: speedup / MAC ratio (median over widths; min-max)",
                {"median": st["median"], "min": st["min"], "max": st["max"]},
                0.8,
                ">=",
                "",
            )
        )
    c = weights[0]["crossover"]
    heads.append(
        headline(
            f"GPU: CSR beats dense from sparsity (n={weights[0]['n']}, batch {weights[0]['batch']})",
            {"median": c["median"], "q25": c["q75"], "q75": c["q25"]},
            None,
            None,
            "sparsity",
        )
    )
    masked = [r["masked_over_dense"]["median"] for r in weights[0]["rows"] if r["sparsity"] > 0]
    heads.append(
        headline(
            "GPU: masked dense / dense time, all sparsities (median; min-max)",
            {"median": float(np.median(masked)), "min": min(masked), "max": max(masked)},
            None,
            None,
            "x",
        )
    )
    if semi["status"] == "ok":
        for r in semi["results"]:
            heads.append(
                headline(
                    f"GPU: 2:4 sparse / dense fp16 speedup ({r['n']}x{r['n']} @ {r['n']}x{r['batch']})",
                    r["speedup"],
                    None,
                    None,
                    "x",
                )
            )
    return {
        "config": {
            "repeats": repeats,
            "min_block_s": min_time,
            "tf32": False,
            "torch": torch.__version__,
            "cuda": torch.version.cuda,
        },
        "neuron_removal": neurons,
        "weight_pruning": weights,
        "semi_structured": semi,
        "headline": heads,
    }
