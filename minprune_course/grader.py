"""Grade submissions against their master notebooks.

A submission is never trusted. Its test cells, hidden tests and locked setup
cells are replaced by the master's (re-added in master order when deleted); only
its answer cells and the cells the learner added are kept. The result runs cell
by cell in a fresh kernel (see ``runner``), and each exercise (a test cell's
``grade_id``) scores its points when its test cell runs without an error, else 0
with a status and a one-line reason:

=========== ==========================================================
passed      the test cell ran without error
failed      it raised ``AssertionError`` (a check did not pass)
error       it, or the exercise's answer cell, raised another exception
timeout     it, or the answer cell, ran past a time limit
kernel died the kernel crashed in it or in the answer cell
missing     the answer cell was deleted and the test did not pass
=========== ==========================================================

The hidden tests draw their cases from a seed fixed per submission: a hash of the
code the learner wrote (answer cells and added cells, in order) and of the
course's secret (``MINPRUNE_COURSE_SECRET``, or ``--secret-file``). The same code
always draws the same cases, so regrading gives the same score; without the
secret a learner cannot know them in advance. The seed is in the report.

The submission's kernel runs inside a bubblewrap box (``sandbox``): it sees its
own folder, the engine and the virtual environment read-only, and nothing else of
the repository (no masters, no other submission, no report), no network, and dies
with every process it started. Where bubblewrap is missing the kernel is a plain
separate process; ``sandbox="require"`` refuses to grade then, and
``sandbox_status()`` says which protections are missing.

Cells of the master marked ``"minprune": {"demo": true}`` only demonstrate an
answer ("see it work"); the learner's copies of them are not run when grading.
"""

import ast
import contextlib
import hashlib
import io
import multiprocessing
import os
import re
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import exercises as exercise_modules
from . import guard
from . import notebooks as nbs
from . import runner as run
from . import sandbox as box

PASSED, FAILED, ERROR, TIMEOUT, MISSING, DIED = (
    "passed",
    "failed",
    "error",
    "timeout",
    "missing",
    "kernel died",
)

_IMPORT = re.compile(
    r"^\s*(?:from\s+(minprune[\w.]*)\s+import\s+([\w\s,()]+)|import\s+(minprune[\w.]*))", re.M
)
_RESTORE = "import sys as _s\n_s.modules['minprune_course.guard'].restore()\ndel _s"


class GradeError(Exception):
    """A path that cannot be graded at all, with a one-line reason."""


@dataclass
class Score:
    """One exercise's score."""

    grade_id: str
    points: float
    max_points: float
    status: str
    message: str = ""
    flag: str = ""
    title: str = ""


@dataclass
class Result:
    """One submission's scores.

    ``status`` is ``"graded"`` or ``"error"`` (the file could not be graded);
    ``message`` says why. ``answers`` holds the learner's answer cells as they ran:
    ``{"grade_id", "source", "outputs"}`` each, for the learner's feedback.
    """

    submission: str
    master: str | None = None
    status: str = "graded"
    message: str = ""
    scores: list = field(default_factory=list)
    seed: int | None = None
    sandbox: str | None = None
    answers: list = field(default_factory=list)

    @property
    def total(self):
        """Points scored."""
        return sum(score.points for score in self.scores)

    @property
    def max_total(self):
        """Points available."""
        return sum(score.max_points for score in self.scores)


def one_line(text, limit=200):
    """The first non-empty line of ``text``, at most ``limit`` characters."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    line = lines[0] if lines else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def full_message(text, limit=4000):
    """``text`` without surrounding blank space, at most ``limit`` characters.

    Hints are kept whole for the report and the learner's feedback; the limit only
    stops a submission that raises with megabytes of text.
    """
    text = str(text).strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def default_masters():
    """``solutions/`` of the repository the package is installed from."""
    return nbs.repo_root() / "solutions"


def find_master(nb, path, masters_dir):
    """The master notebook's path for submission ``nb`` read from ``path``.

    Tried in turn: ``metadata.minprune.master``, the file name, its ``NN_`` prefix.

    Raises
    ------
    GradeError
        If no master matches.
    """
    masters = {p.stem: p for p in Path(masters_dir).glob("*.ipynb")}
    meta = nb.metadata.get("minprune", {})
    name = meta.get("master") if isinstance(meta, dict) else None
    if isinstance(name, str) and name in masters:
        return masters[name]
    stem = Path(path).stem
    if stem in masters:
        return masters[stem]
    number = nbs.lesson_number(stem)
    candidates = [p for s, p in masters.items() if number and nbs.lesson_number(s) == number]
    if len(candidates) == 1:
        return candidates[0]
    raise GradeError(f"{path}: unknown lesson (no master for {stem!r} in {masters_dir})")


#: Ways to run a submission's kernel: boxed when bubblewrap works, always boxed, never.
SANDBOX_MODES = ("auto", "require", "off")


def sandbox_status(mode="auto"):
    """``(boxed, line)``: whether kernels will run boxed, and a line saying what is missing.

    Raises
    ------
    GradeError
        If ``mode`` is ``"require"`` and bubblewrap cannot run here, or ``mode`` is unknown.
    """
    if mode not in SANDBOX_MODES:
        raise GradeError(f"sandbox={mode!r} is not a mode; expected one of {SANDBOX_MODES}")
    if mode == "off":
        return False, "the sandbox is off: " + _unprotected()
    ok, why = box.available()
    if ok:
        return True, ""
    if mode == "require":
        raise GradeError(f"the sandbox is required but {why}")
    return False, f"no sandbox ({why}): " + _unprotected()


def _unprotected():
    return "each submission runs as a separate process, without protection against " + ", ".join(
        box.PROTECTIONS
    )


#: The environment variable holding the course's secret, mixed into every seed.
SECRET_VARIABLE = "MINPRUNE_COURSE_SECRET"


def is_demo(cell):
    """True for a cell marked ``"minprune": {"demo": true}``: it only demonstrates."""
    meta = cell.get("metadata", {}).get("minprune", {})
    return isinstance(meta, dict) and meta.get("demo") is True


def judged_calls(source):
    """The exercise checks a test cell makes, when it makes nothing else.

    A test cell of the form ``tNN_x.check(a, b)`` then ``tNN_x.check(a, b, hidden=True)``
    is judged in the grader's process: returns ``[(module, [names], hidden), ...]``.
    Any other cell returns ``None`` and runs in the submission's kernel.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    calls = []
    for statement in tree.body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "check"
            and isinstance(call.func.value, ast.Name)
            and all(isinstance(a, ast.Name) for a in call.args)
            and all(k.arg == "hidden" and isinstance(k.value, ast.Constant) for k in call.keywords)
        ):
            return None
        if call.func.value.id not in exercise_modules.module_names():
            return None
        hidden = any(k.value.value is True for k in call.keywords)
        calls.append((call.func.value.id, [a.id for a in call.args], hidden))
    return calls or None


def _judge(calls, runner, folder, seed):
    """Run a test cell's checks here, calling the answers in the kernel: a ``CellRun``."""
    from . import remote

    try:
        for module_name, names, hidden in calls:
            module = exercise_modules.load(module_name)
            args = []
            for name in names:
                answer = remote.RemoteAnswer(runner, folder, name, module.REFERENCE)
                args.append(answer if answer.kind() == "function" else answer.value())
            with contextlib.redirect_stdout(io.StringIO()):
                module.check(*args, hidden=hidden, seed=seed if hidden else None)
    except AssertionError as exc:
        return run.CellRun(run.ERROR, "AssertionError", str(exc))
    except remote.NotPlain as exc:  # a check must send only plain data: the course's fault
        return run.CellRun(run.ERROR, "TypeError", f"the check cannot send its case ({exc})")
    except remote.RemoteFailure as exc:
        return run.CellRun(exc.status, "", str(exc))
    except remote.RemoteError as exc:
        return run.CellRun(run.ERROR, exc.ename, str(exc).partition(": ")[2])
    except Exception as exc:  # noqa: BLE001 - a check's own failure is this exercise's error
        return run.CellRun(run.ERROR, type(exc).__name__, str(exc))
    return run.CellRun(run.OK)


def named_references(source, references):
    """The references (``"minprune.threshold_masks"``) that ``source`` reaches by name.

    An answer that writes ``mp.threshold_masks(...)`` or imports it calls the very
    function it is compared with; such an answer is flagged for the instructor (the
    check also switches the references off while the answer runs).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    short = {ref.rpartition(".")[2]: ref for ref in references}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in short:
            found.add(short[node.attr])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("minprune"):
            found.update(short[a.name] for a in node.names if a.name in short)
    return sorted(found)


def _flags(plan, steps, test_sources):
    """``{test grade_id: flag}`` for exercises whose answer cells name their references."""
    answers = {step.grade_id: step.source for step in steps if step.role == "answer"}
    learner = "\n".join(step.source for step in steps if step.role == "learner")
    flags = {}
    for gid, (_, answer_ids) in plan.items():
        refs = []
        for name, _, _ in judged_calls(test_sources.get(gid, "")) or []:
            refs += exercise_modules.load(name).REFERENCE
        code = "\n".join(answers.get(a, "") for a in answer_ids) + "\n" + learner
        named = named_references(code, refs)
        if named:
            flags[gid] = "names the reference it is compared with: " + ", ".join(named)
    return flags


def grading_seed(steps, secret=""):
    """The hidden cases' seed for a submission: a hash of its own code and the secret.

    Parameters
    ----------
    steps : list of Step
        The cells to run (``restore``); only the learner's (answers, added cells) count.
    secret : str
        The course's secret; the same code with another secret draws other cases.

    Returns
    -------
    int in [0, 2**63)
    """
    digest = hashlib.sha256(secret.encode())
    for step in steps:
        if step.role in ("answer", "learner"):
            digest.update(b"\0" + step.role.encode() + b"\0" + step.source.encode())
    return int.from_bytes(digest.digest()[:8], "big") >> 1


@dataclass
class Step:
    """A cell to run: ``role`` is ``"setup"``, ``"answer"``, ``"test"`` or ``"learner"``."""

    role: str
    source: str
    grade_id: str | None = None


def restore(master, submission):
    """The cells to run: the master's locked cells, the submission's answers and own cells.

    Returns
    -------
    steps : list of Step
        Code cells in order: master order for the master's cells, each learner cell
        after the master cell it followed in the submission.
    missing : set of str
        grade_ids of answer cells the submission no longer has.
    """
    by_gid = {nbs.grade_id(c): c for c in master.cells if nbs.grade_id(c)}
    by_cell_id = {c.get("id"): nbs.grade_id(c) for c in master.cells if nbs.grade_id(c)}
    demo_ids = {c.get("id") for c in master.cells if is_demo(c)} - {None}
    matched, followers = {}, {None: []}
    anchor = None
    for cell in submission.cells:
        if cell.get("cell_type") == "code" and (is_demo(cell) or cell.get("id") in demo_ids):
            continue  # a demonstration: grading does not run it
        gid = nbs.grade_id(cell)
        if gid not in by_gid or gid in matched:
            gid = by_cell_id.get(cell.get("id"))
        if gid in by_gid and gid not in matched:
            matched[gid] = cell
            anchor = gid
            followers[gid] = []
        elif cell.get("cell_type") == "code":
            followers[anchor].append(cell)
    steps = [Step("learner", c.source) for c in followers[None]]
    missing = set()
    for cell in master.cells:
        gid = nbs.grade_id(cell)
        if gid is None:
            continue
        if cell.cell_type == "code":
            if nbs.is_test(cell):
                steps.append(Step("test", cell.source, gid))
            elif nbs.is_locked(cell):
                steps.append(Step("setup", cell.source, gid))
            elif nbs.is_answer(cell):
                if gid in matched:
                    steps.append(Step("answer", matched[gid].get("source", ""), gid))
                else:
                    missing.add(gid)
        steps += [Step("learner", c.source) for c in followers.get(gid, [])]
    return steps, missing


def exercises(master):
    """``{test grade_id: (points, [answer grade_ids])}``, answers being those since the last test."""
    found, answers = {}, []
    for cell in master.cells:
        if nbs.is_answer(cell):
            answers.append(nbs.grade_id(cell))
        elif nbs.is_test(cell):
            found[nbs.grade_id(cell)] = (nbs.points(cell), answers)
            answers = []
    return found


def titles(master):
    """``{test grade_id: title}``: the last heading in the master's markdown before each
    test cell, without its ``#`` marks ("1. Pruning by a threshold")."""
    found, heading = {}, ""
    for cell in master.cells:
        if cell.cell_type == "markdown":
            lines = [line for line in cell.source.splitlines() if line.startswith("#")]
            heading = lines[-1].lstrip("#").strip() if lines else heading
        elif nbs.is_test(cell):
            found[nbs.grade_id(cell)] = heading or nbs.grade_id(cell)
    return found


def startup_code(master, seed=None):
    """Code run first in each kernel: set the hidden cases' seed, snapshot the modules the
    master's cells import."""
    modules = set()
    for cell in master.cells:
        if cell.cell_type != "code":
            continue
        for package, names, module in _IMPORT.findall(cell.source):
            if module:
                modules.add(module)
                continue
            modules.add(package)
            for item in names.replace("(", " ").replace(")", " ").split(","):
                if item.split():
                    modules.add(f"{package}.{item.split()[0]}")
    code = f"import minprune_course.guard as _g\n_g.snapshot({sorted(modules)!r})\ndel _g"
    if seed is not None:
        code = (
            f"import os as _o\n_o.environ[{guard.SEED_VARIABLE!r}] = {str(seed)!r}\ndel _o\n" + code
        )
    return code


def _score(gid, max_points, test, answer_runs, missing):
    """Score one exercise from its test cell's run and its answer cells' runs."""
    if test.status == run.OK:
        return Score(gid, max_points, max_points, PASSED)
    if missing:
        return Score(
            gid, 0.0, max_points, MISSING, f"answer cell {sorted(missing)[0]!r} was deleted"
        )
    for answer_gid, answer in answer_runs:
        if answer.status != run.OK:
            status = {run.TIMEOUT: TIMEOUT, run.DIED: DIED}.get(answer.status, ERROR)
            reason = f"{answer.ename}: {answer.evalue}" if answer.ename else answer.evalue
            return Score(
                gid, 0.0, max_points, status, full_message(f"answer cell {answer_gid}: {reason}")
            )
    if test.status == run.ERROR:
        if test.ename == "AssertionError":
            return Score(
                gid, 0.0, max_points, FAILED, full_message(test.evalue) or "a check failed"
            )
        return Score(gid, 0.0, max_points, ERROR, full_message(f"{test.ename}: {test.evalue}"))
    status = TIMEOUT if test.status == run.TIMEOUT else DIED
    return Score(gid, 0.0, max_points, status, full_message(test.evalue))


def grade_notebook(
    path, masters_dir=None, cell_timeout=60, notebook_timeout=600, secret=None, sandbox="auto"
):
    """Grade one submission.

    Parameters
    ----------
    path : path
        The submitted notebook.
    masters_dir : path, optional
        Folder of master notebooks; default ``solutions/`` of the repository.
    cell_timeout, notebook_timeout : float
        Seconds one cell, and the whole notebook, may run.
    secret : str, optional
        The course's secret for the hidden cases' seed; default ``MINPRUNE_COURSE_SECRET``.
    sandbox : {"auto", "require", "off"}
        Run the kernel in a bubblewrap box when possible, always (else an error row),
        or never.

    Returns
    -------
    Result
        Never raises for a bad submission: an unusable one gets ``status="error"``.
    """
    masters_dir = Path(masters_dir or default_masters())
    result = Result(str(path))
    try:
        submission = nbs.read_notebook(path)
        master_path = find_master(submission, path, masters_dir)
        result.master = master_path.stem
        master = nbs.read_notebook(master_path)
    except (nbs.NotebookError, GradeError) as exc:
        result.status, result.message = ERROR, str(exc)
        return result
    plan = exercises(master)
    steps, missing = restore(master, submission)
    if secret is None:
        secret = os.environ.get(SECRET_VARIABLE, "")
    result.seed = grading_seed(steps, secret)
    startup = startup_code(master, result.seed)
    runs = {}
    try:
        boxed, _ = sandbox_status(sandbox)
        result.sandbox = "bubblewrap" if boxed else "none"
        with tempfile.TemporaryDirectory(prefix="minprune-grade-") as cwd:
            shutil.copy(path, Path(cwd) / "submission.ipynb")
            limits = box.Sandbox(cwd) if boxed else None
            # the box's PID namespace dies with its kernel, but only once the kernel's
            # killed parent has passed the news on; the reaper makes that synchronous
            with (
                box.no_orphans(),
                run.Runner(cwd, cell_timeout, notebook_timeout, startup, sandbox=limits) as runner,
            ):
                for step in steps:
                    calls = judged_calls(step.source) if step.role == "test" else None
                    judged = _judge(calls, runner, cwd, result.seed) if calls else None
                    if judged is not None:
                        runs[step.grade_id] = judged
                    elif step.role == "test":
                        runner.run(_RESTORE, replay=False)
                        runs[step.grade_id] = runner.run(step.source, replay=False)
                    else:
                        outcome = runner.run(step.source)
                        if step.grade_id:
                            runs[step.grade_id] = outcome
                        if step.role == "answer":
                            result.answers.append(
                                {
                                    "grade_id": step.grade_id,
                                    "source": step.source,
                                    "outputs": outcome.outputs,
                                }
                            )
    except Exception as exc:  # noqa: BLE001 - a kernel that cannot start still gets its row
        result.status, result.message = ERROR, one_line(f"{type(exc).__name__}: {exc}")
    flags = _flags(plan, steps, {s.grade_id: s.source for s in steps if s.role == "test"})
    named = titles(master)
    for gid, (max_points, answers) in plan.items():
        test = runs.get(gid, run.CellRun(run.ERROR, "", result.message or "not run"))
        answer_runs = [(a, runs[a]) for a in answers if a in runs]
        score = _score(gid, max_points, test, answer_runs, missing & set(answers))
        score.flag = flags.get(gid, "")
        score.title = named.get(gid, gid)
        result.scores.append(score)
    return result


def expand(paths):
    """Notebooks to grade: files as given, folders searched for ``*.ipynb``.

    Returns
    -------
    list of (Path, bool)
        Each notebook and whether it was named explicitly.

    Raises
    ------
    GradeError
        If a path does not exist or a folder holds no notebook.
    """
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            inside = nbs.find_notebooks(path)
            if not inside:
                raise GradeError(f"{path}: no notebooks in this folder")
            found += [(p, False) for p in inside]
        elif path.exists():
            found.append((path, True))
        else:
            raise GradeError(f"{path}: no such file or folder")
    return found


def _grade_safely(args):
    """``grade_notebook`` that turns even an unexpected failure into an error row."""
    path = args[0]
    try:
        return grade_notebook(*args)
    except Exception as exc:  # noqa: BLE001 - loses nothing: every row it can is written
        return Result(str(path), status=ERROR, message=one_line(f"{type(exc).__name__}: {exc}"))


def grade_all(
    notebooks,
    masters_dir=None,
    cell_timeout=60,
    notebook_timeout=600,
    jobs=1,
    secret=None,
    sandbox="auto",
    scheduler=None,
    on_result=None,
):
    """Grade each of ``notebooks``, ``jobs`` at a time (in separate processes).

    Parameters
    ----------
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``): its workers
        grade the submissions instead of local processes, and ``jobs`` is ignored.
    on_result : callable, optional
        Called with each ``Result`` as soon as it is ready (in any order).

    Returns
    -------
    list of Result
        One per notebook, in the same order.
    """
    work = [(p, masters_dir, cell_timeout, notebook_timeout, secret, sandbox) for p in notebooks]
    if scheduler is not None:
        from . import cluster

        return cluster.grade_on(scheduler, work, on_result)
    report = on_result or (lambda result: None)
    if jobs <= 1 or len(work) <= 1:
        results = []
        for args in work:
            results.append(_grade_safely(args))
            report(results[-1])
        return results
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {pool.submit(_grade_safely, args): i for i, args in enumerate(work)}
        results = [None] * len(work)
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            report(results[futures[future]])
    return results
