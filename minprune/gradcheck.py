"""Numerical gradient checking by central differences."""

import warnings

import numpy as np

from ._checks import check_network

__all__ = ["numerical_gradient", "rel_error", "norm_rel_error", "check_gradients"]


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of the scalar function ``f()`` with respect to array ``x``.

    ``x`` is perturbed in place, one entry at a time, and restored.

    Parameters
    ----------
    f : callable taking no arguments, returning a float
    x : float array (use float64: float32 cannot resolve ``eps``)
    """
    if not callable(f):
        raise TypeError(f"f must be a callable taking no arguments, got {type(f).__name__}")
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        got = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(f"x must be a float ndarray (perturbed in place), got {got}")
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        fp = f()
        x[i] = old - eps
        fm = f()
        x[i] = old
        grad[i] = (fp - fm) / (2 * eps)
    return grad


def rel_error(a, b):
    """Max relative error ``|a - b| / max(|a| + |b|, 1e-12)`` over all entries."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))


def norm_rel_error(a, b):
    """Relative error of whole arrays: ``|a - b| / max(|a| + |b|, 1e-300)`` (Euclidean norms)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = max(float(np.linalg.norm(a) + np.linalg.norm(b)), 1e-300)
    return float(np.linalg.norm(a - b)) / scale


def check_gradients(net, X, y, penalty=None, eps=1e-6):
    """Compare ``net.loss_and_grads`` with central differences, for every parameter.

    Returns a list of rows ``{"layer", "param", "shape", "rel_error", "norm_error"}``;
    run it on a float64 network (``net.astype("float64")``) and a handful of samples.

    ``rel_error`` is the worst entry (``rel_error``); an entry whose true gradient
    is tiny can be dominated by round-off there. ``norm_error`` compares whole
    arrays, ``|a - g| / (|a| + |g|)`` in the Euclidean norm (``norm_rel_error``),
    and is the figure to hold to ~1e-7.
    """
    check_network(net)
    if net.dtype != np.float64:
        warnings.warn(
            f"check_gradients on a {net.dtype} network: central differences need float64 "
            "to reach ~1e-7; use net.astype('float64')",
            RuntimeWarning,
            stacklevel=2,
        )
    _, grads = net.loss_and_grads(X, y, penalty=penalty)
    rows = []
    for i, layer in enumerate(net.layers):
        for name in ("W", "b"):
            param = getattr(layer, name)
            num = numerical_gradient(lambda: net.loss(X, y, penalty=penalty), param, eps)
            mask = layer.mask if name == "W" else layer.b_mask
            rows.append(
                {
                    "layer": i,
                    "param": name,
                    "shape": param.shape,
                    "rel_error": rel_error(grads[i][name], num * mask),
                    "norm_error": norm_rel_error(grads[i][name], num * mask),
                }
            )
    return rows
