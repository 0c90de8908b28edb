"""Tests for unstructured pruning: scores, selectors, apply, and prune."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minprune.network import Network
from minprune.optim import SGD, Adam
from minprune.pruning import (
    SCORES,
    apply_masks,
    layer_indices,
    magnitude,
    prune,
    random_scores,
    saliency,
    score_function,
    snip_scores,
    sparsity_masks,
    squared_magnitude,
    std_masks,
    std_thresholds,
    synflow_prune,
    synflow_scores,
    threshold_masks,
)
from minprune.train import train

SIZES = [(5, 7, 6, 3), (12, 20, 4), (3, 50, 50, 2)]
CRITERIA = ["magnitude", "squared_magnitude", "saliency", "random"]


def make_net(sizes=(5, 7, 6, 3), seed=0, dtype="float64"):
    return Network(list(sizes), activation="relu", rng=seed, dtype=dtype)


def data(n=32, n_in=5, k=3, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_in)), rng.integers(0, k, size=n)


def masks_of(net):
    return [layer.mask.copy() for layer in net.layers]


def zeros(arrays):
    return sum(a.size - np.count_nonzero(a) for a in arrays)


def two_three_one():
    W1 = np.array([[0.2, -0.7, 0.5], [0.9, -0.1, 0.4]])
    W2 = np.array([[0.3], [-0.6], [0.8]])
    return Network.from_weights([W1, W2], [np.zeros(3), np.zeros(1)], ["sigmoid"] * 2, loss="mse")


# ---------------------------------------------------------------- properties
def test_mask_of_ones_changes_neither_forward_nor_backward():
    """A mask of ones changes neither forward nor backward."""
    net = make_net()
    X, y = data()
    out, (loss, grads) = net.forward(X), net.loss_and_grads(X, y)
    layers = list(range(len(net.layers)))
    apply_masks(net, [np.ones_like(layer.W) for layer in net.layers], layers)
    loss2, grads2 = net.loss_and_grads(X, y)
    assert np.array_equal(net.forward(X), out) and loss2 == loss
    for g, g2 in zip(grads, grads2):
        assert np.array_equal(g["W"], g2["W"]) and np.array_equal(g["b"], g2["b"])


def test_threshold_worked_example_keeps_strictly_above():
    """On the 2-3-1 net, t=0.5 keeps only -0.7 and 0.9; the 0.5 weight is pruned."""
    net = prune(two_three_one(), threshold=0.5)
    assert np.array_equal(net.layers[0].mask, [[0, 1, 0], [1, 0, 0]])
    assert np.array_equal(net.layers[0].W, [[0, -0.7, 0], [0.9, 0, 0]])
    assert np.array_equal(net.layers[1].W, two_three_one().layers[1].W)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_threshold_prunes_ties_at_threshold(dtype):
    """A weight with |w| equal to the threshold is pruned (strict >)."""
    scores = [np.array([0.25, 0.5, -0.5, 0.75], dtype=dtype)]
    mask = threshold_masks([np.abs(scores[0])], 0.5)[0]
    assert mask.dtype == np.dtype(dtype) and np.array_equal(mask, [0, 0, 0, 1])


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**16), st.floats(0.0, 1.0))
def test_threshold_keeps_exactly_abs_w_above(seed, threshold):
    """prune(threshold=t) leaves mask == (|W| > t) on every pruned layer."""
    net = make_net(seed=seed)
    before = [layer.W.copy() for layer in net.layers]
    prune(net, threshold=threshold)
    for layer, W in zip(net.layers[:-1], before):
        assert np.array_equal(layer.mask, (np.abs(W) > threshold).astype(W.dtype))


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("sparsity", [0.0, 0.1, 0.37, 0.5, 0.9, 0.99])
def test_layerwise_sparsity_is_exact(sizes, sparsity):
    """Layer-wise pruning zeroes exactly round(sparsity * n) weights in each layer."""
    net = prune(make_net(sizes), sparsity=sparsity)
    for layer in net.layers[:-1]:
        assert zeros([layer.mask]) == round(sparsity * layer.W.size)
        assert zeros([layer.W]) == round(sparsity * layer.W.size)


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("sparsity", [0.0, 0.1, 0.37, 0.5, 0.9, 0.99])
def test_global_sparsity_is_exact(sizes, sparsity):
    """Global pruning zeroes exactly round(sparsity * N) weights over all pruned layers."""
    net = prune(make_net(sizes), sparsity=sparsity, scope="global")
    n = sum(layer.W.size for layer in net.layers[:-1])
    assert zeros([layer.mask for layer in net.layers[:-1]]) == round(sparsity * n)


@pytest.mark.parametrize("scope", ["layer", "global"])
def test_sparsity_target_is_total_not_extra(scope):
    """Pruning to 0.5 then 0.7 gives 0.7 in all; then 0.5 again keeps 0.7."""
    net = make_net((10, 20, 3))
    prune(net, sparsity=0.5, scope=scope)
    prune(net, sparsity=0.7, scope=scope)
    assert zeros([net.layers[0].mask]) == 140
    prune(net, sparsity=0.5, scope=scope)
    assert zeros([net.layers[0].mask]) == 140


@settings(max_examples=30, deadline=None)
@given(
    st.integers(0, 2**16),
    st.lists(
        st.tuples(
            st.sampled_from(CRITERIA), st.sampled_from(["layer", "global"]), st.floats(0, 0.95)
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_pruning_again_never_unprunes(seed, steps):
    """After any sequence of prunings, a weight pruned once stays pruned and zero."""
    net = make_net(seed=seed)
    grads = net.loss_and_grads(*data())[1]
    for criterion, scope, sparsity in steps:
        old = masks_of(net)
        prune(net, sparsity=sparsity, criterion=criterion, scope=scope, grads=grads, rng=seed)
        for layer, m in zip(net.layers, old):
            assert np.all(layer.mask <= m) and np.all(layer.W[m == 0] == 0)


@pytest.mark.parametrize("scope", ["layer", "global"])
def test_ties_are_broken_by_flat_index(scope):
    """Among equal scores the lowest flat index (layer order, then row-major) is pruned first."""
    scores = [np.ones((2, 3)), np.ones((3, 2))]
    masks = sparsity_masks(scores, 0.25, scope=scope)
    if scope == "layer":  # round(1.5) = 2 per layer: the first two entries of each
        expected = [[[0, 0, 1], [1, 1, 1]], [[0, 0], [1, 1], [1, 1]]]
    else:  # round(3.0) = 3 overall: the first three entries of layer 0
        expected = [[[0, 0, 0], [1, 1, 1]], np.ones((3, 2))]
    for m, e in zip(masks, expected):
        assert np.array_equal(m, e)
    again = sparsity_masks(scores, 0.25, scope=scope)
    assert all(np.array_equal(a, b) for a, b in zip(masks, again))


@pytest.mark.parametrize("criterion", CRITERIA)
def test_pruning_is_deterministic(criterion):
    """The same network, criterion and seed give the same masks twice."""
    nets = [make_net(seed=3), make_net(seed=3)]
    grads = nets[0].loss_and_grads(*data())[1]
    for net in nets:
        prune(net, sparsity=0.6, criterion=criterion, scope="global", grads=grads, rng=7)
    assert all(np.array_equal(a.mask, b.mask) for a, b in zip(*[n.layers for n in nets]))


def test_global_pruning_can_collapse_a_layer():
    """Global pruning at high sparsity empties a layer of small weights; the output becomes constant."""
    net = make_net((5, 8, 6, 3))
    net.layers[1].W *= 0.01  # 48 small weights among 88 prunable ones
    prune(net, sparsity=0.6, scope="global")  # prunes 53 >= 48
    assert np.count_nonzero(net.layers[1].W) == 0
    out = net.forward(data()[0])
    assert np.allclose(out, out[0])


@pytest.mark.parametrize("sparsity", [0.6, 0.9, 0.95])
def test_layerwise_pruning_never_collapses_a_layer(sparsity):
    """Layer-wise pruning keeps weights in every layer, whatever their scale."""
    net = make_net((5, 8, 6, 3))
    net.layers[1].W *= 0.01
    prune(net, sparsity=sparsity, scope="layer")
    assert all(np.count_nonzero(layer.W) > 0 for layer in net.layers)


@pytest.mark.parametrize("scope", ["layer", "global"])
def test_output_layer_is_left_alone_by_default(scope):
    """Without include_output, the output layer's weights and mask are untouched."""
    net = make_net()
    W = net.layers[-1].W.copy()
    prune(net, sparsity=0.9, scope=scope)
    assert np.array_equal(net.layers[-1].W, W) and np.all(net.layers[-1].mask == 1)
    prune(net, sparsity=0.9, include_output=True)
    assert zeros([net.layers[-1].mask]) == round(0.9 * W.size)


def test_biases_are_pruned_on_their_own_only_when_asked():
    """include_biases prunes round(s * n_out) biases per layer; by default b_mask stays ones."""
    net = make_net()
    for layer in net.layers:
        layer.b[...] = np.arange(1, layer.n_out + 1)
    prune(net, sparsity=0.5)
    assert all(np.all(layer.b_mask == 1) for layer in net.layers)
    prune(net, sparsity=0.5, include_biases=True)
    for layer in net.layers[:-1]:
        expected = np.arange(1, layer.n_out + 1) > round(0.5 * layer.n_out)
        assert np.array_equal(layer.b_mask, expected)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("criterion", CRITERIA)
@pytest.mark.parametrize("select", ["threshold", "layer", "global"])
def test_every_criterion_works_with_every_selector(dtype, criterion, select):
    """Every score feeds every selector and gives 0/1 masks of W's shape and dtype."""
    net = make_net(dtype=dtype)
    grads = net.loss_and_grads(*data())[1]
    scores = SCORES[criterion](net, grads=grads, rng=0)
    if select == "threshold":
        masks = threshold_masks(scores, 0.01)
    else:
        masks = sparsity_masks(scores, 0.5, scope=select)
    for m, layer in zip(masks, net.layers[:-1]):
        assert m.shape == layer.W.shape and m.dtype == layer.W.dtype
        assert np.all((m == 0) | (m == 1))


def test_pruned_weights_score_minus_infinity():
    """Every criterion scores a pruned weight -inf, so no selector keeps it."""
    net = prune(make_net(), sparsity=0.5)
    grads = net.loss_and_grads(*data())[1]
    for score in SCORES.values():
        for s, layer in zip(score(net, grads=grads, rng=0), net.layers):
            assert np.all(np.isneginf(s[layer.mask == 0])) and np.all(
                np.isfinite(s[layer.mask == 1])
            )


def test_scores_follow_their_formulas():
    """magnitude = |w|, squared_magnitude = w**2, saliency = |w * dL/dw|."""
    net = make_net()
    grads = net.loss_and_grads(*data())[1]
    for i, layer in enumerate(net.layers[:-1]):
        assert np.array_equal(magnitude(net)[i], np.abs(layer.W))
        assert np.array_equal(squared_magnitude(net)[i], layer.W**2)
        assert np.array_equal(saliency(net, grads=grads)[i], np.abs(layer.W * grads[i]["W"]))
    assert all(
        np.array_equal(a, b) for a, b in zip(random_scores(net, rng=1), random_scores(net, rng=1))
    )


@pytest.mark.parametrize("scope", ["layer", "global"])
@pytest.mark.parametrize("sparsity", [0.3, 0.8])
def test_squared_magnitude_selects_the_same_weights_as_magnitude(scope, sparsity):
    """The L2 criterion orders single weights as the L1 criterion does."""
    a, b = make_net((5, 30, 20, 3)), make_net((5, 30, 20, 3))
    prune(a, sparsity=sparsity, scope=scope, criterion="l1")
    prune(b, sparsity=sparsity, scope=scope, criterion="l2")
    assert all(np.array_equal(x.mask, y.mask) for x, y in zip(a.layers, b.layers))


def test_std_rule_uses_surviving_weights():
    """std_masks keeps |w| > q * std(surviving W_l) in each layer."""
    net = prune(make_net((5, 30, 20, 3)), sparsity=0.4)
    thresholds = std_thresholds(net, 0.5)
    for layer, t, m in zip(net.layers, thresholds, std_masks(net, 0.5)):
        assert t == pytest.approx(0.5 * np.std(layer.W[layer.mask == 1]))
        assert np.array_equal(m, (np.abs(layer.W) > t) & (layer.mask == 1))


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 2**16))
def test_pruned_weights_stay_zero_through_training(seed):
    """Pruned weights stay exactly zero through train() with SGD momentum + weight decay, and Adam."""
    X, y = data(n=48, seed=seed)
    for opt in (SGD(lr=0.1, momentum=0.9, weight_decay=1e-3, nesterov=True), Adam(lr=1e-2)):
        net = prune(make_net(seed=seed, dtype="float32"), sparsity=0.7, scope="global")
        masks = masks_of(net)
        train(net, X, y, epochs=3, batch_size=16, optimizer=opt, rng=seed)
        for layer, m in zip(net.layers, masks):
            assert np.all(layer.W[m == 0] == 0) and np.array_equal(layer.mask, m)


# ----------------------------------------------------------- torch reference
def torch_linears(net):
    torch = pytest.importorskip("torch")
    lins = []
    for layer in net.layers[:-1]:
        lin = torch.nn.Linear(layer.n_in, layer.n_out, bias=False).double()
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(layer.W.T))
        lins.append(lin)
    return lins


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("sparsity", [0.1, 0.5, 0.75, 0.95])
def test_layerwise_masks_equal_torch_l1_unstructured(sizes, sparsity):
    """Layer-wise magnitude masks equal torch.nn.utils.prune.l1_unstructured's."""
    from torch.nn.utils import prune as tprune

    net = make_net(sizes)
    lins = torch_linears(net)
    for lin in lins:
        tprune.l1_unstructured(lin, "weight", amount=sparsity)
    prune(net, sparsity=sparsity)
    for layer, lin in zip(net.layers, lins):
        assert np.array_equal(layer.mask, lin.weight_mask.numpy().T)


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("sparsity", [0.1, 0.5, 0.75, 0.95])
def test_global_masks_equal_torch_global_unstructured(sizes, sparsity):
    """Global magnitude masks equal torch.nn.utils.prune.global_unstructured's."""
    from torch.nn.utils import prune as tprune

    net = make_net(sizes)
    lins = torch_linears(net)
    tprune.global_unstructured(
        [(lin, "weight") for lin in lins], pruning_method=tprune.L1Unstructured, amount=sparsity
    )
    prune(net, sparsity=sparsity, scope="global")
    for layer, lin in zip(net.layers, lins):
        assert np.array_equal(layer.mask, lin.weight_mask.numpy().T)


# -------------------------------------------------------------------- errors
@pytest.mark.parametrize("bad", [1.5, -0.1, 1.0, float("nan")])
def test_sparsity_outside_unit_interval_is_rejected(bad):
    """sparsity must be a float in [0, 1)."""
    with pytest.raises(ValueError, match=r"sparsity=.* must be in \[0, 1\)"):
        prune(make_net(), sparsity=bad)
    with pytest.raises(ValueError, match=r"sparsity=.* must be in \[0, 1\)"):
        sparsity_masks([np.ones(3)], bad)


def test_int_sparsity_is_rejected():
    """sparsity=1 is an int, not a fraction (torch's amount=1 trap)."""
    with pytest.raises(TypeError, match="sparsity=1 is an int"):
        prune(make_net(), sparsity=1)


def test_negative_threshold_is_rejected():
    """threshold must be >= 0."""
    with pytest.raises(ValueError, match=r"threshold=-0.1 must be a finite number >= 0"):
        prune(make_net(), threshold=-0.1)
    with pytest.raises(ValueError, match=r"threshold=-0.1"):
        threshold_masks([np.ones(3)], -0.1)


def test_unknown_criterion_lists_the_options():
    """An unknown criterion names the known ones."""
    with pytest.raises(
        ValueError, match=r"unknown criterion 'taylor'; expected one of .*'magnitude'"
    ):
        prune(make_net(), sparsity=0.5, criterion="taylor")


def test_score_function_looks_up_names_and_passes_functions_through():
    """A name gives its entry of SCORES (or of the table given); a function is returned as is."""
    assert score_function("l1") is magnitude
    assert score_function(saliency) is saliency
    assert score_function("b", {"b": squared_magnitude}) is squared_magnitude


def test_score_function_refuses_what_is_neither_name_nor_function():
    """criterion=0.5 is a TypeError naming the registered scores."""
    with pytest.raises(TypeError, match=r"criterion must be a score name \(magnitude, .*\) or"):
        score_function(0.5)


def test_layer_indices_default_to_the_prunable_layers():
    """Without layers, every layer but the output; with include_output, all of them."""
    net = make_net()
    assert layer_indices(net) == [0, 1]
    assert layer_indices(net, include_output=True) == [0, 1, 2]
    assert layer_indices(net, (2, 0)) == [2, 0]


def test_unknown_scope_is_rejected():
    """scope must be 'layer' or 'global'."""
    with pytest.raises(ValueError, match=r"unknown scope 'net'"):
        prune(make_net(), sparsity=0.5, scope="net")


@pytest.mark.parametrize("kwargs", [{}, {"sparsity": 0.5, "threshold": 0.1}])
def test_exactly_one_of_sparsity_and_threshold(kwargs):
    """prune needs exactly one of sparsity and threshold."""
    with pytest.raises(ValueError, match="exactly one of sparsity and threshold"):
        prune(make_net(), **kwargs)


def test_saliency_without_grads_is_rejected():
    """The saliency criterion needs gradients."""
    with pytest.raises(ValueError, match="'saliency' needs grads"):
        prune(make_net(), sparsity=0.5, criterion="saliency")


def test_mask_shape_mismatch_is_rejected():
    """A mask of the wrong shape names the layer and the expected shape."""
    net = make_net()
    with pytest.raises(ValueError, match=r"masks\[1\] has shape \(6, 7\), expected \(7, 6\)"):
        apply_masks(net, [np.ones((5, 7)), np.ones((6, 7))])
    with pytest.raises(ValueError, match="masks has 1 arrays for 2 layers"):
        apply_masks(net, [np.ones((5, 7))])


def test_score_shape_mismatch_is_rejected():
    """A custom criterion returning arrays of the wrong shape is caught before selection."""

    def transposed(net, layers=None, grads=None, rng=None):
        return [np.abs(net.layers[i].W.T) for i in layers]

    with pytest.raises(ValueError, match=r"scores\[0\] has shape \(7, 5\), expected \(5, 7\)"):
        prune(make_net(), sparsity=0.5, criterion=transposed)


def test_nan_scores_are_rejected():
    """A selector refuses NaN scores."""
    with pytest.raises(ValueError, match=r"scores\[0\] contains NaN"):
        sparsity_masks([np.array([0.1, np.nan])], 0.5)


@pytest.mark.parametrize(
    ("layers", "error", "match"),
    [
        ([3], ValueError, r"must hold indices in \[0, 3\)"),
        ([0, 0], ValueError, "twice"),
        (0, TypeError, "list"),
    ],
)
def test_bad_layers_are_rejected(layers, error, match):
    """layers must be distinct indices of existing layers."""
    with pytest.raises(error, match=match):
        prune(make_net(), sparsity=0.5, layers=layers)


# ------------------------------------------------------ pruning at initialisation
def _flow(Ws):
    """SynFlow's R by hand: the all-ones input through |W_1|, ..., |W_L|, outputs summed."""
    a = np.ones(Ws[0].shape[0])
    for W in Ws:
        a = a @ np.abs(W)
    return a.sum()


def test_snip_is_w_times_a_finite_difference_gradient():
    """snip_scores = |w * dL/dw|, dL/dw by central differences of the batch loss."""
    net = make_net()
    X, y = data()
    scores = snip_scores(net, X, y, layers=[0, 1, 2])
    h = 1e-6
    for i, layer in enumerate(net.layers):
        grad = np.zeros_like(layer.W)
        for idx in np.ndindex(layer.W.shape):
            w = layer.W[idx]
            layer.W[idx] = w + h
            up = net.loss(X, y)
            layer.W[idx] = w - h
            down = net.loss(X, y)
            layer.W[idx] = w
            grad[idx] = (up - down) / (2 * h)
        assert np.allclose(scores[i], np.abs(layer.W * grad), rtol=1e-5, atol=1e-9)


def test_snip_scores_pruned_weights_minus_infinity_and_leaves_net_alone():
    """A pruned weight scores -inf; scoring changes no weight."""
    net = prune(make_net(), sparsity=0.5)
    before = [layer.W.copy() for layer in net.layers]
    scores = snip_scores(net, *data())
    for s, layer, W in zip(scores, net.layers, before):
        assert np.all(np.isneginf(s[layer.mask == 0])) and np.all(np.isfinite(s[layer.mask == 1]))
        assert np.array_equal(layer.W, W)


def test_snip_rejects_data_of_the_wrong_width():
    """X must have the network's input width, and says so."""
    net = make_net()
    with pytest.raises(ValueError, match="X must have 5 features"):
        snip_scores(net, np.zeros((4, 3)), np.zeros(4, dtype=int))


def test_synflow_is_w_times_a_finite_difference_of_the_flow():
    """synflow_scores = |w * dR/dw|, R = 1^T |W_1| ... |W_L| 1, dR/dw by central differences."""
    net = make_net((4, 6, 5, 3))
    Ws = [layer.W.copy() for layer in net.layers]
    scores = synflow_scores(net, layers=[0, 1, 2])
    h = 1e-6
    for i, W in enumerate(Ws):
        grad = np.zeros_like(W)
        for idx in np.ndindex(W.shape):
            up, down = [w.copy() for w in Ws], [w.copy() for w in Ws]
            up[i][idx] += h
            down[i][idx] -= h
            grad[idx] = (_flow(up) - _flow(down)) / (2 * h)
        assert np.allclose(scores[i], np.abs(W * grad), rtol=1e-6)


def test_synflow_worked_example():
    """Two layers by hand: score_ij = |W1_ij| * (|W2| 1)_j and |W2_jk| * (1^T |W1|)_j."""
    W1 = np.array([[1.0, -2.0], [3.0, 0.5]])
    W2 = np.array([[-1.0], [4.0]])
    net = Network.from_weights([W1, W2], [np.zeros(2), np.zeros(1)], ["relu", "identity"])
    s1, s2 = synflow_scores(net, layers=[0, 1])
    assert np.array_equal(s1, [[1.0, 8.0], [3.0, 2.0]])  # |W1| times (1, 4)
    assert np.array_equal(s2, [[4.0], [10.0]])  # |W2| times (4, 2.5)


@pytest.mark.parametrize("sizes", SIZES)
def test_every_layer_of_synflow_sums_to_the_same_flow(sizes):
    """Conservation: each layer's scores sum to R, whatever its size."""
    net = prune(make_net(sizes), sparsity=0.3, scope="global")
    scores = synflow_scores(net, layers=list(range(len(net.layers))))
    R = _flow([layer.W for layer in net.layers])
    for s in scores:
        assert np.isclose(s[np.isfinite(s)].sum(), R, rtol=1e-10)


def test_synflow_uses_no_data_and_scores_pruned_weights_minus_infinity():
    """grads and rng change nothing; a pruned weight scores -inf; biases are not scored."""
    net = prune(make_net(), sparsity=0.5)
    a = synflow_scores(net)
    b = synflow_scores(net, grads=net.loss_and_grads(*data())[1], rng=3)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    for s, layer in zip(a, net.layers):
        assert np.all(np.isneginf(s[layer.mask == 0])) and np.all(np.isfinite(s[layer.mask == 1]))
    with pytest.raises(ValueError, match="unknown param 'b'; expected one of 'W'"):
        synflow_scores(net, param="b")


def test_synflow_works_as_a_criterion_of_prune():
    """prune(criterion=synflow_scores) is a global SynFlow selection in one round."""
    net = make_net((5, 30, 20, 3))
    pruned = prune(net.copy(), sparsity=0.6, criterion=synflow_scores, scope="global")
    once = synflow_prune(net.copy(), 0.6, rounds=1)
    assert all(np.array_equal(p.mask, q.mask) for p, q in zip(pruned.layers, once.layers))


@pytest.mark.parametrize("rounds", [1, 7, 100])
def test_synflow_prune_reaches_the_sparsity_exactly(rounds):
    """After the last round, exactly round(sparsity * n) of the scored weights are pruned."""
    net = synflow_prune(make_net((5, 30, 20, 3)), 0.83, rounds=rounds)
    n = sum(layer.W.size for layer in net.layers[:-1])
    assert zeros([layer.mask for layer in net.layers[:-1]]) == round(0.83 * n)
    assert np.count_nonzero(net.layers[-1].mask == 0) == 0


def test_iterative_synflow_keeps_every_layer_where_one_round_empties_some():
    """At 99% over all layers, one round keeps only the small output layer; 100 keep every layer."""
    layers = [0, 1, 2]
    once = synflow_prune(make_net((64, 128, 64, 10)), 0.99, rounds=1, layers=layers)
    iterated = synflow_prune(make_net((64, 128, 64, 10)), 0.99, rounds=100, layers=layers)
    assert [np.count_nonzero(layer.mask) > 0 for layer in once.layers] == [False, False, True]
    assert all(np.count_nonzero(layer.mask) > 0 for layer in iterated.layers)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"sparsity": 1.5}, ValueError, r"sparsity=1.5 must be in \[0, 1\)"),
        ({"sparsity": 0.5, "rounds": 0}, ValueError, "rounds=0 must be >= 1"),
        ({"sparsity": 0.5, "rounds": 2.0}, TypeError, "rounds must be an int"),
    ],
)
def test_synflow_prune_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        synflow_prune(make_net(), **kwargs)
