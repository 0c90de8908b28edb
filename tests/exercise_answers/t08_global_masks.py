"""Answers to exercise t08_global_masks: its known mistakes and correct alternatives."""

import copy

import torch
import torch.nn.utils.prune as prune
from torch import nn


def _hidden(model):
    return [m for m in model if isinstance(m, nn.Linear)][:-1]


def _global(model, sparsity, layers):
    prune.global_unstructured(
        [(lin, "weight") for lin in layers], pruning_method=prune.L1Unstructured, amount=sparsity
    )


def right(model, sparsity):
    layers = _hidden(model)
    _global(model, sparsity, layers)
    return [lin.weight_mask.numpy().T for lin in layers]


# ------------------------------------------------------------------ mistakes
def per_layer(model, sparsity):
    layers = _hidden(model)
    for lin in layers:
        prune.l1_unstructured(lin, "weight", amount=sparsity)
    return [lin.weight_mask.numpy().T for lin in layers]


def output_ranked(model, sparsity):
    linears = [m for m in model if isinstance(m, nn.Linear)]
    _global(model, sparsity, linears)
    return [lin.weight_mask.numpy().T for lin in linears[:-1]]


def torch_layout(model, sparsity):
    return [m.T for m in right(model, sparsity)]


def inverted(model, sparsity):
    return [1 - m for m in right(model, sparsity)]


def pruned_a_copy(model, sparsity):
    return right(copy.deepcopy(model), sparsity)


# --------------------------------------------------------------- alternatives
def tensors(model, sparsity):
    layers = _hidden(model)
    _global(model, sparsity, layers)
    return [lin.weight_mask.T for lin in layers]


def booleans(model, sparsity):
    return [m == 1 for m in right(model, sparsity)]


def ranked_by_hand(model, sparsity):
    """torch.topk over the hidden weights together, masks installed with custom_from_mask."""
    layers = _hidden(model)
    flat = torch.cat([lin.weight.detach().abs().double().reshape(-1) for lin in layers])
    k = round(sparsity * flat.numel())
    keep = torch.ones_like(flat)
    if k:
        keep[torch.topk(flat, k, largest=False).indices] = 0
    masks, start = [], 0
    for lin in layers:
        n = lin.weight.numel()
        mask = keep[start : start + n].reshape(lin.weight.shape).to(lin.weight.dtype)
        prune.custom_from_mask(lin, "weight", mask)
        masks.append(mask.T.numpy())
        start += n
    return masks


MISTAKES = {
    "per_layer": per_layer,
    "output_ranked": output_ranked,
    "torch_layout": torch_layout,
    "inverted": inverted,
    "pruned_a_copy": pruned_a_copy,
}
ALTERNATIVES = {"tensors": tensors, "booleans": booleans, "ranked_by_hand": ranked_by_hand}
NOT_APPLICABLE = {
    "mutating": "the prompt asks the answer to prune model in place (the model carries the "
    "masks) and sparsity is a float: nothing of the inputs must stay as it was but the "
    "weights and biases, which the check compares with what they were",
}
