"""2:4 semi-structured sparsity: in every group of 4 consecutive weights, 2 are zero.

NVIDIA's sparse tensor cores (Ampere and later) skip the zeros of this pattern;
``torch.sparse.to_sparse_semi_structured`` packs a 2:4 matrix for them. Building
the mask runs anywhere.
"""

import torch


def mask_2to4(W):
    """Magnitude 2:4 mask of ``W : (out_features, in_features)``.

    In each group of 4 consecutive entries of a row, keep the 2 of largest
    ``|w|``; among equal magnitudes the earlier entry is kept (a stable order).

    Returns
    -------
    mask : tensor of W's shape and dtype, 0.0 and 1.0
    """
    if not isinstance(W, torch.Tensor) or W.ndim != 2:
        raise ValueError(
            f"W must be a 2-D tensor, got {type(W).__name__} {getattr(W, 'shape', '')}"
        )
    if W.shape[1] % 4:
        raise ValueError(f"W must have a multiple of 4 columns for 2:4 groups, got {W.shape[1]}")
    groups = W.detach().abs().reshape(-1, 4)
    # stable descending sort: ties keep the earlier column first
    order = torch.sort(groups, dim=1, descending=True, stable=True).indices
    mask = torch.zeros_like(groups)
    mask.scatter_(1, order[:, :2], 1.0)
    return mask.reshape(W.shape).to(W.dtype)


def is_2to4(W):
    """True when every group of 4 consecutive entries in each row has at most 2 nonzeros."""
    if W.ndim != 2 or W.shape[1] % 4:
        return False
    return bool(((W.reshape(-1, 4) != 0).sum(dim=1) <= 2).all())
