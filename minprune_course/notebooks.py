"""Reading and writing notebooks, and the nbgrader metadata on their cells.

A master notebook marks its cells the way nbgrader does (schema version 3)::

    cell.metadata.nbgrader = {"grade": False, "solution": True, "locked": False,
                              "grade_id": "count_params", "schema_version": 3,
                              "task": False}

- an *answer* cell has ``solution: true``; its answer sits between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION``;
- a *test* cell has ``grade: true`` and ``points``; it may hide lines between
  ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``;
- a *locked* cell (``locked: true``) is setup or text the learner must not change.
"""

import json
import re
from pathlib import Path

import nbformat
from nbformat.v4.rwbase import rejoin_lines

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"


class NotebookError(Exception):
    """A notebook that cannot be used, with a one-line reason naming it."""


def read_notebook(path):
    """Read ``path`` as an nbformat-4 notebook without changing cell ids.

    Raises
    ------
    NotebookError
        If the file is missing, unreadable, not JSON or not a notebook.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotebookError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise NotebookError(f"{path}: cannot read it ({exc.__class__.__name__})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{path}: not a notebook (invalid JSON: {exc.msg})") from None
    if not isinstance(data, dict) or data.get("nbformat") != 4 or "cells" not in data:
        raise NotebookError(f"{path}: not a notebook (expected nbformat 4 JSON with cells)")
    if not all(isinstance(cell, dict) and "cell_type" in cell for cell in data["cells"]):
        raise NotebookError(f"{path}: not a notebook (a cell without cell_type)")
    nb = rejoin_lines(nbformat.from_dict(data))
    nb.setdefault("metadata", nbformat.NotebookNode())
    for cell in nb.cells:
        cell.setdefault("metadata", nbformat.NotebookNode())
        cell.setdefault("source", "")
    return nb


def dumps_notebook(nb):
    """Serialise ``nb`` the way Jupyter saves it (indent 1, trailing newline)."""
    return nbformat.writes(nb, version=4) + "\n"


def write_notebook(nb, path):
    """Write ``nb`` to ``path`` as Jupyter would save it."""
    Path(path).write_text(dumps_notebook(nb), encoding="utf-8")


def nbgrader(cell):
    """The cell's nbgrader metadata as a dict (empty when it has none)."""
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def grade_id(cell):
    """The cell's nbgrader ``grade_id``, or ``None``."""
    return nbgrader(cell).get("grade_id")


def is_answer(cell):
    """True for an answer cell (``solution: true``)."""
    return bool(nbgrader(cell).get("solution"))


def is_test(cell):
    """True for an autograded test cell (``grade: true``, not an answer)."""
    meta = nbgrader(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def is_locked(cell):
    """True for a cell the learner must not change: tests and ``locked`` cells."""
    meta = nbgrader(cell)
    return bool(meta.get("locked")) or is_test(cell)


def points(cell):
    """The points of a test cell, as a float."""
    return float(nbgrader(cell).get("points", 0))


def clear_outputs(cell):
    """Remove a code cell's outputs, execution count and timing metadata."""
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    cell.metadata.pop("execution", None)
    return cell


def marker_regions(source, begin, end):
    """Line index pairs ``(i_begin, i_end)`` of the ``begin``/``end`` regions in ``source``.

    Raises
    ------
    ValueError
        If the markers are nested, unclosed or unopened; the message names the line.
    """
    regions, start = [], None
    for i, line in enumerate(source.splitlines()):
        text = line.strip()
        if text == begin:
            if start is not None:
                raise ValueError(f"line {i + 1}: {begin!r} inside another {begin!r}")
            start = i
        elif text == end:
            if start is None:
                raise ValueError(f"line {i + 1}: {end!r} without {begin!r}")
            regions.append((start, i))
            start = None
    if start is not None:
        raise ValueError(f"line {start + 1}: {begin!r} is never closed by {end!r}")
    return regions


def cell_label(cell, index):
    """How messages name a cell: its grade_id when it has one, else its position."""
    gid = grade_id(cell)
    return f"cell {index} ({gid})" if gid else f"cell {index}"


_NN = re.compile(r"^(\d\d)(?:_|$)")


def lesson_number(name):
    """The two-digit prefix of a notebook name (``"03"`` for ``03_magnitude``), or ``None``."""
    match = _NN.match(name)
    return match.group(1) if match else None


def repo_root():
    """The repository the package was installed (editable) from."""
    return Path(__file__).resolve().parents[1]


def find_notebooks(folder):
    """Notebooks under ``folder``, sorted, skipping checkpoints and hidden folders."""
    folder = Path(folder)
    found = []
    for path in sorted(folder.rglob("*.ipynb")):
        parts = path.relative_to(folder).parts
        if any(part.startswith(".") for part in parts):
            continue
        found.append(path)
    return found
