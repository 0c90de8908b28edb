"""minprune networks as torch modules and back, and minprune's threshold rule in torch.

A minprune ``Dense`` layer computes ``X @ W + b`` with ``W : (n_in, n_out)``;
``nn.Linear`` computes ``x @ weight.T + bias`` with ``weight : (out_features,
in_features)``. So ``weight = W.T``: the same numbers, transposed, and the two
networks compute the same function::

    model = to_torch(net)          # nn.Sequential(Linear, ReLU, ..., Linear)
    net2 = from_torch(model)       # a minprune Network again

A minprune mask sits beside ``W`` as ``Dense.mask``; ``torch.nn.utils.prune``
keeps it beside ``weight_orig`` as the buffer ``weight_mask`` and recomputes
``weight = weight_orig * weight_mask`` before every forward pass. ``to_torch``
carries masks over in that form, and ``ThresholdPruning`` is minprune's
``threshold_masks`` rule (keep ``|w| > threshold``) as a torch pruning method.
"""

import functools

import numpy as np
import torch
import torch.nn.utils.prune as prune
from torch import nn

from .._checks import check_choice, check_nonnegative
from ..layers import Dense
from ..losses import LOSSES
from ..network import Network

__all__ = [
    "ACTIVATION_MODULES",
    "to_torch",
    "from_torch",
    "ThresholdPruning",
    "threshold_unstructured",
]

#: minprune's activation names and the torch modules that compute them ("identity" has none).
ACTIVATION_MODULES = {
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "softmax": functools.partial(nn.Softmax, dim=-1),
}

_TORCH_DTYPES = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}
_NUMPY_DTYPES = {v: k for k, v in _TORCH_DTYPES.items()}


def _tensor(array):
    """A torch tensor holding a copy of ``array`` (never sharing its memory)."""
    return torch.from_numpy(np.array(array, copy=True, order="C"))


def to_torch(net):
    """The ``nn.Sequential`` that computes what ``net`` computes.

    Each ``Dense`` layer becomes an ``nn.Linear`` with ``weight = W.T`` and
    ``bias = b`` in the network's dtype, followed by its activation module
    (none for ``'identity'``). Masks come along: where a layer has pruned
    weights (or biases), the ``Linear`` is pruned with
    ``torch.nn.utils.prune.custom_from_mask``, so its ``weight_mask`` is
    ``mask.T`` and the pruned weights stay zero through torch training too.
    The tensors are copies: training the model leaves ``net`` unchanged.

    Parameters
    ----------
    net : minprune.Network

    Returns
    -------
    model : nn.Sequential, in eval mode
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a minprune.Network, got {type(net).__name__}")
    modules = []
    for layer in net.layers:
        dtype = _TORCH_DTYPES[np.dtype(layer.W.dtype)]
        # skip_init: no random initialisation, so the global torch RNG is left alone
        linear = nn.utils.skip_init(nn.Linear, layer.n_in, layer.n_out, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(_tensor(layer.W.T))
            linear.bias.copy_(_tensor(layer.b))
        if (layer.mask == 0).any():
            prune.custom_from_mask(linear, "weight", _tensor(layer.mask.T))
        if (layer.b_mask == 0).any():
            prune.custom_from_mask(linear, "bias", _tensor(layer.b_mask))
        modules.append(linear)
        if layer.activation != "identity":
            modules.append(ACTIVATION_MODULES[layer.activation]())
    return nn.Sequential(*modules).eval()


def _read(module, name):
    """``(value, mask)`` of parameter ``name``: ``name_orig * name_mask`` and the mask when
    ``torch.nn.utils.prune`` manages it, else the plain parameter and ``None``."""
    if hasattr(module, name + "_mask") and hasattr(module, name + "_orig"):
        mask = getattr(module, name + "_mask").detach()
        value = getattr(module, name + "_orig").detach() * mask
        return value, mask
    param = getattr(module, name)
    return (None, None) if param is None else (param.detach(), None)


def _numpy(tensor, what):
    if tensor.dtype not in _NUMPY_DTYPES:
        raise ValueError(f"{what} has dtype {tensor.dtype}; minprune needs float32 or float64")
    return tensor.cpu().numpy().copy()


def _activation_name(module):
    """minprune's name for an activation module, or None if it is not one."""
    if isinstance(module, nn.Softmax):
        if module.dim not in (-1, 1):
            raise ValueError(
                f"nn.Softmax(dim={module.dim}) normalises across the batch or another axis; "
                "minprune's softmax normalises each sample's outputs (dim=-1 or dim=1)"
            )
        return "softmax"
    for name, cls in ACTIVATION_MODULES.items():
        if isinstance(cls, type) and type(module) is cls:
            return name
    return None


def _dense(linear, activation, index):
    """A ``Dense`` layer from an ``nn.Linear`` and an activation name."""
    weight, w_mask = _read(linear, "weight")
    bias, b_mask = _read(linear, "bias")
    W = _numpy(weight, f"model[{index}].weight").T
    mask = None if w_mask is None else _numpy(w_mask, f"model[{index}].weight_mask").T
    if bias is None:
        # a Linear without bias is a layer whose biases are all pruned: 0 and staying 0
        b = np.zeros(W.shape[1], dtype=W.dtype)
        b_mask_np = np.zeros_like(b)
    else:
        b = _numpy(bias, f"model[{index}].bias")
        b_mask_np = None if b_mask is None else _numpy(b_mask, f"model[{index}].bias_mask")
    return Dense(W, b, activation, mask, b_mask_np)


def from_torch(model, loss=None):
    """The minprune ``Network`` that computes what the ``nn.Sequential`` ``model`` computes.

    ``model`` holds ``nn.Linear`` layers, each followed by at most one of
    ``nn.ReLU``, ``nn.Sigmoid``, ``nn.Tanh``, ``nn.Softmax(dim=-1)``
    (``nn.Identity`` is skipped). ``W = weight.T``. A weight pruned with
    ``torch.nn.utils.prune`` is read as ``weight_orig * weight_mask`` and its
    mask becomes ``Dense.mask``; a plain weight gets a mask of ones, even where
    it holds zeros (after ``prune.remove`` torch keeps no record of what was
    pruned either). A ``Linear`` without bias gets ``b = 0`` with its bias pruned.

    Parameters
    ----------
    model : nn.Sequential
    loss : ``'cross_entropy'``, ``'mse'`` or None
        None picks ``'cross_entropy'`` when the last layer has no activation
        (logits), ``'mse'`` otherwise.

    Returns
    -------
    net : minprune.Network, with copies of the weights
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError(
            f"model must be an nn.Sequential of Linear layers and activations, "
            f"got {type(model).__name__}"
        )
    if loss is not None:
        check_choice(loss, "loss", LOSSES)
    found = []  # [linear, activation, index]
    after_linear = False  # the previous module (nn.Identity skipped) was a Linear
    for index, module in enumerate(model):
        if isinstance(module, nn.Identity):
            continue
        if isinstance(module, nn.Linear):
            found.append([module, "identity", index])
            after_linear = True
            continue
        activation = _activation_name(module)
        if activation is None:
            raise ValueError(
                f"model[{index}] is a {type(module).__name__}; from_torch reads nn.Linear layers "
                "and the activations nn.ReLU, nn.Sigmoid, nn.Tanh and nn.Softmax(dim=-1)"
            )
        if not after_linear:
            raise ValueError(
                f"model[{index}] is a {type(module).__name__} that does not directly follow an "
                "nn.Linear; minprune has one activation per layer, after its Linear"
            )
        found[-1][1] = activation
        after_linear = False
    if not found:
        raise ValueError("model holds no nn.Linear layer")
    dtypes = {_read(linear, "weight")[0].dtype for linear, _, _ in found}
    if len(dtypes) > 1:
        raise ValueError(
            f"model mixes dtypes {sorted(str(d) for d in dtypes)}; convert it to one "
            "(model.float() or model.double())"
        )
    layers = [_dense(linear, activation, index) for linear, activation, index in found]
    if loss is None:
        loss = "cross_entropy" if layers[-1].activation == "identity" else "mse"
    return Network.from_layers(layers, loss)


class ThresholdPruning(prune.BasePruningMethod):
    """Keep the entries with ``|w| > threshold``: minprune's ``threshold_masks`` rule.

    A weight whose magnitude equals the threshold is pruned, and the comparison
    is made in the tensor's dtype (a float32 weight equal to ``float32(t)`` is
    pruned), as minprune does. Entries already pruned (``default_mask`` 0) stay
    pruned.

    Parameters
    ----------
    threshold : float >= 0
    """

    PRUNING_TYPE = "unstructured"

    def __init__(self, threshold):
        self.threshold = check_nonnegative(threshold, "threshold")

    def compute_mask(self, t, default_mask):
        """``default_mask * (|t| > threshold)``, in ``default_mask``'s dtype."""
        return default_mask * (t.abs() > self.threshold).to(default_mask.dtype)


def threshold_unstructured(module, name, threshold, importance_scores=None):
    """Prune ``module.name`` by keeping ``|w| > threshold``, as ``prune.l1_unstructured`` does
    by an amount: adds ``name_orig``, ``name_mask`` and the forward pre-hook.

    Parameters
    ----------
    module : nn.Module
    name : str, the parameter to prune (``"weight"``, ``"bias"``)
    threshold : float >= 0
    importance_scores : tensor of the parameter's shape, optional
        Compared with the threshold instead of the parameter itself.

    Returns
    -------
    module : the same module, pruned in place
    """
    ThresholdPruning.apply(module, name, threshold=threshold, importance_scores=importance_scores)
    return module
