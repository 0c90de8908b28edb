"""``minprune_course.explore``: the lessons' sliders, and their static form."""

import pytest

from minprune_course import explore as ex


def recorder():
    calls = []

    def draw(**kwargs):
        calls.append(kwargs)

    return draw, calls


def test_static_draws_once_at_the_defaults(monkeypatch):
    monkeypatch.setenv(ex.STATIC, "1")
    draw, calls = recorder()
    assert ex.explore(draw, threshold=([0.1, 0.2, 0.3], 0.2), l1=((0, 1e-3), 0)) is None
    assert calls == [{"threshold": 0.2, "l1": 0}]


def test_live_sliders_step_through_the_values_and_redraw(monkeypatch):
    pytest.importorskip("ipywidgets")
    monkeypatch.delenv(ex.STATIC, raising=False)
    draw, calls = recorder()
    panel = ex.explore(draw, threshold=([0.1, 0.2, 0.3], 0.2))
    assert calls == [{"threshold": 0.2}]
    (slider,) = [w for w in panel.children if hasattr(w, "options")]
    assert list(slider.options) == [0.1, 0.2, 0.3]
    slider.value = 0.3
    assert calls[-1] == {"threshold": 0.3}


def test_the_saved_notebooks_are_static():
    # conftest.py sets it for nbval's kernels; minprune execute sets it for its own
    import os

    assert os.environ.get(ex.STATIC) == "1" and ex.static()


@pytest.mark.parametrize(
    ("controls", "error", "words"),
    [
        ({}, ValueError, "no controls"),
        ({"threshold": 0.2}, TypeError, "threshold=0.2: expected a pair"),
        ({"threshold": ([0.1, 0.3], 0.2)}, ValueError, "default 0.2 is not one of the values"),
        ({"threshold": ([], 0.2)}, ValueError, "threshold: default 0.2"),
    ],
)
def test_bad_controls_name_the_argument(monkeypatch, controls, error, words):
    monkeypatch.setenv(ex.STATIC, "1")
    draw, calls = recorder()
    with pytest.raises(error, match=words):
        ex.explore(draw, **controls)
    assert calls == []
