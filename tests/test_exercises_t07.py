"""Properties of topic 07's exercise checks that tests/test_exercises.py cannot state."""

import pytest
from topic_checks import assert_hidden, master, perturbed

import minprune as mp
from minprune_course.exercises import _t07, t07_compression, t07_dequantize, t07_matrix_bytes

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
