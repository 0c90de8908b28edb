"""Per-learner feedback pages: the learner's scores, hints and answers, never the tests."""

import copy
import html
import re

import pytest
from conftest import FIXTURE_COURSE, FIXTURE_MASTER, cell_by_id

from minprune_course import feedback, grader, release
from minprune_course import notebooks as nbs

MASTERS = FIXTURE_COURSE / "solutions"
ROOT = nbs.repo_root()
WRONG_SPARSITY = "def sparsity(weights):\n    return 0.5"
LOOPED_COUNT = (
    "def count_params(sizes):\n    n = 0\n    for a, b in zip(sizes, sizes[1:]):\n"
    "        n += (a + 1) * b\n    return n"
)
XSS = "<script>alert(1)</script>"


def grade(path):
    return grader.grade_notebook(path, MASTERS, 20, 120)


def submit(folder, nb, name):
    path = folder / f"{name}.ipynb"
    nbs.write_notebook(nb, path)
    return path


def exercise():
    """The released (unanswered) fixture exercise."""
    return release.make_exercise(copy.deepcopy(nbs.read_notebook(FIXTURE_MASTER)), "90_fixture")


def secret_lines(master):
    """Non-trivial lines of the master's test cells and of its answer cells' model code."""
    lines = []
    for cell in master.cells:
        source = cell.get("source", "")
        if nbs.is_test(cell):
            lines += source.splitlines()
        elif nbs.is_answer(cell):
            body = source.splitlines()
            regions = nbs.marker_regions(source, nbs.BEGIN_SOLUTION, nbs.END_SOLUTION)
            for begin, end in regions or [(-1, len(body))]:
                lines += body[begin + 1 : end]
    kept = {line.strip() for line in lines}
    return {line for line in kept if len(line) >= 10 and not line.startswith("### ")}


def leaked(page, lines):
    """The lines of ``lines`` found in ``page``, as markup or as its escaped text."""
    text = html.unescape(page)
    return sorted(line for line in lines if line in page or line in text)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Fixture submissions, each graded once: the stubs, a partly wrong one, an XSS one."""
    folder = tmp_path_factory.mktemp("submitted")
    partly = exercise()
    cell_by_id(partly, "sparsity_answer").source = WRONG_SPARSITY
    cell_by_id(partly, "count_answer").source = LOOPED_COUNT
    hostile = exercise()
    cell_by_id(hostile, "sparsity_answer").source = (
        WRONG_SPARSITY + "\n\nfrom IPython.display import HTML, display\n"
        f"print({XSS!r})\ndisplay(HTML({XSS!r}))\n{XSS!r}"
    )
    cell_by_id(hostile, "mask_answer").source = "raise ValueError('<img src=x onerror=alert(2)>')"
    notebooks = {"stubs": exercise(), "partly": partly, "hostile": hostile}
    return {name: grade(submit(folder, nb, name)) for name, nb in notebooks.items()}


def test_wrong_answer_shows_title_zero_points_full_hint_and_source(graded):
    """A wrong answer's page shows its title, 0/max, its whole hint and the learner's code."""
    result = graded["partly"]
    score = next(s for s in result.scores if s.grade_id == "test_sparsity")
    assert score.status == "failed" and score.message
    page = feedback.render(result, learner="alice")
    assert "<h3>1. Sparsity</h3>" in page
    assert "<p>0 / 2 points, " in page
    assert f"<pre>{html.escape(score.message)}</pre>" in page
    assert html.escape(WRONG_SPARSITY) in page and html.escape(LOOPED_COUNT) in page
    assert "alice" in page and "90_fixture" in page and "1 / 5" in page


def test_every_line_of_a_long_hint_is_shown():
    """A hint of several lines is shown whole, not cut to its first line."""
    hint = "count_params([3, 1]) returned 0\nexpected the weights and biases\nhint: a * b + b"
    result = grader.Result("bob.ipynb", "90_fixture")
    result.scores = [grader.Score("test_count", 0.0, 1.0, "failed", hint, title="2. Parameters")]
    assert f"<pre>{html.escape(hint)}</pre>" in feedback.render(result)


@pytest.mark.parametrize("name", ["stubs", "partly", "hostile"])
def test_no_test_or_model_answer_line_is_in_the_page(graded, name):
    """No line of a test cell (hidden tests included) or of a model answer reaches the page."""
    lines = secret_lines(nbs.read_notebook(FIXTURE_MASTER))
    assert len(lines) > 15
    assert leaked(feedback.render(graded[name]), lines) == []


def test_the_leak_check_finds_model_answers_when_they_are_submitted():
    """The leak check is not blind: the master's own answers, submitted, are found."""
    result = grade(FIXTURE_MASTER)
    found = leaked(feedback.render(result), secret_lines(nbs.read_notebook(FIXTURE_MASTER)))
    assert "return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))" in found


@pytest.mark.slow
@pytest.mark.parametrize("stem", ["03_magnitude_pruning", "06_neuron_removal"])
def test_real_exercise_page_holds_no_test_or_model_answer_line(stem):
    """A released course exercise's page holds none of its master's tests or answers."""
    result = grader.grade_notebook(ROOT / "exercises" / f"{stem}.ipynb", None, 60, 300)
    assert result.status == "graded" and result.scores and result.answers
    page = feedback.render(result)
    lines = secret_lines(nbs.read_notebook(ROOT / "solutions" / f"{stem}.ipynb"))
    assert any(".check(" in line for line in lines)
    assert leaked(page, lines) == []
    assert all(html.escape(s.title) in page for s in result.scores)


def test_learner_markup_is_escaped_and_the_page_has_no_script_or_url(graded):
    """Printed and displayed ``<script>`` and an error holding markup appear escaped."""
    page = feedback.render(graded["hostile"], learner=XSS)
    assert "<script" not in page.lower() and "<img src=x" not in page
    assert "http://" not in page and "https://" not in page
    escaped = html.escape(XSS)
    assert f'<pre class="stdout">{escaped}\n</pre>' in page
    assert f"<pre>&#x27;{escaped}&#x27;</pre>" in page  # the cell's value
    assert f"<strong>{escaped}</strong>" in page  # the learner's name
    assert "ValueError: &lt;img src=x onerror=alert(2)&gt;" in page


def test_outputs_show_images_text_and_clean_tracebacks():
    """A PNG becomes a data-URI image, HTML shows as its plain text, ANSI codes are gone."""
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    outputs = [
        {"output_type": "display_data", "data": {"image/png": png + "\n", "text/plain": "fig"}},
        {"output_type": "display_data", "data": {"text/html": "<b>x</b>", "text/plain": "X!"}},
        {"output_type": "display_data", "data": {"text/html": "<i>only html</i>"}},
        {"output_type": "display_data", "data": {"image/png": '" onload="alert(3)'}},
        {
            "output_type": "error",
            "ename": "ZeroDivisionError",
            "evalue": "division by zero",
            "traceback": ["\x1b[0;31mZeroDivisionError\x1b[0m: division by zero"],
        },
        {"output_type": "stream", "name": "stdout", "text": ["a\n", "b\n"]},
    ]
    result = grader.Result("carol.ipynb", "90_fixture")
    result.answers = [{"grade_id": "sparsity_answer", "source": "1 / 0", "outputs": outputs}]
    page = feedback.render(result)
    assert f'<img alt="an image output" src="data:image/png;base64,{png}">' in page
    assert "<pre>X!</pre>" in page and "<b>" not in page
    assert "<pre>&lt;i&gt;only html&lt;/i&gt;</pre>" in page
    assert "onload" not in page and "(an output of type image/png not shown here)" in page
    assert "ZeroDivisionError: division by zero\nZeroDivisionError: division by zero" in page
    assert "\x1b" not in page and "[0;31m" not in page
    assert '<pre class="stdout">a\nb\n</pre>' in page


def test_flags_for_the_instructor_are_not_shown():
    """A score's flag stays out of the learner's page."""
    result = grader.Result("dan.ipynb", "90_fixture")
    flag = "names the reference it is compared with: minprune.threshold_masks"
    result.scores = [grader.Score("test_mask", 2.0, 2.0, "passed", flag=flag, title="3. Mask")]
    page = feedback.render(result)
    assert "3. Mask" in page and "2 / 2" in page and flag not in page


def test_an_ungradable_file_gets_a_page_stating_why(tmp_path):
    """A file that is not a notebook gets a page saying it could not be graded and why."""
    path = tmp_path / "90_fixture.ipynb"
    path.write_text("garbage")
    result = grade(path)
    assert result.status == "error"
    page = feedback.render(result, learner="erin")
    assert "could not be graded" in page and html.escape(result.message) in page
    assert "not a notebook (invalid JSON" in page and "0 / 0" in page


def test_write_names_pages_by_learner_and_master_and_keeps_both(tmp_path):
    """Pages are named <learner>-<master>.html, made safe; a name already written in this
    run takes -2, a page from an earlier run is replaced."""
    a = grader.Result("subs/x.ipynb", "03_magnitude_pruning")
    b = grader.Result("subs/y.ipynb", "04_choosing_what_to_prune")
    folder = tmp_path / "feedback" / "new"
    first = feedback.write(a, folder, learner="Ann Lee/../..")
    second = feedback.write(b, folder, learner="Ann Lee/../..")
    assert first.parent == second.parent == folder
    assert [first.name, second.name] == [
        "Ann_Lee-03_magnitude_pruning.html",
        "Ann_Lee-04_choosing_what_to_prune.html",
    ]
    again = feedback.write(a, folder, learner="Ann Lee/../..", keep={first, second})
    assert again.name == "Ann_Lee-03_magnitude_pruning-2.html" and first.exists()
    assert feedback.write(a, folder, learner="Ann Lee/../..") == first
    assert feedback.write(grader.Result("subs/bob.ipynb"), folder).name == "bob.html"
    assert first.read_text(encoding="utf-8") == feedback.render(a, learner="Ann Lee/../..")
    assert len(list(folder.iterdir())) == 4


def test_render_refuses_what_is_not_a_result():
    """Anything but a grader.Result is refused by name."""
    with pytest.raises(TypeError, match="result must be a grader.Result, got dict"):
        feedback.render({"scores": []})


def test_answers_appear_in_order_with_their_outputs(graded):
    """'Your answers' lists each answer cell in notebook order."""
    page = feedback.render(graded["partly"])
    ids = re.findall(r'<div class="answer"><h3>(\w+)</h3>', page)
    assert ids == ["sparsity_answer", "count_answer", "mask_answer"]
