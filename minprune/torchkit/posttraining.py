"""Post-training pruning of a transformer, without retraining: magnitude, Wanda, SparseGPT.

Large language models are pruned after training, one linear layer at a time, from a
few hundred calibration sequences and no gradient. Each layer ``y = W x + b``, with
``W : (out, in)``, is pruned so that its outputs on the calibration inputs
``X : (n, in)`` change as little as possible::

    calib = split.train[:16, :64]                                  # calibration tokens
    pruned, errors = prune_model(model, "wanda", 0.5, calib)       # or "sparsegpt", ...
    X = calibration_inputs(model, calib)["blocks.0.mlp.fc1"]       # what one layer reads

The criteria are separate from the selection, as everywhere in minprune: a score
function returns one score per weight (higher = keep), ``select_per_row``,
``select_per_layer`` and ``select_n_m`` turn any scores into a 0/1 mask.

- **Magnitude**: score ``|W_ij|``. Blind to the inputs.
- **Wanda** (Sun et al. 2023, *A Simple and Effective Pruning Approach for Large
  Language Models*): score ``|W_ij| * ||X_j||_2``, the weight times the norm of the
  input feature it multiplies, compared within each output row. A small weight on a
  feature with huge activations (the outlier features of large models) matters more
  than a larger weight on a feature that is almost always zero.
- **SparseGPT** (Frantar & Alistarh 2023, *Massive Language Models Can Be Accurately
  Pruned in One-Shot*): the optimal brain surgeon (Hassibi & Stork 1993) made cheap.
  The layer's error ``||W X^T - W' X^T||^2`` has Hessian ``H = 2 X^T X``, the same for
  every row. Removing weight ``w_j`` and letting the other weights absorb the error
  optimally changes the row by ``delta = -w_j [H^-1]_{:,j} / [H^-1]_jj`` at a cost
  ``w_j^2 / [H^-1]_jj``. SparseGPT goes column by column, left to right: it removes
  the chosen weights of column ``j`` in every row and updates only the columns to
  its right, so the inverse Hessian it needs at column ``j`` is that of the columns
  ``j, j+1, ...`` alone. All of them are read off one Cholesky factor ``U`` of
  ``H^-1`` (upper triangular, ``H^-1 = U^T U``): row ``j`` of ``U`` is
  ``[H_F^-1]_{j,F} / sqrt([H_F^-1]_jj)`` for ``F = {j, j+1, ...}``. ``H`` is
  dampened first, ``H + damp * mean(diag H) * I``: with fewer calibration inputs
  than features (or dead features) ``X^T X`` is singular, and even when it is not,
  tiny eigenvalues make the update explode.
"""

import copy

import torch
from torch import nn
from torch.nn import functional as F

from minprune._checks import check_fraction
from minprune.structured import check_keep

from .gpt import TinyGPT

__all__ = [
    "METHODS",
    "prunable_layers",
    "calibration_inputs",
    "magnitude_scores",
    "wanda_scores",
    "select_per_row",
    "select_per_layer",
    "select_n_m",
    "hessian",
    "inverse_hessian_cholesky",
    "obs_column_update",
    "sparsegpt",
    "prune_model",
    "reconstruction_error",
    "head_scores",
    "mlp_unit_scores",
    "mask_structured",
    "shrink",
]

METHODS = ("magnitude", "wanda", "sparsegpt", "random")
LAYERS = ("attn.q", "attn.k", "attn.v", "attn.out", "mlp.fc1", "mlp.fc2")


# ------------------------------------------------------------------ checks
def _check_matrix(W, name="W"):
    if not isinstance(W, torch.Tensor) or W.ndim != 2 or not W.is_floating_point():
        got = f"{type(W).__name__} of shape {tuple(getattr(W, 'shape', ()))}"
        raise ValueError(f"{name} must be a 2-D floating-point torch tensor, got {got}")
    return W.detach()


def _check_inputs(W, X):
    W = _check_matrix(W)
    X = _check_matrix(X, "X")
    if X.shape[1] != W.shape[1]:
        raise ValueError(
            f"X must be (n, in) with in = W.shape[1] = {W.shape[1]} (one row per input "
            f"vector), got X of shape {tuple(X.shape)}"
        )
    return W, X


def _check_model(model):
    if not isinstance(model, TinyGPT):
        raise TypeError(f"model must be a TinyGPT, got {type(model).__name__}")


def _check_n_m(n_m):
    ok = (
        isinstance(n_m, tuple | list)
        and len(n_m) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in n_m)
        and 1 <= n_m[0] <= n_m[1]
    )
    if not ok:
        raise ValueError(f"n_m={n_m!r} must be a pair of ints (n, m) with 1 <= n <= m")
    return tuple(n_m)


# ------------------------------------------------------------------ inputs
def prunable_layers(model):
    """``{name: nn.Linear}`` of every block's ``q, k, v, out, fc1, fc2``, in forward order.

    The embeddings and the head are left dense, as the papers leave them.
    """
    _check_model(model)
    modules = dict(model.named_modules())
    return {
        f"blocks.{i}.{part}": modules[f"blocks.{i}.{part}"]
        for i in range(len(model.blocks))
        for part in LAYERS
    }


def calibration_inputs(model, tokens, layers=None):
    """The inputs ``X`` each linear layer reads on a calibration batch, by forward hooks.

    Parameters
    ----------
    model : TinyGPT
    tokens : (batch, T) int64 tensor, e.g. windows of the training split
    layers : names of ``nn.Linear`` modules (default: ``prunable_layers(model)``)

    Returns
    -------
    dict ``{name: X}``, ``X : (batch * T, in_features)``, one row per position
    """
    _check_model(model)
    if not isinstance(tokens, torch.Tensor) or tokens.ndim != 2 or tokens.is_floating_point():
        raise ValueError(
            f"tokens must be a (batch, T) integer tensor, got {type(tokens).__name__} "
            f"of shape {tuple(getattr(tokens, 'shape', ()))}"
        )
    modules = dict(model.named_modules())
    names = list(prunable_layers(model) if layers is None else layers)
    for name in names:
        if not isinstance(modules.get(name), nn.Linear):
            raise ValueError(f"layers holds {name!r}, which is not an nn.Linear of the model")
    captured = {}

    def hook(name):
        def save(module, inputs, output):
            captured[name] = inputs[0].detach().reshape(-1, inputs[0].shape[-1])

        return save

    handles = [modules[name].register_forward_hook(hook(name)) for name in names]
    try:
        with torch.no_grad():
            model(tokens)
    finally:
        for handle in handles:
            handle.remove()
    return {name: captured[name] for name in names}


# ------------------------------------------------------------------ scores
def magnitude_scores(W):
    """``|W|``: the magnitude criterion, one score per weight of ``W : (out, in)``."""
    return _check_matrix(W).abs()


def wanda_scores(W, X):
    """Wanda's ``|W_ij| * ||X_j||_2`` (Sun et al. 2023).

    Parameters
    ----------
    W : (out, in) weight, as ``nn.Linear`` stores it
    X : (n, in) calibration inputs, one row per input vector; ``||X_j||_2`` is the
        norm of column ``j``, feature ``j`` over all ``n`` inputs

    Returns
    -------
    scores : (out, in) tensor of W's dtype
    """
    W, X = _check_inputs(W, X)
    return W.abs() * torch.linalg.vector_norm(X.to(W.dtype), dim=0)[None, :]


# ------------------------------------------------------------------ selection
def _drop_lowest(scores, k):
    """0/1 mask of ``scores``'s shape dropping the ``k`` lowest of each row (lower index first
    among ties, as a stable ascending sort)."""
    order = torch.sort(scores, dim=1, stable=True).indices[:, :k]
    return torch.ones_like(scores).scatter_(1, order, 0.0)


def select_per_row(scores, sparsity):
    """Drop the ``round(sparsity * in)`` lowest scores of each row of ``scores : (out, in)``.

    Every output row loses the same share, as Wanda compares: a row of small scores
    keeps as many weights as a row of large ones. Among equal scores the lower column
    index is dropped first (``minprune.sparsity_masks``'s rule).

    Returns
    -------
    mask : tensor of ``scores``'s shape and dtype, 1.0 kept, 0.0 pruned
    """
    scores = _check_matrix(scores, "scores")
    sparsity = check_fraction(sparsity, "sparsity")
    return _drop_lowest(scores, round(sparsity * scores.shape[1]))


def select_per_layer(scores, sparsity):
    """Drop the ``round(sparsity * scores.numel())`` lowest scores of the whole matrix.

    One ranking across all rows: some rows can lose far more than others. Ties as in
    ``select_per_row`` (lower flat index first), so this equals
    ``minprune.sparsity_masks([scores], sparsity)[0]``.
    """
    scores = _check_matrix(scores, "scores")
    sparsity = check_fraction(sparsity, "sparsity")
    flat = scores.reshape(1, -1)
    return _drop_lowest(flat, round(sparsity * flat.numel())).reshape(scores.shape)


def select_n_m(scores, n=2, m=4):
    """Keep the ``n`` highest scores in each group of ``m`` consecutive inputs of a row.

    Groups are ``scores[i, m*g : m*g + m]``, along the input dimension, which is what
    NVIDIA's sparse tensor cores skip for ``n:m = 2:4``. Among equal scores the earlier
    entry is kept (a stable descending sort), so ``select_n_m(W.abs())`` equals
    ``torchkit.mask_2to4(W)``.

    Returns
    -------
    mask : tensor of ``scores``'s shape and dtype, ``n`` ones in each group
    """
    scores = _check_matrix(scores, "scores")
    n, m = _check_n_m((n, m))
    if scores.shape[1] % m:
        raise ValueError(
            f"scores must have a multiple of m={m} columns for groups of {m}, got {scores.shape[1]}"
        )
    groups = scores.reshape(-1, m)
    order = torch.sort(groups, dim=1, descending=True, stable=True).indices[:, :n]
    return torch.zeros_like(groups).scatter_(1, order, 1.0).reshape(scores.shape)


# ------------------------------------------------------------------ SparseGPT
def hessian(X, damp=0.01):
    """The layer-error Hessian ``H = 2 X^T X``, dampened by ``damp * mean(diag H)``.

    Parameters
    ----------
    X : (n, in) calibration inputs
    damp : float >= 0, the share of the mean diagonal added to every diagonal entry
        (SparseGPT's ``percdamp``, 0.01)

    Returns
    -------
    H : (in, in) float64 tensor
    """
    X = _check_matrix(X, "X").to(torch.float64)
    if isinstance(damp, bool) or not isinstance(damp, int | float) or not damp >= 0:
        raise ValueError(f"damp={damp!r} must be a float >= 0")
    H = 2 * X.T @ X
    return H + damp * H.diagonal().mean() * torch.eye(H.shape[0], dtype=H.dtype)


def inverse_hessian_cholesky(H):
    """The upper Cholesky factor ``U`` of ``H^-1`` (``H^-1 = U^T U``), in float64.

    ``U[j, j:]`` is the row of the inverse Hessian of the columns ``j, j+1, ...`` that
    the OBS update of column ``j`` needs, divided by the square root of its diagonal
    entry: ``U[j, j]^2 = [H_F^-1]_jj`` with ``F = {j, j+1, ...}``.
    """
    H = _check_matrix(H, "H").to(torch.float64)
    L, info = torch.linalg.cholesky_ex(H)
    if info != 0 or H.shape[0] != H.shape[1]:
        raise ValueError(
            "H must be a symmetric positive definite (in, in) matrix; it is singular or "
            "nearly so: raise damp, or use more calibration inputs than features"
        )
    U, info = torch.linalg.cholesky_ex(torch.cholesky_inverse(L), upper=True)
    if info != 0:
        raise ValueError("H is too ill-conditioned to invert: raise damp")
    return U


def _obs_step(W, U, j, remove):
    """In place: zero ``W[remove, j]`` and move the error onto columns ``j+1, ...``."""
    w = W[:, j].clone()
    q = torch.where(remove, torch.zeros_like(w), w)
    err = (w - q) / U[j, j]
    W[:, j:] -= err[:, None] * U[j, j:][None, :]
    W[:, j] = q
    return err


def obs_column_update(W, U, j, remove=None):
    """One step of SparseGPT: remove column ``j``'s chosen weights, update the columns after it.

    For each row with ``remove[i]``, the optimal brain surgeon update restricted to the
    columns ``F = {j, j+1, ...}`` (the columns before ``j`` are already fixed):
    ``W[i, F] -= W[i, j] * U[j, F] / U[j, j]``, so ``W[i, j]`` becomes exactly 0 and the
    later weights compensate. For ``j = 0`` this is the classical OBS update
    ``-w_j [H^-1]_{:,j} / [H^-1]_jj`` over every other weight of the row.

    Parameters
    ----------
    W : (out, in) tensor
    U : (in, in) upper Cholesky factor of ``H^-1`` (``inverse_hessian_cholesky``)
    j : int, the column
    remove : (out,) bool tensor, the rows whose weight ``W[i, j]`` goes (default: all)

    Returns
    -------
    W_new : (out, in) tensor of W's dtype; ``W`` itself is left as it was
    """
    W = _check_matrix(W)
    U = _check_matrix(U, "U")
    if U.shape != (W.shape[1], W.shape[1]):
        raise ValueError(f"U must be (in, in) = {(W.shape[1],) * 2}, got {tuple(U.shape)}")
    if isinstance(j, bool) or not isinstance(j, int) or not 0 <= j < W.shape[1]:
        raise ValueError(f"j={j!r} must be an int column index in [0, {W.shape[1]})")
    if remove is None:
        remove = torch.ones(W.shape[0], dtype=torch.bool)
    remove = torch.as_tensor(remove)
    if remove.dtype != torch.bool or remove.shape != (W.shape[0],):
        raise ValueError(f"remove must be a ({W.shape[0]},) bool tensor, got {remove}")
    out = W.to(torch.float64).clone()
    _obs_step(out, U.to(torch.float64), j, remove)
    return out.to(W.dtype)


def sparsegpt(W, X, sparsity=None, damp=0.01, block=32, n_m=None):
    """Prune ``W`` with SparseGPT (Frantar & Alistarh 2023): OBS updates, column by column.

    The columns are processed in blocks of ``block``. At the start of a block the mask
    of its columns is chosen by the OBS cost ``w^2 / U_jj^2`` (``U_jj^2 = [H_F^-1]_jj``),
    the ``round(sparsity * size)`` lowest over the whole ``(out, block)`` slice; with
    ``n_m = (n, m)`` it is chosen every ``m`` columns instead, keeping ``n`` of each group
    of ``m`` by the same cost on the weights as updated so far. Then each column's
    removed weights go and the error moves onto the later columns of the block; after
    the block, its accumulated errors update all later columns at once (the "lazy batch"
    update, the same arithmetic in fewer, larger products).

    Parameters
    ----------
    W : (out, in) weight
    X : (n, in) calibration inputs of the layer
    sparsity : float in [0, 1), for unstructured sparsity (give it or ``n_m``)
    damp : float >= 0, Hessian dampening (see ``hessian``)
    block : int >= 1, columns per block (a multiple of ``m`` with ``n_m``)
    n_m : (n, m), keep ``n`` of every ``m`` consecutive inputs (``(2, 4)``: 2:4)

    Returns
    -------
    W_pruned : (out, in) tensor of W's dtype, the removed weights exactly 0
    """
    W, X = _check_inputs(W, X)
    if (sparsity is None) == (n_m is None):
        raise ValueError(f"give exactly one of sparsity and n_m, got {sparsity=!r}, {n_m=!r}")
    if isinstance(block, bool) or not isinstance(block, int) or block < 1:
        raise ValueError(f"block={block!r} must be an int >= 1")
    if n_m is not None:
        n, m = _check_n_m(n_m)
        if block % m or W.shape[1] % m:
            raise ValueError(
                f"block={block} and in={W.shape[1]} must be multiples of m={m} for {n}:{m}"
            )
    else:
        sparsity = check_fraction(sparsity, "sparsity")
    U = inverse_hessian_cholesky(hessian(X, damp))
    Wp = W.to(torch.float64).clone()
    rows, cols = Wp.shape
    for i1 in range(0, cols, block):
        i2 = min(i1 + block, cols)
        W1, U1 = Wp[:, i1:i2].clone(), U[i1:i2, i1:i2]
        cost_scale = U1.diagonal()[None, :] ** 2
        errors = torch.zeros_like(W1)
        if n_m is None:
            remove = select_per_layer(W1**2 / cost_scale, sparsity) == 0
        else:
            remove = torch.zeros_like(W1, dtype=torch.bool)
        for i in range(i2 - i1):
            if n_m is not None and i % m == 0:
                cost = W1[:, i : i + m] ** 2 / cost_scale[:, i : i + m]
                remove[:, i : i + m] = select_n_m(cost, n, m) == 0
            errors[:, i] = _obs_step(W1, U1, i, remove[:, i])
        Wp[:, i1:i2] = W1
        Wp[:, i2:] -= errors @ U[i1:i2, i2:]
    return Wp.to(W.dtype)


def reconstruction_error(W, W_pruned, X):
    """``||W X^T - W' X^T||_F``: how far the pruned layer's outputs move on inputs ``X``.

    The bias cancels. Computed in float64; returns a float.
    """
    W, X = _check_inputs(W, X)
    W_pruned = _check_matrix(W_pruned, "W_pruned")
    if W_pruned.shape != W.shape:
        raise ValueError(
            f"W_pruned must have W's shape {tuple(W.shape)}, got {tuple(W_pruned.shape)}"
        )
    diff = W.to(torch.float64) - W_pruned.to(torch.float64)
    return float(torch.linalg.matrix_norm(diff @ X.to(torch.float64).T))


# ------------------------------------------------------------------ whole model
def _prune_layer(W, X, method, sparsity, scope, n_m, damp, block, generator):
    if method == "sparsegpt":
        return sparsegpt(W, X, sparsity, damp=damp, block=block, n_m=n_m)
    if method == "magnitude":
        scores = magnitude_scores(W)
    elif method == "wanda":
        scores = wanda_scores(W, X)
    else:
        scores = torch.rand(W.shape, generator=generator, dtype=torch.float64).to(W.dtype)
    if n_m is not None:
        mask = select_n_m(scores, *n_m)
    elif scope == "row":
        mask = select_per_row(scores, sparsity)
    else:
        mask = select_per_layer(scores, sparsity)
    return W * mask


def prune_model(
    model, method, sparsity=None, calib=None, scope="row", n_m=None, damp=0.01, block=32, seed=0
):
    """Prune a copy of every ``prunable_layers`` weight of ``model``, layer after layer.

    As SparseGPT and Wanda do, the layers are pruned in forward order and each one's
    calibration inputs are captured from the model pruned so far: a layer compensates
    for the errors of the layers before it. ``q``, ``k`` and ``v`` read the same input
    and are pruned together. Biases, LayerNorms, embeddings and the head stay dense.

    Parameters
    ----------
    model : TinyGPT, left as it was
    method : ``'magnitude'``, ``'wanda'``, ``'sparsegpt'`` or ``'random'`` (the control)
    sparsity : float in [0, 1), the share of each layer's weights removed (or ``n_m``)
    calib : (batch, T) int64 tokens from the training split
    scope : ``'row'`` or ``'layer'``, where magnitude, Wanda and random compare scores;
        SparseGPT chooses within its blocks of columns
    n_m : (n, m) instead of ``sparsity``: keep ``n`` of every ``m`` consecutive inputs
    damp, block : SparseGPT's (see ``sparsegpt``)
    seed : int, seeds the random control

    Returns
    -------
    pruned : TinyGPT
    errors : ``{layer name: reconstruction_error}`` on the inputs that layer saw
    """
    _check_model(model)
    if method not in METHODS:
        raise ValueError(f"method={method!r} must be one of {METHODS}")
    if scope not in ("row", "layer"):
        raise ValueError(f"scope={scope!r} must be 'row' or 'layer'")
    if (sparsity is None) == (n_m is None):
        raise ValueError(f"give exactly one of sparsity and n_m, got {sparsity=!r}, {n_m=!r}")
    if n_m is not None:
        n_m = _check_n_m(n_m)
    else:
        sparsity = check_fraction(sparsity, "sparsity")
    if calib is None:
        raise ValueError("calib must be a (batch, T) tensor of calibration tokens, got None")
    pruned = copy.deepcopy(model).eval()
    generator = torch.Generator().manual_seed(seed)
    parts = [("attn.q", "attn.k", "attn.v"), ("attn.out",), ("mlp.fc1",), ("mlp.fc2",)]
    groups = [[f"blocks.{i}.{p}" for p in g] for i in range(len(pruned.blocks)) for g in parts]
    layers, errors = prunable_layers(pruned), {}
    for group in groups:
        X = calibration_inputs(pruned, calib, group[:1])[group[0]]
        for name in group:
            W = layers[name].weight.detach()
            W_new = _prune_layer(W, X, method, sparsity, scope, n_m, damp, block, generator)
            errors[name] = reconstruction_error(W, W_new, X)
            with torch.no_grad():
                layers[name].weight.copy_(W_new)
    return pruned, errors


# ------------------------------------------------------------------ structured
def _block_inputs(model, tokens, part):
    """``{block index: input of block.<part>}`` (the LayerNorm's output it reads)."""
    names = [f"blocks.{i}.{part}" for i in range(len(model.blocks))]
    found = calibration_inputs(model, tokens, names)
    return [found[name] for name in names]


def head_scores(model, tokens):
    """One score per attention head: the mean norm of what it adds to the residual stream.

    Head ``h`` adds ``out.weight[:, cols_h] @ z_h`` at each position, ``z_h`` its
    attention output; the score is that vector's L2 norm averaged over the positions
    of ``tokens``. A head whose contribution is small can go with little change.

    Returns
    -------
    list with one ``(n_heads,)`` tensor per block
    """
    _check_model(model)
    inputs = _block_inputs(model, tokens, "attn.q")
    out = []
    with torch.no_grad():
        for block in model.blocks:
            attn = block.attn
            x = inputs[len(out)].reshape(tokens.shape[0], tokens.shape[1], -1)
            z = attn.heads(x)  # (n, H, T, d)
            Wo = attn.out.weight.reshape(-1, attn.n_heads, attn.d_head)  # (d_model, H, d)
            added = torch.einsum("nhtd,ohd->nhto", z, Wo)
            out.append(torch.linalg.vector_norm(added, dim=-1).mean(dim=(0, 2)))
    return out


def mlp_unit_scores(model, tokens):
    """One score per MLP hidden unit: the mean norm of what it adds to the residual stream.

    Unit ``j`` adds ``a_j * fc2.weight[:, j]`` (``a_j`` its GELU output), whose norm is
    ``|a_j| * ||fc2.weight[:, j]||``; the score averages it over the positions.

    Returns
    -------
    list with one ``(d_ff,)`` tensor per block
    """
    _check_model(model)
    inputs = _block_inputs(model, tokens, "mlp.fc1")
    out = []
    with torch.no_grad():
        for block, x in zip(model.blocks, inputs, strict=True):
            a = F.gelu(block.mlp.fc1(x))
            out.append(a.abs().mean(dim=0) * torch.linalg.vector_norm(block.mlp.fc2.weight, dim=0))
    return out


def _keeps(model, heads_keep, units_keep):
    """Per block: the head and unit keep-lists as index tensors (``None``: all)."""
    _check_model(model)
    n = len(model.blocks)
    for name, value in (("heads_keep", heads_keep), ("units_keep", units_keep)):
        if value is not None and (not isinstance(value, list | tuple) or len(value) != n):
            raise ValueError(f"{name} must be None or a list of {n} keep-lists, one per block")
    heads, units = [], []
    for i, block in enumerate(model.blocks):
        h = None if heads_keep is None else heads_keep[i]
        u = None if units_keep is None else units_keep[i]
        H, D = block.attn.n_heads, block.mlp.fc1.out_features
        heads.append(torch.arange(H) if h is None else
                     torch.as_tensor(check_keep(h, H, f"heads_keep[{i}]", f"heads of block {i}")))  # fmt: skip
        units.append(torch.arange(D) if u is None else
                     torch.as_tensor(check_keep(u, D, f"units_keep[{i}]", f"units of block {i}")))  # fmt: skip
    return heads, units


def _head_cols(heads, d_head):
    return (heads[:, None] * d_head + torch.arange(d_head)).reshape(-1)


def mask_structured(model, heads_keep=None, units_keep=None):
    """A copy of ``model`` with every weight of the heads and units not kept set to zero.

    A removed head's rows of ``q``, ``k``, ``v`` (and their biases) and its columns of
    ``out``; a removed unit's row of ``fc1`` (and bias) and column of ``fc2``. Its
    outputs equal ``shrink``'s (allclose).

    Parameters
    ----------
    heads_keep, units_keep : ``None`` (keep all) or one keep-list per block
    """
    heads, units = _keeps(model, heads_keep, units_keep)
    masked = copy.deepcopy(model)
    with torch.no_grad():
        for block, h, u in zip(masked.blocks, heads, units, strict=True):
            attn, mlp = block.attn, block.mlp
            gone = torch.ones(attn.n_heads * attn.d_head, dtype=torch.bool)
            gone[_head_cols(h, attn.d_head)] = False
            for lin in (attn.q, attn.k, attn.v):
                lin.weight[gone] = 0
                lin.bias[gone] = 0
            attn.out.weight[:, gone] = 0
            dead = torch.ones(mlp.fc1.out_features, dtype=torch.bool)
            dead[u] = False
            mlp.fc1.weight[dead] = 0
            mlp.fc1.bias[dead] = 0
            mlp.fc2.weight[:, dead] = 0
    return masked


def _linear(weight, bias):
    lin = nn.Linear(weight.shape[1], weight.shape[0], dtype=weight.dtype)
    with torch.no_grad():
        lin.weight.copy_(weight)
        lin.bias.copy_(bias)
    return lin


def shrink(model, heads_keep=None, units_keep=None):
    """A smaller TinyGPT without the heads and MLP units not kept.

    Each block keeps the heads ``heads_keep[i]`` (their rows of ``q``, ``k``, ``v`` and
    columns of ``out``) and the units ``units_keep[i]`` (rows of ``fc1``, columns of
    ``fc2``); blocks may keep different numbers. Its outputs equal those of
    ``mask_structured(model, heads_keep, units_keep)`` (allclose): a zeroed head adds
    nothing to the residual stream, and a zeroed unit's GELU(0) = 0.

    Returns
    -------
    TinyGPT, ``model`` left as it was
    """
    heads, units = _keeps(model, heads_keep, units_keep)
    small = copy.deepcopy(model)
    with torch.no_grad():
        for block, h, u in zip(small.blocks, heads, units, strict=True):
            attn, mlp = block.attn, block.mlp
            cols = _head_cols(h, attn.d_head)
            for name in ("q", "k", "v"):
                lin = getattr(attn, name)
                setattr(attn, name, _linear(lin.weight[cols], lin.bias[cols]))
            attn.out = _linear(attn.out.weight[:, cols], attn.out.bias)
            attn.n_heads = len(h)
            mlp.fc1 = _linear(mlp.fc1.weight[u], mlp.fc1.bias[u])
            mlp.fc2 = _linear(mlp.fc2.weight[:, u], mlp.fc2.bias)
    return small
