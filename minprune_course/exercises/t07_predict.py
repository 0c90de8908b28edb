"""Exercise 07.6, predict then check: ``csr_beats_8bit_at()``, how far pruning must go before
it stores a matrix in fewer bytes than 8-bit quantization does.

The learner predicts the sparsity above which a weight matrix pruned by magnitude and stored
in CSR, with ``float32`` values and ``int32`` column indices and row pointers, takes fewer
bytes than the same matrix unpruned, quantized to 8 bits and stored dense (one ``uint8``
code per weight, plus a ``float32`` scale and an ``int32`` zero point), as a number in
[0, 1] within ``TOLERANCE``. The check measures it on matrices drawn from its seed with
``minprune.quantize`` and ``minprune.storage_bytes`` (the fewest zeros that make CSR the
smaller, found by bisection), and a wrong prediction is told the bytes it measured and why.
The truth is ``7/8`` plus the row pointers' share, under 0.002 on every matrix drawn, so
every seed grades a prediction alike.
"""

import numpy as np

import minprune as mp
from minprune_course import checks

GRADE_ID = "t07_predict_test"
ANSWER = "csr_beats_8bit_at"
SIGNATURE = "()"
REFERENCE = ()
#: how far from the measured sparsity a prediction may be
TOLERANCE = 0.02
#: bytes of the scale (float32) and the zero point (int32) beside the 8-bit codes
QPARAM_BYTES = mp.QPARAM_BYTES
WHY_EIGHTH = (
    "CSR stores 8 bytes per nonzero (a float32 value and an int32 column index) and the 8-bit "
    "matrix 1 byte per weight, so CSR is the smaller only once fewer than 1 weight in 8 is "
    "left: quantization alone divides the bytes by 4, pruning with CSR needs a sparsity "
    "above 7/8 to do as well"
)
MISTAKES = {
    "not_a_number": "return one number, the sparsity as a fraction of the weights, e.g. 0.3 "
    "for 30% of them pruned",
    "percent": "give a fraction between 0 and 1, not a percentage: 0.3 for 30% of the "
    "weights pruned",
    "float32_dense": "about 1/2 is where CSR beats the float32 dense matrix (8 bytes per "
    "nonzero against 4 per weight); the 8-bit matrix takes 1 byte per weight, 4 times less",
    "no_indices": "CSR stores an int32 column index beside every float32 value: 8 bytes per "
    "nonzero, not 4, so it must keep fewer than 1 weight in 8, not 1 in 4",
    "never": "CSR does beat it: its bytes fall with every weight pruned, the 8-bit matrix's "
    "do not (its zeros take a byte each like any weight)",
    "wrong": WHY_EIGHTH,
}


def cases(rng, hidden):
    """``W``: a float32 matrix of 128 x 512 normal weights; the hidden battery adds two with
    64 to 256 rows and 256 to 1024 columns."""
    shapes = [(128, 512)]
    if hidden:
        shapes += [(int(rng.integers(64, 257)), int(rng.integers(256, 1025))) for _ in range(2)]
    for shape in shapes:
        yield rng.normal(size=shape).astype(np.float32)


def measure(W):
    """The bytes of ``W`` and the sparsity from which CSR is smaller than its 8-bit codes:
    ``{"eight_bit", "float32", "sparsity", "csr_at", "csr_before"}`` (the CSR bytes at that
    sparsity and at one zero fewer)."""
    eight_bit = mp.quantize(W, bits=8).q.nbytes + QPARAM_BYTES
    order = np.argsort(np.abs(W), axis=None, kind="stable")

    def csr(zeros):  # W pruned by magnitude to exactly `zeros` zeros, in CSR
        flat = W.ravel().copy()
        flat[order[:zeros]] = 0.0
        return mp.storage_bytes(flat.reshape(W.shape), "csr")

    lo, hi = 0, W.size  # csr(lo) >= eight_bit > csr(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if csr(mid) < eight_bit else (mid, hi)
    return {
        "eight_bit": eight_bit,
        "float32": mp.storage_bytes(W, "dense"),
        "sparsity": hi / W.size,
        "csr_at": csr(hi),
        "csr_before": csr(lo),
    }


def _number(got):
    kind = type(got).__name__
    try:
        value = checks.expect_float(got, "csr_beats_8bit_at()")
    except AssertionError:
        checks.fail(f"csr_beats_8bit_at() returned a {kind}: {MISTAKES['not_a_number']}")
    if 1.0 < value <= 100.0:
        checks.fail(f"csr_beats_8bit_at() returned {value:g}: {MISTAKES['percent']}")
    return value


def check(answer, hidden=False, seed=None):
    """``answer()`` is within ``TOLERANCE`` of the sparsity from which CSR takes fewer bytes
    than 8-bit dense codes, on every matrix drawn."""
    value = _number(checks.call(answer, what="csr_beats_8bit_at()"))
    for W in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        m = measure(W)
        if abs(value - m["sparsity"]) <= TOLERANCE:
            continue
        where = (
            f"a {W.shape[0]} x {W.shape[1]} matrix takes {m['float32']} bytes in float32 and "
            f"{m['eight_bit']} in 8 bits; pruned, its CSR takes {m['csr_at']} bytes from "
            f"sparsity {m['sparsity']:.4f} on (one zero fewer: {m['csr_before']}), not from "
            f"{value:.3g}"
        )
        if abs(value - 0.5) <= 0.05:
            checks.fail(f"{where}: {MISTAKES['float32_dense']}")
        if abs(value - 0.75) <= 0.03:
            checks.fail(f"{where}: {MISTAKES['no_indices']}")
        if value >= 0.97:
            checks.fail(f"{where}: {MISTAKES['never']}")
        checks.fail(f"{where}: {MISTAKES['wrong']}")
    checks.passed()
