"""Exercise 09.5, predict then check: ``strength_score()``, which score follows a channel's strength.

A BatchNorm follows every convolution of the lesson's CNN. The learner predicts, before
measuring, which score orders the channels of such a conv-BN pair by their **strength**, the
standard deviation of the channel after BatchNorm (batch statistics, as in training): the
filter's L1 norm (Li et al. 2017), BatchNorm's ``|gamma|`` (Network Slimming), both or neither.
The check measures the truth itself on conv-BN pairs drawn from its seed, with
``minprune.torchkit``'s scores and torch's layers, and when the prediction is wrong explains
why with the rank correlations it measured.
"""

import numpy as np
import torch
from torch import nn

from minprune_course import checks

GRADE_ID = "t09_predict_test"
ANSWER = "strength_score"
SIGNATURE = "()"
REFERENCE = ()
CHOICES = ("l1", "gamma", "both", "neither")
TRACKS = 0.9  # a score "orders the channels by strength" above this rank correlation
WHY_NOT_L1 = (
    "BatchNorm divides each channel by its own standard deviation over the batch, so a filter "
    "multiplied by any factor gives the same channel after BatchNorm: the filter's scale, and "
    "with it its L1 norm, cancels out and says nothing about the channel's strength"
)
WHY_GAMMA = (
    "BatchNorm's output is gamma_j times a channel normalised to standard deviation 1, plus "
    "beta_j, so its standard deviation is |gamma_j| (up to BatchNorm's epsilon): |gamma| orders "
    "the channels by strength"
)
MISTAKES = {
    "not_a_choice": "return one of the strings 'l1', 'gamma', 'both' or 'neither'",
    "l1": WHY_NOT_L1,
    "both": WHY_NOT_L1,
    "neither": WHY_GAMMA,
}


def _ranks(v):
    return np.argsort(np.argsort(v, kind="stable"), kind="stable").astype(float)


def rank_correlation(a, b):
    """Spearman's rank correlation of two 1-D arrays without ties."""
    return float(np.corrcoef(_ranks(np.asarray(a)), _ranks(np.asarray(b)))[0, 1])


def cases(rng, hidden):
    """``(conv, bn, x)``: a 4 -> 24 channel 3x3 convolution whose filters are scaled by factors
    from 0.1 to 10, drawn independently of BatchNorm's scales (redrawn until the filters' L1
    norms and ``|gamma|`` have a rank correlation within +-0.3, so no case is a coincidence),
    in float64; the hidden battery adds pairs of 16 and 32 channels."""
    for c_out in [24] + ([16, 32] if hidden else []):
        c_in = 4
        base = rng.normal(size=(c_out, c_in, 3, 3))
        gamma = rng.uniform(0.2, 2.0, size=c_out) * rng.choice([-1.0, 1.0], size=c_out)
        while True:
            scale = 10.0 ** rng.uniform(-1.0, 1.0, size=c_out)
            l1 = np.abs(base * scale[:, None, None, None]).sum(axis=(1, 2, 3))
            if abs(rank_correlation(l1, np.abs(gamma))) < 0.3:
                break
        conv = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False).double()
        bn = nn.BatchNorm2d(c_out).double().train()
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(base * scale[:, None, None, None]))
            bn.weight.copy_(torch.from_numpy(gamma))
            bn.bias.copy_(torch.from_numpy(rng.normal(scale=0.5, size=c_out)))
        x = torch.from_numpy(rng.normal(size=(16, c_in, 8, 8)))
        yield conv, bn, x


def correlations(conv, bn, x):
    """``{"l1": rho, "gamma": rho}``: each score's rank correlation with the channels' strength,
    the standard deviation of each channel after BatchNorm (batch statistics)."""
    from minprune.torchkit import bn_scale_scores, l1_filter_scores

    with torch.no_grad():
        strength = bn(conv(x)).std(dim=(0, 2, 3), correction=0).numpy()
    return {
        "l1": rank_correlation(l1_filter_scores(conv).numpy(), strength),
        "gamma": rank_correlation(bn_scale_scores(bn).numpy(), strength),
    }


def truth(rho):
    """The choice the measured correlations make: which scores exceed ``TRACKS``."""
    l1, gamma = rho["l1"] > TRACKS, rho["gamma"] > TRACKS
    return {(True, True): "both", (True, False): "l1", (False, True): "gamma"}.get(
        (l1, gamma), "neither"
    )


def _choice(got):
    if not isinstance(got, str):
        checks.fail(f"strength_score() returned {type(got).__name__}: {MISTAKES['not_a_choice']}")
    choice = got.strip().lower()
    if choice not in CHOICES:
        checks.fail(f"strength_score() returned {got!r}: {MISTAKES['not_a_choice']}")
    return choice


def check(answer, hidden=False, seed=None):
    """``answer()`` names the score(s) whose rank correlation with the strength exceeds 0.9."""
    choice = _choice(checks.call(answer, what="strength_score()"))
    for conv, bn, x in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        rho = correlations(conv, bn, x)
        right = truth(rho)
        if choice != right:
            checks.fail(
                f"on {conv.out_channels} channels the rank correlation with the strength is "
                f"{rho['l1']:.2f} for the filters' L1 norm and {rho['gamma']:.2f} for |gamma| "
                f"(a score follows the strength above {TRACKS}): {MISTAKES[choice]}"
            )
    checks.passed()
