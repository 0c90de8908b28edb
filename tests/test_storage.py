"""Storage: byte counts that match scipy's arrays, exact break-even sparsities, a sparse
copy that computes what the dense network computes, and a compressed file that reads back."""

import math
import os

import numpy as np
import pytest
import scipy.sparse as sp

from minprune.metrics import count_nonzeros, count_parameters
from minprune.network import Network
from minprune.storage import (
    SparseNetwork,
    break_even_sparsity,
    load_compressed,
    save_compressed,
    storage_bytes,
    to_sparse,
)


def pruned_matrix(shape, sparsity, seed=0, dtype=np.float32):
    """A random matrix with a ``sparsity`` fraction of its entries set to zero."""
    rng = np.random.default_rng(seed)
    W = rng.normal(size=shape).astype(dtype)
    W[rng.random(shape) < sparsity] = 0
    return W


def pruned_net(sizes=(20, 16, 12, 5), sparsity=0.7, dtype="float32", activation="relu", seed=0):
    """A network whose layers (output included) are randomly pruned to about ``sparsity``."""
    net = Network(list(sizes), activation=activation, dtype=dtype, rng=seed)
    rng = np.random.default_rng(seed + 1)
    for layer in net.layers:
        layer.apply_mask((rng.random(layer.W.shape) >= sparsity).astype(layer.W.dtype))
        layer.b[:] = rng.normal(size=layer.b.shape)
    return net


def scipy_nbytes(A):
    """Bytes of the arrays a scipy sparse matrix holds."""
    if A.format == "coo":
        return A.data.nbytes + sum(c.nbytes for c in A.coords)
    return A.data.nbytes + A.indices.nbytes + A.indptr.nbytes


SHAPES = [(1, 1), (7, 3), (30, 50), (64, 10)]
SPARSITIES = [0.0, 0.5, 0.9, 1.0]


# ------------------------------------------------------------ byte counts
@pytest.mark.parametrize("value_dtype", ["float64", "float32", "float16", "int8"])
def test_dense_bytes_are_entries_times_value_bytes(value_dtype):
    """Dense storage is n * value bytes, whatever the sparsity."""
    W = pruned_matrix((13, 9), 0.6)
    assert storage_bytes(W, "dense", value_dtype) == 13 * 9 * np.dtype(value_dtype).itemsize


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("sparsity", SPARSITIES)
@pytest.mark.parametrize("value_dtype", ["float32", "float16", "float64"])
@pytest.mark.parametrize("index_dtype", ["int32", "int64"])
def test_csr_bytes_match_scipy(shape, sparsity, value_dtype, index_dtype):
    """CSR bytes equal scipy's data + indices + indptr nbytes."""
    W = pruned_matrix(shape, sparsity)
    A = sp.csr_array(W)
    data = A.data.astype(value_dtype)  # scipy.sparse has no float16 matrices
    indices, indptr = A.indices.astype(index_dtype), A.indptr.astype(index_dtype)
    assert storage_bytes(W, "csr", value_dtype, index_dtype) == (
        data.nbytes + indices.nbytes + indptr.nbytes
    )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("sparsity", SPARSITIES)
@pytest.mark.parametrize("value_dtype", ["float32", "float16"])
def test_coo_bytes_match_scipy(shape, sparsity, value_dtype):
    """COO bytes equal scipy's data + row + col nbytes (int32 indices)."""
    W = pruned_matrix(shape, sparsity)
    A = sp.coo_array(W)
    assert all(c.dtype == np.int32 for c in A.coords)
    expected = A.data.astype(value_dtype).nbytes + sum(c.nbytes for c in A.coords)
    assert storage_bytes(W, "coo", value_dtype, "int32") == expected


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("sparsity", SPARSITIES)
def test_bitmask_bytes_match_packed_nonzeros_and_packbits(shape, sparsity):
    """Bitmask bytes equal the nonzero values plus numpy.packbits of the mask."""
    W = pruned_matrix(shape, sparsity)
    expected = W[W != 0].nbytes + np.packbits(W != 0).nbytes
    assert storage_bytes(W, "bitmask") == expected


@pytest.mark.parametrize(
    ("bits", "dtype"), [(8, "int8"), (16, "float16"), (32, "float32"), (64, "int64")]
)
@pytest.mark.parametrize("format", ["dense", "bitmask", "coo", "csr"])
def test_an_int_width_is_bits_like_the_dtype_of_that_size(bits, dtype, format):
    """value_dtype=8 counts like int8, index_dtype=32 like int32."""
    W = pruned_matrix((11, 6), 0.5)
    assert storage_bytes(W, format, bits, bits) == storage_bytes(W, format, dtype, dtype)


def test_sub_byte_values_are_padded_to_whole_bytes():
    """Three 5-bit values take ceil(15 / 8) = 2 bytes; the 4 row pointers 16 int32 bytes."""
    W = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 0.0]])
    assert storage_bytes(W, "csr", value_dtype=5) == 2 + 3 * 4 + 4 * 4


def test_network_bytes_count_each_w_transposed_plus_dense_biases():
    """A network's bytes are each W.T's bytes plus its biases at the value dtype."""
    net = pruned_net()
    for format in ["dense", "bitmask", "coo", "csr"]:
        expected = sum(storage_bytes(layer.W.T, format) + layer.b.nbytes for layer in net.layers)
        assert storage_bytes(net, format) == expected
        weights_only = sum(storage_bytes(layer.W.T, format) for layer in net.layers)
        assert storage_bytes(net, format, biases=False) == weights_only


def test_dense_network_bytes_are_parameters_times_four():
    """Dense float32 storage of a network is 4 bytes per parameter."""
    net = pruned_net()
    assert storage_bytes(net, "dense") == 4 * count_parameters(net)


@pytest.mark.parametrize("format", ["csr", "coo"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_network_bytes_equal_the_exported_scipy_arrays(format, dtype):
    """storage_bytes(net) equals the bytes held by to_sparse(net)'s arrays."""
    net = pruned_net(dtype=dtype)
    sparse = to_sparse(net, format)
    held = sum(scipy_nbytes(Wt) + b.nbytes for Wt, b in zip(sparse.weights, sparse.biases))
    assert storage_bytes(net, format, dtype) == held == sparse.nbytes


# ------------------------------------------------------------ break-even
@pytest.mark.parametrize("format", ["bitmask", "coo", "csr"])
@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (10, 10), (17, 4), (4, 40), (40, 1)])
@pytest.mark.parametrize(
    ("value_dtype", "index_dtype"),
    [("float32", "int32"), ("float16", "int32"), ("int8", "int16"), ("float64", "int64")],
)
def test_break_even_matches_an_exhaustive_search(format, shape, value_dtype, index_dtype):
    """For every nnz, the format beats dense exactly when the sparsity exceeds the break-even."""
    s_star = break_even_sparsity(format, shape, value_dtype, index_dtype)
    n = math.prod(shape)
    flat = np.zeros(n)
    for nnz in range(n + 1):
        flat[:nnz] = 1.0
        W = flat.reshape(shape)
        sparse = storage_bytes(W, format, value_dtype, index_dtype)
        dense = storage_bytes(W, "dense", value_dtype, index_dtype)
        s = (n - nnz) / n
        if abs(s - s_star) < 1e-12 and s_star < 1.0:
            assert sparse == dense
        else:
            assert (sparse < dense) == (s > s_star), (nnz, sparse, dense, s, s_star)


@pytest.mark.parametrize(
    ("format", "expected"), [("coo", 2 / 3), ("bitmask", 1 / 32), ("csr", 0.5 + 1001 / 2e6)]
)
def test_break_even_of_a_large_float32_matrix(format, expected):
    """float32 with int32 indices: COO wins above 2/3, bitmask above 1/32, CSR just above 1/2."""
    assert break_even_sparsity(format, (1000, 1000)) == pytest.approx(expected)


def test_break_even_is_one_when_the_format_never_wins():
    """A 1000 x 1 int8 column: CSR's 1001 int32 row pointers alone outweigh it."""
    assert break_even_sparsity("csr", (1000, 1), "int8", "int32") == 1.0


def test_break_even_of_dense_is_zero():
    """Dense never loses to itself."""
    assert break_even_sparsity("dense", (5, 5)) == 0.0


def test_smaller_indices_lower_the_break_even():
    """int16 indices make CSR pay off at a lower sparsity than int32 ones."""
    assert break_even_sparsity("csr", (64, 64), index_dtype="int16") < break_even_sparsity(
        "csr", (64, 64), index_dtype="int32"
    )


# ------------------------------------------------------------ sparse network
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("format", ["csr", "csc", "coo"])
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_sparse_forward_equals_dense_forward(dtype, format, activation):
    """SparseNetwork.forward gives the dense network's outputs."""
    net = pruned_net(dtype=dtype, activation=activation)
    X = np.random.default_rng(5).normal(size=(33, 20))
    out = to_sparse(net, format).forward(X)
    assert out.dtype == np.dtype(dtype)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(out, net.forward(X), rtol=tol, atol=tol)


def test_sparse_predictions_equal_dense_predictions():
    """predict and predict_proba agree with the dense network."""
    net = pruned_net(sparsity=0.5)
    X = np.random.default_rng(6).normal(size=(40, 20))
    sparse = to_sparse(net)
    np.testing.assert_array_equal(sparse.predict(X), net.predict(X))
    np.testing.assert_allclose(sparse.predict_proba(X), net.predict_proba(X), rtol=1e-5)


def test_sparse_weights_hold_only_the_nonzeros_of_w_transposed():
    """Each exported matrix is W.T with exactly W's nonzeros stored."""
    net = pruned_net()
    sparse = to_sparse(net)
    for Wt, layer in zip(sparse.weights, net.layers):
        assert Wt.shape == (layer.n_out, layer.n_in)
        assert Wt.nnz == np.count_nonzero(layer.W)
        np.testing.assert_array_equal(Wt.toarray(), layer.W.T)
    assert sum(Wt.nnz for Wt in sparse.weights) == count_nonzeros(net, biases=False)


def test_sparse_forward_of_a_single_sample():
    """One sample of shape (1, n_in) goes through as in the dense network."""
    net = pruned_net()
    x = np.random.default_rng(2).normal(size=(1, 20))
    np.testing.assert_allclose(to_sparse(net).forward(x), net.forward(x), rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------ files
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_compressed_file_reads_back_to_the_same_network(tmp_path, dtype):
    """load_compressed returns the weights, biases, masks and outputs that were saved."""
    net = pruned_net(dtype=dtype)
    save_compressed(net, tmp_path / "net.npz")
    back = load_compressed(tmp_path / "net.npz", dtype=dtype)
    for a, b in zip(net.layers, back.layers):
        np.testing.assert_array_equal(a.W, b.W)
        np.testing.assert_array_equal(a.b, b.b)
        np.testing.assert_array_equal(b.mask, (a.W != 0).astype(b.mask.dtype))
        assert a.activation == b.activation
    X = np.random.default_rng(3).normal(size=(9, 20))
    np.testing.assert_array_equal(back.forward(X), net.forward(X))


def test_save_compressed_returns_the_size_on_disk(tmp_path):
    """The returned size is the file's size, and '.npz' is added to a bare name."""
    size = save_compressed(pruned_net(), tmp_path / "net")
    assert size == os.path.getsize(tmp_path / "net.npz")


def test_a_pruned_network_is_smaller_on_disk_than_a_dense_save(tmp_path):
    """At 90% sparsity the compressed CSR file is smaller than Network.save's file."""
    net = pruned_net(sizes=(64, 128, 10), sparsity=0.9)
    net.save(tmp_path / "dense.npz")
    assert save_compressed(net, tmp_path / "sparse.npz") < os.path.getsize(tmp_path / "dense.npz")


def test_float16_file_keeps_weights_to_half_precision(tmp_path):
    """value_dtype='float16' stores weights rounded to float16."""
    net = pruned_net()
    save_compressed(net, tmp_path / "h.npz", value_dtype="float16")
    back = load_compressed(tmp_path / "h.npz")
    for a, b in zip(net.layers, back.layers):
        np.testing.assert_array_equal(b.W, a.W.astype(np.float16).astype(np.float32))


# ------------------------------------------------------------ errors
def test_unknown_format_is_refused():
    """An unknown format names the choices."""
    with pytest.raises(ValueError, match="unknown format 'csc'; expected one of"):
        storage_bytes(np.eye(3), "csc")
    with pytest.raises(ValueError, match="unknown format 'ell'"):
        break_even_sparsity("ell", (3, 3))
    with pytest.raises(ValueError, match="unknown format 'bitmask'"):
        to_sparse(pruned_net(), "bitmask")


def test_bad_widths_are_refused():
    """A width is a numeric dtype or 1 to 64 bits."""
    W = np.eye(3)
    with pytest.raises(TypeError, match="value_dtype must be a numpy dtype"):
        storage_bytes(W, value_dtype="banana")
    with pytest.raises(ValueError, match="index_dtype=0 bits must be in"):
        storage_bytes(W, index_dtype=0)
    with pytest.raises(ValueError, match="value_dtype must be an integer or floating dtype"):
        storage_bytes(W, value_dtype="complex64")
    with pytest.raises(TypeError, match="value_dtype must be a numpy dtype or an int"):
        storage_bytes(W, value_dtype=True)


def test_a_matrix_must_be_2d_and_finite():
    """A 1-D array and a NaN are refused with the argument's name."""
    with pytest.raises(ValueError, match="W_or_net must be a 2-D array"):
        storage_bytes(np.ones(4))
    with pytest.raises(ValueError, match="W_or_net contains 1 NaN"):
        storage_bytes(np.array([[1.0, np.nan]]))


@pytest.mark.parametrize("shape", [(3,), (0, 3), (2, 3, 4), "3x3", (2.0, 3)])
def test_break_even_needs_a_pair_of_positive_ints(shape):
    """shape must be (rows, cols) with ints >= 1."""
    with pytest.raises(ValueError, match="shape must be a"):
        break_even_sparsity("csr", shape)


def test_to_sparse_needs_a_network():
    """to_sparse and save_compressed take a Network."""
    with pytest.raises(TypeError, match="net must be a minprune.Network, got ndarray"):
        to_sparse(np.eye(3))
    with pytest.raises(TypeError, match="net must be a minprune.Network"):
        save_compressed([1, 2], "x.npz")


def test_sparse_network_checks_its_input():
    """Dense weights, a wrong bias shape and the wrong number of features are refused."""
    with pytest.raises(TypeError, match=r"weights\[0\] must be a scipy.sparse matrix"):
        SparseNetwork([np.eye(2)], [np.zeros(2)], ["relu"])
    with pytest.raises(ValueError, match=r"biases\[0\] must have shape \(2,\)"):
        SparseNetwork([sp.csr_array(np.eye(2))], [np.zeros(3)], ["relu"])
    with pytest.raises(ValueError, match="X must have 20 features"):
        to_sparse(pruned_net()).forward(np.zeros((2, 5)))


def test_save_compressed_refuses_an_integer_value_dtype(tmp_path):
    """Integer values need quantize, not a cast."""
    with pytest.raises(ValueError, match="value_dtype must be a floating dtype, got int8"):
        save_compressed(pruned_net(), tmp_path / "x.npz", value_dtype="int8")
