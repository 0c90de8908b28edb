"""Every exercise module, tested alike: fair to every correct answer, fatal to every mistake.

For each module of ``minprune_course.exercises`` and its answers in
``tests/exercise_answers/`` (its known mistakes and the correct alternatives its
prompt allows):

- the master's answer passes the visible check and the hidden battery on every seed;
- each declared mistake fails with its own hint on every seed, visible check included;
- each correct alternative passes on every seed;
- the master's results with every value nudged, or claiming to equal anything, fail;
- an answer that changes its arguments in place fails, where the prompt forbids it;
- an answer that calls the switched-off reference fails with the "your own code" hint;
- the released stub fails with "not answered yet";
- the same answer graded twice gets the same result, and the grader's seed is what
  the hidden battery draws from.

An answers module may also declare ``SEEDS`` (fewer seeds, for an exercise whose check
trains a network), ``check_args()`` (the check's arguments for the master, when they are
more than the functions named by ``ANSWER``) and ``NOT_APPLICABLE`` (``{test: reason}``
for a property an exercise's answer cannot have, such as arguments to change when it
takes none); each of those is stated there, with its reason.
"""

import copy
import importlib
import re

import numpy as np
import pytest
from topic_checks import SOLUTIONS, liar, master

from minprune_course import checks, exercises
from minprune_course import notebooks as nbs

NAMES = exercises.module_names()
SEEDS = 50


def answers(name):
    """``tests/exercise_answers/<name>.py``: ``MISTAKES``, ``ALTERNATIVES``, maybe ``SEEDS``."""
    return importlib.import_module(f"exercise_answers.{name}")


def seeds(name):
    return range(getattr(answers(name), "SEEDS", SEEDS))


def master_args(name):
    """The check's arguments for the master: its functions named by ``ANSWER`` ("a, b")."""
    hook = getattr(answers(name), "check_args", None)
    if hook is not None:
        return tuple(hook())
    found = master(name[1:3])
    return tuple(getattr(found, n.strip()) for n in exercises.load(name).ANSWER.split(","))


def as_args(answer):
    return tuple(answer) if isinstance(answer, tuple) else (answer,)


def replace_first(args, change):
    """``args`` with the first answer function wrapped by ``change``."""
    assert callable(args[0]), "the first argument of the check is the learner's function"
    return (change(args[0]), *args[1:])


def outcome(module, answer, hidden, seed):
    """``"passed"`` or the hint the check fails with."""
    try:
        module.check(*as_args(answer), hidden=hidden, seed=seed)
    except AssertionError as exc:
        return str(exc)
    return "passed"


def params(kind):
    out = []
    for name in NAMES:
        table = getattr(answers(name), kind)
        out += [pytest.param(name, key, id=f"{name}-{key}") for key in table]
    return out


def applicable(test):
    """The exercises ``test`` applies to (the others say why in ``NOT_APPLICABLE``)."""
    return [n for n in NAMES if test not in getattr(answers(n), "NOT_APPLICABLE", {})]


# ------------------------------------------------------------------ shape
def _master_test_cells():
    cells = {}
    for path in sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb")):
        for cell in nbs.read_notebook(path).cells:
            if cell.cell_type == "code" and nbs.is_test(cell):
                cells[nbs.grade_id(cell)] = cell.source
    return cells


def test_every_graded_test_cell_has_its_exercise_module():
    """Each master's test cells call their module's ``check``, visible then hidden."""
    modules = exercises.grade_ids()
    cells = _master_test_cells()
    assert sorted(modules) == sorted(cells)
    for gid, source in cells.items():
        name, answer = modules[gid], exercises.load(modules[gid]).ANSWER
        assert f"{name}.check({answer})" in source, gid
        assert f"{name}.check({answer}, hidden=True)" in source, gid


@pytest.mark.parametrize("name", NAMES)
def test_module_declares_the_contract(name):
    """Every module has the same API, and every mistake has a hint and a test answer."""
    module = exercises.load(name)
    assert module.GRADE_ID.startswith(name) and module.GRADE_ID.endswith("_test")
    assert re.fullmatch(r"\(.*\)", module.SIGNATURE)
    assert callable(module.cases) and callable(module.check)
    checks.public(*module.REFERENCE)  # every reference still exists under its public name
    assert set(answers(name).MISTAKES) == set(module.MISTAKES)
    assert all(len(hint) > 20 for hint in module.MISTAKES.values())


# ------------------------------------------------------------------ fair
@pytest.mark.parametrize("name", NAMES)
def test_master_answer_passes_on_every_seed(name, capsys):
    module, answer = exercises.load(name), master_args(name)
    module.check(*answer)
    assert capsys.readouterr().out.strip().endswith("public checks passed")
    failed = {s: outcome(module, answer, True, s) for s in seeds(name)}
    assert {s: o for s, o in failed.items() if o != "passed"} == {}


@pytest.mark.parametrize(("name", "alternative"), params("ALTERNATIVES"))
def test_a_correct_alternative_passes_on_every_seed(name, alternative):
    module = exercises.load(name)
    answer = answers(name).ALTERNATIVES[alternative]
    results = {s: outcome(module, answer, True, s) for s in seeds(name)}
    results["visible"] = outcome(module, answer, False, None)
    assert {s: o for s, o in results.items() if o != "passed"} == {}


@pytest.mark.parametrize(("name", "mistake"), params("MISTAKES"))
def test_a_known_mistake_fails_with_its_own_hint_on_every_seed(name, mistake):
    module = exercises.load(name)
    answer, hint = answers(name).MISTAKES[mistake], module.MISTAKES[mistake]
    results = {s: outcome(module, answer, True, s) for s in seeds(name)}
    results["visible"] = outcome(module, answer, False, None)
    assert {s: o for s, o in results.items() if hint not in o} == {}


# ------------------------------------------------------------------ fatal
def nudge(value):
    """``value`` with every number moved: floats by 1e-3 of their size, ints by one, masks flipped."""
    if isinstance(value, dict):
        return {k: nudge(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(nudge(v) for v in value)
    if type(value).__module__.split(".")[0] == "torch":
        import torch

        if isinstance(value, torch.Tensor):
            return torch.as_tensor(nudge(value.detach().cpu().numpy()))
        if isinstance(value, torch.nn.Module):
            changed = copy.deepcopy(value)
            with torch.no_grad():
                for p in changed.parameters():
                    p.add_(1e-3 * (1 + p.abs()))
            return changed
    if isinstance(value, np.ndarray) and value.dtype != object:
        if value.dtype == bool:
            return ~value
        if value.size and bool(((value == 0) | (value == 1)).all()):
            return (1 - value).astype(value.dtype)
        if value.dtype.kind in "iu":
            return value + 1
        return value + 1e-3 * (1 + np.abs(value))
    if isinstance(value, bool | np.bool_):
        return not value
    if isinstance(value, int | np.integer):
        return value + 1
    if isinstance(value, float | np.floating):
        return value + 1e-3 * (1 + abs(value))
    if hasattr(value, "layers") and hasattr(value, "copy"):  # a minprune.Network
        changed = value.copy()
        for layer in changed.layers:
            layer.W += 1e-3 * (1 + np.abs(layer.W))
        return changed
    return value


def nudging(answer):
    def nudged(*args, **kwargs):
        return nudge(answer(*args, **kwargs))

    return nudged


@pytest.mark.parametrize("name", applicable("nudged"))
def test_right_values_nudged_or_lying_fail(name):
    """The master's results with every value moved a little fail, and so do results that
    claim to equal anything."""
    module, args = exercises.load(name), master_args(name)
    perturb = getattr(answers(name), "perturbed", None) or nudging
    for wrong in (perturb, liar):
        with pytest.raises(AssertionError):
            module.check(*replace_first(args, wrong), hidden=True, seed=0)


def _mutate_first(args):
    """Change the first array, tensor, list or network among ``args`` in place; True if one was."""
    for arg in args:
        if isinstance(arg, np.ndarray) and arg.size and arg.flags.writeable:
            arg.flat[0] = arg.flat[0] + 1 if arg.dtype != bool else not arg.flat[0]
            return True
        if type(arg).__module__.split(".")[0] == "torch" and hasattr(arg, "add_"):
            arg.add_(1)
            return True
        if hasattr(arg, "layers") and hasattr(arg, "copy"):
            arg.layers[0].W += 1
            return True
        if isinstance(arg, list | tuple) and _mutate_first(arg):
            return True
        if isinstance(arg, list):
            arg.append(0)
            return True
    return False


@pytest.mark.parametrize("name", applicable("mutating"))
def test_an_answer_that_changes_its_inputs_fails(name):
    """The prompts ask for new values and the inputs left alone: changing them fails."""
    module, args = exercises.load(name), master_args(name)

    def mutating(answer):
        def changes(*args, **kwargs):
            result = answer(*copy.deepcopy(args), **copy.deepcopy(kwargs))
            assert _mutate_first(args) or _mutate_first(list(kwargs.values())), "nothing to change"
            return result

        return changes

    with pytest.raises(AssertionError, match="in place"):
        module.check(*replace_first(args, mutating))


@pytest.mark.parametrize(
    "name", [n for n in applicable("borrowing") if exercises.load(n).REFERENCE]
)
def test_an_answer_that_calls_the_reference_fails(name):
    module, args = exercises.load(name), master_args(name)
    reference = checks.public(*module.REFERENCE)[0]

    def borrowing(answer):
        def borrows(*args, **kwargs):
            reference()
            return answer(*args, **kwargs)

        return borrows

    with pytest.raises(AssertionError, match="switched off"):
        module.check(*replace_first(args, borrowing))


@pytest.mark.parametrize("name", applicable("stub"))
def test_the_released_stub_is_not_answered_yet(name):
    module, args = exercises.load(name), master_args(name)

    def stubbed(answer):
        def stub(*args, **kwargs):
            raise NotImplementedError(f"{module.ANSWER}: replace this line with your answer")

        return stub

    for hidden in (False, True):
        with pytest.raises(AssertionError, match=checks.NOT_ANSWERED):
            module.check(*replace_first(args, stubbed), hidden=hidden)


# ------------------------------------------------------------------ same grade
@pytest.mark.parametrize("name", NAMES)
def test_grading_twice_gives_the_same_result(name, monkeypatch):
    """With the grader's seed fixed, every answer gets the same outcome each time; the
    hidden battery draws from that seed."""
    module = exercises.load(name)
    monkeypatch.setenv(checks.SEED_VARIABLE, "12345")
    tried = [master_args(name), *answers(name).MISTAKES.values()]
    first = [outcome(module, a, True, None) for a in tried]
    assert [outcome(module, a, True, None) for a in tried] == first
    assert first == [outcome(module, a, True, 12345) for a in tried]
