"""``minprune grade``: each exercise scored on its own, whatever the submission does."""

import csv
import json
import shutil

import nbformat
import pytest
from conftest import FIXTURE_COURSE, FIXTURE_MASTER, cell_by_id

from minprune_course import cli, grader, kernel, release, sandbox
from minprune_course import notebooks as nbs
from minprune_course.runner import Runner

MASTERS = FIXTURE_COURSE / "solutions"
ROOT = nbs.repo_root()
FULL = {"test_sparsity": 2.0, "test_count": 1.0, "test_mask": 2.0}


def grade(path, cell_timeout=20, notebook_timeout=120):
    return grader.grade_notebook(path, MASTERS, cell_timeout, notebook_timeout)


def by_id(result):
    return {s.grade_id: s for s in result.scores}


def submit(tmp_path, nb, name="90_fixture"):
    """Save ``nb`` as a submission and return its path."""
    path = tmp_path / f"{name}.ipynb"
    nbs.write_notebook(nb, path)
    return path


def answer(nb, grade_id, source):
    """Set the source of ``nb``'s answer cell ``grade_id``."""
    cell_by_id(nb, grade_id).source = source
    return nb


def learner_cell(nb, after, source):
    """Insert a learner's own code cell after the cell ``after``."""
    index = nb.cells.index(cell_by_id(nb, after))
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    return nb


def test_master_scores_full_marks():
    """The master notebook itself earns every point."""
    result = grade(FIXTURE_MASTER)
    assert {s.grade_id: s.points for s in result.scores} == FULL
    assert {s.status for s in result.scores} == {"passed"}
    assert (result.total, result.max_total) == (5.0, 5.0)


def test_released_exercise_scores_zero_and_names_the_stub(tmp_path, master):
    """The untouched exercise scores 0; each reason names the function to write."""
    path = submit(tmp_path, release.make_exercise(master, "90_fixture"), "alice")
    result = grade(path)
    assert result.status == "graded" and result.master == "90_fixture"
    assert result.total == 0 and result.max_total == 5
    assert by_id(result)["test_count"].status == "failed"
    assert by_id(result)["test_count"].message.startswith("count_params: not answered yet")


def test_wrong_answer_fails_only_its_exercise(tmp_path, master):
    """A wrong sparsity costs its 2 points with a hint; the rest still pass."""
    answer(master, "sparsity_answer", "def sparsity(weights):\n    return 0.5")
    result = grade(submit(tmp_path, master))
    s = by_id(result)["test_sparsity"]
    assert (s.points, s.status, s.message) == (0, "failed", "sparsity(Ws) returned a wrong value")
    assert result.total == 3


def test_answer_that_raises_is_an_error(tmp_path, master):
    """An exception other than AssertionError is status error, with its message."""
    answer(master, "count_answer", "def count_params(sizes):\n    raise ValueError('no sizes')")
    s = by_id(grade(submit(tmp_path, master)))["test_count"]
    assert (s.points, s.status, s.message) == (0, "error", "ValueError: no sizes")


@pytest.mark.slow
def test_infinite_loop_times_out_and_later_exercises_are_scored(tmp_path, master):
    """A loop that never ends costs its exercise; the next one still passes."""
    answer(master, "count_answer", "def count_params(sizes):\n    while True:\n        pass")
    learner_cell(master, "setup", "helper_offset = 0.0")
    answer(
        master,
        "mask_answer",
        "def threshold_mask(W, threshold):\n"
        "    return (np.abs(W) > threshold + helper_offset).astype(float)",
    )
    result = grade(submit(tmp_path, master), cell_timeout=3)
    scores = by_id(result)
    assert scores["test_count"].status == "timeout" and scores["test_count"].points == 0
    assert "time limit" in scores["test_count"].message
    assert scores["test_sparsity"].points == 2 and scores["test_mask"].points == 2


@pytest.mark.slow
def test_notebook_time_limit_keeps_earlier_points(tmp_path, master):
    """When the whole notebook runs out of time, points scored before are kept."""
    answer(master, "count_answer", "import time\ntime.sleep(60)")
    result = grade(submit(tmp_path, master), cell_timeout=60, notebook_timeout=6)
    scores = by_id(result)
    assert scores["test_sparsity"].points == 2
    assert scores["test_count"].status == scores["test_mask"].status == "timeout"
    assert result.total == 2


def test_always_equal_answers_fail(tmp_path, master):
    """Answers whose ``__eq__`` always says yes score nothing."""
    learner_cell(
        master,
        "setup",
        "class Liar(float):\n"
        "    def __eq__(self, other):\n        return True\n"
        "    __hash__ = float.__hash__\n"
        "class LiarInt(int):\n"
        "    def __eq__(self, other):\n        return True\n"
        "    __hash__ = int.__hash__",
    )
    answer(master, "sparsity_answer", "def sparsity(weights):\n    return Liar(0.0)")
    answer(master, "count_answer", "def count_params(sizes):\n    return LiarInt(0)")
    scores = by_id(grade(submit(tmp_path, master)))
    assert scores["test_sparsity"].status == "failed"
    assert scores["test_count"].message == (
        "count_params([64, 32, 10]) returned a LiarInt; expected an int"
    )


PATCH_EVERYTHING = """\
import numpy as np
import builtins
from minprune_course import checks
yes = lambda *args, **kwargs: True
nothing = lambda *args, **kwargs: None
np.allclose = np.isclose = np.array_equal = np.array_equiv = yes
np.testing.assert_allclose = np.testing.assert_array_equal = nothing
np.testing.assert_equal = np.testing.assert_almost_equal = nothing
checks.expect_close = checks.expect_equal = checks.expect_equal_int = nothing
checks.expect_float = checks.expect_mask = nothing
builtins.all = builtins.any = yes
"""


def test_monkeypatching_numpy_and_the_checks_does_not_help(tmp_path, master):
    """A learner cell replacing numpy's comparisons and the checks changes no score."""
    learner_cell(master, "setup", PATCH_EVERYTHING)
    answer(master, "sparsity_answer", "def sparsity(weights):\n    return 0.5")
    answer(master, "count_answer", "def count_params(sizes):\n    return 1")
    answer(
        master,
        "mask_answer",
        "def threshold_mask(W, threshold):\n"
        "    np.allclose = np.array_equal = lambda *a, **k: True\n"
        "    return np.ones_like(W)",
    )
    scores = by_id(grade(submit(tmp_path, master)))
    assert {s.status for s in scores.values()} == {"failed"}
    assert scores["test_mask"].message == "threshold_mask(W, 0.5): values differ at 3 of 6 entries"


def test_edited_test_cell_is_restored(tmp_path, master):
    """Emptying a test cell (and raising its points) does not pass a wrong answer."""
    answer(master, "count_answer", "def count_params(sizes):\n    return 1")
    test = cell_by_id(master, "test_count")
    test.source = "pass"
    test.metadata.nbgrader["points"] = 100
    s = by_id(grade(submit(tmp_path, master)))["test_count"]
    assert (s.status, s.max_points) == ("failed", 1.0)


def test_deleted_test_cell_is_restored(tmp_path, master):
    """A deleted test cell is re-added and scored, hidden tests included."""
    answer(
        master,
        "count_answer",
        "def count_params(sizes):\n    return 2410 if len(sizes) == 3 else 0",
    )
    master.cells.remove(cell_by_id(master, "test_count"))
    master.cells.remove(cell_by_id(master, "test_mask"))
    scores = by_id(grade(submit(tmp_path, master)))
    assert scores["test_count"].status == "failed"
    assert (
        scores["test_count"].message
        == "count_params([3, 1]) returned 0, which is not the expected count"
    )
    assert scores["test_mask"].status == "passed"


def test_deleted_answer_cell_is_missing(tmp_path, master):
    """An answer cell that was deleted scores 0 with status missing."""
    master.cells.remove(cell_by_id(master, "mask_answer"))
    s = by_id(grade(submit(tmp_path, master)))["test_mask"]
    assert (s.points, s.status, s.message) == (
        0,
        "missing",
        "answer cell 'mask_answer' was deleted",
    )


@pytest.mark.slow
def test_os_exit_kills_only_its_exercise(tmp_path, master):
    """``os._exit`` in an answer costs that exercise; the kernel restarts for the rest."""
    answer(master, "sparsity_answer", "import os\n\ndef sparsity(weights):\n    os._exit(1)")
    scores = by_id(grade(submit(tmp_path, master)))
    assert scores["test_sparsity"].status == "kernel died"
    assert scores["test_count"].points == 1 and scores["test_mask"].points == 2


def test_huge_output_is_capped(tmp_path, master):
    """A cell printing 50 MB is graded normally and leaves a small report."""
    learner_cell(master, "setup", "print('x' * 50_000_000)")
    result = grade(submit(tmp_path, master))
    assert result.total == 5
    out = tmp_path / "scores.json"
    from minprune_course import report

    report.write_json([result], out)
    assert out.stat().st_size < 10_000


def test_runner_keeps_at_most_max_output_characters(tmp_path):
    """The runner keeps a capped prefix of a huge output and says it cut it."""
    with Runner(tmp_path, cell_timeout=30, total_timeout=60, max_output=1000) as runner:
        result = runner.run("print('x' * 50_000_000)")
    kept = "".join(o.get("text", "") for o in result.outputs)
    assert result.status == "ok" and len(kept) < 1100 and "output cut" in kept


BOXED = pytest.param(
    True,
    id="sandbox",
    marks=pytest.mark.skipif(not sandbox.available()[0], reason="no bubblewrap sandbox here"),
)


@pytest.mark.parametrize("boxed", [pytest.param(False, id="plain"), BOXED])
def test_a_kernel_computes_on_one_thread_unless_the_grader_names_a_count(
    tmp_path, monkeypatch, boxed
):
    """Kernels graded side by side keep to a core each: with no count in the grader's
    environment every library gets one thread, torch included; an instructor's own
    settings are passed on as they are."""
    names = tuple(kernel.THREADS)  # OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS
    probe = (
        f"import os, torch\nprint([os.environ.get(k) for k in {names!r}], torch.get_num_threads())"
    )
    for name in names:
        monkeypatch.delenv(name, raising=False)
    seen = []
    for count in (None, "2"):
        if count:
            monkeypatch.setenv("OMP_NUM_THREADS", count)
        box = sandbox.Sandbox(str(tmp_path)) if boxed else None
        with Runner(tmp_path, cell_timeout=60, total_timeout=120, sandbox=box) as runner:
            seen.append("".join(o.get("text", "") for o in runner.run(probe).outputs))
    assert seen == ["['1', '1', '1'] 1\n", "['2', None, None] 2\n"]


def test_not_json_is_an_error_row(tmp_path):
    """A file that is not JSON gets an error row, not a crash."""
    path = tmp_path / "90_fixture.ipynb"
    path.write_text("{ not json")
    result = grade(path)
    assert result.status == "error" and "not a notebook (invalid JSON" in result.message


def test_unknown_lesson_is_an_error_row(tmp_path, master):
    """A notebook matching no master is refused by name."""
    master.metadata.pop("minprune", None)
    result = grade(submit(tmp_path, master, "zz_mystery"))
    assert result.status == "error" and "unknown lesson" in result.message


def test_master_is_found_by_metadata_or_lesson_number(master):
    """A renamed exercise finds its master by metadata, else by its NN_ prefix."""
    exercise = release.make_exercise(master, "90_fixture")
    assert grader.find_master(exercise, "alice.ipynb", MASTERS) == FIXTURE_MASTER
    exercise.metadata.pop("minprune")
    assert grader.find_master(exercise, "90_fixture (1).ipynb", MASTERS) == FIXTURE_MASTER
    with pytest.raises(grader.GradeError, match="alice.ipynb: unknown lesson"):
        grader.find_master(exercise, "alice.ipynb", MASTERS)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "nope.ipynb", "nope.ipynb: no such file or folder"),
        (
            lambda tmp: (tmp / "bad.ipynb", (tmp / "bad.ipynb").write_text("[]"))[0],
            "not a notebook",
        ),
    ],
    ids=["missing", "not-a-notebook"],
)
def test_cli_unusable_input_is_one_line_exit_2(tmp_path, capsys, make, message):
    """Unusable input exits 2 with one line on stderr and no traceback."""
    status = cli.main(["grade", str(make(tmp_path)), "--masters", str(MASTERS)])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("minprune: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.slow
def test_cli_grades_a_folder_in_parallel_and_writes_json_and_csv(tmp_path, master, capsys):
    """A folder of submissions, --jobs 2: every row, page and summary written, a bad file
    included, exit 0."""
    folder = tmp_path / "submitted"
    folder.mkdir()
    shutil.copy(FIXTURE_MASTER, folder / "90_fixture.ipynb")
    nbs.write_notebook(release.make_exercise(master, "90_fixture"), folder / "bob.ipynb")
    (folder / "carol.ipynb").write_text("garbage")
    out_json, out_csv, pages = tmp_path / "s.json", tmp_path / "s.csv", tmp_path / "pages"
    argv = ["grade", str(folder), "--masters", str(MASTERS), "--jobs", "2", "--timeout", "20"]
    argv += ["--json", str(out_json), "--csv", str(out_csv), "--feedback", str(pages)]
    status = cli.main(argv)
    assert status == 0
    data = json.loads(out_json.read_text())
    assert data["grader"]["version"] and data["grader"]["created"]
    rows = {r["learner"]: r for r in data["submissions"]}
    assert rows["90_fixture"]["total"] == 5 and rows["90_fixture"]["max_total"] == 5
    assert rows["bob"]["total"] == 0
    test_mask = rows["bob"]["exercises"]["test_mask"]
    assert test_mask == {
        "title": "3. A threshold mask",
        "points": 0.0,
        "max_points": 2.0,
        "status": "failed",
        "message": test_mask["message"],
        "flag": "",
    }
    assert "not answered yet" in test_mask["message"]
    seeds = {name: row["seed"] for name, row in rows.items()}
    assert isinstance(seeds["90_fixture"], int) and seeds["carol"] is None
    assert rows["carol"]["status"] == "error"
    with out_csv.open(newline="") as f:
        table = list(csv.DictReader(f))
    assert [r["learner"] for r in table] == ["90_fixture", "bob", "carol"]
    assert list(table[0]) == [
        "learner",
        "1. Sparsity (2)",
        "2. Parameters (1)",
        "3. A threshold mask (2)",
        "total",
        "max_total",
        "status",
        "message",
        "seed",
    ]
    assert table[0]["seed"] == str(seeds["90_fixture"])
    assert (table[0]["1. Sparsity (2)"], table[0]["total"], table[1]["total"]) == ("2", "5", "0")
    assert (table[2]["total"], table[2]["status"]) == ("", "error") and table[2]["message"]
    assert sorted(p.name for p in pages.iterdir()) == [
        "90_fixture-90_fixture.html",
        "bob-90_fixture.html",
        "carol.html",
    ]
    out, err = capsys.readouterr()
    assert "3 submissions: 2 graded, 5/10 points in all; 1 could not be graded" in out
    assert "3. A threshold mask  mean 1.00/2  1 passed, 1 failed" in out
    assert "graded 1/3" not in err  # no progress line off a terminal


SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_course_solution_scores_full_marks(path):
    """Each real master scores full marks against itself."""
    result = grader.grade_notebook(path, ROOT / "solutions")
    failed = [
        f"{s.grade_id}: {s.status} {s.message}" for s in result.scores if s.status != "passed"
    ]
    assert result.status == "graded" and not failed


@pytest.mark.slow
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_course_exercise_scores_zero_without_crashing(path):
    """Each released exercise scores 0, every exercise failing in its own cell."""
    result = grader.grade_notebook(ROOT / "exercises" / path.name, ROOT / "solutions")
    assert result.status == "graded" and result.total == 0
    assert "kernel died" not in {s.status for s in result.scores}


# ------------------------------------------------------------------ seeds and demos
def steps_of(nb, master):
    return grader.restore(master, nb)[0]


def test_the_seed_follows_the_learners_code_and_the_secret_only(master):
    """The same code draws the same hidden cases whatever its outputs; other code, or
    another course secret, draws others."""
    seed = grader.grading_seed(steps_of(master, master), "s3cret")
    rerun = nbformat.from_dict(nbformat.validator.normalize(master)[1])
    for cell in rerun.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", text="run again\n")]
    assert grader.grading_seed(steps_of(rerun, master), "s3cret") == seed
    assert grader.grading_seed(steps_of(master, master), "other") != seed
    answer(rerun, "count_answer", "def count_params(sizes):\n    return 13")
    assert grader.grading_seed(steps_of(rerun, master), "s3cret") != seed
    assert 0 <= seed < 2**63


def test_grading_twice_gives_the_same_seed_and_scores(tmp_path, master, monkeypatch):
    """Regrading a submission reproduces its seed and its every score."""
    monkeypatch.setenv(grader.SECRET_VARIABLE, "course-secret")
    answer(master, "sparsity_answer", "def sparsity(weights):\n    return 0.5")
    path = submit(tmp_path, master)
    first, second = grade(path), grade(path)
    assert (
        first.seed == second.seed == grader.grading_seed(steps_of(master, master), "course-secret")
    )
    assert [(s.grade_id, s.points, s.message) for s in first.scores] == [
        (s.grade_id, s.points, s.message) for s in second.scores
    ]


def test_the_hidden_tests_see_the_graders_seed_even_if_the_learner_changes_it(tmp_path, master):
    """The kernel holds the submission's seed; a learner's cell that sets another is undone
    before each test cell."""
    probe = (
        "import os\n"
        "assert os.environ['MINPRUNE_GRADING_SEED'] == str(EXPECTED), os.environ['MINPRUNE_GRADING_SEED']"
    )
    learner_cell(master, "count_answer", "import os\nos.environ['MINPRUNE_GRADING_SEED'] = '1'")
    test = cell_by_id(master, "test_count")
    path = submit(tmp_path, master)
    seed = grader.grading_seed(
        steps_of(nbs.read_notebook(path), nbs.read_notebook(FIXTURE_MASTER)), ""
    )
    master_copy = nbs.read_notebook(FIXTURE_MASTER)
    cell_by_id(master_copy, "test_count").source = (
        test.source + "\n" + probe.replace("EXPECTED", str(seed))
    )
    masters = tmp_path / "masters"
    masters.mkdir()
    nbs.write_notebook(master_copy, masters / "90_fixture.ipynb")
    result = grader.grade_notebook(path, masters, 20, 120, secret="")
    assert result.seed == seed
    assert by_id(result)["test_count"].status == "passed", by_id(result)["test_count"].message


def test_demo_cells_are_not_run_when_grading(tmp_path, master):
    """A cell the master marks as a demonstration is skipped in the submission, matched by
    its id or by its mark; the learner's other cells still run."""
    marked = nbformat.v4.new_code_cell("raise SystemExit('a demo ran')")
    marked.metadata["minprune"] = {"demo": True}
    index = master.cells.index(cell_by_id(master, "count_answer"))
    master.cells.insert(index + 1, marked)
    masters = tmp_path / "masters"
    masters.mkdir()
    nbs.write_notebook(master, masters / "90_fixture.ipynb")
    submission = nbformat.from_dict(nbformat.validator.normalize(master)[1])
    copy = next(c for c in submission.cells if c.get("id") == marked.get("id"))
    copy.metadata.pop("minprune")  # the learner's copy lost its mark: its id still matches
    copy.source = "while True:\n    pass"
    learner_cell(submission, "count_answer", "import time")
    steps = grader.restore(master, submission)[0]
    sources = [s.source for s in steps]
    assert (
        "while True:\n    pass" not in sources and "raise SystemExit('a demo ran')" not in sources
    )
    assert "import time" in sources
    result = grader.grade_notebook(submit(tmp_path, submission), masters, 5, 60)
    assert result.total == 5, [(s.grade_id, s.status, s.message) for s in result.scores]
