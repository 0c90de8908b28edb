"""Answers to exercise t07_break_even: its known mistakes and correct alternatives."""

import math
from fractions import Fraction

NOT_APPLICABLE = {
    "mutating": "its arguments are a string, a tuple and two ints: nothing can change in place",
}


def right(format, shape, value_bytes=4, index_bytes=4, clip=True, per=None, fixed=None):
    """The prompt's formula, with the bytes per nonzero and the fixed bytes open to a mistake."""
    rows, cols = shape
    n = rows * cols
    if format == "dense":
        return 0.0
    p, f = {
        "bitmask": (value_bytes, math.ceil(n / 8)),
        "coo": (value_bytes + 2 * index_bytes, 0),
        "csr": (value_bytes + index_bytes, (rows + 1) * index_bytes),
    }[format]
    p = p if per is None else per(p)
    f = f if fixed is None else fixed(n, rows, cols, f)
    s = 1 - (n * value_bytes - f) / (n * p)
    return float(min(max(s, 0.0), 1.0)) if clip else s


def unclipped(format, shape, value_bytes=4, index_bytes=4):
    return right(format, shape, value_bytes, index_bytes, clip=False)


def no_fixed(format, shape, value_bytes=4, index_bytes=4):
    return right(format, shape, value_bytes, index_bytes, fixed=lambda n, r, c, f: 0)


def mask_fraction(format, shape, value_bytes=4, index_bytes=4):
    if format == "bitmask":
        return right(format, shape, value_bytes, index_bytes, fixed=lambda n, r, c, f: n / 8)
    return right(format, shape, value_bytes, index_bytes)


def coo_one_index(format, shape, value_bytes=4, index_bytes=4):
    if format == "coo":
        return right(format, shape, value_bytes, index_bytes, per=lambda p: p - index_bytes)
    return right(format, shape, value_bytes, index_bytes)


def csr_rows_pointers(format, shape, value_bytes=4, index_bytes=4):
    if format == "csr":
        return right(
            format, shape, value_bytes, index_bytes, fixed=lambda n, r, c, f: r * index_bytes
        )
    return right(format, shape, value_bytes, index_bytes)


def csr_cols_pointers(format, shape, value_bytes=4, index_bytes=4):
    if format == "csr":
        return right(
            format, shape, value_bytes, index_bytes, fixed=lambda n, r, c, f: (c + 1) * index_bytes
        )
    return right(format, shape, value_bytes, index_bytes)


def density(format, shape, value_bytes=4, index_bytes=4):
    if format == "dense":
        return 0.0
    return 1.0 - right(format, shape, value_bytes, index_bytes)


def exact_fractions(format, shape, value_bytes=4, index_bytes=4):
    """Exact rational arithmetic, rounded to a float once at the end."""
    rows, cols = shape
    n = rows * cols
    per, fixed = {
        "dense": (value_bytes, 0),
        "bitmask": (value_bytes, -(-n // 8)),
        "coo": (value_bytes + 2 * index_bytes, 0),
        "csr": (value_bytes + index_bytes, (rows + 1) * index_bytes),
    }[format]
    s = 1 - Fraction(n * value_bytes - fixed, n * per)
    return float(min(max(s, Fraction(0)), Fraction(1)))


def by_kept_fraction(format, shape, value_bytes=4, index_bytes=4):
    """Solve for the fraction kept, then clip: a different order of float operations."""
    rows, cols = shape
    n = rows * cols
    if format == "dense":
        return 0.0
    if format == "bitmask":
        kept = (n * value_bytes - math.ceil(n / 8)) / n / value_bytes
    elif format == "coo":
        kept = value_bytes / (value_bytes + 2 * index_bytes)
    else:
        kept = (value_bytes - (rows + 1) * index_bytes / n) / (value_bytes + index_bytes)
    return 1.0 - min(1.0, max(0.0, kept))


MISTAKES = {
    "unclipped": unclipped,
    "no_fixed": no_fixed,
    "mask_fraction": mask_fraction,
    "coo_one_index": coo_one_index,
    "csr_rows_pointers": csr_rows_pointers,
    "csr_cols_pointers": csr_cols_pointers,
    "density": density,
}
ALTERNATIVES = {"exact_fractions": exact_fractions, "by_kept_fraction": by_kept_fraction}
