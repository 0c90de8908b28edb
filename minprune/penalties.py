"""Weight penalties for sparsity, and the proximal step that makes exact zeros.

Each penalty has one signature: ``value(net)`` sums the penalty over every weight
matrix (biases are not penalised), ``grad(W)`` is its gradient for one matrix.
With a data loss ``L`` the regularised objective of the seed articles is

    L1:  L(theta) + lam * sum_j |w_j|
    L2:  L(theta) + lam / 2 * sum_j w_j**2

so the L1 gradient is ``lam * sign(w)`` (a subgradient: 0 at w = 0) and the L2
gradient is ``lam * w``.

The group lasso (Yuan & Lin 2006) penalises whole groups of weights: with the
groups the rows of each ``W : (n_in, n_out)``, row ``j`` being input ``j``'s
outgoing weights,

    group lasso:  L(theta) + lam * sum_j ||W[j, :]||_2 ,

and its proximal step (block soft-thresholding) sets a whole row to exactly 0,
so a hidden neuron whose outgoing row is 0 can be removed without changing any
output (Wen et al. 2016 use such groups to learn structured sparsity).
"""

import numpy as np

from ._checks import check_array, check_choice, check_network, check_nonnegative

__all__ = [
    "L1",
    "L2",
    "ElasticNet",
    "GroupLasso",
    "soft_threshold",
    "proximal_l1_step",
    "group_soft_threshold",
    "proximal_group_lasso_step",
    "ProximalGroupLasso",
]

GROUPS = ("outgoing", "incoming")


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


def _group_axis(group):
    """The axis a group's norm runs along: rows (1) for outgoing, columns (0) for incoming."""
    return 1 if check_choice(group, "group", GROUPS) == "outgoing" else 0


def _group_norms(W, axis):
    """``||group||_2`` of every row (``axis=1``) or column (``axis=0``), kept as a 2-D array."""
    W = W.astype(np.float64)
    return np.sqrt(np.sum(W * W, axis=axis, keepdims=True))


class GroupLasso(_Penalty):
    """``lam * sum_j ||w_j||_2`` over groups ``w_j`` of each W; gradient ``lam * w_j / ||w_j||``.

    ``group='outgoing'`` takes the rows of ``W : (n_in, n_out)`` (input ``j``'s
    outgoing weights: for ``W_{l+1}`` the outgoing weights of hidden neuron ``j``);
    ``group='incoming'`` the columns (neuron ``j``'s incoming weights). The norm is
    not squared, so, like ``|w|`` for one weight, its pull does not weaken as the
    group shrinks; at ``||w_j|| = 0`` the gradient is taken as 0 (a subgradient).
    Use the proximal step (``ProximalGroupLasso``) for exact zeros.
    """

    def __init__(self, lam, group="outgoing"):
        self.lam = check_nonnegative(lam, "lam")
        self.axis = _group_axis(group)
        self.group = group

    def value_of(self, W):
        return self.lam * float(_group_norms(W, self.axis).sum())

    def grad(self, W):
        norms = _group_norms(W, self.axis)
        unit = np.divide(W, norms, out=np.zeros(W.shape), where=norms > 0)
        return (self.lam * unit).astype(W.dtype, copy=False)

    def __repr__(self):
        return f"GroupLasso(lam={self.lam:g}, group={self.group!r})"


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


def group_soft_threshold(W, threshold, group="outgoing"):
    """Proximal operator of ``threshold * sum_j ||w_j||_2``: block soft-thresholding.

    Each group (a row of ``W`` for ``'outgoing'``, a column for ``'incoming'``) is
    shrunk towards 0 by ``threshold`` along its own direction,

        w_j <- max(0, 1 - threshold / ||w_j||) * w_j ,

    so a group with ``||w_j|| <= threshold`` becomes exactly 0 as a whole, and the
    others keep their direction. For groups of one weight this is ``soft_threshold``.

    Parameters
    ----------
    W : (n_in, n_out) array
    threshold : float >= 0
    group : {'outgoing', 'incoming'}
    """
    W = check_array(W, "W", ndim=2)
    if not np.issubdtype(W.dtype, np.floating):
        W = W.astype(np.float64)
    threshold = check_nonnegative(threshold, "threshold")
    norms = _group_norms(W, _group_axis(group))
    keep = norms > threshold
    scale = 1.0 - threshold / np.where(keep, norms, 1.0)
    # zeroed groups come out as 0.0, never -0.0, as in soft_threshold
    return np.where(keep, W * scale, 0.0).astype(W.dtype, copy=False)


def proximal_group_lasso_step(net, lam, lr, group="outgoing", layers=None):
    """After a gradient step, apply ``group_soft_threshold(W, lr * lam, group)`` to the W of ``layers``.

    Proximal gradient descent on ``L + lam * sum_j ||w_j||_2``, as ``proximal_l1_step``
    is for L1: groups that the data loss does not hold up go to exactly 0, each as a
    whole. Masks are respected.

    Parameters
    ----------
    net : Network, changed in place
    lam, lr : float >= 0
    group : {'outgoing', 'incoming'}
    layers : list of int or None
        Indices into ``net.layers``; None means every layer. The outgoing groups of
        hidden layer ``l``'s neurons are the rows of ``net.layers[l + 1].W``.

    Returns
    -------
    net : the same Network, for chaining
    """
    check_network(net)
    lam = check_nonnegative(lam, "lam")
    lr = check_nonnegative(lr, "lr")
    _group_axis(group)
    n = len(net.layers)
    if layers is not None and not isinstance(layers, (list, tuple, range, np.ndarray)):
        raise TypeError(f"layers must be a list of layer indices or None, got {layers!r}")
    chosen = range(n) if layers is None else layers
    for i in chosen:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < n:
            raise ValueError(f"layers holds {i!r}; expected indices into net.layers, 0..{n - 1}")
    for i in chosen:
        dense = net.layers[i]
        dense.W[...] = group_soft_threshold(dense.W, lr * lam, group) * dense.mask
    return net


class ProximalGroupLasso:
    """Training callback: the group-lasso proximal step after every optimiser step.

    ``train(net, X, y, callbacks=[ProximalGroupLasso(lam, layers=[1])])`` minimises
    ``L + lam * sum_j ||w_j||_2`` over the groups of ``net.layers[1].W`` by proximal
    gradient descent, with the optimiser's ``lr`` as the step, as ``proximal=True``
    does for L1.

    Parameters
    ----------
    lam : float >= 0
    group : {'outgoing', 'incoming'}
    layers : list of int or None, as in ``proximal_group_lasso_step``
    """

    def __init__(self, lam, group="outgoing", layers=None):
        self.lam = check_nonnegative(lam, "lam")
        _group_axis(group)
        self.group, self.layers = group, layers

    def on_step_end(self, net, state):
        lr = getattr(state["optimizer"], "lr", None)
        if lr is None:
            raise TypeError("ProximalGroupLasso needs an optimizer with a learning rate lr")
        proximal_group_lasso_step(net, self.lam, lr, self.group, self.layers)

    def __repr__(self):
        return f"ProximalGroupLasso(lam={self.lam:g}, group={self.group!r}, layers={self.layers})"
