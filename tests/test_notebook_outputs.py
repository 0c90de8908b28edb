"""What nbval compares in the executed notebooks, and why it skips the rest.

An output is compared digit for digit unless its cell is tagged
``nbval-ignore-output``; such a cell says why in one line under the cell
metadata key ``output_varies`` (a floating-point result whose last digits move
with the CPU's kernels, a time, the machine's name), and the claims the lesson
makes about it are assertions in the notebook, which hold on every CPU.
"""

from pathlib import Path

import pytest

from minprune_course import notebooks as nbs

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "lessons").glob("*.ipynb")) + sorted(
    (ROOT / "solutions").glob("*.ipynb")
)
IGNORE = "nbval-ignore-output"


def ignored_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and IGNORE in c.metadata.get("tags", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_ignored_output_says_why(path):
    """Each cell whose output nbval skips carries a one-line reason."""
    nb = nbs.read_notebook(path)
    for cell in ignored_cells(nb):
        reason = cell.metadata.get("output_varies", "")
        first = cell.source.splitlines()[0] if cell.source else ""
        assert isinstance(reason, str) and reason.strip(), f"no output_varies reason: {first}"
        assert "\n" not in reason.strip(), f"reason longer than one line: {first}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_reason_without_the_tag(path):
    """A reason without the tag would claim a skip that nbval does not make."""
    nb = nbs.read_notebook(path)
    for cell in nb.cells:
        if "output_varies" in cell.metadata:
            assert IGNORE in cell.metadata.get("tags", []), cell.source.splitlines()[0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_cell_escapes_comparison_wholesale(path):
    """No ``nbval-skip`` and no lax mode: every cell runs, and is compared unless it says why."""
    nb = nbs.read_notebook(path)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        assert "nbval-skip" not in tags and "nbval-check-output" not in tags, cell.source[:60]
