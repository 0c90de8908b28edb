"""Properties of topic 07's exercise checks that tests/test_exercises.py cannot state."""

import numpy as np
import pytest
from topic_checks import always_equal, assert_hidden, liar, master, perturbed

import minprune as mp
from minprune_course.exercises import (
    _t07,
    t07_compression,
    t07_dequantize,
    t07_matrix_bytes,
    t07_predict,
)

M = master("07")


def test_a_wrong_count_does_not_show_the_right_one():
    """A byte count one off fails with the answer's number and never the expected one."""
    wrong = perturbed(M.matrix_bytes, lambda n: n + 1)
    with pytest.raises(AssertionError) as info:
        t07_matrix_bytes.check(wrong)
    expected = wrong.expected[-1]
    assert f"returned {expected + 1}," in str(info.value)
    assert f"returned {expected}," not in str(info.value)


def test_a_wrong_dequantization_does_not_show_the_right_values():
    """Slightly wrong real values fail without the hint giving the expected array."""
    wrong = perturbed(M.dequantize_uint8, lambda w: w * 1.001)
    with pytest.raises(AssertionError, match="values differ at") as info:
        t07_dequantize.check(wrong)
    (_, scale, zero_point), _ = wrong.calls[-1]
    described = (f"scale={scale:.3g}", f"zero_point={zero_point}")
    assert_hidden(str(info.value), wrong.expected[-1], inputs=described)


def test_a_report_that_calls_storage_bytes_fails():
    """mp.storage_bytes, which gives the dense and CSR entries, is switched off too."""

    def borrowing(net, bits=8, n_clusters=32):
        report = M.compression_bytes(net, bits, n_clusters)
        report["csr"] = mp.storage_bytes(net, "csr")
        return report

    with pytest.raises(AssertionError, match="switched off"):
        t07_compression.check(borrowing)


def test_two_mistakes_with_one_result_are_named_by_neither():
    """Where two mistakes give the same wrong count, naming one could blame the wrong bug."""
    wrong = {"a": 8, "b": 8, "c": 9, "harmless": 10}
    assert _t07.unambiguous(10, wrong) == {"c": 9}
    assert not _t07.tells_apart(10, wrong)
    assert _t07.tells_apart(10, {"c": 9, "d": 11})


def test_predict_is_fair_on_every_seed():
    """On every matrix the check draws, CSR becomes smaller than the 8-bit codes between
    7/8 and 7/8 + 0.002 sparsity (the row pointers' share): far inside the tolerance."""
    for seed in range(30):
        for W in t07_predict.cases(np.random.default_rng(seed), hidden=True):
            m = t07_predict.measure(W)
            assert 0.875 < m["sparsity"] < 0.877, (seed, W.shape, m)
            assert m["csr_at"] < m["eight_bit"] <= m["csr_before"], m


def test_predict_measures_bytes_the_formulas_give():
    """The measured bytes are those of the lesson's formulas: n codes plus 8 bytes for the
    8-bit matrix, 8 bytes per nonzero plus (rows + 1) row pointers of 4 for CSR."""
    W = next(t07_predict.cases(np.random.default_rng(0), hidden=False))
    m = t07_predict.measure(W)
    rows, n = W.shape[0], W.size
    nnz = round((1 - m["sparsity"]) * n)
    assert m["eight_bit"] == n + 8 and m["float32"] == 4 * n
    assert m["csr_at"] == 8 * nnz + 4 * (rows + 1)
    assert m["csr_before"] == 8 * (nnz + 1) + 4 * (rows + 1)


def test_predict_rejects_a_lying_answer():
    """A number that claims to equal anything is not a number the check accepts."""
    with pytest.raises(AssertionError, match="return one number"):
        t07_predict.check(always_equal)
    with pytest.raises(AssertionError, match="return one number"):
        t07_predict.check(liar(M.csr_beats_8bit_at))


def test_predict_explains_with_the_measured_bytes():
    """A wrong prediction is told the bytes the check measured."""
    with pytest.raises(AssertionError, match=r"65544 in 8 bits; pruned, its CSR takes \d+ bytes"):
        t07_predict.check(lambda: 0.5)
