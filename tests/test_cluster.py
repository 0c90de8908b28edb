"""Grading on a Dask cluster: the same rows as local grading, and a lost task costs one row."""

import os
import shutil

import dask
import pytest
from conftest import FIXTURE_COURSE, FIXTURE_MASTER
from distributed import LocalCluster

from minprune_course import cli, cluster, grader, release
from minprune_course import notebooks as nbs

MASTERS = FIXTURE_COURSE / "solutions"


@pytest.fixture(scope="module")
def scheduler():
    """The address of a local cluster of two worker processes; a task whose worker dies is
    given up at once (``allowed-failures`` 0) rather than retried on the next worker."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local:
            yield local.scheduler_address


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    """Four submissions: full marks, a wrong answer, the untouched exercise, not a notebook."""
    folder = tmp_path_factory.mktemp("submitted")
    master = nbs.read_notebook(FIXTURE_MASTER)
    shutil.copy(FIXTURE_MASTER, folder / "90_fixture.ipynb")
    nbs.write_notebook(release.make_exercise(master, "90_fixture"), folder / "bob.ipynb")
    (folder / "carol.ipynb").write_text("garbage")
    (cell,) = [c for c in master.cells if nbs.grade_id(c) == "sparsity_answer"]
    cell.source = "def sparsity(weights):\n    return 0.5"
    master.metadata["minprune"] = {"master": "90_fixture"}
    nbs.write_notebook(master, folder / "dave.ipynb")
    return [p for p, _ in grader.expand([folder])]


def row(result):
    """What a report shows of a result."""
    scores = [(s.grade_id, s.points, s.status, s.message) for s in result.scores]
    return (result.submission, result.status, result.message, scores, result.seed, result.total)


class WorkerKiller:
    """A masters folder whose path ends the process that reads it: a worker that dies."""

    def __fspath__(self):
        os._exit(1)


def test_cluster_grades_as_local_processes_do(scheduler, submissions):
    """Every row graded by the cluster's workers equals the local one, in the same order."""
    local = grader.grade_all(submissions, MASTERS, 20, 120, jobs=1)
    remote = grader.grade_all(submissions, MASTERS, 20, 120, scheduler=scheduler)
    assert [row(r) for r in remote] == [row(r) for r in local]
    assert [r.total for r in remote] == [5.0, 0.0, 0.0, 3.0]
    assert [r.status for r in remote] == ["graded", "graded", "error", "graded"]


def test_on_result_is_called_once_per_submission(scheduler, submissions):
    """``on_result`` sees each submission's row exactly once, the rows returned."""
    seen = []
    results = grader.grade_all(
        submissions, MASTERS, 20, 120, scheduler=scheduler, on_result=seen.append
    )
    assert sorted(r.submission for r in seen) == sorted(map(str, submissions))
    assert sorted(map(id, seen)) == sorted(map(id, results))


@pytest.mark.parametrize(
    "address, reason",
    [("tcp://127.0.0.1:1", "OSError: Timed out"), ("nohost", "ValueError: missing port")],
)
def test_unreachable_scheduler_is_one_line_naming_the_address(address, reason):
    """No scheduler at the address: a GradeError naming it, why, and what is expected."""
    work = [(FIXTURE_MASTER, MASTERS, 20, 120, None, "auto")]
    with pytest.raises(grader.GradeError) as raised:
        cluster.grade_on(address, work, timeout=1)
    message = str(raised.value)
    assert message.startswith(f"--scheduler {address!r}: cannot connect ({reason}")
    assert message.endswith(
        "expected the address of a running Dask scheduler, such as tcp://host:8786"
    )
    assert "\n" not in message


def test_worker_that_dies_costs_only_its_row(scheduler):
    """A task whose worker dies is an error row (KilledWorker); the others are graded."""
    work = [
        (FIXTURE_MASTER, MASTERS, 20, 120, None, "auto"),
        ("lost.ipynb", WorkerKiller(), 20, 120, None, "auto"),
    ]
    graded, lost = cluster.grade_on(scheduler, work)
    assert (graded.status, graded.total) == ("graded", 5.0)
    assert (lost.submission, lost.status) == ("lost.ipynb", "error")
    assert lost.message.startswith("KilledWorker: ") and "\n" not in lost.message


def test_the_command_grades_on_the_cluster_and_names_an_unreachable_one(
    scheduler, submissions, tmp_path, capsys
):
    """``minprune grade --scheduler`` writes the same report as a local run; a scheduler
    that does not answer is one line naming the flag, and exit status 2."""
    masters = str(FIXTURE_COURSE / "solutions")
    for name, extra in (("cluster", ["--scheduler", scheduler]), ("local", [])):
        argv = ["grade", str(submissions[0].parent), "--masters", masters, "--timeout", "20"]
        assert cli.main([*argv, "--csv", str(tmp_path / f"{name}.csv"), *extra]) == 0
    assert (tmp_path / "cluster.csv").read_text() == (tmp_path / "local.csv").read_text()
    capsys.readouterr()
    argv = ["grade", str(FIXTURE_MASTER), "--masters", masters, "--scheduler", "tcp://127.0.0.1:1"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("minprune: error: --scheduler 'tcp://127.0.0.1:1': cannot connect")
    assert err.count("\n") == 1
