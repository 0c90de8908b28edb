"""``show_source``: the one way lessons print the engine's code."""

import pytest

import minprune as mp
from minprune_course.source import show_source, source


def test_whole_function_as_written(capsys):
    show_source(mp.sigmoid)
    printed = capsys.readouterr().out
    assert printed.startswith("def sigmoid(") and '"""' in printed


def test_without_the_docstring_the_code_stays():
    text = source(mp.threshold_masks, docstring=False)
    assert text.startswith("def threshold_masks(") and '"""' not in text
    assert "return" in text


def test_a_method_is_dedented_and_an_excerpt_keeps_both_ends():
    text = source(mp.Dense.apply_mask)
    assert text.startswith("def apply_mask(")
    lines = source(mp.Dense.apply_mask, between=("if mask", "self.b,")).splitlines()
    assert lines[0] == "if mask is not None:" and "self.b," in lines[-1]
    assert len(lines) == 4


def test_an_excerpt_that_is_not_there_is_named():
    with pytest.raises(ValueError, match=r"between=\('nope', 'x'\): no such lines in the source"):
        source(mp.sigmoid, between=("nope", "x"))


# ------------------------------------------------------------------ lessons
def _code_lines(obj):
    """The distinctive lines of ``obj``'s code (and, for a class, its and its bases' methods')."""
    import inspect

    objs = [obj]
    for cls in inspect.getmro(obj)[:-1] if inspect.isclass(obj) else ():
        objs += [f for f in vars(cls).values() if inspect.isfunction(f)]  # inherited ones too
    lines = set()
    for o in objs:
        for line in source(o, docstring=False).splitlines():
            line = line.strip()
            boilerplate = line.startswith(("#", "raise", 'f"')) or "check" in line
            if len(line) >= 20 and not boilerplate:  # argument checks are shared by many
                lines.add(line)
    return lines


def _shows(obj, printed):
    """The lines of ``obj``'s code found among the ``printed`` lines, if at least two."""
    found = _code_lines(obj) & {line.strip() for line in printed.splitlines()}
    return sorted(found) if len(found) >= 2 else []


def _lesson_outputs(path):
    from minprune_course import notebooks as nbs

    text = []
    for cell in nbs.read_notebook(path).cells:
        for out in cell.get("outputs", []):
            for part in (out.get("text", ""), out.get("data", {}).get("text/plain", "")):
                text.append(part if isinstance(part, str) else "".join(part))
    return "\n".join(text)


def test_no_lesson_prints_the_code_its_exercises_ask_for():
    """A lesson explains what an exercise asks for but does not print the engine's answer."""
    from pathlib import Path

    from minprune_course import checks, exercises

    lessons = Path(__file__).resolve().parents[1] / "lessons"
    shown = {}
    for name in exercises.module_names():
        (lesson,) = lessons.glob(f"{name[1:3]}_*.ipynb")
        printed = _lesson_outputs(lesson)
        references = exercises.load(name).REFERENCE
        for ref, obj in zip(references, checks.public(*references)):
            if found := _shows(obj, printed):
                shown[f"{lesson.name}: {name} shows {ref}"] = found
    assert shown == {}


def test_the_check_for_printed_answers_sees_an_excerpt(capsys):
    show_source(mp.remove_neurons, between=("gone = ", "return _rebuild"))
    assert _shows(mp.remove_neurons, capsys.readouterr().out)
    show_source(mp.SGD.update, docstring=False)
    assert _shows(mp.SGD, capsys.readouterr().out)  # a method shows its class
    show_source(mp.Optimizer.step, between=("if self.weight_decay and name", "param *= mask"))
    assert _shows(mp.SGD, capsys.readouterr().out)  # and so does an inherited one
    show_source(mp.sigmoid)
    assert not _shows(mp.remove_neurons, capsys.readouterr().out)
