"""Checks of exercises 08 (minprune to PyTorch): mistakes get their hints, not the answer."""

import pytest
import torch
import torch.nn.utils.prune as prune
from topic_checks import hint, master, pin_rng, run
from torch import nn

from minprune.torchkit import porting
from minprune_course import checks_08 as c

M = master("08")
OWN_WORK = "switched off while it runs"


# ------------------------------------------------------------------ port
def port_untransposed(net):
    model = M.port_to_torch(net)
    with torch.no_grad():
        for lin in [m for m in model if isinstance(m, nn.Linear)]:
            if lin.weight.shape[0] == lin.weight.shape[1]:
                lin.weight.copy_(lin.weight.T.clone())
    return model


def port_float32(net):
    return M.port_to_torch(net).float()


def port_no_activations(net):
    return nn.Sequential(*[m for m in M.port_to_torch(net) if isinstance(m, nn.Linear)])


def port_sharing_memory(net):
    model = M.port_to_torch(net)
    for lin, layer in zip([m for m in model if isinstance(m, nn.Linear)], net.layers):
        lin.weight = nn.Parameter(torch.from_numpy(layer.W.T))
    return model


# -------------------------------------------------------- pruning method
class AtLeast(prune.BasePruningMethod):
    PRUNING_TYPE = "unstructured"

    def __init__(self, threshold):
        self.threshold = threshold

    def compute_mask(self, t, default_mask):
        return default_mask * (t.abs() >= self.threshold).to(default_mask.dtype)


class IgnoresDefaultMask(AtLeast):
    def compute_mask(self, t, default_mask):
        return (t.abs() > self.threshold).to(default_mask.dtype)


class Signed(AtLeast):
    def compute_mask(self, t, default_mask):
        return default_mask * (t > self.threshold).to(default_mask.dtype)


class Structured(AtLeast):
    PRUNING_TYPE = "structured"

    def compute_mask(self, t, default_mask):
        return default_mask * (t.abs() > self.threshold).to(default_mask.dtype)


class NotAMethod:
    PRUNING_TYPE = "unstructured"


def an_instance():
    return M.KeepAboveThreshold(0.1)


# ------------------------------------------------------------ global masks
def masks_per_layer(model, sparsity):
    linears = [m for m in model if isinstance(m, nn.Linear)][:-1]
    for lin in linears:
        prune.l1_unstructured(lin, "weight", amount=sparsity)
    return [lin.weight_mask.numpy().T for lin in linears]


def masks_torch_layout(model, sparsity):
    return [m.T for m in M.global_l1_masks(model, sparsity)]


def masks_output_ranked_too(model, sparsity):
    linears = [m for m in model if isinstance(m, nn.Linear)]
    prune.global_unstructured(
        [(lin, "weight") for lin in linears], pruning_method=prune.L1Unstructured, amount=sparsity
    )
    return [lin.weight_mask.numpy().T for lin in linears[:-1]]


WRONG = [
    (c.check_port_to_torch, port_untransposed, "nn.Linear stores weight as (out_features"),
    (c.check_port_to_torch, port_float32, "keep the network's dtype"),
    (c.check_port_to_torch, port_no_activations, "check the activations"),
    (c.check_port_to_torch, port_sharing_memory, "copy the weights"),
    (c.check_threshold_method, AtLeast, "must be pruned (keep |w| > t)"),
    (c.check_threshold_method, Signed, "compare the magnitude |w|, not the signed w"),
    (c.check_threshold_method, Structured, "PRUNING_TYPE must be 'unstructured'"),
    (c.check_threshold_method, NotAMethod, "must subclass torch.nn.utils.prune.BasePruningMethod"),
    (c.check_threshold_method, an_instance(), "expected the class itself"),
    (c.check_global_l1_masks, masks_per_layer, "this prunes each layer on its own"),
    (c.check_global_l1_masks, masks_torch_layout, "transpose weight_mask"),
    (
        c.check_global_l1_masks,
        masks_output_ranked_too,
        ("the hidden layers together lose", "the output layer was pruned; leave it alone"),
    ),
]


@pytest.mark.parametrize(
    ("check", "answer", "text"),
    [
        pytest.param(*w, id=f"{w[0].__name__}-{getattr(w[1], '__name__', 'instance')}")
        for w in WRONG
    ],
)
def test_a_wrong_answer_gets_its_hint(check, answer, text):
    """A usual mistake fails, on the hidden battery, with the hint that names it."""
    texts = text if isinstance(text, tuple) else (text,)
    with pytest.raises(AssertionError, match="|".join(hint(t) for t in texts)):
        run(check, answer, hidden=True)


class UsesMinprune(AtLeast):
    def compute_mask(self, t, default_mask):
        return porting.ThresholdPruning(self.threshold).compute_mask(t, default_mask)


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (c.check_port_to_torch, lambda net: porting.to_torch(net)),
        (c.check_threshold_method, UsesMinprune),
    ],
    ids=["port", "method"],
)
def test_calling_minprune_is_switched_off(check, answer):
    """An answer that calls minprune's porting helpers fails and is told why."""
    with pytest.raises(AssertionError, match=OWN_WORK):
        run(check, answer)


def test_a_wrong_mask_does_not_show_the_right_one():
    """A mask with one entry flipped fails without the hint showing the expected mask."""
    right = []

    def flip_one(model, sparsity):
        masks = M.global_l1_masks(model, sparsity)
        right.append(masks[0].copy())
        masks[0][0, 0] = 1 - masks[0][0, 0]
        return masks

    with pytest.raises(AssertionError) as info:
        run(c.check_global_l1_masks, flip_one)
    assert repr(right[-1]) not in str(info.value) and str(right[-1]) not in str(info.value)


def test_ignoring_the_default_mask_gets_its_hint(monkeypatch):
    """A mask that brings pruned entries back is named (on a draw where it shows)."""
    pin_rng(monkeypatch, 0)
    with pytest.raises(AssertionError, match=hint("multiply by default_mask")):
        run(c.check_threshold_method, IgnoresDefaultMask, hidden=True)


def test_the_hidden_battery_always_shows_an_ignored_default_mask(monkeypatch):
    """Every draw has a pruned entry that an ignored default_mask brings back (19 had none)."""
    for seed in range(100):
        pin_rng(monkeypatch, seed)
        with pytest.raises(AssertionError, match=hint("multiply by default_mask")):
            run(c.check_threshold_method, IgnoresDefaultMask)


def test_the_master_passes_every_draw(monkeypatch):
    """The weight planted under a 0 of default_mask never fails the right method."""
    for seed in range(100):
        pin_rng(monkeypatch, seed)
        run(c.check_threshold_method, M.KeepAboveThreshold, hidden=True)
