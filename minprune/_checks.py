"""Argument checks shared by the public functions.

Each check raises ``ValueError`` or ``TypeError`` with a sentence that names the
argument, says what arrived and what was expected, in the manner of
scikit-learn's input validation.
"""

import numbers

import numpy as np


def check_array(value, name, ndim=None, dtype=None, finite=True):
    """Return ``value`` as an ndarray after checking its rank and values.

    Parameters
    ----------
    value : array_like
    name : str
        The argument's name, used in the error message.
    ndim : int or None
        Required number of dimensions.
    dtype : dtype or None
        Convert to this dtype (``None`` keeps the dtype of ``value``).
    finite : bool
        Reject NaN and infinity.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}") from err
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number) and arr.dtype != bool:
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        hint = ""
        if ndim == 2 and arr.ndim == 1 and name.lower().startswith("x"):
            hint = "; reshape a single sample with x.reshape(1, -1)"
        raise ValueError(
            f"{name} must be a {ndim}-D array, got a {arr.ndim}-D array of shape {arr.shape}{hint}"
        )
    # A NaN or infinity anywhere makes the sum non-finite: one pass and no temporary,
    # where isfinite would build a boolean array. Only a non-finite sum (which an
    # overflowing sum of finite values can also give) earns the exact count.
    if finite and np.issubdtype(arr.dtype, np.floating):
        with np.errstate(over="ignore", invalid="ignore"):
            total = arr.sum()
    if finite and np.issubdtype(arr.dtype, np.floating) and not np.isfinite(total):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        if bad:
            raise ValueError(
                f"{name} contains {bad} NaN or infinite value(s); expected finite numbers"
            )
    return arr


def check_labels(y, name, n_samples, n_classes=None):
    """Return integer class labels of shape ``(n_samples,)``."""
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n_samples:
        hint = ""
        if y.ndim == 2 and y.shape[0] == n_samples:
            hint = "; pass integer labels, not one-hot rows (y.argmax(axis=1))"
        raise ValueError(f"{name} must have shape ({n_samples},), got shape {y.shape}{hint}")
    if not np.issubdtype(y.dtype, np.integer):
        if (
            np.issubdtype(y.dtype, np.floating)
            and np.all(np.isfinite(y))
            and np.all(y == np.round(y))
        ):
            y = y.astype(np.int64)
        else:
            raise TypeError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    if n_classes is not None and y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"{name} must hold labels in [0, {n_classes}), got values from {y.min()} to {y.max()}"
        )
    return y


def check_fraction(value, name, high_inclusive=False):
    """Check that ``value`` is a float in ``[0, 1)`` (or ``[0, 1]``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a float in [0, 1), got {type(value).__name__} {value!r}")
    if isinstance(value, numbers.Integral) and value != 0:
        raise TypeError(
            f"{name}={value!r} is an int; a fraction must be a float in [0, 1) "
            "(write 0.5 for half, not a count)"
        )
    upper = "]" if high_inclusive else ")"
    ok = 0.0 <= value <= 1.0 if high_inclusive else 0.0 <= value < 1.0
    if not ok or not np.isfinite(value):
        raise ValueError(f"{name}={value!r} must be in [0, 1{upper}")
    return float(value)


def check_nonnegative(value, name):
    """Check that ``value`` is a finite real number >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name}={value!r} must be a finite number >= 0")
    return float(value)


def check_positive_int(value, name, minimum=1):
    """Check that ``value`` is an int >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name}={value!r} must be >= {minimum}")
    return int(value)


def check_choice(value, name, options):
    """Check that ``value`` is one of ``options`` (strings)."""
    if value not in options:
        listed = ", ".join(repr(o) for o in sorted(options))
        raise ValueError(f"unknown {name} {value!r}; expected one of {listed}")
    return value


def check_rng(rng, name="rng"):
    """Return a ``numpy.random.Generator`` from a Generator, an int seed or None."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"{name} must be a numpy.random.Generator, an int seed or None, got {rng!r}")


def check_dtype(dtype, name="dtype"):
    """Return float32 or float64 as a numpy dtype."""
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        raise TypeError(f"{name} must be float32 or float64, got {dtype!r}") from err
    if dt not in (np.float32, np.float64):
        raise ValueError(f"{name} must be float32 or float64, got {dt}")
    return dt


def check_network(net, name="net"):
    """Check that ``net`` is a ``minprune.Network`` (or looks like one: has ``layers``)."""
    from .network import Network

    if not isinstance(net, Network) and not hasattr(net, "layers"):
        raise TypeError(f"{name} must be a minprune.Network, got {type(net).__name__}")
    return net


def check_penalty(penalty, name="penalty"):
    """Check that ``penalty`` is None or has the penalty signature ``value(net)``, ``grad(W)``."""
    if penalty is not None and not (
        callable(getattr(penalty, "value", None)) and callable(getattr(penalty, "grad", None))
    ):
        raise TypeError(
            f"{name} must be L1, L2, ElasticNet or None (an object with value(net) and "
            f"grad(W)), got {penalty!r}"
        )
    return penalty
