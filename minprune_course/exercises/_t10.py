"""Inputs shared by the exercises of topic 10: random LSTM/GRU layers, DigitsRNN models, keep sets.

Every layer and model is drawn from the case generator (its weights from a
``torch.Generator`` seeded by it), and torch's global random state is left as it was.
"""

import numpy as np
import torch
from torch import nn

from minprune.torchkit import rnn

CLASSES = {"lstm": nn.LSTM, "gru": nn.GRU}


def seed(rng):
    """A seed for a ``torch.Generator``, drawn from ``rng``."""
    return int(rng.integers(2**31))


def random_rnn(rng, cell, hidden, n_in, dtype=torch.float32):
    """A one-layer ``nn.LSTM``/``nn.GRU`` with standard normal weights and biases."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed(rng))
        layer = CLASSES[cell](n_in, hidden, batch_first=True)
    layer = layer.to(dtype)
    gen = torch.Generator().manual_seed(seed(rng))
    with torch.no_grad():
        for p in layer.parameters():
            p.normal_(generator=gen)
    return layer


def random_model(rng, cell, hidden, n_in, classes):
    """A ``DigitsRNN`` with random weights (float32), in eval mode."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed(rng))
        model = rnn.DigitsRNN(cell, hidden=hidden, num_classes=classes, input_size=n_in)
    model.rnn = random_rnn(rng, cell, hidden, n_in)
    gen = torch.Generator().manual_seed(seed(rng))
    with torch.no_grad():
        for p in model.fc.parameters():
            p.normal_(generator=gen)
    return model.eval()


def spec(layer):
    """An ``nn.LSTM``/``nn.GRU`` as plain data: its kind, sizes and ``state_dict``."""
    return {
        "cell": "lstm" if isinstance(layer, nn.LSTM) else "gru",
        "input_size": layer.input_size,
        "hidden_size": layer.hidden_size,
        "state": {k: v.detach().clone() for k, v in layer.state_dict().items()},
    }


def build(spec):
    """The layer ``spec`` describes, in the dtype of its tensors (torch's random state kept)."""
    with torch.random.fork_rng(devices=[]):
        layer = CLASSES[spec["cell"]](spec["input_size"], spec["hidden_size"], batch_first=True)
    layer = layer.to(spec["state"]["weight_ih_l0"].dtype)
    layer.load_state_dict(spec["state"])
    return layer


def keep(rng, hidden, kind="sorted"):
    """Unit indices to keep, as a list of ints.

    ``"sorted"``: some units, at least one and not all, in increasing order, not the first
    ``k`` (so taking the first ``k`` rows or columns is wrong); ``"shuffled"``: at least two
    units, not all, in an order that is not increasing; ``"all"``: every unit in order.
    """
    if kind == "all":
        return list(range(hidden))
    low = 2 if kind == "shuffled" else 1
    while True:
        k = int(rng.integers(low, hidden))
        chosen = [int(j) for j in rng.choice(hidden, size=k, replace=False)]
        if kind == "sorted":
            chosen.sort()
        if chosen != list(range(k)) and (kind == "sorted" or chosen != sorted(chosen)):
            return chosen


def as_list(keep):
    """``keep`` (a list, an array or a tensor) as a list of ints."""
    if isinstance(keep, torch.Tensor | np.ndarray):
        return [int(k) for k in keep.tolist()]
    return [int(k) for k in keep]


def plain(value):
    """A tensor as a NumPy array (anything else as it is)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return value
