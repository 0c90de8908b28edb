"""Write ``exercises/`` from the master notebooks in ``solutions/``.

For each master the exercise notebook gets:

- every answer region replaced by a stub that names the exercise, keeping the
  lines around it (the ``def`` line, the docstring) as nbgrader does;
- hidden tests removed from the test cells;
- outputs and execution counts cleared;
- tests and locked cells marked ``editable: false`` and ``deletable: false``;
- ``metadata.minprune = {"master": "<name>"}`` so the grader finds its master.
"""

import copy
import re
from pathlib import Path

from . import notebooks as nbs

_DEF = re.compile(r"^(\s*)(?:async\s+)?def\s+(\w+)\s*\(")
_GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_CELL_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")


class ReleaseError(Exception):
    """Masters that cannot be released; the message lists every problem."""


def list_masters(solutions):
    """The master notebooks ``solutions/*.ipynb``, sorted by name."""
    return sorted(Path(solutions).glob("*.ipynb"))


def stub(name, indent=""):
    """The line that replaces an answer: it raises and names the exercise."""
    return f'{indent}raise NotImplementedError("{name}: replace this line with your answer")'


def master_problems(nb, name):
    """Problems with one master notebook, each naming the notebook and cell."""
    problems = []
    for index, cell in enumerate(nb.cells):
        where = f"{name}: {nbs.cell_label(cell, index)}"
        meta = nbs.nbgrader(cell)
        source = cell.get("source", "")
        try:
            solution = nbs.marker_regions(source, nbs.BEGIN_SOLUTION, nbs.END_SOLUTION)
            hidden = nbs.marker_regions(source, nbs.BEGIN_HIDDEN, nbs.END_HIDDEN)
        except ValueError as exc:
            problems.append(f"{where}: unbalanced markers: {exc}")
            continue
        if not meta:
            if solution or hidden:
                problems.append(f"{where}: markers in a cell without nbgrader metadata")
            continue
        gid = meta.get("grade_id")
        if not isinstance(gid, str) or not _GRADE_ID.match(gid):
            problems.append(f"{where}: grade_id {gid!r} must be letters, digits, '_' or '-'")
        if meta.get("schema_version") != 3:
            problems.append(f"{where}: nbgrader schema_version must be 3")
        if meta.get("grade") and meta.get("solution"):
            problems.append(f"{where}: manually graded answers are not supported")
        if (meta.get("grade") or meta.get("solution")) and cell.cell_type != "code":
            problems.append(f"{where}: answer and test cells must be code cells")
        if meta.get("grade"):
            pts = meta.get("points")
            if isinstance(pts, bool) or not isinstance(pts, int | float) or not pts > 0:
                problems.append(f"{where}: a test cell needs points > 0, got {pts!r}")
        if solution and not meta.get("solution"):
            problems.append(f"{where}: {nbs.BEGIN_SOLUTION!r} outside an answer cell")
        if hidden and not nbs.is_test(cell):
            problems.append(f"{where}: {nbs.BEGIN_HIDDEN!r} outside a test cell")
    return problems


def course_problems(masters):
    """Problems across a course: each master's, and grade_ids used twice.

    Parameters
    ----------
    masters : dict of str to NotebookNode
        Master notebooks by name.
    """
    problems, seen = [], {}
    for name, nb in masters.items():
        problems += master_problems(nb, name)
        for index, cell in enumerate(nb.cells):
            gid = nbs.grade_id(cell)
            if gid is None:
                continue
            here = f"{name}: cell {index}"
            if gid in seen:
                problems.append(f"{here}: grade_id {gid!r} is already used by {seen[gid]}")
            else:
                seen[gid] = here
    return problems


def _enclosing_function(lines, index, indent):
    """Name of the nearest ``def`` above line ``index`` that is indented less than ``indent``."""
    for line in reversed(lines[:index]):
        match = _DEF.match(line)
        if match and len(match.group(1)) < len(indent):
            return match.group(2)
    return None


def clear_solutions(source, fallback):
    """Replace each answer region of ``source`` with a stub naming its exercise."""
    lines = source.splitlines()
    regions = nbs.marker_regions(source, nbs.BEGIN_SOLUTION, nbs.END_SOLUTION)
    if not regions:
        return stub(fallback)
    out, last = [], 0
    for begin, end in regions:
        out += lines[last:begin]
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        out.append(stub(_enclosing_function(lines, begin, indent) or fallback, indent))
        last = end + 1
    out += lines[last:]
    return "\n".join(out)


def clear_hidden_tests(source):
    """Remove the hidden-test regions, markers included, from ``source``."""
    lines = source.splitlines()
    drop = set()
    for begin, end in nbs.marker_regions(source, nbs.BEGIN_HIDDEN, nbs.END_HIDDEN):
        drop.update(range(begin, end + 1))
    kept = [line for i, line in enumerate(lines) if i not in drop]
    return "\n".join(kept).rstrip("\n")


def make_exercise(master, name):
    """The exercise notebook for ``master``, a validated master notebook called ``name``."""
    nb = copy.deepcopy(master)
    for index, cell in enumerate(nb.cells):
        if nb.nbformat_minor >= 5 and not _CELL_ID.match(str(cell.get("id", ""))):
            cell.id = f"{nbs.grade_id(cell) or 'cell'}-{index}"[:64]
        nbs.clear_outputs(cell)
        cell.metadata.pop("editable", None)
        cell.metadata.pop("deletable", None)
        if nbs.is_answer(cell):
            cell.source = clear_solutions(cell.source, nbs.grade_id(cell))
        if nbs.is_test(cell):
            cell.source = clear_hidden_tests(cell.source)
        if nbs.is_locked(cell):
            cell.metadata.editable = False
            cell.metadata.deletable = False
    nb.metadata.pop("widgets", None)
    nb.metadata["minprune"] = {"master": name}
    return nb


def plan(root):
    """What ``release`` would write: ``{exercise path: text}`` for a course at ``root``.

    Raises
    ------
    ReleaseError
        If a master is unreadable or breaks a rule; the message lists every problem.
    """
    root = Path(root)
    masters, problems = {}, []
    for path in list_masters(root / "solutions"):
        try:
            masters[path.stem] = nbs.read_notebook(path)
        except nbs.NotebookError as exc:
            problems.append(str(exc))
    problems += course_problems(masters)
    if problems:
        raise ReleaseError("; ".join(problems))
    return {
        root / "exercises" / f"{name}.ipynb": nbs.dumps_notebook(make_exercise(nb, name))
        for name, nb in masters.items()
    }


def differences(root):
    """Files in ``root/exercises`` that differ from what ``release`` would write.

    Returns
    -------
    dict of str to list of str
        ``{"stale": [...], "missing": [...], "extra": [...]}`` with paths relative to ``root``.
    """
    root = Path(root)
    wanted = plan(root)
    found = set((root / "exercises").glob("*.ipynb"))

    def rel(path):
        return path.relative_to(root).as_posix()

    stale = [rel(p) for p, text in wanted.items() if p in found and p.read_text("utf-8") != text]
    missing = [rel(p) for p in wanted if p not in found]
    extra = [rel(p) for p in sorted(found - set(wanted))]
    return {"stale": stale, "missing": missing, "extra": extra}


def release(root):
    """Write ``exercises/`` from ``solutions/`` and delete exercises without a master.

    Returns
    -------
    list of Path
        The exercise notebooks written or deleted.
    """
    root = Path(root)
    wanted = plan(root)
    (root / "exercises").mkdir(exist_ok=True)
    changed = []
    for path, text in wanted.items():
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    for path in sorted((root / "exercises").glob("*.ipynb")):
        if path not in wanted:
            path.unlink()
            changed.append(path)
    return changed


def check(root):
    """Raise ``ReleaseError`` naming each stale, missing or extra exercise under ``root``."""
    diff = differences(root)
    parts = [f"{kind}: {', '.join(paths)}" for kind, paths in diff.items() if paths]
    if parts:
        raise ReleaseError(
            "exercises/ is not what `minprune release` writes ("
            + "; ".join(parts)
            + "); run `minprune release`"
        )
