"""Network and Dense: dtypes, masks, copies, saving and loading, and the training fast path."""

import numpy as np
import pytest

from minprune.activations import ACTIVATIONS
from minprune.layers import Dense, dense_backward, dense_forward
from minprune.losses import LOSSES
from minprune.network import Network
from minprune.workspace import BACKWARD_IN_PLACE, FORWARD_IN_PLACE, Workspace


def small_net(dtype="float32", seed=0):
    return Network([6, 5, 4, 3], activation="tanh", dtype=dtype, rng=seed)


def test_float32_is_the_default():
    """A network is float32 unless asked otherwise, forward output included."""
    net = Network([4, 3], rng=0)
    assert net.dtype == np.float32
    assert all(a.dtype == np.float32 for layer in net.layers for a in (layer.W, layer.b))
    assert net.forward(np.ones((2, 4))).dtype == np.float32


def test_float64_on_request():
    """dtype='float64' gives float64 weights, masks, outputs and gradients."""
    net = Network([4, 5, 3], dtype="float64", rng=0)
    assert all(layer.W.dtype == layer.mask.dtype == np.float64 for layer in net.layers)
    _, grads = net.loss_and_grads(np.ones((2, 4)), [0, 1])
    assert all(g["W"].dtype == np.float64 for g in grads)


def test_astype_converts_and_keeps_masks():
    """astype('float64') copies weights and masks into float64."""
    net = small_net()
    net.layers[0].apply_mask(np.eye(6, 5))
    net64 = net.astype("float64")
    assert net64.dtype == np.float64
    np.testing.assert_array_equal(net64.layers[0].mask, np.eye(6, 5))
    np.testing.assert_allclose(net64.layers[1].W, net.layers[1].W)


def test_same_seed_same_weights():
    """The same rng seed draws the same weights; another seed different ones."""
    a, b, c = Network([5, 4], rng=3), Network([5, 4], rng=3), Network([5, 4], rng=4)
    np.testing.assert_array_equal(a.layers[0].W, b.layers[0].W)
    assert not np.array_equal(a.layers[0].W, c.layers[0].W)


def test_sizes_and_repr():
    """sizes lists the widths input first; repr names them."""
    net = Network([64, 32, 10], rng=0)
    assert net.sizes == [64, 32, 10]
    assert "64, 32, 10" in repr(net)


def test_from_weights_uses_the_given_weights():
    """from_weights builds the layers from the given W, b and activations."""
    W1, b1 = np.array([[1.0, -1.0]]), np.array([0.0, 1.0])
    W2, b2 = np.array([[2.0], [3.0]]), np.array([0.5])
    net = Network.from_weights([W1, W2], [b1, b2], ["relu", "identity"], loss="mse")
    # x = 2: hidden relu([2, -1]) = [2, 0]; output 2*2 + 0*3 + 0.5
    np.testing.assert_allclose(net.forward([[2.0]]), [[4.5]])


def test_dense_forward_and_backward_formulas():
    """dense_forward is X W + b; dense_backward gives dZ W^T, X^T dZ, sum dZ."""
    rng = np.random.default_rng(0)
    X, W, b, dZ = (rng.normal(size=s) for s in [(3, 4), (4, 2), (2,), (3, 2)])
    np.testing.assert_allclose(dense_forward(X, W, b), X @ W + b)
    dX, dW, db = dense_backward(dZ, X, W)
    np.testing.assert_allclose(dX, dZ @ W.T)
    np.testing.assert_allclose(dW, X.T @ dZ)
    np.testing.assert_allclose(db, dZ.sum(axis=0))


def test_mask_zeroes_weights_and_their_gradients():
    """A masked weight is 0 and gets gradient 0."""
    net = small_net("float64")
    mask = np.ones((6, 5))
    mask[::2, 1] = 0
    net.layers[0].apply_mask(mask)
    assert np.all(net.layers[0].W[mask == 0] == 0)
    _, grads = net.loss_and_grads(np.ones((3, 6)), [0, 1, 2])
    assert np.all(grads[0]["W"][mask == 0] == 0)


def test_apply_mask_multiplies_into_the_old_mask():
    """Pruned stays pruned: a later mask of ones does not bring weights back."""
    layer = Dense(np.ones((2, 2)), np.zeros(2))
    layer.apply_mask(np.array([[1.0, 0.0], [1.0, 1.0]]))
    layer.apply_mask(np.array([[0.0, 1.0], [1.0, 1.0]]))
    np.testing.assert_array_equal(layer.mask, [[0.0, 0.0], [1.0, 1.0]])
    layer.apply_mask(np.ones((2, 2)))
    np.testing.assert_array_equal(layer.W, [[0.0, 0.0], [1.0, 1.0]])


def test_a_mask_of_ones_changes_neither_forward_nor_backward():
    """Applying an all-ones mask leaves outputs and gradients unchanged."""
    net = small_net("float64")
    X, y = np.random.default_rng(0).normal(size=(4, 6)), [0, 1, 2, 0]
    out, (loss, grads) = net.forward(X), net.loss_and_grads(X, y)
    before = [layer.W.copy() for layer in net.layers]
    for layer in net.layers:
        layer.apply_mask(np.ones_like(layer.W), np.ones_like(layer.b))
    np.testing.assert_array_equal(net.forward(X), out)
    loss2, grads2 = net.loss_and_grads(X, y)
    assert loss2 == loss
    for W, layer in zip(before, net.layers, strict=True):
        np.testing.assert_array_equal(layer.W, W)
    for g, g2 in zip(grads, grads2, strict=True):
        np.testing.assert_array_equal(g["W"], g2["W"])


def test_copy_is_deep():
    """Changing a copy's weights or masks leaves the original untouched."""
    net = small_net()
    before = [layer.W.copy() for layer in net.layers]
    twin = net.copy()
    for layer in twin.layers:
        layer.W += 1.0
        layer.apply_mask(np.zeros_like(layer.W))
    for layer, W in zip(net.layers, before, strict=True):
        np.testing.assert_array_equal(layer.W, W)
        assert np.all(layer.mask == 1)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_save_load_round_trips_weights_masks_and_activations(tmp_path, dtype):
    """save then load gives the same weights, biases, masks, activations, loss and dtype."""
    net = Network([5, 4, 3], activation="sigmoid", output="sigmoid", loss="mse", dtype=dtype, rng=1)
    net.layers[0].apply_mask(np.tri(5, 4), np.array([1.0, 0.0, 1.0, 1.0]))
    path = tmp_path / "net.npz"
    net.save(path)
    back = Network.load(path)
    assert back.loss_name == "mse" and back.dtype == np.dtype(dtype)
    for a, b in zip(net.layers, back.layers, strict=True):
        assert a.activation == b.activation
        for name in ("W", "b", "mask", "b_mask"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_load_accepts_the_path_without_suffix(tmp_path):
    """save('net') writes net.npz (numpy's rule) and load('net') finds it."""
    net = small_net()
    net.save(str(tmp_path / "net"))
    back = Network.load(str(tmp_path / "net"))
    np.testing.assert_array_equal(back.layers[0].W, net.layers[0].W)


def test_predict_proba_rows_sum_to_one():
    """predict_proba of a cross-entropy network is a probability per row."""
    P = small_net().predict_proba(np.random.default_rng(0).normal(size=(5, 6)))
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-6)


def test_predict_thresholds_a_single_sigmoid_output():
    """One sigmoid output unit predicts 1 where it exceeds 0.5."""
    net = Network.from_weights([np.array([[1.0]])], [np.zeros(1)], ["sigmoid"], loss="mse")
    np.testing.assert_array_equal(net.predict([[-2.0], [2.0]]), [0, 1])


def test_accuracy_counts_matches():
    """accuracy is the fraction of argmax predictions equal to y."""
    net = Network.from_weights([np.eye(2)], [np.zeros(2)], ["identity"])
    assert net.accuracy([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0]], [0, 1, 1]) == pytest.approx(2 / 3)


def textbook_loss_and_grads(net, X, y):
    """``forward(cache=True)``, the loss and ``backward``: what ``loss_and_grads`` computes."""
    out, caches = net.forward(X, cache=True)
    value, dout = LOSSES[net.loss_name](out, y)
    return value, net.backward(dout, caches)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "activation, output, loss",
    [
        ("relu", "identity", "cross_entropy"),
        ("tanh", "identity", "cross_entropy"),
        ("sigmoid", "identity", "cross_entropy"),
        ("softmax", "identity", "cross_entropy"),
        ("relu", "sigmoid", "mse"),
        ("tanh", "softmax", "mse"),
        ("sigmoid", "tanh", "mse"),
        ("relu", "relu", "mse"),
    ],
)
def test_loss_and_grads_is_forward_loss_backward_to_the_bit(activation, output, loss, dtype):
    """loss_and_grads, computed in kept arrays, returns exactly the textbook path's loss and
    gradients, batch after batch, a new batch size and a pruned weight included."""
    net = Network([6, 8, 5, 3], activation, output, loss, dtype=dtype, rng=0)
    net.layers[1].apply_mask(np.tri(8, 5))
    rng = np.random.default_rng(1)
    for n in (7, 7, 4, 7):
        X = rng.normal(size=(n, 6))
        y = rng.integers(0, 3, n) if loss == "cross_entropy" else rng.normal(size=(n, 3))
        value, grads = net.loss_and_grads(X, y)
        expected_value, expected = textbook_loss_and_grads(net, X, y)
        assert value == expected_value
        for g, e in zip(grads, expected, strict=True):
            assert g["W"].dtype == e["W"].dtype == net.dtype
            np.testing.assert_array_equal(g["W"], e["W"])
            np.testing.assert_array_equal(g["b"], e["b"])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_in_place_activations_match_the_textbook_ones_to_the_bit(name):
    """The fast path's f(Z) over Z and dA * f'(Z) over dA (read off A alone) equal the
    functions of activations.py exactly, and write over their input."""
    forward, backward = ACTIVATIONS[name]
    rng = np.random.default_rng(3)
    z = rng.normal(size=(6, 5)).astype(np.float32) * 3
    z[0, :2] = 0.0  # relu's kink
    dout = rng.normal(size=z.shape).astype(np.float32)
    a, dz = forward(z), backward(dout, z, forward(z))
    Z, dA = z.copy(), dout.copy()
    assert FORWARD_IN_PLACE[name](Z) is Z
    np.testing.assert_array_equal(Z, a)
    assert BACKWARD_IN_PLACE[name](dA, Z) is dA
    np.testing.assert_array_equal(dA, dz)


def test_workspace_keeps_one_array_per_layer_and_remakes_it_for_a_new_batch_size():
    """The kept arrays are reused while the batch size stays, replaced when it changes."""
    net = Network([6, 8, 3], rng=0)
    space = Workspace()
    X = np.ones((5, 6), np.float32)
    first, _ = space.forward(net.layers, X)
    assert space.forward(net.layers, X)[0] is first
    other, _ = space.forward(net.layers, np.ones((4, 6), np.float32))
    assert other.shape == (4, 3) and other is not first
    np.testing.assert_array_equal(other, net.forward(np.ones((4, 6))))


def test_loss_and_grads_returns_new_gradient_arrays_every_call():
    """Gradients kept from one batch are not overwritten by the next (only activations are reused)."""
    net = Network([6, 8, 5, 3], rng=0)
    rng = np.random.default_rng(2)
    X1, X2 = rng.normal(size=(2, 7, 6))
    y = rng.integers(0, 3, 7)
    _, g1 = net.loss_and_grads(X1, y)
    kept = [{k: v.copy() for k, v in g.items()} for g in g1]
    _, g2 = net.loss_and_grads(X2, y)
    for a, b, c in zip(g1, kept, g2):
        np.testing.assert_array_equal(a["W"], b["W"])
        np.testing.assert_array_equal(a["b"], b["b"])
        assert not np.array_equal(a["W"], c["W"])


def test_copies_do_not_share_kept_arrays():
    """A copy or a float64 copy computes in arrays of its own."""
    net = Network([6, 8, 3], rng=0)
    X, y = np.ones((5, 6)), [0, 1, 2, 0, 1]
    net.loss_and_grads(X, y)
    for other in (net.copy(), net.astype("float64")):
        other.loss_and_grads(X, y)
        mine, theirs = net._workspace.arrays, other._workspace.arrays
        assert mine.keys() == theirs.keys()
        for key in mine:
            assert not np.shares_memory(mine[key], theirs[key])
            assert theirs[key].dtype == other.dtype
