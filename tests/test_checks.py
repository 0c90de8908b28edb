"""The check helpers: precise hints, no revealed answers, not fooled by tricks."""

import builtins

import numpy as np
import pytest

from minprune_course import checks


class AlwaysEqual:
    """An answer that claims to equal anything."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


class EqualInt(int):
    """An int that claims to equal anything."""

    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class EqualArray(np.ndarray):
    """An array whose comparisons all say yes."""

    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

    def __sub__(self, other):
        return np.zeros(np.shape(self))


def test_expect_array_returns_a_float_array():
    """A nested list is read as a float array of the right shape."""
    out = checks.expect_array([[1, 2], [3, 4]], shape=(2, 2))
    assert type(out) is np.ndarray and out.dtype == float and out.shape == (2, 2)


def test_expect_array_names_both_shapes():
    """A wrong shape is reported with the answer's shape and the expected one."""
    with pytest.raises(AssertionError, match=r"prune\(W\) has shape \(3,\); expected \(3, 2\)"):
        checks.expect_array(np.zeros(3), shape=(3, 2), what="prune(W)")


def test_expect_array_catches_a_missing_return():
    """``None`` gets a hint about the return statement."""
    with pytest.raises(AssertionError, match="returned None; did you forget a return"):
        checks.expect_array(None, what="f(x)")


@pytest.mark.parametrize(
    ("answer", "dtype", "hint"),
    [
        (["a", "b"], float, "array of .* values; expected real numbers"),
        ([1.5, 2.0], int, "array of float values; expected integers"),
        ([1 + 2j], float, "array of complex values; expected real numbers"),
        ([1, 0], bool, "array of int values; expected booleans"),
    ],
)
def test_expect_array_hints_at_the_dtype(answer, dtype, hint):
    """An array of the wrong kind of values is named by its kind."""
    with pytest.raises(AssertionError, match=hint):
        checks.expect_array(answer, dtype=dtype)


def test_expect_close_accepts_small_errors():
    """Values within the tolerance pass (and nothing is returned)."""
    assert checks.expect_close([1.0, 2.0 + 1e-12], [1.0, 2.0]) is None


def test_expect_close_counts_wrong_entries_without_revealing_them():
    """The hint counts the differing entries and shows no expected value."""
    expected = np.array([[0.125, 0.25], [0.375, 0.5], [0.625, 0.75]])
    answer = expected.copy()
    answer[0, 1] = answer[2, 0] = 9.0
    with pytest.raises(AssertionError, match="values differ at 2 of 6 entries") as info:
        checks.expect_close(answer, expected, what="f(W)")
    assert not any(f"{v:g}" in str(info.value) for v in expected.ravel())


def test_expect_close_on_a_scalar():
    """A wrong scalar is reported as a wrong value, not as entries."""
    with pytest.raises(AssertionError, match=r"sparsity\(net\) returned a wrong value"):
        checks.expect_close(0.3, 0.25, what="sparsity(net)")


def test_expect_close_matches_nan_with_nan_only():
    """NaN equals NaN, but not a number."""
    checks.expect_close([np.nan, 1.0], [np.nan, 1.0])
    with pytest.raises(AssertionError, match="differ at 1 of 2"):
        checks.expect_close([np.nan, 1.0], [0.0, 1.0])


def test_expect_close_does_not_broadcast():
    """A scalar is not accepted where an array is expected."""
    with pytest.raises(AssertionError, match=r"has shape \(\); expected \(2,\)"):
        checks.expect_close(1.0, [1.0, 1.0])


def test_expect_equal_int_rejects_a_float():
    """A float count gets the hint the course promises."""
    with pytest.raises(
        AssertionError, match=r"count_macs\(\[64, 32, 10\]\) returned a float; expected an int"
    ):
        checks.expect_equal_int(2368.0, 2368, what="count_macs([64, 32, 10])")


@pytest.mark.parametrize("answer", [True, EqualInt(5), AlwaysEqual(), "5", None])
def test_expect_equal_int_rejects_what_is_not_a_plain_int(answer):
    """Bools, int subclasses, always-equal objects, strings and None are not counts."""
    with pytest.raises(AssertionError, match="expected an int"):
        checks.expect_equal_int(answer, 5)


def test_expect_equal_int_accepts_numpy_integers():
    """``np.int64`` counts are fine."""
    checks.expect_equal_int(np.int64(7), 7)


def test_expect_equal_int_does_not_reveal_the_count():
    """A wrong count shows the answer, not the expected value."""
    with pytest.raises(AssertionError, match="returned 6, which is not the expected") as info:
        checks.expect_equal_int(6, 4321)
    assert "4321" not in str(info.value)


def test_always_equal_object_fails_expect_close():
    """An object whose ``__eq__`` says yes cannot pass as an array."""
    with pytest.raises(AssertionError, match="returned an array of object values"):
        checks.expect_close(AlwaysEqual(), [1.0, 2.0])


def test_array_subclass_with_lying_operators_fails():
    """An ndarray subclass whose ``==`` and ``-`` lie is compared by its values."""
    liar = np.zeros(3).view(EqualArray)
    with pytest.raises(AssertionError, match="differ at 3 of 3"):
        checks.expect_close(liar, [1.0, 2.0, 3.0])
    with pytest.raises(AssertionError, match="differ at 3 of 3"):
        checks.expect_equal(liar, [1.0, 2.0, 3.0])


def _always_true(*args, **kwargs):
    return True


def _silent(*args, **kwargs):
    return None


def test_monkeypatched_numpy_does_not_fool_the_checks(monkeypatch):
    """Replacing numpy's comparison and arithmetic functions changes nothing."""
    for name in ("allclose", "isclose", "array_equal", "array_equiv", "all", "any"):
        monkeypatch.setattr(np, name, _always_true)
    for name in ("absolute", "abs", "isnan", "asarray", "subtract"):
        monkeypatch.setattr(np, name, lambda *a, **k: np.zeros(2))
    for name in ("assert_allclose", "assert_array_equal", "assert_equal", "assert_almost_equal"):
        monkeypatch.setattr(np.testing, name, _silent)
    with pytest.raises(AssertionError, match="differ at 2 of 2"):
        checks.expect_close([5.0, 6.0], [1.0, 2.0])
    with pytest.raises(AssertionError, match="differ at 2 of 2"):
        checks.expect_equal([5.0, 6.0], [1.0, 2.0])


def _failure(check, *args):
    """The AssertionError ``check(*args)`` raises, or None."""
    try:
        check(*args)
    except AssertionError as exc:
        return str(exc)
    return None


def test_monkeypatched_builtins_do_not_fool_the_checks(monkeypatch):
    """Replacing the builtins the checks rely on changes nothing."""
    names = ("abs", "all", "any", "callable", "float", "int", "isinstance", "issubclass", "type")
    with monkeypatch.context() as patch:
        for name in names:
            patch.setattr(builtins, name, _always_true)
        not_int = _failure(checks.expect_equal_int, 3.0, 3)
        wrong_count = _failure(checks.expect_equal_int, 6, 5)
        wrong_value = _failure(checks.expect_close, 2.0, 1.0)
    assert "returned a float; expected an int" in not_int
    assert "not the expected count" in wrong_count
    assert "wrong value" in wrong_value


def test_answer_patching_numpy_while_it_runs_still_fails():
    """A learner function that patches numpy during the check is still caught."""

    def sparsity(W):
        np.allclose = _always_true
        np.testing.assert_allclose = _silent
        return 0.9

    saved = np.allclose, np.testing.assert_allclose
    try:
        answer = checks.call(sparsity, np.zeros(3))
        with pytest.raises(AssertionError, match="wrong value"):
            checks.expect_close(answer, 1.0)
    finally:
        np.allclose, np.testing.assert_allclose = saved


def test_expect_mask_accepts_booleans_and_zero_one():
    """Masks may be boolean or 0/1 floats; other values are not masks."""
    checks.expect_mask(np.array([True, False]))
    checks.expect_mask([0.0, 1.0, 1.0], shape=(3,))
    with pytest.raises(AssertionError, match="not a mask: 1 of 3 entries"):
        checks.expect_mask([0.0, 0.5, 1.0])


def test_expect_float_rejects_arrays_and_bools():
    """A sparsity is a number, not an array or a bool."""
    assert checks.expect_float(np.float32(0.5)) == 0.5
    with pytest.raises(AssertionError, match="returned a ndarray; expected a float"):
        checks.expect_float(np.array([0.5]))
    with pytest.raises(AssertionError, match="returned a bool"):
        checks.expect_float(True)


def destructive(W, mask=None):
    W[:] = 0
    return W


def test_call_fails_an_answer_that_changes_its_arguments_and_keeps_the_checkers_copy():
    """An answer that edits its argument in place fails with a hint naming the argument,
    and the checker's own array is untouched."""
    W = np.ones(3)
    with pytest.raises(AssertionError, match="changed its argument W in place"):
        checks.call(destructive, W, what="prune(W)", names=("W",))
    assert W.sum() == 3


def test_call_allows_changes_where_the_exercise_allows_them():
    """``frozen=False``, or a list of the arguments that must not change, lets others change."""
    W = np.ones(3)
    assert checks.call(destructive, W, frozen=False).sum() == 0
    assert checks.call(destructive, W, mask=np.ones(3), frozen=("mask",)).sum() == 0
    with pytest.raises(AssertionError, match="changed its argument mask in place"):
        checks.call(lambda W, mask: destructive(mask), W, mask=np.ones(3), frozen=("mask",))


def test_call_lets_an_answer_draw_from_a_random_generator():
    """Drawing from a generator passed in advances its state: that is not a change of data."""
    out = checks.call(lambda rng: rng.permutation(5), np.random.default_rng(0))
    assert sorted(out) == list(range(5))


def test_call_says_a_stub_is_not_answered_yet():
    """The released stub's ``NotImplementedError`` fails with a hint, not a traceback."""

    def stub(W):
        raise NotImplementedError("prune: replace this line with your answer")

    with pytest.raises(AssertionError, match=r"prune\(W\): not answered yet"):
        checks.call(stub, np.ones(2), what="prune(W)")


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (np.array([1.0, np.nan]), np.array([1.0, np.nan]), True),
        (np.array([1.0, 2.0]), np.array([1.0, 2.0], dtype=np.float32), False),
        (np.zeros((2, 1)), np.zeros(2), False),
        ([np.ones(2), {"a": 1}], [np.ones(2), {"a": 1}], True),
        ([np.ones(2), {"a": 1}], [np.ones(2), {"a": 2}], False),
        ((1, 2), [1, 2], False),
        (0.5, 0.5, True),
        (float("nan"), float("nan"), True),
    ],
)
def test_same_compares_plain_data_bit_for_bit(a, b, equal):
    """``same`` compares dtype, shape and bytes, part by part, never a learner's ``__eq__``."""
    assert checks.same(a, b) is equal


def test_case_rng_is_fixed_for_visible_checks_and_follows_the_graders_seed(monkeypatch):
    """Visible cases never change; hidden ones follow ``MINPRUNE_GRADING_SEED``, per exercise."""

    def draw(gid, hidden, seed=None):
        return checks.case_rng(gid, hidden, seed).integers(1 << 30, size=4).tolist()

    monkeypatch.delenv(checks.SEED_VARIABLE, raising=False)
    assert draw("t03_a", False) == draw("t03_a", False)
    assert draw("t03_a", True) == draw("t03_a", True)  # regrading draws the same cases
    assert draw("t03_a", True) != draw("t03_b", True)
    monkeypatch.setenv(checks.SEED_VARIABLE, "7")
    assert draw("t03_a", True) == draw("t03_a", True, seed=7)
    assert draw("t03_a", True) != draw("t03_a", True, seed=8)
    assert draw("t03_a", False) == draw("t03_a", False, seed=0)
    monkeypatch.setenv(checks.SEED_VARIABLE, "seven")
    with pytest.raises(ValueError, match="MINPRUNE_GRADING_SEED='seven' is not an integer"):
        checks.grading_seed()


def test_public_resolves_names_and_fails_on_a_renamed_function():
    """A reference named by a public name that no longer exists fails at once."""
    import minprune

    assert checks.public("minprune.sparsity") == [minprune.sparsity]
    with pytest.raises(AttributeError):
        checks.public("minprune.no_such_function")


def test_call_names_what_is_not_a_function():
    """Calling something that is not a function gets a hint."""
    with pytest.raises(AssertionError, match="sparsity is a int; expected a function"):
        checks.call(3, what="sparsity")


def test_passed_prints_the_promised_line(capsys):
    """``passed()`` prints exactly "public checks passed"."""
    checks.passed()
    assert capsys.readouterr().out == "public checks passed\n"


def test_expect_true_raises_the_hint():
    """``expect_true`` raises its hint when the condition fails."""
    checks.expect_true(1 < 2, "never")
    with pytest.raises(AssertionError, match="the output layer was pruned"):
        checks.expect_true(False, "the output layer was pruned")


# ------------------------------------------------------------- switched_off
def _reference(x):
    """A stand-in for one of minprune's reference answers."""
    return x + 1


def _other(x):
    return 2 * x


def _earlier_name():
    """The reference reached through a name bound before the block (``from m import f``)."""
    return _saved_reference(1)


_saved_reference = _reference


def test_switched_off_blocks_the_function_and_a_name_taken_earlier():
    """Both the function and a reference bound earlier raise the hint inside the block."""
    with checks.switched_off([_reference], "write sparsity yourself: mp.sparsity is off"):
        with pytest.raises(AssertionError, match="write sparsity yourself: mp.sparsity is off"):
            _reference(1)
        with pytest.raises(AssertionError, match="write sparsity yourself"):
            _earlier_name()
        assert _other(2) == 4
    assert _reference(1) == 2 and _earlier_name() == 2


def test_switched_off_restores_after_an_exception():
    """An error inside the block still gives every function its own code back."""
    code = _reference.__code__
    with pytest.raises(ValueError), checks.switched_off([_reference, _other]):
        raise ValueError("the learner's code failed")
    assert _reference.__code__ is code and _reference(1) == 2 and _other(2) == 4


def test_switched_off_default_hint_names_the_functions_and_skips_non_functions():
    """Without a hint the message names what is off; classes and builtins are left alone."""
    with checks.switched_off([_reference, dict, len]):
        with pytest.raises(AssertionError, match=r"your own code: minprune's _reference is"):
            _reference(1)
        assert len(dict(a=1)) == 1


def test_switched_off_nests_and_lists_a_function_twice():
    """Nested blocks and a function listed twice still restore the original code."""
    with checks.switched_off([_reference, _reference], "outer"):
        with checks.switched_off([_reference], "inner"):
            with pytest.raises(AssertionError, match="inner"):
                _reference(1)
        with pytest.raises(AssertionError, match="outer"):
            _reference(1)
    assert _reference(1) == 2


def test_call_without_switches_the_reference_off_only_during_the_call():
    """``call(..., without=...)`` blocks the reference for the learner's code, then restores it."""

    def learner(x):
        return _saved_reference(x)

    with pytest.raises(AssertionError, match="your own"):
        checks.call(learner, 1, what="f(x)", without=[_reference], hint="use your own code")
    assert checks.call(learner, 1, what="f(x)") == 2
    assert checks.call(lambda x, k=0: x * 3 + k, 1, k=1, without=[_reference]) == 4
    assert _reference(1) == 2
