"""minprune against PyTorch on one CPU thread: a training step and an inference pass.

The same relu network (same weights) in both, float32, batch 128: minprune's
``loss_and_grads`` plus ``SGD.step`` against torch's forward, ``cross_entropy``,
``backward`` and ``SGD.step``; inference is ``Network.forward`` against the
module's forward under ``torch.inference_mode``. Both optimisers use momentum 0.9.
The figure is minprune's time over torch's, per repeat.
"""

import importlib.util

import numpy as np

from benchmarks.timing import compare, headline

TITLE = "minprune against PyTorch (CPU, 1 thread)"
GOAL = "minprune at most 0.8x PyTorch's time"
SIZES = ([64, 256, 256, 10], [64, 1024, 1024, 10])
BATCH = 128
LR = 1e-3


def unavailable():
    if importlib.util.find_spec("torch") is None:
        return "torch is not installed"
    return None


def torch_copy(net):
    """An ``nn.Sequential`` of Linear and ReLU holding ``net``'s weights."""
    import torch

    mods = []
    for layer in net.layers:
        lin = torch.nn.Linear(layer.n_in, layer.n_out)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(layer.W.T.copy()))
            lin.bias.copy_(torch.from_numpy(layer.b.copy()))
        mods.append(lin)
        if layer.activation == "relu":
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods)


def variants(sizes, batch, rng=0):
    """The four callables timed for one network size, and their inputs."""
    import torch

    from minprune.network import Network
    from minprune.optim import SGD

    rng = np.random.default_rng(rng)
    net = Network(sizes, activation="relu", rng=rng)
    X = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch)
    model = torch_copy(net)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    opt_mp = SGD(lr=LR, momentum=0.9)
    opt_t = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
    # Whether both start from the same function: the first losses must agree.
    loss_mp, _ = net.loss_and_grads(X, y)
    loss_t = torch.nn.functional.cross_entropy(model(Xt), yt).item()
    assert abs(loss_mp - loss_t) < 1e-4 * max(1.0, abs(loss_t)), (loss_mp, loss_t)

    def train_mp():
        _, grads = net.loss_and_grads(X, y)
        opt_mp.step(net, grads)

    def train_torch():
        opt_t.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(Xt), yt).backward()
        opt_t.step()

    def infer_mp():
        net.forward(X)

    def infer_torch():
        with torch.inference_mode():
            model(Xt)

    return {"train": (train_mp, train_torch), "inference": (infer_mp, infer_torch)}


def run(quick=False):
    sizes = ([64, 32, 32, 10],) if quick else SIZES
    batch = 16 if quick else BATCH
    repeats, min_time = (3, 0.002) if quick else (21, 0.05)
    results, heads = [], []
    for s in sizes:
        for task, (mp_fn, torch_fn) in variants(s, batch).items():
            t = compare({"minprune": mp_fn, "torch": torch_fn}, repeats, min_time)
            ratio = t.ratio("minprune", "torch")
            name = "-".join(map(str, s))
            results.append(
                {"sizes": s, "batch": batch, "task": task, "ratio": ratio, "times": t.summary()}
            )
            heads.append(headline(f"{task} {name}: minprune / PyTorch time", ratio, 0.8, "<=", "x"))
    return {
        "config": {"batch": batch, "repeats": repeats, "min_block_s": min_time, "dtype": "float32"},
        "results": results,
        "headline": heads,
    }
