"""Fewer bits per weight: uniform quantization and k-means weight sharing.

After pruning, the stored values still take 32 bits each. Deep Compression
(Han, Mao and Dally, 2016) shrinks them in two ways, both here:

* **Uniform quantization** maps each weight to one of ``2**bits`` evenly spaced
  levels, ``W ~ scale * (q - zero_point)`` with integer codes ``q``.
  ``scheme='affine'`` spans ``[min(W, 0), max(W, 0)]`` with unsigned codes;
  ``scheme='symmetric'`` spans ``[-max|W|, max|W|]`` with signed codes and
  ``zero_point = 0``. In both, 0.0 is a level, so a pruned weight stays exactly
  zero, and every weight is off by at most ``scale / 2``.
* **K-means weight sharing** clusters a layer's nonzero weights into
  ``n_clusters`` shared values (1-D Lloyd iterations from a linear
  initialisation, which Han et al. found best): each nonzero is then stored as
  a ``ceil(log2(n_clusters))``-bit index into a small codebook.

``compression_report`` adds it up: bytes for dense float32, pruned CSR, and
pruned CSR with quantized or shared values.
"""

from dataclasses import dataclass

import numpy as np

from ._checks import check_array, check_choice, check_positive_int, check_rng
from .layers import Dense
from .network import Network
from .storage import _bits, _matrix_bytes, _nbytes

__all__ = [
    "QuantizedTensor",
    "quantize",
    "dequantize",
    "quantize_network",
    "SharedWeights",
    "kmeans_share",
    "reconstruct",
    "share_weights",
    "QPARAM_BYTES",
    "compression_report",
    "format_compression_report",
]

SCHEMES = ("affine", "symmetric")
INITS = ("linear", "density", "random")
QPARAM_BYTES = 8
"""Bytes of quantization parameters per layer: a float32 scale and an int32 zero point."""


def _check_float(W, name="W"):
    W = check_array(W, name)
    return W if np.issubdtype(W.dtype, np.floating) else W.astype(np.float64)


def _check_bits(bits):
    bits = check_positive_int(bits, "bits", minimum=2)
    if bits > 16:
        raise ValueError(f"bits={bits} must be in [2, 16]")
    return bits


def _check_net(net):
    if not isinstance(net, Network):
        raise TypeError(f"net must be a minprune.Network, got {type(net).__name__}")


# --------------------------------------------------------------- uniform
@dataclass(frozen=True)
class QuantizedTensor:
    """Integer codes and the affine map back to real values: ``W ~ scale * (q - zero_point)``.

    Attributes
    ----------
    q : integer array of W's shape
        uint8/uint16 codes in ``[0, 2**bits - 1]`` (affine) or int8/int16 codes in
        ``[-(2**(bits-1) - 1), 2**(bits-1) - 1]`` (symmetric).
    scale : float
        Step between two levels.
    zero_point : int
        The code of 0.0.
    bits : int
    scheme : str
    dtype : numpy dtype
        The dtype ``dequantize`` returns (the original ``W``'s).
    """

    q: np.ndarray
    scale: float
    zero_point: int
    bits: int
    scheme: str
    dtype: np.dtype


def quantize(W, bits=8, scheme="affine"):
    """Uniform quantization of ``W`` to ``bits``-bit integer codes, one scale per tensor.

    Affine: ``lo = min(W.min(), 0)``, ``hi = max(W.max(), 0)``,
    ``scale = (hi - lo) / (2**bits - 1)``, ``zero_point = round(-lo / scale)``,
    ``q = clip(round(W / scale) + zero_point, 0, 2**bits - 1)``.
    Symmetric: ``scale = max|W| / (2**(bits-1) - 1)``, ``zero_point = 0``,
    ``q = round(W / scale)``. A tensor of zeros gets ``scale = 1``.

    Parameters
    ----------
    W : array of any shape, finite
    bits : int in [2, 16]
    scheme : {'affine', 'symmetric'}

    Returns
    -------
    QuantizedTensor
        ``dequantize`` of it is within ``scale / 2`` of ``W`` everywhere and is
        exactly 0.0 where ``W`` is.
    """
    W = _check_float(W)
    bits = _check_bits(bits)
    check_choice(scheme, "scheme", SCHEMES)
    x = W.astype(np.float64)
    lo = min(float(x.min(initial=0.0)), 0.0)
    hi = max(float(x.max(initial=0.0)), 0.0)
    if scheme == "affine":
        qmin, qmax = 0, 2**bits - 1
        scale = (hi - lo) / (qmax - qmin) if hi > lo else 1.0
        zero_point = int(np.clip(round(-lo / scale), qmin, qmax))
        code_dtype = np.uint8 if bits <= 8 else np.uint16
    else:
        qmax = 2 ** (bits - 1) - 1
        qmin = -qmax
        top = max(-lo, hi)
        scale = top / qmax if top > 0 else 1.0
        zero_point = 0
        code_dtype = np.int8 if bits <= 8 else np.int16
    q = np.clip(np.rint(x / scale) + zero_point, qmin, qmax).astype(code_dtype)
    return QuantizedTensor(q, float(scale), zero_point, bits, scheme, W.dtype)


def dequantize(qt):
    """Real values ``scale * (q - zero_point)`` of a ``QuantizedTensor``, in its original dtype."""
    if not isinstance(qt, QuantizedTensor):
        raise TypeError(f"qt must be a QuantizedTensor from quantize, got {type(qt).__name__}")
    return ((qt.q.astype(np.float64) - qt.zero_point) * qt.scale).astype(qt.dtype)


def quantize_network(net, bits=8, scheme="affine"):
    """A copy of ``net`` whose weights are replaced by their quantized-then-dequantized values.

    Each layer's ``W`` gets its own scale and zero point; biases and masks are
    kept as they are. Use it to measure the accuracy an integer model would have.
    """
    _check_net(net)
    bits = _check_bits(bits)
    check_choice(scheme, "scheme", SCHEMES)
    layers = [
        Dense(
            dequantize(quantize(layer.W, bits, scheme)),
            layer.b,
            layer.activation,
            layer.mask,
            layer.b_mask,
        )
        for layer in net.layers
    ]
    return Network.from_layers(layers, net.loss_name)


# --------------------------------------------------------------- k-means
@dataclass(frozen=True)
class SharedWeights:
    """A weight matrix as shared values: ``W[i, j] = codebook[labels[i, j]]``, 0 where ``labels == -1``.

    Attributes
    ----------
    codebook : (n_clusters,) array, ascending
        The shared values (cluster centroids), in W's dtype.
    labels : int array of W's shape
        Cluster of each nonzero weight; -1 marks a zero (pruned) weight.
    inertia : tuple of float
        Sum of squared distances of the nonzeros to their centroid after each
        assignment step; it never increases.
    n_iter : int
        Lloyd updates run.
    """

    codebook: np.ndarray
    labels: np.ndarray
    inertia: tuple
    n_iter: int


def _assign(v, c):
    """Index of the nearest centroid for each value (1-D: cut at midpoints of sorted centroids)."""
    order = np.argsort(c, kind="stable")
    cs = c[order]
    return order[np.searchsorted((cs[1:] + cs[:-1]) / 2, v, side="left")]


def kmeans_share(W, n_clusters, rng=None, init="linear", max_iter=300):
    """Cluster the nonzero weights of ``W`` into ``n_clusters`` shared values (Lloyd's k-means).

    Parameters
    ----------
    W : array of any shape, finite
    n_clusters : int in [1, number of nonzeros of W]
    rng : numpy.random.Generator, int seed or None
        Used only by ``init='random'``.
    init : {'linear', 'density', 'random'}
        Initial centroids: evenly spaced over ``[min, max]`` of the nonzeros
        (linear), at evenly spaced quantiles (density), or ``n_clusters``
        nonzeros drawn without replacement (random, "Forgy").
    max_iter : int
        Most Lloyd updates; iteration stops earlier once no assignment changes.

    Returns
    -------
    SharedWeights
        ``reconstruct`` of it has at most ``n_clusters`` distinct nonzero values
        and is exactly 0.0 wherever ``W`` is.

    Notes
    -----
    Each iteration assigns every nonzero to its nearest centroid, then moves each
    centroid to the mean of its members (a centroid with no member stays put).
    Neither step can increase the inertia.
    """
    W = _check_float(W)
    check_choice(init, "init", INITS)
    max_iter = check_positive_int(max_iter, "max_iter")
    rng = check_rng(rng)
    nonzero = W != 0
    v = W[nonzero].astype(np.float64)
    k = check_positive_int(n_clusters, "n_clusters")
    if k > v.size:
        raise ValueError(
            f"n_clusters={k} must be at most the number of nonzero weights of W, {v.size}"
        )
    if init == "linear":
        c = np.linspace(v.min(), v.max(), k)
    elif init == "density":
        c = np.quantile(v, np.linspace(0.0, 1.0, k))
    else:
        c = rng.choice(v, size=k, replace=False)

    def inertia(c, labels):
        return float(np.sum((v - c[labels]) ** 2))

    labels = _assign(v, c)
    history = [inertia(c, labels)]
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007
        counts = np.bincount(labels, minlength=k)
        sums = np.bincount(labels, weights=v, minlength=k)
        c = np.where(counts > 0, sums / np.maximum(counts, 1), c)
        new = _assign(v, c)
        history.append(inertia(c, new))
        if np.array_equal(new, labels):
            break
        labels = new
    order = np.argsort(c, kind="stable")
    rank = np.empty(k, dtype=np.int64)
    rank[order] = np.arange(k)
    full = np.full(W.shape, -1, dtype=np.int32)
    full[nonzero] = rank[labels]
    return SharedWeights(c[order].astype(W.dtype), full, tuple(history), n_iter)


def reconstruct(shared):
    """The weight matrix a ``SharedWeights`` stands for: ``codebook[labels]``, 0 where ``labels == -1``."""
    if not isinstance(shared, SharedWeights):
        raise TypeError(
            f"shared must be a SharedWeights from kmeans_share, got {type(shared).__name__}"
        )
    W = np.zeros(shared.labels.shape, dtype=shared.codebook.dtype)
    kept = shared.labels >= 0
    W[kept] = shared.codebook[shared.labels[kept]]
    return W


def _per_layer(n_clusters, net):
    """One cluster count per layer, from an int or a list."""
    if isinstance(n_clusters, (list, tuple)):
        if len(n_clusters) != len(net.layers):
            raise ValueError(
                f"n_clusters must be an int or a list of one int per layer ({len(net.layers)}), "
                f"got a list of {len(n_clusters)}"
            )
        return [check_positive_int(k, "n_clusters") for k in n_clusters]
    return [check_positive_int(n_clusters, "n_clusters")] * len(net.layers)


def share_weights(net, n_clusters, rng=None, init="linear"):
    """A copy of ``net`` with each layer's nonzero weights clustered into shared values.

    Parameters
    ----------
    net : Network
    n_clusters : int or list of int (one per layer)
        Han et al. used 32 shared values (5-bit indices) for fully connected layers.
    rng, init
        As in ``kmeans_share``.

    Returns
    -------
    Network
        Biases and masks unchanged.
    """
    _check_net(net)
    ks = _per_layer(n_clusters, net)
    rng = check_rng(rng)
    layers = []
    for i, (layer, k) in enumerate(zip(net.layers, ks)):
        nnz = int(np.count_nonzero(layer.W))
        if k > nnz:
            raise ValueError(
                f"n_clusters={k} must be at most the number of nonzero weights of layer {i}, {nnz}; "
                "pass a smaller n_clusters or a list of one per layer"
            )
        W = reconstruct(kmeans_share(layer.W, k, rng, init))
        layers.append(Dense(W, layer.b, layer.activation, layer.mask, layer.b_mask))
    return Network.from_layers(layers, net.loss_name)


# --------------------------------------------------------------- report
def compression_report(net, bits=8, n_clusters=32, value_dtype="float32", index_dtype="int32"):
    """Bytes to store ``net`` dense, pruned as CSR, and pruned with fewer bits per value.

    Every row counts the biases dense at ``value_dtype`` (they are a tiny part).
    The sparse rows store each ``W.T`` in CSR (``nnz`` values, ``nnz`` column
    indices and ``n_out + 1`` row pointers at ``index_dtype``), as
    ``storage_bytes(net, 'csr')`` does. Nothing is clustered or quantized here:
    the counts follow from the nonzeros of ``net`` alone.

    ============== ==========================================================
    key            bytes
    ============== ==========================================================
    dense          every ``W`` and ``b`` at ``value_dtype``
    csr            CSR with values at ``value_dtype``
    csr_quantized  CSR with ``bits``-bit values, plus ``QPARAM_BYTES`` (a
                   float32 scale and an int32 zero point) per layer
    csr_kmeans     CSR with ``ceil(log2(n_clusters))``-bit values (indices into
                   the codebook), plus a codebook of ``n_clusters`` values at
                   ``value_dtype`` per layer
    ============== ==========================================================

    Parameters
    ----------
    net : Network
    bits : int in [2, 16]
    n_clusters : int or list of int (one per layer)
    value_dtype, index_dtype : numpy dtype, dtype name, or int (bits)

    Returns
    -------
    dict
        ``{'dense': int, 'csr': int, 'csr_quantized': int, 'csr_kmeans': int}``,
        bytes; ``report['dense'] / report[key]`` is the compression ratio.

    Examples
    --------
    >>> net = Network([64, 32, 10], rng=0)  # dense: no weight pruned yet
    >>> report = compression_report(net, bits=8, n_clusters=32)
    >>> report["dense"], report["csr"]  # CSR of a dense matrix costs more than dense
    (9640, 19288)
    >>> print(format_compression_report(report))  # doctest: +SKIP
    """
    _check_net(net)
    bits = _check_bits(bits)
    ks = _per_layer(n_clusters, net)
    vbits = _bits(value_dtype, "value_dtype")
    ibits = _bits(index_dtype, "index_dtype")
    report = dict.fromkeys(["dense", "csr", "csr_quantized", "csr_kmeans"], 0)
    for layer, k in zip(net.layers, ks):
        shape, nnz = layer.W.T.shape, int(np.count_nonzero(layer.W))
        bias = _nbytes(layer.b.size, vbits)
        index_bits = (k - 1).bit_length()  # ceil(log2(k)), exactly
        report["dense"] += _matrix_bytes(shape, nnz, "dense", vbits, ibits) + bias
        report["csr"] += _matrix_bytes(shape, nnz, "csr", vbits, ibits) + bias
        report["csr_quantized"] += (
            _matrix_bytes(shape, nnz, "csr", bits, ibits) + bias + QPARAM_BYTES
        )
        report["csr_kmeans"] += (
            _matrix_bytes(shape, nnz, "csr", index_bits, ibits) + bias + _nbytes(k, vbits)
        )
    return report


def format_compression_report(report):
    """A text table of a ``compression_report``: bytes, KiB and times smaller than dense."""
    lines = [f"{'storage':<15}{'bytes':>12}{'KiB':>10}{'x smaller':>11}"]
    for key, nbytes in report.items():
        ratio = report["dense"] / nbytes if nbytes else float("inf")
        lines.append(f"{key:<15}{nbytes:>12,}{nbytes / 1024:>10.1f}{ratio:>11.1f}")
    return "\n".join(lines)
