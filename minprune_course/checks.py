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


def call(fn, *args, what="answer", without=(), hint=None, **kwargs):
    """Call the learner's ``fn`` on copies of the arguments and return what it returns.

    The copies keep the checker's own inputs intact if ``fn`` changes its
    arguments in place. The functions in ``without`` (minprune's reference answers)
    are switched off meanwhile, raising ``AssertionError(hint)``: see ``switched_off``.
    """
    with switched_off(without, hint):
        expect_callable(fn, what)
        return fn(*_deepcopy(args), **_deepcopy(kwargs))


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


def passed(what=None):
    """Print the line a learner sees when every public check of a cell passed."""
    _print("public checks passed" + (f": {what}" if what else ""))
