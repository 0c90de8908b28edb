"""A tiny character-level GPT, written out, and the text it learns: Python's own help pages.

The model is a decoder-only transformer (Radford et al. 2018; Vaswani et al. 2017)
small enough to train on two CPU cores in about twenty seconds::

    split = load_text_split(seed=0)                    # pydoc_data.topics, as characters
    torch.manual_seed(0)
    model = TinyGPT(len(split.vocab))                  # about 250,000 parameters
    losses = train(model, split, steps=300)
    bits_per_char(model, split.val)                    # well below the unigram's ~4.7 bits

Every linear map is its own ``nn.Linear`` of shape ``(out, in)``: the query, key,
value and output projections of the attention and the two layers of the MLP. So
post-training pruning (``torchkit.posttraining``) treats each like any other
weight, and removing a head or an MLP unit is slicing rows and columns.

The text is ``pydoc_data.topics``, the help pages of ``help('topics')`` that ship
with Python (about 465,000 characters, 103 distinct ones): nothing is downloaded.
"""

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

__all__ = [
    "TinyGPT",
    "TextSplit",
    "load_text",
    "load_text_split",
    "batches",
    "train",
    "bits_per_char",
    "unigram_bits",
]


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}={value!r} must be an int >= 1")
    return value


class Attention(nn.Module):
    """Causal multi-head self-attention with separate ``q``, ``k``, ``v`` and ``out`` maps.

    Head ``h`` owns rows ``h * d_head : (h + 1) * d_head`` of ``q``, ``k`` and ``v``
    (weights and biases) and the same columns of ``out``. Input and output
    ``(batch, T, d_model)``.
    """

    def __init__(self, d_model, n_heads, d_head):
        super().__init__()
        self.n_heads, self.d_head = n_heads, d_head
        self.q = nn.Linear(d_model, n_heads * d_head)
        self.k = nn.Linear(d_model, n_heads * d_head)
        self.v = nn.Linear(d_model, n_heads * d_head)
        self.out = nn.Linear(n_heads * d_head, d_model)

    def heads(self, x):
        """The heads' outputs before ``out``: ``(batch, n_heads, T, d_head)``."""
        n, T, _ = x.shape

        def split(t):  # (n, T, H * d) -> (n, H, T, d)
            return t.view(n, T, self.n_heads, self.d_head).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_head)  # (n, H, T, T)
        future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
        return scores.masked_fill(future, float("-inf")).softmax(dim=-1) @ v

    def forward(self, x):
        z = self.heads(x)
        n, _, T, _ = z.shape
        return self.out(z.transpose(1, 2).reshape(n, T, self.n_heads * self.d_head))


class MLP(nn.Module):
    """``fc2(GELU(fc1(x)))``; hidden unit ``j`` is row ``j`` of ``fc1`` and column ``j`` of ``fc2``."""

    def __init__(self, d_model, d_ff):
        super().__init__()
        self.fc1 = nn.Linear(d_model, d_ff)
        self.fc2 = nn.Linear(d_ff, d_model)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    """A pre-norm transformer block: ``x + attn(ln1(x))``, then ``x + mlp(ln2(x))``."""

    def __init__(self, d_model, n_heads, d_head, d_ff):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = Attention(d_model, n_heads, d_head)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = MLP(d_model, d_ff)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    """A decoder-only transformer over characters.

    Token and position embeddings, ``n_layers`` pre-norm blocks of causal multi-head
    self-attention and an MLP (``fc1``, GELU, ``fc2``), a final LayerNorm and a linear
    head. Input ``(batch, T)`` token ids with ``T <= context``; output logits
    ``(batch, T, vocab)``, position ``t`` predicting token ``t + 1``.

    Parameters
    ----------
    vocab : int >= 1, the number of distinct characters
    d_model : int >= 1, the width of the residual stream
    n_heads : int >= 1, dividing ``d_model``; each head has ``d_model // n_heads`` dimensions
    n_layers : int >= 1, the number of blocks
    d_ff : int >= 1, the MLP's hidden units
    context : int >= 1, the longest input
    """

    def __init__(self, vocab, d_model=96, n_heads=4, n_layers=2, d_ff=384, context=64):
        super().__init__()
        for name, value in (("vocab", vocab), ("d_model", d_model), ("n_heads", n_heads),
                            ("n_layers", n_layers), ("d_ff", d_ff), ("context", context)):  # fmt: skip
            _positive_int(value, name)
        if d_model % n_heads:
            raise ValueError(f"n_heads={n_heads} must divide d_model={d_model}")
        self.context = context
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Embedding(context, d_model)
        self.blocks = nn.ModuleList(
            Block(d_model, n_heads, d_model // n_heads, d_ff) for _ in range(n_layers)
        )
        self.ln = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab)

    def forward(self, idx):
        if idx.ndim != 2 or idx.shape[1] > self.context:
            raise ValueError(
                f"idx must be (batch, T) token ids with T <= context={self.context}, "
                f"got shape {tuple(idx.shape)}"
            )
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1], device=idx.device))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln(x))


# ------------------------------------------------------------------ data
@dataclass
class TextSplit:
    """Encoded text in contiguous blocks: ``train``, ``val``, ``test`` are ``(n_blocks, block)``
    int64 tensors of character ids; ``vocab`` is the string of characters, id = position."""

    train: torch.Tensor
    val: torch.Tensor
    test: torch.Tensor
    vocab: str

    def decode(self, ids):
        """The text of a sequence of ids."""
        return "".join(self.vocab[int(i)] for i in ids)

    def encode(self, text):
        """The ids of ``text`` (every character must be in ``vocab``)."""
        index = {c: i for i, c in enumerate(self.vocab)}
        return torch.tensor([index[c] for c in text], dtype=torch.int64)


def load_text():
    """The help pages of ``pydoc_data.topics``, sorted by topic and joined by newlines."""
    from pydoc_data.topics import topics

    return "\n".join(topics[key] for key in sorted(topics))


def load_text_split(seed=0, block=1025, fractions=(0.8, 0.1, 0.1)):
    """The text cut into contiguous blocks, dealt at random into train, validation and test.

    Parameters
    ----------
    seed : int, seeds the deal (a ``numpy.random.Generator``)
    block : int >= 2, characters per block; the tail shorter than a block is dropped.
        Each block of the validation or test split is read as one sequence, so no
        window ever crosses from one split into another.
    fractions : three floats summing to 1, the shares of the blocks in each split

    Returns
    -------
    TextSplit
    """
    import numpy as np

    _positive_int(block, "block")
    if block < 2:
        raise ValueError(f"block={block!r} must be >= 2 (an input and its next character)")
    fractions = tuple(float(f) for f in fractions)
    if len(fractions) != 3 or min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(f"fractions={fractions!r} must be three positive shares summing to 1")
    text = load_text()
    vocab = "".join(sorted(set(text)))
    index = {c: i for i, c in enumerate(vocab)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.int64)
    n_blocks = len(ids) // block
    blocks = ids[: n_blocks * block].reshape(n_blocks, block)
    order = torch.as_tensor(np.random.default_rng(seed).permutation(n_blocks))
    n_train = round(fractions[0] * n_blocks)
    n_val = round(fractions[1] * n_blocks)
    parts = order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]
    return TextSplit(*(blocks[torch.sort(p).values] for p in parts), vocab=vocab)


def unigram_bits(split):
    """Bits per character of the best context-free guess: the training characters'
    frequencies, scored on the validation split (the line a language model must beat)."""
    counts = torch.bincount(split.train.reshape(-1), minlength=len(split.vocab)).double() + 1
    logp = torch.log2(counts / counts.sum())
    return float(-logp[split.val.reshape(-1)].mean())


def batches(data, batch_size, context, generator):
    """One random batch of windows from ``data : (n_blocks, block)``.

    Returns
    -------
    x, y : (batch_size, context) int64 tensors; ``y`` is ``x`` shifted by one character
    """
    if data.ndim != 2 or data.shape[1] < context + 1:
        raise ValueError(
            f"data must be (n_blocks, block) with block >= context + 1 = {context + 1}, "
            f"got shape {tuple(data.shape)}"
        )
    rows = torch.randint(data.shape[0], (batch_size,), generator=generator)
    starts = torch.randint(data.shape[1] - context, (batch_size,), generator=generator)
    offsets = starts[:, None] + torch.arange(context + 1)
    windows = data[rows[:, None], offsets]
    return windows[:, :-1], windows[:, 1:]


def train(model, split, steps=300, batch_size=32, lr=1e-2, weight_decay=0.01, seed=0):
    """Train ``model`` in place with AdamW on next-character cross-entropy; return the losses.

    The learning rate decays from ``lr`` to 0 along a cosine. ``seed`` seeds the
    batches; initialise the model under ``torch.manual_seed`` too, and the run is
    the same every time on one machine.

    Parameters
    ----------
    model : TinyGPT
    split : TextSplit (its ``train`` blocks are used)
    steps : int >= 1, optimiser steps of ``batch_size`` windows of ``model.context``

    Returns
    -------
    list of float, the training loss (nats per character) of every step
    """
    _positive_int(steps, "steps")
    _positive_int(batch_size, "batch_size")
    generator = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda t: 0.5 * (1 + math.cos(math.pi * t / steps))
    )
    model.train()
    losses = []
    for _ in range(steps):
        x, y = batches(split.train, batch_size, model.context, generator)
        loss = F.cross_entropy(model(x).flatten(0, 1), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.step()
        losses.append(loss.item())
    model.eval()
    return losses


def bits_per_char(model, data, batch_size=64):
    """Mean bits per predicted character over every block of ``data : (n_blocks, block)``.

    Each block is read in consecutive windows of ``model.context`` characters, each
    predicting the next ``context`` characters; every character after a block's
    first is predicted exactly once. Bits are nats / ln 2; ``2 ** bits`` is the
    per-character perplexity.
    """
    if data.ndim != 2 or data.shape[1] < 2:
        raise ValueError(f"data must be (n_blocks, block >= 2), got shape {tuple(data.shape)}")
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, data.shape[1] - 1, model.context):
            stop = min(start + model.context, data.shape[1] - 1)
            for b in range(0, data.shape[0], batch_size):
                x = data[b : b + batch_size, start:stop]
                y = data[b : b + batch_size, start + 1 : stop + 1]
                logits = model(x)
                total += float(
                    F.cross_entropy(logits.flatten(0, 1), y.reshape(-1), reduction="sum")
                )
                count += y.numel()
    model.train(was_training)
    return total / count / math.log(2)
