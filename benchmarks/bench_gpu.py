"""The GPU benchmark (PyTorch on CUDA): the suite's GPU rows and what lesson 11 shows, in one run.

    python benchmarks/run.py --only gpu            # on a machine with a CUDA GPU
    python benchmarks/run.py --only gpu --quick    # tiny sizes, seconds

The results go to ``benchmarks/results/gpu-<device>.json``, under ``benchmarks.gpu``;
``minprune_course.gpu_results`` reads them back for lesson 11 (as it reads the older
``timing-gpu-nvidia-h100.json``, written by this benchmark's first, standalone version).

Every comparison is timed side by side with ``benchmarks.timing.compare``: blocks of
calls bracketed by ``torch.cuda.synchronize``, the variants interleaved, a ratio per
repeat. Float32 with TF32 matmuls off (as the CPU runs), float16 where a row says so.

* ``timer_agreement``: the same matmuls timed with CUDA events (one pair per call), with
  ``torch.utils.benchmark`` and naively (no synchronisation): lesson 11, section 2;
* ``neuron_removal``: an MLP 1024-w-w-10 (batch 4096) against the same network with a
  fraction of its hidden neurons removed: speedup against the multiply-add ratio;
* ``weight_pruning``: ``X @ W.T`` on masked ``W`` against unmasked, and ``torch.sparse``
  CSR against dense, 50% to 99% sparsity, with the crossover;
* ``semistructured`` and ``semistructured_16k_tokens``: 2:4 semi-structured sparsity
  (``to_sparse_semi_structured``, float16) against the dense float16 product, n x n
  weights, 4096 and 16384 tokens, both sparse backends and both call shapes;
* ``resnet18``: dense against channel-pruned ResNet-18 at 224x224, batch 1 to 256,
  float32 and float16, with peak memory.

Every function takes ``device``: on ``"cpu"`` the same code runs without a GPU (the
tests do, at tiny sizes), and each 2:4 row records why it could not run.
"""

import datetime
import importlib.util
import platform
import time

import numpy as np

from benchmarks.bench_weight_pruning import crossover
from benchmarks.timing import compare, headline, spread

TITLE = "GPU: neuron removal, masked and CSR weights, 2:4 sparsity, ResNet-18 (PyTorch, CUDA)"
GOAL = "as on the CPU: neuron-removal speedup at least 0.8 of the multiply-add ratio"
DEVICE = "gpu"
WIDTHS = (2048, 8192)
FRACTIONS = (0.5, 0.75, 0.9)
SPARSITIES = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)
#: 2:4 sparse backends of ``torch.sparse``: name -> ``_FORCE_CUTLASS``.
BACKENDS = {"cusparselt": False, "cutlass": True}
#: ``linear``: ``F.linear(x, W_sparse)``; ``sparse_first``: ``W_sparse @ x.T``.
CALLS = ("linear", "sparse_first")


def unavailable():
    if importlib.util.find_spec("torch") is None:
        return "torch is not installed"
    import torch

    if not torch.cuda.is_available():
        return "no CUDA GPU on this machine (results recorded on one are in gpu-*.json)"
    return None


def environment(device="cuda"):
    """The device, the date and the versions, as lesson 11 prints them."""
    import torch

    env = {
        "device": platform.processor() or platform.machine(),
        "date": datetime.date.today().isoformat(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if device == "cuda" else None,
        "python": platform.python_version(),
    }
    if device == "cuda":
        props = torch.cuda.get_device_properties(0)
        env |= {
            "device": torch.cuda.get_device_name(0),
            "capability": f"{props.major}.{props.minor}",
            "multiprocessors": props.multi_processor_count,
            "memory_gib": round(props.total_memory / 2**30, 1),
        }
    return env


def timer_agreement(sizes, device="cuda"):
    """CUDA events, ``torch.utils.benchmark`` and an unsynchronised timer on ``n x n`` matmuls.

    Only a GPU runs asynchronously, so on the CPU there is nothing to compare: ``[]``.
    """
    import torch

    from minprune.torchkit import benchmark, cuda_event_time

    if device != "cuda":
        return []
    rows = []
    for n in sizes:
        a = torch.randn(n, n, device=device)
        b = torch.randn(n, n, device=device)
        events = cuda_event_time(torch.matmul, a, b, repeats=100)
        blocked = benchmark(torch.matmul, a, b, min_run_time=0.5)
        torch.cuda.synchronize()
        start = time.perf_counter()
        torch.matmul(a, b)  # no synchronisation: measures the launch only
        naive = time.perf_counter() - start
        rows.append(
            {
                "op": f"matmul {n}x{n} fp32",
                "cuda_events_s": events.median,
                "torch_benchmark_s": blocked.median,
                "naive_unsynced_s": naive,
                "events_over_benchmark": events.median / blocked.median,
            }
        )
    return rows


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


def neuron_removal(widths, fractions, batch, n_in, device, timing):
    """Dense MLP ``n_in-w-w-10`` against the same shape with ``fraction`` of each hidden layer removed."""
    import torch

    X = torch.randn(batch, n_in, device=device)
    results = []
    for w in widths:
        dense = mlp([n_in, w, w, 10], device)
        for f in fractions:
            k = w - int(round(f * w))
            small = mlp([n_in, k, k, 10], device)
            with torch.inference_mode():
                t = compare(
                    {"dense": lambda m=dense: m(X), "removed": lambda m=small: m(X)}, **timing
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


def weight_pruning(n, batch, sparsities, device, timing):
    """``X @ W.T`` on masked against unmasked ``W``, and CSR ``W @ X.T`` against dense."""
    import torch

    W = torch.randn(n, n, device=device)
    X = torch.randn(batch, n, device=device)
    Xt = X.T.contiguous()
    rows = []
    for s in sparsities:
        Wm = W * (torch.rand_like(W) >= s)
        Wcsr = Wm.to_sparse_csr()
        variants = {
            "dense": lambda: X @ W.T,
            "masked": lambda Wm=Wm: X @ Wm.T,
            "csr": lambda Wcsr=Wcsr: Wcsr @ Xt,
        }
        t = compare(variants, **timing)
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


def semistructured(sizes, tokens, device, timing):
    """2:4 sparse against dense float16 ``y = x @ W.T``, ``x : (tokens, n)``, ``W : (n, n)``.

    Each backend of ``BACKENDS`` and each call shape of ``CALLS`` (the sparse matrix
    second, which torch transposes, or first, the layout the sparse kernels take
    natively), each against the same dense product. A row that cannot run (no
    sparse tensor cores, no such backend, a CPU) holds ``error`` instead of times.
    """
    import torch

    from minprune.torchkit import mask_2to4

    try:
        from torch.sparse import SparseSemiStructuredTensor, to_sparse_semi_structured
    except ImportError as err:
        return [{"n": n, "tokens": tokens, "error": f"not available: {err}"} for n in sizes]
    rows = []
    try:
        for backend, force_cutlass in BACKENDS.items():
            SparseSemiStructuredTensor._FORCE_CUTLASS = force_cutlass
            for n in sizes:
                torch.manual_seed(0)
                W = torch.randn(n, n, device=device, dtype=torch.float16)
                W24 = W * mask_2to4(W)
                x = torch.randn(tokens, n, device=device, dtype=torch.float16)
                for call in CALLS:
                    row = {"n": n, "tokens": tokens, "backend": backend, "call": call}
                    try:
                        row |= _sparse_against_dense(
                            W24, x, call, to_sparse_semi_structured, timing
                        )
                    except (RuntimeError, ValueError, NotImplementedError) as err:
                        row["error"] = str(err).splitlines()[0][:200]
                    rows.append(row)
    finally:
        SparseSemiStructuredTensor._FORCE_CUTLASS = False
    return rows


def _sparse_against_dense(W24, x, call, to_sparse, timing):
    """Times, speedup and largest difference of one 2:4 product against the dense one."""
    import torch

    Ws = to_sparse(W24)
    if call == "linear":
        linear = torch.nn.functional.linear
        variants = {"dense": lambda: linear(x, W24), "sparse": lambda: linear(x, Ws)}
    else:
        xt = x.t().contiguous()
        variants = {"dense": lambda: W24 @ xt, "sparse": lambda: Ws @ xt}
    diff = float((variants["dense"]() - variants["sparse"]()).abs().max())
    t = compare(variants, **timing)
    ratio = t.ratio("dense", "sparse")
    return {
        "max_abs_diff": diff,
        "dense_s": t.median("dense"),
        "sparse_s": t.median("sparse"),
        "speedup": ratio["median"],
        **{f"speedup_{q}": ratio[q] for q in ("q25", "q75", "min", "max")},
    }


def _peak_mib(model, x, device):
    """Peak memory allocated on the GPU during one forward pass, in MiB (``None`` on the CPU)."""
    import torch

    if device != "cuda":
        return None
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    model(x)
    torch.cuda.synchronize()
    return torch.cuda.max_memory_allocated() / 2**20


def resnet_sweep(batches, fractions, dtypes, image_size, device, timing):
    """Dense ResNet-18 against channel-pruned ones (``channel_prune_resnet``), timed side by side.

    Returns ``models`` (parameters, multiply-adds per image) and ``rows``: one per
    model, dtype and batch size, with ``median_s``, ``iqr_s``, ``images_per_s`` and
    ``peak_mem_mib`` (all models' weights stay on the device, so each peak counts them).
    """
    import torch

    from minprune.torchkit import channel_prune_resnet, count_macs, count_parameters, resnet18

    torch.manual_seed(0)
    dense = resnet18().eval()
    models = {"dense": dense}
    for f in fractions:
        models[f"inner{f:g}"] = channel_prune_resnet(dense, keep_fraction=f).eval()
    x1 = torch.zeros(1, 3, image_size, image_size)
    info = {
        name: {"params": count_parameters(m), "macs": count_macs(m, x1)}
        for name, m in models.items()
    }
    rows = []
    for dtype in dtypes:
        for m in models.values():
            m.to(device=device, dtype=dtype, memory_format=torch.channels_last)
        for bs in batches:
            x = torch.randn(bs, 3, image_size, image_size, device=device, dtype=dtype)
            x = x.to(memory_format=torch.channels_last)
            with torch.inference_mode():
                t = compare({name: lambda m=m, x=x: m(x) for name, m in models.items()}, **timing)
                for name, m in models.items():
                    s = spread(t.seconds[name])
                    rows.append(
                        {
                            "model": name,
                            "dtype": str(dtype).removeprefix("torch."),
                            "batch": bs,
                            "median_s": s["median"],
                            "iqr_s": s["q75"] - s["q25"],
                            "images_per_s": bs / s["median"],
                            "peak_mem_mib": _peak_mib(m, x, device),
                        }
                    )
    return {"image_size": image_size, "models": info, "rows": rows}


def headlines(neurons, weights, semi):
    """The suite's headline rows: neuron removal against its goal, CSR, masking and 2:4."""
    heads = []
    for f in sorted({r["fraction_removed"] for r in neurons}):
        st = spread([r["efficiency"]["median"] for r in neurons if r["fraction_removed"] == f])
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
    largest = sorted({r["n"] for r in semi})[-2:]
    for r in semi:
        if "error" in r or r["n"] not in largest:
            continue
        if (r["backend"], r["call"]) != ("cusparselt", "sparse_first"):
            continue
        heads.append(
            headline(
                f"GPU: 2:4 sparse / dense fp16 speedup ({r['n']}x{r['n']} @ {r['n']}x{r['tokens']})",
                {q: r[f"speedup_{q}"] for q in ("q25", "q75", "min", "max")}
                | {"median": r["speedup"]},
                None,
                None,
                "x",
            )
        )
    return heads


def run(quick=False, device="cuda"):
    """Every section, at full size or (``quick``) tiny sizes; ``device="cpu"`` runs without a GPU."""
    import warnings

    import torch

    on_gpu = device == "cuda"
    if on_gpu:  # float32 as on the CPU; cuDNN picks its fastest convolution per shape
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cudnn.benchmark = True
    repeats, min_time = (3, 0.002) if quick else (21, 0.05)
    sync = torch.cuda.synchronize if on_gpu else None
    timing = {"repeats": repeats, "min_time": min_time, "sync": sync}
    tokens = 256 if quick else 4096
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*prototype stage.*")  # 2:4
        warnings.filterwarnings("ignore", message=".*CSR tensor support is in beta.*")
        result = {
            "environment": environment(device),
            "timer_agreement": timer_agreement((256, 1024) if quick else (256, 1024, 4096), device),
            "neuron_removal": neuron_removal(
                (64,) if quick else WIDTHS,
                (0.5,) if quick else FRACTIONS,
                64 if quick else 4096,
                64 if quick else 1024,
                device,
                timing,
            ),
            "weight_pruning": weight_pruning(
                256 if quick else 4096,
                64 if quick else 512,
                (0.0, 0.9, 0.99) if quick else SPARSITIES,
                device,
                timing,
            ),
            "semistructured": semistructured(
                (512, 1024) if quick else (1024, 2048, 4096, 8192), tokens, device, timing
            ),
            # the same products with 4x the tokens: is the sparse kernel's cost per call fixed?
            "semistructured_16k_tokens": semistructured(
                (1024,) if quick else (2048, 4096, 8192), 4 * tokens, device, timing
            ),
            "resnet18": resnet_sweep(
                (1, 4) if quick else (1, 8, 32, 64, 128, 256),
                (0.5,) if quick else (0.5, 0.25),
                (torch.float32, torch.float16) if on_gpu else (torch.float32,),
                32 if quick else 224,
                device,
                timing,
            ),
        }
    result["headline"] = headlines(
        result["neuron_removal"], result["weight_pruning"], result["semistructured"]
    )
    result["config"] = {
        "repeats": repeats,
        "min_block_s": min_time,
        "timing": "benchmarks.timing.compare: interleaved blocks, synchronised on a GPU",
        "tf32": False,
        "device": device,
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
    }
    return result
