"""GPU measurements for topic 11: run on a machine with a CUDA GPU.

    python benchmarks/gpu_bench.py --out benchmarks/results/timing-gpu-<device>.json

Lesson 11 reads the file (``minprune_course.gpu_results``); the suite's own
GPU figures (``make bench`` on a GPU) go to ``gpu-<device>.json`` beside it.

Measures, each side by side in one run:
- dense against channel-pruned ResNet-18, batch sizes 1 to 256 (fp32 and fp16);
- 2:4 semi-structured sparse against dense fp16 linear layers, 1024 to 8192;
- CUDA events against torch.utils.benchmark, and a naive unsynchronised timer.
"""

import argparse
import datetime
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from minprune.torchkit import (  # noqa: E402
    benchmark,
    channel_prune_resnet,
    count_macs,
    count_parameters,
    cuda_event_time,
    mask_2to4,
    resnet18,
)


def environment():
    props = torch.cuda.get_device_properties(0)
    return {
        "device": torch.cuda.get_device_name(0),
        "capability": f"{props.major}.{props.minor}",
        "multiprocessors": props.multi_processor_count,
        "memory_gib": round(props.total_memory / 2**30, 1),
        "date": datetime.date.today().isoformat(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "python": platform.python_version(),
    }


def resnet_sweep(batches, fractions, repeats):
    torch.backends.cudnn.benchmark = True
    torch.manual_seed(0)
    dense = resnet18().cuda().eval()
    models = {"dense": dense}
    for f in fractions:
        models[f"inner{f:g}"] = channel_prune_resnet(dense, f).eval()
    x1 = torch.randn(1, 3, 224, 224, device="cuda")
    info = {
        name: {"params": count_parameters(m), "macs": count_macs(m, x1)}
        for name, m in models.items()
    }
    rows = []
    for dtype in (torch.float32, torch.float16):
        for name, m in models.items():
            m = m.to(dtype=dtype, memory_format=torch.channels_last)
            for bs in batches:
                x = torch.randn(bs, 3, 224, 224, device="cuda", dtype=dtype).to(
                    memory_format=torch.channels_last
                )
                torch.cuda.reset_peak_memory_stats()
                with torch.no_grad():
                    t = cuda_event_time(m, x, repeats=repeats, warmup=5)
                rows.append(
                    {
                        "model": name,
                        "dtype": str(dtype).removeprefix("torch."),
                        "batch": bs,
                        "median_s": t.median,
                        "iqr_s": t.iqr,
                        "images_per_s": bs / t.median,
                        "peak_mem_mib": torch.cuda.max_memory_allocated() / 2**20,
                    }
                )
                print(name, rows[-1]["dtype"], bs, f"{t.median * 1e3:.3f} ms", flush=True)
            m.float()
    return {"models": info, "rows": rows}


def semistructured_sweep(sizes, tokens, repeats):
    """2:4 sparse against dense fp16, ``y = x @ W.T`` with ``x : (tokens, n)``, ``W : (n, n)``.

    Two call shapes: ``F.linear(x, W_sparse)`` (the sparse matrix second, which
    torch transposes) and ``W_sparse @ x.T`` (the sparse matrix first, the
    layout the sparse kernels take natively), each against the same dense product.
    """
    from torch.sparse import SparseSemiStructuredTensor, to_sparse_semi_structured

    rows = []
    backends = {"cusparselt": False, "cutlass": True}
    for backend, force_cutlass in backends.items():
        SparseSemiStructuredTensor._FORCE_CUTLASS = force_cutlass
        for n in sizes:
            torch.manual_seed(0)
            W = torch.randn(n, n, device="cuda", dtype=torch.float16)
            W24 = W * mask_2to4(W)
            x = torch.randn(tokens, n, device="cuda", dtype=torch.float16)
            xt = x.t().contiguous()
            for call in ("linear", "sparse_first"):
                row = {"n": n, "tokens": tokens, "backend": backend, "call": call}
                try:
                    Ws = to_sparse_semi_structured(W24)
                    if call == "linear":
                        dense_fn, dense_args = torch.nn.functional.linear, (x, W24)
                        sparse_fn, sparse_args = torch.nn.functional.linear, (x, Ws)
                    else:
                        dense_fn, dense_args = torch.mm, (W24, xt)
                        sparse_fn, sparse_args = torch.mm, (Ws, xt)
                    diff = (dense_fn(*dense_args) - sparse_fn(*sparse_args)).abs().max()
                    row["max_abs_diff"] = float(diff)
                    times = {"dense": [], "sparse": []}
                    for _ in range(5):  # interleave the two so drift hits both
                        times["dense"].append(
                            cuda_event_time(dense_fn, *dense_args, repeats=repeats).median
                        )
                        times["sparse"].append(
                            cuda_event_time(sparse_fn, *sparse_args, repeats=repeats).median
                        )
                    row["dense_s"] = statistics.median(times["dense"])
                    row["sparse_s"] = statistics.median(times["sparse"])
                    ratios = [d / s for d, s in zip(times["dense"], times["sparse"])]
                    row["speedup"] = statistics.median(ratios)
                    row["speedup_min"], row["speedup_max"] = min(ratios), max(ratios)
                except (RuntimeError, NotImplementedError) as err:
                    row["error"] = str(err).splitlines()[0][:200]
                rows.append(row)
                print(row, flush=True)
    SparseSemiStructuredTensor._FORCE_CUTLASS = False
    return rows


def timer_agreement():
    rows = []
    for n in (256, 1024, 4096):
        a = torch.randn(n, n, device="cuda")
        b = torch.randn(n, n, device="cuda")
        ev = cuda_event_time(torch.matmul, a, b, repeats=100)
        bm = benchmark(torch.matmul, a, b, min_run_time=0.5)
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        torch.matmul(a, b)  # no synchronisation: measures the launch only
        naive = time.perf_counter() - t0
        rows.append(
            {
                "op": f"matmul {n}x{n} fp32",
                "cuda_events_s": ev.median,
                "torch_benchmark_s": bm.median,
                "naive_unsynced_s": naive,
                "events_over_benchmark": ev.median / bm.median,
            }
        )
        print(rows[-1], flush=True)
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", required=True)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    if not torch.cuda.is_available():
        sys.exit("gpu_bench.py: no CUDA device")
    quick = args.quick
    import warnings

    warnings.filterwarnings("ignore", message=".*prototype stage.*")
    result = {
        "kind": "gpu",
        "environment": environment(),
        "timer_agreement": timer_agreement(),
        "semistructured": semistructured_sweep(
            [1024, 2048] if quick else [1024, 2048, 4096, 8192], 4096, 20 if quick else 50
        ),
        # the same products with 4x the tokens: is the sparse kernel's cost per call fixed?
        "semistructured_16k_tokens": semistructured_sweep(
            [2048] if quick else [2048, 4096, 8192], 16384, 20 if quick else 30
        ),
        "resnet18": resnet_sweep(
            [1, 32] if quick else [1, 8, 32, 64, 128, 256],
            [0.5] if quick else [0.5, 0.25],
            10 if quick else 30,
        ),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    print("wrote", args.out)


if __name__ == "__main__":
    main()
