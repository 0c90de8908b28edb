"""Shared pieces of the tests of the exercise checks (``minprune_course.checks_NN``).

- ``master(topic)``: the answers of ``solutions/NN_*.ipynb``, loaded by running its
  setup cell and its answer cells, so the tests follow the masters;
- ``run``: call a check in its visible or its hidden form, whichever way the
  module spells it (``hidden=True`` or ``seed=None, cases=...``);
- ``liar`` and the ``Equal*`` types: answers that claim to equal anything;
- ``perturbed`` and ``assert_hidden``: a wrong answer that remembers the right one,
  and the assertion that a hint does not show it.
"""

import functools
import inspect
import re
import types
from pathlib import Path

import numpy as np
import pytest

from minprune_course import notebooks as nbs

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"


def master_path(topic):
    """``solutions/NN_*.ipynb`` for the two-digit ``topic``."""
    (path,) = sorted(SOLUTIONS.glob(f"{topic}_*.ipynb"))
    return path


def setup_and_answer_cells(nb):
    """The code of the master's answer cells and locked cells other than tests, in order.

    The locked cells are the setup and, in the capstone, the cell that runs the answer
    and leaves what the test cells check.
    """
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or nbs.is_test(cell) or not nbs.grade_id(cell):
            continue
        if nbs.is_answer(cell) or nbs.is_locked(cell):
            cells.append(cell.source)
    return cells


@functools.cache
def master(topic):
    """The master answers of ``topic`` as attributes (``master("03").threshold_mask``)."""
    nb = nbs.read_notebook(master_path(topic))
    namespace = {"__name__": f"master_{topic}"}
    for source in setup_and_answer_cells(nb):
        exec(compile(source, f"<solutions {topic}>", "exec"), namespace)
    return types.SimpleNamespace(**{k: v for k, v in namespace.items() if not k.startswith("__")})


def run(check, *answers, hidden=False):
    """Run ``check`` on ``answers``: the visible check, or the hidden battery on fresh inputs."""
    params = inspect.signature(check).parameters
    if "hidden" in params:
        return check(*answers, hidden=hidden)
    if "seed" in params:
        extra = {"cases": 30} if hidden and "cases" in params else {}
        return check(*answers, seed=None if hidden else 0, **extra)
    return check(*answers)


# ------------------------------------------------------------------ liars
class AlwaysEqual:
    """An answer that claims to equal anything."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


class EqualArray(np.ndarray):
    """An array whose comparisons and differences all say "equal"."""

    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

    def __ne__(self, other):
        return np.zeros(np.shape(self), dtype=bool)

    def __sub__(self, other):
        return np.zeros(np.shape(self))

    __rsub__ = __sub__

    def __array_finalize__(self, obj):
        pass


class EqualInt(int):
    """An int that claims to equal anything."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__


class EqualFloat(float):
    """A float that claims to equal anything."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__
    __hash__ = float.__hash__


def lie(value):
    """``value`` with every number changed, each part claiming to equal anything."""
    if isinstance(value, dict):
        return {key: lie(part) for key, part in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(lie(part) for part in value)
    if isinstance(value, np.ndarray):
        is_mask = value.size and bool(((value == 0) | (value == 1)).all())
        wrong = (1 - value) if is_mask else value + 1
        return np.asarray(wrong).astype(value.dtype).view(EqualArray)
    if isinstance(value, bool | np.bool_) or value is None:
        return AlwaysEqual()
    if isinstance(value, int | np.integer):
        return EqualInt(int(value) + 1)
    if isinstance(value, float | np.floating):
        return EqualFloat(float(value) + 0.5)
    return AlwaysEqual()


def liar(answer):
    """An answer that returns ``answer``'s result with wrong numbers that claim to be right."""

    def lying(*args, **kwargs):
        return lie(answer(*args, **kwargs))

    return lying


def always_equal(*args, **kwargs):
    """An answer that returns a single object equal to anything."""
    return AlwaysEqual()


# --------------------------------------------------------- hidden values
def perturbed(answer, change):
    """A wrong answer returning ``change(right)``.

    ``.expected`` lists the right results and ``.calls`` the arguments, call by call.
    """
    expected, calls = [], []

    def wrong(*args, **kwargs):
        right = answer(*args, **kwargs)
        expected.append(right)
        calls.append((args, kwargs))
        return change(right)

    wrong.expected = expected
    wrong.calls = calls
    return wrong


def _leaves(value):
    if isinstance(value, dict):
        for part in value.values():
            yield from _leaves(part)
    elif isinstance(value, list | tuple):
        for part in value:
            yield from _leaves(part)
    else:
        yield value


def revealing_texts(expected):
    """Ways a message could show ``expected``: reprs of arrays and of non-trivial numbers."""
    texts = set()
    for leaf in _leaves(expected):
        if isinstance(leaf, np.ndarray):
            texts |= {repr(leaf), str(leaf), np.array2string(leaf, separator=", ")}
            values = leaf.ravel()
        else:
            values = [leaf]
        for v in values:
            if isinstance(v, bool | np.bool_) or v is None:
                continue
            v = float(v)
            if not np.isfinite(v) or v == int(v):
                continue  # small whole numbers are also shapes and counts
            texts |= {repr(v), f"{v:.6g}", f"{v:.5g}", f"{v:.4f}"}
    return {t for t in texts if len(t) >= 5}


def assert_hidden(message, expected, inputs=()):
    """``message`` shows none of ``expected``'s values.

    ``inputs`` are texts the message may show because they describe the inputs
    (``"scale=0.0562"``), even where an expected value happens to equal one of them.
    """
    for text in inputs:
        message = message.replace(text, "")
    shown = sorted(t for t in revealing_texts(expected) if t in message)
    assert not shown, f"the hint shows expected values {shown[:3]}: {message}"


def hint(text):
    """A ``pytest.raises(match=...)`` pattern for the literal ``text``, or any of a tuple of them."""
    texts = text if isinstance(text, tuple) else (text,)
    return "|".join(re.escape(t) for t in texts)


def pin_rng(monkeypatch, seed):
    """Make the checks draw their inputs from ``seed`` (a draw known to show a mistake)."""
    from minprune_course import checks

    monkeypatch.setattr(checks, "rng", lambda seed_=None: np.random.default_rng(seed))


def wrong_answer_test(wrong):
    """A test over ``wrong``, rows ``(check, answer, hidden, hint text)``: each fails with its hint.

    A topic's test module binds it: ``test_a_wrong_answer_gets_its_hint = wrong_answer_test(WRONG)``.
    """

    @pytest.mark.parametrize(
        ("check", "answer", "hidden", "text"),
        [pytest.param(*w, id=f"{w[0].__name__}-{w[1].__name__}") for w in wrong],
    )
    def test_a_wrong_answer_gets_its_hint(check, answer, hidden, text):
        """A usual mistake fails with the hint that names it."""
        with pytest.raises(AssertionError, match=hint(text)):
            run(check, answer, hidden=hidden)

    return test_a_wrong_answer_gets_its_hint


def liar_test(pairs, hidden=False):
    """A test over ``pairs``, rows ``(check, master answer)``: lying numbers fail each check.

    A topic's test module binds it:
    ``test_wrong_numbers_that_claim_equality_fail = liar_test(PAIRS, hidden=True)``.
    """

    @pytest.mark.parametrize(
        ("check", "answer"), [pytest.param(*p, id=p[1].__name__) for p in pairs]
    )
    def test_wrong_numbers_that_claim_equality_fail(check, answer):
        """The master's results with every number changed fail, though they claim to be equal."""
        with pytest.raises(AssertionError):
            run(check, liar(answer), hidden=hidden)

    return test_wrong_numbers_that_claim_equality_fail


# --------------------------------------------------------- the grader's kernel, here
class InProcessKernel:
    """A stand-in for the grader's sandboxed kernel: runs the code it is sent in this
    process, so the remote calls (plain data and all) are tested without starting one."""

    def run(self, code, replay=False):
        exec(code, {})
        return types.SimpleNamespace(status="ok", evalue="", ename="")
