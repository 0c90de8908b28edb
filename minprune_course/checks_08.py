"""Checks for the exercises of lesson 08, from minprune to PyTorch.

Each check draws fresh random networks and weights (a new seed on every call, so a
hard-coded answer fails), computes the reference with ``minprune`` first, runs the
learner's code and raises ``AssertionError`` with a hint that names the mistake,
never the expected values::

    checks_08.check_port_to_torch(port_to_torch)                    # the visible check
    checks_08.check_port_to_torch(port_to_torch, hidden=True)       # the longer battery

With ``hidden=True`` the checks run more cases: tanh and sigmoid networks, float64
(the port must keep the dtype), one-layer networks, pruned networks, a port that
must own its weights; for the pruning method 1-D and 4-D tensors, a threshold of 0,
importance scores and repeated pruning (torch's ``PruningContainer``); for the
global masks float64 networks, a sparsity of 0 and counts that end in a half.

The weights are drawn free of ties (no two equal magnitudes), so that torch's
``topk`` and minprune's stable sort must select the same weights.

While the learner's code runs, minprune's porting and selection functions raise an
``AssertionError``: the checks compare the answers with them.
"""

import numpy as np
import torch
import torch.nn.utils.prune as prune
from torch import nn

import minprune as mp
from minprune import pruning
from minprune.torchkit import porting

from . import checks

__all__ = ["check_port_to_torch", "check_threshold_method", "check_global_l1_masks"]

_absolute = np.absolute
_asarray = np.asarray
_float32 = np.float32
_float64 = np.float64
_unique = np.unique
_isinstance = isinstance
_issubclass = issubclass
_len = len
_Tensor = torch.Tensor
_Module = nn.Module
_Linear = nn.Linear
_no_grad = torch.no_grad
_from_numpy = torch.from_numpy
_BasePruningMethod = prune.BasePruningMethod


# ------------------------------------------------------------ own work only
_BLOCKED = (  # the hint when the learner's code calls minprune's own answer
    "this exercise asks for your own code: minprune's porting and pruning functions are "
    "what the check compares your answer with, so they are switched off while it runs"
)


def _own_work():
    """minprune's reference functions switched off while the block runs."""
    return checks.switched_off(_reference_functions(), _BLOCKED)


def _reference_functions():
    """minprune's functions that answer these exercises by themselves."""
    return [
        porting.to_torch,
        porting.from_torch,
        porting.threshold_unstructured,
        porting.ThresholdPruning.compute_mask,
        porting._dense,
        pruning.threshold_masks,
        pruning.sparsity_masks,
        pruning._prune_lowest,
        pruning.prune,
        pruning.apply_masks,
    ]


# ----------------------------------------------------------------- inputs
def _distinct(values):
    """True when no two entries of ``values`` have the same magnitude."""
    flat = _absolute(_asarray(values)).ravel()
    return _unique(flat).size == flat.size


def _tie_free(rng, shape, dtype, scale=1.0):
    """Normal weights of ``shape`` with no two equal magnitudes and none zero."""
    while True:
        W = (rng.normal(scale=scale, size=shape)).astype(dtype)
        if _distinct(W) and (W != 0).all():
            return W


def _network(rng, sizes, activation="relu", dtype=_float32, output="identity", loss=None):
    """A network of ``sizes`` with tie-free weights across all layers, nonzero biases,
    and layers on different scales (so global and layer-wise ranking differ)."""
    loss = loss or ("cross_entropy" if output == "identity" else "mse")
    while True:
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            act = output if i == _len(sizes) - 2 else activation
            scale = float(rng.uniform(0.3, 1.5)) / np.sqrt(n_in)
            W = _tie_free(rng, (n_in, n_out), dtype, scale)
            b = rng.normal(scale=0.5, size=n_out).astype(dtype)
            layers.append(mp.Dense(W, b, act))
        if _distinct(np.concatenate([layer.W.ravel() for layer in layers])):
            return mp.Network.from_layers(layers, loss)


def _sizes(rng, n_hidden):
    return [int(n) for n in rng.integers(3, 10, size=n_hidden + 2)]


def _inputs(rng, net, n=13):
    return rng.normal(size=(n, net.sizes[0])).astype(net.dtype)


def _describe(net):
    acts = [layer.activation for layer in net.layers]
    return f"a {net.dtype} network of sizes {net.sizes}, activations {acts}"


def _linears(model):
    return [m for m in model.modules() if _isinstance(m, _Linear)]


def _numpy(tensor):
    return tensor.detach().cpu().numpy()


# --------------------------------------------------------------- exercise 1
def _port_cases(rng, hidden):
    """``(net, share_check)`` pairs."""
    sizes = _sizes(rng, 2)
    sizes[2] = sizes[1]  # one square layer: W and W.T have the same shape
    cases = [(_network(rng, sizes), False)]
    if hidden:
        cases += [
            (_network(rng, _sizes(rng, 1), activation="tanh"), False),
            (_network(rng, _sizes(rng, 2), activation="sigmoid", dtype=_float64), False),
            (_network(rng, _sizes(rng, 0)), False),
            (_network(rng, _sizes(rng, 3), dtype=_float64), True),
            (_network(rng, _sizes(rng, 1), activation="tanh", output="sigmoid"), False),
            (mp.prune(_network(rng, _sizes(rng, 2)), sparsity=0.6), False),
        ]
    return cases


def _run_model(model, X, what):
    """The learner's model on ``X`` as a plain array, with a hint if it cannot run."""
    try:
        with _no_grad():
            out = model(_from_numpy(X.copy()))
    except Exception as exc:  # noqa: BLE001 - any failure becomes a hint
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise AssertionError(
            f"{what}: the model raised {type(exc).__name__} on a {X.dtype} batch of shape "
            f"{X.shape}: {first}"
        ) from None
    if not _isinstance(out, _Tensor):
        raise AssertionError(f"{what}: the model returned a {type(out).__name__}, not a tensor")
    return out


def _port_hint(model, net, what):
    """Why the learner's model computes something else, from its Linear layers."""
    linears = _linears(model)
    if _len(linears) != _len(net.layers):
        raise AssertionError(
            f"{what}: the model holds {_len(linears)} nn.Linear layers for the network's "
            f"{_len(net.layers)} Dense layers; one Linear per layer"
        )
    for i, (lin, layer) in enumerate(zip(linears, net.layers)):
        weight, bias = _numpy(lin.weight).astype(_float64), None
        if lin.bias is not None:
            bias = _numpy(lin.bias).astype(_float64)
        W = layer.W.astype(_float64)
        tol = 1e-6 * (1 + _absolute(W).max())
        if weight.shape == W.shape and weight.shape[0] == weight.shape[1]:
            if (_absolute(weight - W) <= tol).all() and not (_absolute(weight - W.T) <= tol).all():
                raise AssertionError(
                    f"{what}: Linear {i} holds W itself; nn.Linear stores weight as "
                    "(out_features, in_features), the transpose of minprune's W"
                )
        if weight.shape != W.T.shape or not (_absolute(weight - W.T) <= tol).all():
            raise AssertionError(
                f"{what}: the weight of Linear {i} is not the layer's W, transposed as "
                "nn.Linear stores it"
            )
        if (
            bias is None
            or not (_absolute(bias - layer.b) <= 1e-6 * (1 + _absolute(layer.b).max())).all()
        ):
            raise AssertionError(f"{what}: the bias of Linear {i} is not the layer's b")
    raise AssertionError(
        f"{what}: the weights and biases are right but the outputs are not; check the "
        "activations: after each Linear the layer's own activation, none for 'identity'"
    )


def check_port_to_torch(port_to_torch, hidden=False):
    """Check ``port_to_torch(net)``: a torch module with ``net``'s outputs, in its dtype."""
    checks.expect_callable(port_to_torch, "port_to_torch")
    rng = checks.rng()
    for net, share_check in _port_cases(rng, hidden):
        what = f"port_to_torch(net) for {_describe(net)}"
        X = _inputs(rng, net)
        expected = net.forward(X).astype(_float64)
        arg = net.copy()
        with _own_work():
            model = port_to_torch(arg)
        if model is None:
            raise AssertionError(f"{what} returned None; did you forget a return statement?")
        if not _isinstance(model, _Module):
            raise AssertionError(f"{what} returned a {type(model).__name__}; expected an nn.Module")
        dtype = torch.float64 if net.dtype == _float64 else torch.float32
        wrong = sorted({str(p.dtype) for p in model.parameters() if p.dtype != dtype})
        if wrong:
            raise AssertionError(
                f"{what}: the model has {', '.join(wrong)} parameters; keep the network's "
                f"dtype ({net.dtype})"
            )
        out = _run_model(model, X, what)
        got = checks.expect_array(_numpy(out), shape=expected.shape, what=f"the output of {what}")
        tol = 1e-4 if net.dtype == _float32 else 1e-10
        if not (_absolute(got - expected) <= tol * (1 + _absolute(expected))).all():
            _port_hint(model, net, what)
        if share_check:
            for layer in arg.layers:
                layer.W += 1.0
                layer.b += 1.0
            again = checks.expect_array(_numpy(_run_model(model, X, what)), shape=expected.shape)
            if (again != got).any():
                raise AssertionError(
                    f"{what}: changing the network afterwards changes the model: it shares "
                    "memory with the network's arrays (torch.from_numpy does); copy the weights"
                )
    checks.passed("port_to_torch")


# --------------------------------------------------------------- exercise 2
def _tensor_with_ties(rng, shape, dtype, threshold):
    """Tie-free weights of ``shape`` with two entries set exactly to +-threshold (in ``dtype``)."""
    W = _tie_free(rng, shape, dtype, float(rng.uniform(0.1, 1.0)))
    t = W.dtype.type(threshold)
    if W.size >= 3:
        W.flat[0], W.flat[-1] = t, -t  # with a threshold of 0: exact zeros
    return torch.tensor(W)


def _threshold_cases(rng, hidden):
    """``(shape, dtype, threshold)`` for the cases of one application."""
    n_in, n_out = (int(n) for n in rng.integers(3, 10, size=2))
    cases = [((n_out, n_in), _float32, float(rng.uniform(0.05, 0.5)))]
    if hidden:
        cases += [
            ((int(rng.integers(4, 12)),), _float32, float(rng.uniform(0.05, 0.5))),
            ((3, 2, 3, 3), _float64, float(rng.uniform(0.05, 0.5))),
            ((n_out, n_in), _float64, 0.0),
            ((n_in, n_out), _float32, 10.0),
        ]
    return cases


def _expected_mask(scores, threshold):
    """minprune's rule on a tensor, as a float64 array."""
    s = _absolute(_numpy(scores))
    return pruning.threshold_masks([s], threshold)[0].astype(_float64)


def _read_mask(module, name, shape, dtype, what):
    """The ``name_mask`` buffer the learner's method left on ``module``, as an array."""
    mask = getattr(module, name + "_mask", None)
    if not _isinstance(mask, _Tensor):
        raise AssertionError(f"{what}: the module has no {name}_mask buffer after apply")
    if mask.dtype != dtype:
        raise AssertionError(
            f"{what}: the mask has dtype {mask.dtype} for a {dtype} tensor; return the mask "
            "in default_mask's dtype, as torch's own methods do"
        )
    return checks.expect_mask(_numpy(mask), shape=shape, what=f"the mask of {what}")


def _mask_hint(mask, expected, W, threshold, what):
    """A hint for a wrong threshold mask: >=, signed values, an inverted mask."""
    a = _absolute(W)
    if ((mask != expected) & (a == threshold)).any() and (mask == (a >= threshold)).all():
        raise AssertionError(
            f"{what}: a weight with |w| equal to the threshold must be pruned (keep |w| > t)"
        )
    if threshold > 0 and (mask == (W > threshold)).all() and (mask != expected).any():
        raise AssertionError(f"{what}: compare the magnitude |w|, not the signed w")
    if expected.size and (mask == 1 - expected).all():
        raise AssertionError(f"{what}: the mask is inverted; 1 means the weight is kept")
    checks.expect_equal(mask, expected, what=f"the mask of {what}")


def _param_module(W):
    """A module holding ``W`` as its parameter ``weight``."""
    module = _Module()
    module.weight = nn.Parameter(W.clone())
    return module


def check_threshold_method(method, hidden=False):
    """Check a ``BasePruningMethod`` subclass that keeps ``|w| > threshold``."""
    if not _isinstance(method, type):
        raise AssertionError(
            f"the answer is a {type(method).__name__}; expected the class itself "
            "(a subclass of prune.BasePruningMethod)"
        )
    if not _issubclass(method, _BasePruningMethod):
        raise AssertionError(
            f"{method.__name__} must subclass torch.nn.utils.prune.BasePruningMethod"
        )
    if getattr(method, "PRUNING_TYPE", None) != "unstructured":
        raise AssertionError(
            f"{method.__name__}.PRUNING_TYPE must be 'unstructured': the rule decides for each "
            "entry on its own, and a PruningContainer needs to know that"
        )
    name = method.__name__
    rng = checks.rng()
    for shape, dtype, threshold in _threshold_cases(rng, hidden):
        W = _tensor_with_ties(rng, shape, dtype, threshold)
        module = _param_module(W)
        what = f"{name}.apply(module, 'weight', threshold={threshold:.3g}) on a {dtype.__name__} weight of shape {tuple(shape)}"
        expected = _expected_mask(W, threshold)
        with _own_work():
            method.apply(module, "weight", threshold=threshold)
        mask = _read_mask(module, "weight", tuple(shape), W.dtype, what)
        # the threshold as the tensor holds it, so that a tie is a tie in any precision
        stored = float(dtype(threshold))
        _mask_hint(mask, expected, _numpy(W).astype(_float64), stored, what)
        if not torch.equal(module.weight, W * module.weight_mask):
            raise AssertionError(f"{what}: module.weight is not weight_orig * weight_mask")

    # default_mask: entries pruned before stay pruned
    W = _tensor_with_ties(rng, (int(rng.integers(4, 9)), int(rng.integers(4, 9))), _float32, 0.2)
    pruned = (rng.random(tuple(W.shape)) < 0.5).astype(_float32)
    # a weight above the threshold under a 0 of default_mask: ignoring it brings that back
    j = int(rng.integers(1, W.numel() - 1))  # not the ties at the first and last entries
    pruned.flat[j] = 0.0
    W.view(-1)[j] = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.3, 1.0))
    default = torch.tensor(pruned)
    expected = _expected_mask(W, 0.2) * _numpy(default)
    what = f"{name}(0.2).compute_mask(t, default_mask) with zeros in default_mask"
    with _own_work():
        got = method(0.2).compute_mask(W.clone(), default.clone())
    if not _isinstance(got, _Tensor):
        raise AssertionError(f"{what} returned a {type(got).__name__}; expected a tensor")
    mask = checks.expect_mask(_numpy(got), shape=tuple(W.shape), what=what)
    if ((mask == 1) & (_numpy(default) == 0)).any():
        raise AssertionError(
            f"{what}: entries already pruned (default_mask 0) come back; multiply by default_mask"
        )
    checks.expect_equal(mask, expected, what=what)

    if hidden:
        _check_repeated(method, rng)
        _check_importance_scores(method, rng)
    checks.passed(name)


def _check_repeated(method, rng):
    """Two thresholds in a row, and a threshold on top of a custom mask: masks multiply."""
    name = method.__name__
    for first, second in ((0.4, 0.1), (0.1, 0.4)):
        W = _tensor_with_ties(rng, (7, 5), _float32, first)
        module = _param_module(W)
        what = f"{name} applied with threshold {first} then {second}"
        with _own_work():
            method.apply(module, "weight", threshold=first)
            method.apply(module, "weight", threshold=second)
        expected = _expected_mask(W, max(first, second))
        mask = _read_mask(module, "weight", (7, 5), W.dtype, what)
        checks.expect_equal(mask, expected, what=f"the mask of {what}")
    W = _tensor_with_ties(rng, (6, 8), _float64, 0.3)
    module = _param_module(W)
    custom = torch.tensor((rng.random((6, 8)) < 0.6).astype(_float64))
    prune.custom_from_mask(module, "weight", custom)
    what = f"{name} applied with threshold 0.3 after prune.custom_from_mask"
    with _own_work():
        method.apply(module, "weight", threshold=0.3)
    expected = _expected_mask(W, 0.3) * _numpy(custom)
    mask = _read_mask(module, "weight", (6, 8), W.dtype, what)
    checks.expect_equal(mask, expected, what=f"the mask of {what}")


def _check_importance_scores(method, rng):
    """With ``importance_scores`` the rule compares the scores, not the weights."""
    W = _tensor_with_ties(rng, (5, 6), _float32, 0.3)
    scores = torch.tensor(rng.uniform(0.0, 1.0, size=(5, 6)).astype(_float32))
    module = _param_module(W)
    what = f"{method.__name__}.apply(..., threshold=0.5, importance_scores=scores)"
    with _own_work():
        method.apply(module, "weight", threshold=0.5, importance_scores=scores)
    mask = _read_mask(module, "weight", (5, 6), W.dtype, what)
    checks.expect_equal(mask, _expected_mask(scores, 0.5), what=f"the mask of {what}")


# --------------------------------------------------------------- exercise 3
def _global_cases(rng, hidden):
    """``(net, sparsity)`` pairs."""
    cases = [(_network(rng, _sizes(rng, 2)), float(rng.choice([0.3, 0.5, 0.6, 0.7, 0.8])))]
    if hidden:
        sizes = _sizes(rng, 3)
        cases += [
            (_network(rng, sizes, dtype=_float64), float(rng.uniform(0.05, 0.95))),
            (_network(rng, _sizes(rng, 1)), float(rng.uniform(0.1, 0.9))),
            (_network(rng, [4, 5, 2, 3]), 0.25),  # 30 hidden weights: 7.5 rounds to 8
            (_network(rng, _sizes(rng, 2), activation="tanh"), 0.0),
            (_network(rng, [10, 12, 12, 4], dtype=_float64), 0.95),
        ]
    return cases


def check_global_l1_masks(global_l1_masks, hidden=False):
    """Check ``global_l1_masks(model, sparsity)`` against minprune's global sparsity masks."""
    checks.expect_callable(global_l1_masks, "global_l1_masks")
    rng = checks.rng()
    for net, sparsity in _global_cases(rng, hidden):
        layers = list(range(_len(net.layers) - 1))
        scores = pruning.magnitude(net, layers)
        expected = pruning.sparsity_masks(scores, sparsity, scope="global")
        layerwise = pruning.sparsity_masks(scores, sparsity, scope="layer")
        model = porting.to_torch(net)
        what = f"global_l1_masks(model, {sparsity:.3g}) for {_describe(net)}"
        with _own_work():
            answer = global_l1_masks(model, sparsity)
        if not _isinstance(answer, list | tuple):
            raise AssertionError(
                f"{what} returned a {type(answer).__name__}; expected a list of masks, one per "
                "hidden layer"
            )
        if _len(answer) != _len(layers):
            hint = "; leave the output layer out" if _len(answer) == _len(net.layers) else ""
            raise AssertionError(
                f"{what} returned {_len(answer)} masks for {_len(layers)} hidden layers{hint}"
            )
        masks = []
        for j, (m, e) in enumerate(zip(answer, expected)):
            if _isinstance(m, _Tensor):
                m = m.detach().cpu()
            shape = _asarray(m).shape if hasattr(m, "shape") else None
            if shape == e.shape[::-1] and e.shape[0] != e.shape[1]:
                raise AssertionError(
                    f"mask {j} of {what} has torch's layout {shape}; return it in minprune's "
                    f"layout (n_in, n_out) = {e.shape}: transpose weight_mask"
                )
            masks.append(checks.expect_mask(m, shape=e.shape, what=f"mask {j} of {what}"))
        if all((m == 1 - e).all() for m, e in zip(masks, expected)):
            raise AssertionError(f"{what}: the masks are inverted; 1 means the weight is kept")
        differs = any((e != w).any() for e, w in zip(expected, layerwise))
        if differs and all((m == w).all() for m, w in zip(masks, layerwise)):
            raise AssertionError(
                f"{what}: this prunes each layer on its own; rank all hidden layers together "
                "(prune.global_unstructured)"
            )
        pruned = sum(int((m == 0).sum()) for m in masks)
        if pruned != sum(int((e == 0).sum()) for e in expected):
            n = sum(e.size for e in expected)
            raise AssertionError(
                f"{what} prunes {pruned} of the {n} hidden-layer weights; the hidden layers "
                "together lose round(sparsity * n) of them (a float amount)"
            )
        for j, (m, e) in enumerate(zip(masks, expected)):
            checks.expect_equal(m, e, what=f"mask {j} of {what}")
        linears = _linears(model)
        for j, (lin, m) in enumerate(zip(linears[:-1], masks)):
            buf = getattr(lin, "weight_mask", None)
            if (
                not _isinstance(buf, _Tensor)
                or buf.shape != m.T.shape
                or (_numpy(buf) != m.T).any()
            ):
                raise AssertionError(
                    f"{what}: hidden Linear {j} of the model carries no weight_mask equal to the "
                    "mask returned; prune the model itself with torch.nn.utils.prune"
                )
        last = getattr(linears[-1], "weight_mask", None)
        if _isinstance(last, _Tensor) and (_numpy(last) == 0).any():
            raise AssertionError(f"{what}: the output layer was pruned; leave it alone")
    checks.passed("global_l1_masks")
