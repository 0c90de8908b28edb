"""Helpers for the visible check cells: a hint when an answer is wrong, never the answer.

A topic's ``checks_NN`` module builds its checks from these::

    from minprune_course import checks

    def check_sparsity(sparsity):
        rng = checks.rng()
        W = rng.normal(size=(5, 4)) * (rng.random((5, 4)) < 0.5)
        expected = np.mean(W == 0)            # compute the reference first
        answer = checks.call(sparsity, W, what="sparsity(W)")
        checks.expect_close(answer, expected, what="sparsity(W)")
        checks.passed()

The ``expect_*`` comparisons return ``None``, so a test cell that ends with one
shows no result (nbgrader would read a number there as partial credit); the
conversions (``expect_array``, ``expect_int``, ``expect_float``, ``expect_mask``)
return the answer as a plain value.

Every failed check raises ``AssertionError`` with a hint: the type, shape, dtype
or how many entries differ, never the expected values. The checks cannot be
fooled by an answer whose ``__eq__`` always says yes (answers are read as plain
arrays and compared by arithmetic), nor by a learner replacing ``np.allclose``,
``np.testing`` or builtins: the functions used here are captured when this
module is imported.

While a check runs the learner's code, minprune's own answer to the exercise is
switched off (``switched_off``, or ``call(..., without=funcs)``): calling it raises
an ``AssertionError`` asking for the learner's own code.
"""

import builtins
import contextlib
import copy as _copy

import numpy as np

_asarray = np.asarray
_absolute = np.absolute
_isnan = np.isnan
_errstate = np.errstate
_default_rng = np.random.default_rng
_integer = np.integer
_floating = np.floating
_np_bool = np.bool_
_ndarray = np.ndarray
_callable = builtins.callable
_float = builtins.float
_int = builtins.int
_bool = builtins.bool
_issubclass = builtins.issubclass
_len = builtins.len
_print = builtins.print
_tuple = builtins.tuple
_str = builtins.str
_AssertionError = builtins.AssertionError
_Exception = builtins.Exception
_type = builtins.type
_deepcopy = _copy.deepcopy
_hasattr = builtins.hasattr
_getattr = builtins.getattr
_list = builtins.list
_zip = builtins.zip
_reversed = builtins.reversed
_isinstance = builtins.isinstance
_range = builtins.range
_dict = builtins.dict

_DTYPES = {float: ("biuf", "real numbers"), int: ("iu", "integers"), bool: ("b", "booleans")}
_KIND_NAMES = {"b": "bool", "i": "int", "u": "unsigned int", "f": "float", "c": "complex"}


def _type_name(value):
    """``"float"``, ``"ndarray"``, ``"NoneType"``: the name of a value's type."""
    return _type(value).__name__


def _is_int(value):
    """True for a Python ``int`` or a NumPy integer scalar, not ``bool`` or a subclass."""
    kind = _type(value)
    return kind is _int or (_issubclass(kind, _integer) and kind.__module__ == "numpy")


def rng(seed=None):
    """A fresh ``numpy.random.Generator``: seeded for visible checks, random for hidden ones."""
    return _default_rng(seed)


def expect_callable(fn, what="answer"):
    """Check that ``fn`` is a function (or any callable)."""
    if not _callable(fn):
        raise _AssertionError(f"{what} is a {_type_name(fn)}; expected a function")
    return fn


_PLACEHOLDER = "\x00the hint of switched_off\x00"


def _blocked(*args, **kwargs):
    raise AssertionError("\x00the hint of switched_off\x00")


def _blocked_code(hint):
    """The code of a function that raises ``AssertionError(hint)``, whatever it is called with.

    It has no free variables, so any plain function can take it as its ``__code__``;
    the hint is one of its constants.
    """
    code = _blocked.__code__
    consts = _tuple(
        hint if _isinstance(c, _str) and c == _PLACEHOLDER else c for c in code.co_consts
    )
    return code.replace(co_consts=consts)


def _default_hint(funcs):
    """A hint naming the switched-off ``funcs``."""
    names = ", ".join(_getattr(f, "__qualname__", "?") for f in funcs)
    verb, it = ("is", "it") if _len(funcs) == 1 else ("are", "they")
    return (
        f"this exercise asks for your own code: minprune's {names} {verb} what the check "
        f"compares your answer with, so {it} {verb} switched off while the check runs"
    )


@contextlib.contextmanager
def switched_off(funcs, hint=None):
    """Make ``funcs`` raise ``AssertionError(hint)`` while the block runs, then restore them.

    The function objects themselves get a raising body (``__code__``), so a reference
    taken earlier (``from minprune import prune``) is switched off too, and so is a
    method reached through an instance. Callables without ``__code__`` (classes,
    builtins) are left alone. ``hint`` should name what is switched off and ask for
    the learner's own code; by default it names the functions.
    """
    funcs = [f for f in funcs if _hasattr(f, "__code__")]
    blocked = _blocked_code(_default_hint(funcs) if hint is None else hint)
    saved = [f.__code__ for f in funcs]
    try:
        for f in funcs:
            f.__code__ = blocked
        yield
    finally:
        for f, code in _reversed(_list(_zip(funcs, saved, strict=True))):
            f.__code__ = code


NOT_ANSWERED = "not answered yet"


def _not_answered(what):
    return (
        f"{what}: {NOT_ANSWERED}; replace the line `raise NotImplementedError(...)` in its "
        "cell with your code, run that cell, then this one"
    )


def call(fn, *args, what="answer", without=(), hint=None, frozen=True, names=None, **kwargs):
    """Call the learner's ``fn`` on copies of the arguments and return what it returns.

    The functions in ``without`` (minprune's reference answers) are switched off
    meanwhile, raising ``AssertionError(hint)``: see ``switched_off``. An answer that
    still raises the released stub's ``NotImplementedError`` fails with a hint that
    says it is not answered yet.

    With ``frozen=True`` (what the prompts say unless they say otherwise) the
    arguments are compared, after the call, with copies taken before it, and an
    answer that changed one in place fails: the caller of such a function would
    lose its data. ``frozen`` may also be a collection of the positions and keywords
    that must not change; ``names`` names the positional arguments in that hint.
    """
    expect_callable(fn, what)
    given_args, given_kwargs = _deepcopy(args), _deepcopy(kwargs)
    with switched_off(without, hint):
        try:
            result = fn(*given_args, **given_kwargs)
        except NotImplementedError:
            name = what if what != "answer" else _getattr(fn, "__name__", what)
            raise _AssertionError(_not_answered(name)) from None
    if frozen:
        keys = _list(_range(_len(args))) + _list(kwargs)
        if frozen is not True:
            keys = [k for k in keys if k in frozen]
        for key in keys:
            before = args[key] if _isinstance(key, _int) else kwargs[key]
            after = given_args[key] if _isinstance(key, _int) else given_kwargs[key]
            if _is_generator(before):
                continue  # a random generator is there to be drawn from
            if not same(after, before):
                name = (
                    key
                    if _isinstance(key, _str)
                    else (names[key] if names is not None else f"number {key + 1}")
                )
                raise _AssertionError(
                    f"{what} changed its argument {name} in place; the exercise asks you to "
                    "leave the inputs as they were and return new values (copy first, e.g. "
                    "`W = W.copy()`, or build a new array)"
                )
    return result


def _is_generator(value):
    """True for a NumPy or torch random generator, whose state a call is meant to advance."""
    kind = _type(value)
    return kind.__name__ in ("Generator", "RandomState") and kind.__module__.split(".")[0] in (
        "numpy",
        "torch",
    )


def _plain(value):
    """``value`` as plain data for ``same``: arrays for tensors, a Network's arrays, a dict."""
    kind = _type(value)
    module = kind.__module__.split(".")[0]
    if module == "torch":
        if _hasattr(value, "state_dict"):
            return {k: _plain(v) for k, v in value.state_dict().items()}
        if _hasattr(value, "detach"):
            return value.detach().cpu().numpy()
    if _hasattr(value, "__dict__") and not _isinstance(value, (_type, _ndarray)):
        return _dict(vars(value))
    return value


def same(a, b):
    """True when ``a`` and ``b`` hold the same plain data, bit for bit.

    Arrays compare by dtype, shape and bytes (so NaN equals NaN and no ``__eq__`` of
    the learner's is asked); torch tensors and modules by their arrays and
    ``state_dict``; lists, tuples and dicts part by part; other objects by their
    attributes; numbers and strings by value.
    """
    a, b = _plain(a), _plain(b)
    if _isinstance(a, _ndarray) or _isinstance(b, _ndarray):
        if not (_isinstance(a, _ndarray) and _isinstance(b, _ndarray)):
            return False
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if _isinstance(a, (_list, _tuple)):
        return (
            _type(a) is _type(b)
            and _len(a) == _len(b)
            and all(same(x, y) for x, y in _zip(a, b, strict=True))
        )
    if _isinstance(a, _dict):
        return _isinstance(b, _dict) and _list(a) == _list(b) and all(same(a[k], b[k]) for k in a)
    if _type(a) is not _type(b):
        return False
    try:
        return _bool(a == b) or (a != a and b != b)
    except _Exception:
        return a is b


def public(*names):
    """The engine's functions named by dotted public names (``"minprune.threshold_masks"``).

    An exercise module lists the references it switches off by name; a name that no
    longer exists fails at import, so renaming a function cannot silently weaken a check.
    """
    import importlib

    funcs = []
    for name in names:
        module, _, attr = name.rpartition(".")
        funcs.append(_getattr(importlib.import_module(module), attr))
    return funcs


# ------------------------------------------------------------------ seeds
#: The environment variable through which the grader fixes the hidden cases' seed.
SEED_VARIABLE = "MINPRUNE_GRADING_SEED"
#: The hidden cases' seed when no grader set one (executing a master, a learner's run).
DEFAULT_HIDDEN_SEED = 20240601


def grading_seed():
    """The hidden cases' seed: the grader's (``MINPRUNE_GRADING_SEED``) or the default."""
    import os

    value = os.environ.get(SEED_VARIABLE, "")
    try:
        return _int(value) if value else DEFAULT_HIDDEN_SEED
    except ValueError:
        raise ValueError(
            f"{SEED_VARIABLE}={value!r} is not an integer; expected the seed the grader sets"
        ) from None


def case_rng(grade_id, hidden=False, seed=None):
    """The generator an exercise draws its cases from.

    Visible checks always draw from seed 0; hidden ones from ``seed`` or, by default,
    ``grading_seed()``, which the grader fixes per submission. ``grade_id`` is mixed in,
    so two exercises graded with one seed do not draw the same cases.
    """
    if seed is None:
        seed = grading_seed() if hidden else 0
    import zlib

    salt = zlib.crc32(grade_id.encode())
    return _default_rng([_int(seed), salt, _int(hidden)])


def expect_array(answer, shape=None, what="answer", dtype=float):
    """Read ``answer`` as a plain array of ``dtype`` and check its shape.

    Parameters
    ----------
    answer : array_like
        What the learner's code returned.
    shape : tuple of int, optional
        The shape it must have.
    what : str
        How hints name the answer, e.g. ``"prune(W, 0.5)"``.
    dtype : {float, int, bool}
        ``float`` accepts any real numbers; ``int`` only integers; ``bool`` only booleans.

    Returns
    -------
    ndarray
        ``answer`` as a base-class ``ndarray`` of ``dtype``.
    """
    if answer is None:
        raise _AssertionError(f"{what} returned None; did you forget a return statement?")
    try:
        raw = _asarray(answer)
    except _Exception as exc:
        raise _AssertionError(
            f"{what} returned a {_type_name(answer)} that cannot be read as an array "
            f"({_type_name(exc)})"
        ) from None
    kind = raw.dtype.kind
    allowed, want = _DTYPES[dtype]
    if kind not in allowed:
        got = _KIND_NAMES.get(kind, "object" if kind == "O" else _str(raw.dtype))
        raise _AssertionError(f"{what} returned an array of {got} values; expected {want}")
    array = raw.astype(dtype)
    if shape is not None and array.shape != _tuple(shape):
        raise _AssertionError(f"{what} has shape {array.shape}; expected {_tuple(shape)}")
    return array


def _mismatch(what, bad, size):
    """The hint for ``bad`` wrong entries out of ``size``."""
    if size == 1:
        return f"{what} returned a wrong value"
    return f"{what}: values differ at {bad} of {size} entries"


def expect_close(answer, expected, what="answer", rtol=1e-7, atol=1e-9):
    """Check that ``answer`` equals ``expected`` within ``atol + rtol * |expected|``.

    NaN matches NaN. Shapes must agree exactly (no broadcasting).
    """
    target = _asarray(expected, dtype=_float)
    array = expect_array(answer, shape=target.shape, what=what)
    with _errstate(invalid="ignore", over="ignore"):
        ok = _absolute(array - target) <= atol + rtol * _absolute(target)
        ok = ok | (array == target) | (_isnan(array) & _isnan(target))
    bad = _int((~ok).sum())
    if bad:
        raise _AssertionError(_mismatch(what, bad, target.size))


def expect_equal(answer, expected, what="answer"):
    """Check that array ``answer`` equals ``expected`` exactly (masks, indices, counts)."""
    target = _asarray(expected, dtype=_float)
    array = expect_array(answer, shape=target.shape, what=what)
    bad = _int((~((array == target) | (_isnan(array) & _isnan(target)))).sum())
    if bad:
        raise _AssertionError(_mismatch(what, bad, target.size))


def expect_mask(answer, shape=None, what="answer"):
    """Check that ``answer`` is a mask: an array holding only 0 and 1 (or booleans)."""
    array = expect_array(answer, shape=shape, what=what)
    bad = _int((~((array == 0) | (array == 1))).sum())
    if bad:
        raise _AssertionError(
            f"{what} is not a mask: {bad} of {array.size} entries are neither 0 nor 1"
        )
    return array


def expect_int(answer, what="answer"):
    """Check that ``answer`` is an ``int`` (or NumPy integer) and return it as an ``int``."""
    if not _is_int(answer):
        name = "None" if answer is None else _type_name(answer)
        raise _AssertionError(f"{what} returned a {name}; expected an int")
    return _int(answer)


def expect_equal_int(answer, expected, what="answer"):
    """Check that ``answer`` is an ``int`` equal to ``expected``."""
    value = expect_int(answer, what)
    if value != _int(expected):
        raise _AssertionError(f"{what} returned {value}, which is not the expected count")


def expect_float(answer, what="answer"):
    """Check that ``answer`` is a real number (a float, an int or a NumPy scalar)."""
    kind = _type(answer)
    if kind is _bool or kind is _np_bool:
        raise _AssertionError(f"{what} returned a bool; expected a number")
    if (
        kind is not _float
        and kind is not _int
        and not (_issubclass(kind, (_floating, _integer)) and kind.__module__ == "numpy")
    ):
        raise _AssertionError(f"{what} returned a {_type_name(answer)}; expected a float")
    return _float(answer)


def expect_true(condition, hint):
    """Raise ``AssertionError(hint)`` unless ``condition`` holds."""
    if not condition:
        raise _AssertionError(hint)


def matches(answer, target, rtol=1e-7, atol=1e-9):
    """True when ``answer`` equals ``target`` (an array, a number, or a list of them) within
    the tolerances, read as plain float arrays; never raises."""
    if _isinstance(target, (_list, _tuple)):
        return (
            _isinstance(answer, (_list, _tuple))
            and _len(answer) == _len(target)
            and all(matches(a, t, rtol, atol) for a, t in _zip(answer, target, strict=True))
        )
    try:
        expect_close(answer, target, rtol=rtol, atol=atol)
    except _AssertionError:
        return False
    return True


def expect_no_mistake(answer, expected, mistakes, hints, rtol=1e-7, atol=1e-9):
    """Fail with a known mistake's own hint when ``answer`` is what that mistake returns.

    ``mistakes`` maps a mistake's name to what it would return on these inputs and
    ``hints`` (the exercise's ``MISTAKES``) the name to its hint. A mistake is named only
    where its result differs from ``expected``, so a correct answer is never blamed.
    """
    for name, wrong in mistakes.items():
        if not matches(wrong, expected, rtol, atol) and matches(answer, wrong, rtol, atol):
            raise _AssertionError(hints[name])


def fail(hint):
    """Raise the ``AssertionError`` a failed check raises, with ``hint``."""
    raise _AssertionError(hint)


def passed(what=None):
    """Print the line a learner sees when every public check of a cell passed."""
    _print("public checks passed" + (f": {what}" if what else ""))
