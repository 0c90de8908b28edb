"""Data sets: the bundled 8x8 digits, 2-D toy sets for pictures, MNIST on request.

    data = load_digits_split(rng=0)          # 1,797 digits, stratified 60/20/20
    net.accuracy(data.X_test, data.y_test)

Every split is stratified and seeded, and standardisation is fitted on the
training part only, so nothing of the validation or test data leaks into it.
``load_digits`` ships with scikit-learn: no network is ever needed by default.
"""

import gzip
import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._checks import check_choice, check_dtype, check_nonnegative, check_positive_int, check_rng

__all__ = [
    "Split",
    "load_digits_split",
    "digits_sequences",
    "make_xor",
    "make_moons",
    "make_spirals",
    "load_mnist",
]


@dataclass
class Split:
    """Train, validation and test parts of a data set, and the scaler fitted on train.

    Attributes
    ----------
    X_train, X_val, X_test : (n_part, *sample_shape) float arrays
    y_train, y_val, y_test : (n_part,) int64 labels
    mean, std : sample_shape arrays
        The standardisation ``(x - mean) / std`` fitted on the raw training data
        (``mean = 0`` and ``std = 1`` when ``standardize=False``). Features that are
        constant on the training part get ``std = 1``.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray
    std: np.ndarray

    @property
    def n_features(self):
        """Number of input features per sample (per step for sequences)."""
        return self.X_train.shape[-1]

    @property
    def n_classes(self):
        """Number of classes, ``max label + 1`` over all parts."""
        return int(max(self.y_train.max(), self.y_val.max(), self.y_test.max())) + 1

    def transform(self, X):
        """Standardise raw samples ``X : (n, *sample_shape)`` with the training scaler."""
        X = np.asarray(X, dtype=self.X_train.dtype)
        return ((X - self.mean) / self.std).astype(self.X_train.dtype, copy=False)

    def __repr__(self):
        return (
            f"Split(train={self.X_train.shape}, val={self.X_val.shape}, "
            f"test={self.X_test.shape}, classes={self.n_classes})"
        )


def _check_sizes(val_size, test_size):
    """Both fractions must be floats in (0, 1) that leave something to train on."""
    for name, value in (("val_size", val_size), ("test_size", test_size)):
        if isinstance(value, bool) or not isinstance(value, float | np.floating):
            raise TypeError(
                f"{name} must be a float in (0, 1), got {type(value).__name__} {value!r} "
                "(a fraction, not a count: write 0.2 for a fifth)"
            )
        if not 0.0 < value < 1.0:
            raise ValueError(f"{name}={value!r} must be in (0, 1)")
    if val_size + test_size >= 1.0:
        raise ValueError(
            f"val_size + test_size = {val_size + test_size:g} must be < 1 to leave training data"
        )
    return float(val_size), float(test_size)


def stratified_indices(y, sizes, rng):
    """Split ``range(len(y))`` into parts with the given fractions, class by class.

    Each class is shuffled with ``rng`` and cut so that every part holds about the
    same fraction of it; the first part takes what rounding leaves.

    Parameters
    ----------
    y : (n,) int labels
    sizes : sequence of float, fractions of the parts after the first
    rng : numpy.random.Generator

    Returns
    -------
    list of sorted index arrays, one per part (``len(sizes) + 1`` of them)
    """
    parts = [[] for _ in range(len(sizes) + 1)]
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        start = 0
        for k, frac in enumerate(sizes, start=1):
            take = int(round(frac * idx.size))
            parts[k].append(idx[start : start + take])
            start += take
        parts[0].append(idx[start:])
    return [np.sort(np.concatenate(p)) for p in parts]


def _split(X, y, val_size, test_size, standardize, rng, dtype):
    """Stratified train/val/test split of raw ``X`` with a scaler fitted on train."""
    val_size, test_size = _check_sizes(val_size, test_size)
    dtype = check_dtype(dtype)
    rng = check_rng(rng)
    train, val, test = stratified_indices(y, (val_size, test_size), rng)
    X = X.astype(np.float64)
    if standardize:
        mean = X[train].mean(axis=0)
        std = X[train].std(axis=0)
        std[std == 0] = 1.0
    else:
        mean = np.zeros(X.shape[1:])
        std = np.ones(X.shape[1:])
    X = ((X - mean) / std).astype(dtype)
    y = y.astype(np.int64)
    return Split(
        X[train],
        y[train],
        X[val],
        y[val],
        X[test],
        y[test],
        mean.astype(dtype),
        std.astype(dtype),
    )


def load_digits_split(val_size=0.2, test_size=0.2, standardize=True, rng=0, dtype="float32"):
    """The 1,797 8x8 handwritten digits of scikit-learn, split into train, val and test.

    Parameters
    ----------
    val_size, test_size : float in (0, 1)
        Fractions of each class that go to validation and test; their sum must be < 1.
    standardize : bool
        Standardise every pixel with the mean and std of the training part
        (pixels constant on train are only centred).
    rng : numpy.random.Generator or int seed
    dtype : float32 (default) or float64

    Returns
    -------
    Split
        ``X_* : (n_part, 64)`` pixels, ``y_* : (n_part,)`` labels in ``[0, 10)``.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    return _split(digits.data, digits.target, val_size, test_size, standardize, rng, dtype)


def digits_sequences(val_size=0.2, test_size=0.2, standardize=True, rng=0, dtype="float32"):
    """The digits read row by row: sequences of 8 steps with 8 features, for RNNs.

    The same samples, split and scaler as ``load_digits_split`` with the same
    arguments; each image's rows are its time steps.

    Returns
    -------
    Split
        ``X_* : (n_part, 8, 8)`` (sample, step, feature); ``mean, std : (8, 8)``.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = digits.data.reshape(-1, 8, 8)
    return _split(X, digits.target, val_size, test_size, standardize, rng, dtype)


# --------------------------------------------------------------- 2-D toy sets
def _toy_args(n, noise, rng, dtype, minimum):
    n = check_positive_int(n, "n", minimum=minimum)
    noise = check_nonnegative(noise, "noise")
    return n, noise, check_rng(rng), check_dtype(dtype)


def _shuffled(X, y, rng, dtype):
    order = rng.permutation(len(y))
    return X[order].astype(dtype), y[order].astype(np.int64)


def make_xor(n=200, noise=0.2, rng=None, dtype="float32"):
    """Four blobs at the corners ``(+-1, +-1)``; the label is 1 where the signs differ.

    No straight line separates the classes: one hidden layer is needed.

    Parameters
    ----------
    n : int, number of points (split as evenly as possible over the four corners)
    noise : float, standard deviation of the Gaussian blobs
    rng : numpy.random.Generator, int seed or None

    Returns
    -------
    X : (n, 2) array; y : (n,) int64 labels in {0, 1}
    """
    n, noise, rng, dtype = _toy_args(n, noise, rng, dtype, minimum=4)
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    which = np.arange(n) % 4
    X = corners[which] + noise * rng.normal(size=(n, 2))
    y = (which >= 2).astype(np.int64)
    return _shuffled(X, y, rng, dtype)


def make_moons(n=200, noise=0.1, rng=None, dtype="float32"):
    """Two interleaving half circles (the construction of scikit-learn's ``make_moons``).

    Returns
    -------
    X : (n, 2) array; y : (n,) int64 labels in {0, 1}
    """
    n, noise, rng, dtype = _toy_args(n, noise, rng, dtype, minimum=2)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    outer = np.column_stack([np.cos(t_out), np.sin(t_out)])
    inner = np.column_stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5])
    X = np.vstack([outer, inner]) + noise * rng.normal(size=(n, 2))
    y = np.repeat([0, 1], [n_out, n_in])
    return _shuffled(X, y, rng, dtype)


def make_spirals(n=300, noise=0.2, rng=None, n_classes=3, dtype="float32"):
    """Interleaved spiral arms, one per class (the CS231n spiral data).

    Parameters
    ----------
    n : int, number of points (split as evenly as possible over the arms)
    noise : float, standard deviation of the noise on each point's angle
    n_classes : int >= 2, number of arms

    Returns
    -------
    X : (n, 2) array in the unit disc; y : (n,) int64 labels in ``[0, n_classes)``
    """
    n_classes = check_positive_int(n_classes, "n_classes", minimum=2)
    n, noise, rng, dtype = _toy_args(n, noise, rng, dtype, minimum=n_classes)
    y = np.arange(n) % n_classes
    # position along the arm, 0 at the centre and 1 at the tip, for each point of its class
    rank = np.zeros(n)
    for k in range(n_classes):
        idx = np.flatnonzero(y == k)
        rank[idx] = np.linspace(0.0, 1.0, idx.size)
    theta = rank * 4.0 + y * (2 * np.pi / n_classes) + noise * rng.normal(size=n)
    X = np.column_stack([rank * np.sin(theta), rank * np.cos(theta)])
    return _shuffled(X, y, rng, dtype)


# ------------------------------------------------------------------- MNIST
_MNIST = {
    "mnist": (
        (
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ),
        {
            "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
            "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
            "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
            "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
        },
    ),
    "fashion": (
        (
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
        ),
        {
            "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
            "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
            "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
        },
    ),
}


def read_idx(path):
    """Read a (gzipped) IDX file of unsigned bytes, the format of the MNIST files.

    The header is two zero bytes, a type byte (0x08 for uint8), the number of
    dimensions, then one big-endian int32 per dimension.
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = data[3]
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">i4", count=ndim, offset=4))
    offset = 4 + 4 * ndim
    if len(data) - offset != int(np.prod(shape)):
        raise ValueError(f"{path} holds {len(data) - offset} bytes of data, expected shape {shape}")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(shape)


def _fetch(name, mirrors, md5, folder):
    """Return the path of ``folder/name``, downloading it from the first mirror that answers."""
    path = folder / name
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    errors = []
    for base in mirrors:
        try:
            with urllib.request.urlopen(base + name, timeout=30) as response:
                payload = response.read()
        except (urllib.error.URLError, OSError) as err:
            errors.append(f"{base + name}: {err}")
            continue
        if hashlib.md5(payload, usedforsecurity=False).hexdigest() != md5:
            errors.append(f"{base + name}: checksum mismatch")
            continue
        tmp = path.with_suffix(".part")
        tmp.write_bytes(payload)
        os.replace(tmp, path)
        return path
    raise ConnectionError(
        f"could not download {name} ({'; '.join(errors)}). Connect to the internet, or "
        f"copy the four IDX files into {folder}; the digits (load_digits_split) need no network."
    )


def load_mnist(kind="mnist", root=None, val_size=0.1, standardize=True, rng=0, dtype="float32"):
    """MNIST or Fashion-MNIST, downloaded on the first call and cached.

    The official 10,000 test images are the test part; ``val_size`` of the 60,000
    training images (stratified, seeded) is the validation part.

    Parameters
    ----------
    kind : ``'mnist'`` or ``'fashion'``
    root : path or None
        Cache folder; default ``~/.cache/minprune``. Files go in ``root/kind/``.
    val_size : float in (0, 1)
    standardize : bool
        Scale pixels to [0, 1] and standardise each with the training mean and std.
    rng : numpy.random.Generator or int seed
    dtype : float32 (default) or float64

    Returns
    -------
    Split
        ``X_* : (n_part, 784)``, ``y_* : (n_part,)`` labels in ``[0, 10)``.

    Raises
    ------
    ConnectionError
        When a file is not cached and no mirror can be reached.
    """
    check_choice(kind, "kind", _MNIST)
    val_size, _ = _check_sizes(val_size, 0.5)
    dtype = check_dtype(dtype)
    rng = check_rng(rng)
    if root is not None and not isinstance(root, str | os.PathLike):
        raise TypeError(f"root must be a path or None, got {type(root).__name__} {root!r}")
    folder = Path(root if root is not None else Path.home() / ".cache" / "minprune") / kind
    mirrors, files = _MNIST[kind]
    paths = {name: _fetch(name, mirrors, md5, folder) for name, md5 in files.items()}
    X_full = read_idx(paths["train-images-idx3-ubyte.gz"]).reshape(-1, 784) / 255.0
    y_full = read_idx(paths["train-labels-idx1-ubyte.gz"]).astype(np.int64)
    X_test = read_idx(paths["t10k-images-idx3-ubyte.gz"]).reshape(-1, 784) / 255.0
    y_test = read_idx(paths["t10k-labels-idx1-ubyte.gz"]).astype(np.int64)
    train, val = stratified_indices(y_full, (val_size,), rng)
    if standardize:
        mean = X_full[train].mean(axis=0)
        std = X_full[train].std(axis=0)
        std[std == 0] = 1.0
    else:
        mean, std = np.zeros(784), np.ones(784)

    def scale(X):
        return ((X - mean) / std).astype(dtype)

    return Split(
        scale(X_full[train]),
        y_full[train],
        scale(X_full[val]),
        y_full[val],
        scale(X_test),
        y_test,
        mean.astype(dtype),
        std.astype(dtype),
    )
