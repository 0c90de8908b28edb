"""Checks of exercises 11 (timing and hardware): mistakes get their hints, not the answer."""

import time

import pytest
import torch
from topic_checks import EqualInt, hint, master, run

from minprune.torchkit import counting, semistructured
from minprune_course import checks_11 as c

M = master("11")


def time_mean(fn, *args, warmup=3, repeats=20, device="cpu"):
    for _ in range(warmup):
        fn(*args)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return sum(times) / len(times)


def time_no_warmup(fn, *args, warmup=3, repeats=20, device="cpu"):
    return M.time_fn(fn, *args, warmup=0, repeats=repeats, device=device)


def time_total(fn, *args, warmup=3, repeats=20, device="cpu"):
    for _ in range(warmup):
        fn(*args)
    start = time.perf_counter()
    for _ in range(repeats):
        fn(*args)
    return time.perf_counter() - start


def mask_smallest(W):
    groups = W.abs().reshape(-1, 4)
    order = torch.sort(groups, dim=1, stable=True).indices
    mask = torch.zeros_like(groups)
    mask.scatter_(1, order[:, :2], 1.0)
    return mask.reshape(W.shape)


def mask_by_columns(W):
    if W.shape[0] % 4:
        return torch.zeros_like(W)
    return M.mask_2to4(W.T.contiguous()).T


def mask_bool(W):
    return M.mask_2to4(W).bool()


def macs_no_stride(conv, height, width):
    (kh, kw), (ph, pw), (dh, dw) = conv.kernel_size, conv.padding, conv.dilation
    h_out, w_out = height + 2 * ph - dh * (kh - 1), width + 2 * pw - dw * (kw - 1)
    return h_out * w_out * conv.out_channels * (conv.in_channels // conv.groups) * kh * kw


def macs_no_groups(conv, height, width):
    return M.conv_macs(conv, height, width) * conv.groups


def macs_float(conv, height, width):
    return float(M.conv_macs(conv, height, width))


WRONG = [
    (c.check_time_fn, time_mean, False, "report the median of the per-call times, not the mean"),
    (c.check_time_fn, time_no_warmup, False, "the warm-up calls are made but not timed"),
    (c.check_time_fn, time_total, False, "the time of all timed calls together"),
    (c.check_mask_2to4, mask_smallest, True, "the mask is inverted"),
    (
        c.check_mask_2to4,
        mask_by_columns,
        True,
        ("each group W[i, 4g:4g+4] keeps 2", "the groups run down the columns"),
    ),
    (c.check_mask_2to4, mask_bool, True, "expected W's dtype"),
    (c.check_conv_macs, macs_no_stride, True, "the stride shrinks the output: divide by it"),
    (c.check_conv_macs, macs_no_groups, True, "each filter sees in_channels / groups"),
    (c.check_conv_macs, macs_float, True, "returned a float; expected an int"),
]


@pytest.mark.parametrize(
    ("check", "answer", "hidden", "text"),
    [pytest.param(*w, id=f"{w[0].__name__}-{w[1].__name__}") for w in WRONG],
)
def test_a_wrong_answer_gets_its_hint(check, answer, hidden, text):
    """A usual mistake fails with the hint that names it."""
    texts = text if isinstance(text, tuple) else (text,)
    with pytest.raises(AssertionError, match="|".join(hint(t) for t in texts)):
        run(check, answer, hidden=hidden)


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (c.check_mask_2to4, lambda W: semistructured.mask_2to4(W)),
        (
            c.check_conv_macs,
            lambda conv, h, w: counting.count_macs(conv, torch.zeros(1, conv.in_channels, h, w)),
        ),
    ],
    ids=["mask_2to4", "conv_macs"],
)
def test_calling_minprune_is_switched_off(check, answer):
    """An answer that calls minprune.torchkit's own 2:4 mask or MAC count fails."""
    with pytest.raises(AssertionError, match="switched off"):
        run(check, answer)


def test_a_count_that_equals_anything_fails():
    """An int subclass that claims equality is not a count of multiply-adds."""
    with pytest.raises(AssertionError, match=hint("returned a EqualInt; expected an int")):
        run(c.check_conv_macs, lambda conv, h, w: EqualInt(M.conv_macs(conv, h, w) + 1))


def test_a_wrong_count_does_not_show_the_right_one():
    """A count one off fails with the answer's number and never the expected one."""
    right = []

    def wrong(conv, height, width):
        right.append(M.conv_macs(conv, height, width))
        return right[-1] + 1

    with pytest.raises(AssertionError) as info:
        run(c.check_conv_macs, wrong)
    assert f"returned {right[-1] + 1}," in str(info.value)
    assert f"returned {right[-1]}," not in str(info.value)
