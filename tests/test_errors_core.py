"""Bad input to the engine core gets a sentence naming the argument, not a deep traceback."""

import numpy as np
import pytest

from minprune.data import (
    digits_sequences,
    load_digits_split,
    load_mnist,
    make_moons,
    make_spirals,
    make_xor,
)
from minprune.gradcheck import check_gradients, numerical_gradient
from minprune.layers import Dense
from minprune.losses import mse, softmax_cross_entropy
from minprune.metrics import (
    count_macs,
    count_nonzeros,
    count_parameters,
    layer_sparsity,
    prunable_layers,
    sparsity,
)
from minprune.network import Network
from minprune.optim import SGD, Adam
from minprune.penalties import L1, L2, ElasticNet, proximal_l1_step, soft_threshold
from minprune.train import train

NET = Network([4, 3, 2], rng=0)
X = np.zeros((5, 4))
Y = np.zeros(5, dtype=int)
NAN_X = np.full((5, 4), np.nan)


def grads_with_W0(shape):
    return [{"W": np.zeros(shape), "b": np.zeros(3)}, {"W": np.zeros((3, 2)), "b": np.zeros(2)}]


# (id, call, exception, message pattern)
CASES = [
    # ------------------------------------------------------------- Network
    ("X-1d", lambda: NET.forward(np.zeros(4)), ValueError, r"X must be a 2-D.*reshape"),
    ("X-columns", lambda: NET.forward(np.zeros((5, 3))), ValueError, r"X must have 4 features"),
    ("X-nan", lambda: NET.forward(NAN_X), ValueError, r"X contains 20 NaN"),
    ("X-str", lambda: NET.predict("abc"), TypeError, r"X must be an array of numbers"),
    (
        "y-range",
        lambda: NET.loss_and_grads(X, np.full(5, 2)),
        ValueError,
        r"y must hold labels in \[0, 2\)",
    ),
    ("y-negative", lambda: NET.loss(X, np.full(5, -1)), ValueError, r"labels in \[0, 2\).*-1"),
    (
        "y-float",
        lambda: NET.loss(X, np.full(5, 0.5)),
        TypeError,
        r"y must hold integer class labels",
    ),
    ("y-length", lambda: NET.loss(X, np.zeros(4, int)), ValueError, r"y must have shape \(5,\)"),
    ("y-onehot", lambda: NET.loss(X, np.zeros((5, 2))), ValueError, r"not one-hot"),
    ("accuracy-y", lambda: NET.accuracy(X, np.zeros(3, int)), ValueError, r"y must have shape"),
    (
        "activation",
        lambda: Network([4, 2], activation="gelu"),
        ValueError,
        r"unknown activation 'gelu'",
    ),
    ("output", lambda: Network([4, 2], output="gelu"), ValueError, r"unknown output 'gelu'"),
    ("loss", lambda: Network([4, 2], loss="hinge"), ValueError, r"unknown loss 'hinge'.*'mse'"),
    ("ce-softmax", lambda: Network([4, 2], output="softmax"), ValueError, r"must be 'identity'"),
    ("sizes-int", lambda: Network(5), TypeError, r"sizes must be a list of layer widths"),
    ("sizes-short", lambda: Network([4]), ValueError, r"at least two positive ints"),
    ("sizes-zero", lambda: Network([4, 0, 2]), ValueError, r"at least two positive ints"),
    ("sizes-float", lambda: Network([4, 2.5]), ValueError, r"positive ints, got \[4, 2.5\]"),
    (
        "dtype-float16",
        lambda: Network([4, 2], dtype="float16"),
        ValueError,
        r"float32 or float64, got float16",
    ),
    (
        "dtype-int",
        lambda: Network([4, 2], dtype=int),
        ValueError,
        r"dtype must be float32 or float64",
    ),
    ("dtype-name", lambda: Network([4, 2], dtype="banana"), TypeError, r"got 'banana'"),
    (
        "rng-float",
        lambda: Network([4, 2], rng=0.5),
        TypeError,
        r"rng must be a numpy.random.Generator",
    ),
    ("astype", lambda: NET.astype("int32"), ValueError, r"float32 or float64, got int32"),
    (
        "from_weights",
        lambda: Network.from_weights([np.eye(2)], [], ["relu"]),
        ValueError,
        r"equal length, got 1, 0 and 1",
    ),
    (
        "from_layers-widths",
        lambda: Network.from_layers(
            [Dense(np.eye(2), np.zeros(2)), Dense(np.ones((3, 2)), np.zeros(2))]
        ),
        ValueError,
        r"layer 0 has 2 outputs but layer 1 expects 3",
    ),
    ("from_layers-type", lambda: Network.from_layers([1, 2]), TypeError, r"list of minprune.Dense"),
    (
        "penalty-type",
        lambda: NET.loss_and_grads(X, Y, penalty="l1"),
        TypeError,
        r"penalty must be L1, L2",
    ),
    # --------------------------------------------------------------- Dense
    (
        "W-1d",
        lambda: Dense(np.zeros(3), np.zeros(3)),
        ValueError,
        r"W must be a 2-D array, got a 1-D",
    ),
    (
        "b-shape",
        lambda: Dense(np.zeros((3, 2)), np.zeros(3)),
        ValueError,
        r"b must have shape \(2,\)",
    ),
    (
        "mask-shape",
        lambda: Dense(np.zeros((3, 2)), np.zeros(2), mask=np.ones((2, 3))),
        ValueError,
        r"mask must have shape \(3, 2\), got \(2, 3\)",
    ),
    (
        "mask-values",
        lambda: Dense(np.zeros((3, 2)), np.zeros(2), mask=np.full((3, 2), 0.5)),
        ValueError,
        r"only 0 and 1.*0.5",
    ),
    (
        "b_mask-shape",
        lambda: Dense(np.zeros((3, 2)), np.zeros(2), b_mask=np.ones(3)),
        ValueError,
        r"b_mask must have shape \(2,\)",
    ),
    (
        "apply_mask-shape",
        lambda: NET.copy().layers[0].apply_mask(np.ones((3, 4))),
        ValueError,
        r"mask must have shape \(4, 3\)",
    ),
    (
        "apply_mask-nan",
        lambda: NET.copy().layers[0].apply_mask(np.full((4, 3), np.nan)),
        ValueError,
        r"mask contains 12 NaN",
    ),
    (
        "activation-dense",
        lambda: Dense(np.eye(2), np.zeros(2), "swish"),
        ValueError,
        r"unknown activation 'swish'",
    ),
    # -------------------------------------------------------------- losses
    (
        "logits-1d",
        lambda: softmax_cross_entropy(np.zeros(3), [0]),
        ValueError,
        r"logits must be a 2-D",
    ),
    (
        "logits-nan",
        lambda: softmax_cross_entropy(np.full((1, 3), np.nan), [0]),
        ValueError,
        r"logits contains 3 NaN",
    ),
    (
        "ce-label",
        lambda: softmax_cross_entropy(np.zeros((1, 3)), [3]),
        ValueError,
        r"labels in \[0, 3\)",
    ),
    (
        "mse-shape",
        lambda: mse(np.zeros((3, 2)), np.zeros((3, 3))),
        ValueError,
        r"target must have the shape of pred",
    ),
    (
        "mse-nan",
        lambda: mse(np.zeros((3, 2)), np.full((3, 2), np.nan)),
        ValueError,
        r"target contains 6 NaN",
    ),
    # ---------------------------------------------------------- optimisers
    ("lr-negative", lambda: SGD(lr=-1), ValueError, r"lr=-1 must be a finite number >= 0"),
    ("lr-str", lambda: SGD(lr="0.1"), TypeError, r"lr must be a number, got str"),
    ("momentum", lambda: SGD(momentum=-0.5), ValueError, r"momentum=-0.5"),
    ("nesterov", lambda: SGD(nesterov=True), ValueError, r"nesterov=True needs momentum > 0"),
    ("weight_decay", lambda: Adam(weight_decay=-1.0), ValueError, r"weight_decay=-1.0"),
    ("beta1", lambda: Adam(beta1=1.0), ValueError, r"beta1=1.0 must be in \[0, 1\)"),
    ("beta2-int", lambda: Adam(beta2=1), TypeError, r"beta2=1 is an int"),
    ("beta2-str", lambda: Adam(beta2="x"), TypeError, r"beta2 must be a float"),
    ("eps", lambda: Adam(eps=0), ValueError, r"eps=0 must be > 0"),
    (
        "grads-length",
        lambda: SGD().step(NET.copy(), []),
        ValueError,
        r"one dict per layer \(2\), got 0",
    ),
    (
        "grads-shape",
        lambda: SGD().step(NET.copy(), grads_with_W0((3, 3))),
        ValueError,
        r"grads\[0\]\['W'\] has shape \(3, 3\), expected \(4, 3\)",
    ),
    (
        "grads-entry",
        lambda: SGD().step(NET.copy(), [1, 2]),
        ValueError,
        r"grads\[0\] must be a dict",
    ),
    ("step-net", lambda: Adam().step("net", []), TypeError, r"net must be a minprune.Network"),
    # ----------------------------------------------------------- penalties
    ("l1-negative", lambda: L1(-1), ValueError, r"l1=-1 must be a finite number >= 0"),
    ("l1-str", lambda: L1("a"), TypeError, r"l1 must be a number"),
    ("l2-nan", lambda: L2(float("nan")), ValueError, r"l2=nan"),
    ("elastic-l2", lambda: ElasticNet(0.1, -1), ValueError, r"l2=-1"),
    (
        "penalty-value",
        lambda: L1(0.1).value(np.zeros(3)),
        TypeError,
        r"net must be a minprune.Network, got ndarray",
    ),
    ("threshold", lambda: soft_threshold(np.ones(3), -1), ValueError, r"threshold=-1"),
    (
        "soft_threshold-W",
        lambda: soft_threshold("abc", 1.0),
        TypeError,
        r"W must be an array of numbers",
    ),
    (
        "soft_threshold-nan",
        lambda: soft_threshold(np.array([np.nan]), 1.0),
        ValueError,
        r"W contains 1 NaN",
    ),
    ("prox-l1", lambda: proximal_l1_step(NET.copy(), -1, 0.1), ValueError, r"l1=-1"),
    ("prox-lr", lambda: proximal_l1_step(NET.copy(), 0.1, "x"), TypeError, r"lr must be a number"),
    (
        "prox-net",
        lambda: proximal_l1_step(None, 1.0, 0.1),
        TypeError,
        r"net must be a minprune.Network, got NoneType",
    ),
    # --------------------------------------------------------------- train
    (
        "epochs-zero",
        lambda: train(NET.copy(), X, Y, epochs=0),
        ValueError,
        r"epochs=0 must be >= 1",
    ),
    (
        "epochs-float",
        lambda: train(NET.copy(), X, Y, epochs=2.0),
        TypeError,
        r"epochs must be an int, got float",
    ),
    ("batch_size", lambda: train(NET.copy(), X, Y, batch_size=0), ValueError, r"batch_size=0"),
    (
        "val-alone",
        lambda: train(NET.copy(), X, Y, X_val=X),
        ValueError,
        r"X_val and y_val must be given together",
    ),
    (
        "X_val-columns",
        lambda: train(NET.copy(), X, Y, X_val=np.zeros((3, 3)), y_val=np.zeros(3, int)),
        ValueError,
        r"X_val must have 4 features",
    ),
    (
        "y_val-range",
        lambda: train(NET.copy(), X, Y, X_val=X, y_val=np.full(5, 7)),
        ValueError,
        r"y_val must hold labels in \[0, 2\)",
    ),
    ("train-X-nan", lambda: train(NET.copy(), NAN_X, Y), ValueError, r"X contains 20 NaN"),
    (
        "train-y-range",
        lambda: train(NET.copy(), X, np.full(5, 9)),
        ValueError,
        r"y must hold labels",
    ),
    (
        "optimizer",
        lambda: train(NET.copy(), X, Y, optimizer="sgd"),
        TypeError,
        r"optimizer must have a step",
    ),
    (
        "proximal-l2",
        lambda: train(NET.copy(), X, Y, penalty=L2(0.1), proximal=True),
        ValueError,
        r"proximal=True needs an L1 or ElasticNet",
    ),
    (
        "train-penalty",
        lambda: train(NET.copy(), X, Y, penalty=0.1),
        TypeError,
        r"penalty must be L1, L2",
    ),
    (
        "callbacks-single",
        lambda: train(NET.copy(), X, Y, callbacks=SGD()),
        TypeError,
        r"callbacks=\[cb\]",
    ),
    ("train-rng", lambda: train(NET.copy(), X, Y, rng="a"), TypeError, r"rng must be"),
    (
        "train-net",
        lambda: train("net", X, Y),
        TypeError,
        r"net must be a minprune.Network, got str",
    ),
    (
        "mse-y-rows",
        lambda: train(Network([4, 1], output="sigmoid", loss="mse"), X, np.zeros(3)),
        ValueError,
        r"y must have 5 rows like X",
    ),
    # ------------------------------------------------------------- metrics
    ("sparsity", lambda: sparsity([1, 2]), TypeError, r"net must be a minprune.Network, got list"),
    ("layer_sparsity", lambda: layer_sparsity(None), TypeError, r"net must be"),
    ("count_macs", lambda: count_macs(None), TypeError, r"net must be"),
    ("count_parameters", lambda: count_parameters(3), TypeError, r"net must be"),
    ("count_nonzeros", lambda: count_nonzeros("n"), TypeError, r"net must be"),
    ("prunable_layers", lambda: prunable_layers({}), TypeError, r"net must be"),
    # ----------------------------------------------------------- gradcheck
    (
        "numgrad-int",
        lambda: numerical_gradient(lambda: 0.0, np.arange(3)),
        TypeError,
        r"x must be a float ndarray",
    ),
    ("numgrad-f", lambda: numerical_gradient(3, np.zeros(3)), TypeError, r"f must be a callable"),
    ("check_gradients", lambda: check_gradients("n", X, Y), TypeError, r"net must be"),
    # ---------------------------------------------------------------- data
    (
        "val_size-int",
        lambda: load_digits_split(val_size=1),
        TypeError,
        r"val_size must be a float in \(0, 1\), got int 1",
    ),
    (
        "val_size-big",
        lambda: load_digits_split(val_size=1.5),
        ValueError,
        r"val_size=1.5 must be in \(0, 1\)",
    ),
    (
        "test_size-zero",
        lambda: load_digits_split(test_size=0.0),
        ValueError,
        r"test_size=0.0 must be in \(0, 1\)",
    ),
    (
        "sizes-sum",
        lambda: load_digits_split(val_size=0.5, test_size=0.5),
        ValueError,
        r"val_size \+ test_size = 1 must be < 1",
    ),
    (
        "digits-dtype",
        lambda: load_digits_split(dtype="int8"),
        ValueError,
        r"dtype must be float32 or float64",
    ),
    ("digits-rng", lambda: load_digits_split(rng="x"), TypeError, r"rng must be"),
    (
        "sequences-sum",
        lambda: digits_sequences(val_size=0.6, test_size=0.6),
        ValueError,
        r"must be < 1",
    ),
    ("xor-n", lambda: make_xor(n=2), ValueError, r"n=2 must be >= 4"),
    ("xor-n-float", lambda: make_xor(n=100.0), TypeError, r"n must be an int, got float"),
    ("moons-noise", lambda: make_moons(noise=-1), ValueError, r"noise=-1"),
    ("spirals-classes", lambda: make_spirals(n_classes=1), ValueError, r"n_classes=1 must be >= 2"),
    (
        "mnist-kind",
        lambda: load_mnist("cifar"),
        ValueError,
        r"unknown kind 'cifar'; expected one of 'fashion', 'mnist'",
    ),
    ("mnist-val", lambda: load_mnist(val_size=2), TypeError, r"val_size must be a float"),
    ("mnist-root", lambda: load_mnist(root=5), TypeError, r"root must be a path or None"),
]


@pytest.mark.parametrize("call, error, match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_error(call, error, match):
    """Each bad argument raises the documented error with a message that names it."""
    with pytest.raises(error, match=match):
        call()


def test_bad_input_leaves_the_network_unchanged():
    """A step that is refused (wrong gradient shape) changes no weight."""
    net = NET.copy()
    before = [layer.W.copy() for layer in net.layers]
    with pytest.raises(ValueError):
        SGD().step(net, grads_with_W0((3, 3)))
    for layer, W in zip(net.layers, before, strict=True):
        np.testing.assert_array_equal(layer.W, W)


def test_finite_values_whose_sum_overflows_are_accepted_without_warning():
    """Large finite inputs pass the NaN check silently, even when their sum overflows."""
    import warnings

    from minprune._checks import check_array

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = check_array(np.full((3, 3), 3e38, dtype=np.float32), "X")
    assert out.shape == (3, 3)
