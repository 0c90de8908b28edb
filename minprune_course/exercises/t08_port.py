"""Exercise 08.1: ``port_to_torch(net)``, a minprune network as an ``nn.Sequential``.

The answer gets a ``minprune.Network`` and returns a torch module it built itself, so
the check reads that module back as plain data only (``PROBE``, run by ``probe`` on the
side where the answer runs: in the grader, inside the submission's kernel, through
``remote.asking``), and judges the plain data.

Every run, visible included, has a float32 network with a square layer (``W`` and
``W.T`` have the same shape, so an untransposed port runs and gives wrong outputs) and a
float64 network (a port to float32 shows), and every port is probed for shared memory.
The hidden runs add sigmoid and tanh networks, a one-layer network, three hidden layers
and a pruned network.
"""

import sys

import numpy as np
import torch
from torch import nn

import minprune as mp
from minprune_course import checks, remote

from . import _t08

GRADE_ID = "t08_port_test"
ANSWER = "port_to_torch"
SIGNATURE = "(net)"
REFERENCE = ("minprune.torchkit.to_torch",)
PROBE = (
    "port_to_torch(net) is called with a minprune.Network; the module it returns is read "
    "back as plain data where it was built: whether it is an nn.Module, its parameters' "
    "dtypes (strings), the weight and bias of each nn.Linear in order (tensors), its "
    "outputs on a batch X (a tensor in, a tensor out), and its outputs on X again after "
    "every W and b of the network it was given is raised by 1 in place (then put back)"
)
MISTAKES = {
    "untransposed": "holds W itself; nn.Linear stores weight as (out_features, in_features), "
    "the transpose of minprune's W",
    "wrong_dtype": "keep the network's dtype: nn.Linear(..., dtype=torch.float64) for a "
    "float64 network, torch.float32 for a float32 one",
    "no_activations": "the weights and biases are right but the outputs are not; check the "
    "activations: after each Linear the layer's own activation, none for 'identity'",
    "bias_not_copied": "is not the layer's b; copy b into the Linear's bias",
    "shares_memory": "changing the network afterwards changes the model: it shares memory "
    "with the network's arrays (torch.from_numpy does); copy the weights",
}


def cases(rng, hidden):
    """Networks: float32 relu with a square layer, float64 tanh; hidden adds more."""
    widths = _t08.sizes(rng, 2)
    widths[2] = widths[1]  # one square layer: W and W.T have the same shape
    yield _t08.network(rng, widths)
    yield _t08.network(rng, _t08.sizes(rng, 1), activation="tanh", dtype="float64")
    if not hidden:
        return
    yield _t08.network(rng, _t08.sizes(rng, 2), activation="sigmoid", dtype="float64")
    yield _t08.network(rng, _t08.sizes(rng, 0))
    yield _t08.network(rng, _t08.sizes(rng, 3), dtype="float64")
    yield _t08.network(rng, _t08.sizes(rng, 1), activation="tanh", output="sigmoid")
    yield mp.prune(_t08.network(rng, _t08.sizes(rng, 2)), sparsity=0.6)


def _outputs(model, X):
    """``model`` on ``X`` as an array, or a sentence saying why there is none."""
    try:
        with torch.no_grad():
            out = model(torch.from_numpy(X.copy()))
    except Exception as exc:  # noqa: BLE001 - any failure becomes a hint
        first = str(exc).splitlines()[0] if str(exc) else ""
        return f"the model raised {type(exc).__name__} on a {X.dtype} batch of shape {X.shape}: {first}"
    if not isinstance(out, torch.Tensor):
        return f"the model returned a {type(out).__name__}, not a tensor"
    return out.detach().cpu().numpy().copy()


def read(model, net, X):
    """``model`` as plain data (see ``PROBE``); ``net`` is the network the answer was given."""
    if not isinstance(model, nn.Module):
        return {"type": type(model).__name__}
    found = {
        "type": type(model).__name__,
        "dtypes": sorted({str(p.dtype) for p in model.parameters()}),
        "linears": [
            {name: _t08.numpy(getattr(lin, name, None)) for name in ("weight", "bias")}
            for lin in _t08.linears(model)
        ],
        "outputs": _outputs(model, X),
    }
    saved = [(layer.W.copy(), layer.b.copy()) for layer in net.layers]
    for layer in net.layers:
        layer.W += 1.0
        layer.b += 1.0
    found["outputs_after"] = _outputs(model, X)
    for layer, (W, b) in zip(net.layers, saved, strict=True):
        layer.W[...] = W
        layer.b[...] = b
    return found


def probe(answer, net, X):
    """Port ``net`` with ``answer``, then read the module as plain data (``PROBE``)."""
    return read(answer(net), net, X)


def _why(found, net, what, otherwise):
    """Fail with why the module computes something else, from its Linear layers; with
    ``otherwise`` where they are right."""
    linears = found["linears"]
    if len(linears) != len(net.layers):
        checks.fail(f"{what}: the model has {len(linears)} nn.Linear for {len(net.layers)} layers")
    for i, (lin, layer) in enumerate(zip(linears, net.layers, strict=True)):
        weight, bias = lin["weight"], lin["bias"]
        W, b = layer.W.astype(np.float64), layer.b.astype(np.float64)
        if weight is None or np.shape(weight) not in (W.shape, W.T.shape):
            checks.fail(
                f"{what}: the weight of Linear {i} has shape {np.shape(weight)}; nn.Linear "
                f"stores weight as (out_features, in_features) = {W.T.shape}"
            )
        weight = np.asarray(weight, dtype=np.float64)
        if weight.shape == W.shape and checks.matches(weight, W, 1e-6, 1e-7):
            if not checks.matches(weight, W.T, 1e-6, 1e-7):
                checks.fail(f"{what}: Linear {i} {MISTAKES['untransposed']}")
        if not checks.matches(weight, W.T, 1e-6, 1e-7):
            checks.fail(
                f"{what}: the weight of Linear {i} is not the layer's W, transposed as "
                "nn.Linear stores it"
            )
        if bias is None or not checks.matches(np.asarray(bias, dtype=np.float64), b, 1e-6, 1e-7):
            checks.fail(f"{what}: the bias of Linear {i} {MISTAKES['bias_not_copied']}")
    checks.fail(f"{what}: {otherwise}")


def _judge(found, net, expected, what):
    """Fail unless the module read back computes ``expected`` in the network's dtype."""
    if found["type"] == "NoneType":
        checks.fail(f"{what} returned None; did you forget a return statement?")
    if "outputs" not in found:
        checks.fail(f"{what} returned a {found['type']}; expected an nn.Module")
    dtype = "torch.float64" if net.dtype == np.float64 else "torch.float32"
    wrong = [d for d in found["dtypes"] if d != dtype]
    if wrong:
        checks.fail(
            f"{what}: the model has {', '.join(wrong)} parameters; {MISTAKES['wrong_dtype']}"
        )
    if isinstance(found["outputs"], str):
        _why(found, net, what, found["outputs"])
    got = checks.expect_array(found["outputs"], shape=expected.shape, what=f"the output of {what}")
    tol = 1e-4 if net.dtype == np.float32 else 1e-10
    if not (np.abs(got - expected) <= tol * (1 + np.abs(expected))).all():
        _why(found, net, what, MISTAKES["no_activations"])
    again = found["outputs_after"]
    if isinstance(again, str) or not checks.same(np.asarray(again), found["outputs"]):
        checks.fail(f"{what}: {MISTAKES['shares_memory']}")


def check(answer, hidden=False, seed=None):
    """``answer(net)`` is a module computing ``net.forward`` in ``net``'s dtype, owning its
    weights; the network it was given is left as it was."""
    references = checks.public(*REFERENCE)
    rng = checks.case_rng(GRADE_ID, hidden, seed)
    for net in cases(rng, hidden):
        X = _t08.inputs(rng, net)
        expected = net.forward(X).astype(np.float64)
        what = f"port_to_torch(net) for {_t08.describe(net)}"
        with torch.random.fork_rng(devices=[]):
            found = checks.call(
                remote.asking(sys.modules[__name__], answer),
                net,
                X,
                what=what,
                without=references,
                names=("net", "X"),
            )
        _judge(found, net, expected, what)
    checks.passed()
