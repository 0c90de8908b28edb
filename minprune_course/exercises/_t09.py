"""What the exercises of topic 09 share: random layers, the references switched off,
and the cut layers an answer returns, read back as plain data and checked.

The layers given to an answer are built here (their architecture is the check's), from
the case's generator; torch's global random state is left as it was, so a check does
not change what the notebook's later cells compute.

When grading, the answer runs in the submission's kernel and its arguments and results
cross as plain data (``minprune_course.plain``): a torch module of a known kind
(``Conv2d``, ``BatchNorm2d``, ``Linear``, ``Sequential``, ``DigitsCNN``) is rebuilt from
its configuration and ``state_dict``, a tensor as its values. So the layers and models
given to answers are of those kinds and float32 (``plain`` does not carry a module's
dtype), and a returned tensor arrives without its autograd graph (``is_remote``).

A surgery answer returns new layers. The check reads each one as plain data
(``read_layers``: its ``state_dict``'s tensors, the names of its parameters, its sizes
and geometry) and runs layers it builds itself from that data, never the learner's
modules: a module whose ``forward`` was replaced cannot pass.
"""

import types

import numpy as np
import torch
from torch import nn
from torch.nn.utils import skip_init

from minprune_course import checks


# ------------------------------------------------------------------ own work
def references(names):
    """The engine's functions ``names`` (public dotted names) and the private helpers they call.

    The helpers are found in the functions' code, not by name, so a renamed helper is
    still switched off with the public function that uses it.
    """
    found = checks.public(*names)
    todo = [f.__code__ for f in found]
    while todo:
        code = todo.pop()
        todo += [c for c in code.co_consts if isinstance(c, types.CodeType)]
        owner = next(f for f in found if _owns(f, code))
        for name in code.co_names:
            helper = owner.__globals__.get(name)
            if (
                isinstance(helper, types.FunctionType)
                and helper.__module__.startswith("minprune.")
                and helper.__name__.startswith("_")
                and helper.__closure__ is None
                and all(helper is not f for f in found)
            ):
                found.append(helper)
                todo.append(helper.__code__)
    return found


def _owns(function, code):
    """True when ``code`` is ``function``'s code or nested in it."""
    stack = [function.__code__]
    while stack:
        current = stack.pop()
        if current is code:
            return True
        stack += [c for c in current.co_consts if isinstance(c, types.CodeType)]
    return False


def is_remote(answer):
    """True when ``answer`` runs in the submission's kernel (the grader's
    ``remote.RemoteAnswer``): what it returns has crossed as plain data."""
    from minprune_course import remote

    return isinstance(answer, remote.RemoteAnswer)


def call(answer, *args, what, names, without):
    """``checks.call`` with torch's global random state restored afterwards (building a
    layer draws from it)."""
    with torch.random.fork_rng(devices=[]):
        return checks.call(answer, *args, what=what, names=names, without=without)


# ------------------------------------------------------------------ inputs
def tensor(rng, shape, dtype, scale=1.0, low=None):
    """A tensor drawn from ``rng``: normal with std ``scale``, or uniform in [low, scale)."""
    if low is None:
        values = rng.normal(scale=scale, size=shape)
    else:
        values = rng.uniform(low, scale, size=shape)
    return torch.tensor(values, dtype=dtype)


def conv(rng, c_in, c_out, kernel, dtype, bias=False, stride=1):
    """A ``Conv2d`` with 'same' padding and random weights."""
    padding = (kernel[0] // 2, kernel[1] // 2)
    layer = skip_init(
        nn.Conv2d, c_in, c_out, kernel, stride=stride, padding=padding, bias=bias, dtype=dtype
    )
    with torch.no_grad():
        layer.weight.copy_(tensor(rng, tuple(layer.weight.shape), dtype, 0.5))
        if bias:
            layer.bias.copy_(tensor(rng, (c_out,), dtype, 0.5))
    return layer


def batchnorm(rng, c, dtype, eps=1e-5):
    """A ``BatchNorm2d`` in eval mode: scales of both signs, shifts, running statistics all
    random, none of them the defaults 1, 0, 0, 1."""
    layer = nn.BatchNorm2d(c, eps=eps).to(dtype)
    with torch.no_grad():
        signs = torch.tensor(rng.choice([-1.0, 1.0], size=c), dtype=dtype)
        layer.weight.copy_(tensor(rng, (c,), dtype, 1.5, low=0.2) * signs)
        layer.bias.copy_(tensor(rng, (c,), dtype, 1.0))
        layer.running_mean.copy_(tensor(rng, (c,), dtype, 1.0, low=0.1))
        layer.running_var.copy_(tensor(rng, (c,), dtype, 2.0, low=1.2))
        layer.num_batches_tracked.fill_(int(rng.integers(1, 100)))
    return layer.eval()


def linear(rng, n_in, n_out, dtype):
    """A ``Linear`` with random weights and bias."""
    layer = skip_init(nn.Linear, n_in, n_out, dtype=dtype)
    with torch.no_grad():
        layer.weight.copy_(tensor(rng, (n_out, n_in), dtype, 0.5))
        layer.bias.copy_(tensor(rng, (n_out,), dtype, 0.5))
    return layer


def keep(rng, n, kind):
    """Channels to keep of ``n``: ``"sorted"``, a list that is never the first channels
    only (it keeps channel n-1 and drops another); ``"unsorted"``, a long tensor of two
    or more channels never in ascending order (``n >= 3``); ``"one"`` channel; ``"all"``."""
    if kind == "all":
        return list(range(n))
    if kind == "one":
        return [int(rng.integers(0, n))]
    k = int(rng.integers(1 if kind == "sorted" else 2, n))
    chosen = [n - 1, *(int(i) for i in rng.choice(n - 1, size=k - 1, replace=False))]
    if kind == "sorted":
        return sorted(chosen)
    order = [int(i) for i in rng.permutation(chosen)]
    if order == sorted(order):
        order = order[::-1]
    return torch.tensor(order, dtype=torch.long)


def numpy(value):
    """A tensor as a NumPy array of its own dtype (detached, on the CPU)."""
    return value.detach().cpu().numpy()


# ------------------------------------------------------------------ reading
#: What a returned layer is, beyond its state_dict: its sizes and its geometry.
FIELDS = {
    nn.Conv2d: (
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "groups",
        "padding_mode",
    ),
    nn.BatchNorm2d: ("num_features", "eps", "affine", "track_running_stats"),
    nn.Linear: ("in_features", "out_features"),
}


def read_layers(answer, kinds, names, what):
    """The layers ``answer`` returned as plain data, one dict each.

    Each dict holds ``state`` (the ``state_dict``'s tensors, detached copies),
    ``parameters`` (the names of its parameters) and the fields ``FIELDS`` names.
    """
    shape = ", ".join(names)
    checks.expect_true(
        isinstance(answer, tuple | list) and len(answer) == len(kinds),
        f"{what} must return {len(kinds)} layers: ({shape})",
    )
    read = []
    for layer, kind, name in zip(answer, kinds, names, strict=True):
        checks.expect_true(
            isinstance(layer, kind),
            f"{what}: the {name} it returned is a {type(layer).__name__}; expected a new "
            f"nn.{kind.__name__}",
        )
        data = {field: getattr(layer, field) for field in FIELDS[kind]}
        data["state"] = {k: v.detach().cpu().clone() for k, v in layer.state_dict().items()}
        data["parameters"] = [p for p, _ in layer.named_parameters()]
        read.append(data)
    return read


# ------------------------------------------------------------------ hints
HINTS = {
    "lost_dtype": "the cut layers keep the original layers' dtype: build each new layer, "
    "then .to(dtype) it, before copying into it",
    "default_bias": "a cut conv has a bias exactly when the original has one "
    "(nn.Conv2d(..., bias=conv.bias is not None)), and a bias is copied, never left as drawn",
    "lost_geometry": "a cut conv keeps the original's kernel_size, stride, padding, dilation "
    "and groups: pass them to nn.Conv2d",
    "lost_eps": "a cut BatchNorm keeps the original's eps (nn.BatchNorm2d(k, eps=bn.eps))",
    "stale_sizes": "a layer's sizes (in_channels, out_channels, num_features, in_features) "
    "must describe the weights it holds: build new layers of the new sizes",
    "fresh_batchnorm": "a cut BatchNorm keeps its scales and shifts: gamma = bn.weight[keep] "
    "and beta = bn.bias[keep], copied into the new layer",
    "statistics_reset": "a cut BatchNorm keeps its running statistics too: running_mean[keep] "
    "and running_var[keep] are what it normalises with in eval mode",
}


# ------------------------------------------------------------------ checking a cut
class Cut:
    """One surgery case: ``conv -> bn -> relu -> tail``, where ``nxt`` reads the channels.

    ``nxt`` is the next conv (it reads channel j as its input channel j) or the
    classifier (it reads channel j as a block of ``block`` consecutive columns).
    ``tail(h, nxt)`` runs what follows the ReLU. ``names`` name the three layers.
    """

    def __init__(self, conv, bn, nxt, keep, x, tail, names):
        self.conv, self.bn, self.nxt, self.keep, self.x = conv, bn, nxt, keep, x
        self.tail, self.names = tail, names
        self.dtype = conv.weight.dtype
        self.index = [int(i) for i in (keep.tolist() if isinstance(keep, torch.Tensor) else keep)]
        self.channels = conv.out_channels
        self.block = nxt.weight[0].numel() // self.channels

    def masked_output(self):
        """What the original layers compute with the removed channels silenced."""
        mask = torch.zeros(self.channels, 1, 1, dtype=self.dtype)
        mask[self.index] = 1
        with torch.no_grad():
            return numpy(self.tail(torch.relu(self.bn(self.conv(self.x))) * mask, self.nxt))

    def kinds(self):
        """The kinds of layer the cut returns: a conv, a BatchNorm, the kind of ``nxt``."""
        return (nn.Conv2d, nn.BatchNorm2d, type(self.nxt))

    def keys(self):
        """The tensors a cut holds, ``"conv1.weight"``, ..., in a fixed order."""
        c, b, n = self.names
        keys = [f"{c}.weight"] + ([f"{c}.bias"] if self.conv.bias is not None else [])
        keys += [f"{b}.{t}" for t in ("weight", "bias", "running_mean", "running_var")]
        return keys + [f"{n}.weight"] + ([f"{n}.bias"] if self.nxt.bias is not None else [])

    def state(self, index=None, conv_index=None, bn=None, nxt_columns=None):
        """The cut's tensors as arrays, by ``keys()``: the right ones, keeping channels
        ``index`` (``keep`` by default). A mistake's tensors come from other indices for
        the conv (``conv_index``) or ``bn``'s tensors, or ``nxt_columns`` for ``nxt``."""
        index = self.index if index is None else index
        conv_index = index if conv_index is None else conv_index
        c, b, n = self.names
        out = {f"{c}.weight": numpy(self.conv.weight)[conv_index]}
        if self.conv.bias is not None:
            out[f"{c}.bias"] = numpy(self.conv.bias)[conv_index]
        for t in ("weight", "bias", "running_mean", "running_var"):
            out[f"{b}.{t}"] = numpy(getattr(self.bn, t))[conv_index]
        out.update(bn or {})
        out[f"{n}.weight"] = self.blocks(index) if nxt_columns is None else nxt_columns
        if self.nxt.bias is not None:
            out[f"{n}.bias"] = numpy(self.nxt.bias)
        return [out[k] for k in self.keys()]

    def blocks(self, index):
        """``nxt.weight`` reading only the channels ``index``, in that order."""
        W = numpy(self.nxt.weight)
        rest = W.shape[2:]
        W = W.reshape(W.shape[0], self.channels, -1)[:, index]
        return W.reshape(W.shape[0], -1) if not rest else W.reshape(W.shape[0], len(index), *rest)


def expect_cut(cut, layers, expected, mistakes, hints, what, nxt_hints):
    """Check the plain data ``layers`` read from a surgery answer for ``cut``.

    In order: dtypes, which tensors are there, sizes against the weights, geometry
    against the originals, shapes against what is kept; then the outputs of layers
    built here from that data, against ``expected`` (the masked model's). A wrong
    answer that holds exactly a declared mistake's tensors (``mistakes``: name ->
    ``cut.state(...)``) fails with that mistake's hint from ``hints``; otherwise the
    hint names the first tensor that is wrong, never its values. ``nxt_hints`` are
    the exercise's words for a wrong next layer: ``"inputs"`` (wrong width) and
    ``"order"`` (right width, wrong columns).
    """
    c, b, n = cut.names
    originals = dict(zip(cut.names, (cut.conv, cut.bn, cut.nxt), strict=True))
    named = dict(zip(cut.names, layers, strict=True))

    def fail(detail, key=None):
        checks.fail(f"{what}: {detail}" + (f"; {HINTS[key]}" if key else ""))

    def mistaken():
        got = [_state(named, key) for key in cut.keys()]
        checks.expect_no_mistake(got, cut.state(), mistakes, hints)

    for name, layer in named.items():
        for key, value in layer["state"].items():
            if value.is_floating_point() and value.dtype != cut.dtype:
                fail(
                    f"{name}.{key} is {value.dtype}, the original layers are {cut.dtype}",
                    "lost_dtype",
                )
    for name in (c, n):
        has, had = "bias" in named[name]["state"], originals[name].bias is not None
        if has != had:
            fail(
                f"{name} {'has a bias the original has not' if has else 'lost the bias'}",
                "default_bias",
            )
    for name, layer in named.items():
        needed = ("weight", "bias", "running_mean", "running_var") if name == b else ("weight",)
        for key in needed:
            if key not in layer["state"]:
                fail(
                    f"{name} has no {key} in its state_dict; build a new layer and copy the kept "
                    "values into it"
                )
        for key in ("weight", "bias"):
            if key in layer["state"] and key not in layer["parameters"]:
                fail(
                    f"{name}.{key} is not a parameter; build a new layer and copy the kept "
                    "values into it, so that the cut network can be fine-tuned"
                )
    for name, layer in named.items():
        weight = layer["state"]["weight"]
        if "out_channels" in layer:
            sizes = (layer["out_channels"], layer["in_channels"] // max(layer["groups"], 1))
            held = tuple(weight.shape[:2])
        elif "num_features" in layer:
            sizes, held = (layer["num_features"],), tuple(weight.shape)
        else:
            sizes, held = (layer["out_features"], layer["in_features"]), tuple(weight.shape)
        if sizes != held:
            fail(
                f"{name}'s sizes {sizes} do not match its weight {tuple(weight.shape)}",
                "stale_sizes",
            )
    for name in (c, n):
        if name not in named or "kernel_size" not in named[name]:
            continue
        for field in ("kernel_size", "stride", "padding", "dilation", "groups", "padding_mode"):
            got, want = named[name][field], getattr(originals[name], field)
            if got != want:
                fail(f"{name}.{field} is {got!r}, the original's {want!r}", "lost_geometry")
    if named[b]["eps"] != cut.bn.eps:
        fail(f"{b}.eps is {named[b]['eps']!r}, the original's {cut.bn.eps!r}", "lost_eps")

    k = len(cut.index)
    filters = named[c]["state"]["weight"].shape[0]
    if filters != k:
        mistaken()
        extra = ""
        if filters == cut.channels - k:
            extra = "; keep names the channels to keep, not those to remove"
        fail(f"{c} has {filters} filters for {k} kept channels{extra}")
    for key in ("weight", "bias", "running_mean", "running_var"):
        if tuple(named[b]["state"][key].shape) != (k,):
            mistaken()
            fail(f"{b}.{key} has shape {tuple(named[b]['state'][key].shape)}; expected ({k},)")
    want = tuple(cut.blocks(cut.index).shape)
    got = tuple(named[n]["state"]["weight"].shape)
    if got != want:
        mistaken()
        fail(f"{n}.weight has shape {got}; expected {want}: {nxt_hints['inputs']}")
    if "bias" in named[n]["state"] and tuple(named[n]["state"]["bias"].shape) != tuple(
        cut.nxt.bias.shape
    ):
        fail(f"{n}.bias has shape {tuple(named[n]['state']['bias'].shape)}; keep it whole")

    got = _run(cut, named)
    tol = 1e-4 if cut.dtype == torch.float32 else 1e-9
    if not (np.abs(got - expected) <= tol * (1 + np.abs(expected))).all():
        mistaken()
        _diagnose(cut, named, nxt_hints, fail)


def _state(named, key):
    """The array ``key`` (``"bn1.weight"``) of the layers read, or ``None``."""
    name, _, tensor_name = key.partition(".")
    value = named[name]["state"].get(tensor_name)
    return None if value is None else value.numpy()


def _run(cut, named):
    """The outputs of layers built here, of the originals' geometry, holding the answer's
    tensors, in eval mode (built uninitialised: every tensor is then loaded)."""
    c, b, n = cut.names
    conv, bn, nxt = cut.conv, cut.bn, cut.nxt
    k = len(cut.index)
    dtype = cut.dtype
    new_conv = skip_init(
        nn.Conv2d, conv.in_channels, k, conv.kernel_size, conv.stride, conv.padding,
        conv.dilation, conv.groups, bias=conv.bias is not None,
        padding_mode=conv.padding_mode, dtype=dtype,
    )  # fmt: skip
    new_bn = skip_init(nn.BatchNorm2d, k, eps=bn.eps, dtype=dtype)
    if isinstance(nxt, nn.Conv2d):
        new_nxt = skip_init(
            nn.Conv2d, k, nxt.out_channels, nxt.kernel_size, nxt.stride, nxt.padding,
            nxt.dilation, nxt.groups, bias=nxt.bias is not None,
            padding_mode=nxt.padding_mode, dtype=dtype,
        )  # fmt: skip
    else:
        new_nxt = skip_init(
            nn.Linear, k * cut.block, nxt.out_features, bias=nxt.bias is not None, dtype=dtype
        )
    built = []
    for layer, name in zip((new_conv, new_bn, new_nxt), (c, b, n), strict=True):
        # every tensor the outputs need is there: expect_cut made sure before
        layer.load_state_dict(named[name]["state"], strict=False)
        built.append(layer.eval())
    with torch.no_grad():
        return numpy(cut.tail(torch.relu(built[1](built[0](cut.x))), built[2]))


def _diagnose(cut, named, nxt_hints, fail):
    """Name the first wrong tensor of a cut whose outputs are wrong.

    The cut may keep its channels in any one order: ``order`` is the original channel
    of each filter the answer's conv holds, and every other tensor must follow it.
    """
    c, b, n = cut.names
    W = numpy(cut.conv.weight).reshape(cut.channels, -1)
    got = named[c]["state"]["weight"].numpy().reshape(len(cut.index), -1)
    order = []
    for row in got:
        near = np.abs(W - row).max(axis=1) <= 1e-6 * (1 + np.abs(W).max(axis=1))
        if not near.any():
            fail(
                f"{c}.weight holds a filter that is none of {c}'s: copy the filters "
                "weight[j] as they are"
            )
        order.append(int(np.argmax(near)))
    if sorted(order) != sorted(cut.index):
        fail(
            f"{c} does not hold the filters of the kept channels; keep names the channels to "
            "keep, each once"
        )

    def follows(key, original, hint):
        value = named[key.split(".")[0]]["state"][key.split(".")[1]].numpy()
        if (
            value.shape != original.shape
            or not (np.abs(value - original) <= 1e-6 * (1 + np.abs(original))).all()
        ):
            fail(f"{key} {hint}")

    if cut.conv.bias is not None:
        follows(
            f"{c}.bias",
            numpy(cut.conv.bias)[order],
            f"is not {c}.bias of the kept filters, in their order",
        )
    for t in ("weight", "bias", "running_mean", "running_var"):
        follows(
            f"{b}.{t}",
            numpy(getattr(cut.bn, t))[order],
            f"is not {b}.{t} of the kept channels in the order of {c}'s filters: a cut "
            "BatchNorm keeps the scale, shift and running statistics of each kept channel",
        )
    follows(
        f"{n}.weight", cut.blocks(order), f"{nxt_hints['order']}, in the order of {c}'s filters"
    )
    if cut.nxt.bias is not None:
        follows(
            f"{n}.bias",
            numpy(cut.nxt.bias),
            "is not the original's: it belongs to the outputs, keep it whole",
        )
    fail("the layers' tensors look right but their outputs are not the masked model's")
