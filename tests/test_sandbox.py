"""Hostile submissions against the sandbox: each scores only what its answers earn.

Every test grades a batch of two: the hostile submission and a classmate's correct
one. It asserts that the hostile one gains nothing, that nothing outside its box
changed (masters, engine, virtual environment, the report), that no process it
started outlives grading, and that the classmate still gets full marks. bubblewrap
is a requirement of grading with a sandbox: `.ci/run` installs it.
"""

import hashlib
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from conftest import FIXTURE_MASTER, cell_by_id

import minprune
from minprune_course import cli, grader, sandbox
from minprune_course import notebooks as nbs
from minprune_course.runner import Runner

needs_box = pytest.mark.skipif(
    not sandbox.available()[0], reason=f"no bubblewrap sandbox here: {sandbox.available()[1]}"
)
ENGINE = Path(minprune.__file__).parent
VENV_PYTHON = Path(sys.executable)


def fingerprint(*folders):
    """A hash of every file's name and content under ``folders``."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def masters(tmp_path):
    """A writable copy of the fixture masters: what a submission must not read or change."""
    folder = tmp_path / "masters"
    folder.mkdir()
    (folder / "90_fixture.ipynb").write_bytes(FIXTURE_MASTER.read_bytes())
    return folder


def hostile(tmp_path, master, source, answers=None, name="90_mallory"):
    """A submission: the master with ``source`` as a learner's cell after the setup."""
    nb = nbformat.from_dict(json.loads(json.dumps(master)))
    for gid, code in (answers or {}).items():
        cell_by_id(nb, gid).source = code
    index = nb.cells.index(cell_by_id(nb, "setup"))
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    path = tmp_path / "submitted" / f"{name}.ipynb"
    path.parent.mkdir(exist_ok=True)
    nbs.write_notebook(nb, path)
    return path


def grade_batch(tmp_path, masters, path, timeout=20):
    """Grade ``path`` beside a classmate's correct notebook; return both results."""
    classmate = tmp_path / "submitted" / "90_fixture.ipynb"
    classmate.write_bytes(FIXTURE_MASTER.read_bytes())
    before = fingerprint(masters, ENGINE)
    results = grader.grade_all([path, classmate], masters, timeout, 120, jobs=1, sandbox="require")
    assert fingerprint(masters, ENGINE) == before, "a submission changed the masters or engine"
    mine, theirs = results
    assert mine.sandbox == theirs.sandbox == "bubblewrap"
    assert (theirs.total, theirs.max_total) == (5, 5), theirs.scores
    return mine


def points(result):
    return {s.grade_id: s.points for s in result.scores}


@needs_box
def test_a_submission_cannot_read_the_masters(tmp_path, master, masters):
    """The masters' folder does not exist inside the box: an answer that copies the model
    answer from disk scores nothing."""
    steal = (
        "def count_params(sizes):\n"
        f"    text = open({str(masters / '90_fixture.ipynb')!r}).read()\n"
        "    return 64 * 32 + 32 + 32 * 10 + 10 if 'BEGIN SOLUTION' in text else -1\n"
    )
    mine = grade_batch(tmp_path, masters, hostile(tmp_path, master, "", {"count_answer": steal}))
    assert points(mine)["test_count"] == 0
    assert "No such file or directory" in next(
        s.message for s in mine.scores if s.grade_id == "test_count"
    )


@needs_box
def test_a_submission_cannot_write_the_masters_the_engine_or_the_venv(tmp_path, master, masters):
    """Writes outside the box's own folder fail; the classmate graded next is unaffected."""
    targets = [masters / "90_fixture.ipynb", ENGINE / "__init__.py", VENV_PYTHON.parent / "x"]
    source = "\n".join(
        f"try:\n    open({str(t)!r}, 'w').write('pwned')\nexcept OSError as e:\n    print(e)"
        for t in targets
    )
    mine = grade_batch(tmp_path, masters, hostile(tmp_path, master, source))
    assert mine.total == 5  # its own answers are right: it keeps exactly those points
    assert not (VENV_PYTHON.parent / "x").exists()


@needs_box
def test_no_process_outlives_grading(tmp_path, master, masters):
    """A detached process (new session, double fork) dies with the box."""
    marker = f"minprune-detached-{tmp_path.name}"
    source = (
        "import subprocess\n"
        f"subprocess.Popen(['sh', '-c', 'exec -a {marker} sleep 120'], start_new_session=True)"
    )
    grade_batch(tmp_path, masters, hostile(tmp_path, master, source))
    time.sleep(0.5)
    found = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True)
    assert found.stdout.strip() == ""


@needs_box
def test_the_report_is_written_by_the_grader_only(tmp_path, master, masters):
    """A submission that tries to overwrite the JSON report (its path is on the grader's
    command line) cannot see it; the report holds the true scores."""
    report = tmp_path / "grades.json"
    source = (
        "import os, subprocess\n"
        f"subprocess.Popen(['sh', '-c', 'sleep 2; echo pwned > {report}'], start_new_session=True)\n"
        "for pid in os.listdir('/proc'):\n"
        "    try:\n"
        "        print(open(f'/proc/{pid}/cmdline').read())\n"
        "    except (OSError, ValueError):\n"
        "        pass"
    )
    path = hostile(tmp_path, master, source, {"count_answer": "def count_params(s):\n    return 0"})
    argv = ["grade", str(path), "--masters", str(masters), "--json", str(report)]
    assert cli.main([*argv, "--require-sandbox", "--timeout", "20"]) == 0
    time.sleep(3)
    data = json.loads(report.read_text())["submissions"][0]
    assert (data["total"], data["sandbox"]) == (4, "bubblewrap")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="child subreapers are Linux's")
def test_without_the_sandbox_no_process_outlives_grading_to_edit_the_report(
    tmp_path, master, masters
):
    """--no-sandbox still kills what a submission detached (a new session, a double
    fork) before the report is written: the report holds the true scores."""
    report = tmp_path / "grades.json"
    marker = f"minprune-stray-{tmp_path.name}"
    stray = f"import time; time.sleep(3); open({str(report)!r}, 'w').write('pwned')"
    source = (
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', {stray!r}, {marker!r}], start_new_session=True)"
    )
    path = hostile(tmp_path, master, source, {"count_answer": "def count_params(s):\n    return 0"})
    argv = ["grade", str(path), "--masters", str(masters), "--json", str(report)]
    assert cli.main([*argv, "--no-sandbox", "--timeout", "20"]) == 0
    found = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True)
    assert found.stdout.strip() == ""
    time.sleep(4)
    data = json.loads(report.read_text())["submissions"][0]
    assert (data["total"], data["sandbox"]) == (4, "none")


@needs_box
def test_a_fork_bomb_and_a_memory_bomb_cost_only_their_own_cells(tmp_path, master, masters):
    """Processes and memory are capped inside the box: the bombs fail, the answers score."""
    source = (
        "import subprocess\n"
        "children = []\n"
        "try:\n"
        "    for _ in range(100_000):\n"
        "        children.append(subprocess.Popen(['sleep', '60']))\n"
        "except OSError as e:\n"
        "    print('stopped after', len(children), e)\n"
        "try:\n"
        "    hog = bytearray(64 * 2**30)\n"
        "except MemoryError:\n"
        "    print('no memory')\n"
    )
    mine = grade_batch(tmp_path, masters, hostile(tmp_path, master, source), timeout=60)
    assert mine.total == 5
    found = subprocess.run(["pgrep", "-c", "-x", "sleep"], capture_output=True, text=True)
    assert int(found.stdout.strip() or 0) < 50  # the box's children died with it


@needs_box
def test_a_submission_cannot_open_a_network_socket(tmp_path, master, masters):
    """Not even the grader's loopback is reachable: a listener on this machine hears nothing."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    heard = []

    def listen():
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not heard:
            try:
                heard.append(server.accept())
            except TimeoutError:
                continue

    thread = threading.Thread(target=listen)
    thread.start()
    port = server.getsockname()[1]
    source = (
        "import socket\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=3).sendall(b'answers')\n"
        "except OSError as e:\n"
        "    print(e)"
    )
    grade_batch(tmp_path, masters, hostile(tmp_path, master, source))
    thread.join()
    server.close()
    assert heard == []


@needs_box
def test_a_loop_that_ignores_interrupts_times_out_and_the_rest_is_graded(tmp_path, master, masters):
    source = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    mine = grade_batch(tmp_path, masters, hostile(tmp_path, master, source), timeout=5)
    assert mine.total == 5


@needs_box
def test_a_submission_cannot_read_or_change_a_classmates(tmp_path, master, masters):
    """The classmate's notebook, graded next from the same folder, is not in the box:
    reading it fails, writing it writes nothing, and the classmate keeps full marks."""
    classmate = tmp_path / "submitted" / "90_fixture.ipynb"
    copy = f"def count_params(sizes):\n    return len(open({str(classmate)!r}).read())\n"
    overwrite = (
        f"try:\n    open({str(classmate)!r}, 'w').write('{{}}')\nexcept OSError as e:\n    print(e)"
    )
    mine = grade_batch(
        tmp_path, masters, hostile(tmp_path, master, overwrite, {"count_answer": copy})
    )
    count = next(s for s in mine.scores if s.grade_id == "test_count")
    assert count.points == 0 and "No such file or directory" in count.message
    assert classmate.read_bytes() == FIXTURE_MASTER.read_bytes()


@needs_box
def test_huge_output_inside_the_box_is_capped(tmp_path, master, masters):
    """50 MB printed from the box is cut to the runner's cap; the answers still score."""
    mine = grade_batch(tmp_path, masters, hostile(tmp_path, master, "print('x' * 50_000_000)"))
    assert mine.total == 5
    kept = sum(len(json.dumps(a["outputs"])) for a in mine.answers)
    assert kept < 100_000


@needs_box
def test_a_kernel_that_kills_itself_costs_only_its_exercise(tmp_path, master, masters):
    """SIGKILL from inside an answer: that exercise is lost, the box restarts for the rest."""
    kill = "import os, signal\n\ndef sparsity(weights):\n    os.kill(os.getpid(), signal.SIGKILL)"
    mine = grade_batch(tmp_path, masters, hostile(tmp_path, master, "", {"sparsity_answer": kill}))
    scores = {s.grade_id: s for s in mine.scores}
    assert scores["test_sparsity"].status == "kernel died"
    assert scores["test_count"].points == 1 and scores["test_mask"].points == 2


@needs_box
def test_filling_the_disk_or_memory_costs_only_the_kernel(tmp_path, master, masters):
    """Gigabytes written to the box's folder stop the kernel at the quota and are removed;
    /tmp and /dev/shm (memory) are small and full; the answers still score."""
    memory = (
        "for place in ('/tmp', '/dev/shm'):\n"
        "    try:\n"
        "        for i in range(3):\n"
        "            open(f'{place}/fill-{i}', 'wb').write(b'x' * 200 * 2**20)\n"
        "    except OSError as e:\n"
        "        print(place, e.strerror)\n"
    )
    disk = "for i in range(20):\n    open(f'fill-{i}', 'wb').write(b'x' * 200 * 2**20)\n"
    source = memory + disk
    mine = grade_batch(tmp_path, masters, hostile(tmp_path, master, source), timeout=60)
    assert mine.total == 5
    folder = tmp_path / "box"
    folder.mkdir()
    with Runner(folder, 60, 120, sandbox=sandbox.Sandbox(str(folder))) as runner:
        full = "".join(out["text"] for out in runner.run(memory).outputs)
        assert full == "/tmp No space left on device\n/dev/shm No space left on device\n"
        filled = runner.run(disk)
        assert filled.status == "kernel died" and "quota (1024 MiB" in filled.evalue
        assert not list(folder.glob("fill-*"))
        assert runner.run("print(6 * 7)").outputs[0]["text"] == "42\n"


def test_the_quota_kills_a_box_with_too_many_files_and_empties_its_folder(tmp_path):
    """``Sandbox.watch`` stops the box's process past its file quota and removes only
    what was written after the watch began."""
    (tmp_path / "submission.ipynb").write_text("{}")
    box = sandbox.Sandbox(str(tmp_path), entries=50)
    writer = (
        "import pathlib, sys, time\n"
        "folder = pathlib.Path(sys.argv[1])\n"
        "sys.stdin.readline()\n"
        "for i in range(100):\n"
        "    (folder / f'f{i}').touch()\n"
        "    time.sleep(0.002)\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", writer, str(tmp_path)], stdin=subprocess.PIPE, text=True
    )
    quota = box.watch(process.pid, every=0.05)
    process.stdin.write("go\n")
    process.stdin.flush()
    assert process.wait(timeout=10) == -9
    quota.join(timeout=10)
    assert "quota" in quota.exceeded and "50 files" in quota.exceeded
    assert [p.name for p in tmp_path.iterdir()] == ["submission.ipynb"]


def test_require_sandbox_refuses_when_bubblewrap_is_missing(monkeypatch, tmp_path, capsys):
    """Without bubblewrap, --require-sandbox is a one-line error and grades nothing; by
    default the grader says which protections are missing and grades."""
    monkeypatch.setattr(sandbox, "available", lambda: (False, "bubblewrap is not installed"))
    argv = ["grade", str(FIXTURE_MASTER), "--masters", str(FIXTURE_MASTER.parent)]
    assert cli.main([*argv, "--require-sandbox"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "minprune: error: the sandbox is required but bubblewrap is not installed"
    )
    assert cli.main([*argv, "--timeout", "20"]) == 0
    captured = capsys.readouterr()
    assert "no sandbox (bubblewrap is not installed)" in captured.err
    assert "reading or writing the masters" in captured.err
    assert "5/5" in captured.out


def test_an_unknown_sandbox_mode_is_named():
    with pytest.raises(grader.GradeError, match=r"sandbox='maybe' is not a mode"):
        grader.sandbox_status("maybe")


def test_the_fresh_tmp_is_mounted_before_what_the_box_shows(tmp_path):
    """A repository under /tmp (a CI clone) stays visible: the box's /tmp comes first."""
    argv = sandbox.Sandbox(str(tmp_path)).prefix()
    tmpfs = argv.index("--tmpfs")
    binds = [i for i, a in enumerate(argv) if a in ("--ro-bind", "--bind")]
    assert binds and tmpfs < min(binds)
    assert argv[argv.index("--bind") + 1] == str(tmp_path)
