"""Inputs shared by the exercises of topic 08: tie-free networks and weights, dyadic thresholds.

The weights are drawn free of ties (no two equal magnitudes, none zero), so that torch's
``topk`` and minprune's stable sort select the same weights. Thresholds are multiples of
1/256, exact in float32 and float64, so a tie ``|w| == threshold`` is a tie in either
precision.

It also holds ``asking``: how a check reaches an answer through a probe of plain data,
in this process or across the grader's sandbox (see the section at the end).
"""

import importlib
import itertools
import sys

import numpy as np
import torch
from torch import nn

import minprune as mp
from minprune_course import checks


def distinct(values):
    """True when no two entries of ``values`` have the same magnitude."""
    flat = np.abs(np.asarray(values)).ravel()
    return np.unique(flat).size == flat.size


def tie_free(rng, shape, dtype, scale=1.0):
    """Normal weights of ``shape`` with no two equal magnitudes and none zero."""
    while True:
        W = rng.normal(scale=scale, size=shape).astype(dtype)
        if distinct(W) and (W != 0).all():
            return W


def network(rng, sizes, activation="relu", dtype="float32", output="identity"):
    """A network of ``sizes``: tie-free weights across all layers, nonzero biases, and
    layers on different scales (so global and layer-wise ranking differ)."""
    loss = "cross_entropy" if output == "identity" else "mse"
    while True:
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            act = output if i == len(sizes) - 2 else activation
            scale = float(rng.uniform(0.3, 1.5)) / np.sqrt(n_in)
            W = tie_free(rng, (n_in, n_out), dtype, scale)
            b = rng.normal(scale=0.5, size=n_out).astype(dtype)
            layers.append(mp.Dense(W, b, act))
        if distinct(np.concatenate([layer.W.ravel() for layer in layers])):
            return mp.Network.from_layers(layers, loss)


def sizes(rng, n_hidden):
    """``n_hidden + 2`` layer widths from 3 to 9."""
    return [int(n) for n in rng.integers(3, 10, size=n_hidden + 2)]


def inputs(rng, net, n=13):
    """A batch of ``n`` samples in the network's dtype."""
    return rng.normal(size=(n, net.sizes[0])).astype(net.dtype)


def describe(net):
    """``"a float32 network of sizes [..], activations [..]"``: how hints name a network."""
    acts = [layer.activation for layer in net.layers]
    return f"a {net.dtype} network of sizes {net.sizes}, activations {acts}"


def dyadic(rng, low, high):
    """A threshold in ``[low, high]`` that is a multiple of 1/256 (exact in float32)."""
    return int(rng.integers(round(low * 256), round(high * 256) + 1)) / 256


def linears(model):
    """The ``nn.Linear`` modules of ``model``, in order."""
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def state(model):
    """``model``'s ``state_dict`` as detached copies: plain data to read back."""
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def numpy(value):
    """A tensor as a NumPy array (anything else as it is)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return value


# ------------------------------------------------------------ probes across the wall
# A probe is a module-level function ``probe(answer, *args)`` of an exercise module: it
# calls the answer (a function, or a class) on plain data and returns plain data. Where
# the answer lives in this process, ``asking`` just calls it. When grading, the answer
# lives in the submission's sandboxed kernel (``remote.RemoteAnswer``), which can only
# call the answer itself and send back what it returns; a class's instances, a module
# holding activations, or a model pruned in place cannot cross. So ``asking`` has the
# kernel run the probe there (``serve``), and only its plain result crosses. This wants
# a home in ``remote`` (``RemoteAnswer.probe``); it uses ``RemoteAnswer._run`` and
# ``remote._send`` meanwhile.


def is_remote(answer):
    """True when ``answer`` runs in the submission's kernel (the grader's ``RemoteAnswer``)."""
    from minprune_course import remote

    return isinstance(answer, remote.RemoteAnswer)


def blocked(exercise):
    """The functions switched off while ``exercise``'s answer runs."""
    found = getattr(exercise, "references", None)
    return found() if found is not None else checks.public(*exercise.REFERENCE)


def asking(exercise, answer):
    """A function of plain data returning ``exercise.probe(answer, *args)``, computed where
    ``answer`` lives; pass it to ``checks.call`` in place of the answer."""
    if not is_remote(answer):

        def ask(*args):
            return exercise.probe(answer, *args)

        return ask

    def ask_remotely(*args):
        return _remote_probe(exercise.__name__, answer, args)

    return ask_remotely


_ids = itertools.count()


def _remote_probe(module_name, answer, args):
    """Have the kernel run ``serve`` on ``args``; what ``RemoteAnswer.__call__`` does for a call."""
    from minprune_course import plain, remote

    call_id = f"probe{next(_ids)}"
    plain.dump([list(args), {}], answer.folder, f"{call_id}-in")
    code = (
        "__import__('importlib').import_module('minprune_course.exercises._t08').serve("
        f"{module_name!r}, {answer.name!r}, {answer.folder!r}, {call_id!r})"
    )
    reply = answer._run(code, call_id)
    status, message = reply["status"], reply["message"]
    if status == remote.NOT_ANSWERED:
        raise NotImplementedError(message)
    if status == remote.ASSERTION:
        raise AssertionError(message)
    if status == remote.ERROR:
        ename, _, text = message.partition("\0")
        raise remote.RemoteError(ename, text)
    if status != remote.OK:
        raise AssertionError(f"{answer.name}: {message}")
    after, _ = reply["after"]
    for given, back in zip(args, after, strict=True):
        if not remote._write_back(given, back):
            raise AssertionError(
                f"{answer.name} changed an argument in place; the exercise asks you to leave "
                "the inputs as they were and return new values"
            )
    return reply["result"]


def serve(module_name, name, folder, call_id):
    """Run in the kernel: ``probe(name's value, *args)`` of exercise ``module_name``, on the
    arguments in ``folder``, the references switched off; write what happened."""
    from minprune_course import plain, remote

    exercise = importlib.import_module(module_name)
    namespace = vars(sys.modules["__main__"])
    if name not in namespace:
        return remote._send(folder, call_id, remote.MISSING, message=f"{name} is not defined")
    args, kwargs = plain.load(folder, f"{call_id}-in")
    try:
        with checks.switched_off(blocked(exercise), getattr(exercise, "HINT", None)):
            result = exercise.probe(namespace[name], *args, **kwargs)
    except NotImplementedError as exc:
        return remote._send(folder, call_id, remote.NOT_ANSWERED, message=str(exc))
    except AssertionError as exc:
        return remote._send(folder, call_id, remote.ASSERTION, message=str(exc))
    except Exception as exc:  # noqa: BLE001 - the learner's exception becomes data
        return remote._send(folder, call_id, remote.ERROR, message=f"{type(exc).__name__}\0{exc}")
    return remote._send(folder, call_id, remote.OK, result, [list(args), kwargs])
