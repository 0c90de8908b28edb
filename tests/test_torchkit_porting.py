"""minprune networks in torch and back: same outputs, same masks, minprune's threshold rule."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
prune = pytest.importorskip("torch.nn.utils.prune")

from torch import nn  # noqa: E402

from minprune.layers import Dense  # noqa: E402
from minprune.network import Network  # noqa: E402
from minprune.pruning import (  # noqa: E402
    apply_masks,
    magnitude,
    sparsity_masks,
    threshold_masks,
)
from minprune.pruning import prune as mp_prune  # noqa: E402
from minprune.torchkit.porting import (  # noqa: E402
    ThresholdPruning,
    from_torch,
    threshold_unstructured,
    to_torch,
)

ACTIVATIONS = ["relu", "sigmoid", "tanh", "identity"]


def make_net(sizes=(6, 9, 7, 4), activation="relu", dtype="float32", seed=0):
    """A network with random nonzero biases and distinct weight magnitudes (no ties)."""
    net = Network(list(sizes), activation=activation, dtype=dtype, rng=seed)
    rng = np.random.default_rng(seed + 100)
    for layer in net.layers:
        layer.b[:] = rng.normal(size=layer.b.shape).astype(dtype)
    mags = np.concatenate([np.abs(layer.W).ravel() for layer in net.layers])
    assert np.unique(mags).size == mags.size, "test data must be free of ties"
    return net


def data(n_in=6, n=11, dtype="float32", seed=1):
    return np.random.default_rng(seed).normal(size=(n, n_in)).astype(dtype)


def outputs(model, X):
    with torch.no_grad():
        return model(torch.from_numpy(X)).numpy()


def hidden_linears(model):
    return [m for m in model if isinstance(m, nn.Linear)][:-1]


# ------------------------------------------------------------------ to_torch
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_float64_outputs_equal_to_rounding(activation):
    """In float64 the torch model's outputs equal the network's to 1e-12."""
    net = make_net(activation=activation, dtype="float64")
    X = data(dtype="float64")
    np.testing.assert_allclose(outputs(to_torch(net), X), net.forward(X), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_float32_outputs_allclose(activation):
    """In float32 the outputs agree to float32 rounding."""
    net = make_net(activation=activation)
    X = data()
    np.testing.assert_allclose(outputs(to_torch(net), X), net.forward(X), rtol=1e-5, atol=1e-6)


def test_softmax_output_for_mse_networks():
    """A softmax output layer becomes nn.Softmax over each sample's outputs."""
    net = Network(
        [5, 4, 3], activation="tanh", output="softmax", loss="mse", dtype="float64", rng=0
    )
    X = data(n_in=5, dtype="float64")
    np.testing.assert_allclose(outputs(to_torch(net), X), net.forward(X), rtol=1e-12)


def test_weight_is_W_transposed_in_the_network_dtype():
    """Each Linear holds weight = W.T and bias = b in the network's dtype."""
    net = make_net(dtype="float64")
    for layer, linear in zip(net.layers, [m for m in to_torch(net) if isinstance(m, nn.Linear)]):
        assert linear.weight.dtype == torch.float64
        assert np.array_equal(linear.weight.detach().numpy(), layer.W.T)
        assert np.array_equal(linear.bias.detach().numpy(), layer.b)


def test_identity_layers_get_no_activation_module():
    """An identity output adds no module: Linear, ReLU, Linear, ReLU, Linear."""
    kinds = [type(m).__name__ for m in to_torch(make_net())]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]


def test_to_torch_copies_the_weights():
    """Training the torch model leaves the minprune network unchanged."""
    net = make_net()
    before = [layer.W.copy() for layer in net.layers]
    model = to_torch(net)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    assert all(np.array_equal(w, layer.W) for w, layer in zip(before, net.layers))


def test_to_torch_leaves_the_torch_rng_alone():
    """Building the model draws no random numbers from torch's global generator."""
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    to_torch(make_net())
    assert torch.equal(torch.rand(3), expected)


def test_unpruned_network_gets_no_pruning_buffers():
    """Without a pruned weight the Linear layers hold plain parameters."""
    model = to_torch(make_net())
    assert not any(name.endswith("_mask") for name, _ in model.named_buffers())


def test_weight_mask_equals_the_network_mask():
    """A pruned layer's weight_mask is its minprune mask, transposed."""
    net = mp_prune(make_net(), sparsity=0.6)
    model = to_torch(net)
    for layer, linear in zip(net.layers[:-1], hidden_linears(model)):
        assert np.array_equal(linear.weight_mask.numpy(), layer.mask.T)
        assert np.array_equal(linear.weight.detach().numpy(), layer.W.T)
    assert not hasattr(model[-1], "weight_mask")  # the output layer was not pruned


def test_bias_mask_carried_over():
    """A pruned bias becomes bias_mask."""
    net = mp_prune(make_net(), sparsity=0.5, include_biases=True)
    linear = to_torch(net)[0]
    assert np.array_equal(linear.bias_mask.numpy(), net.layers[0].b_mask)


def test_pruned_weights_stay_zero_through_torch_training():
    """SGD on the torch model moves weight_orig but the effective pruned weights stay 0."""
    net = mp_prune(make_net(), sparsity=0.7)
    model = to_torch(net).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.01)
    X, y = torch.from_numpy(data()), torch.arange(11) % 4
    for _ in range(5):
        opt.zero_grad()
        nn.functional.cross_entropy(model(X), y).backward()
        opt.step()
    for layer, linear in zip(net.layers[:-1], hidden_linears(model)):
        assert (linear.weight.detach().numpy()[layer.mask.T == 0] == 0).all()


def test_to_torch_rejects_other_objects():
    """to_torch needs a minprune Network."""
    with pytest.raises(TypeError, match="net must be a minprune.Network, got Sequential"):
        to_torch(nn.Sequential(nn.Linear(2, 2)))


# ------------------------------------------------------------------ from_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_is_exact(dtype):
    """from_torch(to_torch(net)) has the same W, b, masks and activations, bit for bit."""
    net = mp_prune(make_net(activation="tanh", dtype=dtype), sparsity=0.5, include_biases=True)
    back = from_torch(to_torch(net))
    assert back.dtype == net.dtype and back.loss_name == net.loss_name
    for a, b in zip(net.layers, back.layers):
        assert a.activation == b.activation
        for name in ("W", "b", "mask", "b_mask"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_torch_round_trip_gives_the_same_outputs():
    """A torch model read into minprune and written back computes the same outputs."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.Sigmoid(), nn.Linear(8, 3)).double()
    X = data(dtype="float64")
    np.testing.assert_allclose(
        outputs(to_torch(from_torch(model)), X), outputs(model, X), rtol=1e-13
    )


def test_from_torch_reads_masked_weights():
    """A weight pruned in torch is read as weight_orig * weight_mask, with its mask."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))
    prune.l1_unstructured(model[0], "weight", amount=0.5)
    net = from_torch(model)
    assert np.array_equal(net.layers[0].mask, model[0].weight_mask.numpy().T)
    assert np.array_equal(net.layers[0].W, model[0].weight.detach().numpy().T)
    X = data()
    np.testing.assert_allclose(net.forward(X), outputs(model, X), rtol=1e-5, atol=1e-6)


def test_plain_weight_zeros_are_not_a_mask():
    """After prune.remove the zeros are values: the mask read back is all ones."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))
    prune.l1_unstructured(model[0], "weight", amount=0.5)
    prune.remove(model[0], "weight")
    layer = from_torch(model).layers[0]
    assert (layer.W == 0).mean() == 0.5 and (layer.mask == 1).all()


def test_linear_without_bias_reads_as_pruned_zero_bias():
    """A Linear(bias=False) gives b = 0 with b_mask = 0, so training keeps it 0."""
    model = nn.Sequential(nn.Linear(4, 3, bias=False))
    layer = from_torch(model).layers[0]
    assert (layer.b == 0).all() and (layer.b_mask == 0).all()


def test_identity_modules_are_skipped():
    """nn.Identity between a Linear and its activation changes nothing."""
    model = nn.Sequential(nn.Linear(4, 5), nn.Identity(), nn.ReLU(), nn.Linear(5, 2))
    assert [lay.activation for lay in from_torch(model).layers] == ["relu", "identity"]


def test_loss_follows_the_output_activation():
    """Logits read as a cross-entropy network, a sigmoid output as mse, unless loss is given."""
    logits = nn.Sequential(nn.Linear(4, 2))
    probs = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
    assert from_torch(logits).loss_name == "cross_entropy"
    assert from_torch(probs).loss_name == "mse"
    assert from_torch(logits, loss="mse").loss_name == "mse"


def test_from_torch_copies_the_weights():
    """Changing the network afterwards leaves the torch model unchanged."""
    model = nn.Sequential(nn.Linear(4, 3))
    before = model[0].weight.detach().clone()
    from_torch(model).layers[0].W[...] = 7.0
    assert torch.equal(model[0].weight.detach(), before)


@pytest.mark.parametrize(
    "model, kind, match",
    [
        (nn.Linear(3, 2), TypeError, "model must be an nn.Sequential .* got Linear"),
        (nn.Sequential(), ValueError, "model holds no nn.Linear layer"),
        (nn.Sequential(nn.Linear(3, 2), nn.Dropout()), ValueError, r"model\[1\] is a Dropout"),
        (nn.Sequential(nn.ReLU(), nn.Linear(3, 2)), ValueError, "does not directly follow"),
        (nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Tanh()), ValueError, "does not directly"),
        (nn.Sequential(nn.Linear(3, 2), nn.Softmax(dim=0)), ValueError, r"Softmax\(dim=0\)"),
        (nn.Sequential(nn.Linear(3, 2).half()), ValueError, "float16; minprune needs"),
        (nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 2).double()), ValueError, "mixes dtypes"),
        (nn.Sequential(nn.Linear(3, 2), nn.Linear(4, 2)), ValueError, "layer 0 has 2 outputs"),
    ],
)
def test_from_torch_errors(model, kind, match):
    """Every model from_torch cannot read gets a sentence naming the problem."""
    with pytest.raises(kind, match=match):
        from_torch(model)


def test_from_torch_rejects_an_unknown_loss():
    """loss must be one of minprune's losses."""
    with pytest.raises(ValueError, match="unknown loss 'nll'"):
        from_torch(nn.Sequential(nn.Linear(3, 2)), loss="nll")


# ------------------------------------------------------------------ masks: torch == minprune
@pytest.mark.parametrize("sparsity", [0.0, 0.25, 0.5, 0.9])
def test_l1_unstructured_equals_layerwise_sparsity_masks(sparsity):
    """prune.l1_unstructured per layer gives minprune's layer-wise masks (tie-free data)."""
    net = make_net(sizes=(10, 12, 9, 4))
    model = to_torch(net)
    for linear in hidden_linears(model):
        prune.l1_unstructured(linear, "weight", amount=sparsity)
    expected = sparsity_masks(magnitude(net), sparsity, scope="layer")
    for e, linear in zip(expected, hidden_linears(model)):
        assert np.array_equal(linear.weight_mask.numpy().T, e)


@pytest.mark.parametrize("sparsity", [0.0, 0.3, 0.75, 0.95])
def test_global_unstructured_equals_global_sparsity_masks(sparsity):
    """prune.global_unstructured gives minprune's global masks (tie-free data)."""
    net = make_net(sizes=(10, 12, 9, 4))
    net.layers[1].W *= 3.0  # layers on different scales: global differs from layer-wise
    model = to_torch(net)
    params = [(linear, "weight") for linear in hidden_linears(model)]
    prune.global_unstructured(params, pruning_method=prune.L1Unstructured, amount=sparsity)
    expected = sparsity_masks(magnitude(net), sparsity, scope="global")
    for e, linear in zip(expected, hidden_linears(model)):
        assert np.array_equal(linear.weight_mask.numpy().T, e)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("threshold", [0.0, 0.1, 0.4, 5.0])
def test_threshold_pruning_equals_threshold_masks(dtype, threshold):
    """threshold_unstructured gives minprune's threshold masks on every prunable layer."""
    net = make_net(sizes=(10, 12, 9, 4), dtype=dtype)
    model = to_torch(net)
    for linear in hidden_linears(model):
        threshold_unstructured(linear, "weight", threshold)
    mp_prune(net, threshold=threshold)
    for layer, linear in zip(net.layers, hidden_linears(model)):
        assert np.array_equal(linear.weight_mask.numpy().T, layer.mask)
        assert linear.weight_mask.dtype == linear.weight_orig.dtype


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_a_weight_equal_to_the_threshold_is_pruned(dtype):
    """|w| == threshold in the tensor's dtype is pruned, as in threshold_masks."""
    t = 0.1
    w = torch.tensor([t, -t, 0.3, 0.05], dtype=dtype)
    mask = ThresholdPruning(t).compute_mask(w, torch.ones_like(w))
    expected = threshold_masks([np.abs(w.numpy())], t)[0]
    assert np.array_equal(mask.numpy(), expected)
    assert mask.tolist() == [0.0, 0.0, 1.0, 0.0]


def test_threshold_pruning_keeps_pruned_entries_pruned():
    """Entries whose default_mask is 0 stay 0, however large."""
    w = torch.tensor([5.0, 5.0, 0.01])
    mask = ThresholdPruning(0.1).compute_mask(w, torch.tensor([0.0, 1.0, 1.0]))
    assert mask.tolist() == [0.0, 1.0, 0.0]


def test_iterative_threshold_pruning_multiplies_masks():
    """Two thresholds applied one after the other equal minprune's masks applied in turn."""
    net = make_net(sizes=(10, 12, 4))
    model = to_torch(net)
    threshold_unstructured(model[0], "weight", 0.3)
    threshold_unstructured(model[0], "weight", 0.1)  # lower: revives nothing
    (hook,) = model[0]._forward_pre_hooks.values()
    assert isinstance(hook, prune.PruningContainer)
    mp_prune(net, threshold=0.3)
    mp_prune(net, threshold=0.1)
    assert np.array_equal(model[0].weight_mask.numpy().T, net.layers[0].mask)


def test_threshold_on_top_of_a_minprune_mask():
    """Thresholding a ported pruned network keeps its old mask and adds the new rule."""
    net = mp_prune(make_net(sizes=(10, 12, 4)), sparsity=0.4)
    model = to_torch(net)
    threshold_unstructured(model[0], "weight", 0.35)
    mp_prune(net, threshold=0.35)
    assert np.array_equal(model[0].weight_mask.numpy().T, net.layers[0].mask)


def test_threshold_with_importance_scores():
    """importance_scores replace the weights in the comparison, as in torch's methods."""
    linear = nn.Linear(4, 2)
    scores = torch.tensor([[0.0, 1.0, 2.0, 3.0], [3.0, 2.0, 1.0, 0.0]])
    threshold_unstructured(linear, "weight", 1.5, importance_scores=scores)
    assert linear.weight_mask.tolist() == [[0.0, 0.0, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0]]


def test_threshold_pruning_a_bias():
    """Any parameter can be pruned by name, a 1-D bias included."""
    linear = nn.Linear(2, 3)
    with torch.no_grad():
        linear.bias.copy_(torch.tensor([0.5, -0.05, 0.2]))
    threshold_unstructured(linear, "bias", 0.1)
    assert linear.bias_mask.tolist() == [1.0, 0.0, 1.0]


def test_remove_after_threshold_keeps_the_zeros():
    """prune.remove makes the thresholded weight a plain parameter with its zeros."""
    net = make_net(sizes=(10, 12, 4))
    model = to_torch(net)
    threshold_unstructured(model[0], "weight", 0.2)
    prune.remove(model[0], "weight")
    expected = threshold_masks(magnitude(net, [0]), 0.2)[0]
    assert not hasattr(model[0], "weight_mask")
    assert np.array_equal(model[0].weight.detach().numpy().T != 0, expected == 1)


def test_masked_torch_model_equals_masked_network():
    """A network pruned in minprune gives the same outputs as its port (float64)."""
    net = make_net(dtype="float64")
    apply_masks(net, threshold_masks(magnitude(net), 0.3))
    X = data(dtype="float64")
    np.testing.assert_allclose(outputs(to_torch(net), X), net.forward(X), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize(
    "threshold, kind, match",
    [
        (-0.1, ValueError, r"threshold=-0.1 must be a finite number >= 0"),
        (float("nan"), ValueError, "threshold=nan must be a finite number >= 0"),
        ("0.1", TypeError, "threshold must be a number, got str"),
        (True, TypeError, "threshold must be a number, got bool"),
    ],
)
def test_threshold_errors(threshold, kind, match):
    """A threshold that is not a finite number >= 0 is refused before the module changes."""
    linear = nn.Linear(3, 2)
    with pytest.raises(kind, match=match):
        threshold_unstructured(linear, "weight", threshold)
    assert not hasattr(linear, "weight_mask") and not linear._forward_pre_hooks


def test_dense_from_torch_matches_layers_api():
    """from_torch builds plain minprune Dense layers."""
    layers = from_torch(nn.Sequential(nn.Linear(3, 2), nn.Tanh())).layers
    assert isinstance(layers[0], Dense) and layers[0].activation == "tanh"
