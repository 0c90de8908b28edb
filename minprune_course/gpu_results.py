"""GPU measurements recorded by the GPU benchmark (``benchmarks/bench_gpu.py``), read back.

A lesson that runs on a machine without a GPU shows these beside its live CPU
numbers. Every table and plot is computed from the file, which also records
where and when it was measured (``describe``)::

    results = load_gpu_results()          # benchmarks/results/timing-gpu-nvidia-h100.json
    print(describe(results))
    rows = resnet_rows(results, dtype="float16")
    print(markdown_table(rows, [("model", "model", ""), ("ms", "median_s", ".3f", 1e3)]))

The results hold ``environment`` (device, date, versions), ``timer_agreement``
(CUDA events, ``torch.utils.benchmark`` and an unsynchronised timer on the same
matmuls), ``semistructured`` (2:4 sparse against dense fp16 linear layers) and
``resnet18`` (``models``: parameters and multiply-adds per image; ``rows``: one
per model, dtype and batch size). Two layouts are read: the suite's results file
(``python benchmarks/run.py --only gpu`` writes ``gpu-<device>.json``, the sections
under ``benchmarks.gpu``) and a file holding the sections at its top, as
``timing-gpu-nvidia-h100.json`` was recorded by the benchmark's first version.
"""

import json
from pathlib import Path

__all__ = [
    "DEFAULT_FILE",
    "results_dir",
    "load_gpu_results",
    "describe",
    "timer_rows",
    "semistructured_rows",
    "semistructured_errors",
    "resnet_rows",
    "markdown_table",
]

DEFAULT_FILE = "timing-gpu-nvidia-h100.json"
_SECTIONS = ("environment", "timer_agreement", "semistructured", "resnet18")
_HOW = "python benchmarks/run.py --only gpu"


def results_dir():
    """``benchmarks/results`` of the repository this package was loaded from."""
    return Path(__file__).resolve().parents[1] / "benchmarks" / "results"


def load_gpu_results(path=None):
    """Read the GPU benchmark's results.

    Parameters
    ----------
    path : str or Path, optional
        The JSON file: the suite's ``gpu-<device>.json`` or a file with the sections
        at its top; by default ``benchmarks/results/timing-gpu-nvidia-h100.json``.

    Returns
    -------
    dict with the sections ``environment``, ``timer_agreement``, ``semistructured``
    and ``resnet18`` (and whatever else the benchmark recorded beside them).

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ValueError
        If the file's GPU benchmark did not run, or a section is missing.
    """
    path = Path(path) if path is not None else results_dir() / DEFAULT_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"no GPU results at {path}: run `{_HOW}` on a machine with a CUDA GPU, "
            "which writes benchmarks/results/gpu-<device>.json"
        )
    results = json.loads(path.read_text())
    if isinstance(results, dict) and "benchmarks" in results:
        entry = results["benchmarks"].get("gpu", {"status": "absent"})
        if entry.get("status") != "ok":
            raise ValueError(
                f"{path.name}: its gpu benchmark is {entry.get('status')!r}"
                + (f" ({entry['reason']})" if entry.get("reason") else "")
                + f", expected 'ok': run `{_HOW}` on a machine with a CUDA GPU"
            )
        results = entry
    missing = [key for key in _SECTIONS if key not in results] if isinstance(results, dict) else []
    if not isinstance(results, dict) or missing:
        raise ValueError(
            f"{path.name} lacks the sections {missing}: expected a file written by "
            f"`{_HOW}` (benchmarks/bench_gpu.py)"
        )
    if not {"models", "rows"} <= set(results["resnet18"]):
        raise ValueError(f"{path.name}: resnet18 must hold 'models' and 'rows'")
    return results


def _cudnn_version(number):
    """cuDNN's integer version (``91900``) as text (``9.19.0``)."""
    if not isinstance(number, int):
        return str(number)
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def describe(results):
    """One line: the device, the date and the versions the results were measured with."""
    env = results["environment"]
    device = env.get("device", "an unnamed GPU")
    extra = []
    if "multiprocessors" in env:
        extra.append(f"{env['multiprocessors']} SMs")
    if "memory_gib" in env:
        extra.append(f"{env['memory_gib']} GiB")
    if extra:
        device += f" ({', '.join(extra)})"
    versions = [f"torch {env.get('torch', '?')}", f"CUDA {env.get('cuda', '?')}"]
    if env.get("cudnn") is not None:
        versions.append(f"cuDNN {_cudnn_version(env['cudnn'])}")
    return f"{device}, measured {env.get('date', 'on an unknown date')} with {', '.join(versions)}"


def timer_rows(results):
    """The timer comparison, with ``naive_over_events``: what the unsynchronised timer saw."""
    rows = []
    for row in results["timer_agreement"]:
        row = dict(row)
        row["naive_over_events"] = row["naive_unsynced_s"] / row["cuda_events_s"]
        rows.append(row)
    return rows


def semistructured_rows(results, backend=None, call=None):
    """The 2:4 rows that ran (no ``error``), with ``faster``: True where 2:4 beat dense.

    Parameters
    ----------
    backend : str, optional
        Keep only rows of this sparse backend (``"cusparselt"`` or ``"cutlass"``).
    call : str, optional
        Keep only rows of this call shape: ``"linear"`` (``F.linear(x, W_sparse)``)
        or ``"sparse_first"`` (``W_sparse @ x.T``).
    """
    rows = []
    for row in results["semistructured"]:
        if "error" in row:
            continue
        if backend is not None and row.get("backend") != backend:
            continue
        if call is not None and row.get("call", "linear") != call:
            continue
        row = dict(row)
        row["faster"] = row["speedup"] > 1.0
        rows.append(row)
    return rows


def semistructured_errors(results):
    """``{(backend, error message): [sizes]}`` for the 2:4 rows that could not run."""
    errors = {}
    for row in results["semistructured"]:
        if "error" in row:
            sizes = errors.setdefault((row.get("backend", "default"), row["error"]), [])
            if row["n"] not in sizes:
                sizes.append(row["n"])
    return errors


def resnet_rows(results, dtype=None, model=None):
    """ResNet-18 rows, each with its model's ``params`` and ``macs`` and two ratios.

    ``speedup`` is the dense model's median time over this row's, at the same
    dtype and batch size; ``mac_ratio`` is the dense model's multiply-adds over
    this model's: the speedup the arithmetic alone would predict.

    Parameters
    ----------
    dtype : str, optional
        Keep only rows of this dtype (``"float32"`` or ``"float16"``).
    model : str, optional
        Keep only rows of this model (``"dense"``, ``"inner0.5"``, ...).
    """
    section = results["resnet18"]
    models, all_rows = section["models"], section["rows"]
    if "dense" not in models:
        raise ValueError("resnet18 has no 'dense' model to compare with")
    dtypes = {row["dtype"] for row in all_rows}
    if dtype is not None and dtype not in dtypes:
        raise ValueError(f"dtype={dtype!r} is not in the results; they hold {sorted(dtypes)}")
    if model is not None and model not in models:
        raise ValueError(f"model={model!r} is not in the results; they hold {sorted(models)}")
    dense = {(r["dtype"], r["batch"]): r["median_s"] for r in all_rows if r["model"] == "dense"}
    rows = []
    for row in all_rows:
        if (dtype is not None and row["dtype"] != dtype) or (
            model is not None and row["model"] != model
        ):
            continue
        row = dict(row)
        row.update(models[row["model"]])
        row["mac_ratio"] = models["dense"]["macs"] / row["macs"]
        base = dense.get((row["dtype"], row["batch"]))
        row["speedup"] = base / row["median_s"] if base is not None else float("nan")
        rows.append(row)
    return rows


def markdown_table(rows, columns):
    """A Markdown table of ``rows`` (dicts).

    Parameters
    ----------
    rows : list of dict
    columns : list of tuples ``(header, key, format)`` or ``(header, key, format, scale)``
        ``row[key] * scale`` (scale 1 by default) formatted with ``format``
        (a format spec such as ``".3f"``, or ``""`` for ``str``).
    """
    for column in columns:
        if len(column) not in (3, 4):
            raise ValueError(f"column {column!r} must be (header, key, format[, scale])")
    lines = [
        "| " + " | ".join(c[0] for c in columns) + " |",
        "| " + " | ".join("---" for _ in columns) + " |",
    ]
    for row in rows:
        cells = []
        for _header, key, fmt, *scale in columns:
            value = row[key]
            if scale:
                value = value * scale[0]
            cells.append(format(value, fmt))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
