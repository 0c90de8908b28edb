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
