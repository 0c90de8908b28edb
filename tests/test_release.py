"""``minprune release``: exercises written from masters, validated, and kept up to date."""

import json

import nbformat
import pytest
from conftest import cell_by_id

from minprune_course import cli, release
from minprune_course import notebooks as nbs

ROOT = nbs.repo_root()


def _exercise(master, name="90_fixture"):
    return release.make_exercise(master, name)


def test_repository_exercises_are_up_to_date():
    """exercises/ is exactly what `minprune release` writes from solutions/."""
    release.check(ROOT)


@pytest.mark.parametrize("path", sorted((ROOT / "exercises").glob("*.ipynb")), ids=lambda p: p.name)
def test_repository_exercises_carry_no_outputs(path):
    """Committed exercise notebooks have no outputs and no execution counts."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["source"]


def test_stub_keeps_the_signature_and_names_the_function(master):
    """An answer inside a function keeps its def line and docstring; the stub names it."""
    source = cell_by_id(_exercise(master), "count_answer").source
    assert source.splitlines() == [
        "def count_params(sizes):",
        '    """Weights and biases of a dense network with layer sizes ``sizes``."""',
        '    raise NotImplementedError("count_params: replace this line with your answer")',
    ]


def test_top_level_answer_stub_names_the_grade_id(master):
    """An answer region outside any function is replaced by a stub naming its grade_id."""
    cell_by_id(
        master, "count_answer"
    ).source = "n = 3\n### BEGIN SOLUTION\ncount = n * 2\n### END SOLUTION\nprint(count)"
    source = cell_by_id(_exercise(master), "count_answer").source
    assert source == (
        "n = 3\n"
        'raise NotImplementedError("count_answer: replace this line with your answer")\n'
        "print(count)"
    )


def test_hidden_tests_are_removed_and_visible_checks_kept(master):
    """Hidden tests vanish with their markers; the public check stays."""
    source = cell_by_id(_exercise(master), "test_count").source
    assert "HIDDEN" not in source and "[3, 1]" not in source
    assert source.endswith("checks.passed()")


def test_no_answer_survives_release(master):
    """No line of any answer region appears in the exercise."""
    text = nbs.dumps_notebook(_exercise(master))
    assert "zip(sizes[:-1], sizes[1:])" not in text
    assert "np.abs(W) > threshold" not in text
    assert "BEGIN SOLUTION" not in text


def test_outputs_and_counts_are_cleared(master):
    """Outputs and execution counts in the master do not reach the exercise."""
    cell = cell_by_id(master, "test_count")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="public checks passed\n")]
    cell.execution_count = 7
    out = cell_by_id(_exercise(master), "test_count")
    assert out.outputs == [] and out.execution_count is None


def test_locked_cells_cannot_be_edited_and_answers_can(master):
    """Tests and setup are non-editable and non-deletable; answers are editable."""
    nb = _exercise(master)
    for gid in ("setup", "test_sparsity", "test_count", "test_mask"):
        meta = cell_by_id(nb, gid).metadata
        assert meta.editable is False and meta.deletable is False
    assert "editable" not in cell_by_id(nb, "count_answer").metadata


def test_exercise_records_its_master(master):
    """The exercise's metadata names its master."""
    assert _exercise(master).metadata.minprune == {"master": "90_fixture"}


def test_release_writes_then_check_passes(course):
    """After `release`, `check` passes and a second `release` writes nothing."""
    assert [p.name for p in release.release(course)] == ["90_fixture.ipynb"]
    release.check(course)
    assert release.release(course) == []


def test_release_removes_exercises_without_a_master(course):
    """An exercise whose master is gone is deleted by `release`."""
    (course / "exercises").mkdir()
    (course / "exercises" / "99_old.ipynb").write_text("{}")
    release.release(course)
    assert sorted(p.name for p in (course / "exercises").iterdir()) == ["90_fixture.ipynb"]


@pytest.mark.parametrize(
    ("spoil", "kind"),
    [
        (lambda ex: ex.unlink(), "missing: exercises/90_fixture.ipynb"),
        (lambda ex: ex.write_text(ex.read_text().replace("count_params", "n")), "stale: exercises"),
        (lambda ex: (ex.parent / "91_extra.ipynb").write_text("{}"), "extra: exercises/91_extra"),
    ],
    ids=["missing", "stale", "extra"],
)
def test_check_names_each_out_of_date_file(course, spoil, kind):
    """`check` fails naming the missing, stale or extra exercise."""
    release.release(course)
    spoil(course / "exercises" / "90_fixture.ipynb")
    with pytest.raises(release.ReleaseError, match=kind):
        release.check(course)


def test_cli_check_exits_2_with_one_line(course, capsys):
    """`minprune release --check` on a stale course prints one line and exits 2."""
    assert cli.main(["release", "--check", "--root", str(course)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("minprune: error: exercises/ is not what") and err.count("\n") == 1
    assert cli.main(["release", "--root", str(course)]) == 0
    assert cli.main(["release", "--check", "--root", str(course)]) == 0


def _save(course, nb, name):
    nbs.write_notebook(nb, course / "solutions" / f"{name}.ipynb")


def test_duplicate_grade_ids_across_notebooks_are_refused(course, master):
    """A grade_id used in two masters is named with both places."""
    _save(course, master, "91_copy")
    with pytest.raises(release.ReleaseError, match=r"91_copy: cell 1: grade_id 'setup' is alr"):
        release.release(course)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (
            lambda nb: cell_by_id(nb, "test_count").metadata.nbgrader.pop("points"),
            r"90_fixture: cell 7 \(test_count\): a test cell needs points > 0, got None",
        ),
        (
            lambda nb: setattr(
                cell_by_id(nb, "count_answer"), "source", "### BEGIN SOLUTION\nx = 1"
            ),
            r"90_fixture: cell 6 \(count_answer\): unbalanced markers: line 1: .* never closed",
        ),
        (
            lambda nb: setattr(
                cell_by_id(nb, "mask_answer"), "source", "### END SOLUTION\n### BEGIN SOLUTION"
            ),
            r"cell 9 \(mask_answer\): unbalanced markers: line 1: '### END SOLUTION' without",
        ),
        (
            lambda nb: setattr(
                cell_by_id(nb, "setup"), "source", "### BEGIN SOLUTION\n### END SOLUTION"
            ),
            r"cell 1 \(setup\): '### BEGIN SOLUTION' outside an answer cell",
        ),
        (
            lambda nb: setattr(
                cell_by_id(nb, "count_answer"),
                "source",
                "### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS",
            ),
            r"cell 6 \(count_answer\): '### BEGIN HIDDEN TESTS' outside a test cell",
        ),
        (
            lambda nb: cell_by_id(nb, "test_mask").metadata.nbgrader.update(grade_id="a b"),
            r"cell 10 \(a b\): grade_id 'a b' must be letters",
        ),
        (
            lambda nb: cell_by_id(nb, "setup").metadata.nbgrader.update(schema_version=2),
            r"cell 1 \(setup\): nbgrader schema_version must be 3",
        ),
    ],
    ids=["points", "unclosed", "unopened", "solution-outside", "hidden-outside", "gid", "schema"],
)
def test_broken_masters_are_refused_naming_notebook_and_cell(course, master, spoil, message):
    """Release validates masters and names the notebook and the cell of each problem."""
    spoil(master)
    _save(course, master, "90_fixture")
    with pytest.raises(release.ReleaseError, match=message):
        release.release(course)
    assert not (course / "exercises").exists()


def test_unreadable_master_is_named(course):
    """A master that is not JSON is refused by name."""
    (course / "solutions" / "91_bad.ipynb").write_text("not json")
    with pytest.raises(release.ReleaseError, match=r"91_bad.ipynb: not a notebook"):
        release.check(course)
