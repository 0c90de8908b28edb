"""Data: seeded stratified digits splits, scalers fitted on train only, toy sets, IDX files."""

import gzip
import urllib.request

import numpy as np
import pytest

from minprune import data
from minprune.data import (
    digits_sequences,
    load_digits_split,
    load_mnist,
    make_moons,
    make_spirals,
    make_xor,
    read_idx,
)


@pytest.fixture(scope="module")
def split():
    return load_digits_split(rng=0)


def test_digits_split_sizes_add_up_to_1797(split):
    """Train, val and test together hold all 1,797 digits, 20% each in val and test."""
    n = [len(split.y_train), len(split.y_val), len(split.y_test)]
    assert sum(n) == 1797
    assert n[1] == pytest.approx(0.2 * 1797, abs=10) and n[2] == pytest.approx(0.2 * 1797, abs=10)
    assert split.X_train.shape == (n[0], 64)


def test_digits_parts_are_disjoint_and_cover_the_data(split):
    """No sample appears in two parts: the rows of all parts are the data set, once each."""
    from sklearn.datasets import load_digits

    raw = load_digits().data
    parts = np.vstack([split.X_train, split.X_val, split.X_test]) * split.std + split.mean
    key = {tuple(np.round(r)) for r in raw}
    assert {tuple(np.round(r)) for r in parts} == key
    assert len(parts) == len(raw)


def test_digits_split_is_stratified(split):
    """Every class has about the same share in train, val and test."""
    for y in (split.y_val, split.y_test):
        share = np.bincount(y, minlength=10) / len(y)
        np.testing.assert_allclose(
            share, np.bincount(split.y_train) / len(split.y_train), atol=0.01
        )


def test_same_seed_same_split_other_seed_other_split():
    """rng=0 twice gives identical splits; rng=1 a different one."""
    a, b, c = load_digits_split(rng=0), load_digits_split(rng=0), load_digits_split(rng=1)
    np.testing.assert_array_equal(a.X_test, b.X_test)
    assert not np.array_equal(a.y_train, c.y_train)


def test_standardisation_is_fitted_on_train_only(split):
    """Training features have mean 0 and std 1 (or 0 where constant); val and test do not exactly."""
    mean, std = split.X_train.mean(axis=0), split.X_train.std(axis=0)
    np.testing.assert_allclose(mean, 0.0, atol=1e-5)
    varying = split.std != 1.0
    np.testing.assert_allclose(std[varying], 1.0, atol=1e-4)
    assert np.abs(split.X_test.mean(axis=0)).max() > 1e-3


def test_constant_pixels_are_centred_not_divided_by_zero(split):
    """Pixels constant on train get std 1, and all values are finite."""
    assert np.any(split.std == 1.0)
    assert all(np.all(np.isfinite(a)) for a in (split.X_train, split.X_val, split.X_test))


def test_transform_reproduces_the_standardised_data(split):
    """split.transform of raw pixels gives the standardised rows."""
    raw = split.X_test * split.std + split.mean
    np.testing.assert_allclose(split.transform(raw), split.X_test, atol=1e-5)


def test_unstandardised_split_keeps_raw_pixels():
    """standardize=False keeps the 0..16 pixel values."""
    s = load_digits_split(standardize=False, rng=0)
    assert s.X_train.min() == 0.0 and s.X_train.max() == 16.0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtype_of_the_split(dtype):
    """X is in the requested dtype; y is int64."""
    s = load_digits_split(rng=0, dtype=dtype)
    assert s.X_train.dtype == np.dtype(dtype) and s.y_train.dtype == np.int64


def test_split_knows_its_features_and_classes(split):
    """n_features is 64 and n_classes 10."""
    assert (split.n_features, split.n_classes) == (64, 10)


def test_sequences_are_the_same_digits_row_by_row(split):
    """digits_sequences gives (n, 8, 8) arrays whose flattened rows equal load_digits_split."""
    seq = digits_sequences(rng=0)
    assert seq.X_train.shape == (len(split.y_train), 8, 8)
    assert seq.mean.shape == (8, 8)
    np.testing.assert_allclose(seq.X_train.reshape(-1, 64), split.X_train, atol=1e-6)
    np.testing.assert_array_equal(seq.y_test, split.y_test)
    assert seq.n_features == 8


@pytest.mark.parametrize("make", [make_xor, make_moons, make_spirals])
@pytest.mark.parametrize("n", [12, 101])
def test_toy_sets_have_the_asked_size_and_balanced_classes(make, n):
    """n points of 2 features, class counts differing by at most 1."""
    X, y = make(n, noise=0.1, rng=0)
    assert X.shape == (n, 2) and y.shape == (n,)
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1
    assert X.dtype == np.float32 and y.dtype == np.int64


@pytest.mark.parametrize("make", [make_xor, make_moons, make_spirals])
def test_toy_sets_are_seeded(make):
    """The same seed gives the same points; another seed other points."""
    a, b, c = make(50, rng=3), make(50, rng=3), make(50, rng=4)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_xor_labels_are_the_sign_disagreement_without_noise():
    """With noise=0 every point sits on a corner and y = (x0 * x1 < 0)."""
    X, y = make_xor(40, noise=0.0, rng=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))


def test_moons_match_scikit_learn_without_noise():
    """With noise=0 the moons are the points of sklearn's make_moons."""
    from sklearn.datasets import make_moons as sk_moons

    X, y = make_moons(30, noise=0.0, rng=0, dtype="float64")
    Xs, ys = sk_moons(30, noise=0.0, shuffle=False)
    for label in (0, 1):
        mine = sorted(map(tuple, np.round(X[y == label], 5)))
        theirs = sorted(map(tuple, np.round(Xs[ys == label], 5)))
        assert mine == theirs


def test_spirals_have_the_asked_number_of_arms():
    """n_classes=4 gives labels 0..3 and points inside the unit disc."""
    X, y = make_spirals(200, noise=0.1, rng=0, n_classes=4)
    assert set(y) == {0, 1, 2, 3}
    assert np.all(np.hypot(X[:, 0], X[:, 1]) <= 1.0 + 1e-6)


def write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">i4").tobytes()
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_read_idx_reads_what_was_written(tmp_path):
    """read_idx recovers shape and bytes of a gzipped IDX file."""
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "a.gz", a)
    np.testing.assert_array_equal(read_idx(tmp_path / "a.gz"), a)


def test_read_idx_rejects_other_files(tmp_path):
    """A file without the IDX header is refused with a clear message."""
    (tmp_path / "bad").write_bytes(b"hello world")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "bad")


def test_load_mnist_reads_cached_files_without_network(tmp_path, monkeypatch):
    """With the four files cached, load_mnist builds a split and never opens a URL."""

    def no_network(*args, **kwargs):
        raise AssertionError("load_mnist tried to download")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    rng = np.random.default_rng(0)
    folder = tmp_path / "mnist"
    folder.mkdir()
    write_idx(folder / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (50, 28, 28)))
    write_idx(folder / "train-labels-idx1-ubyte.gz", np.arange(50) % 10)
    write_idx(folder / "t10k-images-idx3-ubyte.gz", rng.integers(0, 256, (20, 28, 28)))
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.arange(20) % 10)
    s = load_mnist("mnist", root=tmp_path, val_size=0.2)
    assert s.X_train.shape == (40, 784) and s.X_val.shape == (10, 784)
    assert s.X_test.shape == (20, 784)


def test_load_mnist_offline_raises_a_clear_error(tmp_path, monkeypatch):
    """When no mirror answers, load_mnist raises ConnectionError saying what to do."""

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(ConnectionError, match="could not download.*need no network"):
        load_mnist("fashion", root=tmp_path)


def test_mnist_kinds_are_mnist_and_fashion():
    """The two known kinds are listed in the module."""
    assert set(data._MNIST) == {"mnist", "fashion"}
