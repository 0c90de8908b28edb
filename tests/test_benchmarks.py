"""The benchmark suite runs on tiny sizes and writes what the report expects.

No timing is asserted anywhere: these tests only check that every benchmark
runs (or says why it cannot) and that results, summary and README table are
well formed.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import report, run  # noqa: E402
from benchmarks.bench_weight_pruning import crossover  # noqa: E402
from benchmarks.timing import compare  # noqa: E402

STATUSES = {"ok", "not available", "skipped"}


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """Run the whole suite with --quick into a temporary folder, with the BLAS overrides set."""
    out = tmp_path_factory.mktemp("bench")
    env = dict(os.environ, OPENBLAS_CORETYPE="Haswell", OPENBLAS_L2_SIZE="512")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    files = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    return out, files


def test_every_benchmark_is_recorded_with_a_known_status(quick):
    """Each named benchmark appears once, ok, not available (with a reason) or skipped."""
    _, files = quick
    seen = {}
    for data in files.values():
        for name, entry in data["benchmarks"].items():
            seen[name] = entry
    assert set(seen) == set(run.BENCHMARKS)
    for entry in seen.values():
        assert entry["status"] in STATUSES
        if entry["status"] != "ok":
            assert entry["reason"]


def test_results_file_is_named_after_its_machine_kind(quick):
    """A results file is ``<kind>.json`` and says it was a quick run."""
    _, files = quick
    for kind, data in files.items():
        assert data["machine"]["kind"] == kind
        assert kind.split("-")[0] in ("cpu", "gpu")
        assert data["quick"] is True and data["schema"] == run.SCHEMA


def test_machine_records_hardware_versions_and_blas(quick):
    """The metadata names the processor, date, versions, BLAS kernel and one thread."""
    _, files = quick
    m = next(iter(files.values()))["machine"]
    for key in ("cpu", "date", "versions", "blas", "thread_env", "platform"):
        assert m[key]
    assert m["versions"]["numpy"]
    blas = [b for b in m["blas"] if b["user_api"] == "blas"]
    assert blas and all(b["num_threads"] == 1 for b in blas)


def test_pin_threads_limits_every_blas_even_without_thread_variables():
    """With no *_NUM_THREADS set, pin_threads still leaves every BLAS and OpenMP pool at one
    thread, numpy's and scipy's included (threadpoolctl sees only libraries loaded before it)."""
    env = {k: v for k, v in os.environ.items() if k not in run.machine.THREAD_ENV}
    code = (
        "import json; from benchmarks import machine; machine.pin_threads();"
        "from threadpoolctl import threadpool_info;"
        "print(json.dumps([(i['internal_api'], i['num_threads']) for i in threadpool_info()]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    pools = json.loads(proc.stdout.strip().splitlines()[-1])
    assert any(api == "openblas" for api, _ in pools)
    assert all(n == 1 for _, n in pools), pools


def test_runner_unsets_the_openblas_overrides_and_says_so(quick):
    """The runner re-executes without OPENBLAS_CORETYPE/L2_SIZE and records their old values."""
    _, files = quick
    m = next(iter(files.values()))["machine"]
    assert m["blas_env"] == {"OPENBLAS_CORETYPE": None, "OPENBLAS_L2_SIZE": None}
    assert m["blas_env_unset_by_runner"] == {
        "OPENBLAS_CORETYPE": "Haswell",
        "OPENBLAS_L2_SIZE": "512",
    }


def test_headlines_are_numbers_with_goals(quick):
    """Every headline has a label, a number (or None), and a verdict consistent with its goal."""
    _, files = quick
    for data in files.values():
        for entry in data["benchmarks"].values():
            if entry["status"] != "ok":
                continue
            assert entry["headline"]
            for h in entry["headline"]:
                assert h["label"] and (h["value"] is None or isinstance(h["value"], float | int))
                if h["goal"] is not None and h["value"] is not None:
                    expect = h["value"] <= h["goal"] if h["op"] == "<=" else h["value"] >= h["goal"]
                    assert h["met"] is expect


def test_summary_and_plots_are_written(quick):
    """The runner's report writes SUMMARY.md and a PNG per plotted benchmark."""
    out, files = quick
    text = (out / "SUMMARY.md").read_text()
    for kind in files:
        assert f"## `{kind}`" in text
    for png in out.glob("*.png"):
        assert png.stat().st_size < 200_000


def test_readme_changes_only_between_the_markers(quick, tmp_path):
    """The generated table replaces the text between the markers and nothing else."""
    out, _ = quick
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nbefore\n{report.START}\nold table\n{report.END}\nafter\n")
    report.main(out, readme=readme, plots=False)
    text = readme.read_text()
    assert text.startswith("# Title\n\nbefore\n" + report.START + "\n| benchmark |")
    assert text.endswith(report.END + "\nafter\n")
    assert "old table" not in text


def test_readme_without_markers_is_left_alone(quick, tmp_path):
    """A README without both markers is not touched."""
    out, _ = quick
    readme = tmp_path / "README.md"
    readme.write_text("# Title\nno markers\n")
    report.main(out, readme=readme, plots=False)
    assert readme.read_text() == "# Title\nno markers\n"


def test_compare_pairs_every_variant_in_every_repeat():
    """compare times each variant once per repeat and gives a per-repeat ratio spread."""
    t = compare(
        {"a": lambda: sum(range(100)), "b": lambda: sum(range(100))}, repeats=4, min_time=1e-4
    )
    assert len(t.seconds["a"]) == len(t.seconds["b"]) == 4
    r = t.ratio("a", "b")
    assert r["n"] == 4 and r["min"] <= r["q25"] <= r["median"] <= r["q75"] <= r["max"]


@pytest.mark.parametrize(
    "speedups, expected",
    [([0.5, 0.8, 1.2, 2.0], 0.75), ([1.1, 2.0, 3.0, 4.0], 0.0), ([0.1, 0.2, 0.3, 0.4], None)],
)
def test_crossover_interpolates_where_speedup_reaches_one(speedups, expected):
    """The crossover is the first sparsity where the speedup reaches 1 (None if never)."""
    got = crossover([0.0, 0.5, 1.0, 1.5], speedups)
    assert got == pytest.approx(expected) if expected is not None else got is None


@pytest.mark.parametrize("minimal", [False, True])
def test_handwritten_step_takes_the_engines_step(minimal):
    """The flat-NumPy steps in the matmul benchmark compute the engine's momentum step, the
    minimal one included: after three steps both networks hold the same weights, zeros kept."""
    from benchmarks.bench_matmul_bound import handwritten_step
    from minprune import SGD, Network, prune

    net = Network([8, 16, 12, 5], activation="relu", rng=0)
    prune(net, 0.5)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 8)).astype(np.float32)
    y = rng.integers(0, 5, 20)
    flat, opt = net.copy(), SGD(lr=0.1, momentum=0.9)
    step = handwritten_step(flat, X, y, lr=0.1, momentum=0.9, minimal=minimal)
    for _ in range(3):
        step()
        opt.step(net, net.loss_and_grads(X, y)[1])
    for a, b in zip(net.layers, flat.layers):
        np.testing.assert_allclose(b.W, a.W, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(b.b, a.b, rtol=1e-5, atol=1e-6)
        assert np.all(b.W[a.mask == 0] == 0)


# ------------------------------------------------------------------ the GPU benchmark, on the CPU
@pytest.fixture(scope="module")
def gpu_bench_on_cpu():
    """benchmarks/bench_gpu.py run with --quick sizes on the CPU, one torch thread."""
    torch = pytest.importorskip("torch")
    from benchmarks import bench_gpu

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return bench_gpu.run(quick=True, device="cpu")
    finally:
        torch.set_num_threads(threads)


def test_gpu_benchmark_is_unavailable_without_a_gpu_and_says_so():
    """Without CUDA the GPU benchmark gives a reason instead of running."""
    torch = pytest.importorskip("torch")
    from benchmarks import bench_gpu

    if torch.cuda.is_available():
        assert bench_gpu.unavailable() is None
    else:
        assert "no CUDA GPU" in bench_gpu.unavailable()


def test_gpu_benchmark_results_read_back_for_lesson_11(gpu_bench_on_cpu, tmp_path):
    """What the GPU benchmark records, in the suite's file, is what gpu_results reads."""
    from minprune_course import gpu_results

    path = tmp_path / "gpu-test.json"
    entry = {"status": "ok", **gpu_bench_on_cpu}
    path.write_text(json.dumps({"schema": run.SCHEMA, "benchmarks": {"gpu": entry}}))
    results = gpu_results.load_gpu_results(path)
    rows = gpu_results.resnet_rows(results, dtype="float32")
    assert {r["model"] for r in rows} == {"dense", "inner0.5"}
    assert all(r["median_s"] > 0 and r["mac_ratio"] >= 1 for r in rows)
    assert gpu_results.describe(results)


def test_every_2to4_row_on_the_cpu_records_why_it_did_not_run(gpu_bench_on_cpu):
    """On the CPU, each size, backend and call shape of both 2:4 sweeps is a row with an error."""
    from benchmarks.bench_gpu import BACKENDS, CALLS

    for key in ("semistructured", "semistructured_16k_tokens"):
        rows = gpu_bench_on_cpu[key]
        sizes = {r["n"] for r in rows}
        assert len(rows) == len(sizes) * len(BACKENDS) * len(CALLS)
        assert all("CUDA" in r["error"] for r in rows)
    (tokens,) = {r["tokens"] for r in gpu_bench_on_cpu["semistructured"]}
    assert {r["tokens"] for r in gpu_bench_on_cpu["semistructured_16k_tokens"]} == {4 * tokens}


def test_gpu_neuron_removal_and_weight_rows_hold_spreads(gpu_bench_on_cpu):
    """Neuron removal gives a speedup spread and its MAC ratio; CSR rows hold nonzero counts."""
    (nr,) = gpu_bench_on_cpu["neuron_removal"]
    assert nr["mac_ratio"] > 1 and nr["sizes"][1] == nr["width"] // 2
    assert nr["speedup"]["min"] <= nr["speedup"]["median"] <= nr["speedup"]["max"]
    (wp,) = gpu_bench_on_cpu["weight_pruning"]
    nnz = [r["nnz"] for r in wp["rows"]]
    assert nnz[0] == wp["n"] ** 2 and nnz == sorted(nnz, reverse=True)


def test_gpu_headlines_hold_neuron_removal_to_its_goal(gpu_bench_on_cpu):
    """The neuron-removal headline carries the 0.8 goal; no 2:4 headline when no 2:4 row ran."""
    labels = [h["label"] for h in gpu_bench_on_cpu["headline"]]
    assert any("neurons removed" in label for label in labels)
    assert not any("2:4" in label for label in labels)
    assert gpu_bench_on_cpu["timer_agreement"] == []  # nothing asynchronous to compare on a CPU


def test_gpu_2to4_headlines_are_the_two_largest_sizes_of_one_backend_and_call():
    """Only cuSPARSELt, sparse-first rows of the two largest sizes that ran become headlines."""
    from benchmarks.bench_gpu import headlines

    def row(n, backend="cusparselt", call="sparse_first", **extra):
        ratio = {"speedup": 1.0, **{f"speedup_{q}": 1.0 for q in ("q25", "q75", "min", "max")}}
        return {"n": n, "tokens": 64, "backend": backend, "call": call} | ratio | extra

    semi = [row(8), row(16), row(32), row(32, backend="cutlass"), row(32, call="linear")]
    neurons = [{"fraction_removed": 0.5, "efficiency": {"median": 0.9}}]
    weights = [{"n": 4, "batch": 2, "crossover": dict.fromkeys(("median", "q25", "q75"), 0.5)}]
    weights[0]["rows"] = [{"sparsity": 0.5, "masked_over_dense": {"median": 1.0}}]
    two_to_four = [h["label"] for h in headlines(neurons, weights, semi) if "2:4" in h["label"]]
    assert two_to_four == [
        "GPU: 2:4 sparse / dense fp16 speedup (16x16 @ 16x64)",
        "GPU: 2:4 sparse / dense fp16 speedup (32x32 @ 32x64)",
    ]
