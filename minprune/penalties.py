"""Weight penalties for sparsity, and the proximal step that makes exact zeros.

Each penalty has one signature: ``value(net)`` sums the penalty over every weight
matrix (biases are not penalised), ``grad(W)`` is its gradient for one matrix.
With a data loss ``L`` the regularised objective of the seed articles is

    L1:  L(theta) + lam * sum_j |w_j|
    L2:  L(theta) + lam / 2 * sum_j w_j**2

so the L1 gradient is ``lam * sign(w)`` (a subgradient: 0 at w = 0) and the L2
gradient is ``lam * w``.
"""

import numpy as np

from ._checks import check_array, check_network, check_nonnegative

__all__ = ["L1", "L2", "ElasticNet", "soft_threshold", "proximal_l1_step"]


class _Penalty:
    def value(self, net):
        """Penalty summed over the weight matrices of ``net``."""
        check_network(net)
        return float(sum(self.value_of(layer.W) for layer in net.layers))


class L1(_Penalty):
    """``l1 * sum |w|``; gradient ``l1 * sign(w)``."""

    def __init__(self, l1):
        self.l1 = check_nonnegative(l1, "l1")

    def value_of(self, W):
        return self.l1 * float(np.abs(W).sum())

    def grad(self, W):
        return (self.l1 * np.sign(W)).astype(W.dtype, copy=False)

    def __repr__(self):
        return f"L1(l1={self.l1:g})"


class L2(_Penalty):
    """``l2 / 2 * sum w**2``; gradient ``l2 * w``."""

    def __init__(self, l2):
        self.l2 = check_nonnegative(l2, "l2")

    def value_of(self, W):
        return 0.5 * self.l2 * float(np.sum(W * W, dtype=np.float64))

    def grad(self, W):
        return (self.l2 * W).astype(W.dtype, copy=False)

    def __repr__(self):
        return f"L2(l2={self.l2:g})"


class ElasticNet(_Penalty):
    """``l1 * sum |w| + l2 / 2 * sum w**2``."""

    def __init__(self, l1, l2):
        self._l1, self._l2 = L1(l1), L2(l2)
        self.l1, self.l2 = self._l1.l1, self._l2.l2

    def value_of(self, W):
        return self._l1.value_of(W) + self._l2.value_of(W)

    def grad(self, W):
        return self._l1.grad(W) + self._l2.grad(W)

    def __repr__(self):
        return f"ElasticNet(l1={self.l1:g}, l2={self.l2:g})"


def soft_threshold(W, threshold):
    """Proximal operator of ``threshold * |w|``: ``sign(w) * max(|w| - threshold, 0)``.

    Every weight with ``|w| <= threshold`` becomes exactly 0.

    Parameters
    ----------
    W : array
    threshold : float >= 0
    """
    W = check_array(W, "W")
    if not np.issubdtype(W.dtype, np.floating):
        W = W.astype(np.float64)
    threshold = check_nonnegative(threshold, "threshold")
    # the same as sign(W) * max(|W| - threshold, 0), but zeros come out as 0.0, never -0.0
    shrunk = np.where(np.abs(W) > threshold, W - threshold * np.sign(W), 0.0)
    return shrunk.astype(W.dtype, copy=False)


def proximal_l1_step(net, l1, lr):
    """After a gradient step on the data loss, apply ``soft_threshold(W, lr * l1)`` to every W.

    This is ISTA (proximal gradient descent): it minimises ``L + l1 * sum |w|``
    and, unlike the subgradient ``l1 * sign(w)``, leaves exact zeros. Masks are
    respected; a weight that the prox sets to zero is not pruned (it may grow back).
    """
    check_network(net)
    l1 = check_nonnegative(l1, "l1")
    lr = check_nonnegative(lr, "lr")
    for layer in net.layers:
        layer.W[...] = soft_threshold(layer.W, lr * l1) * layer.mask
    return net
