"""What a pruned network costs to store, and a sparse copy that runs on scipy.sparse.

A pruned matrix ``W`` of ``n`` entries, ``nnz`` of them nonzero, can be stored as

========== ===================================================================
format     bytes (``v`` = bytes per value, ``i`` = bytes per index)
========== ===================================================================
dense      ``n * v``
bitmask    ``nnz * v + ceil(n / 8)``: the nonzeros, and one bit per entry
coo        ``nnz * (v + 2 * i)``: each nonzero with its row and column
csr        ``nnz * (v + i) + (rows + 1) * i``: values, column indices, row pointers
========== ===================================================================

so a sparse format pays for its indices, and beats dense only above a
break-even sparsity (``break_even_sparsity``). Widths can be numpy dtypes
(``"float32"``, ``"float16"``, ``"int8"``, ``"int32"``...) or an int number of
*bits* (``value_dtype=8`` for 8-bit codes, ``value_dtype=5`` for 5-bit k-means
indices). Each stored array is padded to whole bytes: with 5-bit values,
``nnz`` values take ``ceil(5 * nnz / 8)`` bytes.

Orientation: scipy computes ``X @ W`` fastest from a matrix stored one row per
*output* neuron, ``W.T : (n_out, n_in)`` in CSR (the layout of
``torch.nn.Linear.weight``), as ``(W.T @ X.T).T``. ``to_sparse`` and
``save_compressed`` store ``W.T``, and ``storage_bytes(net, ...)`` counts each
``W`` that way (``n_out + 1`` row pointers); ``storage_bytes(W, ...)`` on a
matrix counts the matrix as given (``rows = W.shape[0]``). Biases are always
stored dense.
"""

import os

import numpy as np
import scipy.sparse as sp

from ._checks import check_array, check_choice, check_dtype
from .activations import ACTIVATIONS
from .network import Network, Predictor

__all__ = [
    "FORMATS",
    "storage_bytes",
    "break_even_sparsity",
    "SparseNetwork",
    "to_sparse",
    "save_compressed",
    "load_compressed",
]

FORMATS = ("dense", "bitmask", "coo", "csr")


def _bits(dtype, name):
    """Bits per element of ``dtype``: a numpy dtype, its name, or an int number of bits."""
    if isinstance(dtype, bool):
        raise TypeError(f"{name} must be a numpy dtype or an int number of bits, got {dtype!r}")
    if isinstance(dtype, (int, np.integer)):
        if not 1 <= dtype <= 64:
            raise ValueError(f"{name}={dtype!r} bits must be in [1, 64]")
        return int(dtype)
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        raise TypeError(
            f"{name} must be a numpy dtype (e.g. 'float32', 'int8') or an int number of bits, "
            f"got {dtype!r}"
        ) from err
    if not (np.issubdtype(dt, np.integer) or np.issubdtype(dt, np.floating)):
        raise ValueError(f"{name} must be an integer or floating dtype, got {dt}")
    return dt.itemsize * 8


def _nbytes(count, bits):
    """Bytes of an array of ``count`` elements of ``bits`` each, padded to whole bytes."""
    return -(-count * bits // 8)


def _matrix_bytes(shape, nnz, format, vbits, ibits):
    """Bytes of one ``shape`` matrix with ``nnz`` nonzeros in ``format``."""
    rows, cols = shape
    n = rows * cols
    if format == "dense":
        return _nbytes(n, vbits)
    if format == "bitmask":
        return _nbytes(nnz, vbits) + _nbytes(n, 1)
    if format == "coo":
        return _nbytes(nnz, vbits) + 2 * _nbytes(nnz, ibits)
    return _nbytes(nnz, vbits) + _nbytes(nnz, ibits) + _nbytes(rows + 1, ibits)


def _network_bytes(net, format, vbits, ibits, bias_bits):
    """Bytes of every ``W.T`` of ``net`` in ``format`` plus its biases at ``bias_bits`` each."""
    total = 0
    for layer in net.layers:
        nnz = int(np.count_nonzero(layer.W))
        total += _matrix_bytes(layer.W.T.shape, nnz, format, vbits, ibits)
        total += _nbytes(layer.b.size, bias_bits)
    return total


def storage_bytes(W_or_net, format="csr", value_dtype="float32", index_dtype="int32", biases=True):
    """Bytes needed to store a weight matrix, or a whole network, in ``format``.

    Parameters
    ----------
    W_or_net : (rows, cols) array or Network
        A matrix is counted as given. A network is the sum over its layers of
        ``W.T`` (rows are output neurons, as ``to_sparse`` stores it) in ``format``
        and, with ``biases=True``, each ``b`` stored dense.
    format : {'dense', 'bitmask', 'coo', 'csr'}
    value_dtype : numpy dtype, dtype name, or int (bits per value)
    index_dtype : numpy dtype, dtype name, or int (bits per index)
    biases : bool
        For a network, add the biases (dense, ``value_dtype``).

    Returns
    -------
    int
        Bytes; each stored array is padded to whole bytes.

    Examples
    --------
    >>> W = np.array([[0.0, 1.5, 0.0], [0.0, 0.0, -2.0]])
    >>> storage_bytes(W, "csr")  # 2 * (4 + 4) values and columns + 3 * 4 row pointers
    28
    """
    check_choice(format, "format", FORMATS)
    vbits = _bits(value_dtype, "value_dtype")
    ibits = _bits(index_dtype, "index_dtype")
    if isinstance(W_or_net, Network):
        return _network_bytes(W_or_net, format, vbits, ibits, vbits if biases else 0)
    W = check_array(W_or_net, "W_or_net", ndim=2)
    return _matrix_bytes(W.shape, int(np.count_nonzero(W)), format, vbits, ibits)


def break_even_sparsity(format, shape, value_dtype="float32", index_dtype="int32"):
    """Sparsity above which ``format`` takes fewer bytes than dense storage.

    Every format costs ``nnz * per_nonzero + fixed`` against ``n * v`` for dense;
    with ``nnz = (1 - s) * n`` it wins when

        s > 1 - (n * v - fixed) / (n * per_nonzero)

    ``per_nonzero`` is ``v`` (bitmask), ``v + 2i`` (coo), ``v + i`` (csr);
    ``fixed`` is ``n / 8`` (bitmask), 0 (coo), ``(rows + 1) * i`` (csr). With
    byte-sized widths the bitmask's fixed cost is ``ceil(n / 8)`` bytes and the
    formula is exact; sub-byte widths ignore the padding to whole bytes.

    Parameters
    ----------
    format : {'dense', 'bitmask', 'coo', 'csr'}
    shape : (rows, cols) tuple of int
    value_dtype, index_dtype : numpy dtype, dtype name, or int (bits)

    Returns
    -------
    float in [0, 1]
        ``0.0`` for ``'dense'``; ``1.0`` when the format never wins (its fixed
        cost alone reaches the dense size).

    Examples
    --------
    >>> break_even_sparsity("csr", (1000, 1000))  # float32 values, int32 indices
    0.500...
    >>> break_even_sparsity("coo", (1000, 1000))
    0.666...
    """
    check_choice(format, "format", FORMATS)
    if (
        not isinstance(shape, (tuple, list))
        or len(shape) != 2
        or not all(isinstance(s, (int, np.integer)) and s >= 1 for s in shape)
    ):
        raise ValueError(f"shape must be a (rows, cols) pair of positive ints, got {shape!r}")
    vbits = _bits(value_dtype, "value_dtype")
    ibits = _bits(index_dtype, "index_dtype")
    rows, cols = (int(s) for s in shape)
    n = rows * cols
    if format == "dense":
        return 0.0
    per_nonzero, fixed = {
        "bitmask": (vbits, 8 * _nbytes(n, 1)),
        "coo": (vbits + 2 * ibits, 0),
        "csr": (vbits + ibits, (rows + 1) * ibits),
    }[format]
    s = 1.0 - (n * vbits - fixed) / (n * per_nonzero)
    return float(min(max(s, 0.0), 1.0))


class SparseNetwork(Predictor):
    """A network whose weights are scipy.sparse matrices, for fast sparse inference.

    Each layer keeps ``W.T : (n_out, n_in)`` (one row per output neuron) and
    computes ``f(X @ W + b)`` as ``f((W.T @ X.T).T + b)``, which scipy runs
    faster than ``X @ W`` on a CSR ``W``.

    Parameters
    ----------
    weights : list of scipy.sparse arrays, ``W_l.T : (n_out, n_in)``
    biases : list of ``(n_out,)`` arrays
    activations : list of str
    loss : str
        The dense network's loss: ``'cross_entropy'`` outputs logits.
    """

    def __init__(self, weights, biases, activations, loss="cross_entropy"):
        if not (len(weights) == len(biases) == len(activations)) or not weights:
            raise ValueError(
                "weights, biases and activations must be non-empty and of equal length, got "
                f"{len(weights)}, {len(biases)} and {len(activations)}"
            )
        for i, (Wt, b) in enumerate(zip(weights, biases)):
            if not sp.issparse(Wt):
                raise TypeError(
                    f"weights[{i}] must be a scipy.sparse matrix, got {type(Wt).__name__}"
                )
            if b.shape != (Wt.shape[0],):
                raise ValueError(f"biases[{i}] must have shape ({Wt.shape[0]},), got {b.shape}")
        for a in activations:
            check_choice(a, "activation", ACTIVATIONS)
        self.weights = list(weights)
        self.biases = list(biases)
        self.activations = list(activations)
        self.loss_name = loss

    @property
    def dtype(self):
        return self.weights[0].dtype

    @property
    def nbytes(self):
        """Bytes held by the sparse weights' arrays and the dense biases."""
        total = 0
        for Wt, b in zip(self.weights, self.biases):
            arrays = [Wt.data, Wt.row, Wt.col] if Wt.format == "coo" else [Wt.data]
            if Wt.format in ("csr", "csc", "bsr"):
                arrays += [Wt.indices, Wt.indptr]
            total += sum(a.nbytes for a in arrays) + b.nbytes
        return int(total)

    def forward(self, X):
        """Output of the last layer for ``X : (n, n_in)``, equal to ``Network.forward``."""
        A = check_array(X, "X", ndim=2)
        if A.shape[1] != self.weights[0].shape[1]:
            raise ValueError(
                f"X must have {self.weights[0].shape[1]} features (columns), got shape {A.shape}"
            )
        A = A.astype(self.dtype, copy=False)
        for Wt, b, act in zip(self.weights, self.biases, self.activations):
            Z = np.ascontiguousarray((Wt @ A.T).T)
            Z += b
            A = ACTIVATIONS[act][0](Z)
        return A

    def __repr__(self):
        sizes = [self.weights[0].shape[1]] + [Wt.shape[0] for Wt in self.weights]
        return f"SparseNetwork(sizes={sizes}, format={self.weights[0].format!r})"


def to_sparse(net, format="csr"):
    """A ``SparseNetwork`` holding each ``W.T`` of ``net`` as a scipy.sparse array.

    Parameters
    ----------
    net : Network
    format : {'csr', 'csc', 'coo'}
        ``'csr'`` is the fast one for ``forward``; the others are for comparison.

    Returns
    -------
    SparseNetwork
        Its ``forward`` equals ``net.forward`` up to float rounding; only the
        nonzero weights are stored.
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a minprune.Network, got {type(net).__name__}")
    check_choice(format, "format", ("csr", "csc", "coo"))
    kind = {"csr": sp.csr_array, "csc": sp.csc_array, "coo": sp.coo_array}[format]
    weights = [kind(layer.W.T) for layer in net.layers]
    biases = [layer.b.copy() for layer in net.layers]
    return SparseNetwork(weights, biases, [layer.activation for layer in net.layers], net.loss_name)


def save_compressed(net, path, value_dtype=None):
    """Write ``net``'s nonzero weights as CSR arrays to a compressed ``.npz``; return its size.

    Each layer ``l`` is written as ``data{l}``, ``indices{l}`` (int32 column
    indices), ``indptr{l}``, ``shape{l}`` of ``W.T`` in CSR, with ``b{l}`` and
    ``activation{l}``. ``load_compressed`` reads it back.

    Parameters
    ----------
    net : Network
    path : str or os.PathLike
        Written with ``numpy.savez_compressed`` (which adds ``.npz`` if missing).
    value_dtype : numpy float dtype or None
        Store weights and biases in this dtype (``'float16'`` halves them);
        ``None`` keeps the network's.

    Returns
    -------
    int
        Size of the file on disk in bytes.
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a minprune.Network, got {type(net).__name__}")
    dtype = net.dtype if value_dtype is None else np.dtype(value_dtype)
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(f"value_dtype must be a floating dtype, got {dtype}")
    arrays = {"loss": np.array(net.loss_name)}
    for i, layer in enumerate(net.layers):
        Wt = sp.csr_array(layer.W.T)  # scipy.sparse has no float16: cast the values alone
        arrays[f"data{i}"] = Wt.data.astype(dtype)
        arrays[f"indices{i}"] = Wt.indices.astype(np.int32)
        arrays[f"indptr{i}"] = Wt.indptr.astype(np.int32)
        arrays[f"shape{i}"] = np.array(Wt.shape)
        arrays[f"b{i}"] = layer.b.astype(dtype)
        arrays[f"activation{i}"] = np.array(layer.activation)
    path = os.fspath(path)
    if not path.endswith(".npz"):
        path += ".npz"
    np.savez_compressed(path, **arrays)
    return os.path.getsize(path)


def load_compressed(path, dtype="float32"):
    """Read a file written by ``save_compressed`` back into a dense ``Network``.

    Masks are rebuilt as ``W != 0``: every stored weight is kept, every absent one
    is pruned.
    """
    dtype = check_dtype(dtype)
    with np.load(path, allow_pickle=False) as f:
        n = sum(1 for k in f.files if k.startswith("data"))
        Ws, bs, acts = [], [], []
        for i in range(n):
            data = f[f"data{i}"].astype(dtype)
            Wt = sp.csr_array(
                (data, f[f"indices{i}"], f[f"indptr{i}"]), shape=tuple(f[f"shape{i}"])
            )
            Ws.append(Wt.toarray().T)
            bs.append(f[f"b{i}"].astype(dtype))
            acts.append(str(f[f"activation{i}"]))
        net = Network.from_weights(Ws, bs, acts, str(f["loss"]))
    for layer in net.layers:
        layer.apply_mask((layer.W != 0).astype(layer.W.dtype))
    return net
