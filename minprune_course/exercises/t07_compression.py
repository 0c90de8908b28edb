"""Exercise 07.5: ``compression_bytes(net, bits, n_clusters)``, the Deep Compression report.

The answer gets a ``minprune.Network`` (plain data: its arrays travel whole) and returns a
dict of four ints.
"""

import math

import numpy as np

from minprune_course import checks

from . import _t07

GRADE_ID = "t07_compression_test"
ANSWER = "compression_bytes"
SIGNATURE = "(net, bits=8, n_clusters=32)"
REFERENCE = ("minprune.compression_report", "minprune.storage_bytes")
KEYS = ("dense", "csr", "csr_quantized", "csr_kmeans")
MISTAKES = {
    "not_a_dict": "return a dict with the keys 'dense', 'csr', 'csr_quantized', 'csr_kmeans'",
    "floats": "a byte count is a whole number: return it as an int, not a float",
    "no_bias": "add each layer's biases, stored dense at 4 bytes each",
    "input_pointers": "each W.T is stored: one row per output neuron, n_out + 1 row pointers",
    "no_qparams": "add 8 bytes per layer for the scale and the zero point",
    "no_codebook": "add each layer's codebook: n_clusters float32 values",
    "pad_once": "pad each layer's values to whole bytes, layer by layer",
    "bit_length": "the index takes ceil(log2(n_clusters)) bits: 5 for 32 clusters, not "
    "n_clusters.bit_length()",
    "fractional_bits": "the index takes ceil(log2(n_clusters)) whole bits",
}


def _report(net, bits, k, *, bias=True, pointers="out", qparams=8, codebook=True,
            per_layer_pad=True, index_bits=None):  # fmt: skip
    """The report with one mistake switched on by a keyword (the right one by default)."""
    out = dict.fromkeys(KEYS, 0)
    ib = (k - 1).bit_length() if index_bits is None else index_bits
    value_bits = {"csr": 32, "csr_quantized": bits, "csr_kmeans": ib}
    for layer in net.layers:
        n_in, n_out = layer.W.shape
        nnz = int(np.count_nonzero(layer.W))
        rows = n_out if pointers == "out" else n_in
        b = 4 * layer.b.size if bias else 0
        out["dense"] += 4 * layer.W.size + b
        for key, vb in value_bits.items():
            values = math.ceil(nnz * vb / 8) if per_layer_pad else nnz * vb / 8
            out[key] += values + 4 * nnz + 4 * (rows + 1) + b
        out["csr_quantized"] += qparams
        out["csr_kmeans"] += 4 * k if codebook else 0
    if not per_layer_pad:
        for key in value_bits:
            out[key] = math.ceil(out[key])
    return out


def _wrong(net, bits, k):
    """Each mistake's report."""
    return {
        "no_bias": _report(net, bits, k, bias=False),
        "input_pointers": _report(net, bits, k, pointers="in"),
        "no_qparams": _report(net, bits, k, qparams=0),
        "no_codebook": _report(net, bits, k, codebook=False),
        "pad_once": _report(net, bits, k, per_layer_pad=False),
        "bit_length": _report(net, bits, k, index_bits=k.bit_length()),
        "fractional_bits": _report(net, bits, k, index_bits=math.log2(k)),
    }


def _wrong_at(wrong, key):
    return {name: report[key] for name, report in wrong.items()}


def _shows_every_mistake(first, second):
    """True when each mistake changes one entry at least of the two reports, and wherever it
    changes one, no other mistake gives that entry the same count."""
    changed = set()
    for net, bits, k in (first, second):
        right, wrong = _report(net, bits, k), _wrong(net, bits, k)
        for key in KEYS:
            at_key = _wrong_at(wrong, key)
            differ = {name: v for name, v in at_key.items() if v != right[key]}
            if not _t07.tells_apart(right[key], differ):
                return False
            changed |= set(differ)
    return changed == set(_wrong(*first))


def cases(rng, hidden):
    """``(net, bits, n_clusters)``.

    First two pruned networks, with 8 bits and 32 clusters, then 4 bits and 20 clusters
    (not a power of two), drawn until every mistake changes the report with a count of its
    own: first and last widths differ (row pointers on the wrong side), layers hold enough
    nonzeros for 6-bit or fractional indices to show, and padding all layers at once loses
    a byte. The hidden battery adds 16, 256, 2 and 100 clusters, 3 to 6 bits, one layer,
    three layers, no pruning.
    """

    def sizes(n_layers):
        return [int(s) for s in rng.integers(2, 40, size=n_layers + 1)]

    def draw():
        return (
            (_t07.network(rng, sizes(2), float(rng.uniform(0.5, 0.9))), 8, 32),
            (_t07.network(rng, sizes(2), float(rng.uniform(0.3, 0.9))), 4, 20),
        )

    yield from _t07.draw_until(draw, lambda pair: _shows_every_mistake(*pair))
    if not hidden:
        return
    yield _t07.network(rng, sizes(3), float(rng.uniform(0.3, 0.95))), 4, 16
    yield _t07.network(rng, sizes(2), 0.7), 5, 20
    yield _t07.network(rng, sizes(1), 0.0), 8, 256
    yield _t07.network(rng, [int(rng.integers(30, 60)), 7, 3], 0.9), 3, 2
    yield _t07.network(rng, sizes(2), 0.5), 6, 100


def check(answer, hidden=False, seed=None):
    """``answer(net, bits, n_clusters)`` is a dict of four ints equal to ``mp.compression_report``."""
    reference, storage_bytes = checks.public(*REFERENCE)
    for net, bits, k in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = reference(net, bits=bits, n_clusters=k)
        call = f"compression_bytes(net, bits={bits}, n_clusters={k})"
        what = f"{call} with net.sizes={net.sizes}"
        got = checks.call(
            answer,
            net,
            bits,
            k,
            what=what,
            without=[reference, storage_bytes],
            names=("net", "bits", "n_clusters"),
        )
        if not isinstance(got, dict):
            checks.fail(f"{what} returned a {type(got).__name__}; {MISTAKES['not_a_dict']}")
        missing = [key for key in KEYS if key not in got]
        if missing:
            checks.fail(f"{what} has no key {missing[0]!r}; {MISTAKES['not_a_dict']}")
        wrong = _wrong(net, bits, k)
        for key in KEYS:
            entry = f"{call}[{key!r}] with net.sizes={net.sizes}"
            value = got[key]
            _t07.expect_no_mistake(value, expected[key], _wrong_at(wrong, key), MISTAKES, entry)
            if _t07.is_float(value):
                checks.fail(f"{entry} is a float; {MISTAKES['floats']}")
            checks.expect_equal_int(value, expected[key], entry)
    checks.passed()
