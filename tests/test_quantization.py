"""Quantization and weight sharing: bounded error, pruned zeros stay zero, k-means that
matches scikit-learn, and a compression report whose bytes add up."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from minprune.metrics import count_parameters
from minprune.network import Network
from minprune.quantization import (
    QPARAM_BYTES,
    QuantizedTensor,
    SharedWeights,
    compression_report,
    dequantize,
    format_compression_report,
    kmeans_share,
    quantize,
    quantize_network,
    reconstruct,
    share_weights,
)
from minprune.storage import storage_bytes

SETTINGS = settings(max_examples=40, deadline=None)
FINITE = st.floats(-1e3, 1e3, allow_nan=False, width=32)
small_arrays = arrays(np.float32, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=FINITE)
sparse_arrays = arrays(
    np.float32,
    st.tuples(st.integers(1, 6), st.integers(1, 6)),
    elements=st.one_of(st.just(0.0), FINITE),
)


def pruned_matrix(shape=(30, 20), sparsity=0.6, seed=0, dtype=np.float32):
    """A random normal matrix with a ``sparsity`` fraction of its entries set to zero."""
    rng = np.random.default_rng(seed)
    W = rng.normal(size=shape).astype(dtype)
    W[rng.random(shape) < sparsity] = 0
    return W


def pruned_net(sizes=(20, 16, 12, 5), sparsity=0.6, dtype="float32", seed=0):
    """A network whose layers are randomly pruned to about ``sparsity``."""
    net = Network(list(sizes), dtype=dtype, rng=seed)
    rng = np.random.default_rng(seed + 1)
    for layer in net.layers:
        layer.apply_mask((rng.random(layer.W.shape) >= sparsity).astype(layer.W.dtype))
    return net


def error_bound(qt, W):
    """scale / 2, plus the rounding of the dequantized value to W's dtype."""
    return qt.scale / 2 + 2 * np.finfo(W.dtype).eps * float(np.abs(W).max(initial=0.0))


# ------------------------------------------------------------ uniform quantization
@pytest.mark.parametrize("bits", [2, 4, 8, 12, 16])
@pytest.mark.parametrize("scheme", ["affine", "symmetric"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_error_is_at_most_half_a_step(bits, scheme, dtype):
    """|dequantize(quantize(W)) - W| <= scale / 2 everywhere."""
    W = pruned_matrix(dtype=dtype)
    qt = quantize(W, bits, scheme)
    W_hat = dequantize(qt)
    assert W_hat.dtype == dtype
    assert np.abs(W_hat - W).max() <= error_bound(qt, W)


@SETTINGS
@given(W=small_arrays, bits=st.integers(2, 16), scheme=st.sampled_from(["affine", "symmetric"]))
def test_round_trip_error_bound_holds_for_any_matrix(W, bits, scheme):
    """The scale / 2 bound holds for arbitrary finite matrices, constant ones included."""
    qt = quantize(W, bits, scheme)
    assert np.abs(dequantize(qt).astype(np.float64) - W).max() <= error_bound(qt, W)


@SETTINGS
@given(W=sparse_arrays, bits=st.integers(2, 16), scheme=st.sampled_from(["affine", "symmetric"]))
def test_zeros_stay_exactly_zero(W, bits, scheme):
    """Every 0.0 in W dequantizes to exactly 0.0."""
    W_hat = dequantize(quantize(W, bits, scheme))
    assert np.all(W_hat[W == 0] == 0.0)


@pytest.mark.parametrize(
    ("bits", "scheme", "dtype", "low", "high"),
    [
        (8, "affine", np.uint8, 0, 255),
        (4, "affine", np.uint8, 0, 15),
        (16, "affine", np.uint16, 0, 65535),
        (8, "symmetric", np.int8, -127, 127),
        (3, "symmetric", np.int8, -3, 3),
        (12, "symmetric", np.int16, -2047, 2047),
    ],
)
def test_codes_have_the_dtype_and_range_of_the_scheme(bits, scheme, dtype, low, high):
    """Affine codes fill [0, 2^b - 1]; symmetric ones lie in +-(2^(b-1) - 1), max|W| at an end."""
    qt = quantize(pruned_matrix(), bits, scheme)
    assert qt.q.dtype == dtype
    if scheme == "affine":
        assert qt.q.min() == low and qt.q.max() == high
    else:
        assert low <= qt.q.min() and qt.q.max() <= high
        assert np.abs(qt.q.astype(np.int64)).max() == high


def test_symmetric_round_trips_the_largest_weight():
    """The weight of largest magnitude sits on the top symmetric level."""
    W = pruned_matrix()
    i = np.argmax(np.abs(W))
    assert dequantize(quantize(W, 8, "symmetric")).flat[i] == pytest.approx(W.flat[i], rel=1e-6)


def test_symmetric_quantization_is_odd():
    """Symmetric codes of -W are minus the codes of W, with zero point 0."""
    W = pruned_matrix()
    qt, qt_neg = quantize(W, 8, "symmetric"), quantize(-W, 8, "symmetric")
    assert qt.zero_point == 0
    np.testing.assert_array_equal(qt_neg.q, -qt.q)


def test_an_all_zero_matrix_quantizes_to_zeros():
    """A matrix of zeros gets scale 1 and dequantizes to zeros."""
    qt = quantize(np.zeros((3, 4)), 8)
    assert qt.scale == 1.0
    np.testing.assert_array_equal(dequantize(qt), 0.0)


def test_a_nonnegative_matrix_has_zero_point_zero():
    """With min(W) = 0 the affine zero point is code 0 and the scale spans [0, max]."""
    W = np.abs(pruned_matrix())
    qt = quantize(W, 8)
    assert qt.zero_point == 0
    assert qt.scale == pytest.approx(float(W.max()) / 255)


@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor:UserWarning")
@pytest.mark.parametrize("scheme", ["affine", "symmetric"])
def test_codes_match_torch_quantize_per_tensor(scheme):
    """torch.quantize_per_tensor with our scale and zero point gives our codes."""
    torch = pytest.importorskip("torch")
    W = pruned_matrix(dtype=np.float32)
    qt = quantize(W, 8, scheme)
    torch_dtype = torch.quint8 if scheme == "affine" else torch.qint8
    ref = torch.quantize_per_tensor(torch.from_numpy(W), qt.scale, qt.zero_point, torch_dtype)
    np.testing.assert_array_equal(ref.int_repr().numpy(), qt.q)


def test_affine_parameters_match_torch_min_max_observer():
    """Our affine scale and zero point are torch's MinMaxObserver's for quint8."""
    torch = pytest.importorskip("torch")
    W = pruned_matrix(dtype=np.float32)
    observer = torch.ao.quantization.MinMaxObserver(dtype=torch.quint8)
    observer(torch.from_numpy(W))
    scale, zero_point = observer.calculate_qparams()
    qt = quantize(W, 8, "affine")
    assert qt.scale == pytest.approx(float(scale), rel=1e-6)
    assert qt.zero_point == int(zero_point)


def test_quantized_network_keeps_masks_and_zeros():
    """quantize_network keeps masks and biases, and every pruned weight stays zero."""
    net = pruned_net()
    qnet = quantize_network(net, bits=4)
    for a, b in zip(net.layers, qnet.layers):
        np.testing.assert_array_equal(b.mask, a.mask)
        np.testing.assert_array_equal(b.b, a.b)
        assert np.all(b.W[a.mask == 0] == 0)
        assert len(np.unique(b.W)) <= 2**4


def test_quantized_network_leaves_the_original_alone():
    """quantize_network returns a copy."""
    net = pruned_net()
    before = [layer.W.copy() for layer in net.layers]
    quantize_network(net, bits=2)
    for W, layer in zip(before, net.layers):
        np.testing.assert_array_equal(W, layer.W)


def test_output_error_shrinks_with_more_bits():
    """Four more bits cut the largest output error at least fourfold (the step is 16x finer)."""
    net = pruned_net()
    X = np.random.default_rng(3).normal(size=(50, 20))
    out = net.forward(X)
    errors = [np.abs(quantize_network(net, bits).forward(X) - out).max() for bits in (4, 8, 12)]
    assert errors[1] < errors[0] / 4 and errors[2] < errors[1] / 4


# ------------------------------------------------------------ k-means sharing
@SETTINGS
@given(W=sparse_arrays, k=st.integers(1, 8), init=st.sampled_from(["linear", "density", "random"]))
def test_kmeans_gives_at_most_k_values_and_keeps_zeros(W, k, init):
    """Reconstructed weights take at most n_clusters nonzero values; zeros stay zero."""
    k = min(k, int(np.count_nonzero(W))) or None
    if k is None:
        return
    W_hat = reconstruct(kmeans_share(W, k, rng=0, init=init))
    assert np.all(W_hat[W == 0] == 0)
    assert len(np.unique(W_hat[W != 0])) <= k


@pytest.mark.parametrize("init", ["linear", "density", "random"])
@pytest.mark.parametrize("k", [2, 5, 16, 64])
def test_kmeans_inertia_never_increases(init, k):
    """The inertia after each assignment step is non-increasing."""
    shared = kmeans_share(pruned_matrix((40, 30)), k, rng=1, init=init)
    inertia = np.array(shared.inertia)
    assert np.all(np.diff(inertia) <= 1e-12 * inertia[0])


def test_each_nonzero_gets_its_nearest_shared_value():
    """At convergence every nonzero weight is labelled with its nearest centroid."""
    W = pruned_matrix()
    shared = kmeans_share(W, 8)
    distance = np.abs(W[W != 0][:, None] - shared.codebook[None, :])
    chosen = distance[np.arange(distance.shape[0]), shared.labels[W != 0]]
    np.testing.assert_allclose(chosen, distance.min(axis=1), atol=1e-7)


def test_codebook_is_ascending_and_labels_mark_zeros():
    """The codebook is sorted; labels are -1 exactly at the zeros of W."""
    W = pruned_matrix()
    shared = kmeans_share(W, 16)
    assert np.all(np.diff(shared.codebook) >= 0)
    np.testing.assert_array_equal(shared.labels == -1, W == 0)
    assert shared.codebook.dtype == W.dtype


@pytest.mark.parametrize("k", [2, 4, 8])
def test_kmeans_matches_scikit_learn_from_the_same_start(k):
    """From the same linear start, Lloyd's iterations reach scikit-learn's centroids."""
    KMeans = pytest.importorskip("sklearn.cluster").KMeans
    W = np.random.default_rng(k).normal(size=(25, 20))
    shared = kmeans_share(W, k)
    start = np.linspace(W.min(), W.max(), k).reshape(-1, 1)
    ref = KMeans(k, init=start, n_init=1, tol=0.0, algorithm="lloyd", max_iter=300).fit(
        W.reshape(-1, 1)
    )
    np.testing.assert_allclose(shared.codebook, np.sort(ref.cluster_centers_.ravel()), rtol=1e-10)
    assert shared.inertia[-1] == pytest.approx(ref.inertia_, rel=1e-10)


def test_one_cluster_is_the_mean_of_the_nonzeros():
    """With n_clusters=1 every nonzero becomes their mean."""
    W = pruned_matrix(dtype=np.float64)
    W_hat = reconstruct(kmeans_share(W, 1))
    np.testing.assert_allclose(W_hat[W != 0], W[W != 0].mean())


def test_as_many_clusters_as_distinct_values_is_lossless_when_values_are_spread():
    """Four well-separated values in four clusters are reconstructed exactly."""
    W = np.array([[0.0, -2.0, 1.0], [3.0, 0.0, -2.0], [1.0, 5.0, 0.0]])
    np.testing.assert_array_equal(reconstruct(kmeans_share(W, 4)), W)


def test_random_init_is_reproducible_with_a_seed():
    """The same seed gives the same codebook; linear init ignores the seed."""
    W = pruned_matrix()
    a, b = kmeans_share(W, 8, rng=7, init="random"), kmeans_share(W, 8, rng=7, init="random")
    np.testing.assert_array_equal(a.codebook, b.codebook)
    np.testing.assert_array_equal(kmeans_share(W, 8, 1).codebook, kmeans_share(W, 8, 2).codebook)


def test_shared_network_keeps_masks_and_has_k_values_per_layer():
    """share_weights keeps masks and biases and leaves at most k values in each W."""
    net = pruned_net()
    shared = share_weights(net, [8, 4, 2])
    for a, b, k in zip(net.layers, shared.layers, [8, 4, 2]):
        np.testing.assert_array_equal(b.mask, a.mask)
        np.testing.assert_array_equal(b.b, a.b)
        assert np.all(b.W[a.mask == 0] == 0)
        assert len(np.unique(b.W[b.W != 0])) <= k


# ------------------------------------------------------------ report
def tiny_net():
    """A 3-2-1 net: W0 has 2 nonzeros of 6, W1 has 1 of 2."""
    W0 = np.array([[0.5, 0.0], [0.0, 0.0], [0.0, -1.0]])
    W1 = np.array([[2.0], [0.0]])
    return Network.from_weights(
        [W0.astype(np.float32), W1.astype(np.float32)],
        [np.ones(2, np.float32), np.ones(1, np.float32)],
        ["relu", "identity"],
    )


def test_compression_report_of_a_tiny_net_by_hand():
    """Bytes of a 3-2-1 net worked out by hand (CSR stores W.T: rows are output neurons)."""
    # dense: 11 parameters * 4 bytes.
    # csr, layer 0: 2 values + 2 columns + 3 row pointers, 4 bytes each, + 2 biases = 36;
    #      layer 1: 1 value + 1 column + 2 row pointers + 1 bias = 20.
    # 8-bit: values take 1 byte; + QPARAM_BYTES per layer: (2+8+12+8+8) + (1+4+8+4+8) = 63.
    # k-means with 2 clusters: 1-bit indices (padded to a byte per layer) + 2 float32
    #      codebook entries per layer: (1+8+12+8+8) + (1+4+8+4+8) = 62.
    report = compression_report(tiny_net(), bits=8, n_clusters=2)
    assert report == {"dense": 44, "csr": 56, "csr_quantized": 63, "csr_kmeans": 62}
    assert QPARAM_BYTES == 8


def test_report_rows_agree_with_storage_bytes():
    """The dense and CSR rows are storage_bytes' counts, dense is 4 bytes per parameter."""
    net = pruned_net(sizes=(64, 128, 10), sparsity=0.9)
    report = compression_report(net)
    assert report["dense"] == storage_bytes(net, "dense") == 4 * count_parameters(net)
    assert report["csr"] == storage_bytes(net, "csr")


def test_kmeans_row_is_csr_with_index_bits_plus_codebooks():
    """32 clusters: 5-bit values in CSR plus a 32-entry float32 codebook per layer."""
    net = pruned_net(sizes=(64, 128, 10), sparsity=0.9)
    report = compression_report(net, n_clusters=32)
    expected = sum(
        storage_bytes(layer.W.T, "csr", value_dtype=5) + layer.b.nbytes + 32 * 4
        for layer in net.layers
    )
    assert report["csr_kmeans"] == expected


def test_each_step_of_deep_compression_shrinks_a_sparse_net():
    """At 90% sparsity: dense > CSR > CSR + 8-bit > CSR + 5-bit k-means indices."""
    report = compression_report(pruned_net(sizes=(64, 128, 10), sparsity=0.9))
    assert report["dense"] > report["csr"] > report["csr_quantized"] > report["csr_kmeans"]


def test_formatted_report_lists_every_row():
    """The text table has a header and one line per row, with the ratio to dense."""
    report = compression_report(pruned_net())
    text = format_compression_report(report)
    lines = text.splitlines()
    assert len(lines) == 1 + len(report)
    assert lines[1].startswith("dense") and lines[1].rstrip().endswith("1.0")


# ------------------------------------------------------------ errors
@pytest.mark.parametrize("bits", [1, 17, 0])
def test_bits_outside_2_to_16_are_refused(bits):
    """bits must be in [2, 16]."""
    with pytest.raises(ValueError, match=f"bits={bits} must be"):
        quantize(np.eye(3), bits)


def test_bits_must_be_an_int():
    """bits=8.0 is a float, not a count."""
    with pytest.raises(TypeError, match="bits must be an int, got float 8.0"):
        quantize(np.eye(3), 8.0)
    with pytest.raises(TypeError, match="bits must be an int"):
        compression_report(pruned_net(), bits="8")


def test_unknown_scheme_and_init_are_refused():
    """Unknown scheme and init names list the choices."""
    with pytest.raises(ValueError, match="unknown scheme 'asymmetric'; expected one of"):
        quantize(np.eye(3), scheme="asymmetric")
    with pytest.raises(ValueError, match="unknown scheme 'log'"):
        quantize_network(pruned_net(), scheme="log")
    with pytest.raises(ValueError, match="unknown init 'kmeans\\+\\+'"):
        kmeans_share(np.eye(3), 2, init="kmeans++")


def test_nan_weights_are_refused():
    """A NaN in W is refused by quantize and kmeans_share."""
    W = np.array([[1.0, np.nan]])
    with pytest.raises(ValueError, match="W contains 1 NaN"):
        quantize(W)
    with pytest.raises(ValueError, match="W contains 1 NaN"):
        kmeans_share(W, 1)


@pytest.mark.parametrize(
    ("k", "error", "match"),
    [
        (0, ValueError, "n_clusters=0 must be >= 1"),
        (4, ValueError, "n_clusters=4 must be at most the number of nonzero weights of W, 3"),
        (2.0, TypeError, "n_clusters must be an int"),
    ],
)
def test_bad_cluster_counts_are_refused(k, error, match):
    """n_clusters is an int between 1 and the number of nonzeros."""
    with pytest.raises(error, match=match):
        kmeans_share(np.diag([1.0, 2.0, 3.0]), k)


def test_share_weights_checks_the_cluster_counts_per_layer():
    """A list of the wrong length, or more clusters than a layer's nonzeros, is refused."""
    net = pruned_net(sizes=(4, 3, 2), sparsity=0.0)
    with pytest.raises(ValueError, match="one int per layer \\(2\\), got a list of 3"):
        share_weights(net, [2, 2, 2])
    with pytest.raises(ValueError, match="nonzero weights of layer 1, 6"):
        share_weights(net, 7)


def test_wrong_objects_are_refused():
    """dequantize, reconstruct and the network functions check what they get."""
    with pytest.raises(TypeError, match="qt must be a QuantizedTensor"):
        dequantize(np.eye(2))
    with pytest.raises(TypeError, match="shared must be a SharedWeights"):
        reconstruct(np.eye(2))
    with pytest.raises(TypeError, match="net must be a minprune.Network, got ndarray"):
        quantize_network(np.eye(2))
    with pytest.raises(TypeError, match="net must be a minprune.Network"):
        compression_report([np.eye(2)])
    assert isinstance(quantize(np.eye(2)), QuantizedTensor)
    assert isinstance(kmeans_share(np.eye(2), 1), SharedWeights)
