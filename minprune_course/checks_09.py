"""Checks for the exercises of lesson 09, pruning CNNs.

Each check builds fresh random layers (a new seed on every call, so a hard-coded
answer fails), computes the reference with ``minprune.torchkit`` first, runs the
learner's code and raises ``AssertionError`` with a hint that names the mistake,
never the expected values::

    checks_09.check_filter_scores(filter_scores)                # the visible check
    checks_09.check_filter_scores(filter_scores, hidden=True)   # the longer battery

With ``hidden=True`` the checks run more cases: convolutions with a bias, 1x1, 5x5
and non-square kernels, float64 layers, strides, keep sets given as tensors or in
any order, of one channel or of all, BatchNorms with another ``eps``, classifiers
after a pooled map of another size; for the penalty, ``BatchNorm1d`` layers,
BatchNorms without a scale, nested models and ``lam = 0``.

Surgery is checked by its outputs: the cut layers, run in eval mode, must give
what the original layers give with the removed channels silenced (the masked
model). The learner's modules are read as plain tensors and run with
``torch.nn.functional``, so a module whose ``forward`` was replaced cannot pass.

While the learner's code runs, ``minprune.torchkit``'s scoring, surgery and
penalty functions raise an ``AssertionError``: the checks compare with them.
"""

import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from minprune.torchkit import cnn, surgery

from . import checks

__all__ = [
    "check_filter_scores",
    "check_prune_conv_bn_conv",
    "check_prune_conv_bn_linear",
    "check_slimming_penalty",
]

_absolute = np.absolute
_asarray = np.asarray
_float64 = np.float64
_isinstance = isinstance
_len = len
_type = type
_Tensor = torch.Tensor
_Parameter = nn.Parameter
_Conv2d = nn.Conv2d
_BatchNorm2d = nn.BatchNorm2d
_Linear = nn.Linear
_no_grad = torch.no_grad
_conv2d = F.conv2d
_batch_norm = F.batch_norm
_linear = F.linear
_relu = F.relu
_max_pool2d = F.max_pool2d
_fork_rng = torch.random.fork_rng
_deepcopy = copy.deepcopy


# ------------------------------------------------------------ own work only
_BLOCKED = (  # the hint when the learner's code calls minprune's own answer
    "this exercise asks for your own code: minprune.torchkit's scoring, surgery and "
    "penalty functions are what the check compares your answer with, so they are "
    "switched off while it runs"
)


def _own_work():
    """minprune's reference functions switched off while the block runs."""
    return checks.switched_off(_reference_functions(), _BLOCKED)


def _reference_functions():
    """minprune.torchkit's functions that answer these exercises by themselves."""
    return [
        surgery.l1_filter_scores,
        surgery.prune_conv_bn_conv,
        surgery.channel_prune_resnet,
        surgery._new_conv,
        surgery._new_bn,
        cnn.prune_last_conv_into_linear,
        cnn.prune_filters,
        cnn.mask_filters,
        cnn._zero_channels,
        cnn.slimming_penalty,
        cnn.bn_scale_scores,
        cnn.slimming_keep,
    ]


def _call(fn, *args, what):
    """The learner's ``fn`` on copies of ``args``, with the references switched off.

    Torch's global random state is restored afterwards: building layers draws from it,
    and a check must not change what the notebook's later cells compute.
    """
    with _own_work(), _fork_rng(devices=[]):
        return checks.call(fn, *args, what=what)


# ----------------------------------------------------------------- helpers
def _numpy(tensor):
    """A tensor as a float64 array (no gradient, on the CPU)."""
    return tensor.detach().cpu().numpy().astype(_float64)


def _expect_tensor(value, what):
    """``value`` if it is a plain torch tensor (or parameter), else a hint."""
    if value is None:
        raise AssertionError(f"{what} is None; did you forget a return statement?")
    if _type(value) is not _Tensor and _type(value) is not _Parameter:
        raise AssertionError(f"{what} is a {_type(value).__name__}; expected a torch tensor")
    return value


def _expect_module(value, kind, what):
    """``value`` if its type is exactly ``kind`` (nn.Conv2d, ...), else a hint."""
    if _type(value) is not kind:
        raise AssertionError(f"{what} is a {_type(value).__name__}; expected a new {kind.__name__}")
    return value


def _tensor(rng, shape, dtype, scale=1.0, low=None):
    """A tensor of ``shape`` drawn from ``rng``: normal, or uniform in [low, scale) if ``low``."""
    if low is None:
        values = rng.normal(scale=scale, size=shape)
    else:
        values = rng.uniform(low, scale, size=shape)
    return torch.tensor(values, dtype=dtype)


def _conv(rng, c_in, c_out, kernel, dtype, bias=False, stride=1):
    """A Conv2d with 'same' padding and random weights (the global torch RNG is untouched)."""
    padding = (kernel[0] // 2, kernel[1] // 2)
    with _fork_rng(devices=[]):
        conv = nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=bias)
    conv = conv.to(dtype)
    with _no_grad():
        conv.weight.copy_(_tensor(rng, tuple(conv.weight.shape), dtype, 0.5))
        if bias:
            conv.bias.copy_(_tensor(rng, (c_out,), dtype, 0.5))
    return conv


def _bn(rng, c, dtype, eps=1e-5):
    """A BatchNorm2d in eval mode with random scales, shifts and running statistics."""
    bn = nn.BatchNorm2d(c, eps=eps).to(dtype)
    with _no_grad():
        signs = torch.tensor(rng.choice([-1.0, 1.0], size=c), dtype=dtype)
        bn.weight.copy_(_tensor(rng, (c,), dtype, 1.5, low=0.2) * signs)
        bn.bias.copy_(_tensor(rng, (c,), dtype, 1.0))
        bn.running_mean.copy_(_tensor(rng, (c,), dtype, 1.0))
        bn.running_var.copy_(_tensor(rng, (c,), dtype, 2.0, low=0.3))
        bn.num_batches_tracked.fill_(int(rng.integers(1, 100)))
    return bn.eval()


def _keep(rng, n, kind="sorted"):
    """A keep set of channel indices: sorted list, a tensor, unsorted, one channel, all."""
    if kind == "all":
        idx = np.arange(n)
    elif kind == "one":
        idx = np.array([int(rng.integers(0, n))])
    else:
        k = int(rng.integers(1, n))
        idx = np.sort(rng.choice(n, size=k, replace=False))
    if kind == "unsorted":
        idx = rng.permutation(idx)
    if kind == "tensor":
        return torch.tensor(idx, dtype=torch.long)
    return [int(i) for i in idx]


def _conv_forward(conv, x, what):
    """``conv`` applied to ``x`` from its plain tensors and hyperparameters."""
    weight = _expect_tensor(conv.weight, f"{what}.weight")
    bias = conv.bias
    if bias is not None:
        bias = _expect_tensor(bias, f"{what}.bias")
    return _conv2d(x, weight, bias, conv.stride, conv.padding, conv.dilation, conv.groups)


def _bn_forward(bn, x, what):
    """``bn`` in eval mode (running statistics) applied to ``x``, from its tensors."""
    tensors = []
    for name in ("running_mean", "running_var", "weight", "bias"):
        tensors.append(_expect_tensor(getattr(bn, name, None), f"{what}.{name}"))
    mean, var, weight, bias = tensors
    return _batch_norm(x, mean, var, weight, bias, False, 0.0, bn.eps)


def _run(fn, what):
    """Run the learner's cut layers; any error becomes a hint that names it."""
    try:
        with _no_grad():
            return fn()
    except AssertionError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure becomes a hint
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise AssertionError(
            f"{what}: running the returned layers raised {_type(exc).__name__}: {first}"
        ) from None


def _close(got, expected, dtype):
    tol = 1e-4 if dtype == torch.float32 else 1e-9
    return got.shape == expected.shape and bool(
        (_absolute(got - expected) <= tol * (1 + _absolute(expected))).all()
    )


def _expect_parameter(module, name, what):
    value = getattr(module, name)
    if value is not None and _type(value) is not _Parameter:
        raise AssertionError(
            f"{what}.{name} is a plain tensor; make it an nn.Parameter (build a new layer and "
            "copy the kept weights into it) so that the cut network can be fine-tuned"
        )


def _expect_values(got, expected, what, hint):
    """Exact-shape, close-valued comparison of a returned tensor with the reference."""
    got = _numpy(_expect_tensor(got, what))
    if got.shape != expected.shape:
        raise AssertionError(f"{what} has shape {got.shape}; expected {expected.shape}")
    if not (_absolute(got - expected) <= 1e-6 * (1 + _absolute(expected))).all():
        raise AssertionError(f"{what}: {hint}")


# --------------------------------------------------------------- exercise 1
def _score_cases(rng, hidden):
    """``(conv)`` layers to score."""
    c_in, c_out = (int(n) for n in rng.integers(2, 9, size=2))
    cases = [_conv(rng, c_in, c_out, (3, 3), torch.float32)]
    if hidden:
        cases += [
            _conv(rng, c_in, c_out, (3, 3), torch.float32, bias=True),
            _conv(rng, 1, int(rng.integers(2, 12)), (5, 5), torch.float64),
            _conv(rng, c_out, c_in, (1, 1), torch.float32),
            _conv(rng, c_in, c_in, (3, 1), torch.float64, bias=True),
            _conv(rng, int(rng.integers(2, 6)), 1, (3, 3), torch.float32),
        ]
    return cases


def check_filter_scores(filter_scores, hidden=False):
    """Check ``filter_scores(conv)``: the L1 norm of each output filter, shape ``(out_channels,)``."""
    checks.expect_callable(filter_scores, "filter_scores")
    rng = checks.rng()
    for conv in _score_cases(rng, hidden):
        W = _numpy(conv.weight)
        expected = _numpy(surgery.l1_filter_scores(conv))
        what = (
            f"filter_scores(conv) for a {str(conv.weight.dtype)[6:]} Conv2d with weight "
            f"{tuple(W.shape)}{' and a bias' if conv.bias is not None else ''}"
        )
        answer = _expect_tensor(_call(filter_scores, conv, what=what), what)
        got = checks.expect_array(_numpy(answer), what=what)
        if got.shape != expected.shape:
            if got.shape == (W.shape[1],) and W.shape[0] != W.shape[1]:
                raise AssertionError(
                    f"{what} has shape {got.shape}: one score per input channel; a filter is "
                    "weight[j], so sum over dims 1, 2 and 3"
                )
            raise AssertionError(
                f"{what} has shape {got.shape}; expected one score per output channel, "
                f"shape ({W.shape[0]},)"
            )
        if not _close(got, expected, torch.float32):
            if _close(got, np.sqrt((W**2).sum(axis=(1, 2, 3))), torch.float32):
                raise AssertionError(f"{what}: this is the L2 norm; the score is the sum of |w|")
            if _close(got, W.sum(axis=(1, 2, 3)), torch.float32):
                raise AssertionError(f"{what}: sum the absolute values |w|, not the signed weights")
            if _close(got, _absolute(W).mean(axis=(1, 2, 3)), torch.float32):
                raise AssertionError(
                    f"{what}: the score is the sum of |w| over the filter, not the mean"
                )
            if conv.bias is not None and _close(
                got, expected + _absolute(_numpy(conv.bias)), torch.float32
            ):
                raise AssertionError(f"{what}: the bias is not part of a filter; score weight only")
        checks.expect_close(got, expected, what=what, rtol=1e-5, atol=1e-6)
    checks.passed("filter_scores")


# --------------------------------------------------------------- exercise 2
def _cbc_cases(rng, hidden):
    """``(conv1, bn1, conv2, keep, spatial)`` for conv1 -> bn1 -> relu -> conv2."""
    c_in, c1, c2 = (int(n) for n in rng.integers(2, 8, size=3))
    c1 += 2
    cases = [
        (
            _conv(rng, c_in, c1, (3, 3), torch.float32),
            _bn(rng, c1, torch.float32),
            _conv(rng, c1, c2, (3, 3), torch.float32),
            _keep(rng, c1),
            6,
        )
    ]
    if hidden:
        for kind, dtype, bias, kernel, eps, stride in (
            ("tensor", torch.float32, True, (3, 3), 1e-3, 1),
            ("unsorted", torch.float64, False, (1, 1), 1e-5, 1),
            ("one", torch.float32, True, (5, 5), 1e-5, 2),
            ("all", torch.float64, True, (3, 1), 0.1, 1),
        ):
            c_in, c1, c2 = (int(n) for n in rng.integers(2, 8, size=3))
            cases.append(
                (
                    _conv(rng, c_in, c1, kernel, dtype, bias=bias, stride=stride),
                    _bn(rng, c1, dtype, eps=eps),
                    _conv(rng, c1, c2, (3, 3), dtype, bias=bias),
                    _keep(rng, c1, kind),
                    int(rng.integers(4, 9)),
                )
            )
    return cases


def _expect_dtypes(modules, dtype, what):
    """Every parameter and buffer of the returned layers in the original layers' dtype."""
    for name, module in modules:
        tensors = list(module.parameters()) + [b for b in module.buffers() if b.is_floating_point()]
        if any(t.dtype != dtype for t in tensors):
            raise AssertionError(
                f"{what}: {name} must keep the original layers' dtype {dtype} (build it, then .to(dtype))"
            )


def _kept_filters(conv, new_conv, new_bn, keep, names, what):
    """Hints when the cut conv or its BatchNorm holds the wrong number of channels.

    Returns ``(idx, k)``: the kept channel indices as an array, and how many.
    """
    conv_name, bn_name = names
    idx = np.asarray(keep if not _isinstance(keep, _Tensor) else keep.tolist())
    k = _len(idx)
    got = new_conv.weight.shape[0]
    if got != k:
        extra = ""
        if got == conv.out_channels - k:
            extra = "; keep names the channels to keep, not those to remove"
        raise AssertionError(f"{what}: {conv_name} has {got} filters for {k} kept{extra}")
    if any(_len(t) != k for t in (new_bn.weight, new_bn.running_mean, new_bn.running_var)):
        raise AssertionError(
            f"{what}: {bn_name} must keep the same {k} channels: weight, bias, running_mean "
            "and running_var, each indexed by keep"
        )
    return idx, k


def _cbc_hints(conv1, bn1, conv2, keep, new, what):
    """Specific hints for a conv-BN-conv cut whose outputs are wrong."""
    n1, nb, n2 = new
    _expect_dtypes((("conv1", n1), ("bn1", nb), ("conv2", n2)), conv1.weight.dtype, what)
    idx, k = _kept_filters(conv1, n1, nb, keep, ("conv1", "bn1"), what)
    if n2.weight.shape[1] != k:
        raise AssertionError(
            f"{what}: conv2 still reads {n2.weight.shape[1]} input channels; it must lose the "
            "input channels of the removed filters, weight[:, keep]"
        )
    if n2.weight.shape[0] != conv2.out_channels:
        raise AssertionError(f"{what}: conv2's output channels must stay as they are")
    for name, got_mod, ref_mod in (("conv1", n1, conv1), ("conv2", n2, conv2)):
        for attr in ("stride", "padding", "dilation"):
            if getattr(got_mod, attr) != getattr(ref_mod, attr):
                raise AssertionError(
                    f"{what}: {name}.{attr} is {getattr(got_mod, attr)}; the cut layer keeps the "
                    f"original's {attr} {getattr(ref_mod, attr)}"
                )
        if (got_mod.bias is None) != (ref_mod.bias is None):
            raise AssertionError(
                f"{what}: {name} must have a bias exactly when the original has one"
            )
    if nb.eps != bn1.eps:
        raise AssertionError(f"{what}: bn1.eps is {nb.eps}; keep the original's eps {bn1.eps}")
    order = torch.tensor(idx, dtype=torch.long)
    _expect_values(
        n1.weight, _numpy(conv1.weight)[idx], f"{what}: conv1.weight", "the kept filters are "
        "not conv1.weight[keep], in the order of keep"
    )  # fmt: skip
    if conv1.bias is not None:
        _expect_values(
            n1.bias, _numpy(conv1.bias)[idx], f"{what}: conv1.bias", "not conv1.bias[keep]"
        )
    for name in ("weight", "bias", "running_mean", "running_var"):
        _expect_values(
            getattr(nb, name), _numpy(getattr(bn1, name))[idx], f"{what}: bn1.{name}",
            f"not bn1.{name}[keep]: a cut BatchNorm keeps its scales, shifts and running "
            "statistics for the kept channels",
        )  # fmt: skip
    _expect_values(
        n2.weight, _numpy(conv2.weight[:, order]), f"{what}: conv2.weight",
        "not conv2.weight[:, keep]",
    )  # fmt: skip
    raise AssertionError(
        f"{what}: the layers look right but their outputs are not the masked model's"
    )


def check_prune_conv_bn_conv(prune_conv_bn_conv, hidden=False):
    """Check ``prune_conv_bn_conv(conv1, bn1, conv2, keep)`` by the outputs of the cut layers."""
    checks.expect_callable(prune_conv_bn_conv, "prune_conv_bn_conv")
    rng = checks.rng()
    for conv1, bn1, conv2, keep, side in _cbc_cases(rng, hidden):
        dtype = conv1.weight.dtype
        x = _tensor(rng, (5, conv1.in_channels, side, side), dtype)
        mask = torch.zeros(conv1.out_channels, 1, 1, dtype=dtype)
        mask[torch.as_tensor(keep, dtype=torch.long)] = 1
        with _no_grad():
            expected = _numpy(conv2(_relu(bn1(conv1(x))) * mask))
        what = (
            f"prune_conv_bn_conv(conv1, bn1, conv2, keep) with conv1 {tuple(conv1.weight.shape)}, "
            f"conv2 {tuple(conv2.weight.shape)}, keep {keep!r}"
        )
        answer = _call(prune_conv_bn_conv, conv1, bn1, conv2, keep, what=what)
        if not _isinstance(answer, tuple | list) or _len(answer) != 3:
            raise AssertionError(f"{what} must return three layers: (conv1, bn1, conv2)")
        n1 = _expect_module(answer[0], _Conv2d, f"the first layer returned by {what}")
        nb = _expect_module(answer[1], _BatchNorm2d, f"the second layer returned by {what}")
        n2 = _expect_module(answer[2], _Conv2d, f"the third layer returned by {what}")

        def forward(n1=n1, nb=nb, n2=n2, x=x, what=what):
            h = _conv_forward(n1, x, f"{what}: conv1")
            h = _relu(_bn_forward(nb, h, f"{what}: bn1"))
            return _conv_forward(n2, h, f"{what}: conv2")

        try:
            got = _numpy(_run(forward, what))
        except AssertionError:
            _cbc_hints(conv1, bn1, conv2, keep, (n1, nb, n2), what)
            raise
        if not _close(got, expected, dtype):
            _cbc_hints(conv1, bn1, conv2, keep, (n1, nb, n2), what)
        for name, module in (("conv1", n1), ("bn1", nb), ("conv2", n2)):
            for attr in ("weight", "bias"):
                _expect_parameter(module, attr, f"{what}: {name}")
        _expect_dtypes((("conv1", n1), ("bn1", nb), ("conv2", n2)), dtype, what)
    checks.passed("prune_conv_bn_conv")


# --------------------------------------------------------------- exercise 3
def _cbl_cases(rng, hidden):
    """``(conv, bn, fc, keep, side, pool)``: conv -> bn -> relu -> maxpool(pool) -> flatten -> fc."""
    c_in, c = int(rng.integers(1, 5)), int(rng.integers(3, 9))
    side, pool = 8, 2
    cases = [(c_in, c, side, pool, "sorted", torch.float32, False)]
    if hidden:
        cases += [
            (int(rng.integers(1, 5)), int(rng.integers(3, 9)), 6, 2, "tensor", torch.float64, True),
            (
                int(rng.integers(1, 5)),
                int(rng.integers(3, 9)),
                6,
                3,
                "unsorted",
                torch.float32,
                False,
            ),
            (int(rng.integers(1, 5)), int(rng.integers(2, 6)), 4, 1, "one", torch.float32, True),
            (int(rng.integers(1, 5)), int(rng.integers(2, 6)), 8, 4, "all", torch.float64, False),
        ]
    out = []
    for c_in, c, side, pool, kind, dtype, bias in cases:
        conv = _conv(rng, c_in, c, (3, 3), dtype, bias=bias)
        hw = (side // pool) ** 2
        classes = int(rng.integers(2, 11))
        with _fork_rng(devices=[]):
            fc = nn.Linear(c * hw, classes).to(dtype)
        with _no_grad():
            fc.weight.copy_(_tensor(rng, (classes, c * hw), dtype, 0.5))
            fc.bias.copy_(_tensor(rng, (classes,), dtype, 0.5))
        out.append((conv, _bn(rng, c, dtype), fc, _keep(rng, c, kind), side, pool))
    return out


def _cbl_hints(conv, bn, fc, keep, new, hw, what):
    """Specific hints for a conv-BN-linear cut whose outputs are wrong."""
    nc, nb, nf = new
    _expect_dtypes((("conv", nc), ("bn", nb), ("fc", nf)), conv.weight.dtype, what)
    idx, k = _kept_filters(conv, nc, nb, keep, ("conv", "bn"), what)
    W = _numpy(fc.weight)
    if nf.weight.shape == (fc.out_features, k) and hw > 1:
        raise AssertionError(
            f"{what}: fc has {k} input columns, one per kept channel; after flatten each channel "
            f"is an h x w map and owns h*w = {hw} consecutive columns"
        )
    if nf.weight.shape != (fc.out_features, k * hw):
        raise AssertionError(
            f"{what}: fc.weight has shape {tuple(nf.weight.shape)}; expected "
            f"({fc.out_features}, {k} kept channels x {hw} columns each)"
        )
    got = _numpy(nf.weight)
    interleaved = W.reshape(fc.out_features, hw, -1)[:, :, idx].reshape(fc.out_features, -1)
    if hw > 1 and got.shape == interleaved.shape and _close(got, interleaved, torch.float64):
        raise AssertionError(
            f"{what}: flatten orders a (channels, h, w) map channel by channel: channel j owns "
            f"columns j*{hw} ... j*{hw}+{hw - 1}, not every {conv.out_channels}th column"
        )
    first = W[:, : k * hw]
    if (
        got.shape == first.shape
        and _close(got, first, torch.float64)
        and list(idx) != list(range(k))
    ):
        raise AssertionError(
            f"{what}: fc kept the first columns; keep the blocks of the kept channels"
        )
    if nf.bias is None or not _close(_numpy(nf.bias), _numpy(fc.bias), torch.float64):
        raise AssertionError(
            f"{what}: fc.bias belongs to the classes, not the channels: keep it whole"
        )
    _expect_values(
        nc.weight, _numpy(conv.weight)[idx], f"{what}: conv.weight",
        "the kept filters are not conv.weight[keep], in the order of keep",
    )  # fmt: skip
    for name in ("weight", "bias", "running_mean", "running_var"):
        _expect_values(
            getattr(nb, name), _numpy(getattr(bn, name))[idx], f"{what}: bn.{name}",
            f"not bn.{name}[keep]: a cut BatchNorm keeps its statistics for the kept channels",
        )  # fmt: skip
    if nb.eps != bn.eps:
        raise AssertionError(f"{what}: bn.eps is {nb.eps}; keep the original's eps {bn.eps}")
    if (nc.bias is None) != (conv.bias is None):
        raise AssertionError(f"{what}: conv must have a bias exactly when the original has one")
    raise AssertionError(
        f"{what}: the fc columns are not those of the kept channels, in the order of keep"
    )


def check_prune_conv_bn_linear(prune_conv_bn_linear, hidden=False):
    """Check ``prune_conv_bn_linear(conv, bn, fc, keep)`` by the outputs of the cut layers."""
    checks.expect_callable(prune_conv_bn_linear, "prune_conv_bn_linear")
    rng = checks.rng()
    for conv, bn, fc, keep, side, pool in _cbl_cases(rng, hidden):
        dtype = conv.weight.dtype
        hw = (side // pool) ** 2
        x = _tensor(rng, (5, conv.in_channels, side, side), dtype)
        mask = torch.zeros(conv.out_channels, 1, 1, dtype=dtype)
        mask[torch.as_tensor(keep, dtype=torch.long)] = 1
        with _no_grad():
            h = _max_pool2d(_relu(bn(conv(x))) * mask, pool)
            expected = _numpy(fc(torch.flatten(h, 1)))
        what = (
            f"prune_conv_bn_linear(conv, bn, fc, keep) with conv {tuple(conv.weight.shape)}, "
            f"a {side // pool}x{side // pool} map per channel, fc {tuple(fc.weight.shape)}, "
            f"keep {keep!r}"
        )
        answer = _call(prune_conv_bn_linear, conv, bn, fc, keep, what=what)
        if not _isinstance(answer, tuple | list) or _len(answer) != 3:
            raise AssertionError(f"{what} must return three layers: (conv, bn, fc)")
        nc = _expect_module(answer[0], _Conv2d, f"the first layer returned by {what}")
        nb = _expect_module(answer[1], _BatchNorm2d, f"the second layer returned by {what}")
        nf = _expect_module(answer[2], _Linear, f"the third layer returned by {what}")

        def forward(nc=nc, nb=nb, nf=nf, x=x, pool=pool, what=what):
            h = _conv_forward(nc, x, f"{what}: conv")
            h = _max_pool2d(_relu(_bn_forward(nb, h, f"{what}: bn")), pool)
            weight = _expect_tensor(nf.weight, f"{what}: fc.weight")
            bias = None if nf.bias is None else _expect_tensor(nf.bias, f"{what}: fc.bias")
            return _linear(torch.flatten(h, 1), weight, bias)

        try:
            got = _numpy(_run(forward, what))
        except AssertionError:
            _cbl_hints(conv, bn, fc, keep, (nc, nb, nf), hw, what)
            raise
        if not _close(got, expected, dtype):
            _cbl_hints(conv, bn, fc, keep, (nc, nb, nf), hw, what)
        for name, module in (("conv", nc), ("bn", nb), ("fc", nf)):
            for attr in ("weight", "bias"):
                _expect_parameter(module, attr, f"{what}: {name}")
        _expect_dtypes((("conv", nc), ("bn", nb), ("fc", nf)), dtype, what)

    checks.passed("prune_conv_bn_linear")


# --------------------------------------------------------------- exercise 4
class _Nested(nn.Module):
    """A model with BatchNorms at several depths, one without a scale, and a BatchNorm1d."""

    def __init__(self, rng, dtype):
        super().__init__()
        c = int(rng.integers(2, 7))
        with _fork_rng(devices=[]):
            self.features = nn.Sequential(
                nn.Conv2d(1, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(),
                nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.BatchNorm2d(c, affine=False)),
            )  # fmt: skip
            self.fc = nn.Linear(c, 4)
            self.bn_fc = nn.BatchNorm1d(4)
        self.to(dtype)


def _randomize_scales(rng, model):
    """Random scales (both signs, none zero) and shifts for every BatchNorm of ``model``."""
    with _no_grad():
        for m in model.modules():
            if _isinstance(m, nn.modules.batchnorm._BatchNorm) and m.weight is not None:
                n = m.weight.numel()
                signs = torch.tensor(rng.choice([-1.0, 1.0], size=n), dtype=m.weight.dtype)
                m.weight.copy_(_tensor(rng, (n,), m.weight.dtype, 1.5, low=0.05) * signs)
                m.bias.copy_(_tensor(rng, (n,), m.weight.dtype, 1.0))
    return model


def _penalty_cases(rng, hidden):
    """``(model, lam)`` pairs."""
    from minprune.torchkit.models import DigitsCNN

    with _fork_rng(devices=[]):
        cnn_model = DigitsCNN(tuple(int(n) for n in rng.integers(2, 9, size=2)))
    cases = [(_randomize_scales(rng, cnn_model), float(rng.uniform(1e-3, 0.5)))]
    if hidden:
        with _fork_rng(devices=[]):
            other = DigitsCNN(tuple(int(n) for n in rng.integers(2, 9, size=2))).double()
        cases += [
            (_randomize_scales(rng, _Nested(rng, torch.float32)), float(rng.uniform(1e-3, 0.5))),
            (_randomize_scales(rng, other), float(rng.uniform(1e-3, 0.5))),
            (_randomize_scales(rng, _Nested(rng, torch.float64)), 0.0),
            (_randomize_scales(rng, _deepcopy(cases[0][0])), int(rng.integers(1, 4))),
        ]
    return cases


def _scales(model):
    return [
        m.weight
        for m in model.modules()
        if _isinstance(m, nn.modules.batchnorm._BatchNorm) and m.weight is not None
    ]


def _penalty_hints(model, lam, value, what):
    """Why a penalty value is wrong: squares, shifts, signs, every parameter, no lam."""
    gammas = [_numpy(g) for g in _scales(model)]
    betas = [
        _numpy(m.bias)
        for m in model.modules()
        if _isinstance(m, nn.modules.batchnorm._BatchNorm) and m.bias is not None
    ]
    ref = sum(_absolute(g).sum() for g in gammas)

    def near(v):
        return abs(value - v) <= 1e-5 * (1 + abs(v))

    if near(lam * sum((g**2).sum() for g in gammas)) and not near(lam * ref):
        raise AssertionError(f"{what}: this squares gamma (L2); the penalty is lam * sum |gamma|")
    if near(lam * sum(g.sum() for g in gammas)) and not near(lam * ref):
        raise AssertionError(f"{what}: take |gamma|; negative scales must add, not cancel")
    if near(lam * (ref + sum(_absolute(b).sum() for b in betas))):
        raise AssertionError(
            f"{what}: only the scales gamma (bn.weight) are penalised, not the shifts beta (bn.bias)"
        )
    every = sum(_absolute(_numpy(p)).sum() for p in model.parameters())
    if near(lam * every):
        raise AssertionError(
            f"{what}: this penalises every parameter; only the scales of BatchNorm layers"
        )
    if lam not in (0, 1) and near(ref):
        raise AssertionError(f"{what}: multiply the sum by lam")
    if near(lam * sum(_absolute(g).mean() for g in gammas)) or near(
        lam * ref / sum(g.size for g in gammas)
    ):
        raise AssertionError(f"{what}: sum |gamma| over the channels, not the mean")
    kinds = {
        _type(m).__name__
        for m in model.modules()
        if _isinstance(m, nn.modules.batchnorm._BatchNorm)
    }
    raise AssertionError(
        f"{what}: the value is wrong; sum |gamma| over every BatchNorm layer of the model "
        f"({', '.join(sorted(kinds))}, at any depth; one without a scale has no gamma)"
    )


def check_slimming_penalty(slimming_penalty, hidden=False):
    """Check ``slimming_penalty(model, lam)``: ``lam * sum |gamma|``, a tensor autograd differentiates."""
    checks.expect_callable(slimming_penalty, "slimming_penalty")
    rng = checks.rng()
    for model, lam in _penalty_cases(rng, hidden):
        expected = float(cnn.slimming_penalty(model, lam).detach())
        n_bn = _len(_scales(model))
        what = f"slimming_penalty(model, {lam:.3g}) for a {_type(model).__name__} with {n_bn} BatchNorm scales"
        mine = _deepcopy(model)
        with _own_work(), _fork_rng(devices=[]):
            answer = slimming_penalty(mine, lam)
        if _type(answer) is not _Tensor and _type(answer) is not _Parameter:
            name = "None" if answer is None else f"a {_type(answer).__name__}"
            raise AssertionError(
                f"{what} returned {name}; expected a torch tensor (0-dimensional) that "
                "autograd can differentiate"
            )
        if answer.numel() != 1:
            raise AssertionError(
                f"{what} returned a tensor of shape {tuple(answer.shape)}; expected one number "
                "(a 0-dimensional tensor): sum over all scales"
            )
        value = float(_numpy(answer).reshape(()))
        if abs(value - expected) > 1e-5 * (1 + abs(expected)):
            _penalty_hints(model, lam, value, what)
        if lam == 0:
            continue
        if not answer.requires_grad:
            raise AssertionError(
                f"{what} returned a tensor without a gradient; build it from bn.weight with torch "
                "operations (no .item(), .detach(), numpy or float()) so that backward() reaches gamma"
            )
        for p in mine.parameters():
            p.grad = None
        answer.reshape(()).backward()
        for i, (g, ref) in enumerate(zip(_scales(mine), _scales(model))):
            grad = g.grad
            want = lam * np.sign(_numpy(ref))
            if grad is None or not _close(_numpy(grad), want, g.dtype):
                raise AssertionError(
                    f"{what}: the gradient of the penalty for BatchNorm scale {i} is not "
                    "lam * sign(gamma)"
                )
        scale_ids = {id(g) for g in _scales(mine)}
        for name, p in mine.named_parameters():
            if id(p) not in scale_ids and p.grad is not None and bool((p.grad != 0).any()):
                raise AssertionError(f"{what}: the penalty has a gradient for {name}; only gamma")
    checks.passed("slimming_penalty")
