"""The capstone's reference, and how its checks read an answer (topic 12).

The learner's ``compress(baseline, data)`` returns ``(compressed, report)``; the five
exercise modules that read them (accuracy, macs, speedup, report, pareto) each check one
part. (``t12_predict``, the topic's predict-then-check question, reads neither.) None of them trusts the notebook: the test
split is reloaded here, the baseline retrained here (``capstone.baseline_cnn``, seeded,
once per process), and every number recomputed from the model.

The model is read as plain data only, as ``minprune_course.plain`` carries a module across
the grader's sandbox: its widths and its ``state_dict``, loaded into a ``DigitsCNN`` the
check builds itself (``read``). The learner's module is never called (not its ``forward``,
nor its mode, nor its hooks), so the answer can live in another process; in the grader it
does, and arrives already rebuilt by ``plain``.
"""

import functools
import types

import torch

from minprune.data import load_digits_split
from minprune.torchkit.counting import count_macs
from minprune.torchkit.models import DigitsCNN
from minprune.torchkit.report import compare
from minprune.torchkit.training import as_tensors
from minprune_course import capstone, checks

#: The hints of an answer the checks cannot read; every part declares them.
READ_MISTAKES = {
    "not_a_digits_cnn": "compressed must be a DigitsCNN of any widths (what prune_filters "
    "returns): the checks load its state_dict into a DigitsCNN they build themselves, so "
    "other layers or names cannot be read",
    "prune_hooks_left": "compressed still carries torch.nn.utils.prune's weight_orig and "
    "weight_mask: call prune.remove(module, 'weight') on each pruned layer before returning "
    "it, so its state_dict holds plain weights",
}
_ATTEMPTS = 3
_IMAGE = (1, 8, 8)


# ------------------------------------------------------------------ the reference
@functools.cache
def test_split():
    """``(X, y)``: the course's test split (seed 0) as tensors, reloaded, never the notebook's."""
    split = load_digits_split(rng=0)
    return as_tensors(split.X_test, split.y_test, _IMAGE)


@functools.cache
def reference():
    """The baseline, trained here once per process, with its test accuracy and MACs per image."""
    split = load_digits_split(rng=0)
    model = capstone.baseline_cnn(*as_tensors(split.X_train, split.y_train, _IMAGE), seed=0)
    X, y = test_split()
    return types.SimpleNamespace(
        model=model,
        widths=(model.conv1.out_channels, model.conv2.out_channels),
        accuracy=correct(model, X, y) / len(y),
        macs=int(count_macs(model, X[: capstone.BATCH_SIZE])),
    )


# ------------------------------------------------------------------ reading an answer
def not_answered(name):
    """The hint for ``name`` (``"compressed"``, ``"report"``) left at ``None``."""
    return (
        f"{name} is None: {checks.NOT_ANSWERED}, or compress raised an error (see the output "
        "of the cell that calls it); finish compress(baseline, data), run its cell and the "
        "cell that calls it, then this one"
    )


def fetched(answer):
    """``answer`` itself, or its value fetched from the submission's kernel.

    The grader hands a value that is callable, such as a torch module, over as a
    ``RemoteAnswer`` (a function to call in the kernel); its ``value()`` is the module as
    plain data, rebuilt by ``plain`` from its widths and ``state_dict``.
    """
    from minprune_course import remote

    return answer.value() if isinstance(answer, remote.RemoteAnswer) else answer


def read(compressed):
    """The check's own ``DigitsCNN`` (eval mode) holding the answer's widths and ``state_dict``.

    Read as ``plain`` carries a module across the sandbox: the class must be ``DigitsCNN``
    itself, its widths come from its convolutions and its tensors from ``state_dict()``
    (loaded strictly, so every key must be a DigitsCNN's; float tensors are cast to the
    model's float32, as ``load_state_dict`` does).
    """
    compressed = fetched(compressed)
    if compressed is None:
        checks.fail(not_answered("compressed"))
    if type(compressed) is not DigitsCNN:
        checks.fail(
            f"compressed is a {type(compressed).__qualname__}: {READ_MISTAKES['not_a_digits_cnn']}"
        )
    state = compressed.state_dict()
    if any(key.endswith(("_orig", "_mask")) for key in state):
        checks.fail(READ_MISTAKES["prune_hooks_left"])
    widths = (compressed.conv1.out_channels, compressed.conv2.out_channels)
    model = DigitsCNN(widths)
    try:
        model.load_state_dict(state, strict=True)
    except Exception as exc:  # noqa: BLE001 - keys or shapes that are not a DigitsCNN's
        first = str(exc).strip().splitlines()[0][:120]
        checks.fail(
            f"compressed's state_dict does not fit ({first}): {READ_MISTAKES['not_a_digits_cnn']}"
        )
    return model.eval()


# ------------------------------------------------------------------ measuring
def correct(model, X, y, batch_size=None):
    """How many of ``X`` the eval-mode ``model`` classifies right, in batches of ``batch_size``."""
    size = len(X) if batch_size is None else batch_size
    with torch.no_grad():
        return sum(
            int((model(X[i : i + size]).argmax(dim=1) == y[i : i + size]).sum())
            for i in range(0, len(X), size)
        )


def speedups(model, batch, accept, doubt):
    """Interleaved CPU speedups of ``model`` over the reference (``tk.compare``: the median of
    15 ratios, one thread), measured until ``accept(result)`` or at most three times.

    A measurement is repeated only while it is in doubt: while ``doubt(result)`` says that one
    of its 15 ratios could have been accepted, so that a busy machine, not the model, may
    have decided the median. Returns the results, and prints them when none is accepted.
    """
    results = []
    for _ in range(_ATTEMPTS):
        results.append(compare(reference().model, model, batch))
        if accept(results[-1]) or not doubt(results[-1]):
            break
    if not accept(results[-1]):
        shown = ", ".join(
            f"{r['speedup']:.2f}x (ratios {r['min']:.2f}x to {r['max']:.2f}x)" for r in results
        )
        print(f"measured here: {shown}")
    return results
