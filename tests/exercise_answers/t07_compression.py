"""Answers to exercise t07_compression: its known mistakes and correct alternatives."""

import math

import numpy as np
import scipy.sparse as sp

KEYS = ("dense", "csr", "csr_quantized", "csr_kmeans")


def report_with(bias=True, pointers="out", qparams=8, codebook=True, index_bits=None):
    """The prompt's report, with one of its parts open to a mistake."""

    def report(net, bits=8, n_clusters=32):
        out = dict.fromkeys(KEYS, 0)
        ib = math.ceil(math.log2(n_clusters)) if index_bits is None else index_bits(n_clusters)
        for layer in net.layers:
            n_in, n_out = layer.W.shape
            nnz = int(np.count_nonzero(layer.W))
            b = 4 * layer.b.size if bias else 0
            idx = 4 * nnz + 4 * ((n_out if pointers == "out" else n_in) + 1)
            out["dense"] += 4 * layer.W.size + b
            out["csr"] += 4 * nnz + idx + b
            out["csr_quantized"] += math.ceil(nnz * bits / 8) + idx + b + qparams
            out["csr_kmeans"] += (
                math.ceil(nnz * ib / 8) + idx + b + (4 * n_clusters if codebook else 0)
            )
        return out

    return report


no_bias = report_with(bias=False)
input_pointers = report_with(pointers="in")
no_qparams = report_with(qparams=0)
no_codebook = report_with(codebook=False)
bit_length = report_with(index_bits=lambda k: k.bit_length())
fractional_bits = report_with(index_bits=math.log2)


def pad_once(net, bits=8, n_clusters=32):
    """The packed values of all layers padded together, once."""
    index_bits = math.ceil(math.log2(n_clusters))
    out = dict.fromkeys(KEYS, 0)
    quantized = kmeans = 0
    for layer in net.layers:
        nnz = int(np.count_nonzero(layer.W))
        other = 4 * nnz + 4 * (layer.W.shape[1] + 1) + 4 * layer.b.size
        out["dense"] += 4 * layer.W.size + 4 * layer.b.size
        out["csr"] += 4 * nnz + other
        quantized += nnz * bits / 8 + other + 8
        kmeans += nnz * index_bits / 8 + other + 4 * n_clusters
    out["csr_quantized"], out["csr_kmeans"] = math.ceil(quantized), math.ceil(kmeans)
    return out


def not_a_dict(net, bits=8, n_clusters=32):
    return list(report_with()(net, bits, n_clusters).values())


def floats(net, bits=8, n_clusters=32):
    return {k: float(v) for k, v in report_with()(net, bits, n_clusters).items()}


def scipy_csr(net, bits=8, n_clusters=32):
    """Counting the arrays of scipy's CSR of each W.T; NumPy integers back."""
    index_bits = int(n_clusters - 1).bit_length()
    out = dict.fromkeys(KEYS, np.int64(0))
    for layer in net.layers:
        m = sp.csr_array(layer.W.T)
        indices = 4 * (m.indices.size + m.indptr.size)
        bias = 4 * np.int64(layer.b.size)
        out["dense"] += 4 * layer.W.size + bias
        out["csr"] += 4 * m.nnz + indices + bias
        out["csr_quantized"] += -(-m.nnz * bits // 8) + indices + bias + 8
        out["csr_kmeans"] += -(-m.nnz * index_bits // 8) + indices + bias + 4 * n_clusters
    return out


MISTAKES = {
    "not_a_dict": not_a_dict,
    "floats": floats,
    "no_bias": no_bias,
    "input_pointers": input_pointers,
    "no_qparams": no_qparams,
    "no_codebook": no_codebook,
    "pad_once": pad_once,
    "bit_length": bit_length,
    "fractional_bits": fractional_bits,
}
ALTERNATIVES = {"scipy_csr": scipy_csr}
