"""Show and save grading results: tables, a class summary, progress, JSON and CSV files.

Rows are per learner. ``learners`` names the learner of each submission, from its
folder (``submissions/<learner>/<notebook>.ipynb``) or its file name; a learner with
several notebooks (several masters) gets one row holding all their exercises.
A submission that could not be graded leaves its cells empty, never 0 of 0.
"""

import csv
import datetime
import json
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path

from .grader import DIED, ERROR, FAILED, MISSING, PASSED, TIMEOUT, one_line

#: Exercise statuses in the order the summary counts them.
STATUSES = (PASSED, FAILED, ERROR, TIMEOUT, DIED, MISSING)

#: Ways to name a submission's learner: guess, its folder's name, its file's name.
LAYOUTS = ("auto", "folder", "file")

#: CSV layouts: a plain gradebook, or Canvas's gradebook import.
FORMATS = ("gradebook", "canvas")

#: The identity columns Canvas's gradebook import expects before the assignments.
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")

#: What ``write_json`` writes (types in words, for the README).
JSON_SCHEMA = {
    "grader": {
        "version": "str, the minprune version that graded",
        "created": "str, ISO-8601 UTC time the file was written",
        "python": "str, the Python version that graded",
    },
    "submissions": [
        {
            "learner": "str, from the folder or file name (see --learners)",
            "submission": "str, the notebook's path",
            "master": "str or null, the master notebook's name (null: none found)",
            "status": '"graded" or "error" (the notebook could not be graded)',
            "message": "str, why it could not be graded ('' when graded)",
            "seed": "int or null, the hidden cases' seed",
            "sandbox": '"bubblewrap", "none" or null (never ran)',
            "total": "float, points scored",
            "max_total": "float, points available",
            "exercises": {
                "<grade_id>": {
                    "title": "str, the master's heading, '1. Pruning by a threshold'",
                    "points": "float",
                    "max_points": "float",
                    "status": "passed, failed, error, timeout, kernel died or missing",
                    "message": "str, the whole hint (may be several lines)",
                    "flag": "str, a note for the instructor ('' when none)",
                }
            },
        }
    ],
}


def _points(value):
    """``2`` for 2.0, ``1.5`` for 1.5."""
    return f"{value:g}"


def _graded(result):
    return result.status == "graded"


def table(result):
    """A text table of one submission's scores and its total."""
    seed = "" if result.seed is None else f", hidden cases' seed {result.seed}"
    head = f"{result.submission}  (master: {result.master or '?'}{seed})"
    if result.status != "graded" and not result.scores:
        return f"{head}\n  error: {result.message}"
    width = max([len(s.grade_id) for s in result.scores] + [len("total")])
    lines = [head]
    if result.status != "graded":
        lines.append(f"  error: {result.message}")
    for s in result.scores:
        score = f"{_points(s.points)}/{_points(s.max_points)}"
        line = f"  {s.grade_id:<{width}}  {score:>7}  {s.status:<11}  {one_line(s.message)}"
        lines.append(line.rstrip())
        if s.flag:
            lines.append(f"  {'':<{width}}  {'':>7}  {'FLAG':<11}  {s.flag}")
    total = f"{_points(result.total)}/{_points(result.max_total)}"
    lines.append(f"  {'total':<{width}}  {total:>7}")
    return "\n".join(lines)


def _choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not known; expected one of {choices}")


def learners(results, layout="auto"):
    """The learner of each submission.

    Parameters
    ----------
    results : list of Result
    layout : {"auto", "folder", "file"}
        ``"folder"``: the learner's folder, the first folder below the one all
        submissions share (``submissions/<learner>/<notebook>.ipynb``, or nbgrader's
        ``submitted/<learner>/<assignment>/<notebook>.ipynb``); the parent folder's
        name when they all share their parent. ``"file"``: the file's name without
        ``.ipynb``. ``"auto"``: ``"folder"`` when every submission sits below the
        shared folder and no learner folder holds two notebooks of the same master,
        else ``"file"``.

    Returns
    -------
    list of str
        One per result, in the same order.
    """
    _choice("layout", layout, LAYOUTS)
    paths = [Path(os.path.abspath(r.submission)) for r in results]
    if not paths:
        return []
    parents = [p.parent for p in paths]
    root = Path(os.path.commonpath(parents))
    folders = [p.relative_to(root).parts[0] if p != root else p.name for p in parents]
    if layout == "auto":
        pairs = [(f, r.master) for f, r in zip(folders, results) if r.master]
        own_folders = all(p != root for p in parents) and len(pairs) == len(set(pairs))
        layout = "folder" if own_folders else "file"
    return folders if layout == "folder" else [p.stem for p in paths]


def _by_learner(results, layout):
    """``{learner: {master: result}}`` in order of first appearance, and the masters.

    An ungradable submission without a master is kept under ``("?", its path)``.
    """
    rows = {}
    for name, r in zip(learners(results, layout), results):
        mine = rows.setdefault(name, {})
        key = r.master if r.master is not None else ("?", r.submission)
        if key in mine:
            raise ValueError(
                f"learner {name!r} has two submissions of {r.master!r}: "
                f"{mine[key].submission} and {r.submission}; expected one per learner "
                f"and master (layout={layout!r}; another of {LAYOUTS} may tell them apart)"
            )
        mine[key] = r
    masters = sorted({r.master for r in results if r.master is not None})
    return rows, masters


def _exercises(results, masters):
    """``[(master, grade_id, heading)]``: every exercise's column, in master order."""
    found = {}
    for r in results:
        for s in r.scores if r.master else []:
            found.setdefault((r.master, s.grade_id), (s.title or s.grade_id, s.max_points))
    titles = Counter((m, t) for (m, _), (t, _) in found.items())
    columns = []
    for master in masters:
        for (m, gid), (title, most) in found.items():
            if m != master:
                continue
            name = title if titles[(m, title)] == 1 else f"{title} [{gid}]"
            name = f"{name} ({_points(most)})"
            columns.append((m, gid, f"{m}: {name}" if len(masters) > 1 else name))
    return columns


def _gradebook_rows(rows, masters, columns):
    head = ["learner", *(c[2] for c in columns), "total", "max_total", "status", "message"]
    yield [*head, "seed"]
    for name, mine in rows.items():
        graded = [r for r in mine.values() if _graded(r)]
        points = {(r.master, s.grade_id): _points(s.points) for r in graded for s in r.scores}
        cells = [points.get((m, gid), "") for m, gid, _ in columns]
        failed = [r for r in mine.values() if not _graded(r)]
        reasons = [
            f"{r.master or Path(r.submission).name}: {r.message}" if len(mine) > 1 else r.message
            for r in failed
        ]
        seeds = [(r.master, r.seed) for r in mine.values() if r.seed is not None]
        seed = "; ".join(f"{m}: {s}" if len(seeds) > 1 else str(s) for m, s in seeds)
        total = _points(sum(r.total for r in graded)) if graded else ""
        most = _points(sum(r.max_total for r in graded)) if graded else ""
        status = "error" if failed else "graded"
        yield [name, *cells, total, most, status, " | ".join(map(one_line, reasons)), seed]


def _canvas_rows(rows, masters):
    yield [*CANVAS_COLUMNS, *masters]
    possible = {}
    for mine in rows.values():
        for r in mine.values():
            if _graded(r):
                possible[r.master] = max(possible.get(r.master, 0.0), r.max_total)
    most = [_points(possible[m]) if m in possible else "" for m in masters]
    yield ["Points Possible", "", "", "", "", *most]
    for name, mine in rows.items():
        totals = {r.master: _points(r.total) for r in mine.values() if _graded(r)}
        yield [name, "", "", name, "", *(totals.get(m, "") for m in masters)]


def write_csv(results, path, layout="auto", format="gradebook"):
    """Write one row per learner to ``path``.

    Parameters
    ----------
    results : list of Result
    path : path
    layout : {"auto", "folder", "file"}
        How learners are named (see ``learners``).
    format : {"gradebook", "canvas"}
        ``"gradebook"``: ``learner``, one column per exercise headed by its title
        and maximum (``"1. Pruning by a threshold (2)"``, prefixed by the master
        when there are several), ``total``, ``max_total``, ``status``, ``message``,
        ``seed``. ``"canvas"``: Canvas's gradebook import: ``Student``, ``ID``,
        ``SIS User ID``, ``SIS Login ID`` (the learner), ``Section``, one column
        per master holding its total, and a ``Points Possible`` row under the
        header. A submission that could not be graded leaves its cells empty.

    Raises
    ------
    ValueError
        For an unknown ``layout`` or ``format``, or a learner with two submissions
        of one master.
    """
    _choice("format", format, FORMATS)
    rows, masters = _by_learner(results, layout)
    if format == "canvas":
        lines = _canvas_rows(rows, masters)
    else:
        lines = _gradebook_rows(rows, masters, _exercises(results, masters))
    lines = list(lines)
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(lines)


def version():
    """The version of minprune that grades."""
    import minprune

    return getattr(minprune, "__version__", "unknown")


def as_dict(result, learner=None):
    """One submission as JSON-ready data (see ``JSON_SCHEMA``)."""
    return {
        "learner": learner if learner is not None else Path(result.submission).stem,
        "submission": result.submission,
        "master": result.master,
        "status": result.status,
        "message": result.message,
        "seed": result.seed,
        "sandbox": result.sandbox,
        "total": result.total,
        "max_total": result.max_total,
        "exercises": {
            s.grade_id: {
                "title": s.title or s.grade_id,
                "points": s.points,
                "max_points": s.max_points,
                "status": s.status,
                "message": s.message,
                "flag": s.flag,
            }
            for s in result.scores
        },
    }


def write_json(results, path, layout="auto"):
    """Write who graded and when, then one entry per submission (``JSON_SCHEMA``).

    Raises
    ------
    ValueError
        For an unknown ``layout``.
    """
    names = learners(results, layout)
    data = {
        "grader": {
            "version": version(),
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
        },
        "submissions": [as_dict(r, name) for name, r in zip(names, results)],
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


def summary(results, reteach=0.5, shown=5):
    """The class summary an instructor reads to decide what to reteach.

    Per exercise: the mean points over the graded submissions, and how many passed,
    failed, raised, ... Then the exercises more than ``reteach`` of them did not pass
    (at most ``shown``, most missed first), each with its most common hint (first line).
    """
    graded = [r for r in results if _graded(r)]
    total = sum(r.total for r in graded)
    most = sum(r.max_total for r in graded)
    head = f"{len(results)} submissions: {len(graded)} graded, {_points(total)}/{_points(most)} points in all"
    if len(graded) < len(results):
        head += f"; {len(results) - len(graded)} could not be graded"
    masters = sorted({r.master for r in graded})
    scores = {}
    for r in graded:
        for s in r.scores:
            scores.setdefault((r.master, s.grade_id), []).append(s)
    if not scores:
        return head
    names = {
        key: (f"{key[0]}: " if len(masters) > 1 else "") + (found[0].title or key[1])
        for key, found in scores.items()
    }
    width = max(map(len, names.values()))
    lines = [head, ""]
    missed = []
    for key in sorted(scores, key=lambda k: masters.index(k[0])):
        found = scores[key]
        mean = sum(s.points for s in found) / len(found)
        counts = Counter(s.status for s in found)
        order = [*STATUSES, *sorted(set(counts) - set(STATUSES))]
        spread = ", ".join(f"{counts[status]} {status}" for status in order if counts[status])
        best = max(s.max_points for s in found)
        lines.append(f"  {names[key]:<{width}}  mean {mean:.2f}/{_points(best)}  {spread}")
        failed = [s for s in found if s.status != "passed"]
        if len(failed) > reteach * len(found):
            hints = Counter(one_line(s.message) for s in failed if s.message.strip())
            missed.append((len(failed), len(found), names[key], hints.most_common(1)))
    if missed:
        lines += ["", "Most learners did not pass these (most missed first):"]
        for n, of, name, hint in sorted(missed, key=lambda m: -m[0] / m[1])[:shown]:
            lines.append(f"  {name}: {n} of {of}")
            if hint:
                lines.append(f"    most common hint ({hint[0][1]}x): {hint[0][0]}")
    return "\n".join(lines)


def _duration(seconds):
    """``"1 min 20 s"``, ``"40 s"``."""
    seconds = round(seconds)
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


class Progress:
    """A one-line progress bar for ``grader.grade_all(..., on_result=Progress(n))``.

    Draws ``graded 7/26  [#####...............]  about 1 min 20 s left`` on one
    line of ``stream``, only when it is a terminal and not ``quiet``.

    Parameters
    ----------
    total : int
        Submissions to grade.
    stream : file, optional
        Default ``sys.stderr``.
    quiet : bool
        Draw nothing.
    clock : callable
        Seconds now (``time.monotonic``).
    """

    width = 20

    def __init__(self, total, stream=None, quiet=False, clock=time.monotonic):
        if not isinstance(total, int) or total < 0:
            raise ValueError(f"total={total!r} must be a count of submissions (an int >= 0)")
        self.total, self.done = total, 0
        self.stream = sys.stderr if stream is None else stream
        self.clock, self.start = clock, clock()
        isatty = getattr(self.stream, "isatty", None)
        self.shown = not quiet and callable(isatty) and bool(isatty())
        self.open = False

    def line(self):
        """The line as it is now."""
        filled = self.width * self.done // self.total if self.total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = self.clock() - self.start
        if self.done >= self.total:
            when = f"done in {_duration(elapsed)}"
        elif self.done:
            when = f"about {_duration(elapsed / self.done * (self.total - self.done))} left"
        else:
            when = ""
        return f"graded {self.done}/{self.total}  [{bar}]  {when}".rstrip()

    def __call__(self, result=None):
        """Count one more result and redraw."""
        self.done += 1
        if self.shown:
            end = "\n" if self.done >= self.total else ""
            self.stream.write(f"\r{self.line()}\033[K{end}")
            self.stream.flush()
            self.open = not end

    def close(self):
        """End the line when grading stopped before every result came."""
        if self.open:
            self.stream.write("\n")
            self.stream.flush()
            self.open = False
