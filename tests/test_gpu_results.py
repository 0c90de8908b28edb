"""Tests of minprune_course.gpu_results: reading and tabulating recorded GPU measurements."""

import json
import math

import pytest

from minprune_course import gpu_results as gr


def _results():
    """Small results of the shape benchmarks/bench_gpu.py returns."""
    return {
        "environment": {
            "device": "Test GPU",
            "multiprocessors": 10,
            "memory_gib": 8.0,
            "date": "2026-01-02",
            "torch": "2.9.0",
            "cuda": "12.4",
            "cudnn": 90100,
        },
        "timer_agreement": [
            {
                "op": "matmul",
                "cuda_events_s": 2e-3,
                "torch_benchmark_s": 2e-3,
                "naive_unsynced_s": 1e-4,
                "events_over_benchmark": 1.0,
            }
        ],
        "semistructured": [
            {"n": 8, "backend": "a", "call": "linear", "speedup": 0.5, "dense_s": 1, "sparse_s": 2},
            {"n": 8, "backend": "a", "call": "sparse_first", "speedup": 2.0},
            {"n": 16, "backend": "a", "call": "linear", "speedup": 1.5},
            {"n": 8, "backend": "b", "call": "linear", "error": "not here"},
            {"n": 16, "backend": "b", "call": "linear", "error": "not here"},
        ],
        "resnet18": {
            "models": {"dense": {"params": 100, "macs": 1000}, "half": {"params": 50, "macs": 400}},
            "rows": [
                {"model": "dense", "dtype": "float32", "batch": 1, "median_s": 2.0},
                {"model": "half", "dtype": "float32", "batch": 1, "median_s": 1.0},
                {"model": "dense", "dtype": "float16", "batch": 1, "median_s": 1.0},
                {"model": "half", "dtype": "float16", "batch": 1, "median_s": 4.0},
            ],
        },
    }


@pytest.fixture
def results_file(tmp_path):
    path = tmp_path / "gpu-test.json"
    path.write_text(json.dumps(_results()))
    return path


def test_the_recorded_h100_file_loads():
    """The results file the lessons read is in the repository and has every section."""
    results = gr.load_gpu_results()
    assert set(gr._SECTIONS) <= set(results)
    assert results["resnet18"]["rows"]


def test_load_reads_a_given_path(results_file):
    """load_gpu_results(path) reads that file."""
    assert gr.load_gpu_results(results_file)["environment"]["device"] == "Test GPU"


def test_load_says_how_to_make_a_missing_file(tmp_path):
    """A missing file is a FileNotFoundError that names the command writing one."""
    with pytest.raises(FileNotFoundError, match="no GPU results at .*run.py --only gpu"):
        gr.load_gpu_results(tmp_path / "absent.json")


def test_load_reads_the_suites_results_file(tmp_path):
    """A gpu-<device>.json written by the suite is read from its benchmarks.gpu entry."""
    path = tmp_path / "gpu-test.json"
    suite = {"schema": 1, "benchmarks": {"gpu": {"status": "ok", **_results()}}}
    path.write_text(json.dumps(suite))
    assert gr.load_gpu_results(path) == {"status": "ok", **_results()}


@pytest.mark.parametrize(
    ("benchmarks", "match"),
    [
        ({"gpu": {"status": "not available", "reason": "no CUDA GPU"}}, "'not available' .no CUDA"),
        ({"vs_torch": {"status": "ok"}}, "gpu benchmark is 'absent'"),
    ],
)
def test_load_rejects_a_suite_file_whose_gpu_benchmark_did_not_run(tmp_path, benchmarks, match):
    """A suite file without a GPU run is a ValueError giving its status and the command."""
    path = tmp_path / "cpu-test.json"
    path.write_text(json.dumps({"schema": 1, "benchmarks": benchmarks}))
    with pytest.raises(ValueError, match=match + ".*run.py --only gpu"):
        gr.load_gpu_results(path)


def test_load_rejects_a_file_without_a_section(tmp_path):
    """A file lacking a section is a ValueError naming the section."""
    data = _results()
    del data["semistructured"]
    path = tmp_path / "partial.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="lacks the sections .*semistructured"):
        gr.load_gpu_results(path)


def test_load_rejects_a_json_list(tmp_path):
    """A file holding something other than an object is a ValueError."""
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    with pytest.raises(ValueError, match="lacks the sections"):
        gr.load_gpu_results(path)


def test_load_rejects_resnet18_without_rows(tmp_path):
    """resnet18 must hold models and rows."""
    data = _results()
    del data["resnet18"]["rows"]
    path = tmp_path / "norows.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="'models' and 'rows'"):
        gr.load_gpu_results(path)


def test_describe_names_device_date_and_versions():
    """describe gives the device, the date and torch, CUDA and cuDNN versions in one line."""
    line = gr.describe(_results())
    for part in ("Test GPU", "10 SMs", "8.0 GiB", "2026-01-02", "torch 2.9.0", "CUDA 12.4"):
        assert part in line
    assert "cuDNN 9.1.0" in line


def test_timer_rows_add_the_naive_ratio():
    """naive_over_events is the unsynchronised time over the CUDA-event time."""
    (row,) = gr.timer_rows(_results())
    assert row["naive_over_events"] == pytest.approx(0.05)


def test_semistructured_rows_skip_errors_and_flag_wins():
    """Rows with an error are left out; faster is True exactly where speedup > 1."""
    rows = gr.semistructured_rows(_results())
    assert [(r["n"], r["call"]) for r in rows] == [
        (8, "linear"),
        (8, "sparse_first"),
        (16, "linear"),
    ]
    assert [r["faster"] for r in rows] == [False, True, True]


def test_semistructured_rows_filter_by_backend_and_call():
    """backend= and call= keep only the matching rows."""
    rows = gr.semistructured_rows(_results(), backend="a", call="linear")
    assert [r["n"] for r in rows] == [8, 16]
    assert gr.semistructured_rows(_results(), backend="b") == []


def test_semistructured_errors_group_sizes_by_backend_and_message():
    """Each (backend, error) pair lists the sizes it stopped."""
    assert gr.semistructured_errors(_results()) == {("b", "not here"): [8, 16]}


def test_resnet_rows_carry_the_models_counts():
    """Every row gets its model's params and macs."""
    rows = gr.resnet_rows(_results())
    assert [(r["params"], r["macs"]) for r in rows] == [(100, 1000), (50, 400)] * 2


def test_resnet_rows_speedup_is_dense_time_over_row_time_at_the_same_dtype():
    """speedup compares with the dense row of the same dtype and batch; mac_ratio with dense MACs."""
    rows = gr.resnet_rows(_results())
    assert [r["speedup"] for r in rows] == [1.0, 2.0, 1.0, 0.25]
    assert [r["mac_ratio"] for r in rows] == [1.0, 2.5, 1.0, 2.5]


def test_resnet_rows_without_a_dense_row_give_nan_speedup():
    """A batch size the dense model was not timed at has no speedup (NaN)."""
    data = _results()
    data["resnet18"]["rows"].append(
        {"model": "half", "dtype": "float32", "batch": 8, "median_s": 1.0}
    )
    assert math.isnan(gr.resnet_rows(data, model="half", dtype="float32")[-1]["speedup"])


def test_resnet_rows_filter_by_dtype_and_model():
    """dtype= and model= keep only the matching rows."""
    rows = gr.resnet_rows(_results(), dtype="float16", model="half")
    assert [(r["model"], r["dtype"]) for r in rows] == [("half", "float16")]


def test_resnet_rows_reject_an_unknown_dtype():
    """An absent dtype is a ValueError listing the ones present."""
    with pytest.raises(ValueError, match="dtype='bfloat16' is not in the results"):
        gr.resnet_rows(_results(), dtype="bfloat16")


def test_resnet_rows_reject_an_unknown_model():
    """An absent model is a ValueError listing the ones present."""
    with pytest.raises(ValueError, match="model='tiny' is not in the results"):
        gr.resnet_rows(_results(), model="tiny")


def test_resnet_rows_need_a_dense_model():
    """Without a dense model there is nothing to compare with: ValueError."""
    data = _results()
    del data["resnet18"]["models"]["dense"]
    with pytest.raises(ValueError, match="no 'dense' model"):
        gr.resnet_rows(data)


def test_markdown_table_formats_and_scales():
    """Each cell is row[key] * scale in the given format, under a header and a rule."""
    table = gr.markdown_table(
        [{"name": "a", "t": 0.0015}], [("name", "name", ""), ("ms", "t", ".2f", 1e3)]
    )
    assert table.splitlines() == ["| name | ms |", "| --- | --- |", "| a | 1.50 |"]


def test_markdown_table_rejects_a_malformed_column():
    """A column that is not (header, key, format[, scale]) is a ValueError."""
    with pytest.raises(ValueError, match="must be \\(header, key, format"):
        gr.markdown_table([], [("only a header",)])
