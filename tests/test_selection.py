"""Tests for choosing what to prune: curves, sensitivity scans, folds, cross-validation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minprune.network import Network
from minprune.pruning import prune
from minprune.selection import (
    SLACK,
    cross_val_accuracy,
    kfold_indices,
    largest_within,
    pruning_curve,
    sensitivity_scan,
)
from minprune.train import train

SIZES = [(6, 9, 4), (5, 8, 7, 3), (4, 12, 10, 6, 2)]
SPARSITIES = np.array([0.0, 0.3, 0.6, 0.9])
THRESHOLDS = np.array([0.0, 0.2, 0.5, 1.0])


def teacher(sizes=(5, 8, 7, 3), n=60, seed=0):
    """A random network and data labelled by it, so its dense accuracy is 1."""
    net = Network(list(sizes), activation="tanh", rng=seed, dtype="float64")
    X = np.random.default_rng(seed + 1).normal(size=(n, sizes[0]))
    return net, X, net.predict(X)


def weights(net):
    return [layer.W.copy() for layer in net.layers]


def train_fn(X, y):
    """A small seeded network trained for two epochs: deterministic given the data."""
    net = Network([X.shape[1], 8, 3], rng=0, dtype="float64")
    train(net, X, y, epochs=2, batch_size=16, rng=0, progress=False)
    return net


# ------------------------------------------------------------------ curves
@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("key", ["sparsities", "thresholds"])
def test_curve_equals_prune_then_accuracy(sizes, key):
    """Each entry of a pruning curve is the accuracy of a copy pruned at that value."""
    net, X, y = teacher(sizes)
    grid = SPARSITIES if key == "sparsities" else THRESHOLDS
    curve = pruning_curve(net, X, y, **{key: grid})
    arg = {"sparsities": "sparsity", "thresholds": "threshold"}[key]
    expected = [prune(net.copy(), **{arg: float(v)}).accuracy(X, y) for v in grid]
    np.testing.assert_array_equal(curve, expected)
    assert curve.shape == grid.shape and curve.dtype == np.float64


@pytest.mark.parametrize("fn", [pruning_curve, sensitivity_scan])
def test_the_network_is_left_unchanged(fn):
    """Scans and curves prune copies: the network's weights and masks do not change."""
    net, X, y = teacher()
    before, masks = weights(net), [layer.mask.copy() for layer in net.layers]
    fn(net, X, y, sparsities=SPARSITIES)
    for layer, W, mask in zip(net.layers, before, masks):
        np.testing.assert_array_equal(layer.W, W)
        np.testing.assert_array_equal(layer.mask, mask)


@pytest.mark.parametrize("sizes", SIZES)
def test_scan_rows_prune_one_layer_each(sizes):
    """Row j of a sensitivity scan is the pruning curve of layer j alone."""
    net, X, y = teacher(sizes)
    layers = list(range(len(net.layers)))
    scan = sensitivity_scan(net, X, y, sparsities=SPARSITIES, layers=layers)
    assert scan.shape == (len(layers), SPARSITIES.size)
    for j, i in enumerate(layers):
        np.testing.assert_array_equal(
            scan[j], pruning_curve(net, X, y, sparsities=SPARSITIES, layers=[i])
        )


def test_scan_at_zero_sparsity_is_the_dense_accuracy():
    """Pruning nothing leaves every layer's row at the dense accuracy."""
    net, X, y = teacher()
    scan = sensitivity_scan(net, X, y, thresholds=np.array([0.0, 0.5]))
    np.testing.assert_array_equal(scan[:, 0], net.accuracy(X, y))


def test_scan_default_layers_leave_out_the_output():
    """By default the scan covers the prunable layers, as prune does."""
    net, X, y = teacher((5, 8, 7, 3))
    assert sensitivity_scan(net, X, y, sparsities=SPARSITIES).shape == (2, SPARSITIES.size)


# ------------------------------------------------------------------- folds
@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(10, 80),
    n_classes=st.integers(1, 5),
    k=st.integers(2, 10),
    seed=st.integers(0, 2**32 - 1),
)
def test_folds_partition_and_stratify(n, n_classes, k, seed):
    """Folds partition range(n); fold sizes and per-class counts differ by at most one."""
    k = min(k, n)
    y = np.random.default_rng(seed).integers(0, n_classes, size=n)
    folds = kfold_indices(y, k, rng=seed)
    assert len(folds) == k
    np.testing.assert_array_equal(np.sort(np.concatenate(folds)), np.arange(n))
    sizes = [f.size for f in folds]
    assert max(sizes) - min(sizes) <= 1
    for c in np.unique(y):
        counts = [int(np.sum(y[f] == c)) for f in folds]
        assert max(counts) - min(counts) <= 1
    for f in folds:
        assert f.dtype == np.int64 and np.all(np.diff(f) > 0)


def test_folds_are_seeded():
    """The same seed gives the same folds, another seed other folds."""
    y = np.repeat(np.arange(3), 20)
    a, b, c = (kfold_indices(y, 4, rng=s) for s in (1, 1, 2))
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not all(np.array_equal(p, q) for p, q in zip(a, c))


def test_folds_mix_sorted_labels():
    """Labels sorted by class still give every fold every class (not contiguous blocks)."""
    y = np.repeat(np.arange(5), 10)
    for fold in kfold_indices(y, 5, rng=0):
        np.testing.assert_array_equal(np.bincount(y[fold], minlength=5), 2)


# ---------------------------------------------------------- cross-validation
def test_cross_validation_equals_the_loop_it_describes():
    """Each fold trains on the other folds and is judged on itself."""
    _, X, y = teacher((5, 8, 7, 3), n=90)
    folds = kfold_indices(y, 3, rng=0)
    base, acc = cross_val_accuracy(train_fn, X, y, folds, thresholds=THRESHOLDS)
    assert base.shape == (3,) and acc.shape == (3, THRESHOLDS.size)
    for j, fold in enumerate(folds):
        rest = np.setdiff1d(np.arange(len(y)), fold)
        net = train_fn(X[rest], y[rest])
        assert base[j] == net.accuracy(X[fold], y[fold])
        np.testing.assert_array_equal(
            acc[j], pruning_curve(net, X[fold], y[fold], thresholds=THRESHOLDS)
        )


def test_cross_validation_never_trains_on_the_held_out_fold():
    """train_fn receives exactly the samples outside the fold, in order."""
    _, X, y = teacher((5, 8, 7, 3), n=40)
    folds = kfold_indices(y, 4, rng=0)
    seen = []

    def spy(X_train, y_train):
        seen.append(X_train.copy())
        return train_fn(X_train, y_train)

    cross_val_accuracy(spy, X, y, folds, sparsities=SPARSITIES)
    for fold, X_train in zip(folds, seen):
        np.testing.assert_array_equal(X_train, np.delete(X, fold, axis=0))


# ---------------------------------------------------------------- selection
def test_largest_within_by_hand():
    """A worked example: drops 0, 0.005, 0.02 with tolerance 0.01 choose the second value."""
    values = np.array([0.1, 0.2, 0.3])
    assert largest_within(values, np.array([0.9, 0.895, 0.88]), 0.9, 0.01) == 0.2


def test_largest_within_stops_at_the_first_failure():
    """A value within the tolerance after one that fails is not chosen."""
    values = np.array([0.1, 0.2, 0.3, 0.4])
    assert largest_within(values, np.array([0.9, 0.8, 0.9, 0.9]), 0.9, 0.01) == 0.1


def test_largest_within_none_when_the_first_fails():
    """None when even the first value drops too far."""
    assert largest_within(np.array([0.5, 0.6]), np.array([0.5, 0.4]), 0.9, 0.01) is None


def test_largest_within_averages_folds():
    """With 2-D accuracies the drop is the mean over folds."""
    values = np.array([0.1, 0.2])
    acc = np.array([[0.9, 0.86], [0.9, 0.9]])  # mean drops 0 and 0.02
    base = np.array([0.9, 0.9])
    assert largest_within(values, acc, base, 0.02) == 0.2
    assert largest_within(values, acc, base, 0.019) == 0.1


def test_largest_within_forgives_rounding():
    """0.975 - 0.965 is 0.010000000000000009 in floating point: still within 0.01."""
    assert 0.975 - 0.965 > 0.01 and 0.975 - 0.965 <= 0.01 + SLACK
    assert largest_within(np.array([0.5]), np.array([0.965]), 0.975, 0.01) == 0.5


def test_largest_within_returns_a_float():
    """The choice is a Python float."""
    assert type(largest_within(np.array([1, 2]), np.array([0.9, 0.9]), 0.9, 0.0)) is float


# ------------------------------------------------------------------ errors
def test_grid_needs_exactly_one():
    """Giving both grids, or neither, is an error."""
    net, X, y = teacher()
    with pytest.raises(ValueError, match="exactly one of sparsities and thresholds"):
        pruning_curve(net, X, y)
    with pytest.raises(ValueError, match="exactly one of sparsities and thresholds"):
        sensitivity_scan(net, X, y, sparsities=SPARSITIES, thresholds=THRESHOLDS)


def test_grid_must_be_non_empty_1d():
    """An empty or 2-D grid is refused."""
    net, X, y = teacher()
    with pytest.raises(ValueError, match="at least one value"):
        pruning_curve(net, X, y, sparsities=[])
    with pytest.raises(ValueError, match="sparsities must be a 1-D array"):
        pruning_curve(net, X, y, sparsities=[[0.1]])


def test_bad_grid_values_name_the_argument():
    """A sparsity of 1.5 is refused by prune's own check."""
    net, X, y = teacher()
    with pytest.raises(ValueError, match=r"sparsity=1\.5 must be in \[0, 1\)"):
        pruning_curve(net, X, y, sparsities=[1.5])


def test_labels_must_match_the_data():
    """y of the wrong length is refused."""
    net, X, y = teacher()
    with pytest.raises(ValueError, match="y must have shape"):
        sensitivity_scan(net, X, y[:-1], sparsities=SPARSITIES)


@pytest.mark.parametrize(
    "k, error, match",
    [
        (1, ValueError, "k=1 must be >= 2"),
        (2.0, TypeError, "k must be an int"),
        (7, ValueError, "k=7 folds need"),
    ],
)
def test_bad_k(k, error, match):
    """k must be an int from 2 to n."""
    with pytest.raises(error, match=match):
        kfold_indices(np.zeros(6, dtype=int), k)


def test_folds_must_partition():
    """Overlapping or missing indices are refused; so is a bare array."""
    _, X, y = teacher(n=10)
    with pytest.raises(ValueError, match=r"folds must partition range\(10\)"):
        cross_val_accuracy(train_fn, X, y, [np.arange(6), np.arange(5, 10)], sparsities=[0.5])
    with pytest.raises(TypeError, match="folds must be a list of index arrays"):
        cross_val_accuracy(train_fn, X, y, np.arange(10), sparsities=[0.5])
    with pytest.raises(ValueError, match="at least 2 index arrays"):
        cross_val_accuracy(train_fn, X, y, [np.arange(10)], sparsities=[0.5])
    with pytest.raises(ValueError, match=r"folds\[1\] must be a non-empty 1-D array"):
        cross_val_accuracy(train_fn, X, y, [np.arange(10), []], sparsities=[0.5])


def test_train_fn_must_be_callable():
    """train_fn must be a function."""
    _, X, y = teacher(n=10)
    with pytest.raises(TypeError, match="train_fn must be a function"):
        cross_val_accuracy(None, X, y, kfold_indices(y, 2, rng=0), sparsities=[0.5])


def test_largest_within_errors():
    """Unsorted values, mismatched shapes and negative tolerances are refused."""
    with pytest.raises(ValueError, match="strictly increasing"):
        largest_within([0.2, 0.1], [0.9, 0.9], 0.9, 0.01)
    with pytest.raises(ValueError, match=r"accuracy must have shape \(2,\) or \(k, 2\)"):
        largest_within([0.1, 0.2], [0.9, 0.9, 0.9], 0.9, 0.01)
    with pytest.raises(ValueError, match=r"base must have shape \(3,\)"):
        largest_within([0.1, 0.2], np.full((3, 2), 0.9), 0.9, 0.01)
    with pytest.raises(ValueError, match="tolerance=-0.1 must be a finite number >= 0"):
        largest_within([0.1], [0.9], 0.9, -0.1)
    with pytest.raises(ValueError, match="values must hold at least one value"):
        largest_within([], [], 0.9, 0.1)
