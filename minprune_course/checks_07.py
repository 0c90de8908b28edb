"""Checks for the exercises of lesson 07, storage and speed.

Each check draws fresh random inputs (a new seed on every call, so a hard-coded
answer fails), computes the reference with ``minprune`` first, calls the
learner's function on copies of the inputs and raises ``AssertionError`` with a
hint that names the mistake, never the expected numbers::

    checks_07.check_matrix_bytes(matrix_bytes)               # the visible check
    checks_07.check_matrix_bytes(matrix_bytes, hidden=True)  # the longer battery

With ``hidden=True`` a check runs more cases: other value and index widths,
matrices with no zeros or no nonzeros, sizes that are not a multiple of 8, a
single row or column, float32 inputs, all-positive and all-negative weights,
cluster counts that are not powers of two.

While the learner's function runs, minprune's own byte counts and quantizers
raise an ``AssertionError``: the exercises ask for NumPy code, and an answer that
only calls the reference would pass any comparison with it.
"""

import math

import numpy as np

import minprune as mp
from minprune import quantization, storage

from . import checks

__all__ = [
    "check_matrix_bytes",
    "check_break_even",
    "check_quantize_uint8",
    "check_dequantize_uint8",
    "check_compression_bytes",
]

_absolute = np.absolute
_asarray = np.asarray
_float32 = np.float32
_float64 = np.float64
_uint8 = np.uint8
_ndarray = np.ndarray
_count_nonzero = np.count_nonzero
_floor = np.floor
_zeros = np.zeros
_isinstance = isinstance
_dict = dict

FORMATS = ("dense", "bitmask", "coo", "csr")
KEYS = ("dense", "csr", "csr_quantized", "csr_kmeans")


# ------------------------------------------------------------ own work only
_BLOCKED = (  # the hint when the learner's code calls minprune's own answer
    "this exercise asks for your own NumPy code: minprune's byte counts and quantizers "
    "are what the check compares your answer with, so they are switched off while it runs"
)


def _reference_functions():
    """minprune's functions that answer these exercises by themselves."""
    return [
        storage.storage_bytes,
        storage.break_even_sparsity,
        storage._matrix_bytes,
        storage._network_bytes,
        storage._nbytes,
        storage._bits,
        quantization.quantize,
        quantization.dequantize,
        quantization.quantize_network,
        quantization.compression_report,
    ]


def _call(fn, *args, what):
    """``checks.call`` with minprune's reference functions switched off."""
    return checks.call(fn, *args, what=what, without=_reference_functions(), hint=_BLOCKED)


# ----------------------------------------------------------------- inputs
def _pruned(rng, shape, sparsity=None, dtype=_float64):
    """A random matrix with about a ``sparsity`` fraction of zeros (random when None)."""
    if sparsity is None:
        sparsity = float(rng.uniform(0.2, 0.95))
    W = rng.normal(scale=float(rng.uniform(0.05, 2.0)), size=shape)
    W[rng.random(shape) < sparsity] = 0.0
    return W.astype(dtype)


def _shape(rng, low=2, high=13):
    return tuple(int(n) for n in rng.integers(low, high, size=2))


def _describe(W):
    return f"W of shape {W.shape} with {int(_count_nonzero(W))} nonzeros"


# ------------------------------------------------------------ 1. byte counts
def _visible_bytes_matrix(rng):
    """The visible matrix: every usual mistake shows, and each gets a count of its own.

    Its size is not a multiple of 8 (the bitmask must round up), it holds a zero (dense
    storage keeps it) and a negative nonzero (``W > 0`` must miss it), and no two
    mistakes give one count in any format, so the hint can name the mistake.
    """
    for _ in range(1000):
        W = _pruned(rng, _shape(rng))
        if W.size % 8 == 0 or not (W == 0).any() or not (W < 0).any():
            continue
        if all(_unambiguous_bytes(W, fmt, 4, 4) for fmt in FORMATS):
            break
    return W


def _bytes_cases(rng, hidden):
    """``(W, format, value_bytes, index_bytes)``; the visible case covers every format."""
    W = _visible_bytes_matrix(rng)
    cases = [(W, fmt, 4, 4) for fmt in FORMATS]
    if hidden:
        for v, i in [(1, 2), (2, 2), (8, 8), (1, 4), (4, 2)]:
            W = _pruned(rng, _shape(rng, 1, 20))
            cases += [(W, fmt, v, i) for fmt in FORMATS]
        cases += [
            (_zeros(_shape(rng)), "csr", 4, 4),
            (_zeros(_shape(rng)), "bitmask", 4, 4),
            (_pruned(rng, _shape(rng), 0.0), "coo", 4, 4),
            (_pruned(rng, (1, int(rng.integers(3, 30)))), "csr", 4, 4),
            (_pruned(rng, (int(rng.integers(3, 30)), 1)), "csr", 2, 2),
            (_pruned(rng, (3, 3), 0.5, dtype=_float32), "bitmask", 4, 4),
            (-_absolute(_pruned(rng, _shape(rng))), "coo", 4, 4),
        ]
    return cases


def _bytes_mistakes(W, fmt, v, i):
    """``(count, hint)`` for each usual mistake in counting the bytes of ``W`` in ``fmt``."""
    rows, cols = W.shape
    n = W.size
    nnz = int(_count_nonzero(W))
    positive = int((W > 0).sum())
    out = []
    if nnz != positive:
        out.append(
            (
                storage._matrix_bytes(W.shape, positive, fmt, 8 * v, 8 * i),
                "count every nonzero weight, the negative ones too (W != 0, not W > 0)",
            )
        )
    if fmt == "dense":
        out.append((nnz * v, "dense storage keeps every entry, zeros included"))
    if fmt == "bitmask":
        if n % 8:
            rounding = "one bit per entry, rounded up to whole bytes (ceil(n / 8))"
            out += [(nnz * v + n // 8, rounding), (nnz * v + n / 8, rounding)]
        out.append((nnz * v + n, "the mask takes one bit per entry, not one byte"))
        out.append((n * v + math.ceil(n / 8), "the bitmask stores only the nonzero values"))
    if fmt == "coo":
        out.append((nnz * (v + i), "COO stores two indices (row and column) per nonzero"))
    if fmt == "csr":
        out.append((nnz * (v + i), "CSR also stores the row pointers"))
        out.append(
            (
                nnz * (v + i) + rows * i,
                "CSR has rows + 1 row pointers (the last one marks the end)",
            )
        )
        if cols != rows:
            out.append(
                (
                    nnz * (v + i) + (cols + 1) * i,
                    "there is one row pointer per row of W (W.shape[0]), plus one",
                )
            )
        out.append(
            (
                nnz * (v + 2 * i),
                "this is COO; CSR stores one column index per nonzero and row pointers",
            )
        )
    return out


def _unambiguous_bytes(W, fmt, v, i):
    """True when no count other than the right one is given by two different mistakes."""
    expected = storage._matrix_bytes(W.shape, int(_count_nonzero(W)), fmt, 8 * v, 8 * i)
    hints = {}
    for count, hint in _bytes_mistakes(W, fmt, v, i):
        if count != expected:
            hints.setdefault(count, set()).add(hint)
    return all(len(h) == 1 for h in hints.values())


def _bytes_hint(W, fmt, v, i, got, what):
    """The hint for the one usual mistake that gives the count ``got``, or None.

    When two mistakes give the same count, naming either could send the learner after
    the wrong one: then no mistake is named.
    """
    hints = {hint for count, hint in _bytes_mistakes(W, fmt, v, i) if count == got}
    return f"{what}: {hints.pop()}" if len(hints) == 1 else None


def check_matrix_bytes(matrix_bytes, hidden=False):
    """Check ``matrix_bytes(W, format, value_bytes, index_bytes)`` against ``storage_bytes``."""
    checks.expect_callable(matrix_bytes, "matrix_bytes")
    rng = checks.rng()
    for W, fmt, v, i in _bytes_cases(rng, hidden):
        expected = mp.storage_bytes(W, fmt, value_dtype=8 * v, index_dtype=8 * i)
        what = f"matrix_bytes(W, {fmt!r}, value_bytes={v}, index_bytes={i}) with {_describe(W)}"
        answer = _call(matrix_bytes, W, fmt, v, i, what=what)
        if _isinstance(answer, float | _float64 | _float32) and float(answer).is_integer():
            raise AssertionError(f"{what} returned a float; return a whole number of bytes (int)")
        got = checks.expect_int(answer, what=what)
        if got != expected:
            hint = _bytes_hint(W, fmt, v, i, got, what)
            if hint:
                raise AssertionError(hint)
        checks.expect_equal_int(got, expected, what=what)
    checks.passed("matrix_bytes")


# -------------------------------------------------------------- 2. break-even
def _break_even_cases(rng, hidden):
    """``(format, shape, value_bytes, index_bytes)``."""
    shape = _shape(rng, 5, 300)
    while shape[0] * shape[1] % 8 == 0:  # the bitmask must round up
        shape = _shape(rng, 5, 300)
    cases = [(fmt, shape, 4, 4) for fmt in FORMATS]
    if hidden:
        for v, i in [(1, 4), (2, 2), (1, 2), (8, 8), (4, 2)]:
            shape = _shape(rng, 1, 200)
            cases += [(fmt, shape, v, i) for fmt in FORMATS]
        cases += [
            ("csr", (int(rng.integers(500, 2000)), 1), 1, 4),  # CSR never wins: 1.0
            ("bitmask", (1, 1), 1, 4),  # the mask byte alone equals dense: 1.0
            ("bitmask", (3, 5), 4, 4),  # 15 bits round up to 2 bytes
            ("coo", (1, 1), 4, 4),
            ("csr", (1, int(rng.integers(100, 1000))), 4, 4),
        ]
    return cases


def check_break_even(break_even, hidden=False):
    """Check ``break_even(format, shape, value_bytes, index_bytes)`` against ``break_even_sparsity``."""
    checks.expect_callable(break_even, "break_even")
    rng = checks.rng()
    for fmt, shape, v, i in _break_even_cases(rng, hidden):
        expected = mp.break_even_sparsity(fmt, shape, 8 * v, 8 * i)
        what = f"break_even({fmt!r}, {shape}, value_bytes={v}, index_bytes={i})"
        answer = _call(break_even, fmt, shape, v, i, what=what)
        got = checks.expect_float(answer, what=what)
        if got != got:
            raise AssertionError(f"{what} returned NaN")
        if not 0.0 <= got <= 1.0:
            raise AssertionError(
                f"{what} returned {got:.4g}; a sparsity lies in [0, 1]: clip the formula, "
                "1.0 when the format never beats dense"
            )
        if abs(got - expected) > 1e-9 + 1e-9 * abs(expected):
            rows, cols = shape
            n = rows * cols
            per, fixed = {
                "bitmask": (v, math.ceil(n / 8)),
                "coo": (v + 2 * i, 0),
                "csr": (v + i, (rows + 1) * i),
                "dense": (v, 0),
            }[fmt]
            if fmt == "dense":
                raise AssertionError(f"{what}: dense never loses to itself; its break-even is 0.0")
            no_fixed = 1 - v / per
            if fixed and abs(got - no_fixed) < 1e-9:
                raise AssertionError(
                    f"{what}: count the format's fixed bytes too (mask or row pointers)"
                )
            if fmt == "bitmask" and abs(got - min(1.0, 1 - (n * v - n / 8) / (n * v))) < 1e-9:
                raise AssertionError(f"{what}: the mask takes ceil(n / 8) whole bytes")
            if (
                fmt == "csr"
                and abs(got - min(1.0, max(0.0, 1 - (n * v - rows * i) / (n * per)))) < 1e-9
            ):
                raise AssertionError(f"{what}: CSR has rows + 1 row pointers")
            if (
                fmt == "csr"
                and abs(got - min(1.0, max(0.0, 1 - (n * v - (cols + 1) * i) / (n * per)))) < 1e-9
            ):
                raise AssertionError(f"{what}: one row pointer per row (shape[0]), plus one")
            if abs(got - (1 - expected)) < 1e-9:
                raise AssertionError(
                    f"{what}: this looks like the density (fraction kept); return the sparsity"
                )
        checks.expect_close(got, expected, what=what, rtol=1e-9, atol=1e-9)
    checks.passed("break_even")


# ------------------------------------------------------------ 3. quantize
def _quant_cases(rng, hidden):
    """Weight arrays to quantize."""
    cases = [_pruned(rng, _shape(rng, 4, 20), 0.5)]
    if hidden:
        cases += [
            _pruned(rng, _shape(rng, 4, 20), 0.5, dtype=_float32),
            _absolute(_pruned(rng, _shape(rng))),  # all >= 0: zero point 0
            -_absolute(_pruned(rng, _shape(rng))),  # all <= 0: zero point 255
            _zeros(_shape(rng)),  # scale 1
            _pruned(rng, (int(rng.integers(3, 40)),), 0.3),
            _pruned(rng, (2, 3, 4), 0.4),
            np.concatenate([_pruned(rng, (30,), 0.2), [float(rng.uniform(20, 50))]]),
            rng.normal(size=_shape(rng)) * 1e-4 + 3.0,  # far from 0: the range still holds 0
        ]
    return cases


def _codes_agree(q, ref_q, x):
    """True where the codes match, or where ``x`` (W / scale + zero point) is a rounding tie."""
    frac = _absolute(x - _floor(x) - 0.5)
    return (q == ref_q) | ((frac < 1e-6) & (_absolute(q - ref_q) <= 1))


def _unpack3(out, what):
    if not _isinstance(out, tuple | list) or len(out) != 3:
        kind = type(out).__name__
        n = f" of length {len(out)}" if _isinstance(out, tuple | list) else ""
        raise AssertionError(
            f"{what} returned a {kind}{n}; expected a tuple (q, scale, zero_point)"
        )
    return out


def check_quantize_uint8(quantize_uint8, hidden=False):
    """Check ``quantize_uint8(W)`` against ``quantize(W, 8, 'affine')``."""
    checks.expect_callable(quantize_uint8, "quantize_uint8")
    rng = checks.rng()
    for W in _quant_cases(rng, hidden):
        ref = mp.quantize(W, 8, "affine")
        what = f"quantize_uint8(W) with W of shape {W.shape}, dtype {W.dtype}"
        q_raw, scale_raw, zp_raw = _unpack3(_call(quantize_uint8, W, what=what), what)
        if not _isinstance(q_raw, _ndarray):
            raise AssertionError(f"the q of {what} is a {type(q_raw).__name__}; expected an array")
        if q_raw.dtype != _uint8:
            raise AssertionError(
                f"the q of {what} has dtype {q_raw.dtype}; store the codes as uint8 (one byte each)"
            )
        q = checks.expect_array(q_raw, shape=W.shape, what=f"the q of {what}", dtype=int)
        scale = checks.expect_float(scale_raw, what=f"the scale of {what}")
        zero_point = checks.expect_int(zp_raw, what=f"the zero_point of {what}")
        x64 = W.astype(_float64)
        if W.size and (x64.min() > 0 or x64.max() < 0):
            lo, hi = float(x64.min()), float(x64.max())
            if hi > lo and abs(scale - (hi - lo) / 255) <= 1e-6 * (hi - lo) / 255:
                raise AssertionError(
                    f"{what}: the range must include 0.0 (lo = min(W.min(), 0), hi = max(W.max(), 0)), "
                    "so that a pruned weight stays exactly 0"
                )
        if not abs(scale - ref.scale) <= 1e-6 * ref.scale:
            if abs(scale - ref.scale * 255 / 256) <= 1e-6 * ref.scale:
                raise AssertionError(
                    f"the scale of {what}: 256 codes span 255 steps; divide by 255"
                )
            raise AssertionError(
                f"the scale of {what} is wrong: (hi - lo) / 255, or 1.0 when hi == lo"
            )
        if zero_point != ref.zero_point:
            raise AssertionError(
                f"the zero_point of {what} is {zero_point}, which is not the code of 0.0: "
                "round(-lo / scale)"
            )
        x = x64 / ref.scale + ref.zero_point
        ok = _codes_agree(q, ref.q.astype(np.int64), x)
        if not ok.all():
            zeros = x64 == 0
            if zeros.any() and (q[zeros] != zero_point).any():
                raise AssertionError(f"{what}: a weight equal to 0.0 must get the code zero_point")
            floored = np.clip(_floor(x), 0, 255)
            if (q == floored).all():
                raise AssertionError(f"{what}: round to the nearest code; astype truncates")
            raise AssertionError(_mismatch_codes(what, int((~ok).sum()), W.size))
    checks.passed("quantize_uint8")


def _mismatch_codes(what, bad, size):
    return (
        f"{what}: codes differ at {bad} of {size} entries "
        "(q = clip(round(W / scale) + zero_point, 0, 255))"
    )


# ------------------------------------------------------------ 4. dequantize
def _dequant_cases(rng, hidden):
    """``(q, scale, zero_point)`` triples; the visible one has codes on both sides of zero_point."""
    shape = _shape(rng, 4, 20)
    cases = [
        (
            rng.integers(0, 256, size=shape).astype(_uint8),
            float(rng.uniform(1e-3, 0.1)),
            int(rng.integers(60, 200)),
        )
    ]
    if hidden:
        cases += [
            (rng.integers(0, 256, size=(int(rng.integers(3, 40)),)).astype(_uint8), 0.02, 0),
            (rng.integers(0, 256, size=shape).astype(_uint8), 0.5, 255),
            (
                rng.integers(0, 256, size=(2, 3, 4)).astype(_uint8),
                float(rng.uniform(1e-5, 1e-3)),
                int(rng.integers(1, 255)),
            ),
            (_zeros(shape, dtype=_uint8) + 128, 1.0, 128),
        ]
    return cases


def check_dequantize_uint8(dequantize_uint8, hidden=False):
    """Check ``dequantize_uint8(q, scale, zero_point)`` against ``dequantize``."""
    checks.expect_callable(dequantize_uint8, "dequantize_uint8")
    rng = checks.rng()
    for q, scale, zero_point in _dequant_cases(rng, hidden):
        qt = quantization.QuantizedTensor(q, scale, zero_point, 8, "affine", np.dtype(_float32))
        expected = mp.dequantize(qt).astype(_float64)
        what = (
            f"dequantize_uint8(q, scale={scale:.3g}, zero_point={zero_point}) with q of shape "
            f"{q.shape}"
        )
        answer = _call(dequantize_uint8, q, scale, zero_point, what=what)
        try:
            kind = _asarray(answer).dtype.kind if answer is not None else None
        except Exception:  # expect_array below says what is wrong
            kind = None
        if kind in ("i", "u"):
            raise AssertionError(f"{what} returned integers; return the real values (floats)")
        got = checks.expect_array(answer, shape=q.shape, what=what)
        if (got[q == zero_point] != 0.0).any():
            raise AssertionError(f"{what}: the code zero_point must give exactly 0.0")
        wrapped = scale * (q - np.uint8(zero_point)).astype(_float64)
        below = q < zero_point
        if below.any() and (_absolute(got - wrapped) <= 1e-6 * _absolute(wrapped) + 1e-12).all():
            raise AssertionError(
                f"{what}: uint8 arithmetic wraps around (q - zero_point is never negative in "
                "uint8); convert q to a signed or float type before subtracting"
            )
        if (_absolute(got + expected) <= 1e-6 * _absolute(expected) + 1e-12).all() and (
            expected != 0
        ).any():
            raise AssertionError(f"{what}: the sign is flipped; w = scale * (q - zero_point)")
        checks.expect_close(got, expected, what=what, rtol=1e-6, atol=1e-9 * scale)
    checks.passed("dequantize_uint8")


# ------------------------------------------------------- 5. compression report
def _net(rng, sizes, sparsity):
    """A random network whose layers (output included) are pruned to about ``sparsity``."""
    net = mp.Network(list(sizes), rng=rng)
    for layer in net.layers:
        keep = rng.random(layer.W.shape) >= sparsity
        keep.flat[int(rng.integers(keep.size))] = True  # at least one nonzero per layer
        layer.apply_mask(keep.astype(layer.W.dtype))
    return net


def _visible_report_case(rng, sizes):
    """``(net, 8, 32)``: a net on which every usual mistake shows, with a count of its own.

    Row pointers counted on the input side change the count only when the first and
    the last sizes differ; 6-bit indices only when some layer has enough nonzeros.
    (With 8 bits and 32 clusters, padding all layers at once and log2(32) bits are
    right anyway.)
    """
    wanted = {
        hint
        for kwargs, hint in _report_variants(32)
        if "per_layer_pad" not in kwargs and kwargs.get("index_bits") != 5
    }
    for _ in range(1000):
        net = _net(rng, sizes(2), float(rng.uniform(0.5, 0.9)))
        shown = {hint for key in KEYS for _, hint in _report_mistakes(net, 8, 32, key)}
        if not wanted <= shown:
            continue
        if all(_unambiguous_report(net, 8, 32, key) for key in KEYS):
            break
    return net, 8, 32


def _report_cases(rng, hidden):
    """``(net, bits, n_clusters)``."""

    def sizes(n_layers):
        return [int(s) for s in rng.integers(2, 40, size=n_layers + 1)]

    cases = [_visible_report_case(rng, sizes)]
    if hidden:
        cases += [
            (_net(rng, sizes(3), float(rng.uniform(0.3, 0.95))), 4, 16),
            (_net(rng, sizes(2), 0.7), 5, 20),  # 20 clusters: 5-bit indices
            (_net(rng, sizes(1), 0.0), 8, 256),
            (_net(rng, [int(rng.integers(30, 60)), 7, 3], 0.9), 3, 2),
            (_net(rng, sizes(2), 0.5), 6, 100),
        ]
    return cases


def _variant(
    net,
    bits,
    k,
    *,
    bias=True,
    qparams=True,
    codebook=True,
    pointers="out",
    per_layer_pad=True,
    index_bits=None,
):
    """Reports with one usual mistake, for hints (each function of the layer loop)."""
    out = _dict.fromkeys(KEYS, 0)
    ib = (k - 1).bit_length() if index_bits is None else index_bits
    value_bits = {"dense": 32, "csr": 32, "csr_quantized": bits, "csr_kmeans": ib}
    for layer in net.layers:
        n_in, n_out = layer.W.shape
        nnz = int(_count_nonzero(layer.W))
        rows = n_out if pointers == "out" else n_in
        b = 4 * layer.b.size if bias else 0
        out["dense"] += 4 * layer.W.size + b
        for key in ("csr", "csr_quantized", "csr_kmeans"):
            vb = value_bits[key]
            values = math.ceil(nnz * vb / 8) if per_layer_pad else nnz * vb / 8
            out[key] += values + 4 * nnz + 4 * (rows + 1) + b
        out["csr_quantized"] += 8 if qparams else 0
        out["csr_kmeans"] += 4 * k if codebook else 0
    if not per_layer_pad:
        for key in ("csr_quantized", "csr_kmeans"):
            out[key] = math.ceil(out[key])
    return out


def _report_variants(k):
    """``(kwargs of _variant, hint)`` for each usual mistake in the report."""
    return [
        (dict(bias=False), "add each layer's biases, stored dense at 4 bytes each"),
        (
            dict(pointers="in"),
            "each W.T is stored: one row per output neuron, n_out + 1 row pointers",
        ),
        (dict(qparams=False), "add 8 bytes per layer for the scale and the zero point"),
        (dict(codebook=False), "add each layer's codebook: n_clusters float32 values"),
        (dict(per_layer_pad=False), "pad each layer's values to whole bytes, layer by layer"),
        (dict(index_bits=math.log2(k)), "the index takes ceil(log2(n_clusters)) whole bits"),
        (dict(index_bits=k.bit_length()), "the index takes ceil(log2(n_clusters)) bits: 5 for 32"),
    ]


def _report_mistakes(net, bits, k, key):
    """``(count, hint)`` for each usual mistake that changes entry ``key`` of the report."""
    right = _variant(net, bits, k)[key]
    out = []
    for kwargs, hint in _report_variants(k):
        count = _variant(net, bits, k, **kwargs)[key]
        if count != right:
            out.append((count, hint))
    return out


def _unambiguous_report(net, bits, k, key):
    """True when no two mistakes give the same wrong count for entry ``key``."""
    counts = [count for count, _ in _report_mistakes(net, bits, k, key)]
    return len(set(counts)) == len(counts)


def _report_hint(net, bits, k, key, got, what):
    """The hint for the one usual mistake that gives ``got`` for entry ``key``, or None.

    When two mistakes give the same count, neither is named.
    """
    hints = {hint for count, hint in _report_mistakes(net, bits, k, key) if count == got}
    return f"{what}[{key!r}]: {hints.pop()}" if len(hints) == 1 else None


def check_compression_bytes(compression_bytes, hidden=False):
    """Check ``compression_bytes(net, bits, n_clusters)`` against ``compression_report``."""
    checks.expect_callable(compression_bytes, "compression_bytes")
    rng = checks.rng()
    for net, bits, k in _report_cases(rng, hidden):
        expected = mp.compression_report(net, bits=bits, n_clusters=k)
        what = f"compression_bytes(net, bits={bits}, n_clusters={k}) with net.sizes={net.sizes}"
        answer = _call(compression_bytes, net, bits, k, what=what)
        if not _isinstance(answer, _dict):
            raise AssertionError(f"{what} returned a {type(answer).__name__}; expected a dict")
        missing = [key for key in KEYS if key not in answer]
        if missing:
            raise AssertionError(f"{what} has no key {missing[0]!r}; expected the keys {KEYS}")
        for key in KEYS:
            value = answer[key]
            if _isinstance(value, float | _float64) and float(value).is_integer():
                raise AssertionError(
                    f"{what}[{key!r}] is a float; return a whole number of bytes (int)"
                )
            got = checks.expect_int(value, what=f"{what}[{key!r}]")
            if got != expected[key]:
                hint = _report_hint(net, bits, k, key, got, what)
                if hint:
                    raise AssertionError(hint)
            checks.expect_equal_int(got, expected[key], what=f"{what}[{key!r}]")
    checks.passed("compression_bytes")
