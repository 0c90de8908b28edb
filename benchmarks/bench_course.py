"""The course itself: how long its notebooks take, and what grading adds.

Copies of ``lessons/`` and ``solutions/`` are executed with ``minprune
execute`` (one notebook at a time), timing each. Then each solution notebook
is graded as a submission with ``minprune grade --require-sandbox`` (a fresh
kernel in the bubblewrap sandbox, restored test cells, the checks judged in the
grader's process, per-cell time limits) right next to a plain ``minprune
execute`` of the same notebook, in alternating order; the figure is grading time over plain
execution time per notebook pair, and over the whole set per repeat.
"""

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.timing import headline, spread

TITLE = "The course: executing every notebook, and grading against plain execution"
GOAL = "sandboxed grading at most 1.3x plain execution"
ROOT = Path(__file__).resolve().parent.parent
QUICK_SKIP = "starts Jupyter kernels for every notebook (minutes); run without --quick"
REPEATS = 2


def _notebooks(folder):
    return sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb"))


def unavailable():
    try:
        from minprune_course import cli  # noqa: F401
    except ImportError as err:
        return f"the minprune command (minprune_course.cli) cannot be imported: {err}"
    if not _notebooks("solutions"):
        return "no notebooks in solutions/ yet"
    from minprune_course import sandbox

    boxed, why = sandbox.available()
    return None if boxed else f"grading with the sandbox needs bubblewrap: {why}"


def _minprune(*args):
    """Run the ``minprune`` command; return its wall-clock seconds."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "minprune_course.cli", *map(str, args)],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"minprune {' '.join(map(str, args))} failed: {proc.stderr[-500:]}")
    return seconds


def run(quick=False):
    lessons, solutions = _notebooks("lessons"), _notebooks("solutions")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)

        def fresh(path):
            dst = tmp / path.parent.name / path.name
            dst.parent.mkdir(exist_ok=True)
            shutil.copy(path, dst)
            return dst

        execute = {
            f"{p.parent.name}/{p.name}": _minprune("execute", fresh(p)) for p in lessons + solutions
        }
        pairs = {p.name: {"execute": [], "grade": []} for p in solutions}
        totals = {"execute": [], "grade": []}
        for r in range(REPEATS):
            sums = {"execute": 0.0, "grade": 0.0}
            for p in solutions:
                order = ("execute", "grade") if r % 2 == 0 else ("grade", "execute")
                for what in order:
                    copy = fresh(p)
                    if what == "execute":
                        t = _minprune("execute", copy)
                    else:
                        t = _minprune(
                            "grade",
                            copy,
                            "--masters",
                            ROOT / "solutions",
                            "--json",
                            tmp / "g.json",
                            "--require-sandbox",
                        )
                    pairs[p.name][what].append(t)
                    sums[what] += t
            for what in sums:
                totals[what].append(sums[what])
    ratio_all = spread([g / e for g, e in zip(totals["grade"], totals["execute"])])
    per_nb = {
        name: spread([g / e for g, e in zip(v["grade"], v["execute"])]) for name, v in pairs.items()
    }
    total_exec = sum(execute.values())
    heads = [
        headline(
            f"time to execute all {len(execute)} notebooks, one at a time (s)",
            {"median": total_exec},
            None,
            None,
            " s",
        ),
        headline(
            f"sandboxed grading with the judge / plain execution time, {len(solutions)} "
            f"solution notebooks (median; min-max over {REPEATS} repeats)",
            ratio_all,
            1.3,
            "<=",
            "x",
        ),
    ]
    return {
        "config": {"repeats": REPEATS, "jobs": 1},
        "execute_seconds": execute,
        "grade_over_execute": per_nb,
        "pairs_seconds": pairs,
        "headline": heads,
    }
