"""Tests of minprune.torchkit.report: Blalock-style measurements, interleaved speedups, tables."""

import copy
import gc
import math

import pytest
import torch
import torch.nn.utils.prune as prune
from torch import nn

from minprune.torchkit import timing
from minprune.torchkit.models import DigitsCNN
from minprune.torchkit.report import (
    bytes_on_disk,
    bytes_sparse,
    compare,
    copy_model,
    measure,
    pareto_front,
    table,
)
from minprune.torchkit.training import accuracy
from minprune_course.capstone import baseline_cnn


def tiny(seed=0):
    """conv 1->2 (3x3, padding 1, no bias) on 4x4 images, flatten, Linear(32, 3)."""
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1, bias=False), nn.Flatten(), nn.Linear(32, 3)
    ).eval()


def images(n=8, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 1, 4, 4, generator=g), torch.randint(0, 3, (n,), generator=g)


def stack(depth, width=256):
    """``depth`` Linear(width, width) layers: ``depth`` times the work of one."""
    torch.manual_seed(0)
    return nn.Sequential(*[nn.Linear(width, width) for _ in range(depth)]).eval()


# ------------------------------------------------------------------ counts
def test_counts_of_a_tiny_model_are_the_hand_counts():
    """params = 18 + 32*3 + 3; MACs = 16 positions * 9 * 2 filters + 32 * 3 per sample."""
    X, y = images()
    row = measure(tiny(), X, y, X, latency=False)
    assert row["params"] == 2 * 9 + 32 * 3 + 3
    assert row["nonzeros"] == row["params"]
    assert row["macs"] == 16 * 9 * 2 + 32 * 3
    assert row["nonzero_macs"] == row["macs"]
    assert row["batch_size"] == 8


def test_zeroed_weights_lower_nonzeros_and_nonzero_macs_but_not_macs():
    """Zeroing one filter (9 weights) removes 9 nonzeros and 9 * 16 zero-skipping MACs only."""
    model = tiny()
    with torch.no_grad():
        model[0].weight[1] = 0
    X, y = images()
    row = measure(model, X, y, X, latency=False)
    assert row["nonzeros"] == row["params"] - 9
    assert row["macs"] == 16 * 9 * 2 + 32 * 3
    assert row["nonzero_macs"] == row["macs"] - 9 * 16


def test_nonzeros_read_torch_prune_masks():
    """Under torch.nn.utils.prune the masked weight is counted, not weight_orig."""
    model = tiny()
    prune.l1_unstructured(model[2], "weight", amount=48)
    X, y = images()
    assert measure(model, X, y, X, latency=False)["nonzeros"] == 2 * 9 + (96 - 48) + 3


def test_accuracy_is_torchkits_accuracy():
    """The reported accuracy is torchkit.accuracy on the given split."""
    model = tiny()
    X, y = images(n=40)
    assert measure(model, X, y, X[:4], latency=False)["accuracy"] == accuracy(model, X, y)


def test_bytes_on_disk_is_the_size_of_the_saved_state_dict(tmp_path):
    """bytes_on_disk equals the size of archive.pt, written by torch.save from the state_dict."""
    model = DigitsCNN((4, 8))
    path = tmp_path / "archive.pt"
    torch.save(model.state_dict(), path)
    assert bytes_on_disk(model) == path.stat().st_size


def test_masks_kept_make_the_checkpoint_larger_than_dense():
    """A model still carrying prune masks also stores weight_mask: 4 more bytes per weight."""
    masked, removed = tiny(), tiny()
    prune.l1_unstructured(masked[2], "weight", amount=0.9)
    prune.l1_unstructured(removed[2], "weight", amount=0.9)
    prune.remove(removed[2], "weight")
    assert bytes_on_disk(masked) - bytes_on_disk(removed) >= 4 * 96
    assert abs(bytes_on_disk(removed) - bytes_on_disk(tiny())) <= 128  # zeros cost as much


def test_bytes_sparse_of_a_dense_model_is_four_bytes_per_entry():
    """With no zeros every float32 tensor is stored dense; BatchNorm's counter is 8 bytes."""
    model = DigitsCNN((4, 8))
    with torch.no_grad():
        for t in model.state_dict().values():
            if t.is_floating_point():
                t.uniform_(0.5, 1.5)
    floats = sum(t.numel() for t in model.state_dict().values() if t.is_floating_point())
    assert bytes_sparse(model) == 4 * floats + 2 * 8


def test_bytes_sparse_stores_a_sparse_tensor_as_a_bitmask():
    """Linear(8, 4) with 2 nonzeros: 2 values * 4 bytes + 32 bits = 12 bytes, not 128."""
    layer = nn.Linear(8, 4, bias=False)
    with torch.no_grad():
        layer.weight.zero_()
        layer.weight[0, 0], layer.weight[3, 7] = 1.0, -2.0
    assert bytes_sparse(layer) == 2 * 4 + 32 // 8


def test_bytes_sparse_counts_all_zero_tensors_as_bits():
    """A fresh BatchNorm's zero running mean and shift cost one bit per entry each."""
    bn = nn.BatchNorm2d(16)
    assert bytes_sparse(bn) == 2 + 16 * 4 + 2 + 16 * 4 + 8  # bias, weight, mean, var, counter


def test_copy_model_copies_a_model_trained_under_prune_masks():
    """deepcopy refuses a pruned module after a training step; copy_model does not."""
    model = tiny()
    prune.l1_unstructured(model[2], "weight", amount=0.5)
    X, _ = images()
    model(X).sum().backward()
    with pytest.raises(RuntimeError):
        copy.deepcopy(model)
    twin = copy_model(model)
    assert torch.equal(twin(X), model(X))
    assert torch.equal(twin[2].weight_mask, model[2].weight_mask)


def test_bytes_sparse_applies_masks_once():
    """A masked weight counts as weight_orig * weight_mask, its mask not stored again."""
    layer = nn.Linear(8, 4, bias=False)
    prune.l1_unstructured(layer, "weight", amount=30)
    assert bytes_sparse(layer) == 2 * 4 + 32 // 8


def test_measure_leaves_the_model_as_it_was():
    """measure neither trains nor switches the model's mode."""
    model = DigitsCNN((4, 8)).train()
    before = copy.deepcopy(model.state_dict())
    X = torch.randn(16, 1, 8, 8)
    measure(model, X, torch.zeros(16, dtype=torch.long), X, min_run_time=0.01)
    assert model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_latency_is_measured_on_the_cpu_and_recorded_with_its_threads():
    """cpu_ms is a positive median, with its spread and the thread count used."""
    X, y = images()
    row = measure(tiny(), X, y, X, min_run_time=0.01, num_threads=1)
    assert row["cpu_ms"] > 0 and row["cpu_iqr_ms"] >= 0
    assert row["threads"] == 1


def test_latency_false_leaves_every_latency_key_none():
    """latency=False times nothing."""
    X, y = images()
    row = measure(tiny(), X, y, X, latency=False)
    assert all(row[k] is None for k in ("cpu_ms", "cpu_iqr_ms", "gpu_ms", "gpu_iqr_ms", "device"))


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present")
def test_no_gpu_latency_without_a_gpu():
    """Without CUDA, gpu_ms is None and the CPU numbers are still there."""
    X, y = images()
    row = measure(tiny(), X, y, X, min_run_time=0.01)
    assert row["gpu_ms"] is None and row["cpu_ms"] is not None


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_gpu_latency_with_a_gpu():
    """With CUDA, gpu_ms is a positive median and the device is named."""
    X, y = images()
    row = measure(tiny(), X, y, X, min_run_time=0.01)
    assert row["gpu_ms"] > 0 and isinstance(row["device"], str)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"model": "net"}, TypeError, "nn.Module"),
        ({"example_batch": torch.randn(16)}, ValueError, "batched"),
        ({"example_batch": [[1.0]]}, ValueError, "batched"),
        ({"num_threads": 0}, ValueError, "num_threads"),
        ({"num_threads": 1.0}, ValueError, "num_threads"),
        ({"min_run_time": 0}, ValueError, "min_run_time"),
    ],
)
def test_measure_rejects_bad_arguments(kwargs, error, match):
    """measure names the bad argument."""
    X, y = images()
    args = {"model": tiny(), "X": X, "y": y, "example_batch": X, **kwargs}
    with pytest.raises(error, match=match):
        measure(**args)


def test_byte_counts_need_a_module():
    """bytes_on_disk and bytes_sparse take an nn.Module."""
    for fn in (bytes_on_disk, bytes_sparse):
        with pytest.raises(TypeError, match="nn.Module"):
            fn({"weight": torch.ones(2)})


# ------------------------------------------------------------------ compare
def test_a_model_against_itself_has_a_speedup_near_one():
    """Timed interleaved, a model and its copy run at the same speed (ratio ~1)."""
    model = stack(4)
    out = compare(model, copy.deepcopy(model), torch.randn(64, 256), repeats=9)
    assert 0.67 < out["speedup"] < 1.5
    assert out["min"] <= out["q25"] <= out["speedup"] <= out["q75"] <= out["max"]
    assert out["repeats"] == 9 and out["batch_size"] == 64 and out["device"] == "cpu"


def test_a_model_with_an_eighth_of_the_work_is_faster():
    """One Linear layer against eight: the measured speedup is well above 1."""
    out = compare(stack(8), stack(1), torch.randn(64, 256), repeats=9)
    assert out["speedup"] > 2
    assert out["baseline_ms"] > out["candidate_ms"]


def test_compare_restores_threads_and_training_modes():
    """compare sets the thread count only while it times, and leaves the modes as they were."""
    a, b = stack(1).train(), stack(1).eval()
    threads = torch.get_num_threads()
    compare(a, b, torch.randn(8, 256), repeats=3, min_block_time=0.001, num_threads=1)
    assert torch.get_num_threads() == threads
    assert a.training and not b.training


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"baseline": "dense"}, TypeError, "baseline"),
        ({"candidate": None}, TypeError, "candidate"),
        ({"example_batch": torch.randn(256)}, ValueError, "batched"),
        ({"repeats": 2}, ValueError, "repeats"),
        ({"repeats": 5.0}, ValueError, "repeats"),
        ({"warmup": -1}, ValueError, "warmup"),
        ({"min_block_time": 0.0}, ValueError, "min_block_time"),
        ({"num_threads": 0}, ValueError, "num_threads"),
        ({"device": "tpu"}, ValueError, "device"),
    ],
)
def test_compare_rejects_bad_arguments(kwargs, error, match):
    """compare names the bad argument."""
    args = {"baseline": stack(1), "candidate": stack(1), "example_batch": torch.randn(4, 256)}
    with pytest.raises(error, match=match):
        compare(**{**args, **kwargs})


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present")
def test_compare_on_cuda_without_a_gpu_says_so():
    """device='cuda' without a GPU is an error that says none was found."""
    with pytest.raises(RuntimeError, match="no(ne)? .*found|CUDA"):
        compare(stack(1), stack(1), torch.randn(4, 256), device="cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_compare_on_cuda_leaves_the_models_on_the_cpu():
    """On a GPU, copies are timed; the models given stay where they were."""
    a, b = stack(8), stack(1)
    out = compare(a, b, torch.randn(256, 256), device="cuda", repeats=5)
    assert out["device"] == "cuda" and out["speedup"] > 0
    assert next(a.parameters()).device.type == "cpu"


# ------------------------------------------------------------------ the interleaving harness
@pytest.fixture
def clock(monkeypatch):
    """A fake ``perf_counter`` that moves one second per call of ``tick``: block lengths are exact."""
    now = [0.0]
    monkeypatch.setattr(timing.time, "perf_counter", lambda: now[0])

    def tick():
        now[0] += 1.0

    return tick


@pytest.mark.parametrize("min_time", [1, 7, 100, 12345])
def test_calls_per_block_reaches_min_time_without_overshooting_tenfold(clock, min_time):
    """The block size it picks lasts at least min_time, and at most about 10x longer."""
    number = timing.calls_per_block(clock, min_time)
    assert min_time <= number <= 10 * min_time


def test_interleave_alternates_the_order_and_times_each_variant_once_per_repeat(clock):
    """Repeats run A B, B A, A B, ...; each variant gets one seconds-per-call entry per repeat."""
    calls = []

    def variant(name):
        def fn():
            calls.append(name)
            clock()

        return fn

    seconds, number = timing.interleave(
        {"a": variant("a"), "b": variant("b")}, repeats=4, min_time=1, warmup=2
    )
    assert number == {"a": 1, "b": 1}
    assert calls[-8:] == list("abbaabba")
    assert seconds == {"a": [1.0] * 4, "b": [1.0] * 4}


def test_time_block_synchronises_around_the_clock_and_restores_gc():
    """sync runs before the clock starts and before it stops; garbage collection comes back on."""
    events = []
    timing.time_block(lambda: events.append("call"), 3, sync=lambda: events.append("sync"))
    assert events == ["sync", "call", "call", "call", "sync"]
    assert gc.isenabled()


def test_spread_of_known_values():
    """spread gives the median, quartiles, extremes and count of a list."""
    s = timing.spread([5.0, 1.0, 4.0, 2.0, 3.0])
    assert s == {"median": 3.0, "q25": 2.0, "q75": 4.0, "min": 1.0, "max": 5.0, "n": 5}


# ------------------------------------------------------------------ table, front
def _row(params, macs, acc, cpu_ms=None):
    return {
        "params": params,
        "nonzeros": params,
        "macs": macs,
        "bytes_on_disk": 4 * params,
        "bytes_sparse": 4 * params,
        "accuracy": acc,
        "batch_size": 256,
        "cpu_ms": cpu_ms,
        "gpu_ms": None,
    }


def test_table_shows_each_cost_reduction_against_the_baseline():
    """A model with a quarter of the MACs and half the latency reads 4.0x and 2.0x."""
    rows = {"dense": _row(1000, 4000, 0.99, 8.0), "small": _row(500, 1000, 0.98, 4.0)}
    text = table(rows)
    small = text.splitlines()[2]
    assert small.startswith("small")
    assert "1,000 (4.0x)" in small and "500 (2.0x)" in small
    assert "4.00 (2.0x)" in small and "0.980 (-1.0)" in small


def test_table_prefers_the_interleaved_speedup():
    """A cpu_speedup key (from compare) is shown instead of the ratio of two medians."""
    rows = {"dense": _row(10, 40, 0.9, 8.0), "small": {**_row(5, 10, 0.9, 4.0), "cpu_speedup": 2.5}}
    assert "4.00 (2.5x)" in table(rows)


def test_table_without_latency_has_no_latency_column():
    """latency=False prints only the stable columns."""
    rows = {"dense": _row(10, 40, 0.9, 8.0)}
    assert "CPU" not in table(rows, latency=False) and "CPU" in table(rows)


def test_table_rejects_an_unknown_baseline_and_empty_rows():
    """table names a baseline that is not a row, and refuses no rows."""
    with pytest.raises(ValueError, match="baseline"):
        table({"dense": _row(10, 40, 0.9)}, baseline="sparse")
    with pytest.raises(ValueError, match="non-empty"):
        table({})


def test_pareto_front_keeps_the_points_nothing_beats():
    """(cost, accuracy): (1, .9) and (3, .95) and (5, .97) are on the front; the rest are beaten."""
    costs = [5, 3, 4, 1, 2, 3]
    accs = [0.97, 0.95, 0.94, 0.90, 0.89, 0.95]
    assert pareto_front(costs, accs) == [3, 1, 0]


def test_pareto_front_rejects_mismatched_lengths():
    """Costs and accuracies must pair up."""
    with pytest.raises(ValueError, match="equal length"):
        pareto_front([1, 2, 3], [0.9, 0.8])


# ------------------------------------------------------------------ baseline
def test_baseline_cnn_is_seeded():
    """The same seed gives the same weights; another seed does not."""
    g = torch.Generator().manual_seed(0)
    X, y = torch.randn(64, 1, 8, 8, generator=g), torch.randint(0, 10, (64,), generator=g)
    a, b, c = baseline_cnn(X, y, seed=0), baseline_cnn(X, y, seed=0), baseline_cnn(X, y, seed=1)
    assert all(torch.equal(v, b.state_dict()[k]) for k, v in a.state_dict().items())
    assert not torch.equal(a.conv1.weight, c.conv1.weight)
    assert not a.training and math.isfinite(float(a.fc.weight.detach().sum()))
