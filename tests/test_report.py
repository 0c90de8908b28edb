"""Reports built from hand-made results: learners, both CSV layouts, JSON, summary, progress."""

import csv
import datetime
import io
import json

import pytest

import minprune
from minprune_course import report
from minprune_course.grader import Result, Score

TITLES = {"test_mask": "1. Pruning by a threshold", "test_count": "2. Counting"}
MAX = {"test_mask": 2.0, "test_count": 1.0}
HINT = "the mask keeps 5 weights, expected 3\nhint: compare with >, not >="


def result(path, master="03_pruning", failed=(), hint=HINT, seed=7):
    """A graded submission: every exercise passed except those in ``failed``."""
    scores = [
        Score(gid, 0.0, most, "failed", hint, "", TITLES[gid])
        if gid in failed
        else Score(gid, most, most, "passed", "", "", TITLES[gid])
        for gid, most in MAX.items()
    ]
    return Result(path, master, scores=scores, seed=seed, sandbox="bubblewrap")


def broken(path, master=None, message="not a notebook: Expecting value"):
    """A submission that could not be graded."""
    return Result(path, master, status="error", message=message)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


PER_FOLDER = [
    result("subs/alice/03_pruning.ipynb"),
    result("subs/bob/03_pruning.ipynb", failed=["test_mask"]),
    result("subs/alice/04_counting.ipynb", master="04_counting"),
]


@pytest.mark.parametrize(
    "results, layout, expected",
    [
        (PER_FOLDER, "auto", ["alice", "bob", "alice"]),
        (PER_FOLDER, "file", ["03_pruning", "03_pruning", "04_counting"]),
        ([result("in/alice.ipynb"), result("in/bob.ipynb")], "auto", ["alice", "bob"]),
        ([result("in/alice.ipynb"), result("in/bob.ipynb")], "folder", ["in", "in"]),
        ([result("s/alice/ps1/03.ipynb"), result("s/bob/ps1/03.ipynb")], "auto", ["alice", "bob"]),
        ([result("t/03/alice.ipynb"), result("t/03/bob.ipynb")], "auto", ["alice", "bob"]),
        ([result("subs/alice/03.ipynb")], "folder", ["alice"]),
    ],
)
def test_learners_are_named_by_their_folder_or_file(results, layout, expected):
    """Per-learner folders (nbgrader's too) name learners; one shared folder, the files."""
    assert report.learners(results, layout) == expected


def test_learners_in_topic_folders_are_named_by_file():
    """Folders holding several learners' copies of one master are not learners: files name them."""
    results = [result("t/03/alice.ipynb"), result("t/03/bob.ipynb"), result("t/x/carol.ipynb")]
    assert report.learners(results) == ["alice", "bob", "carol"]


def test_gradebook_csv_has_one_row_per_learner_with_titled_columns(tmp_path):
    """Columns are the exercises' titles and maxima; a learner's two notebooks share a row."""
    results = [*PER_FOLDER, broken("subs/carol/03_pruning.ipynb", "03_pruning")]
    report.write_csv(results, tmp_path / "g.csv")
    head, *rows = read_csv(tmp_path / "g.csv")
    assert head == [
        "learner",
        "03_pruning: 1. Pruning by a threshold (2)",
        "03_pruning: 2. Counting (1)",
        "04_counting: 1. Pruning by a threshold (2)",
        "04_counting: 2. Counting (1)",
        "total",
        "max_total",
        "status",
        "message",
        "seed",
    ]
    by_learner = {row[0]: dict(zip(head, row)) for row in rows}
    assert list(by_learner) == ["alice", "bob", "carol"]
    assert (by_learner["alice"]["total"], by_learner["alice"]["max_total"]) == ("6", "6")
    bob = by_learner["bob"]
    assert (bob["03_pruning: 1. Pruning by a threshold (2)"], bob["total"]) == ("0", "1")
    assert bob["04_counting: 2. Counting (1)"] == "" and bob["seed"] == "7"


def test_gradebook_csv_leaves_an_ungradable_row_empty_with_its_reason(tmp_path):
    """An ungradable submission: empty cells and total, status error, its reason; never 0 of 0."""
    results = [result("in/alice.ipynb"), broken("in/carol.ipynb")]
    report.write_csv(results, tmp_path / "g.csv")
    with open(tmp_path / "g.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[1:3] == ["1. Pruning by a threshold (2)", "2. Counting (1)"]
    carol = rows[1]
    assert carol["learner"] == "carol" and carol["status"] == "error"
    assert carol["message"] == "not a notebook: Expecting value"
    assert [carol[k] for k in list(carol)[1:5]] == ["", "", "", ""]
    assert rows[0]["status"] == "graded" and rows[0]["message"] == ""


def test_canvas_csv_follows_the_gradebook_import_layout(tmp_path):
    """Canvas: identity columns, one total per notebook, a Points Possible row, blanks for errors."""
    results = [*PER_FOLDER, broken("subs/carol/03_pruning.ipynb", "03_pruning")]
    report.write_csv(results, tmp_path / "c.csv", format="canvas")
    rows = read_csv(tmp_path / "c.csv")
    assert rows[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "03_pruning",
        "04_counting",
    ]
    assert rows[1] == ["Points Possible", "", "", "", "", "3", "3"]
    assert rows[2:] == [
        ["alice", "", "", "alice", "", "3", "3"],
        ["bob", "", "", "bob", "", "1", ""],
        ["carol", "", "", "carol", "", "", ""],
    ]


def test_json_says_who_graded_when_and_keeps_whole_hints(tmp_path):
    """The JSON names the version, a parseable UTC time, the learner and the full hint."""
    results = [result("subs/alice/03.ipynb", failed=["test_mask"]), broken("subs/bob/03.ipynb")]
    report.write_json(results, tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["grader"]["version"] == minprune.__version__
    created = datetime.datetime.fromisoformat(data["grader"]["created"])
    assert created.utcoffset() == datetime.timedelta(0)
    assert data["grader"]["python"].count(".") == 2
    alice, bob = data["submissions"]
    assert set(alice) == set(report.JSON_SCHEMA["submissions"][0])
    assert alice["learner"] == "alice" and alice["sandbox"] == "bubblewrap"
    assert alice["exercises"]["test_mask"] == {
        "title": "1. Pruning by a threshold",
        "points": 0.0,
        "max_points": 2.0,
        "status": "failed",
        "message": HINT,
        "flag": "",
    }
    assert set(alice["exercises"]["test_mask"]) == set(
        report.JSON_SCHEMA["submissions"][0]["exercises"]["<grade_id>"]
    )
    assert (bob["learner"], bob["status"], bob["total"], bob["exercises"]) == (
        "bob",
        "error",
        0,
        {},
    )


def test_summary_names_the_most_failed_exercise_and_its_commonest_hint():
    """The exercise most learners failed is named with the hint most of them got."""
    other = "the mask has the wrong shape"
    results = [
        result("in/a.ipynb", failed=["test_mask"]),
        result("in/b.ipynb", failed=["test_mask"]),
        result("in/c.ipynb", failed=["test_mask"], hint=other),
        result("in/d.ipynb", failed=["test_count"]),
        broken("in/e.ipynb"),
    ]
    text = report.summary(results)
    assert text.splitlines()[0] == (
        "5 submissions: 4 graded, 5/12 points in all; 1 could not be graded"
    )
    assert "1. Pruning by a threshold  mean 0.50/2  1 passed, 3 failed" in text
    reteach = text.split("Most learners did not pass")[1]
    assert "1. Pruning by a threshold: 3 of 4" in reteach
    assert "most common hint (2x): the mask keeps 5 weights, expected 3" in reteach
    assert "2. Counting" not in reteach and "hint: compare" not in reteach


def test_summary_of_a_class_that_passed_lists_nothing_to_reteach():
    """No exercise failed by most learners: no reteach list."""
    text = report.summary([result("in/a.ipynb"), result("in/b.ipynb", failed=["test_count"])])
    assert "2 passed" in text and "Most learners" not in text


@pytest.mark.parametrize("stream, quiet", [(io.StringIO(), False), (FakeTerminal(), True)])
def test_progress_is_silent_off_a_terminal_or_when_quiet(stream, quiet):
    """Not a terminal, or quiet: nothing is written."""
    progress = report.Progress(2, stream=stream, quiet=quiet)
    progress(result("in/a.ipynb"))
    progress(result("in/b.ipynb"))
    progress.close()
    assert stream.getvalue() == ""


def test_progress_draws_one_line_with_the_time_left_on_a_terminal():
    """On a terminal: one redrawn line, count, bar and time left from the pace so far."""
    now = [100.0]
    stream = FakeTerminal()
    progress = report.Progress(3, stream=stream, clock=lambda: now[0])
    now[0] += 40
    progress(result("in/a.ipynb"))
    assert stream.getvalue().startswith("\rgraded 1/3  [######..............]")
    assert "about 1 min 20 s left" in stream.getvalue() and "\n" not in stream.getvalue()
    now[0] += 40
    progress(result("in/b.ipynb"))
    progress(result("in/c.ipynb"))
    assert stream.getvalue().endswith(
        "graded 3/3  [####################]  done in 1 min 20 s\x1b[K\n"
    )


def test_progress_close_ends_an_unfinished_line():
    """Grading that stops early leaves the terminal on a fresh line."""
    stream = FakeTerminal()
    progress = report.Progress(3, stream=stream)
    progress(result("in/a.ipynb"))
    progress.close()
    assert stream.getvalue().endswith("\n") and stream.getvalue().count("\n") == 1


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda p: report.learners(PER_FOLDER, "student"), r"layout='student'.*'folder'"),
        (lambda p: report.write_csv(PER_FOLDER, p, format="moodle"), r"format='moodle'.*'canvas'"),
        (lambda p: report.write_csv(PER_FOLDER, p, layout="x"), r"layout='x'.*expected one of"),
        (lambda p: report.write_json(PER_FOLDER, p, layout="x"), r"layout='x'.*expected one of"),
        (lambda p: report.write_csv(PER_FOLDER[:2], p, "file"), r"learner '03_pruning' has two"),
        (lambda p: report.Progress(2.5), r"total=2.5 must be a count"),
    ],
)
def test_bad_arguments_are_named(tmp_path, call, match):
    """Unknown layouts and formats, clashing learners and a fractional total raise ValueError."""
    with pytest.raises(ValueError, match=match):
        call(tmp_path / "out")
