"""Answers to exercise t07_matrix_bytes: its known mistakes and correct alternatives."""

import math

import numpy as np
import scipy.sparse as sp


def right(W, format, value_bytes=4, index_bytes=4, nnz=None, rows=None):
    """The prompt's table, with ``nnz`` and ``rows`` open to a mistake."""
    n = W.size
    nnz = int(np.count_nonzero(W)) if nnz is None else nnz
    rows = W.shape[0] if rows is None else rows
    if format == "dense":
        return n * value_bytes
    if format == "bitmask":
        return nnz * value_bytes + math.ceil(n / 8)
    if format == "coo":
        return nnz * (value_bytes + 2 * index_bytes)
    return nnz * (value_bytes + index_bytes) + (rows + 1) * index_bytes


def positive_only(W, format, value_bytes=4, index_bytes=4):
    return right(W, format, value_bytes, index_bytes, nnz=int((W > 0).sum()))


def dense_nonzeros(W, format, value_bytes=4, index_bytes=4):
    if format == "dense":
        return int(np.count_nonzero(W)) * value_bytes
    return right(W, format, value_bytes, index_bytes)


def _bitmask(mask_bytes, keep_all=False):
    def answer(W, format, value_bytes=4, index_bytes=4):
        if format == "bitmask":
            values = W.size if keep_all else int(np.count_nonzero(W))
            return values * value_bytes + mask_bytes(W.size)
        return right(W, format, value_bytes, index_bytes)

    return answer


mask_floor = _bitmask(lambda n: n // 8)
mask_fraction = _bitmask(lambda n: n / 8)
mask_bytes = _bitmask(lambda n: n)
mask_all_values = _bitmask(lambda n: math.ceil(n / 8), keep_all=True)


def coo_one_index(W, format, value_bytes=4, index_bytes=4):
    if format == "coo":
        return int(np.count_nonzero(W)) * (value_bytes + index_bytes)
    return right(W, format, value_bytes, index_bytes)


def _csr(pointers):
    def answer(W, format, value_bytes=4, index_bytes=4):
        if format == "csr":
            nnz = int(np.count_nonzero(W))
            return nnz * (value_bytes + index_bytes) + pointers(W) * index_bytes
        return right(W, format, value_bytes, index_bytes)

    return answer


csr_no_pointers = _csr(lambda W: 0)
csr_rows_pointers = _csr(lambda W: W.shape[0])
csr_cols_pointers = _csr(lambda W: W.shape[1] + 1)
csr_as_coo = _csr(lambda W: np.count_nonzero(W))


def as_float(W, format, value_bytes=4, index_bytes=4):
    return float(right(W, format, value_bytes, index_bytes))


def scipy_arrays(W, format, value_bytes=4, index_bytes=4):
    """The arrays scipy.sparse keeps, and a bitmask packed by NumPy (NumPy integers back)."""
    if format == "dense":
        return np.int64(W.size * value_bytes)
    if format == "bitmask":
        return np.count_nonzero(W) * value_bytes + np.packbits(W != 0).size
    if format == "coo":
        m = sp.coo_array(W)
        return m.data.size * value_bytes + (m.row.size + m.col.size) * index_bytes
    m = sp.csr_array(W)
    return m.data.size * value_bytes + (m.indices.size + m.indptr.size) * index_bytes


def loop(W, format, value_bytes=4, index_bytes=4):
    """Counting entry by entry."""
    rows, cols = W.shape
    nnz = 0
    for r in range(rows):
        for c in range(cols):
            if W[r, c] != 0:
                nnz += 1
    table = {
        "dense": rows * cols * value_bytes,
        "bitmask": nnz * value_bytes + (rows * cols + 7) // 8,
        "coo": nnz * value_bytes + 2 * nnz * index_bytes,
        "csr": nnz * value_bytes + nnz * index_bytes + (len(W) + 1) * index_bytes,
    }
    return table[format]


MISTAKES = {
    "positive_only": positive_only,
    "dense_nonzeros": dense_nonzeros,
    "mask_floor": mask_floor,
    "mask_fraction": mask_fraction,
    "mask_bytes": mask_bytes,
    "mask_all_values": mask_all_values,
    "coo_one_index": coo_one_index,
    "csr_no_pointers": csr_no_pointers,
    "csr_rows_pointers": csr_rows_pointers,
    "csr_cols_pointers": csr_cols_pointers,
    "csr_as_coo": csr_as_coo,
    "float": as_float,
}
ALTERNATIVES = {"scipy_arrays": scipy_arrays, "loop": loop}
