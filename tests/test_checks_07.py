"""Checks of exercises 07 (storage and speed): mistakes get their hints, not the answer."""

import math

import numpy as np
import pytest
from topic_checks import (
    EqualInt,
    assert_hidden,
    hint,
    liar_test,
    master,
    perturbed,
    pin_rng,
    run,
    wrong_answer_test,
)

import minprune as mp
from minprune_course import checks_07 as c

M = master("07")
OWN_WORK = "switched off while it runs"


# ------------------------------------------------------------ byte counts
def bytes_positive_only(W, format, value_bytes=4, index_bytes=4):
    if format == "dense":
        return W.size * value_bytes
    return M.matrix_bytes(np.where(W > 0, W, 0), format, value_bytes, index_bytes)


def bytes_mask_floor(W, format, value_bytes=4, index_bytes=4):
    if format == "bitmask":
        return int(np.count_nonzero(W)) * value_bytes + W.size // 8
    return M.matrix_bytes(W, format, value_bytes, index_bytes)


def bytes_mask_bytes(W, format, value_bytes=4, index_bytes=4):
    if format == "bitmask":
        return int(np.count_nonzero(W)) * value_bytes + W.size
    return M.matrix_bytes(W, format, value_bytes, index_bytes)


def bytes_rows_pointers(W, format, value_bytes=4, index_bytes=4):
    out = M.matrix_bytes(W, format, value_bytes, index_bytes)
    return out - index_bytes if format == "csr" else out


def bytes_no_pointers(W, format, value_bytes=4, index_bytes=4):
    if format == "csr":
        return int(np.count_nonzero(W)) * (value_bytes + index_bytes)
    return M.matrix_bytes(W, format, value_bytes, index_bytes)


def bytes_coo_one_index(W, format, value_bytes=4, index_bytes=4):
    if format == "coo":
        return int(np.count_nonzero(W)) * (value_bytes + index_bytes)
    return M.matrix_bytes(W, format, value_bytes, index_bytes)


def bytes_dense_nonzeros(W, format, value_bytes=4, index_bytes=4):
    if format == "dense":
        return int(np.count_nonzero(W)) * value_bytes
    return M.matrix_bytes(W, format, value_bytes, index_bytes)


def bytes_float(W, format, value_bytes=4, index_bytes=4):
    return float(M.matrix_bytes(W, format, value_bytes, index_bytes))


# ------------------------------------------------------------- break-even
def _break_even(format, shape, value_bytes, index_bytes, clip=True, fixed=True, mask=None):
    rows, cols = shape
    n = rows * cols
    if format == "dense":
        return 0.0
    per, extra = {
        "bitmask": (value_bytes, math.ceil(n / 8) if mask is None else mask(n)),
        "coo": (value_bytes + 2 * index_bytes, 0),
        "csr": (value_bytes + index_bytes, (rows + 1) * index_bytes),
    }[format]
    s = 1 - (n * value_bytes - (extra if fixed else 0)) / (n * per)
    return min(max(s, 0.0), 1.0) if clip else s


def even_unclipped(format, shape, value_bytes=4, index_bytes=4):
    return _break_even(format, shape, value_bytes, index_bytes, clip=False)


def even_no_fixed(format, shape, value_bytes=4, index_bytes=4):
    return _break_even(format, shape, value_bytes, index_bytes, fixed=False)


def even_mask_fraction(format, shape, value_bytes=4, index_bytes=4):
    return _break_even(format, shape, value_bytes, index_bytes, mask=lambda n: n / 8)


def even_density(format, shape, value_bytes=4, index_bytes=4):
    if format == "dense":
        return 0.0
    return 1.0 - M.break_even(format, shape, value_bytes, index_bytes)


# ------------------------------------------------------------- quantize
def q_range_without_zero(W):
    x = np.asarray(W, dtype=np.float64)
    lo, hi = float(x.min()), float(x.max())
    scale = (hi - lo) / 255 if hi > lo else 1.0
    zero_point = int(round(-lo / scale))
    return np.clip(np.round(x / scale) + zero_point, 0, 255).astype(np.uint8), scale, zero_point


def q_truncated(W):
    q, scale, zero_point = M.quantize_uint8(W)
    x = np.asarray(W, dtype=np.float64)
    return np.clip(x / scale + zero_point, 0, 255).astype(np.uint8), scale, zero_point


def q_int64(W):
    q, scale, zero_point = M.quantize_uint8(W)
    return q.astype(np.int64), scale, zero_point


def q_256_steps(W):
    x = np.asarray(W, dtype=np.float64)
    lo, hi = min(float(x.min()), 0.0), max(float(x.max()), 0.0)
    scale = (hi - lo) / 256 if hi > lo else 1.0
    zero_point = int(round(-lo / scale))
    return np.clip(np.round(x / scale) + zero_point, 0, 255).astype(np.uint8), scale, zero_point


def q_zero_point_float(W):
    q, scale, zero_point = M.quantize_uint8(W)
    return q, scale, float(zero_point)


def q_two(W):
    return M.quantize_uint8(W)[:2]


# ------------------------------------------------------------ dequantize
def dq_wraps(q, scale, zero_point):
    return scale * (q - np.uint8(zero_point)).astype(np.float64)


def dq_integers(q, scale, zero_point):
    return q.astype(np.int64) - zero_point


def dq_flipped(q, scale, zero_point):
    return scale * (zero_point - q.astype(np.float64))


def dq_no_scale(q, scale, zero_point):
    return q.astype(np.float64) - zero_point


# ------------------------------------------------------------- report
def _report_with(*, pointers=None, qparams=8, codebook=True, bias=True, index_bits=None):
    def report(net, bits=8, n_clusters=32):
        out = dict.fromkeys(["dense", "csr", "csr_quantized", "csr_kmeans"], 0)
        ib = math.ceil(math.log2(n_clusters)) if index_bits is None else index_bits(n_clusters)
        for layer in net.layers:
            n_in, n_out = layer.W.shape
            nnz = int(np.count_nonzero(layer.W))
            b = 4 * layer.b.size if bias else 0
            rows = n_out if pointers is None else n_in
            idx = 4 * nnz + 4 * (rows + 1)
            out["dense"] += 4 * layer.W.size + b
            out["csr"] += 4 * nnz + idx + b
            out["csr_quantized"] += math.ceil(nnz * bits / 8) + idx + b + qparams
            out["csr_kmeans"] += (
                math.ceil(nnz * ib / 8) + idx + b + (4 * n_clusters if codebook else 0)
            )
        return out

    report.__name__ = "report_" + "_".join(
        name
        for name, on in [
            ("input_pointers", pointers), ("no_qparams", not qparams),
            ("no_codebook", not codebook), ("no_bias", not bias), ("bit_length", index_bits),
        ]
        if on
    )  # fmt: skip
    return report


report_input_pointers = _report_with(pointers="in")
report_no_qparams = _report_with(qparams=0)
report_no_codebook = _report_with(codebook=False)
report_no_bias = _report_with(bias=False)
report_bit_length = _report_with(index_bits=lambda k: k.bit_length())


def report_list(net, bits=8, n_clusters=32):
    return list(M.compression_bytes(net, bits, n_clusters).values())


def report_floats(net, bits=8, n_clusters=32):
    return {k: float(v) for k, v in M.compression_bytes(net, bits, n_clusters).items()}


# the visible draws give each mistake a byte count of its own, so each gets its own hint
# (where two mistakes give one count, the check names neither: see the tests at the end)
WRONG = [
    (c.check_matrix_bytes, bytes_positive_only, False, "the negative ones too (W != 0, not W > 0)"),
    (c.check_matrix_bytes, bytes_mask_floor, False, "rounded up to whole bytes (ceil(n / 8))"),
    (c.check_matrix_bytes, bytes_mask_bytes, False, "one bit per entry, not one byte"),
    (c.check_matrix_bytes, bytes_rows_pointers, False, "CSR has rows + 1 row pointers"),
    (c.check_matrix_bytes, bytes_no_pointers, False, "CSR also stores the row pointers"),
    (c.check_matrix_bytes, bytes_coo_one_index, False, "COO stores two indices"),
    (c.check_matrix_bytes, bytes_dense_nonzeros, False, "dense storage keeps every entry"),
    (c.check_matrix_bytes, bytes_float, False, "returned a float; return a whole number"),
    (c.check_break_even, even_unclipped, True, "a sparsity lies in [0, 1]: clip the formula"),
    (c.check_break_even, even_no_fixed, False, "count the format's fixed bytes too"),
    (c.check_break_even, even_mask_fraction, False, "the mask takes ceil(n / 8) whole bytes"),
    (c.check_break_even, even_density, False, "this looks like the density"),
    (c.check_quantize_uint8, q_range_without_zero, True, "the range must include 0.0"),
    (c.check_quantize_uint8, q_truncated, False, "round to the nearest code; astype truncates"),
    (c.check_quantize_uint8, q_int64, False, "store the codes as uint8"),
    (c.check_quantize_uint8, q_256_steps, False, "256 codes span 255 steps; divide by 255"),
    (c.check_quantize_uint8, q_zero_point_float, False, "returned a float; expected an int"),
    (c.check_quantize_uint8, q_two, False, "expected a tuple (q, scale, zero_point)"),
    (c.check_dequantize_uint8, dq_wraps, False, "uint8 arithmetic wraps around"),
    (c.check_dequantize_uint8, dq_integers, False, "returned integers; return the real values"),
    (c.check_dequantize_uint8, dq_flipped, False, "the sign is flipped"),
    (c.check_dequantize_uint8, dq_no_scale, False, "values differ at"),
    (c.check_compression_bytes, report_input_pointers, False, "n_out + 1 row pointers"),
    (c.check_compression_bytes, report_no_qparams, False, "add 8 bytes per layer for the scale"),
    (c.check_compression_bytes, report_no_codebook, False, "add each layer's codebook"),
    (c.check_compression_bytes, report_no_bias, False, "add each layer's biases"),
    (c.check_compression_bytes, report_bit_length, False, "ceil(log2(n_clusters)) bits: 5"),
    (c.check_compression_bytes, report_list, False, "returned a list; expected a dict"),
    (c.check_compression_bytes, report_floats, False, "is a float; return a whole number"),
]


test_a_wrong_answer_gets_its_hint = wrong_answer_test(WRONG)


test_wrong_numbers_that_claim_equality_fail = liar_test(
    [
        (c.check_matrix_bytes, M.matrix_bytes),
        (c.check_break_even, M.break_even),
        (c.check_quantize_uint8, M.quantize_uint8),
        (c.check_dequantize_uint8, M.dequantize_uint8),
        (c.check_compression_bytes, M.compression_bytes),
    ],
    hidden=True,
)


def test_a_byte_count_that_equals_anything_fails():
    """An int subclass that claims equality is not a byte count."""
    with pytest.raises(AssertionError, match=hint("returned a EqualInt; expected an int")):
        run(c.check_matrix_bytes, lambda W, f, v=4, i=4: EqualInt(M.matrix_bytes(W, f, v, i)))


def _quantize(W):
    t = mp.quantize(W, 8, "affine")
    return t.q, t.scale, t.zero_point


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (c.check_matrix_bytes, lambda W, f, v=4, i=4: mp.storage_bytes(W, f, 8 * v, 8 * i)),
        (c.check_break_even, lambda f, s, v=4, i=4: mp.break_even_sparsity(f, s, 8 * v, 8 * i)),
        (c.check_quantize_uint8, _quantize),
        (c.check_compression_bytes, lambda net, b=8, k=32: mp.compression_report(net, b, k)),
    ],
    ids=["bytes", "break_even", "quantize", "report"],
)
def test_calling_minprune_is_switched_off(check, answer):
    """An answer that calls minprune's byte counts or quantizers fails and is told why."""
    with pytest.raises(AssertionError, match=OWN_WORK):
        run(check, answer)


def test_a_wrong_count_does_not_show_the_right_one():
    """A byte count one off fails with the answer's number and never the expected one."""
    wrong = perturbed(M.matrix_bytes, lambda n: n + 1)
    with pytest.raises(AssertionError) as info:
        run(c.check_matrix_bytes, wrong)
    expected = wrong.expected[-1]
    assert f"returned {expected + 1}," in str(info.value)
    assert f"returned {expected}," not in str(info.value)


def test_a_wrong_dequantization_does_not_show_the_right_values():
    """Slightly wrong real values fail without the hint giving the expected array."""
    wrong = perturbed(M.dequantize_uint8, lambda w: w * 1.001)
    with pytest.raises(AssertionError, match="values differ at") as info:
        run(c.check_dequantize_uint8, wrong)
    (_, scale, zero_point), _ = wrong.calls[-1]
    described = (f"scale={scale:.3g}", f"zero_point={zero_point}")
    assert_hidden(str(info.value), wrong.expected[-1], inputs=described)


SEEDS = range(200)  # include draws that once passed these mistakes: 0, 7 and 54
VISIBLE = [w for w in WRONG if not w[2]]


@pytest.mark.parametrize(
    ("check", "answer", "text"),
    [pytest.param(*w[:2], w[3], id=f"{w[0].__name__}-{w[1].__name__}") for w in VISIBLE],
)
def test_the_visible_draw_shows_the_usual_mistakes(check, answer, text, monkeypatch):
    """The visible check alone fails each usual mistake with its own hint, whatever it draws."""
    for seed in SEEDS:
        pin_rng(monkeypatch, seed)
        with pytest.raises(AssertionError, match=hint(text)):
            run(check, answer)


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (c.check_matrix_bytes, M.matrix_bytes),
        (c.check_break_even, M.break_even),
        (c.check_compression_bytes, M.compression_bytes),
    ],
    ids=["bytes", "break_even", "report"],
)
def test_the_master_passes_every_draw(check, answer, monkeypatch):
    """Drawing the visible cases again until they show every mistake never fails the master."""
    for seed in SEEDS:
        pin_rng(monkeypatch, seed)
        run(check, answer, hidden=True)


def test_a_byte_count_two_mistakes_give_names_neither():
    """Without pointers, or counting W > 0, CSR gives 40 bytes here: no mistake is named."""
    W = np.array([[1.0, -1.0, 0.0, 2.0, 0.0], [0.0, 0.0, -3.0, 0.0, 0.0], [4.0, 0, 0, 0, 0]])
    assert bytes_no_pointers(W, "csr") == bytes_positive_only(W, "csr") == 40
    assert c._bytes_hint(W, "csr", 4, 4, 40, "matrix_bytes") is None
    one_short = bytes_rows_pointers(W, "csr")  # a count that no other mistake gives
    assert "rows + 1 row pointers" in c._bytes_hint(W, "csr", 4, 4, one_short, "matrix_bytes")


def test_a_report_entry_two_mistakes_give_names_neither():
    """Input-side pointers and no scale and zero point both lose 16 bytes here: neither is named."""
    net = mp.Network([5, 7, 9], rng=0)
    right = M.compression_bytes(net)["csr_quantized"]
    assert report_no_qparams(net)["csr_quantized"] == right - 16
    assert report_input_pointers(net)["csr_quantized"] == right - 16
    assert c._report_hint(net, 8, 32, "csr_quantized", right - 16, "report") is None
    hint_text = c._report_hint(net, 8, 32, "csr", report_input_pointers(net)["csr"], "report")
    assert "n_out + 1 row pointers" in hint_text
