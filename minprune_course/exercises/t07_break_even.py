"""Exercise 07.2: ``break_even(format, shape, value_bytes, index_bytes)``, the sparsity above
which a sparse format takes fewer bytes than dense."""

import math

from minprune_course import checks

from . import _t07

GRADE_ID = "t07_break_even_test"
ANSWER = "break_even"
SIGNATURE = "(format, shape, value_bytes=4, index_bytes=4)"
REFERENCE = ("minprune.break_even_sparsity",)
MISTAKES = {
    "unclipped": "a sparsity lies in [0, 1]: clip the formula, 1.0 when the format never "
    "beats dense",
    "no_fixed": "count the format's fixed bytes too (the mask, or the row pointers)",
    "mask_fraction": "the mask takes ceil(n / 8) whole bytes, not n / 8",
    "coo_one_index": "COO stores two indices (row and column) per nonzero: p = v + 2i",
    "csr_rows_pointers": "CSR has rows + 1 row pointers (the last one marks the end)",
    "csr_cols_pointers": "there is one row pointer per row (shape[0]), plus one",
    "density": "this looks like the density (the fraction kept); return the sparsity",
}
RTOL = 1e-9  # float64 arithmetic in any order agrees to about 1e-15


def _solve(n, v, per_nonzero, fixed, clip=True):
    s = 1 - (n * v - fixed) / (n * per_nonzero)
    return min(max(s, 0.0), 1.0) if clip else s


def _wrong(format, shape, v, i, expected):
    """What each mistake about ``format`` returns."""
    rows, cols = shape
    n = rows * cols
    if format == "dense":
        return {}
    per, fixed = {
        "bitmask": (v, math.ceil(n / 8)),
        "coo": (v + 2 * i, 0),
        "csr": (v + i, (rows + 1) * i),
    }[format]
    wrong = {
        "unclipped": _solve(n, v, per, fixed, clip=False),
        "no_fixed": _solve(n, v, per, 0),
        "density": 1.0 - expected,
    }
    if format == "bitmask":
        wrong["mask_fraction"] = _solve(n, v, per, n / 8)
    if format == "coo":
        wrong["coo_one_index"] = _solve(n, v, v + i, 0)
    if format == "csr":
        wrong["csr_rows_pointers"] = _solve(n, v, per, rows * i)
        wrong["csr_cols_pointers"] = _solve(n, v, per, (cols + 1) * i)
    return wrong


# the mistakes each visible case must show; the others give the right value there
_SHOWN = {
    "bitmask": {"no_fixed", "mask_fraction", "density"},
    "coo": {"coo_one_index", "density"},
    "csr": {"no_fixed", "csr_rows_pointers", "csr_cols_pointers", "density"},
    "never": {"unclipped", "no_fixed", "csr_cols_pointers", "density"},
}


def _shows(case, shown, reference):
    """True when the mistakes ``shown`` each give a value of their own on ``case``."""
    expected = reference(case[0], case[1], 8 * case[2], 8 * case[3])
    wrong = _wrong(*case, expected)
    return _t07.tells_apart(expected, {k: wrong[k] for k in shown}, RTOL, RTOL)


def cases(rng, hidden):
    """``(format, shape, value_bytes, index_bytes)``.

    First the four formats on one shape (rows != cols, a size that is not a multiple of 8),
    then a CSR matrix of one column, which never beats dense: drawn until every mistake
    gives a value of its own. The hidden battery adds other widths and shapes, a single
    entry and a single row.
    """
    (reference,) = checks.public(*REFERENCE)

    def shows_all(shape):
        return all(_shows((f, shape, 4, 4), _SHOWN[f], reference) for f in _t07.FORMATS[1:])

    shape = _t07.draw_until(lambda: _t07.shape(rng, 5, 300), shows_all)
    yield from ((f, shape, 4, 4) for f in _t07.FORMATS)
    never = _t07.draw_until(
        lambda: ("csr", (int(rng.integers(3, 300)), 1), 4, 4),
        lambda case: _shows(case, _SHOWN["never"], reference),
    )
    yield never
    if not hidden:
        return
    for v, i in [(1, 4), (2, 2), (1, 2), (8, 8), (4, 2)]:
        shape = _t07.shape(rng, 1, 200)
        yield from ((f, shape, v, i) for f in _t07.FORMATS)
    yield "csr", (int(rng.integers(500, 2000)), 1), 1, 4  # CSR never wins: 1.0
    yield "bitmask", (1, 1), 1, 4  # the mask byte alone equals dense: 1.0
    yield "bitmask", (3, 5), 4, 4  # 15 bits round up to 2 bytes
    yield "coo", (1, 1), 4, 4
    yield "csr", (1, int(rng.integers(100, 1000))), 4, 4


def check(answer, hidden=False, seed=None):
    """``answer(format, shape, v, i)`` is a float in [0, 1] equal to ``mp.break_even_sparsity``."""
    (reference,) = checks.public(*REFERENCE)
    for format, shape, v, i in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = reference(format, shape, 8 * v, 8 * i)
        what = f"break_even({format!r}, {shape}, value_bytes={v}, index_bytes={i})"
        got = checks.call(
            answer,
            format,
            shape,
            v,
            i,
            what=what,
            without=[reference],
            names=("format", "shape", "value_bytes", "index_bytes"),
        )
        got = checks.expect_float(got, what)
        checks.expect_true(got == got, f"{what} returned NaN")
        _t07.expect_no_mistake(
            got, expected, _wrong(format, shape, v, i, expected), MISTAKES, what, RTOL, RTOL
        )
        checks.expect_true(0.0 <= got <= 1.0, f"{what} returned {got:.4g}; {MISTAKES['unclipped']}")
        if format == "dense":
            checks.expect_close(got, expected, f"{what}: dense never loses to itself")
        checks.expect_close(got, expected, what, rtol=RTOL, atol=RTOL)
    checks.passed()
