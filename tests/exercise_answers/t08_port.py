"""Answers to exercise t08_port: its known mistakes and correct alternatives."""

import numpy as np
import torch
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}


def _dtype(net):
    return torch.float64 if net.dtype == np.float64 else torch.float32


def _port(net, weight=lambda W: torch.tensor(W.T), dtype=None, activations=True, bias=True):
    modules = []
    for layer in net.layers:
        linear = nn.Linear(layer.n_in, layer.n_out, dtype=dtype or _dtype(net))
        linear.weight = nn.Parameter(weight(layer.W))
        if bias:
            linear.bias = nn.Parameter(torch.tensor(layer.b))
        modules.append(linear)
        if activations and layer.activation != "identity":
            modules.append(ACTIVATIONS[layer.activation]())
    return nn.Sequential(*modules)


# ------------------------------------------------------------------ mistakes
def untransposed(net):
    return _port(net, weight=lambda W: torch.tensor(W))


def wrong_dtype(net):
    return _port(net).float()


def no_activations(net):
    return _port(net, activations=False)


def bias_not_copied(net):
    return _port(net, bias=False)


def shares_memory(net):
    return _port(net, weight=lambda W: torch.from_numpy(W.T))


# --------------------------------------------------------------- alternatives
def parameters_assigned(net):
    return _port(net, weight=lambda W: torch.from_numpy(W.T.copy()))


def built_in_float32_then_cast(net):
    modules = []
    for layer in net.layers:
        linear = nn.Linear(layer.n_in, layer.n_out)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(layer.W.T, dtype=torch.float32))
            linear.bias.copy_(torch.tensor(layer.b, dtype=torch.float32))
        linear = linear.to(_dtype(net))
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(layer.W.T))  # exact in float64 too
            linear.bias.copy_(torch.tensor(layer.b))
        modules.append(linear)
        if layer.activation != "identity":
            modules.append(ACTIVATIONS[layer.activation]())
    return nn.Sequential(*modules)


def identity_modules(net):
    names = {**ACTIVATIONS, "identity": nn.Identity}
    modules = []
    for layer in net.layers:
        linear = nn.utils.skip_init(nn.Linear, layer.n_in, layer.n_out, dtype=_dtype(net))
        with torch.no_grad():
            linear.weight.copy_(torch.as_tensor(layer.W).T)
            linear.bias.copy_(torch.as_tensor(layer.b))
        modules += [linear, names[layer.activation]()]
    return nn.Sequential(*modules).eval()


def functional_activations(net):
    """A module of its own computing the same with torch's functions."""

    class Ported(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList(
                nn.Linear(layer.n_in, layer.n_out, dtype=_dtype(net)) for layer in net.layers
            )
            self.acts = [layer.activation for layer in net.layers]
            with torch.no_grad():
                for linear, layer in zip(self.layers, net.layers, strict=True):
                    linear.weight.copy_(torch.tensor(layer.W.T))
                    linear.bias.copy_(torch.tensor(layer.b))

        def forward(self, x):
            for linear, act in zip(self.layers, self.acts, strict=True):
                x = linear(x)
                x = x if act == "identity" else getattr(torch, act)(x)
            return x

    return Ported()


MISTAKES = {
    "untransposed": untransposed,
    "wrong_dtype": wrong_dtype,
    "no_activations": no_activations,
    "bias_not_copied": bias_not_copied,
    "shares_memory": shares_memory,
}
ALTERNATIVES = {
    "parameters_assigned": parameters_assigned,
    "built_in_float32_then_cast": built_in_float32_then_cast,
    "identity_modules": identity_modules,
    "functional_activations": functional_activations,
}
