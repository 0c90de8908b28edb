"""Tests of minprune.torchkit.gpt: the tiny GPT, its text split, training and bits per character."""

import math

import pytest
import torch
from torch.nn import functional as F

from minprune.torchkit.gpt import (
    TinyGPT,
    batches,
    bits_per_char,
    load_text,
    load_text_split,
    train,
    unigram_bits,
)


@pytest.fixture(scope="module")
def split():
    return load_text_split(seed=0)


def small(vocab, seed=0, **kwargs):
    torch.manual_seed(seed)
    sizes = dict(d_model=16, n_heads=2, n_layers=1, d_ff=32, context=16) | kwargs
    return TinyGPT(vocab, **sizes)


def test_split_is_disjoint_contiguous_and_covers_the_text(split):
    """The three splits are whole contiguous blocks of the text, none shared, none lost
    but the short tail."""
    text = load_text()
    block = split.train.shape[1]
    blocks = {split.decode(row) for part in (split.train, split.val, split.test) for row in part}
    n_blocks = len(text) // block
    assert len(blocks) == n_blocks == len(split.train) + len(split.val) + len(split.test)
    assert blocks == {text[i * block : (i + 1) * block] for i in range(n_blocks)}
    assert (len(split.train), len(split.val), len(split.test)) == (362, 45, 46)


def test_split_is_seeded(split):
    """The same seed deals the same blocks; another seed deals others."""
    again, other = load_text_split(seed=0), load_text_split(seed=1)
    assert torch.equal(again.val, split.val) and torch.equal(again.train, split.train)
    assert not torch.equal(other.val, split.val)


def test_encode_decode_round_trip(split):
    """Every character of the text has an id, and decoding the ids gives the text back."""
    text = load_text()[:5000]
    assert split.decode(split.encode(text)) == text
    assert len(split.vocab) == len(set(load_text()))


def test_batches_are_next_character_pairs_from_one_block(split):
    """``y`` is ``x`` shifted by one, both read from the same block."""
    x, y = batches(split.train, 8, 16, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (8, 16)
    assert torch.equal(x[:, 1:], y[:, :-1])
    rows = {split.decode(r) for r in split.train}
    for xi, yi in zip(x, y, strict=True):
        window = split.decode(torch.cat([xi, yi[-1:]]))
        assert any(window in row for row in rows)


def test_model_is_causal():
    """Changing a later token changes no logit of an earlier position."""
    model = small(10).eval()
    x = torch.randint(10, (2, 12), generator=torch.Generator().manual_seed(0))
    x2 = x.clone()
    x2[:, 7] = (x2[:, 7] + 1) % 10
    a, b = model(x), model(x2)
    assert torch.equal(a[:, :7], b[:, :7])
    assert not torch.allclose(a[:, 7:], b[:, 7:])


def test_default_model_size(split):
    """The default model has a few hundred thousand parameters, one nn.Linear per map."""
    model = TinyGPT(len(split.vocab))
    n = sum(p.numel() for p in model.parameters())
    assert 150_000 < n < 400_000
    assert tuple(model.blocks[0].attn.q.weight.shape) == (96, 96)
    assert tuple(model.blocks[0].mlp.fc1.weight.shape) == (384, 96)


def test_training_lowers_the_loss_and_is_seeded(split):
    """A few steps lower the loss, and the same seeds give the same losses."""
    losses = train(small(len(split.vocab)), split, steps=25, batch_size=8, seed=3)
    again = train(small(len(split.vocab)), split, steps=25, batch_size=8, seed=3)
    assert losses == again
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.3


def test_bits_per_char_is_the_mean_cross_entropy_of_every_next_character(split):
    """Direct reference: each character after a block's first, predicted once from the
    start of its window, averaged in bits."""
    model = small(len(split.vocab), context=8).eval()
    data = split.val[:3, :21]
    total, count = 0.0, 0
    with torch.no_grad():
        for row in data:
            for t in range(1, 21):
                start = (t - 1) // 8 * 8
                logits = model(row[None, start:t])[0, -1]
                total -= float(F.log_softmax(logits, dim=-1)[row[t]])
                count += 1
    assert count == 60
    assert bits_per_char(model, data) == pytest.approx(total / count / math.log(2), rel=1e-5)


def test_unigram_baseline_is_about_the_entropy_of_english_text(split):
    """The context-free baseline, which a trained model must beat, is between 4 and 5.5 bits."""
    assert 4.0 < unigram_bits(split) < 5.5


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_heads": 3}, "n_heads=3 must divide d_model=16"),
        ({"d_ff": 0}, "d_ff=0 must be an int >= 1"),
        ({"context": 2.0}, "context=2.0 must be an int"),
    ],
)
def test_bad_model_sizes_are_named(kwargs, match):
    """A bad size names its argument."""
    with pytest.raises(ValueError, match=match):
        small(5, **kwargs)


def test_errors_name_their_argument(split):
    """Inputs longer than the context, bad splits and bad data say which argument is wrong."""
    model = small(5, context=4)
    with pytest.raises(ValueError, match="idx must be"):
        model(torch.zeros(1, 5, dtype=torch.long))
    with pytest.raises(ValueError, match="fractions="):
        load_text_split(fractions=(0.5, 0.5, 0.5))
    with pytest.raises(ValueError, match="block="):
        load_text_split(block=1)
    with pytest.raises(ValueError, match="data must be"):
        batches(split.train[:, :4], 2, 8, torch.Generator())
    with pytest.raises(ValueError, match="steps=0"):
        train(model, split, steps=0)
