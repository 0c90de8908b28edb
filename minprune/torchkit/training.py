"""Training and evaluating small torch classifiers on the course's data, seeded."""

import numpy as np
import torch
from torch import nn


def as_tensors(X, y, shape=None):
    """``(X, y)`` NumPy arrays as float32 and int64 tensors; ``shape`` reshapes each sample.

    ``shape=(1, 8, 8)`` turns flat digits into images for a CNN; ``(8, 8)`` into
    sequences of 8 rows for an RNN.
    """
    X = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    if shape is not None:
        X = X.reshape(len(X), *shape)
    return X, torch.as_tensor(np.asarray(y), dtype=torch.int64)


def accuracy(model, X, y, batch_size=1024):
    """Fraction of samples whose argmax logit equals the label (eval mode, no grad)."""
    was_training = model.training
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            logits = model(X[start : start + batch_size])
            correct += int((logits.argmax(dim=1) == y[start : start + batch_size]).sum())
    model.train(was_training)
    return correct / len(X)


def fit(
    model,
    X,
    y,
    epochs=10,
    batch_size=64,
    lr=0.05,
    momentum=0.9,
    weight_decay=0.0,
    penalty=None,
    after_step=None,
    seed=0,
):
    """Train ``model`` in place with SGD on cross-entropy; return the mean loss per epoch.

    Parameters
    ----------
    model : nn.Module returning logits
    X, y : tensors from ``as_tensors``
    penalty : callable ``penalty(model) -> scalar tensor`` added to the loss
        (Network Slimming's L1 on BatchNorm scales, for instance)
    after_step : callable ``after_step(model)`` run after every optimiser step
        (re-applying masks, a pruning schedule)
    seed : int
        Seeds the shuffling; initialise the model under ``torch.manual_seed`` too.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs={epochs!r} must be an int >= 1")
    generator = torch.Generator().manual_seed(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    losses = []
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator)
        total = 0.0
        for start in range(0, len(X), batch_size):
            idx = order[start : start + batch_size]
            opt.zero_grad()
            loss = loss_fn(model(X[idx]), y[idx])
            if penalty is not None:
                loss = loss + penalty(model)
            loss.backward()
            opt.step()
            if after_step is not None:
                after_step(model)
            total += loss.detach().item() * len(idx)
        losses.append(total / len(X))
    model.eval()
    return losses
