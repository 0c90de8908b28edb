"""Exercise 07.1: ``matrix_bytes(W, format, value_bytes, index_bytes)``, bytes of dense,
bitmask, COO and CSR storage."""

import math

import numpy as np

from minprune_course import checks

from . import _t07

GRADE_ID = "t07_matrix_bytes_test"
ANSWER = "matrix_bytes"
SIGNATURE = "(W, format, value_bytes=4, index_bytes=4)"
REFERENCE = ("minprune.storage_bytes",)
MISTAKES = {
    "positive_only": "only the positive weights were counted; count every nonzero "
    "weight, the negative ones too (W != 0, not W > 0)",
    "dense_nonzeros": "dense storage keeps every entry, zeros included: n * v",
    "mask_floor": "the bitmask's n bits take ceil(n / 8) bytes, rounded up to "
    "whole bytes (n // 8 rounds down)",
    "mask_fraction": "the bitmask's n bits take ceil(n / 8) bytes, a whole "
    "number (n / 8 is a fraction)",
    "mask_bytes": "the bitmask takes one bit per entry, not one byte",
    "mask_all_values": "the bitmask stores only the nonzero values, nnz * v",
    "coo_one_index": "COO stores two indices (row and column) per nonzero",
    "csr_no_pointers": "CSR also stores the row pointers, (rows + 1) * i",
    "csr_rows_pointers": "CSR has rows + 1 row pointers (the last one marks the end)",
    "csr_cols_pointers": "there is one row pointer per row of W (W.shape[0]), plus one",
    "csr_as_coo": "this is COO; CSR stores one column index per nonzero and rows + 1 row pointers",
    "float": "a byte count is a whole number: return it as an int, not a float",
}


def _wrong(W, format, v, i):
    """What each mistake about ``format`` returns on ``W``."""
    rows, cols = W.shape
    n, nnz, positive = W.size, int(np.count_nonzero(W)), int(np.count_nonzero(W > 0))
    pairs = nnz * (v + i)
    return {
        "dense": lambda: {"dense_nonzeros": nnz * v},
        "bitmask": lambda: {
            "positive_only": positive * v + math.ceil(n / 8),
            "mask_floor": nnz * v + n // 8,
            "mask_fraction": nnz * v + n / 8,
            "mask_bytes": nnz * v + n,
            "mask_all_values": n * v + math.ceil(n / 8),
        },
        "coo": lambda: {"positive_only": positive * (v + 2 * i), "coo_one_index": pairs},
        "csr": lambda: {
            "positive_only": positive * (v + i) + (rows + 1) * i,
            "csr_no_pointers": pairs,
            "csr_rows_pointers": pairs + rows * i,
            "csr_cols_pointers": pairs + (cols + 1) * i,
            "csr_as_coo": nnz * (v + 2 * i),
        },
    }[format]()


def _expected(W, format, v, i, reference):
    return reference(W, format, value_dtype=8 * v, index_dtype=8 * i)


def _shows_every_mistake(W, reference):
    """True when, in every format, each mistake gives a count of its own, none the right one."""
    return all(
        _t07.tells_apart(_expected(W, f, 4, 4, reference), _wrong(W, f, 4, 4)) for f in _t07.FORMATS
    )


def cases(rng, hidden):
    """``(W, format, value_bytes, index_bytes)``.

    First one matrix in all four formats, drawn until every mistake shows with a count of
    its own: a size that is not a multiple of 8, zeros, negative nonzeros, rows != cols.
    The hidden battery adds other widths, matrices all zero or with no zero, a single row
    or column, float32 and all-negative weights.
    """
    (reference,) = checks.public(*REFERENCE)
    W = _t07.draw_until(
        lambda: _t07.pruned(rng, _t07.shape(rng)), lambda W: _shows_every_mistake(W, reference)
    )
    yield from ((W, f, 4, 4) for f in _t07.FORMATS)
    if not hidden:
        return
    for v, i in [(1, 2), (2, 2), (8, 8), (1, 4), (4, 2)]:
        W = _t07.pruned(rng, _t07.shape(rng, 1, 20))
        yield from ((W, f, v, i) for f in _t07.FORMATS)
    yield np.zeros(_t07.shape(rng)), "csr", 4, 4
    yield np.zeros(_t07.shape(rng)), "bitmask", 4, 4
    yield _t07.pruned(rng, _t07.shape(rng), 0.0), "coo", 4, 4
    yield _t07.pruned(rng, (1, int(rng.integers(3, 30)))), "csr", 4, 4
    yield _t07.pruned(rng, (int(rng.integers(3, 30)), 1)), "csr", 2, 2
    yield _t07.pruned(rng, (3, 3), 0.5, dtype=np.float32), "bitmask", 4, 4
    yield -np.abs(_t07.pruned(rng, _t07.shape(rng))), "coo", 4, 4


def check(answer, hidden=False, seed=None):
    """``answer(W, format, v, i)`` is an ``int`` equal to ``mp.storage_bytes``."""
    (reference,) = checks.public(*REFERENCE)
    for W, format, v, i in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = _expected(W, format, v, i, reference)
        what = (
            f"matrix_bytes(W, {format!r}, value_bytes={v}, index_bytes={i}) with W of shape "
            f"{W.shape}, {int(np.count_nonzero(W))} nonzeros"
        )
        got = checks.call(
            answer,
            W,
            format,
            v,
            i,
            what=what,
            without=[reference],
            names=("W", "format", "value_bytes", "index_bytes"),
        )
        _t07.expect_no_mistake(got, expected, _wrong(W, format, v, i), MISTAKES, what)
        if _t07.is_float(got):
            checks.fail(f"{what} returned a float; {MISTAKES['float']}")
        checks.expect_equal_int(got, expected, what)
    checks.passed()
