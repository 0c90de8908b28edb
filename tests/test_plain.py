"""``minprune_course.plain``: what crosses between a submission's kernel and the grader."""

import math

import numpy as np
import pytest
import torch

import minprune as mp
from minprune.torchkit import DigitsCNN
from minprune.torchkit.rnn import DigitsRNN
from minprune_course import checks, plain


def round_trip(value, tmp_path):
    plain.dump(value, tmp_path, "x")
    return plain.load(tmp_path, "x")


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        2**80,
        0.1,
        -0.0,
        "text",
        np.arange(6, dtype=np.int16).reshape(2, 3),
        np.array([1.5, np.nan, -np.inf], dtype=np.float32),
        np.zeros((0, 3)),
        np.array([True, False]),
        np.float32(0.25),
        np.int64(7),
        [1, (2.0, "a"), {"k": np.ones(2), 3: [None]}],
    ],
    ids=repr,
)
def test_plain_values_cross_unchanged_bit_for_bit(value, tmp_path):
    back = round_trip(value, tmp_path)
    assert checks.same(back, value)
    assert type(back) is type(value)


def test_special_floats_cross(tmp_path):
    back = round_trip([math.nan, math.inf, -math.inf], tmp_path)
    assert math.isnan(back[0]) and back[1:] == [math.inf, -math.inf]


def test_a_network_crosses_with_its_masks(tmp_path):
    net = mp.Network([4, 3, 2], dtype="float32", rng=0)
    net.layers[0].mask[0] = 0
    net.layers[0].W *= net.layers[0].mask  # a masked weight is zero, as Dense keeps it
    back = round_trip(net, tmp_path)
    assert type(back) is mp.Network
    for a, b in zip(net.layers, back.layers, strict=True):
        assert checks.same([a.W, a.b, a.mask, a.b_mask], [b.W, b.b, b.mask, b.b_mask])
        assert a.activation == b.activation


def test_tensors_and_known_modules_cross_rebuilt_from_their_configuration(tmp_path):
    torch.manual_seed(0)
    cnn, rnn = DigitsCNN((5, 7)).eval(), DigitsRNN("gru", hidden=6)
    seq = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3, padding=1), torch.nn.BatchNorm2d(3))
    t = torch.arange(4, dtype=torch.float64)
    back = round_trip({"cnn": cnn, "rnn": rnn, "seq": seq, "t": t}, tmp_path)
    assert back["t"].dtype == torch.float64 and torch.equal(back["t"], t)
    x = torch.randn(2, 1, 8, 8)
    assert torch.equal(back["cnn"](x), cnn(x)) and not back["cnn"].training
    assert back["rnn"].cell == "gru" and torch.equal(back["rnn"](x[:, 0]), rnn(x[:, 0]))
    assert torch.equal(back["seq"](x), seq(x))


class Lying(np.ndarray):
    def __eq__(self, other):
        return True


class Anything:
    pass


@pytest.mark.parametrize(
    ("value", "named"),
    [
        (np.zeros(2).view(Lying), "Lying"),
        (Anything(), "Anything"),
        (np.array(["a"]), "dtype <U1"),
        (np.array([object()]), "dtype object"),
        ({(1, 2): 3}, "dict key of type tuple"),
        (torch.nn.ReLU6(), "ReLU6"),
        (lambda x: x, "function"),
    ],
)
def test_anything_else_is_refused_by_name(value, named, tmp_path):
    """Objects that could run code or lie on the reading side never cross."""
    with pytest.raises(TypeError, match=named):
        plain.dump(value, tmp_path, "x")


def test_loading_never_unpickles(tmp_path):
    """An ``.npz`` holding a pickled object array is refused."""
    plain.dump(np.ones(2), tmp_path, "x")
    np.savez(tmp_path / "x.npz", a0=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="allow_pickle"):
        plain.load(tmp_path, "x")
