"""Plain data across a process boundary: a JSON skeleton beside an ``.npz`` of arrays.

``dump(value, folder, name)`` writes ``name.json`` and ``name.npz``; ``load(folder,
name)`` reads them back. Nothing is ever unpickled: the arrays are read with
``allow_pickle=False`` and everything else is JSON. What crosses:

- ``None``, ``bool``, ``int``, ``float`` (``nan`` and ``inf`` included), ``str``;
- NumPy arrays and scalars of bool, integer and float dtypes;
- lists, tuples and dicts (keys: strings or integers) of plain data;
- a ``minprune.Network`` (its weights, biases, masks and activations);
- torch tensors (as arrays, dtype kept);
- torch modules of the kinds in ``MODULES``, rebuilt on the reading side from their
  configuration and ``state_dict``: the reader builds the architecture itself.

Anything else raises ``TypeError`` naming it: a grader never runs code that a
submission sent it.
"""

import json
import math
from pathlib import Path

import numpy as np

_NUMERIC = "biuf"


class _Writer:
    def __init__(self):
        self.arrays = {}

    def array(self, value):
        key = f"a{len(self.arrays)}"
        self.arrays[key] = value
        return key

    def encode(self, value):
        kind = type(value)
        if value is None:
            return {"t": "none"}
        if kind is bool:
            return {"t": "bool", "v": value}
        if kind is int:
            return {"t": "int", "v": str(value)}
        if kind is float:
            return {"t": "float", "v": repr(value)}
        if kind is str:
            return {"t": "str", "v": value}
        if kind in (list, tuple):
            return {"t": kind.__name__, "v": [self.encode(v) for v in value]}
        if kind is dict:
            for key in value:
                if type(key) not in (str, int):
                    raise TypeError(f"a dict key of type {type(key).__name__} cannot cross")
            return {"t": "dict", "v": [[self.encode(k), self.encode(v)] for k, v in value.items()]}
        if kind is np.ndarray or (isinstance(value, np.generic) and kind.__module__ == "numpy"):
            array = np.asarray(value)
            if array.dtype.kind not in _NUMERIC:
                raise TypeError(f"an array of dtype {array.dtype} cannot cross; expected numbers")
            tag = "array" if kind is np.ndarray else "scalar"
            return {"t": tag, "k": self.array(np.array(array))}
        if _is_network(value):
            layers = [
                {
                    "W": self.array(layer.W),
                    "b": self.array(layer.b),
                    "mask": self.array(layer.mask),
                    "b_mask": self.array(layer.b_mask),
                    "activation": str(layer.activation),
                }
                for layer in value.layers
            ]
            return {"t": "network", "layers": layers, "loss": str(value.loss_name)}
        module = kind.__module__.split(".")[0]
        if module == "torch":
            import torch

            if kind is torch.Tensor or kind is torch.nn.Parameter:
                array = value.detach().cpu().numpy()
                return {"t": "tensor", "k": self.array(array), "param": kind is torch.nn.Parameter}
            if isinstance(value, torch.nn.Module):
                return self._module(value)
        if isinstance(value, _torch_module_type()):
            return self._module(value)
        raise TypeError(
            f"a {kind.__module__}.{kind.__qualname__} cannot cross the process boundary; "
            "expected plain data (numbers, strings, arrays, tensors, lists and dicts of "
            "them, a minprune.Network, a torch module of a known kind)"
        )

    def _module(self, value):
        name = type(value).__name__
        spec = MODULES.get(name)
        if spec is None or type(value) is not spec[0]():
            raise TypeError(
                f"a torch module of type {type(value).__qualname__} cannot cross; "
                f"expected one of {sorted(MODULES)}"
            )
        config = spec[1](value)
        state = {k: v for k, v in value.state_dict().items()}
        children = {}
        if name == "Sequential":
            children = {str(i): self._module(child) for i, child in enumerate(value)}
            state = {}
        return {
            "t": "module",
            "type": name,
            "config": self.encode(config),
            "state": self.encode(state),
            "children": children,
            "training": value.training,
        }


def _torch_module_type():
    import sys

    torch = sys.modules.get("torch")
    return torch.nn.Module if torch is not None else ()


def _is_network(value):
    import minprune

    return type(value) is minprune.Network


class _Reader:
    def __init__(self, arrays):
        self.arrays = arrays

    def array(self, key):
        if key not in self.arrays.files:
            raise ValueError(f"array {key!r} is missing from the data")
        return self.arrays[key]

    def decode(self, node):
        tag = node["t"]
        if tag == "none":
            return None
        if tag == "bool":
            return bool(node["v"])
        if tag == "int":
            return int(node["v"])
        if tag == "float":
            return float(node["v"]) if node["v"] not in ("nan", "inf", "-inf") else _special(node)
        if tag == "str":
            return str(node["v"])
        if tag in ("list", "tuple"):
            items = [self.decode(v) for v in node["v"]]
            return items if tag == "list" else tuple(items)
        if tag == "dict":
            return {self.decode(k): self.decode(v) for k, v in node["v"]}
        if tag == "array":
            return np.array(self.array(node["k"]))
        if tag == "scalar":
            return self.array(node["k"])[()]
        if tag == "network":
            import minprune
            from minprune.layers import Dense

            layers = [
                Dense(
                    self.array(d["W"]),
                    self.array(d["b"]),
                    str(d["activation"]),
                    self.array(d["mask"]),
                    self.array(d["b_mask"]),
                )
                for d in node["layers"]
            ]
            net = minprune.Network.from_layers(layers, str(node["loss"]))
            for layer, d in zip(net.layers, node["layers"], strict=True):
                layer.W[...], layer.b[...] = self.array(d["W"]), self.array(d["b"])  # bit for bit
            return net
        if tag == "tensor":
            import torch

            tensor = torch.from_numpy(np.array(self.array(node["k"])))
            return torch.nn.Parameter(tensor) if node.get("param") else tensor
        if tag == "module":
            return self._module(node)
        raise ValueError(f"unknown kind of data {tag!r}")

    def _module(self, node):
        spec = MODULES.get(node["type"])
        if spec is None:
            raise ValueError(f"unknown module type {node['type']!r}")
        config = self.decode(node["config"])
        if node["type"] == "Sequential":
            module = spec[0]()(
                *[self._module(node["children"][k]) for k in sorted(node["children"], key=int)]
            )
        else:
            module = spec[2](config)
            state = self.decode(node["state"])
            module.load_state_dict(state, strict=True)
        module.train(bool(node["training"]))
        return module


def _special(node):
    return math.nan if node["v"] == "nan" else (math.inf if node["v"] == "inf" else -math.inf)


def dump(value, folder, name):
    """Write ``value`` as ``folder/name.json`` and ``folder/name.npz``."""
    writer = _Writer()
    skeleton = writer.encode(value)
    folder = Path(folder)
    np.savez(folder / f"{name}.npz", **writer.arrays)
    (folder / f"{name}.json").write_text(json.dumps(skeleton), encoding="utf-8")


def load(folder, name):
    """Read back what ``dump`` wrote (never unpickling anything)."""
    folder = Path(folder)
    skeleton = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    with np.load(folder / f"{name}.npz", allow_pickle=False) as arrays:
        return _Reader(arrays).decode(skeleton)


# ------------------------------------------------------------ torch modules
def _nn(name):
    def get():
        import torch

        return getattr(torch.nn, name)

    return get


def _tk(module, name):
    def get():
        import importlib

        return getattr(importlib.import_module(f"minprune.torchkit.{module}"), name)

    return get


def _build(get, keys):
    def build(config):
        return get()(**{k: config[k] for k in keys if k in config})

    return build


def _conv_config(m):
    return {
        "in_channels": m.in_channels,
        "out_channels": m.out_channels,
        "kernel_size": list(m.kernel_size),
        "stride": list(m.stride),
        "padding": list(m.padding) if not isinstance(m.padding, str) else m.padding,
        "dilation": list(m.dilation),
        "groups": m.groups,
        "bias": m.bias is not None,
    }


def _bn_config(m):
    return {
        "num_features": m.num_features,
        "eps": m.eps,
        "momentum": m.momentum,
        "affine": m.affine,
        "track_running_stats": m.track_running_stats,
    }


def _linear_config(m):
    return {
        "in_features": m.in_features,
        "out_features": m.out_features,
        "bias": m.bias is not None,
    }


def _rnn_config(m):
    return {
        "input_size": m.input_size,
        "hidden_size": m.hidden_size,
        "num_layers": m.num_layers,
        "bias": m.bias,
        "batch_first": m.batch_first,
    }


def _digits_cnn_config(m):
    return {
        "channels": [m.conv1.out_channels, m.conv2.out_channels],
        "num_classes": m.fc.out_features,
    }


def _digits_rnn_config(m):
    return {
        "cell": m.cell,
        "hidden": m.rnn.hidden_size,
        "num_classes": m.fc.out_features,
        "input_size": m.rnn.input_size,
    }


def _conv_build(config):
    import torch

    config = dict(config)
    for key in ("kernel_size", "stride", "dilation"):
        config[key] = tuple(config[key])
    if isinstance(config["padding"], list):
        config["padding"] = tuple(config["padding"])
    return torch.nn.Conv2d(**config)


_RNN_KEYS = ("input_size", "hidden_size", "num_layers", "bias", "batch_first")
_BN_KEYS = ("num_features", "eps", "momentum", "affine", "track_running_stats")

#: Module kinds that may cross: ``name: (class getter, config of a module, build from config)``.
MODULES = {
    "Conv2d": (_nn("Conv2d"), _conv_config, _conv_build),
    "BatchNorm2d": (_nn("BatchNorm2d"), _bn_config, _build(_nn("BatchNorm2d"), _BN_KEYS)),
    "Linear": (
        _nn("Linear"),
        _linear_config,
        _build(_nn("Linear"), ("in_features", "out_features", "bias")),
    ),
    "LSTM": (_nn("LSTM"), _rnn_config, _build(_nn("LSTM"), _RNN_KEYS)),
    "GRU": (_nn("GRU"), _rnn_config, _build(_nn("GRU"), _RNN_KEYS)),
    "Sequential": (_nn("Sequential"), lambda m: {}, None),
    "DigitsCNN": (
        _tk("models", "DigitsCNN"),
        _digits_cnn_config,
        lambda c: _tk("models", "DigitsCNN")()(tuple(c["channels"]), c["num_classes"]),
    ),
    "DigitsRNN": (
        _tk("rnn", "DigitsRNN"),
        _digits_rnn_config,
        lambda c: _tk("rnn", "DigitsRNN")()(
            c["cell"], c["hidden"], c["num_classes"], c["input_size"]
        ),
    ),
}
