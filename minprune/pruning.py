"""Unstructured (weight) pruning in three steps: score, select, apply.

    scores = magnitude(net)                             # score: one array per layer, W's shape
    masks = sparsity_masks(scores, 0.8, scope="global") # select: 0/1 arrays
    apply_masks(net, masks)                             # apply: multiplied into the old masks

or all three at once: ``prune(net, sparsity=0.8, scope="global")``.

Every score has one signature, ``score(net, layers=None, grads=None, rng=None)``,
and returns one array per index in ``layers`` (default: every layer but the
output, see ``prunable_layers``) with the shape and dtype of that layer's ``W``;
higher means more important. ``param="b"`` scores the biases instead. Every
selector takes a list of score arrays, so every criterion works with every
selector.

Pruning before training scores a network at initialisation: ``snip_scores(net,
X, y)`` from one batch (Lee et al. 2019), ``synflow_scores(net)`` from no data at
all, and ``synflow_prune(net, sparsity, rounds)`` re-scores after each of several
rounds (Tanaka et al. 2020).

The rules, stated once:

* A pruned weight (mask 0) scores ``-inf``. Selectors never keep a ``-inf``
  score, so pruning again never brings a weight back.
* ``threshold_masks`` keeps ``score > threshold``, strictly: with magnitude
  scores a weight with ``|w| == threshold`` is pruned. (With ``>=`` it would be
  kept, and the result would depend on the rounding of equal values.)
* ``sparsity_masks`` prunes exactly ``round(sparsity * n)`` of the ``n`` scores
  (Python's ``round``, half to even, as ``torch.nn.utils.prune`` does). The
  target is the total sparsity: weights already pruned score lowest and are
  counted first, so pruning to 0.5 and then to 0.7 leaves 70 % zeros, not 85 %.
* Ties are broken by position: scores are sorted with a stable sort, so among
  equal scores the one with the lower flat index is pruned first. The flat index
  runs row-major through ``W`` (``W[0, 0], W[0, 1], ...``); with
  ``scope="global"`` it runs through the layers in the order of ``layers``.
"""

import numbers

import numpy as np

from ._checks import (
    check_choice,
    check_fraction,
    check_network,
    check_nonnegative,
    check_positive_int,
    check_rng,
)
from .metrics import prunable_layers

__all__ = [
    "magnitude",
    "squared_magnitude",
    "saliency",
    "random_scores",
    "snip_scores",
    "synflow_scores",
    "synflow_prune",
    "SCORES",
    "threshold_masks",
    "sparsity_masks",
    "std_thresholds",
    "std_masks",
    "apply_masks",
    "prune",
    "layer_indices",
    "score_function",
]

SCOPES = ("layer", "global")


# ------------------------------------------------------------------ checks
def layer_indices(net, layers=None, include_output=False):
    """The layer indices to prune: ``layers`` checked, or ``prunable_layers(net, include_output)``.

    Parameters
    ----------
    net : Network
    layers : list of int, optional
        Distinct indices in ``[0, len(net.layers))``.
    include_output : bool
        With ``layers=None``, also name the output layer.

    Returns
    -------
    list of int
    """
    check_network(net)
    if layers is None:
        return prunable_layers(net, include_output)
    n = len(net.layers)
    if isinstance(layers, (str, bytes, numbers.Number)) or not hasattr(layers, "__iter__"):
        raise TypeError(f"layers must be a list of layer indices, got {layers!r}")
    layers = list(layers)
    if not all(isinstance(i, numbers.Integral) and not isinstance(i, bool) for i in layers):
        raise TypeError(f"layers must hold int layer indices, got {layers!r}")
    if any(not 0 <= i < n for i in layers):
        raise ValueError(f"layers={layers!r} must hold indices in [0, {n})")
    if len(set(layers)) != len(layers):
        raise ValueError(f"layers={layers!r} names a layer twice")
    return [int(i) for i in layers]


def _check_like(arrays, net, layers, param, name):
    """One array per layer index, each of the shape of that layer's ``param``."""
    if isinstance(arrays, np.ndarray) or not isinstance(arrays, (list, tuple)):
        raise TypeError(
            f"{name} must be a list of arrays, one per layer, got {type(arrays).__name__}"
        )
    if len(arrays) != len(layers):
        raise ValueError(f"{name} has {len(arrays)} arrays for {len(layers)} layers {layers}")
    out = []
    for j, (a, i) in enumerate(zip(arrays, layers)):
        a = np.asarray(a)
        expected = getattr(net.layers[i], param).shape
        if a.shape != expected:
            raise ValueError(
                f"{name}[{j}] has shape {a.shape}, expected {expected} like layer {i}'s {param}"
            )
        out.append(a)
    return out


def _check_scores(scores):
    """Float arrays with no NaN and no +inf (``-inf`` marks a pruned weight)."""
    if isinstance(scores, np.ndarray) or not isinstance(scores, (list, tuple)):
        raise TypeError(f"scores must be a list of arrays, got {type(scores).__name__}")
    out = []
    for j, s in enumerate(scores):
        s = np.asarray(s)
        if not np.issubdtype(s.dtype, np.floating):
            s = s.astype(np.float64)
        if np.isnan(s).any() or np.isposinf(s).any():
            raise ValueError(f"scores[{j}] contains NaN or +inf; expected finite scores or -inf")
        out.append(s)
    return out


# ------------------------------------------------------------------ scores
def _masked(net, layers, param, raw):
    """``raw(i, p)`` for each layer's parameter ``p``, in ``p``'s dtype, ``-inf`` where pruned."""
    check_choice(param, "param", ("W", "b"))
    out = []
    for i in layer_indices(net, layers):
        layer = net.layers[i]
        p, mask = (layer.W, layer.mask) if param == "W" else (layer.b, layer.b_mask)
        s = np.asarray(raw(i, p), dtype=p.dtype)
        out.append(np.where(mask == 0, -np.inf, s).astype(p.dtype, copy=False))
    return out


def magnitude(net, layers=None, grads=None, rng=None, param="W"):
    """``|w|``, the L1 criterion (Han et al. 2015). ``grads`` and ``rng`` are unused.

    Returns
    -------
    scores : list of arrays, ``scores[j] : W.shape`` for layer ``layers[j]``
    """
    return _masked(net, layers, param, lambda i, p: np.abs(p))


def squared_magnitude(net, layers=None, grads=None, rng=None, param="W"):
    """``w ** 2``, the L2 criterion. It orders single weights exactly as ``|w|`` does,
    so it selects the same weights; the two differ only for groups (see ``structured``).
    A threshold applies to ``w ** 2``: ``threshold=0.25`` keeps ``|w| > 0.5``."""
    return _masked(net, layers, param, lambda i, p: p * p)


def saliency(net, layers=None, grads=None, rng=None, param="W"):
    """``|w * dL/dw|``: the first-order Taylor estimate of the loss change when ``w`` is
    zeroed (Molchanov et al. 2017). Needs ``grads`` from ``net.loss_and_grads(X, y)``."""
    layers = layer_indices(net, layers)
    if grads is None:
        raise ValueError("criterion 'saliency' needs grads: pass grads=net.loss_and_grads(X, y)[1]")
    if len(grads) != len(net.layers):
        raise ValueError(
            f"grads must have one entry per layer ({len(net.layers)}), got {len(grads)}"
        )

    def raw(i, p):
        g = np.asarray(grads[i][param])
        if g.shape != p.shape:
            raise ValueError(f"grads[{i}][{param!r}] has shape {g.shape}, expected {p.shape}")
        return np.abs(p * g)

    return _masked(net, layers, param, raw)


def random_scores(net, layers=None, grads=None, rng=None, param="W"):
    """Uniform random scores from ``rng``: the control every criterion must beat."""
    rng = check_rng(rng)
    return _masked(net, layers, param, lambda i, p: rng.random(p.shape, dtype=p.dtype))


# ------------------------------------------------- scores at initialisation
def snip_scores(net, X, y, layers=None):
    """SNIP's connection sensitivity ``|w * dL/dw|`` on one batch (Lee et al. 2019).

    Meant for a network at initialisation: SNIP scores every weight once, on one
    batch of training data, prunes, and only then trains. It is ``saliency`` with
    the gradients of the loss on ``(X, y)``; the paper divides every score by the
    sum of all of them, which changes no ranking and so no mask.

    Parameters
    ----------
    net : Network
    X : (n, n_in) array; y : (n,) labels
        One batch of training data.
    layers : list of int, optional
        Which layers to score (default: every layer but the output).

    Returns
    -------
    scores : list of arrays, ``scores[j] : W.shape`` for layer ``layers[j]``
    """
    layers = layer_indices(net, layers)
    _, grads = net.loss_and_grads(X, y)
    return saliency(net, layers, grads=grads)


def synflow_scores(net, layers=None, grads=None, rng=None, param="W"):
    """SynFlow's data-free scores ``|w * dR/dw|`` (Tanaka et al. 2020).

    ``R = 1^T |W_1| |W_2| ... |W_L| 1`` is the sum of the outputs of the network
    with every weight replaced by its absolute value, biases and activations left
    out, on an all-ones input. For ``W_l : (n_in, n_out)`` this gives the closed form
    ``score_ij = a_i |W_l,ij| c_j`` with ``a = 1^T |W_1| ... |W_(l-1)|`` (the flow into
    the layer) and ``c = |W_(l+1)| ... |W_L| 1`` (the flow out of it). Every layer's
    scores sum to ``R`` (the conservation law behind SynFlow): a layer of few weights
    gets large scores. No data is used; ``grads`` and ``rng`` are unused, so the
    function has the score signature and works with every selector.

    Parameters
    ----------
    net : Network
    layers : list of int, optional
        Which layers to score (default: every layer but the output); ``R`` always
        runs through every layer.
    param : ``'W'``
        SynFlow scores weights only.

    Returns
    -------
    scores : list of arrays, ``scores[j] : W.shape`` for layer ``layers[j]``, ``-inf``
        where a weight is pruned
    """
    check_network(net)
    check_choice(param, "param", ("W",))
    flows = [np.abs(layer.W * layer.mask).astype(np.float64) for layer in net.layers]
    into = [np.ones(flows[0].shape[0])]
    for A in flows[:-1]:
        into.append(into[-1] @ A)
    out_of = [np.ones(flows[-1].shape[1])]
    for A in flows[:0:-1]:
        out_of.insert(0, A @ out_of[0])
    return _masked(net, layers, param, lambda i, p: into[i][:, None] * flows[i] * out_of[i])


def synflow_prune(net, sparsity, rounds=100, layers=None):
    """Iterative SynFlow: prune ``net`` in place to ``sparsity`` in ``rounds`` global rounds.

    Round ``k`` re-scores with ``synflow_scores`` and prunes to the total sparsity
    ``1 - (1 - sparsity) ** (k / rounds)`` with one ranking across ``layers``, the
    exponential schedule of Tanaka et al. (2020). Re-scoring after each round is what
    keeps every layer connected at extreme sparsity; one round (``rounds=1``) is
    single-shot SynFlow, which can empty the large layers.

    Parameters
    ----------
    net : Network
    sparsity : float in [0, 1)
        The total fraction of the weights of ``layers`` pruned after the last round.
    rounds : int >= 1
    layers : list of int, optional
        Which layers (default: every layer but the output).

    Returns
    -------
    net
    """
    sparsity = check_fraction(sparsity, "sparsity")
    rounds = check_positive_int(rounds, "rounds")
    layers = layer_indices(net, layers)
    for k in range(1, rounds + 1):
        target = sparsity if k == rounds else 1.0 - (1.0 - sparsity) ** (k / rounds)
        masks = sparsity_masks(synflow_scores(net, layers), target, scope="global")
        apply_masks(net, masks, layers)
    return net


SCORES = {
    "magnitude": magnitude,
    "l1": magnitude,
    "squared_magnitude": squared_magnitude,
    "l2": squared_magnitude,
    "saliency": saliency,
    "random": random_scores,
}


def score_function(criterion, scores=None):
    """The score function named ``criterion``, or ``criterion`` itself if it is a function.

    Parameters
    ----------
    criterion : str or callable
        A key of ``scores``, or a function with the score signature of its family.
    scores : dict, optional
        The family's named scores: ``SCORES`` (weights, the default) or
        ``NEURON_SCORES`` (neurons, see ``structured``).

    Returns
    -------
    callable
    """
    scores = SCORES if scores is None else scores
    if callable(criterion):
        return criterion
    if not isinstance(criterion, str):
        raise TypeError(
            f"criterion must be a score name ({', '.join(scores)}) or a function, "
            f"got {type(criterion).__name__} {criterion!r}"
        )
    return scores[check_choice(criterion, "criterion", scores)]


# ---------------------------------------------------------------- selectors
def threshold_masks(scores, threshold):
    """Keep the weights whose score is strictly above ``threshold``.

    Parameters
    ----------
    scores : list of arrays
    threshold : float >= 0
        Compared in the scores' dtype (a float32 weight equal to ``float32(t)`` is pruned).

    Returns
    -------
    masks : list of 0/1 arrays, each of its scores' shape and dtype
    """
    threshold = check_nonnegative(threshold, "threshold")
    return [(s > threshold).astype(s.dtype) for s in _check_scores(scores)]


def _prune_lowest(flat, k):
    """0/1 keep-vector that drops the ``k`` lowest scores (stable: lower index first) and ``-inf``."""
    keep = np.ones_like(flat)
    keep[np.argsort(flat, kind="stable")[:k]] = 0
    keep[np.isneginf(flat)] = 0
    return keep


def sparsity_masks(scores, sparsity, scope="layer"):
    """Prune the ``round(sparsity * n)`` lowest scores.

    Parameters
    ----------
    scores : list of arrays
    sparsity : float in [0, 1)
        The total fraction to prune, counting weights already pruned (score ``-inf``).
        If more than that are already pruned, they stay pruned and nothing else is.
    scope : ``'layer'`` or ``'global'``
        ``'layer'``: ``n`` is each array's size, every layer gets the same sparsity.
        ``'global'``: one ranking across all arrays; layers whose scores are small
        lose more, and at high sparsity a layer can lose every weight (layer
        collapse). Layer-wise pruning leaves ``n - round(sparsity * n)`` weights in
        each layer, at least one whenever ``sparsity * n <= n - 1``.

    Returns
    -------
    masks : list of 0/1 arrays, each of its scores' shape and dtype
    """
    sparsity = check_fraction(sparsity, "sparsity")
    check_choice(scope, "scope", SCOPES)
    scores = _check_scores(scores)
    if scope == "layer":
        return [_prune_lowest(s.ravel(), round(sparsity * s.size)).reshape(s.shape) for s in scores]
    if not scores:
        return []
    flat = np.concatenate([s.ravel().astype(np.float64) for s in scores])
    keep = _prune_lowest(flat, round(sparsity * flat.size))
    ends = np.cumsum([s.size for s in scores])[:-1]
    return [k.reshape(s.shape).astype(s.dtype) for k, s in zip(np.split(keep, ends), scores)]


def std_thresholds(net, q, layers=None):
    """Per-layer thresholds ``t_l = q * std(W_l)`` (Han et al. 2015).

    The standard deviation (``ddof=0``) is taken over the surviving weights
    (mask 1) only: zeros left by earlier rounds would shrink it, so the same
    ``q`` would prune less and less in an iterative loop.
    """
    q = check_nonnegative(q, "q")
    out = []
    for i in layer_indices(net, layers):
        alive = net.layers[i].W[net.layers[i].mask != 0]
        out.append(q * float(np.std(alive, dtype=np.float64)) if alive.size else 0.0)
    return out


def std_masks(net, q, layers=None):
    """Keep ``|w| > q * std(W_l)`` in each layer (see ``std_thresholds``).

    Returns
    -------
    masks : list of 0/1 arrays, ``masks[j] : W.shape`` for layer ``layers[j]``
    """
    layers = layer_indices(net, layers)
    scores = magnitude(net, layers)
    return [threshold_masks([s], t)[0] for s, t in zip(scores, std_thresholds(net, q, layers))]


# ------------------------------------------------------------------- apply
def apply_masks(net, masks, layers=None, b_masks=None):
    """Multiply ``masks`` into the masks of ``net.layers[i]`` for ``i`` in ``layers``, in place.

    Uses ``Dense.apply_mask``: a pruned weight stays pruned, and the weights are zeroed.

    Parameters
    ----------
    masks : list of 0/1 arrays, ``masks[j] : W.shape`` of layer ``layers[j]``
    layers : list of int, default every layer but the output
    b_masks : list of 0/1 arrays of the biases' shapes, optional

    Returns
    -------
    net
    """
    layers = layer_indices(net, layers)
    masks = _check_like(masks, net, layers, "W", "masks")
    b_masks = None if b_masks is None else _check_like(b_masks, net, layers, "b", "b_masks")
    for j, i in enumerate(layers):
        net.layers[i].apply_mask(masks[j], None if b_masks is None else b_masks[j])
    return net


def prune(
    net,
    sparsity=None,
    threshold=None,
    criterion="magnitude",
    scope="layer",
    layers=None,
    include_output=False,
    include_biases=False,
    grads=None,
    rng=None,
):
    """Score, select and apply in one call; ``net`` is pruned in place and returned.

    Parameters
    ----------
    net : Network
    sparsity : float in [0, 1), optional
        Prune to this total sparsity (``sparsity_masks``).
    threshold : float >= 0, optional
        Keep ``score > threshold`` (``threshold_masks``). Give exactly one of the two.
    criterion : name in ``SCORES`` or a function with the score signature
    scope : ``'layer'`` or ``'global'`` (for ``sparsity``)
    layers : list of int, optional
        Which layers; overrides ``include_output``.
    include_output : bool
        Also prune the output layer's ``W`` (left alone by default: every class needs it).
    include_biases : bool
        Also prune biases, scored by the same criterion (``param="b"``) and selected
        on their own, so a bias never competes with a weight.
    grads : gradients from ``net.loss_and_grads``, for ``criterion='saliency'``
    rng : Generator or seed, for ``criterion='random'``
    """
    if (sparsity is None) == (threshold is None):
        raise ValueError(
            "give exactly one of sparsity and threshold, got "
            f"sparsity={sparsity!r} and threshold={threshold!r}"
        )
    if sparsity is not None:
        sparsity = check_fraction(sparsity, "sparsity")
        check_choice(scope, "scope", SCOPES)
    else:
        threshold = check_nonnegative(threshold, "threshold")
    score = score_function(criterion)
    layers = layer_indices(net, layers, include_output)
    rng = check_rng(rng)

    def select(scores, param, name):
        scores = _check_like(scores, net, layers, param, name)
        if sparsity is not None:
            return sparsity_masks(scores, sparsity, scope)
        return threshold_masks(scores, threshold)

    masks = select(score(net, layers, grads=grads, rng=rng), "W", "scores")
    b_masks = None
    if include_biases:
        b_masks = select(score(net, layers, grads=grads, rng=rng, param="b"), "b", "bias scores")
    return apply_masks(net, masks, layers, b_masks)
