"""Every topic's checks pass the master answers and fail an answer that equals anything.

The masters' own test cells are run here, visible part and hidden battery, with the
answers loaded from the masters' answer cells. The wrong answers of each topic, with
the hints they must get, are in ``test_checks_NN.py``.
"""

import importlib
import inspect
import re

import numpy as np
import pytest
from topic_checks import SOLUTIONS, always_equal, master, run

from minprune_course import checks
from minprune_course import notebooks as nbs

# hidden batteries that train networks: run once, not three times
SLOW = {"t05_prune_retrain_test"}
REPEATS = 3

# test cells whose check fails the master's answer: xfail on a pinned draw (see the reason)
KNOWN_BUGS = {}


def _param(topic, gid, source, *extra):
    """A test-cell param, marked xfail (strict) when its check is known to fail the master."""
    marks = []
    if gid in KNOWN_BUGS:
        marks.append(pytest.mark.xfail(strict=True, raises=AssertionError, reason=KNOWN_BUGS[gid]))
    return pytest.param(topic, gid, source, *extra, id=gid, marks=marks)


def _pin_known_bug(gid, monkeypatch):
    """Draw a known bug's inputs from a fixed seed, so its xfail is not left to chance."""
    if gid in KNOWN_BUGS:
        monkeypatch.setattr(checks, "rng", lambda seed=None: np.random.default_rng(0))


def _test_cells():
    """``(topic, grade_id, visible source, hidden source)`` of every master's test cells."""
    out = []
    for path in sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb")):
        topic = nbs.lesson_number(path.name)
        for cell in nbs.read_notebook(path).cells:
            if cell.cell_type != "code" or not nbs.is_test(cell):
                continue
            lines = cell.source.splitlines()
            hidden = set()
            for begin, end in nbs.marker_regions(cell.source, nbs.BEGIN_HIDDEN, nbs.END_HIDDEN):
                hidden.update(range(begin, end + 1))
            visible = "\n".join(line for i, line in enumerate(lines) if i not in hidden)
            battery = "\n".join(lines[i] for i in sorted(hidden))
            out.append((topic, nbs.grade_id(cell), visible, battery))
    return out


TEST_CELLS = _test_cells()


def _check_functions():
    """``pytest.param`` of every ``check_*`` of every ``minprune_course/checks_NN.py``.

    A module that cannot be imported gives one param holding the error, so that its
    failure shows without hiding the other modules' tests.
    """
    folder = SOLUTIONS.parent / "minprune" / "course"
    out = []
    for path in sorted(folder.glob("checks_[0-9][0-9].py")):
        try:
            module = importlib.import_module(f"minprune_course.{path.stem}")
        except Exception as exc:  # a module being written: report it, test the others
            out.append(pytest.param(exc, id=f"{path.stem}.import"))
            continue
        out += [
            pytest.param(fn, id=f"{path.stem}.{name}")
            for name, fn in vars(module).items()
            if name.startswith("check_")
            and inspect.isfunction(fn)
            and fn.__module__ == module.__name__
        ]
    return out


CHECKS = _check_functions()


@pytest.mark.parametrize(
    ("topic", "gid", "source"), [_param(t, gid, v) for t, gid, v, _ in TEST_CELLS]
)
def test_master_answers_pass_the_visible_check(topic, gid, source, capsys, monkeypatch):
    """The master's answer passes its test cell's visible check and is told so."""
    _pin_known_bug(gid, monkeypatch)
    exec(source, dict(vars(master(topic))))
    assert "public checks passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("topic", "gid", "source", "repeats"),
    [_param(t, gid, h, 1 if gid in SLOW else REPEATS) for t, gid, _, h in TEST_CELLS if h.strip()],
)
def test_master_answers_pass_the_hidden_battery_on_fresh_inputs(
    topic, gid, source, repeats, monkeypatch
):
    """The master's answer passes the hidden tests every time, on newly drawn inputs."""
    _pin_known_bug(gid, monkeypatch)
    for _ in range(repeats):
        exec(source, dict(vars(master(topic))))


def test_every_master_test_cell_runs_a_check():
    """Each test cell calls a check of its topic's module (so the tests above test checks)."""
    for topic, gid, visible, _ in TEST_CELLS:
        assert re.search(rf"checks_{topic}\.check_\w+\(", visible), gid


@pytest.mark.parametrize(
    ("check", "hidden"),
    [
        pytest.param(check, hidden, id=f"{param.id}-{'hidden' if hidden else 'visible'}")
        for param in CHECKS
        for check in param.values
        for hidden in (False, True)
        # the prune-retrain battery trains networks; its visible check already fails
        if not (hidden and "prune_retrain" in getattr(check, "__name__", ""))
    ],
)
def test_an_answer_equal_to_anything_fails(check, hidden):
    """Returning an object whose ``__eq__`` always says yes fails with an AssertionError."""
    if isinstance(check, Exception):
        raise check
    params = inspect.signature(check).parameters.values()
    n_answers = sum(p.default is inspect.Parameter.empty for p in params)
    with pytest.raises(AssertionError):
        run(check, *[always_equal] * n_answers, hidden=hidden)
