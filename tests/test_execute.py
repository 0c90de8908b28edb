"""``minprune execute``: notebooks run in place in a fresh kernel and saved with outputs."""

import nbformat
import pytest

from minprune_course import cli, execute
from minprune_course import notebooks as nbs


def _notebook(path, *sources):
    nbs.write_notebook(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path
    )
    return path


def test_execute_saves_outputs_and_runs_in_the_notebooks_folder(tmp_path):
    """Outputs and execution counts are saved; the kernel's cwd is the notebook's folder."""
    (tmp_path / "data.txt").write_text("from the folder")
    path = _notebook(
        tmp_path / "nb.ipynb", "print(open('data.txt').read())", "import sys\nsys.executable"
    )
    assert cli.main(["execute", str(tmp_path)]) == 0
    cells = nbs.read_notebook(path).cells
    assert cells[0].outputs[0].text == "from the folder\n"
    assert cells[0].execution_count == 1
    assert "python" in cells[1].outputs[0].data["text/plain"]


def test_failing_notebook_is_named_and_left_unchanged(tmp_path):
    """A cell that raises names the notebook and the error, and nothing is saved."""
    path = _notebook(tmp_path / "bad.ipynb", "x = 1", "1 / 0")
    before = path.read_text()
    with pytest.raises(execute.ExecuteError, match=r"bad.ipynb: a cell raised ZeroDivisionError"):
        execute.execute_notebook(path)
    assert path.read_text() == before


def test_cli_reports_failures_in_one_line_and_runs_the_others(tmp_path, capsys):
    """With --jobs 2 a failing notebook does not stop the others; exit status is 2."""
    good = _notebook(tmp_path / "a.ipynb", "print('ran')")
    _notebook(tmp_path / "b.ipynb", "raise ValueError('broken')")
    assert cli.main(["execute", "--jobs", "2", str(tmp_path)]) == 2
    assert capsys.readouterr().err == "minprune: error: " + str(tmp_path / "b.ipynb") + (
        ": a cell raised ValueError: broken\n"
    )
    assert nbs.read_notebook(good).cells[0].outputs[0].text == "ran\n"


def test_missing_path_is_one_line(tmp_path, capsys):
    """A path that does not exist is reported in one line."""
    assert cli.main(["execute", str(tmp_path / "nope")]) == 2
    assert capsys.readouterr().err.endswith("nope: no such file or folder\n")
