"""The verdict is reached in the grader's process: a submission that rewrites its own
kernel can make its answers wrong, never its checks pass.

Each hostile cell is added to the released (unanswered) exercise 00; whatever it does
to the kernel, the submission must score 0, and the master graded in the same batch
full marks.
"""

import nbformat
import pytest

from minprune_course import grader
from minprune_course import notebooks as nbs

ROOT = nbs.repo_root()
EXERCISE = ROOT / "exercises" / "00_welcome.ipynb"
MASTER = ROOT / "solutions" / "00_welcome.ipynb"

# Each rewrites how the kernel runs or reports later cells.
TRICKS = {
    "input transformer": (
        "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])"
    ),
    "AST transformer": (
        "import ast\n"
        "class Nothing(ast.NodeTransformer):\n"
        "    def visit_Module(self, node):\n"
        "        return ast.Module(body=[ast.Pass()], type_ignores=[])\n"
        "get_ipython().ast_transformers.append(Nothing())"
    ),
    "replaced run_cell": (
        "from IPython.core.interactiveshell import ExecutionResult, ExecutionInfo\n"
        "shell = get_ipython()\n"
        "def run_cell(raw_cell, *args, **kwargs):\n"
        "    return ExecutionResult(ExecutionInfo(raw_cell, False, False, False, None))\n"
        "shell.run_cell = run_cell"
    ),
    "swallowed exceptions": (
        "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)"
    ),
    "event hook": (
        "def skip(info):\n    raise SystemExit\nget_ipython().events.register('pre_run_cell', skip)"
    ),
    "patched checks and numpy": (
        "import numpy as np\n"
        "from minprune_course import checks\n"
        "np.allclose = lambda *a, **k: True\n"
        "checks.expect_close = checks.expect_equal = lambda *a, **k: None\n"
        "checks.expect_equal_int = lambda *a, **k: None\n"
        "checks.call = lambda fn, *a, **k: None"
    ),
    "lying answers": (
        "import numpy as np\n"
        "class Yes(np.ndarray):\n"
        "    def __eq__(self, other): return np.ones(self.shape, bool)\n"
        "class Int(int):\n"
        "    def __eq__(self, other): return True\n"
        "count_parameters = count_macs = lambda sizes: Int(0)\n"
        "sparsity = lambda weights: np.zeros(1).view(Yes)\n"
        "threshold_masks = lambda weights, t: [np.zeros(w.shape).view(Yes) for w in weights]"
    ),
    "lying conversions": (
        "import numpy as np\n"
        "class Array:\n"
        "    def __array__(self, dtype=None, copy=None): return np.zeros(1)\n"
        "    def __eq__(self, other): return True\n"
        "class Number:\n"
        "    def __float__(self): return 0.0\n"
        "    def __int__(self): return 0\n"
        "    def __index__(self): return 0\n"
        "    def __eq__(self, other): return True\n"
        "count_parameters = count_macs = lambda sizes: Number()\n"
        "sparsity = lambda weights: Array()\n"
        "threshold_masks = lambda weights, t: [Array() for w in weights]"
    ),
    "replaced traceback hooks": (
        "import sys\n"
        "shell = get_ipython()\n"
        "sys.excepthook = lambda *a: None\n"
        "shell.showtraceback = shell._showtraceback = lambda *a, **k: None\n"
        "shell.showsyntaxerror = lambda *a, **k: None"
    ),
    "patched builtins": (
        "import builtins\n"
        "builtins.isinstance = lambda obj, kind: True\n"
        "builtins.len = lambda obj: 0\n"
        "builtins.sum = lambda *a, **k: 0"
    ),
    "patched engine and transport": (
        "import minprune, minprune_course.remote as remote\n"
        "minprune.count_parameters = minprune.count_macs = lambda sizes: 0\n"
        "minprune.threshold_masks = lambda weights, t: weights\n"
        "remote.serve = remote.serve_probe = lambda *a, **k: None"
    ),
}


def submission(tmp_path, trick):
    nb = nbs.read_notebook(EXERCISE)
    nb.cells.append(nbformat.v4.new_code_cell(TRICKS[trick]))  # after every answer cell
    setup = next(i for i, c in enumerate(nb.cells) if nbs.grade_id(c) == "t00_setup")
    nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(TRICKS[trick]))
    path = tmp_path / "00_welcome.ipynb"
    nbs.write_notebook(nb, path)
    return path


@pytest.mark.parametrize("trick", TRICKS)
def test_a_kernel_that_lies_about_itself_scores_only_its_answers(trick, tmp_path):
    path = submission(tmp_path, trick)
    mine, master = grader.grade_all([path, MASTER], ROOT / "solutions", 20, 120)
    assert mine.status == "graded" and mine.total == 0, [
        (s.grade_id, s.status, s.message) for s in mine.scores
    ]
    points = sum(
        nbs.nbgrader(c).get("points", 0) for c in nbs.read_notebook(MASTER).cells if nbs.is_test(c)
    )
    assert points > 0 and master.total == master.max_total == points


def test_every_course_test_cell_is_judged_in_the_graders_process():
    """No master leaves its verdict to the submission's kernel."""
    for path in sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")):
        for cell in nbs.read_notebook(path).cells:
            if cell.cell_type == "code" and nbs.is_test(cell):
                assert grader.judged_calls(cell.source), (path.name, nbs.grade_id(cell))


def test_a_test_cell_of_another_form_runs_in_the_kernel():
    assert grader.judged_calls("t00_sparsity.check(f)\nprint('extra')") is None
    assert grader.judged_calls("t00_sparsity.check(f, hidden=True)") == [
        ("t00_sparsity", ["f"], True)
    ]
    assert grader.judged_calls("t00_sparsity.check(f(1))") is None
    assert grader.judged_calls("def (") is None
    assert grader.judged_calls("checks.check(f)") is None  # not an exercise module


def test_an_answer_that_names_its_reference_is_flagged_for_the_instructor(tmp_path):
    """Calling the function the answer is compared with fails (it is switched off in the
    kernel while the answer runs) and the report flags it, with the reference named."""
    nb = nbs.read_notebook(EXERCISE)
    answer = next(c for c in nb.cells if nbs.grade_id(c) == "t00_count_parameters")
    answer.source = (
        "import minprune as mp\n"
        "def count_parameters(sizes):\n"
        "    return mp.count_parameters(mp.Network(sizes, rng=0))"
    )
    path = tmp_path / "00_welcome.ipynb"
    nbs.write_notebook(nb, path)
    (result,) = grader.grade_all([path], ROOT / "solutions", 20, 120)
    score = next(s for s in result.scores if s.grade_id == "t00_count_parameters_test")
    assert score.points == 0 and "switched off" in score.message
    assert score.flag == "names the reference it is compared with: minprune.count_parameters"
    others = [s.flag for s in result.scores if s is not score]
    assert len(others) == len(result.scores) - 1 >= 3 and set(others) == {""}


def test_named_references_sees_attributes_and_imports_not_the_learners_own_names():
    refs = ("minprune.threshold_masks",)
    assert grader.named_references("mp.threshold_masks(x)", refs) == list(refs)
    assert grader.named_references("from minprune import threshold_masks", refs) == list(refs)
    assert grader.named_references("def threshold_masks(w, t):\n    return w", refs) == []


def test_every_course_check_is_judged_in_the_grader():
    """No master's test cell runs in the learner's kernel: each is one exercise module's
    ``check`` calls, which the grader runs in its own process."""
    for path in sorted((nbs.repo_root() / "solutions").glob("*.ipynb")):
        nb = nbs.read_notebook(path)
        tests = [c for c in nb.cells if c.cell_type == "code" and nbs.is_test(c)]
        assert tests, path.name
        in_kernel = [nbs.grade_id(c) for c in tests if not grader.judged_calls(c.source)]
        assert in_kernel == [], f"{path.name}: {in_kernel} would run in the kernel"
