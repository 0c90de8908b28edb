"""Exercise 12, part accuracy: the compressed model within 1 point of the baseline's accuracy.

The learner writes ``compress(baseline, data)``; this part checks the ``compressed`` model
it returns: its test accuracy at most ``capstone.ACCURACY_BUDGET`` (1 point) below the
baseline's, both computed here on the test split reloaded by the check, against the
baseline the check trained itself. The hidden battery counts the right answers again on
the test images in an order, and in batches of a size, drawn from the grader's seed.

PROBE: the model is read as plain data, its widths and ``state_dict`` loaded into a
``DigitsCNN`` the check builds (``_t12.read``, as ``plain`` carries it across the grader's
sandbox); the learner's module is never called, so it can live in another process.
"""

import torch

from minprune_course import capstone, checks

from . import _t12

GRADE_ID = "t12_accuracy_test"
ANSWER = "compressed"
SIGNATURE = "(baseline, data)"
REFERENCE = ()
MISTAKES = {
    **_t12.READ_MISTAKES,
    "over_budget": "the drop is more than the budget of 1 point: fine-tune after pruning "
    "(fit), or prune less",
}


def cases(rng, hidden):
    """``(order, batch_size)``: the test images as they come, all at once; the hidden battery
    adds a random order in batches of a random size."""
    yield None, None
    if hidden:
        yield rng.permutation(len(_t12.test_split()[1])), int(rng.integers(2, 64))


def check(compressed, hidden=False, seed=None):
    """``compressed``'s test accuracy is at most 1 point below the baseline's."""
    model = _t12.read(compressed)
    X, y = _t12.test_split()
    base = _t12.reference().accuracy
    for order, batch_size in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        if order is not None:
            index = torch.as_tensor(order)
            X, y = X[index], y[index]
        accuracy = _t12.correct(model, X, y, batch_size) / len(y)
        how = "" if order is None else f" (in another order, batches of {batch_size})"
        checks.expect_true(
            accuracy >= base - capstone.ACCURACY_BUDGET - 1e-9,
            f"accuracy: the compressed model's test accuracy is {accuracy:.3f}{how}, the "
            f"baseline's {base:.3f}, a drop of {100 * (base - accuracy):.1f} points: "
            f"{MISTAKES['over_budget']}",
        )
    checks.passed()
