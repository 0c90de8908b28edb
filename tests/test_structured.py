"""Tests for structured pruning: neuron scores, selection, masking and surgery."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minprune.layers import Dense
from minprune.metrics import count_parameters
from minprune.network import Network
from minprune.optim import SGD
from minprune.structured import (
    NEURON_SCORES,
    check_keep,
    fold_constant_neurons,
    incoming_l2,
    merge_duplicate_neurons,
    neuron_importance,
    neuron_mask,
    random_neuron_scores,
    remove_layer,
    remove_neurons,
    select_neurons,
    taylor,
)

ELEMENTWISE = ["relu", "sigmoid", "tanh", "identity"]


def make_net(sizes=(5, 7, 6, 3), activation="relu", seed=0, dtype="float64"):
    return Network(list(sizes), activation=activation, rng=seed, dtype=dtype)


def data(n=40, n_in=5, seed=1):
    return np.random.default_rng(seed).normal(size=(n, n_in))


def max_gap(a, b, X):
    return float(np.abs(a.forward(X) - b.forward(X)).max())


# ------------------------------------------------------------------ masked == shrunk
@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=3, max_size=5),
    activation=st.sampled_from(ELEMENTWISE),
    seed=st.integers(0, 2**16),
    draw=st.data(),
)
def test_masked_and_shrunk_networks_agree(sizes, activation, seed, draw):
    """For any activation, layer and keep set, surgery gives the masked network's outputs."""
    net = make_net(sizes, activation, seed)
    layer = draw.draw(st.integers(0, len(sizes) - 3))
    n = sizes[layer + 1]
    keep = draw.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    X = data(12, sizes[0], seed)
    masked = neuron_mask(net.copy(), layer, keep)
    small = remove_neurons(net, layer, keep)
    assert small.sizes[layer + 1] == len(keep)
    np.testing.assert_allclose(small.forward(X), masked.forward(X), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", ELEMENTWISE)
def test_masked_and_shrunk_agree_in_float32(activation):
    """The agreement holds in the default float32 too, to float32 rounding."""
    net = make_net(activation=activation, dtype="float32")
    keep = [0, 2, 5]
    small = remove_neurons(net, 1, keep)
    assert small.dtype == np.float32 and all(d.W.dtype == np.float32 for d in small.layers)
    X = data()
    np.testing.assert_allclose(
        small.forward(X), neuron_mask(net.copy(), 1, keep).forward(X), rtol=1e-5, atol=1e-5
    )


def test_sigmoid_surgery_folds_half_of_the_removed_rows_into_the_next_bias():
    """A masked sigmoid neuron outputs 0.5, so surgery adds 0.5 * W_{l+1}[j, :] to b_{l+1}."""
    net = make_net(activation="sigmoid")
    small = remove_neurons(net, 0, [1, 2, 3, 4, 5, 6])
    np.testing.assert_allclose(small.layers[1].b, net.layers[1].b + 0.5 * net.layers[1].W[0])
    X = data()
    masked = neuron_mask(net.copy(), 0, [1, 2, 3, 4, 5, 6])
    assert max_gap(masked, small, X) < 1e-12
    assert not np.allclose(masked.forward(X), net.forward(X))


@pytest.mark.parametrize("activation", ELEMENTWISE)
def test_removing_a_neuron_with_zero_outgoing_weights_changes_nothing(activation):
    """A neuron whose outgoing weights are all zero can be removed without changing outputs."""
    net = make_net(activation=activation)
    net.layers[1].W[3] = 0.0
    small = remove_neurons(net, 0, [0, 1, 2, 4, 5, 6])
    X = data()
    np.testing.assert_allclose(small.forward(X), net.forward(X), rtol=1e-12, atol=1e-12)


def test_neuron_mask_zeroes_columns_and_biases_through_the_masks():
    """neuron_mask zeroes W_l[:, j] and b_l[j] and their masks, and leaves W_{l+1} alone."""
    net = make_net()
    before = net.layers[1].W.copy()
    neuron_mask(net, 0, [0, 2])
    dense = net.layers[0]
    gone = [1, 3, 4, 5, 6]
    assert np.all(dense.W[:, gone] == 0) and np.all(dense.mask[:, gone] == 0)
    assert np.all(dense.b_mask[gone] == 0) and np.all(dense.mask[:, [0, 2]] == 1)
    np.testing.assert_array_equal(net.layers[1].W, before)


def test_masked_neurons_stay_zero_through_training():
    """Neurons masked by neuron_mask stay zero after SGD steps with momentum and weight decay."""
    net = neuron_mask(make_net(), 0, [0, 1, 2])
    X, y = data(), np.arange(40) % 3
    opt = SGD(lr=0.1, momentum=0.9, weight_decay=1e-3)
    for _ in range(5):
        opt.step(net, net.loss_and_grads(X, y)[1])
    assert np.all(net.layers[0].W[:, 3:] == 0) and np.all(net.layers[0].b[3:] == 0)


def test_surgery_keeps_the_masks_of_the_kept_neurons():
    """Weight masks of kept neurons travel with them; pruned weights stay pruned."""
    net = make_net()
    mask = np.ones_like(net.layers[0].W)
    mask[0, 4] = 0.0
    net.layers[0].apply_mask(mask)
    small = remove_neurons(net, 0, [2, 4])
    assert small.layers[0].mask[0, 1] == 0 and small.layers[0].W[0, 1] == 0
    np.testing.assert_array_equal(small.layers[1].mask, net.layers[1].mask[[2, 4]])


def test_remove_neurons_leaves_the_input_network_unchanged():
    """Surgery returns a new network and does not touch the old one."""
    net = make_net()
    Ws = [d.W.copy() for d in net.layers]
    remove_neurons(net, 0, [0, 1])
    assert all(np.array_equal(d.W, W) for d, W in zip(net.layers, Ws))


@pytest.mark.parametrize("layer,n_remove", [(0, 1), (0, 4), (1, 2), (1, 5)])
def test_parameter_count_drops_by_the_removed_rows_and_columns(layer, n_remove):
    """Removing k neurons of layer l saves k * (n_in + 1 + n_next) parameters."""
    net = make_net()
    n_in, n_out, n_next = net.sizes[layer : layer + 3]
    keep = np.arange(n_out - n_remove)
    small = remove_neurons(net, layer, keep)
    saved = n_remove * (n_in + 1 + n_next)
    assert count_parameters(net) - count_parameters(small) == saved


def test_shrunk_network_still_trains():
    """A shrunk network has consistent gradients and accepts an optimiser step."""
    small = remove_neurons(make_net(), 1, [0, 3])
    X, y = data(), np.arange(40) % 3
    loss0, grads = small.loss_and_grads(X, y)
    SGD(lr=0.1).step(small, grads)
    assert small.loss(X, y) < loss0


# ------------------------------------------------------------------ scores
def planted_net(activation):
    """A net whose neuron 3 of layer 0 has tiny incoming and outgoing weights and is near 0."""
    net = make_net((5, 7, 6, 3), activation)
    net.layers[0].W[:, 3] *= 1e-3
    net.layers[0].b[3] = 0.0 if activation == "tanh" else -50.0
    net.layers[1].W[3] *= 1e-3
    return net


@pytest.mark.parametrize(
    ("criterion", "activation"),
    [
        (criterion, activation)
        for criterion in sorted(NEURON_SCORES)
        for activation in ("relu", "sigmoid", "tanh")
        if criterion != "random"  # the control knows nothing of the network
        if criterion != "apoz" or activation == "relu"  # APoZ is defined for relu only
    ],
)
def test_each_score_ranks_a_planted_unimportant_neuron_lowest(criterion, activation):
    """Every criterion but the random control gives the planted neuron the lowest score."""
    net = planted_net(activation)
    scores = neuron_importance(net, 0, criterion, X=data(200), y=np.arange(200) % 3)
    assert scores.shape == (7,)
    assert np.argmin(scores) == 3
    assert list(select_neurons(scores, n_remove=1)) == [0, 1, 2, 4, 5, 6]


def test_neuron_importance_accepts_a_function_of_the_score_signature():
    """A function score(net, layer, X, rng) works wherever a criterion name does."""

    def negative_incoming_l2(net, layer, X=None, rng=None):
        return -incoming_l2(net, layer)

    net = make_net()
    np.testing.assert_array_equal(
        neuron_importance(net, 1, negative_incoming_l2), -neuron_importance(net, 1, "incoming_l2")
    )
    np.testing.assert_array_equal(
        neuron_importance(net, 1, incoming_l2), neuron_importance(net, 1, "incoming_l2")
    )


def scaled_neuron_loss(net, layer, j, s, X, y):
    """The loss with neuron j's incoming weights and bias multiplied by s (s = 0: masked)."""
    scaled = net.copy()
    scaled.layers[layer].W[:, j] *= s
    scaled.layers[layer].b[j] *= s
    return scaled.loss(X, y)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("layer", [0, 1])
def test_taylor_is_the_squared_slope_of_the_loss_towards_removal(activation, layer):
    """taylor = (dL/ds at s = 1)^2, s scaling the neuron's incoming weights and bias towards
    the masked neuron (s = 0), the slope measured by central differences."""
    net, X, y = make_net(activation=activation), data(), np.arange(40) % 3
    eps = 1e-6
    slopes = [
        (
            scaled_neuron_loss(net, layer, j, 1 + eps, X, y)
            - scaled_neuron_loss(net, layer, j, 1 - eps, X, y)
        )
        / (2 * eps)
        for j in range(net.sizes[layer + 1])
    ]
    np.testing.assert_allclose(taylor(net, layer, X, y=y), np.square(slopes), rtol=1e-5, atol=1e-14)


def test_taylor_for_relu_is_molchanovs_activation_criterion_squared():
    """For relu, (sum_n a_nj dL/da_nj)^2 computed by hand (Molchanov et al. 2017) equals taylor."""
    net, X, y = make_net((5, 7, 3)), data(), np.arange(40) % 3
    W, b, W2, b2 = net.layers[0].W, net.layers[0].b, net.layers[1].W, net.layers[1].b
    A = np.maximum(X @ W + b, 0)
    logits = A @ W2 + b2
    P = np.exp(logits - logits.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    P[np.arange(40), y] -= 1
    dA = (P / 40) @ W2.T  # dL/dA of the mean cross-entropy
    np.testing.assert_allclose(taylor(net, 0, X, y=y), np.sum(A * dA, axis=0) ** 2, rtol=1e-10)


@pytest.mark.parametrize("size", [1e-3, 1e-4])
def test_taylor_estimates_the_loss_change_of_removing_a_neuron_to_first_order(size):
    """Removing one neuron changes the loss by about the first-order estimate, with a relative
    error that shrinks in proportion to the weights' size (second-order terms)."""
    net, X, y = make_net((5, 7, 3)), data(), np.arange(40) % 3
    net.layers[0].W *= size
    net.layers[0].b *= size
    base = net.loss(X, y)
    actual = np.array(
        [remove_neurons(net, 0, np.delete(np.arange(7), j)).loss(X, y) - base for j in range(7)]
    )
    np.testing.assert_allclose(actual**2, taylor(net, 0, X, y=y), rtol=20 * size)


def test_neuron_importance_passes_labels_to_a_score_that_takes_them():
    """y reaches a score function that takes it; a four-argument score still works without y."""
    seen = {}

    def labelled(net, layer, X=None, rng=None, y=None):
        seen["y"] = y
        return incoming_l2(net, layer)

    y = np.arange(40) % 3
    neuron_importance(make_net(), 0, labelled, X=data(), y=y)
    np.testing.assert_array_equal(seen["y"], y)
    np.testing.assert_array_equal(
        neuron_importance(make_net(), 0, "taylor", X=data(), y=y),
        taylor(make_net(), 0, data(), y=y),
    )


def test_random_neuron_scores_are_seeded_by_rng():
    """The random control draws one score per neuron from rng: same seed, same scores."""
    net = make_net()
    a = neuron_importance(net, 1, "random", rng=3)
    assert a.shape == (6,) and ((a >= 0) & (a < 1)).all()
    np.testing.assert_array_equal(a, random_neuron_scores(net, 1, rng=np.random.default_rng(3)))
    assert not np.array_equal(a, neuron_importance(net, 1, "random", rng=4))


def test_activation_scores_run_only_the_layers_up_to_the_scored_one():
    """Scoring layer 0 on data never runs the layers after it."""
    net, X = make_net(), data()

    def must_not_run(*args, **kwargs):
        raise AssertionError("layer 2 ran while scoring layer 0")

    expected = neuron_importance(net, 0, "mean_activation", X)
    net.layers[2].forward = must_not_run
    for criterion in ("mean_activation", "activation_variance", "apoz"):
        neuron_importance(net, 0, criterion, X)
    np.testing.assert_array_equal(neuron_importance(net, 0, "mean_activation", X), expected)
    fold_constant_neurons(net, 0, X)
    merge_duplicate_neurons(net, 0, X)


def test_weight_scores_are_the_column_and_row_norms():
    """incoming_* are norms of W_l's columns, outgoing_* norms of W_{l+1}'s rows."""
    net = make_net()
    W0, W1 = net.layers[1].W, net.layers[2].W
    np.testing.assert_allclose(neuron_importance(net, 1, "incoming_l1"), np.abs(W0).sum(0))
    np.testing.assert_allclose(neuron_importance(net, 1, "incoming_l2"), np.linalg.norm(W0, axis=0))
    np.testing.assert_allclose(neuron_importance(net, 1, "outgoing_l1"), np.abs(W1).sum(1))
    np.testing.assert_allclose(neuron_importance(net, 1, "outgoing_l2"), np.linalg.norm(W1, axis=1))


def test_apoz_score_is_one_minus_the_fraction_of_zeros():
    """apoz returns 1 - APoZ, the share of samples where the relu neuron is active."""
    net, X = make_net(), data(100)
    A = np.maximum(X @ net.layers[0].W + net.layers[0].b, 0)
    np.testing.assert_allclose(neuron_importance(net, 0, "apoz", X), 1 - np.mean(A == 0, axis=0))


@pytest.mark.parametrize("n", [1, 2, 3])
def test_incoming_l2_with_masking_matches_torch_ln_structured(n):
    """incoming_l2 + select_neurons + neuron_mask masks the same rows as torch's ln_structured."""
    torch = pytest.importorskip("torch")
    prune = pytest.importorskip("torch.nn.utils.prune")
    net = make_net()
    lin = torch.nn.Linear(5, 7)
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(net.layers[0].W.T.copy()))
    prune.ln_structured(lin, "weight", amount=n, n=2, dim=0)
    keep = select_neurons(neuron_importance(net, 0, "incoming_l2"), n_remove=n)
    neuron_mask(net, 0, keep)
    np.testing.assert_array_equal(net.layers[0].mask, lin.weight_mask.numpy().T)


# ------------------------------------------------------------------ select
def test_ties_remove_the_lower_index_first():
    """Among equal scores the lower index is removed first, as in unstructured pruning."""
    assert list(select_neurons([1.0, 1.0, 1.0, 2.0], n_remove=2)) == [2, 3]


@pytest.mark.parametrize("fraction,expected", [(0.0, 6), (0.25, 4), (0.5, 3), (0.9, 1)])
def test_fraction_removes_the_rounded_count(fraction, expected):
    """fraction removes round(fraction * n) neurons and returns sorted indices."""
    scores = np.random.default_rng(0).normal(size=6)
    keep = select_neurons(scores, fraction=fraction)
    assert len(keep) == expected and np.all(np.diff(keep) > 0)
    assert set(keep) == set(np.argsort(scores)[6 - expected :])


# ------------------------------------------------------------------ fold
def test_fold_removes_dead_relu_neurons_exactly():
    """Dead relu neurons are found, removed, and the outputs do not change."""
    net, X = make_net(), data()
    net.layers[1].b[[1, 4]] = -100.0
    small, removed = fold_constant_neurons(net, 1, X)
    assert list(removed) == [1, 4] and small.sizes == [5, 7, 4, 3]
    np.testing.assert_array_equal(small.layers[2].b, net.layers[2].b)
    np.testing.assert_allclose(small.forward(X), net.forward(X), rtol=1e-12, atol=1e-13)


def test_fold_saturated_sigmoid_within_tolerance():
    """A saturated sigmoid neuron folds into the bias with an error within tol."""
    net, X = make_net(activation="sigmoid"), data()
    net.layers[0].W[:, 2] *= 1e-3
    net.layers[0].b[2] = 20.0
    tol = 1e-6
    small, removed = fold_constant_neurons(net, 0, X, tol=tol)
    assert list(removed) == [2]
    bound = tol * np.abs(net.layers[1].W[2]).sum() * np.abs(net.layers[2].W).sum(0).max()
    assert 0 < max_gap(small, net, X) <= bound


def test_fold_without_constant_neurons_changes_nothing():
    """With no constant neuron nothing is removed."""
    net, X = make_net(), data()
    small, removed = fold_constant_neurons(net, 0, X)
    assert removed.size == 0 and small.sizes == net.sizes


def test_fold_keeps_one_neuron_when_all_are_constant():
    """A layer that is constant everywhere keeps its first neuron, and outputs are unchanged."""
    net, X = make_net(), data()
    net.layers[0].b[:] = -100.0
    small, removed = fold_constant_neurons(net, 0, X)
    assert list(removed) == [1, 2, 3, 4, 5, 6] and small.sizes == [5, 1, 6, 3]
    np.testing.assert_allclose(small.forward(X), net.forward(X))


# ------------------------------------------------------------------ merge
@pytest.mark.parametrize("activation", ELEMENTWISE)
def test_exact_duplicates_merge_without_changing_outputs(activation):
    """Neurons with equal incoming weights and bias merge exactly into the first of them."""
    net, X = make_net(activation=activation), data()
    d = net.layers[1]
    d.b[:] = np.arange(6) * 0.1
    for j in (2, 5):
        d.W[:, j], d.b[j] = d.W[:, 0], d.b[0]
    small, groups = merge_duplicate_neurons(net, 1, X)
    assert [(g.kept, g.merged) for g in groups] == [(0, (2, 5))]
    assert groups[0].weight_gap == 0 and groups[0].activation_gap == 0
    assert small.sizes == [5, 7, 4, 3]
    np.testing.assert_allclose(small.forward(X), net.forward(X), rtol=1e-12, atol=1e-12)


def test_near_duplicates_report_their_gaps():
    """Near-duplicates within tol merge, and the reported gaps bound the change in outputs."""
    net, X = make_net(activation="tanh"), data()
    d = net.layers[0]
    d.W[:, 4] = d.W[:, 1] + 1e-4
    small, groups = merge_duplicate_neurons(net, 0, X, tol=1e-3)
    (g,) = groups
    assert (g.kept, g.merged) == (1, (4,)) and g.weight_gap == pytest.approx(1e-4)
    bound = (
        g.activation_gap * np.abs(net.layers[1].W[4]).sum() * np.abs(net.layers[2].W).sum(0).max()
    )
    assert 0 < max_gap(small, net, X) <= bound
    assert merge_duplicate_neurons(net, 0, tol=1e-3)[1][0].activation_gap is None


def test_merge_takes_the_union_of_outgoing_masks():
    """A merged row keeps every outgoing weight that was unmasked in any group member."""
    net, X = make_net(), data()
    d = net.layers[0]
    d.W[:, 3], d.b[3] = d.W[:, 0], d.b[0]
    mask = np.ones_like(net.layers[1].W)
    mask[0, :3] = 0.0
    mask[3, 3:] = 0.0
    net.layers[1].apply_mask(mask)
    small, _ = merge_duplicate_neurons(net, 0)
    assert np.all(small.layers[1].mask[0] == 1)
    np.testing.assert_allclose(small.forward(X), net.forward(X), rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ remove_layer
@pytest.mark.parametrize("layer", [0, 1])
def test_removing_a_linear_layer_is_exact(layer):
    """A linear hidden layer collapses into W_l @ W_{l+1} with unchanged outputs."""
    acts = ["relu", "relu", "identity"]
    acts[layer] = "identity"
    rng = np.random.default_rng(0)
    sizes = [5, 7, 6, 3]
    Ws = [rng.normal(size=s) for s in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(size=s) for s in sizes[1:]]
    net, X = Network.from_weights(Ws, bs, acts), data()
    small = remove_layer(net, layer)
    assert len(small.layers) == 2 and small.sizes == [
        s for i, s in enumerate(sizes) if i != layer + 1
    ]
    assert small.layers[layer].activation == acts[layer + 1]
    np.testing.assert_allclose(small.forward(X), net.forward(X), rtol=1e-12, atol=1e-12)


def test_linear_layer_removal_keeps_structural_zeros_masked():
    """Entries of W' with no unmasked path through the removed layer stay masked."""
    net = make_net((4, 3, 2), activation="identity")
    net.layers[0].apply_mask(np.array([[0, 0, 0]] + [[1, 1, 1]] * 3))
    small = remove_layer(net, 0)
    assert np.all(small.layers[0].mask[0] == 0) and np.all(small.layers[0].mask[1:] == 1)


def test_lstsq_layer_removal_gives_one_layer_less():
    """A nonlinear layer is replaced by a least-squares linear map with the right shapes."""
    net, X = make_net(), data(200)
    small = remove_layer(net, 1, method="lstsq", X=X)
    assert small.sizes == [5, 7, 3] and small.dtype == net.dtype
    assert small.forward(X).shape == (200, 3)


def test_lstsq_recovers_a_linear_layer():
    """On a linear layer the least-squares fit is the exact collapse."""
    net, X = make_net(activation="identity"), data(200)
    np.testing.assert_allclose(
        remove_layer(net, 0, method="lstsq", X=X).forward(X), net.forward(X), atol=1e-10
    )


# ------------------------------------------------------------------ errors
def test_unknown_criterion_lists_the_options():
    """An unknown score name raises ValueError listing the registered names."""
    with pytest.raises(ValueError, match="unknown criterion 'foo'; expected one of .*'apoz'"):
        neuron_importance(make_net(), 0, "foo")


def test_a_criterion_that_is_neither_name_nor_function_is_a_type_error():
    """criterion=3 names the registered scores and says a function is accepted too."""
    with pytest.raises(TypeError, match="criterion must be a score name .*apoz.* or a function"):
        neuron_importance(make_net(), 0, 3)


def test_a_criterion_function_must_return_one_score_per_neuron():
    """A function returning the wrong number of scores is refused, naming it and the shape."""

    def two(net, layer, X=None, rng=None):
        return np.ones(2)

    with pytest.raises(ValueError, match=r"criterion 'two' returned scores of shape \(2,\); "):
        neuron_importance(make_net(), 0, two)


def test_taylor_needs_data_and_labels():
    """taylor without X or without y says it needs both, with X's shape."""
    for kwargs in ({}, {"X": data()}, {"y": np.zeros(40, dtype=int)}):
        with pytest.raises(
            ValueError, match=r"taylor needs data and labels: pass X of shape \(n, 5\)"
        ):
            neuron_importance(make_net(), 0, "taylor", **kwargs)


def test_taylor_checks_the_labels_against_X():
    """Labels of the wrong length are refused before any gradient is computed."""
    with pytest.raises(ValueError, match="y"):
        neuron_importance(make_net(), 0, "taylor", X=data(), y=np.zeros(39, dtype=int))


@pytest.mark.parametrize("criterion", ["mean_activation", "activation_variance", "apoz"])
def test_activation_scores_need_X(criterion):
    """Activation-based scores without X say they need data."""
    with pytest.raises(ValueError, match=rf"{criterion} needs data: pass X of shape \(n, 5\)"):
        neuron_importance(make_net(), 0, criterion)


def test_apoz_rejects_non_relu_layers():
    """apoz on a sigmoid layer is an error naming the activation."""
    with pytest.raises(
        ValueError, match="apoz counts the zeros of relu; layer 0 has activation 'sigmoid'"
    ):
        neuron_importance(make_net(activation="sigmoid"), 0, "apoz", X=data())


@pytest.mark.parametrize(
    "layer,error,match",
    [
        (2, ValueError, r"layer=2 is the output layer; only hidden layers 0..1"),
        (-1, ValueError, r"layer=-1 is negative; the input has no neurons"),
        (5, ValueError, r"layer=5 is out of range: the network has 3 layers"),
        (1.0, TypeError, r"layer must be an int, got float"),
    ],
)
def test_bad_layer_index(layer, error, match):
    """Output, input, out-of-range and non-int layer indices are rejected."""
    net = make_net()
    for call in (
        lambda: neuron_importance(net, layer),
        lambda: remove_neurons(net, layer, [0]),
        lambda: remove_layer(net, layer),
    ):
        with pytest.raises(error, match=match):
            call()


def test_network_without_hidden_layer():
    """A one-layer network has no hidden layer to prune."""
    with pytest.raises(ValueError, match="no hidden layer"):
        remove_layer(make_net((4, 2)), 0)


def test_net_must_be_a_network():
    """Passing something else than a Network is a TypeError."""
    with pytest.raises(TypeError, match="net must be a minprune.Network, got list"):
        neuron_importance([], 0)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({}, ValueError, "exactly one of n_remove"),
        ({"n_remove": 1, "fraction": 0.5}, ValueError, "exactly one of n_remove"),
        ({"n_remove": 0.5}, TypeError, "n_remove must be an int count, got float"),
        ({"fraction": 1}, TypeError, "fraction=1 is an int"),
        ({"fraction": 1.5}, ValueError, r"fraction=1.5 must be in \[0, 1\)"),
        ({"n_remove": 4}, ValueError, r"n_remove=4 would remove all 4 neurons"),
        ({"n_remove": 9}, ValueError, r"n_remove=9 would remove more than the 4 neurons"),
        ({"n_remove": -1}, ValueError, r"must be in \[0, 3\]"),
        ({"fraction": 0.9}, ValueError, r"n_remove=4 would remove all 4"),
    ],
)
def test_select_neurons_errors(kwargs, error, match):
    """Bad counts and fractions, and removing every neuron, are rejected."""
    with pytest.raises(error, match=match):
        select_neurons([0.1, 0.2, 0.3, 0.4], **kwargs)


@pytest.mark.parametrize(
    "keep,error,match",
    [
        (
            [],
            ValueError,
            r"keep is empty: removing all 7 neurons of layer 0 leaves no layer; "
            r"expected at least one index in \[0, 7\)",
        ),
        (
            [0, 7],
            ValueError,
            r"keep holds index 7 outside \[0, 7\), the indices of the 7 "
            "neurons of layer 0",
        ),
        ([-1, 2], ValueError, r"keep holds index -1 outside \[0, 7\)"),
        (
            [1, 2, 1],
            ValueError,
            "keep holds index 1 twice; expected each of the neurons of layer 0 at most once",
        ),
        (
            [0.0, 1.0],
            TypeError,
            "keep must be a 1-D list of int indices of the neurons of layer "
            "0 to keep, got float64 values such as 0.0",
        ),
        ([True] * 7, TypeError, r"got a boolean mask; pass its indices, np.flatnonzero\(mask\)"),
        ([[0, 1]], TypeError, r"got a 2-D array of shape \(1, 2\)"),
        (3, TypeError, r"got a 0-D array of shape \(\)"),
    ],
)
@pytest.mark.parametrize("apply", [neuron_mask, remove_neurons])
def test_bad_keep_lists(apply, keep, error, match):
    """Each bad keep-list is refused by mask and surgery, naming keep, what came and what fits."""
    with pytest.raises(error, match=match):
        apply(make_net(), 0, keep)


def test_check_keep_keeps_the_order_and_names_the_argument():
    """check_keep returns the indices in their order and names the argument it checks."""
    np.testing.assert_array_equal(check_keep((4, 0, 2), 5), [4, 0, 2])
    assert check_keep(np.array([1], dtype=np.uint8), 2).dtype == np.intp
    with pytest.raises(ValueError, match=r"keep1 holds index 9 outside \[0, 8\), .* 8 channels"):
        check_keep([9], 8, name="keep1", what="channels")


def test_softmax_hidden_layer_cannot_lose_neurons():
    """Surgery on a softmax hidden layer is refused: its neurons are coupled."""
    net = make_net(activation="softmax")
    for call in (
        lambda: remove_neurons(net, 0, [0]),
        lambda: fold_constant_neurons(net, 0, data()),
        lambda: merge_duplicate_neurons(net, 0),
    ):
        with pytest.raises(ValueError, match="layer 0 uses softmax, which couples its neurons"):
            call()


def test_fold_needs_X_and_a_nonnegative_tol():
    """fold_constant_neurons without data, or with tol < 0, is an error."""
    with pytest.raises(ValueError, match="fold_constant_neurons needs data"):
        fold_constant_neurons(make_net(), 0, None)
    with pytest.raises(ValueError, match="tol=-1.0 must be a finite number >= 0"):
        fold_constant_neurons(make_net(), 0, data(), tol=-1.0)


def test_merge_rejects_a_negative_tol():
    """merge_duplicate_neurons with tol < 0 is an error."""
    with pytest.raises(ValueError, match="tol=-0.1 must be a finite number >= 0"):
        merge_duplicate_neurons(make_net(), 0, tol=-0.1)


def test_exact_removal_of_a_nonlinear_layer_points_to_lstsq():
    """method='exact' on a relu layer says why and offers method='lstsq'."""
    with pytest.raises(ValueError, match="layer 1 has activation 'relu'; only a linear .*'lstsq'"):
        remove_layer(make_net(), 1)


def test_lstsq_layer_removal_needs_X():
    """method='lstsq' without data is an error."""
    with pytest.raises(ValueError, match=r"method='lstsq' needs data: pass X of shape \(n, 5\)"):
        remove_layer(make_net(), 0, method="lstsq")


def test_unknown_layer_removal_method():
    """An unknown method lists the two that exist."""
    with pytest.raises(ValueError, match="unknown method 'svd'; expected one of 'exact', 'lstsq'"):
        remove_layer(make_net(), 0, method="svd")


def test_surgery_output_is_built_from_dense_layers():
    """Every layer of a shrunk network is a Dense with W == W * mask."""
    small = remove_neurons(make_net(activation="sigmoid"), 0, [1, 3])
    assert all(isinstance(d, Dense) and np.array_equal(d.W, d.W * d.mask) for d in small.layers)
    assert all(np.array_equal(d.b, d.b * d.b_mask) for d in small.layers)
