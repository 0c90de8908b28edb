"""Pruning recurrent networks: gate-aware hidden-unit removal and gradual weight pruning.

PyTorch stacks the gates of a recurrent layer into one matrix: ``weight_ih_l0``
is ``(G * H, I)`` and ``weight_hh_l0`` is ``(G * H, H)``, with ``G = 4`` blocks
``(i, f, g, o)`` for ``nn.LSTM`` and ``G = 3`` blocks ``(r, z, n)`` for ``nn.GRU``.
Hidden unit ``j`` owns row ``j`` of every block (rows ``g * H + j``) of both
matrices and of both biases, column ``j`` of ``weight_hh_l0`` (what the other
units read of it) and column ``j`` of the next layer's weight. Removing it
removes all of them together::

    keep = keep_top(unit_scores(model.rnn, "l2"), keep_fraction=0.5)   # surgery.keep_top
    small = shrink_rnn(model, keep)                                     # hidden size halved

With zero initial state a unit whose gate rows and biases are all zero outputs
exactly 0 at every step (``mask_units``), so the smaller network computes the
same outputs as the masked one.

Where things live: the scores and surgery of recurrent hidden units are here,
since a unit's weights are spread over the gate blocks; selecting from the
scores is ``surgery.keep_top``, and every keep-list passes ``minprune.check_keep``.
"""

import copy

import torch
from torch import nn

from minprune.pruning import sparsity_masks
from minprune.schedules import cubic_sparsity
from minprune.structured import check_keep

__all__ = [
    "GATES",
    "DigitsRNN",
    "gate_rows",
    "unit_scores",
    "mask_units",
    "shrink_rnn",
    "rnn_macs",
    "GradualRNNPruning",
]

GATES = {"lstm": 4, "gru": 3}
_CLASSES = {"lstm": nn.LSTM, "gru": nn.GRU}


class DigitsRNN(nn.Module):
    """An LSTM or GRU reading a sequence, its last hidden state fed to a linear classifier.

    Input ``(n, steps, input_size)`` (batch first; 8x8 digits read row by row are
    ``(n, 8, 8)``); output logits ``(n, num_classes)``. The initial state is zero.

    Parameters
    ----------
    cell : ``'lstm'`` or ``'gru'``
    hidden : int >= 1, the hidden size ``H``
    num_classes : int >= 1
    input_size : int >= 1, features per step
    """

    def __init__(self, cell="lstm", hidden=64, num_classes=10, input_size=8):
        super().__init__()
        if cell not in GATES:
            raise ValueError(f"cell={cell!r} must be 'lstm' or 'gru'")
        for name, value in (("hidden", hidden), ("num_classes", num_classes),
                            ("input_size", input_size)):  # fmt: skip
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}={value!r} must be an int >= 1")
        self.cell = cell
        self.rnn = _CLASSES[cell](input_size, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, num_classes)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


def _cell_of(rnn):
    """``'lstm'`` or ``'gru'`` for a one-layer, one-direction ``nn.LSTM``/``nn.GRU``."""
    if isinstance(rnn, nn.LSTM):
        cell = "lstm"
    elif isinstance(rnn, nn.GRU):
        cell = "gru"
    else:
        raise TypeError(
            f"rnn_module must be an nn.LSTM or nn.GRU, got {type(rnn).__name__} "
            "(for a DigitsRNN pass model.rnn)"
        )
    if rnn.num_layers != 1 or rnn.bidirectional or getattr(rnn, "proj_size", 0):
        raise ValueError(
            "only a one-layer, one-direction recurrent layer without projection is supported, "
            f"got num_layers={rnn.num_layers}, bidirectional={rnn.bidirectional}"
        )
    return cell


def _check_model(model):
    if not isinstance(model, DigitsRNN):
        raise TypeError(f"model must be a DigitsRNN, got {type(model).__name__}")
    return _cell_of(model.rnn)


def gate_rows(keep, hidden, cell):
    """Rows of ``weight_ih_l0``/``weight_hh_l0`` (and the biases) that belong to units ``keep``.

    Block by block, in the order of ``keep`` within each block:
    ``[g * hidden + k for g in range(G) for k in keep]``, which is the row layout
    of a layer whose hidden units are ``keep``.

    Returns
    -------
    LongTensor of shape ``(G * len(keep),)``
    """
    if cell not in GATES:
        raise ValueError(f"cell={cell!r} must be 'lstm' or 'gru'")
    keep = torch.as_tensor(keep, dtype=torch.long).reshape(-1)
    blocks = torch.arange(GATES[cell], dtype=torch.long, device=keep.device) * hidden
    return (blocks[:, None] + keep[None, :]).reshape(-1)


def unit_scores(rnn_module, kind="l1"):
    """One score per hidden unit from every weight that goes with it, across all gates.

    Unit ``j``'s weights are its rows in each gate block of ``weight_ih_l0`` and
    ``weight_hh_l0`` and its column of ``weight_hh_l0``; the entries
    ``weight_hh_l0[g * H + j, j]`` lie in a row and in the column and count once.
    Biases are not counted. ``'l1'`` sums their magnitudes, ``'l2'`` is their
    Euclidean norm. Scoring each gate block on its own would rank the units
    differently in each block, and a unit can only be removed from all of them.

    Parameters
    ----------
    rnn_module : one-layer ``nn.LSTM`` or ``nn.GRU``
    kind : ``'l1'`` or ``'l2'``

    Returns
    -------
    tensor of shape ``(H,)``
    """
    cell = _cell_of(rnn_module)
    if kind not in ("l1", "l2"):
        raise ValueError(f"kind={kind!r} must be 'l1' or 'l2'")
    H, G = rnn_module.hidden_size, GATES[cell]
    w_ih = rnn_module.weight_ih_l0.detach()
    w_hh = rnn_module.weight_hh_l0.detach()

    def per_unit(w, reduce):  # (G * H, n) -> (H,): every block's row j
        return reduce(w).reshape(G, H, -1).sum(dim=(0, 2))

    reduce = torch.abs if kind == "l1" else torch.square
    others = reduce(w_hh)  # column j without the rows of unit j, which count already
    own = torch.arange(H, device=w_hh.device)
    others.reshape(G, H, H)[:, own, own] = 0
    total = per_unit(w_ih, reduce) + per_unit(w_hh, reduce) + others.sum(dim=0)
    return total if kind == "l1" else torch.sqrt(total)


def mask_units(model, keep):
    """Copy of ``model`` with every hidden unit outside ``keep`` zeroed, shapes unchanged.

    For a removed unit ``j``: its gate rows of both weight matrices and both
    biases, its column of ``weight_hh_l0`` and its column of ``fc.weight`` are set
    to 0. All its gate pre-activations are then 0 at every step. LSTM: ``i = f =
    o = sigmoid(0) = 1/2`` and ``g = tanh(0) = 0``, so ``c_t = c_{t-1}/2 = 0`` and
    ``h_t = tanh(0)/2 = 0``. GRU: ``r = z = 1/2`` and ``n = tanh(0) = 0``, so
    ``h_t = h_{t-1}/2 = 0``. From the zero initial state the unit outputs exactly 0.
    """
    cell = _check_model(model)
    hidden = model.rnn.hidden_size
    keep = torch.as_tensor(check_keep(keep, hidden, what="hidden units"))
    drop = torch.ones(hidden, dtype=torch.bool)
    drop[keep] = False
    drop = torch.nonzero(drop).reshape(-1)
    masked = copy.deepcopy(model)
    drop = drop.to(model.fc.weight.device)
    rows = gate_rows(drop, hidden, cell)
    with torch.no_grad():
        for name, p in masked.rnn.named_parameters():
            p[rows] = 0
            if name.startswith("weight_hh"):
                p[:, drop] = 0
        masked.fc.weight[:, drop] = 0
    masked.rnn.flatten_parameters()  # one memory block again for cuDNN (no-op on a CPU)
    return masked


def shrink_rnn(model, keep):
    """A new, smaller ``DigitsRNN`` with hidden units ``keep`` (in that order); ``model`` is unchanged.

    The new ``nn.LSTM``/``nn.GRU`` has ``hidden_size = len(keep)``: the kept rows
    of each gate block of ``weight_ih_l0``, ``weight_hh_l0`` and both biases, the
    kept columns of ``weight_hh_l0``, and the kept input columns of ``fc``. Its
    outputs equal those of ``mask_units(model, keep)`` up to float rounding.
    """
    cell = _check_model(model)
    hidden = model.rnn.hidden_size
    keep = torch.as_tensor(check_keep(keep, hidden, what="hidden units"))
    keep = keep.to(model.fc.weight.device)
    rows = gate_rows(keep, hidden, cell)
    old = model.rnn
    small = DigitsRNN(cell, hidden=len(keep), num_classes=model.fc.out_features,
                      input_size=old.input_size)  # fmt: skip
    if not old.bias:
        small.rnn = _CLASSES[cell](old.input_size, len(keep), bias=False, batch_first=True)
    if model.fc.bias is None:
        small.fc = nn.Linear(len(keep), model.fc.out_features, bias=False)
    small = small.to(device=model.fc.weight.device, dtype=model.fc.weight.dtype)
    with torch.no_grad():
        for name, p in old.named_parameters():
            w = p.detach()[rows]
            if name.startswith("weight_hh"):
                w = w[:, keep]
            getattr(small.rnn, name).copy_(w)
        small.fc.weight.copy_(model.fc.weight.detach()[:, keep])
        if model.fc.bias is not None:
            small.fc.bias.copy_(model.fc.bias.detach())
    small.rnn.flatten_parameters()
    small.train(model.training)
    return small


def rnn_macs(model, steps):
    """Multiply-adds per sample of ``model`` on sequences of ``steps`` steps.

    ``steps * G * H * (I + H)`` for the recurrent layer's two matrix products plus
    ``H * num_classes`` for the classifier; the gates' element-wise work is not
    counted. (``counting.count_macs`` cannot see inside the fused oneDNN kernel
    that runs ``nn.LSTM`` on a CPU.)
    """
    cell = _check_model(model)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps={steps!r} must be an int >= 1")
    rnn = model.rnn
    H, n_in = rnn.hidden_size, rnn.input_size
    return steps * GATES[cell] * H * (n_in + H) + H * model.fc.out_features


class GradualRNNPruning:
    """``fit(after_step=...)`` callback: magnitude pruning of a recurrent layer on a schedule.

    Called after every optimiser step. At step ``begin_step``, every
    ``frequency`` steps after it and at ``end_step`` it prunes each of
    ``weight_ih_l0`` and ``weight_hh_l0`` to ``cubic_sparsity(step, ...)`` (Zhu &
    Gupta 2017) by magnitude, layer-wise (``minprune.sparsity_masks``: ties by
    position, weights already pruned stay pruned); after every step it multiplies
    the weights by their masks again, so pruned weights stay exactly 0 under SGD
    with momentum. Biases are not pruned. ``history`` holds ``(step, sparsity)``
    for each pruning; ``masks`` maps parameter names to 0/1 tensors. With
    ``begin_step = end_step = 1``, one call prunes to ``final_sparsity`` at once.

    Parameters
    ----------
    final_sparsity : float in [0, 1)
    begin_step, end_step : int, ``0 <= begin_step <= end_step``
    frequency : int >= 1
    names : the parameter names of ``model.rnn`` to prune
    """

    def __init__(self, final_sparsity, begin_step, end_step, frequency=10,
                 names=("weight_ih_l0", "weight_hh_l0")):  # fmt: skip
        cubic_sparsity(0, final_sparsity, begin_step, end_step)  # checks the arguments
        if isinstance(frequency, bool) or not isinstance(frequency, int) or frequency < 1:
            raise ValueError(f"frequency={frequency!r} must be an int >= 1")
        self.final_sparsity = final_sparsity
        self.begin_step, self.end_step, self.frequency = begin_step, end_step, frequency
        self.names = tuple(names)
        self.step = 0
        self.masks = {}
        self.history = []

    def _prune(self, model, sparsity):
        params = [getattr(model.rnn, name) for name in self.names]
        scores = [p.detach().abs().cpu().double().numpy() for p in params]
        for name, s in zip(self.names, scores):
            if name in self.masks:  # pruned weights rank lowest and stay pruned
                s[self.masks[name].cpu().numpy() == 0] = -float("inf")
        for name, p, m in zip(self.names, params, sparsity_masks(scores, sparsity)):
            self.masks[name] = torch.as_tensor(m, dtype=p.dtype, device=p.device)
        self.history.append((self.step, sparsity))

    def __call__(self, model):
        _check_model(model)
        self.step += 1
        step = self.step
        if self.begin_step <= step <= self.end_step and (
            (step - self.begin_step) % self.frequency == 0 or step == self.end_step
        ):
            self._prune(
                model,
                cubic_sparsity(step, self.final_sparsity, self.begin_step, self.end_step),
            )
        with torch.no_grad():
            for name, mask in self.masks.items():
                getattr(model.rnn, name).mul_(mask)
