"""Structured pruning: remove whole neurons and layers, in three steps.

    scores = neuron_importance(net, 0, "incoming_l2")     # score: one number per neuron
    keep = select_neurons(scores, fraction=0.5)           # select: indices to keep
    small = remove_neurons(net, 0, keep)                  # apply: a new, smaller network

Hidden layer ``l`` is the output of ``net.layers[l]``; its neurons are the columns
of ``W_l : (n_in, n_out)`` and the entries of ``b_l``, and they feed the rows of
``W_{l+1}``. Every score has one signature, ``score(net, layer, X=None, rng=None, y=None)``,
returns one number per neuron, and higher always means more important;
``random_neuron_scores`` is the control every other criterion must beat. Only
``taylor`` reads the labels ``y``; ``neuron_importance`` passes ``y`` on only when
it is given, so a score of your own that needs no labels may leave it out:
``neuron_importance`` takes a score's name or any function ``score(net, layer, X, rng)``.
``fraction`` always means the share removed (``select_neurons(scores, fraction=0.25)``
removes a quarter). Every keep-list, here and in ``minprune.torchkit``, passes
through ``check_keep``. Two ways to apply a keep-list:

* ``neuron_mask`` zeroes the incoming weights and bias (same shapes, same speed);
* ``remove_neurons`` cuts the columns and rows out (smaller matrices, faster).

Their outputs agree to rounding, for every activation: a masked neuron still
outputs the constant ``f(0)`` (``sigmoid(0) = 0.5``), which surgery folds into
``b_{l+1}``. The same folding removes neurons that are constant on the data
(``fold_constant_neurons``); ``merge_duplicate_neurons`` joins neurons that
compute the same function; ``remove_layer`` collapses a whole layer.
"""

from collections import namedtuple

import numpy as np

from ._checks import (
    check_array,
    check_choice,
    check_fraction,
    check_network,
    check_nonnegative,
    check_rng,
)
from .activations import ACTIVATIONS
from .layers import Dense
from .network import Network
from .pruning import score_function
from .train import _check_data

__all__ = [
    "incoming_l1",
    "incoming_l2",
    "outgoing_l1",
    "outgoing_l2",
    "mean_activation",
    "activation_variance",
    "apoz",
    "taylor",
    "random_neuron_scores",
    "NEURON_SCORES",
    "neuron_importance",
    "check_keep",
    "select_neurons",
    "neuron_mask",
    "remove_neurons",
    "fold_constant_neurons",
    "MergeGroup",
    "merge_duplicate_neurons",
    "remove_layer",
]


# ------------------------------------------------------------------ checks
def _check_hidden_layer(net, layer, name="layer"):
    """Return ``layer`` after checking it indexes a hidden layer of ``net``."""
    check_network(net)
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(layer).__name__} {layer!r}")
    last = len(net.layers) - 1
    if layer < 0:
        raise ValueError(
            f"{name}={layer} is negative; the input has no neurons to remove: "
            f"hidden layers are 0..{last - 1}"
        )
    if layer > last:
        raise ValueError(f"{name}={layer} is out of range: the network has {last + 1} layers")
    if layer == last:
        raise ValueError(
            f"{name}={layer} is the output layer; only hidden layers 0..{last - 1} can be pruned"
            if last
            else f"{name}={layer} is the output layer and the network has no hidden layer"
        )
    return int(layer)


def _check_elementwise(net, layer):
    if net.layers[layer].activation == "softmax":
        raise ValueError(
            f"layer {layer} uses softmax, which couples its neurons; removing or merging "
            "neurons needs an elementwise activation"
        )


def check_keep(keep, n, name="keep", what="neurons"):
    """Return the keep-list ``keep`` as an int array of distinct indices in ``[0, n)``.

    The one check of every keep-list: neurons here, channels and hidden units in
    ``minprune.torchkit``. The indices stay in the order given.

    Parameters
    ----------
    keep : list, array or torch tensor of int
        Indices of what stays.
    n : int
        How many there are to choose from.
    name : str
        The argument's name, used in the error messages.
    what : str
        What the indices count, used in the error messages: ``'neurons of layer 0'``.

    Returns
    -------
    keep : (k,) intp array, ``1 <= k <= n``

    Raises
    ------
    TypeError
        If ``keep`` is not a 1-D list of ints (floats, a boolean mask, a nested list).
    ValueError
        If it is empty, holds an index outside ``[0, n)`` or one index twice.
    """
    if hasattr(keep, "detach"):  # a torch tensor, on any device
        keep = keep.detach().cpu().numpy()
    try:
        arr = np.asarray(keep)
    except ValueError:
        arr = np.asarray(keep, dtype=object)
    expected = f"a 1-D list of int indices of the {what} to keep"
    if arr.ndim != 1:
        raise TypeError(f"{name} must be {expected}, got a {arr.ndim}-D array of shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(
            f"{name} is empty: removing all {n} {what} leaves no layer; "
            f"expected at least one index in [0, {n})"
        )
    if arr.dtype == bool:
        raise TypeError(
            f"{name} must be {expected}, got a boolean mask; pass its indices, np.flatnonzero(mask)"
        )
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(
            f"{name} must be {expected}, got {arr.dtype} values such as {arr.tolist()[0]!r}"
        )
    outside = arr[(arr < 0) | (arr >= n)]
    if outside.size:
        raise ValueError(
            f"{name} holds index {outside[0]} outside [0, {n}), the indices of the {n} {what}"
        )
    values, counts = np.unique(arr, return_counts=True)
    if values.size != arr.size:
        raise ValueError(
            f"{name} holds index {values[counts > 1][0]} twice; expected each of the {what} "
            "at most once"
        )
    return arr.astype(np.intp)


def _forward_to(net, X, layer, why):
    """Forward caches ``[(input, Z, A), ...]`` of layers ``0..layer`` over ``X``.

    Only those layers run. ``why`` names the caller in the error raised without ``X``.
    """
    if X is None:
        raise ValueError(f"{why} needs data: pass X of shape (n, {net.layers[0].n_in})")
    A = net._check_X(X)
    caches = []
    for dense in net.layers[: layer + 1]:
        A, cache = dense.forward(A)
        caches.append(cache)
    return caches


def _activation(net, X, layer, why):
    """The activation ``A : (n, n_out)`` of hidden layer ``layer`` over ``X``."""
    return _forward_to(net, X, layer, why)[-1][2]


def _f0(layer):
    """The constant output ``f(0)`` of a neuron whose weights and bias are all zero."""
    return float(ACTIVATIONS[layer.activation][0](np.zeros(1))[0])


# ------------------------------------------------------------------ scores
def incoming_l1(net, layer, X=None, rng=None, y=None):
    """L1 norm of each neuron's incoming weights: ``sum_i |W_l[i, j]|``, shape ``(n_out,)``."""
    layer = _check_hidden_layer(net, layer)
    W = net.layers[layer].W
    return np.abs(W).sum(axis=0, dtype=np.float64)


def incoming_l2(net, layer, X=None, rng=None, y=None):
    """L2 norm of each neuron's incoming weights: ``||W_l[:, j]||``, shape ``(n_out,)``."""
    layer = _check_hidden_layer(net, layer)
    W = net.layers[layer].W.astype(np.float64)
    return np.sqrt(np.sum(W * W, axis=0))


def outgoing_l1(net, layer, X=None, rng=None, y=None):
    """L1 norm of each neuron's outgoing weights: ``sum_k |W_{l+1}[j, k]|``, shape ``(n_out,)``."""
    layer = _check_hidden_layer(net, layer)
    W = net.layers[layer + 1].W
    return np.abs(W).sum(axis=1, dtype=np.float64)


def outgoing_l2(net, layer, X=None, rng=None, y=None):
    """L2 norm of each neuron's outgoing weights: ``||W_{l+1}[j, :]||``, shape ``(n_out,)``."""
    layer = _check_hidden_layer(net, layer)
    W = net.layers[layer + 1].W.astype(np.float64)
    return np.sqrt(np.sum(W * W, axis=1))


def mean_activation(net, layer, X=None, rng=None, y=None):
    """Mean absolute activation over ``X : (n, n_in)``, shape ``(n_out,)``.

    For relu and sigmoid, whose outputs are >= 0, this is the plain mean; for
    tanh the absolute value stops a neuron swinging between -1 and 1 scoring 0.
    """
    layer = _check_hidden_layer(net, layer)
    A = _activation(net, X, layer, "mean_activation")
    return np.abs(A).mean(axis=0, dtype=np.float64)


def activation_variance(net, layer, X=None, rng=None, y=None):
    """Variance of each neuron's activation over ``X : (n, n_in)``, shape ``(n_out,)``.

    A neuron with variance 0 is constant on the data: its job can be done by the
    next layer's bias (``fold_constant_neurons``).
    """
    layer = _check_hidden_layer(net, layer)
    A = _activation(net, X, layer, "activation_variance")
    return A.astype(np.float64).var(axis=0)


def apoz(net, layer, X=None, rng=None, y=None):
    """``1 - APoZ``: the fraction of samples of ``X`` on which a relu neuron is nonzero.

    APoZ, the Average Percentage of Zeros (Hu et al. 2016), is the fraction of
    samples on which the neuron outputs exactly 0; a high APoZ marks an
    unimportant neuron. The score is ``1 - APoZ`` so that, as for every score
    here, higher means more important. Shape ``(n_out,)``.

    Raises
    ------
    ValueError
        If the layer's activation is not relu (other activations are never exactly 0).
    """
    layer = _check_hidden_layer(net, layer)
    act = net.layers[layer].activation
    if act != "relu":
        raise ValueError(f"apoz counts the zeros of relu; layer {layer} has activation {act!r}")
    A = _activation(net, X, layer, "apoz")
    return 1.0 - np.mean(A == 0, axis=0, dtype=np.float64)


def taylor(net, layer, X=None, rng=None, y=None):
    """First-order Taylor estimate of the loss change when each neuron is removed.

    Masking neuron ``j`` zeroes its incoming weights and bias, so its pre-activation
    ``z_j`` becomes 0 and it outputs ``f(0)``, exactly what ``remove_neurons`` keeps.
    To first order the loss ``L`` (the mean over ``X, y``) then changes by

        dL ~ -sum_i W_l[i, j] dL/dW_l[i, j] - b_l[j] dL/db_l[j] = -sum_n z_nj dL/dz_nj,

    and the score is its square, ``(sum over the neuron's weights of w * g)**2``
    (Molchanov et al. 2019; their 2017 criterion ``|sum_n a_nj dL/da_nj|`` gives the
    same order for relu, where ``z dL/dz = a dL/da``). Unlike ``saliency``, which
    takes ``|w * g|`` weight by weight, the products are summed over the neuron first:
    removing it moves all its weights at once, and their effects can cancel.

    Parameters
    ----------
    net : Network
    layer : int
    X : (n, n_in) array, the data the loss is measured on
    rng : unused
    y : (n,) labels (targets for ``loss='mse'``)

    Returns
    -------
    scores : (n_out,) float64 array, ``>= 0``; 0 for a neuron the loss does not feel
    """
    layer = _check_hidden_layer(net, layer)
    if X is None or y is None:
        raise ValueError(
            f"taylor needs data and labels: pass X of shape (n, {net.layers[0].n_in}) and "
            "y of shape (n,)"
        )
    X, y = _check_data(net, X, y, "X", "y")
    _, grads = net.loss_and_grads(X, y)
    dense, g = net.layers[layer], grads[layer]
    W, b = dense.W.astype(np.float64), dense.b.astype(np.float64)
    first_order = np.sum(W * g["W"], axis=0) + b * g["b"]
    return first_order * first_order


def random_neuron_scores(net, layer, X=None, rng=None, y=None):
    """Uniform random scores from ``rng``, shape ``(n_out,)``: the control every criterion must beat.

    A criterion that removes neurons no better than these scores has learned
    nothing about the network. ``rng`` is a Generator or a seed.
    """
    layer = _check_hidden_layer(net, layer)
    return check_rng(rng).random(net.layers[layer].n_out)


NEURON_SCORES = {
    "incoming_l1": incoming_l1,
    "incoming_l2": incoming_l2,
    "outgoing_l1": outgoing_l1,
    "outgoing_l2": outgoing_l2,
    "mean_activation": mean_activation,
    "activation_variance": activation_variance,
    "apoz": apoz,
    "taylor": taylor,
    "random": random_neuron_scores,
}


def neuron_importance(net, layer, criterion="incoming_l2", X=None, rng=None, y=None):
    """Score the neurons of hidden layer ``layer`` by ``criterion``.

    Parameters
    ----------
    net : Network
    layer : int
        Hidden layer, ``0 <= layer < len(net.layers) - 1``.
    criterion : str or callable
        A key of ``NEURON_SCORES``, or a function ``score(net, layer, X=None, rng=None)``
        returning one score per neuron (with ``y=None`` too if it reads labels).
    X : (n, n_in) array or None
        Data, needed by the activation-based criteria and ``'taylor'``.
    rng : Generator or seed, for ``criterion='random'``
    y : (n,) labels or None
        Needed by ``'taylor'``; passed on to the criterion only when given.

    Returns
    -------
    scores : (n_out,) float64 array, higher = more important
    """
    layer = _check_hidden_layer(net, layer)
    score = score_function(criterion, NEURON_SCORES)
    labels = {} if y is None else {"y": y}
    scores = check_array(score(net, layer, X=X, rng=rng, **labels), "scores", dtype=np.float64)
    n = net.layers[layer].n_out
    if scores.shape != (n,):
        raise ValueError(
            f"criterion {getattr(score, '__name__', score)!r} returned scores of shape "
            f"{scores.shape}; expected ({n},), one per neuron of layer {layer}"
        )
    return scores


# ------------------------------------------------------------------ select
def select_neurons(scores, n_remove=None, fraction=None):
    """Indices of the neurons to keep: all but the ``n_remove`` lowest scores.

    Parameters
    ----------
    scores : (n,) array
        Higher = more important.
    n_remove : int, optional
        How many neurons to remove.
    fraction : float in [0, 1), optional
        Remove ``round(fraction * n)`` neurons (rounded as ``torch.nn.utils.prune``
        rounds its ``amount``). Give exactly one of ``n_remove`` and ``fraction``.

    Returns
    -------
    keep : (n - n_remove,) int array, sorted ascending

    Ties are broken by position, as in ``sparsity_masks``: scores are sorted with
    a stable sort, so among equal scores the lower index is removed first.
    """
    scores = check_array(scores, "scores", ndim=1)
    n = scores.shape[0]
    if (n_remove is None) == (fraction is None):
        raise ValueError(
            "give exactly one of n_remove (an int count) and fraction (a float in [0, 1))"
        )
    if fraction is not None:
        n_remove = int(round(check_fraction(fraction, "fraction") * n))
    elif isinstance(n_remove, bool) or not isinstance(n_remove, (int, np.integer)):
        raise TypeError(
            f"n_remove must be an int count, got {type(n_remove).__name__} {n_remove!r}"
            " (use fraction= for a share of the neurons)"
        )
    if not 0 <= n_remove < n:
        what = "all" if n_remove == n else "more than the"
        raise ValueError(
            f"n_remove={n_remove} would remove {what} {n} neurons of the layer; "
            f"it must be in [0, {n - 1}] so that at least one neuron stays"
        )
    order = np.argsort(scores, kind="stable")
    return np.sort(order[n_remove:])


# ------------------------------------------------------------------ apply
def neuron_mask(net, layer, keep):
    """Mask every neuron of hidden layer ``layer`` not in ``keep``, in place.

    Zeroes column ``j`` of ``W_l`` and ``b_l[j]`` through ``Dense.apply_mask``, so
    they stay zero through training. The masked neuron still outputs the constant
    ``f(0)`` into the next layer: 0 for relu, tanh and identity, but 0.5 for sigmoid.

    Parameters
    ----------
    net : Network
    layer : int
    keep : (k,) int array, indices of the neurons that stay

    Returns
    -------
    net : the same Network, for chaining
    """
    layer = _check_hidden_layer(net, layer)
    dense = net.layers[layer]
    keep = np.sort(check_keep(keep, dense.n_out, what=f"neurons of layer {layer}"))
    b_mask = np.zeros_like(dense.b)
    b_mask[keep] = 1.0
    dense.apply_mask(np.broadcast_to(b_mask, dense.W.shape), b_mask)
    return net


def _rebuild(net, layer, keep, next_W, next_mask, bias_shift):
    """A new network with hidden layer ``layer`` cut to ``keep`` and the next layer given.

    ``bias_shift : (n_next,)`` is added to ``b_{l+1}``; where it is nonzero the
    bias mask is opened, since that bias now carries the removed neurons' output.
    """
    cur, nxt = net.layers[layer], net.layers[layer + 1]
    b_next = nxt.b + bias_shift.astype(nxt.b.dtype)
    b_mask_next = np.where(bias_shift != 0, 1.0, nxt.b_mask)
    layers = [d.copy() for d in net.layers]
    layers[layer] = Dense(
        cur.W[:, keep], cur.b[keep], cur.activation, cur.mask[:, keep], cur.b_mask[keep]
    )
    next_W = np.asarray(next_W, dtype=nxt.W.dtype)
    layers[layer + 1] = Dense(next_W, b_next, nxt.activation, next_mask, b_mask_next)
    return Network.from_layers(layers, net.loss_name)


def remove_neurons(net, layer, keep):
    """A new, smaller network without the neurons of hidden layer ``layer`` not in ``keep``.

    Cuts the removed columns out of ``W_l``, ``b_l`` and their masks, and the
    matching rows out of ``W_{l+1}`` and its mask. The outputs equal those of the
    masked network ``neuron_mask(net.copy(), layer, keep)`` (to rounding), for
    every elementwise activation: a masked neuron is not silent, it outputs the
    constant ``f(0)`` (``sigmoid(0) = 0.5``), which reaches the next layer as
    ``f(0) * W_{l+1}[j, :]``. Surgery therefore adds that amount to ``b_{l+1}``
    for each removed ``j``; for relu and tanh ``f(0) = 0`` and nothing is added.

    Parameters
    ----------
    net : Network (left unchanged)
    layer : int
        Hidden layer, ``0 <= layer < len(net.layers) - 1``.
    keep : (k,) int array
        Indices of the neurons that stay, as from ``select_neurons``.

    Returns
    -------
    Network with ``W_l : (n_in, k)``, ``b_l : (k,)`` and ``W_{l+1} : (k, n_next)``.
    """
    layer = _check_hidden_layer(net, layer)
    _check_elementwise(net, layer)
    cur, nxt = net.layers[layer], net.layers[layer + 1]
    keep = np.sort(check_keep(keep, cur.n_out, what=f"neurons of layer {layer}"))
    gone = np.setdiff1d(np.arange(cur.n_out), keep)
    shift = _f0(cur) * nxt.W[gone].sum(axis=0, dtype=np.float64)
    return _rebuild(net, layer, keep, nxt.W[keep], nxt.mask[keep], shift)


def fold_constant_neurons(net, layer, X, tol=1e-6):
    """Remove the neurons that are constant on ``X``, folding their value into ``b_{l+1}``.

    A neuron whose activation over the data varies by at most ``tol``
    (``max - min <= tol``) acts as a constant ``a_j`` (its mean over ``X``): a
    dead relu (always 0) or a saturated sigmoid (always about 0 or 1). Removing
    it and adding ``a_j * W_{l+1}[j, :]`` to ``b_{l+1}`` changes the next layer's
    pre-activation on ``X`` by at most ``tol * sum_k |W_{l+1}[j, k]|`` per
    neuron; for a dead relu ``a_j = 0`` exactly and nothing changes. If every
    neuron is constant, the lowest-index one is kept so the layer is not emptied.

    Parameters
    ----------
    net : Network (left unchanged)
    layer : int
    X : (n, n_in) array, the data the neurons are constant on
    tol : float >= 0

    Returns
    -------
    new_net : Network
    removed : int array, the original indices of the folded neurons
    """
    layer = _check_hidden_layer(net, layer)
    _check_elementwise(net, layer)
    tol = check_nonnegative(tol, "tol")
    A = _activation(net, X, layer, "fold_constant_neurons").astype(np.float64)
    constant = np.flatnonzero(A.max(axis=0) - A.min(axis=0) <= tol)
    if constant.size == A.shape[1]:
        constant = constant[1:]
    keep = np.setdiff1d(np.arange(A.shape[1]), constant)
    nxt = net.layers[layer + 1]
    shift = A[:, constant].mean(axis=0) @ nxt.W[constant].astype(np.float64)
    return _rebuild(net, layer, keep, nxt.W[keep], nxt.mask[keep], shift), constant


MergeGroup = namedtuple("MergeGroup", ["kept", "merged", "weight_gap", "activation_gap"])
MergeGroup.__doc__ = """Neurons merged into one.

kept : int, the neuron that stays (the lowest index of the group)
merged : tuple of int, the neurons folded into it
weight_gap : float, largest ``|c_i - c_kept|`` over the group, ``c = [W_l[:, j]; b_l[j]]``
activation_gap : float or None, largest ``|a_i - a_kept|`` over ``X`` (None without ``X``)
"""


def merge_duplicate_neurons(net, layer, X=None, tol=1e-6):
    """Merge neurons with (near-)identical incoming weights and bias into one.

    Two neurons whose columns ``c_j = [W_l[:, j]; b_l[j]]`` are equal compute the
    same function, so the next layer sees ``a_j * (W_{l+1}[i, :] + W_{l+1}[j, :])``:
    keep one and add the other's outgoing row into its row. For exact duplicates
    the outputs are unchanged. Neurons are grouped greedily: in index order, each
    ungrouped neuron takes every later ungrouped neuron within ``tol`` (largest
    absolute difference) of its column. A merged row's mask is the union of the
    group's row masks, so no outgoing weight is lost.

    Near-duplicates (``0 < gap <= tol``) change the output; each group reports
    its ``weight_gap`` and, with ``X``, its ``activation_gap``: the largest change
    in a merged neuron's input to the next layer is ``activation_gap`` times its
    outgoing weights.

    Parameters
    ----------
    net : Network (left unchanged)
    layer : int
    X : (n, n_in) array or None, data on which to measure ``activation_gap``
    tol : float >= 0

    Returns
    -------
    new_net : Network
    merged_groups : list of MergeGroup, one per group of two or more neurons
    """
    layer = _check_hidden_layer(net, layer)
    _check_elementwise(net, layer)
    tol = check_nonnegative(tol, "tol")
    cur, nxt = net.layers[layer], net.layers[layer + 1]
    A = (
        None
        if X is None
        else _activation(net, X, layer, "merge_duplicate_neurons").astype(np.float64)
    )
    C = np.vstack([cur.W, cur.b[None, :]]).astype(np.float64)
    n = cur.n_out
    owner = np.full(n, -1)
    groups = []
    for j in range(n):
        if owner[j] >= 0:
            continue
        gap = np.abs(C - C[:, [j]]).max(axis=0)
        members = np.flatnonzero((owner < 0) & (gap <= tol))
        owner[members] = j
        if members.size > 1:
            others = members[1:]
            act_gap = None
            if A is not None:
                act_gap = float(np.abs(A[:, others] - A[:, [j]]).max())
            groups.append(
                MergeGroup(j, tuple(int(i) for i in others), float(gap[others].max()), act_gap)
            )
    keep = np.flatnonzero(owner == np.arange(n))
    next_W = np.zeros((n, nxt.n_out), dtype=np.float64)
    np.add.at(next_W, owner, nxt.W.astype(np.float64))
    next_mask = np.zeros((n, nxt.n_out), dtype=nxt.mask.dtype)
    np.maximum.at(next_mask, owner, nxt.mask)
    new = _rebuild(net, layer, keep, next_W[keep], next_mask[keep], np.zeros(nxt.n_out))
    return new, groups


def remove_layer(net, layer, method="exact", X=None):
    """A new network without hidden layer ``layer``: layers ``l`` and ``l+1`` become one.

    ``method='exact'`` needs a linear layer (activation ``'identity'``), for which
    ``f(X W_l + b_l) W_{l+1} + b_{l+1} = X W' + b'`` with

        W' = W_l @ W_{l+1},    b' = b_l @ W_{l+1} + b_{l+1},

    and the outputs are unchanged. The new mask keeps an entry wherever some path
    through the removed layer was unmasked.

    ``method='lstsq'`` works for any activation: on data ``X`` it fits ``W', b'``
    by least squares from the removed layer's input to the next layer's
    pre-activation. This is only the best linear stand-in on ``X``: accuracy
    drops and the network needs retraining afterwards.

    Parameters
    ----------
    net : Network (left unchanged)
    layer : int
        Hidden layer, ``0 <= layer < len(net.layers) - 1``.
    method : {'exact', 'lstsq'}
    X : (n, n_in) array, required for ``'lstsq'``

    Returns
    -------
    Network with one layer less; the merged layer is ``(n_in_l, n_out_{l+1})``
    with layer ``l+1``'s activation.
    """
    layer = _check_hidden_layer(net, layer)
    check_choice(method, "method", ("exact", "lstsq"))
    cur, nxt = net.layers[layer], net.layers[layer + 1]
    W1, b1 = cur.W.astype(np.float64), cur.b.astype(np.float64)
    W2, b2 = nxt.W.astype(np.float64), nxt.b.astype(np.float64)
    if method == "exact":
        if cur.activation != "identity":
            raise ValueError(
                f"layer {layer} has activation {cur.activation!r}; only a linear ('identity') "
                "layer can be removed exactly. Use method='lstsq' with X for a linear fit "
                "(then retrain)"
            )
        W, b = W1 @ W2, b1 @ W2 + b2
        mask = (cur.mask.astype(np.float64) @ nxt.mask > 0).astype(np.float64)
        b_mask = ((cur.b_mask.astype(np.float64) @ nxt.mask > 0) | (nxt.b_mask > 0)).astype(
            np.float64
        )
    else:
        caches = _forward_to(net, X, layer + 1, "method='lstsq'")
        H = caches[layer][0].astype(np.float64)
        Z = caches[layer + 1][1].astype(np.float64)
        H1 = np.hstack([H, np.ones((H.shape[0], 1))])
        theta = np.linalg.lstsq(H1, Z, rcond=None)[0]
        W, b = theta[:-1], theta[-1]
        mask = b_mask = None
    dtype = net.dtype
    merged = Dense(W.astype(dtype), b.astype(dtype), nxt.activation, mask, b_mask)
    layers = [d.copy() for d in net.layers]
    layers[layer : layer + 2] = [merged]
    return Network.from_layers(layers, net.loss_name)
