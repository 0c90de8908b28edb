"""Run the benchmark suite and write ``benchmarks/results/<machine kind>.json``.

    python benchmarks/run.py                          # everything (``make bench``)
    python benchmarks/run.py --only neuron_removal    # one benchmark, merged into the file
    python benchmarks/run.py --quick --out /tmp/b     # tiny sizes, seconds (the tests)

The runner first re-executes itself with ``OPENBLAS_CORETYPE`` and
``OPENBLAS_L2_SIZE`` unset (together), so OpenBLAS picks the kernel made for this
processor, and records that it did. It pins numpy's BLAS and torch to one
thread. A benchmark whose prerequisites are missing is recorded as
``"not available"`` with the reason; one that fails is recorded as ``"error"``
and makes the runner exit with status 1 once the others have run.
"""

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import machine  # noqa: E402  (needs ROOT on the path; imports no numpy)

#: Every benchmark, in the order they run: name -> module ``benchmarks.bench_<name>``.
BENCHMARKS = (
    "vs_torch",
    "matmul_bound",
    "neuron_removal",
    "weight_pruning",
    "compression",
    "capstone_cnn",
    "course",
    "cluster",
    "gpu",
)
SCHEMA = 1


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", action="append", choices=BENCHMARKS, help="run only this benchmark (repeatable)"
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the tests")
    parser.add_argument(
        "--out",
        type=Path,
        help="results folder (default: benchmarks/results, or build/bench-quick with --quick)",
    )
    parser.add_argument(
        "--no-report", action="store_true", help="do not write SUMMARY.md, plots or README"
    )
    parser.add_argument(
        "--keep-blas-env",
        action="store_true",
        help="keep OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE if set (to measure their effect)",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    return parser.parse_args(argv)


def reexec_without_blas_overrides(keep):
    """Restart this script with ``machine.BLAS_ENV`` unset, noting what they were."""
    found = {name: os.environ[name] for name in machine.BLAS_ENV if name in os.environ}
    if not found or keep:
        return
    env = {k: v for k, v in os.environ.items() if k not in machine.BLAS_ENV}
    env[machine.UNSET_MARKER] = json.dumps(found)
    for name in machine.THREAD_ENV:
        env.setdefault(name, "1")
    os.execve(sys.executable, [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:]], env)


def load_module(name):
    return importlib.import_module(f"benchmarks.bench_{name}")


def run_one(name, quick):
    """Run one benchmark; return ``(device, entry)`` for the results file."""
    module = load_module(name)
    entry = {"title": module.TITLE, "goal": getattr(module, "GOAL", None)}
    reason = module.unavailable()
    device = "cpu"
    if reason:
        print(f"[{name}] not available: {reason}", flush=True)
        return device, entry | {"status": "not available", "reason": reason}
    if quick and getattr(module, "QUICK_SKIP", None):
        print(f"[{name}] skipped with --quick: {module.QUICK_SKIP}", flush=True)
        return device, entry | {"status": "skipped", "reason": module.QUICK_SKIP}
    device = getattr(module, "DEVICE", "cpu")
    print(f"[{name}] {module.TITLE} ...", flush=True)
    start = time.perf_counter()
    try:
        result = module.run(quick=quick)
    except Exception as err:  # recorded, then reported by the exit status
        traceback.print_exc()
        tail = traceback.format_exc().strip().splitlines()[-6:]
        return device, entry | {
            "status": "error",
            "reason": f"{type(err).__name__}: {err}",
            "traceback": tail,
        }
    seconds = time.perf_counter() - start
    for h in result.get("headline", []):
        value = "none" if h["value"] is None else f"{h['value']:.3g}"
        print(f"[{name}]   {h['label']}: {value} (goal {h.get('goal')})", flush=True)
    print(f"[{name}] done in {seconds:.1f} s", flush=True)
    return device, entry | {"status": "ok", "seconds": round(seconds, 2)} | result


def results_path(out, device):
    return out / f"{machine.kind(device)}.json"


def write_entry(out, device, name, entry, quick):
    """Merge one benchmark's entry into its machine's results file."""
    path = results_path(out, device)
    data = {}
    if path.exists():
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError:
            data = {}
    if data.get("schema") != SCHEMA or data.get("quick") != quick:
        data = {}
    info = machine.describe(device)
    entry = entry | {"date": info["date"], "commit": info["commit"]}
    benchmarks = data.get("benchmarks", {})
    benchmarks[name] = entry
    order = {n: i for i, n in enumerate(BENCHMARKS)}
    data = {
        "schema": SCHEMA,
        "quick": quick,
        "machine": info,
        "benchmarks": dict(sorted(benchmarks.items(), key=lambda kv: order.get(kv[0], 99))),
    }
    out.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n")
    return path


def main(argv=None):
    args = parse_args(argv)
    if args.list:
        for name in BENCHMARKS:
            print(f"{name:16s} {load_module(name).TITLE}")
        return 0
    reexec_without_blas_overrides(args.keep_blas_env)
    out = args.out or (ROOT / "build" / "bench-quick" if args.quick else HERE / "results")
    machine.pin_threads()
    failed = []
    written = set()
    for name in args.only or BENCHMARKS:
        device, entry = run_one(name, args.quick)
        written.add(write_entry(out, device, name, entry, args.quick))
        if entry["status"] == "error":
            failed.append(name)
    for path in sorted(written):
        print(f"wrote {path}")
    if not args.no_report:
        from benchmarks import report

        report.main(out, readme=None if args.quick else ROOT / "README.md")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
