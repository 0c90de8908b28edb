"""The capstone's policy: its fixed baseline and the thresholds a compressed model must meet.

The lesson, the exercise's checks and the benchmark import these, so they agree.
"""

import torch

from minprune.torchkit.models import DigitsCNN
from minprune.torchkit.training import fit

__all__ = ["ACCURACY_BUDGET", "MIN_MAC_REDUCTION", "MIN_CPU_SPEEDUP", "BATCH_SIZE", "baseline_cnn"]

#: The capstone's accuracy budget: at most 1 point below the baseline, as a fraction.
ACCURACY_BUDGET = 0.01
#: Required reduction of multiply-adds per sample (baseline / compressed).
MIN_MAC_REDUCTION = 3.0
#: Required CPU speedup (median over interleaved repeats, one thread).
MIN_CPU_SPEEDUP = 1.5
#: Batch size at which latency is measured: large enough for the convolutions to dominate.
BATCH_SIZE = 256


def baseline_cnn(X, y, seed=0):
    """The capstone's baseline: a ``DigitsCNN((32, 64))`` trained 8 epochs, seeded.

    Parameters
    ----------
    X : (n, 1, 8, 8) float tensor; y : (n,) int64 tensor (the training split)
    seed : int, seeds the initialisation and the shuffling

    Returns
    -------
    DigitsCNN in eval mode. The same seed and thread count give the same weights.
    """
    torch.manual_seed(seed)
    model = DigitsCNN((32, 64))
    fit(model, X, y, epochs=8, batch_size=64, lr=0.05, momentum=0.9, weight_decay=5e-4, seed=seed)
    return model.eval()
