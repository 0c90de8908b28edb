"""Losses, each returning the value and its gradient with respect to the prediction."""

import numpy as np

from ._checks import check_array, check_labels

__all__ = ["log_softmax", "softmax_cross_entropy", "mse", "LOSSES"]


def log_softmax(logits):
    """Row-wise ``log softmax`` by the log-sum-exp trick: stable for any finite logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    Parameters
    ----------
    logits : (n, k) array
    y : (n,) int array of labels in ``[0, k)``

    Returns
    -------
    loss : float
        ``-mean(log softmax(logits)[i, y_i])``.
    dlogits : (n, k) array
        ``(softmax(logits) - onehot(y)) / n``.
    """
    logits = check_array(logits, "logits", ndim=2, dtype=None)
    y = check_labels(y, "y", logits.shape[0], n_classes=logits.shape[1])
    n = logits.shape[0]
    logp = log_softmax(logits)
    loss = -logp[np.arange(n), y].mean()
    dlogits = np.exp(logp)
    dlogits[np.arange(n), y] -= 1.0
    dlogits /= n
    return float(loss), dlogits


def mse(pred, target):
    """Mean squared error ``mean((pred - target)**2) / 2`` and its gradient.

    The factor 1/2 is the seed articles' ``1/(2m) sum (h(x) - y)^2``: it makes the
    gradient ``(pred - target) / m`` with ``m`` the number of entries.

    Parameters
    ----------
    pred, target : arrays of the same shape
    """
    pred = check_array(pred, "pred", dtype=None)
    target = check_array(target, "target", dtype=None)
    if target.shape != pred.shape:
        if target.ndim == 1 and pred.ndim == 2 and pred.shape[1] == 1:
            target = target.reshape(-1, 1)
        else:
            raise ValueError(f"target must have the shape of pred {pred.shape}, got {target.shape}")
    diff = pred - target
    return float(0.5 * np.mean(diff * diff)), (diff / diff.size).astype(pred.dtype, copy=False)


LOSSES = {"cross_entropy": softmax_cross_entropy, "mse": mse}
