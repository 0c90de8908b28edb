"""Measuring a compressed model the way Blalock et al. (2020) ask: every number, beside a baseline.

Blalock, Gonzalez Ortiz, Frankle and Guttag, *What is the State of Neural Network
Pruning?* (MLSys 2020), found that pruning papers can rarely be compared: each
reports a different cost (parameters, or FLOPs, or "compression"), against a
different baseline, at one operating point. Their checklist: report the
accuracy **and** several costs, each beside the unpruned baseline's, at several
operating points (a trade-off curve), with a control such as random pruning.

``measure(model, X, y, example_batch)`` returns one dict per model:

================ =============================================================
``params``       entries of every parameter tensor (``count_parameters``)
``nonzeros``     nonzero parameters, masks applied (``count_nonzeros``)
``macs``         multiply-adds per sample of a dense kernel (``count_macs``)
``nonzero_macs`` multiply-adds per sample a zero-skipping kernel would need
                 (``cnn.nonzero_macs``); equal to ``macs`` when nothing is zero
``bytes_on_disk`` size of ``torch.save(model.state_dict())`` into a buffer (a
                 file named ``archive.pt``: the name is stored inside, so a
                 longer name adds bytes), the checkpoint a user ships: zeros
                 cost as much as any value, and a model still
                 carrying ``torch.nn.utils.prune`` masks stores ``weight_orig``
                 *and* ``weight_mask`` (call ``prune.remove`` first)
``bytes_sparse`` the same tensors, masks applied, each stored as a bitmask
                 (nonzero values plus one bit per entry) or dense, whichever is
                 smaller, as ``minprune.storage_bytes`` counts (lesson 07)
``accuracy``     on ``(X, y)``
``cpu_ms``       median milliseconds for one forward pass of ``example_batch``
                 on the CPU (``benchmark``), with ``cpu_iqr_ms`` and ``threads``
``gpu_ms``       the same on a CUDA GPU (``cuda_event_time``), ``None`` without one
================ =============================================================

Latency on a shared machine drifts; a speedup is only meaningful when the two
models are timed side by side. ``compare(baseline, candidate, example_batch)``
times them **interleaved** (ABBA...), one block of each per repeat, takes the
ratio per repeat and reports its median and spread. ``table`` prints rows of
``measure`` with each cost's reduction against the baseline, and
``pareto_front`` picks the points no other point beats on both cost and accuracy.

The capstone's baseline and thresholds are course policy, not measurement: they
live in ``minprune_course.capstone``.
"""

import copy
import io

import numpy as np
import torch
from torch import nn
from torch.nn.utils.prune import BasePruningMethod, PruningContainer

from ..storage import storage_bytes
from .cnn import nonzero_macs
from .counting import count_macs, count_nonzeros, count_parameters
from .timing import benchmark, cuda_event_time, interleave, spread
from .training import accuracy

__all__ = [
    "copy_model",
    "bytes_on_disk",
    "bytes_sparse",
    "measure",
    "compare",
    "table",
    "pareto_front",
]


# ------------------------------------------------------------------ sizes
def _check_module(model, name="model"):
    if not isinstance(model, nn.Module):
        raise TypeError(f"{name} must be a torch nn.Module, got {type(model).__name__}")


def _effective_tensors(model):
    """``(name, tensor)`` of every parameter and buffer, ``torch.nn.utils.prune`` masks applied.

    A pruned ``weight`` is stored as ``weight_orig`` and ``weight_mask``; this yields
    ``weight = weight_orig * weight_mask`` once, under the name ``weight``.
    """
    for prefix, module in model.named_modules():
        own = dict(module.named_parameters(recurse=False))
        own.update(module.named_buffers(recurse=False))
        for name, tensor in own.items():
            if name.endswith("_mask") and name[: -len("_mask")] + "_orig" in own:
                continue
            if name.endswith("_orig") and name[: -len("_orig")] + "_mask" in own:
                tensor = tensor * own[name[: -len("_orig")] + "_mask"]
                name = name[: -len("_orig")]
            yield (f"{prefix}.{name}" if prefix else name), tensor.detach()


def copy_model(model):
    """``copy.deepcopy(model)``, also for a model trained under ``torch.nn.utils.prune``.

    A pruned module's ``weight`` is recomputed as ``weight_orig * weight_mask`` by a
    forward pre-hook; after a training step it is a tensor with a gradient history,
    which ``deepcopy`` refuses. The masked weights are recomputed without one first.
    """
    _check_module(model)
    with torch.no_grad():
        for module in model.modules():
            for hook in list(module._forward_pre_hooks.values()):
                if isinstance(hook, BasePruningMethod | PruningContainer):
                    setattr(module, hook._tensor_name, hook.apply_mask(module))
    return copy.deepcopy(model)


def bytes_on_disk(model):
    """Bytes of ``torch.save(model.state_dict())``: the checkpoint file, zeros and masks included.

    Saved into a buffer, which stores the same bytes as a file named ``archive.pt``
    (torch keeps the file's name inside the archive).
    """
    _check_module(model)
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.getbuffer().nbytes


def bytes_sparse(model):
    """Bytes of every parameter and buffer, masks applied, each as a bitmask or dense.

    A floating tensor of ``n`` entries, ``nnz`` nonzero, costs
    ``min(n * v, nnz * v + ceil(n / 8))`` bytes (``v`` bytes per value); other
    tensors (BatchNorm's step counter) are dense. Headers and names are not
    counted: this is the payload a sparse file format would need.
    """
    _check_module(model)
    total = 0
    for _, tensor in _effective_tensors(model):
        values = tensor.cpu().reshape(1, -1)
        if not values.is_floating_point() or values.numel() == 0:
            total += values.numel() * values.element_size()
            continue
        array = (values != 0).numpy().astype(np.float32)  # only the zero pattern matters
        bits = values.element_size() * 8
        total += min(
            storage_bytes(array, format=fmt, value_dtype=bits) for fmt in ("dense", "bitmask")
        )
    return total


# ------------------------------------------------------------------ latency
def _check_batch(example_batch):
    if not isinstance(example_batch, torch.Tensor) or example_batch.ndim < 2:
        raise ValueError(
            "example_batch must be a batched tensor (first dimension = batch), got "
            f"{type(example_batch).__name__}"
            + (f" of shape {tuple(example_batch.shape)}" if hasattr(example_batch, "shape") else "")
        )


def _check_threads(num_threads):
    if isinstance(num_threads, bool) or not isinstance(num_threads, int) or num_threads < 1:
        raise ValueError(f"num_threads={num_threads!r} must be an int >= 1")


def _inference(model):
    """A function running ``model`` without autograd (the way it is deployed)."""

    def run(x):
        with torch.inference_mode():
            return model(x)

    return run


def _cuda():
    if not torch.cuda.is_available():
        raise RuntimeError("device='cuda' needs a CUDA GPU; none was found (use device='cpu')")
    return torch.device("cuda")


def measure(model, X, y, example_batch, *, num_threads=1, min_run_time=0.2, gpu=True, latency=True):
    """Every number of a Blalock-style report for one model.

    Parameters
    ----------
    model : nn.Module (not modified; measured in eval mode)
    X, y : tensors to compute the accuracy on (the test split, for the final report)
    example_batch : (batch, ...) tensor on the CPU; the batch timed, and the input
        ``count_macs`` traces (MACs are per sample)
    num_threads : int, CPU threads for the timing (recorded as ``threads``)
    min_run_time : float, seconds ``benchmark`` spends on each timing
    gpu : bool, time on a CUDA GPU too when one is present
    latency : bool, ``False`` skips the timing (every latency key is then ``None``)

    Returns
    -------
    dict
        ``params``, ``nonzeros``, ``macs``, ``nonzero_macs``, ``bytes_on_disk``,
        ``bytes_sparse`` (ints), ``accuracy`` (float), ``batch_size``, ``threads``,
        ``cpu_ms``, ``cpu_iqr_ms``, ``gpu_ms``, ``gpu_iqr_ms`` (``None`` where not
        measured), ``device`` (the GPU's name or ``None``).
    """
    _check_module(model)
    _check_batch(example_batch)
    _check_threads(num_threads)
    if not isinstance(min_run_time, int | float) or not min_run_time > 0:
        raise ValueError(f"min_run_time={min_run_time!r} must be a number of seconds > 0")
    was_training = model.training
    model.eval()
    try:
        row = {
            "params": count_parameters(model),
            "nonzeros": count_nonzeros(model),
            "macs": int(count_macs(model, example_batch)),
            "nonzero_macs": int(nonzero_macs(model, example_batch)),
            "bytes_on_disk": bytes_on_disk(model),
            "bytes_sparse": bytes_sparse(model),
            "accuracy": float(accuracy(model, X, y)),
            "batch_size": int(example_batch.shape[0]),
            "threads": num_threads,
            "cpu_ms": None,
            "cpu_iqr_ms": None,
            "gpu_ms": None,
            "gpu_iqr_ms": None,
            "device": None,
        }
        if latency:
            t = benchmark(
                _inference(model), example_batch, num_threads=num_threads, min_run_time=min_run_time
            )
            row["cpu_ms"], row["cpu_iqr_ms"] = t.median * 1e3, t.iqr * 1e3
            if gpu and torch.cuda.is_available():
                on_gpu = copy_model(model).to(_cuda())
                t = cuda_event_time(_inference(on_gpu), example_batch.to(_cuda()))
                row["gpu_ms"], row["gpu_iqr_ms"] = t.median * 1e3, t.iqr * 1e3
                row["device"] = torch.cuda.get_device_name()
    finally:
        model.train(was_training)
    return row


def compare(
    baseline,
    candidate,
    example_batch,
    *,
    repeats=15,
    min_block_time=0.02,
    num_threads=1,
    device="cpu",
    warmup=3,
):
    """Speedup of ``candidate`` over ``baseline``, both timed interleaved in the same run.

    Each model is warmed up and gets a number of calls per block so that a block
    lasts at least ``min_block_time`` seconds. Each repeat then times one block of
    each, the order reversed on every other repeat (AB, BA, AB, ...), so drift in
    clock speed, cache or load hits both alike; the speedup is taken per repeat,
    from blocks timed next to each other (``timing.interleave``).

    Parameters
    ----------
    baseline, candidate : nn.Module (run in eval mode without autograd; not modified)
    example_batch : (batch, ...) tensor, the input both are timed on
    repeats : int >= 3
    min_block_time : float, seconds per block
    num_threads : int, CPU threads during the timing (restored afterwards)
    device : ``"cpu"`` or ``"cuda"`` (copies of the models run there, synchronised
        around every block)
    warmup : int >= 0, untimed calls of each model first

    Returns
    -------
    dict
        ``speedup`` (median of the per-repeat ratios baseline time / candidate time),
        ``q25``, ``q75``, ``min``, ``max`` of those ratios, ``repeats``,
        ``baseline_ms`` and ``candidate_ms`` (median per call), ``batch_size``,
        ``threads``, ``device``.
    """
    _check_module(baseline, "baseline")
    _check_module(candidate, "candidate")
    _check_batch(example_batch)
    _check_threads(num_threads)
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 3:
        raise ValueError(f"repeats={repeats!r} must be an int >= 3")
    if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
        raise ValueError(f"warmup={warmup!r} must be an int >= 0")
    if not isinstance(min_block_time, int | float) or not min_block_time > 0:
        raise ValueError(f"min_block_time={min_block_time!r} must be a number of seconds > 0")
    if device not in ("cpu", "cuda"):
        raise ValueError(f"device={device!r} must be 'cpu' or 'cuda'")
    models = [baseline, candidate]
    sync = None
    x = example_batch
    if device == "cuda":
        target = _cuda()
        models = [copy_model(m).to(target) for m in models]
        x = example_batch.to(target)
        sync = torch.cuda.synchronize
    modes = [m.training for m in models]
    threads = torch.get_num_threads()
    torch.set_num_threads(num_threads)
    try:
        for m in models:
            m.eval()
        fns = [_inference(m) for m in models]
        seconds, _ = interleave(
            {"baseline": lambda: fns[0](x), "candidate": lambda: fns[1](x)},
            repeats=repeats,
            min_time=min_block_time,
            warmup=warmup,
            sync=sync,
        )
    finally:
        torch.set_num_threads(threads)
        for m, mode in zip(models, modes, strict=True):
            m.train(mode)
    a, b = (np.asarray(seconds[name]) for name in ("baseline", "candidate"))
    ratios = spread(a / b)
    return {
        "speedup": ratios["median"],
        **{key: ratios[key] for key in ("q25", "q75", "min", "max")},
        "repeats": repeats,
        "baseline_ms": float(np.median(a) * 1e3),
        "candidate_ms": float(np.median(b) * 1e3),
        "batch_size": int(example_batch.shape[0]),
        "threads": num_threads,
        "device": device,
    }


# ------------------------------------------------------------------ reporting
_COUNTS = (
    ("params", "params"),
    ("nonzeros", "nonzeros"),
    ("macs", "MACs"),
    ("bytes_on_disk", "bytes"),
    ("bytes_sparse", "sparse bytes"),
)


def _count(value, base):
    if value is None:
        return "-"
    ratio = f"{base / value:.1f}x" if base is not None and value else ""
    return f"{value:,} ({ratio})" if ratio else f"{value:,}"


def _ms(value, base):
    if value is None:
        return "-"
    return f"{value:.2f} ({base / value:.1f}x)" if base else f"{value:.2f}"


def table(rows, baseline=None, latency=True):
    """Rows of ``measure`` as a text table, each cost with its reduction against ``baseline``.

    Parameters
    ----------
    rows : dict ``{name: measure(...) dict}`` (a ``cpu_speedup`` key, from ``compare``,
        is shown as the CPU speedup instead of the ratio of ``cpu_ms``)
    baseline : name of the row the ratios are taken against (default: the first)
    latency : bool, add the CPU (and, when measured, GPU) latency columns

    Returns
    -------
    str
        ``(3.9x)`` after a cost means 3.9 times smaller than the baseline's (or, for
        latency, 3.9 times faster); accuracy is followed by its change in points.
    """
    if not isinstance(rows, dict) or not rows:
        raise ValueError("rows must be a non-empty dict {name: measure(...) result}")
    baseline = next(iter(rows)) if baseline is None else baseline
    if baseline not in rows:
        raise ValueError(f"baseline={baseline!r} is not one of the rows {list(rows)}")
    base = rows[baseline]
    header = ["model"] + [label for _, label in _COUNTS] + ["accuracy"]
    show_gpu = latency and any(r.get("gpu_ms") is not None for r in rows.values())
    if latency:
        header.append(f"CPU ms (batch {base.get('batch_size')})")
    if show_gpu:
        header.append("GPU ms")
    lines = []
    for name, row in rows.items():
        cells = [str(name)]
        cells += [_count(row.get(key), base.get(key)) for key, _ in _COUNTS]
        points = 100 * (row["accuracy"] - base["accuracy"])
        cells.append(f"{row['accuracy']:.3f} ({points:+.1f})")
        if latency:
            if row.get("cpu_speedup") is not None and row.get("cpu_ms") is not None:
                cells.append(f"{row['cpu_ms']:.2f} ({row['cpu_speedup']:.1f}x)")
            else:
                cells.append(_ms(row.get("cpu_ms"), base.get("cpu_ms")))
        if show_gpu:
            cells.append(_ms(row.get("gpu_ms"), base.get("gpu_ms")))
        lines.append(cells)
    widths = [max(len(c[i]) for c in [header, *lines]) for i in range(len(header))]
    fmt = lambda cells: "  ".join(  # noqa: E731
        c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))
    )
    return "\n".join([fmt(header), *map(fmt, lines)])


def pareto_front(costs, accuracies):
    """Indices of the points no other point beats: lower (or equal) cost and higher accuracy.

    Parameters
    ----------
    costs, accuracies : sequences of equal length (MACs or latency; accuracy)

    Returns
    -------
    list of int, the front ordered by increasing cost. Of identical points the first is kept.
    """
    costs = np.asarray(costs, dtype=float)
    accuracies = np.asarray(accuracies, dtype=float)
    if costs.ndim != 1 or costs.shape != accuracies.shape:
        raise ValueError(
            f"costs and accuracies must be 1-D of equal length, got shapes {costs.shape} "
            f"and {accuracies.shape}"
        )
    front = []
    for i in np.lexsort((-accuracies, costs)):  # by cost, best accuracy first
        if not front or accuracies[i] > accuracies[front[-1]]:
            front.append(int(i))
    return front
