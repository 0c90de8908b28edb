"""Grading a class on a Dask cluster, next to grading it with local processes.

A folder of 26 submissions (copies of the fixture course's master, full marks,
and of its released exercise, none, alternating; ``tests/fixtures/course``) is
graded twice per repeat, side by side, the order alternating: with ``--jobs 2``
(two local processes) and on a ``distributed.LocalCluster`` of 2 worker
processes of one thread each, started by the benchmark. Only the grading is
timed, not the cluster's start; the workers' first import of the grader is
timed (in the first repeat). The figure is cluster time over ``--jobs 2`` time
per repeat: what the scheduler, its transfers and its workers cost, which a
class wins back by having more than two workers.

Both are timed the same way, each in a fresh process: ``minprune grade FOLDER
--masters M`` with ``--jobs 2`` or ``--scheduler ADDRESS`` when the command has
``--scheduler``, else ``grader.grade_all(..., jobs=2)`` or ``grader.grade_all(...,
scheduler=ADDRESS)`` run by ``python -c`` as the command would run it
(``config["via"]`` says which). Every run's scores are checked.
"""

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.timing import headline, spread

TITLE = "Grading a class on a Dask cluster, against local processes"
GOAL = "a Dask cluster of 2 workers at most 1.2x --jobs 2"
ROOT = Path(__file__).resolve().parent.parent
MASTERS = ROOT / "tests" / "fixtures" / "course" / "solutions"
QUICK_SKIP = (
    "starts a Dask cluster and grades 26 notebooks four times (minutes); run without --quick"
)
REPEATS = 2
SUBMISSIONS = 26
WORKERS = 2

# What ``minprune grade`` does, for a command that has no --scheduler yet.
_GRADE_ALL = """
import sys
from minprune_course import grader, report
folder, masters, out, how, value = sys.argv[1:]
paths = [p for p, _ in grader.expand([folder])]
where = {"jobs": int(value)} if how == "--jobs" else {"scheduler": value}
report.write_json(grader.grade_all(paths, masters, **where), out)
"""


def unavailable():
    try:
        import distributed  # noqa: F401

        from minprune_course import cli, cluster, grader  # noqa: F401
    except ImportError as err:
        return f"the grader or Dask distributed cannot be imported: {err}"
    if not (MASTERS / "90_fixture.ipynb").exists():
        return f"no fixture course master at {MASTERS / '90_fixture.ipynb'}"
    return None


def _cli_has_scheduler():
    help_text = subprocess.run(
        [sys.executable, "-m", "minprune_course.cli", "grade", "--help"],
        capture_output=True,
        text=True,
    ).stdout
    return "--scheduler" in help_text


def _class(folder):
    """Write the submissions: the master and the released exercise, alternating."""
    from minprune_course import notebooks as nbs
    from minprune_course import release

    master = MASTERS / "90_fixture.ipynb"
    exercise = release.make_exercise(nbs.read_notebook(master), "90_fixture")
    for i in range(SUBMISSIONS):
        path = folder / f"90_learner{i:02d}.ipynb"
        if i % 2 == 0:
            shutil.copy(master, path)
        else:
            nbs.write_notebook(exercise, path)


def _grade(via, folder, out, how, value):
    """Grade ``folder`` in a fresh process (``how`` is ``--jobs`` or ``--scheduler``);
    return its wall-clock seconds, having checked every score."""
    if via == "cli":
        args = ["-m", "minprune_course.cli", "grade", folder, "--masters", MASTERS]
        args += ["--json", out, how, value]
    else:
        args = ["-c", _GRADE_ALL, folder, MASTERS, out, how, value]
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"grading with {how} {value} failed: {proc.stderr[-500:]}")
    totals = sorted(r["total"] for r in json.loads(Path(out).read_text())["submissions"])
    expected = sorted([5.0] * ((SUBMISSIONS + 1) // 2) + [0.0] * (SUBMISSIONS // 2))
    if totals != expected:
        raise RuntimeError(f"grading with {how} {value} gave totals {totals}, not {expected}")
    return seconds


def run(quick=False):
    from distributed import LocalCluster

    via = "cli" if _cli_has_scheduler() else "grade_all"
    seconds = {"jobs": [], "cluster": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "submitted"
        folder.mkdir()
        _class(folder)
        with LocalCluster(
            n_workers=WORKERS, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local:
            where = {
                "jobs": ("--jobs", WORKERS),
                "cluster": ("--scheduler", local.scheduler_address),
            }
            for r in range(REPEATS):
                for what in ("jobs", "cluster") if r % 2 == 0 else ("cluster", "jobs"):
                    out = Path(tmp) / f"{what}.json"
                    seconds[what].append(_grade(via, folder, out, *where[what]))
    ratio = spread([c / j for c, j in zip(seconds["cluster"], seconds["jobs"])])
    return {
        "config": {
            "repeats": REPEATS,
            "submissions": SUBMISSIONS,
            "workers": WORKERS,
            "threads_per_worker": 1,
            "jobs": WORKERS,
            "via": via,
        },
        "grading_seconds": seconds,
        "cluster_over_jobs": ratio,
        "headline": [
            headline(
                f"Dask cluster of {WORKERS} workers / --jobs {WORKERS}, {SUBMISSIONS} submissions "
                f"(median; min-max over {REPEATS} repeats)",
                ratio,
                1.2,
                "<=",
                "x",
            )
        ],
    }
