"""Exercise 12, predict then check: ``prediction()``, which of the report's counts masks reduce.

The learner predicts, before measuring, which of the five counts of a Blalock-style report
(``params``, ``nonzeros``, ``macs``, ``bytes_on_disk``, ``bytes_sparse``) fall below the
dense model's when a ``DigitsCNN``'s weights are pruned by global magnitude
(``torch.nn.utils.prune.global_unstructured``) to a sparsity between 50% and 95% and the
pruning is made permanent with ``prune.remove``. The check measures the truth itself with
``minprune.torchkit``'s counters on small CNNs drawn from its seed (no training, no timing:
the counts depend on shapes and on which entries are zero only), and when the prediction is
wrong explains why with the numbers it measured.
"""

import copy

import torch
from torch.nn.utils import prune

from minprune.torchkit.counting import count_macs, count_nonzeros, count_parameters
from minprune.torchkit.models import DigitsCNN
from minprune.torchkit.report import bytes_on_disk, bytes_sparse
from minprune_course import checks

GRADE_ID = "t12_predict_test"
ANSWER = "prediction"
SIGNATURE = "()"
REFERENCE = ()
NAMES = ("params", "nonzeros", "macs", "bytes_on_disk", "bytes_sparse")
WHY = {
    "params": "params counts the entries of every parameter tensor; prune.remove leaves "
    "the tensors their shapes, with zeros where weights were pruned, so params does not fall",
    "macs": "macs counts what a dense kernel multiplies, from the layers' shapes: a zero "
    "weight is multiplied like any other, so the multiply-adds do not fall (only removing "
    "channels changes the shapes)",
    "bytes_on_disk": "torch.save stores every float of every tensor, a zero in 4 bytes like "
    "any other value, so the checkpoint keeps its size to the byte",
    "nonzeros": "nonzeros counts the weights that are not zero: pruning sets weights to "
    "zero, so it falls",
    "bytes_sparse": "bytes_sparse stores each tensor as its nonzero values plus one bit per "
    "entry (or dense, whichever is smaller): with half the weights or more at zero the "
    "bitmask form is smaller, so it falls",
}
MISTAKES = {
    "not_names": "return a list of names, e.g. ['a', 'b'], of the counts that fall (an "
    "empty list if you think none does)",
    "unknown_name": "use only the names 'params', 'nonzeros', 'macs', 'bytes_on_disk' and "
    "'bytes_sparse', each at most once",
    "params_fall": WHY["params"],
    "macs_fall": WHY["macs"],
    "bytes_on_disk_fall": WHY["bytes_on_disk"],
    "nonzeros_missed": WHY["nonzeros"],
    "bytes_sparse_missed": WHY["bytes_sparse"],
}
_WIDTHS = ((4, 8), (8, 16), (6, 12), (16, 32))


def cases(rng, hidden):
    """``(widths, sparsity, seed)``: a DigitsCNN of random weights and a sparsity in [0.5,
    0.95]; the hidden battery adds two more of other widths."""
    for _ in range(3 if hidden else 1):
        widths = _WIDTHS[int(rng.integers(len(_WIDTHS)))]
        yield widths, round(float(rng.uniform(0.5, 0.95)), 2), int(rng.integers(2**31))


def counts(model):
    """The report's five counts of ``model`` (per image, on one blank image)."""
    return {
        "params": count_parameters(model),
        "nonzeros": count_nonzeros(model),
        "macs": int(count_macs(model, torch.zeros(1, 1, 8, 8))),
        "bytes_on_disk": bytes_on_disk(model),
        "bytes_sparse": bytes_sparse(model),
    }


def measured(widths, sparsity, seed):
    """``(dense, pruned)``: the counts of a seeded ``DigitsCNN(widths)`` before and after
    global magnitude pruning of its weights to ``sparsity``, made permanent."""
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]), torch.no_grad():  # the global generator left alone
        dense = DigitsCNN(widths).eval()
        for p in dense.parameters():
            p.copy_(torch.randn(p.shape, generator=generator))
    pruned = copy.deepcopy(dense)
    weights = [(pruned.conv1, "weight"), (pruned.conv2, "weight"), (pruned.fc, "weight")]
    prune.global_unstructured(weights, pruning_method=prune.L1Unstructured, amount=sparsity)
    for module, name in weights:
        prune.remove(module, name)
    return counts(dense), counts(pruned)


def _names(got):
    if not isinstance(got, list | tuple | set | frozenset):
        checks.fail(f"prediction() returned a {type(got).__name__}: {MISTAKES['not_names']}")
    if not all(type(x) is str for x in got):
        checks.fail(f"prediction() holds something else than names: {MISTAKES['not_names']}")
    names = [x.strip().lower() for x in got]
    if len(set(names)) != len(names) or not set(names) <= set(NAMES):
        checks.fail(f"prediction() returned unknown or repeated names: {MISTAKES['unknown_name']}")
    return set(names)


def check(answer, hidden=False, seed=None):
    """``answer()`` names exactly the counts that fall under magnitude pruning."""
    names = _names(checks.call(answer, what="prediction()"))
    for widths, sparsity, case_seed in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        dense, pruned = measured(widths, sparsity, case_seed)
        fall = {k for k in NAMES if pruned[k] < dense[k]}
        for key in NAMES:  # a fixed order, so one wrong answer always gets the same hint
            if (key in names) != (key in fall):
                checks.fail(
                    f"a DigitsCNN{widths} pruned to {sparsity:.0%}: {key} went from "
                    f"{dense[key]:,} to {pruned[key]:,}: {WHY[key]}"
                )
    checks.passed()
