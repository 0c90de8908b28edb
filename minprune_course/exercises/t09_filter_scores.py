"""Exercise 09.1: ``filter_scores(conv)``, the L1 norm of each output filter (Li et al. 2017).

PROBE: the answer gets a float32 ``Conv2d`` the check builds (its architecture and its
``state_dict``) and returns a tensor, read back as an array of any float dtype. Whether
that tensor requires grad is not checked: a tensor crosses the grader's wall without its
graph, and a score with one ranks the filters all the same.
"""

import numpy as np
import torch

from minprune_course import checks

from . import _t09

GRADE_ID = "t09_filter_scores_test"
ANSWER = "filter_scores"
SIGNATURE = "(conv)"
REFERENCE = ("minprune.torchkit.l1_filter_scores",)
MISTAKES = {
    "per_input_channel": "filter_scores(conv) gave one score per input channel; filter j is "
    "weight[j], so sum |w| over dims 1, 2 and 3",
    "l2_norm": "filter_scores(conv) returned the L2 norm; the score is the sum of |w|",
    "signed_sum": "filter_scores(conv) summed the signed weights; sum the absolute values |w|",
    "mean": "filter_scores(conv) returned the mean of |w|; the score is the sum over the filter",
    "with_bias": "filter_scores(conv) added the bias; a bias is not part of a filter, score "
    "the weight only",
    "numpy": "filter_scores(conv) returned a NumPy array; return a torch tensor (keep_top and "
    "the surgeries take tensors)",
}


def cases(rng, hidden):
    """Float32 convolutions with as many input as output channels or not, the visible ones
    with and without a bias; the hidden battery adds 1x1, 5x5 and 3x1 kernels and a single
    filter. Every filter has two weights or more, so a mean is never a sum."""
    c_in, c_out = (int(n) for n in rng.integers(2, 9, size=2))
    yield _t09.conv(rng, c_in, c_out, (3, 3), torch.float32)
    yield _t09.conv(rng, c_out, c_out, (3, 3), torch.float32, bias=True)
    if hidden:
        yield _t09.conv(rng, c_in, c_out + 1, (3, 3), torch.float32, bias=True)
        yield _t09.conv(rng, 1, int(rng.integers(2, 12)), (5, 5), torch.float32)
        yield _t09.conv(rng, c_out + 1, c_in, (1, 1), torch.float32)
        yield _t09.conv(rng, c_in, c_in, (3, 1), torch.float32, bias=True)
        yield _t09.conv(rng, int(rng.integers(2, 6)), 1, (3, 3), torch.float32)


def check(answer, hidden=False, seed=None):
    """``answer(conv)`` is a float tensor equal to ``l1_filter_scores``."""
    references = _t09.references(REFERENCE)
    for conv in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = references[0](conv).double().numpy()
        W = _t09.numpy(conv.weight).astype(np.float64)
        bias = "" if conv.bias is None else " and a bias"
        what = (
            f"filter_scores(conv) for a {str(conv.weight.dtype)[6:]} Conv2d with weight "
            f"{tuple(W.shape)}{bias}"
        )
        got = _t09.call(answer, conv, what=what, names=("conv",), without=references)
        checks.expect_true(not isinstance(got, np.ndarray), f"{what}: {MISTAKES['numpy']}")
        checks.expect_true(
            isinstance(got, torch.Tensor),
            f"{what} returned a {type(got).__name__}; expected a torch tensor",
        )
        scores = checks.expect_array(_t09.numpy(got), what=what)
        wrong = {
            "per_input_channel": np.abs(W).sum(axis=(0, 2, 3)),
            "l2_norm": np.sqrt((W**2).sum(axis=(1, 2, 3))),
            "signed_sum": W.sum(axis=(1, 2, 3)),
            "mean": np.abs(W).mean(axis=(1, 2, 3)),
        }
        if conv.bias is not None:
            wrong["with_bias"] = expected + np.abs(_t09.numpy(conv.bias))
        hints = {name: f"{what}: {MISTAKES[name]}" for name in wrong}
        checks.expect_no_mistake(scores, expected, wrong, hints, rtol=1e-5, atol=1e-6)
        checks.expect_close(scores, expected, what, rtol=1e-5, atol=1e-6)
    checks.passed()
