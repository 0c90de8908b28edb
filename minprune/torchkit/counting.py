"""Parameters, nonzeros and multiply-adds of torch modules."""

import torch
from torch.utils.flop_counter import FlopCounterMode


def count_parameters(model):
    """Number of parameters (every entry of every parameter tensor)."""
    return sum(p.numel() for p in model.parameters())


def count_nonzeros(model):
    """Number of nonzero parameters; with ``torch.nn.utils.prune`` this reads the masked weights."""
    total = 0
    for module in model.modules():
        for name, p in module.named_parameters(recurse=False):
            if name.endswith("_orig"):
                p = getattr(module, name[: -len("_orig")])
            total += int(torch.count_nonzero(p))
    return total


def count_macs(model, example_input):
    """Multiply-adds of one forward pass on ``example_input`` (a batch), per sample.

    Counted by ``torch.utils.flop_counter`` (which reports 2 flops per multiply-add
    for matmuls and convolutions), so it is the dense count: masks do not reduce it.
    """
    if not isinstance(example_input, torch.Tensor) or example_input.ndim < 2:
        raise ValueError("example_input must be a batched tensor (first dimension = batch)")
    was_training = model.training
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(example_input)
    model.train(was_training)
    return counter.get_total_flops() // 2 // example_input.shape[0]
