"""Exercise 08.3: ``global_l1_masks(model, sparsity)``, torch's global masks equal minprune's.

The model is built from a tie-free network (``minprune.torchkit.to_torch``) by ``probe``
on the answer's side (in the grader, inside the submission's kernel, through
``remote.asking``), which sends back plain data only: the masks returned and the model's
``state_dict`` afterwards (``PROBE``); so the pruning the prompt asks for, on the model
itself, is read as its ``weight_orig`` and ``weight_mask`` buffers.

The first network of every run, visible included, is drawn so that pruning each layer
on its own, ranking the output layer too and inverting the masks each give masks other
than the right ones, and its first layer is not square (a mask in torch's layout shows
by its shape). The hidden runs add float64, one and three hidden layers, a sparsity of
0, a count that ends in a half and a sparsity of 0.95.
"""

import sys

import numpy as np
import torch

import minprune as mp
from minprune.torchkit import to_torch
from minprune_course import checks, remote

from . import _t08

GRADE_ID = "t08_global_masks_test"
ANSWER = "global_l1_masks"
SIGNATURE = "(model, sparsity)"
REFERENCE = ("minprune.sparsity_masks", "minprune.torchkit.from_torch", "minprune.prune")
PROBE = (
    "the probe gets a minprune network and a float, builds the model on the answer's side "
    "(minprune.torchkit.to_torch of the network: an nn.Sequential the check specifies), "
    "calls global_l1_masks(model, sparsity), and returns the masks it returned (arrays or "
    "tensors) and the model's state_dict afterwards (tensors)"
)
MISTAKES = {
    "per_layer": "this prunes each layer on its own; rank all hidden layers together "
    "(prune.global_unstructured)",
    "output_ranked": "the output layer was ranked with the hidden layers; prune only the "
    "hidden Linear layers (all but the last)",
    "torch_layout": "return it in minprune's layout (n_in, n_out): transpose weight_mask",
    "inverted": "the masks are inverted; 1 means the weight is kept",
    "pruned_a_copy": "the model carries no weight_mask equal to the mask returned: prune "
    "the model itself with torch.nn.utils.prune and leave the masks on it (no prune.remove)",
}


def _distinguishing(rng):
    """A first case on which every mistake's masks differ from the right ones."""
    while True:
        widths = _t08.sizes(rng, 2)
        if widths[0] == widths[1]:
            continue  # the first layer not square: a transposed mask shows by its shape
        net = _t08.network(rng, widths)
        sparsity = float(rng.choice([0.3, 0.5, 0.6, 0.7, 0.8]))
        expected, wrong = _masks(net, sparsity)
        if all(not checks.matches(w, expected) for w in wrong.values() if w is not None):
            return net, sparsity


def cases(rng, hidden):
    """``(net, sparsity)``: the model is ``to_torch(net)``."""
    yield _distinguishing(rng)
    if not hidden:
        return
    yield _t08.network(rng, _t08.sizes(rng, 3), dtype="float64"), float(rng.uniform(0.05, 0.95))
    yield _t08.network(rng, _t08.sizes(rng, 1)), float(rng.uniform(0.1, 0.9))
    yield _t08.network(rng, [4, 5, 2, 3]), 0.25  # 30 hidden weights: 7.5 rounds to 8
    yield _t08.network(rng, _t08.sizes(rng, 2), activation="tanh"), 0.0
    yield _t08.network(rng, [10, 12, 12, 4], dtype="float64"), 0.95


def _masks(net, sparsity):
    """The right masks and each mistake's (None where its mistake shows no mask)."""
    sparsity_masks = checks.public("minprune.sparsity_masks")[0]
    hidden = list(range(len(net.layers) - 1))
    scores = mp.magnitude(net, hidden)
    expected = sparsity_masks(scores, sparsity, scope="global")
    every = sparsity_masks(mp.magnitude(net, range(len(net.layers))), sparsity, scope="global")
    wrong = {
        "per_layer": sparsity_masks(scores, sparsity, scope="layer"),
        "output_ranked": every[:-1],
        "inverted": [1 - e for e in expected],
        "torch_layout": [e.T for e in expected],
    }
    return expected, wrong


def probe(answer, net, sparsity):
    """Build the model from ``net``, call ``answer`` on it; the masks and the model's state."""
    model = to_torch(net)
    masks = answer(model, sparsity)
    return masks, _t08.state(model)


def _read_masks(answer, expected, what):
    """The masks returned, as 0/1 arrays in minprune's layout."""
    if not isinstance(answer, list | tuple):
        checks.fail(
            f"{what} returned a {type(answer).__name__}; expected a list of masks, one per "
            "hidden layer"
        )
    if len(answer) != len(expected):
        extra = "; leave the output layer out" if len(answer) == len(expected) + 1 else ""
        checks.fail(f"{what} returned {len(answer)} masks for {len(expected)} hidden layers{extra}")
    masks = []
    for j, (m, e) in enumerate(zip(answer, expected, strict=True)):
        m = _t08.numpy(m)
        if np.shape(m) == e.shape[::-1] and e.shape[0] != e.shape[1]:
            checks.fail(
                f"mask {j} of {what} has torch's layout {np.shape(m)}; {MISTAKES['torch_layout']}"
            )
        masks.append(checks.expect_mask(m, shape=e.shape, what=f"mask {j} of {what}"))
    return masks


def _judge_model(state, before, masks, what):
    """The model carries the masks, its weights unchanged, the output layer unpruned."""
    indices = sorted({int(k.split(".")[0]) for k in before if k.endswith("weight")})
    for j, index in enumerate(indices):
        weight = before[f"{index}.weight"]
        mask = state.get(f"{index}.weight_mask")
        orig = state.get(f"{index}.weight_orig", state.get(f"{index}.weight"))
        if j == len(indices) - 1:
            if mask is not None and (mask == 0).any():
                checks.fail(f"{what}: the output layer was pruned; leave it alone")
        elif (
            mask is None or mask.shape != masks[j].T.shape or (_t08.numpy(mask) != masks[j].T).any()
        ):
            checks.fail(f"{what}: hidden Linear {j}: {MISTAKES['pruned_a_copy']}")
        if orig is None or not torch.equal(orig, weight):
            checks.fail(
                f"{what}: the weights of Linear {j} changed; pruning leaves them as they were "
                "(weight_orig) and adds weight_mask"
            )
        if not torch.equal(state.get(f"{index}.bias", torch.zeros(0)), before[f"{index}.bias"]):
            checks.fail(f"{what}: the bias of Linear {j} changed; leave the biases alone")


def check(answer, hidden=False, seed=None):
    """``answer(model, sparsity)`` prunes the hidden layers of ``model`` together, as
    ``mp.sparsity_masks(..., scope="global")`` does, and returns the masks."""
    references = checks.public(*REFERENCE)
    for net, sparsity in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected, wrong = _masks(net, sparsity)
        model = to_torch(net)
        before = _t08.state(model)
        what = f"global_l1_masks(model, {sparsity:.3g}) for {_t08.describe(net)}"
        with torch.random.fork_rng(devices=[]):
            answer_masks, state = checks.call(
                remote.asking(sys.modules[__name__], answer),
                net,
                sparsity,
                what=what,
                without=references,
                names=("net", "sparsity"),
            )
        masks = _read_masks(answer_masks, expected, what)
        checks.expect_no_mistake(
            masks, expected, wrong, {name: f"{what}: {hint}" for name, hint in MISTAKES.items()}
        )
        pruned, total = sum(int((m == 0).sum()) for m in masks), sum(e.size for e in expected)
        if pruned != sum(int((e == 0).sum()) for e in expected):
            checks.fail(
                f"{what} prunes {pruned} of the {total} hidden-layer weights; the hidden layers "
                "together lose round(sparsity * n) of them (a float amount)"
            )
        for j, (m, e) in enumerate(zip(masks, expected, strict=True)):
            checks.expect_equal(m, e, what=f"mask {j} of {what}")
        _judge_model(state, before, masks, what)
    checks.passed()
