"""Exercise 05.1: ``masked_sgd_step(W, dW, mask, velocity, lr, momentum, weight_decay)``.

The same exercise as topic 03's ``t03_masked_step``, with coupled weight decay: its
cases and its check serve this one (``check_for(GRADE_ID, ..., weight_decay=True)``),
so the two cannot drift apart. The answer gets ``weight_decay=`` as a keyword.
"""

from . import t03_masked_step

GRADE_ID = "t05_masked_sgd_step_test"
ANSWER = "masked_sgd_step"
SIGNATURE = t03_masked_step.DECAY_SIGNATURE
REFERENCE = t03_masked_step.REFERENCE
MISTAKES = t03_masked_step.DECAY_MISTAKES


def cases(rng, hidden):
    """Topic 03's runs of steps, with a weight decay."""
    return t03_masked_step.cases(rng, hidden, weight_decay=True)


def check(answer, hidden=False, seed=None):
    """``answer`` steps like ``mp.SGD`` with momentum and weight decay on a masked layer."""
    t03_masked_step.check_for(GRADE_ID, answer, hidden, seed, weight_decay=True)
