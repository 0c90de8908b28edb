"""minprune's training step against the bare matrix products it contains.

The bound is the time of exactly the products one step computes, on the same
arrays: ``A_l @ W_l`` forward for every layer, ``A_l.T @ dZ_l`` for every
layer's ``dW`` and ``dZ_l @ W_l.T`` for every layer's ``dX`` but the first
(minprune skips the input gradient nobody uses). Everything else a step does
(activations, the loss, masks, the optimiser) is overhead over this bound. The
figure is ``bound time / step time``: the fraction of matmul speed reached.

Two more variants write the same momentum step as flat NumPy: every array
allocated once, no argument checks, no layer objects, and the fastest
elementwise forms found (relu against a kept array of zeros, which NumPy runs
in SIMD where ``maximum(z, 0)`` does not). ``handwritten_step`` keeps every
operation the engine's step does, masks included: the gap between it and
minprune is the engine's structure. ``handwritten_minimal`` also drops what the
engine does for its contract rather than for the arithmetic: it masks neither
the gradient it never returns nor the weights, whose pruned entries stay 0
because the velocity is masked, and it sums the bias gradient as a
matrix-vector product. It is about the fastest this step gets in NumPy.
"""

import numpy as np

from benchmarks.timing import compare, headline

TITLE = "minprune's training step against its bare matmuls"
GOAL = "at least 0.75 of bare-matmul speed"
SIZES = ([64, 256, 256, 10], [64, 1024, 1024, 10])
BATCH = 128


def unavailable():
    return None


def variants(sizes, batch, rng=0):
    """Callables for one size: the full step (two optimisers), gradients only, the bound."""
    from minprune.network import Network
    from minprune.optim import SGD

    rng = np.random.default_rng(rng)
    net = Network(sizes, activation="relu", rng=rng)
    X = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch)

    # The arrays one step multiplies: layer inputs A_l, weights W_l, upstream dZ_l.
    _, caches = net.forward(X, cache=True)
    inputs = [c[0] for c in caches]
    dZs = [rng.standard_normal((batch, layer.n_out)).astype(np.float32) for layer in net.layers]
    Ws = [layer.W for layer in net.layers]

    def bare():
        for A, W in zip(inputs, Ws):
            A @ W
        for i in range(len(Ws) - 1, -1, -1):
            inputs[i].T @ dZs[i]
            if i > 0:
                dZs[i] @ Ws[i].T

    def step_with(opt):
        def step():
            _, grads = net.loss_and_grads(X, y)
            opt.step(net, grads)

        return step

    def grads_only():
        net.loss_and_grads(X, y)

    return {
        "handwritten_step": handwritten_step(net.copy(), X, y, lr=1e-3, momentum=0.9),
        "handwritten_minimal": handwritten_step(
            net.copy(), X, y, lr=1e-3, momentum=0.9, minimal=True
        ),
        "step_momentum": step_with(SGD(lr=1e-3, momentum=0.9)),
        "step_sgd": step_with(SGD(lr=1e-3)),
        "loss_and_grads": grads_only,
        "bare_matmuls": bare,
    }


def handwritten_step(net, X, y, lr, momentum, minimal=False):
    """``net``'s relu training step with momentum SGD as one flat NumPy function.

    ``minimal=True`` leaves out the gradient and weight masks and sums ``db`` by ``ones @ d``.
    """
    n, last = len(X), len(net.layers) - 1
    Ws, bs = [lay.W for lay in net.layers], [lay.b for lay in net.layers]
    masks = [(lay.mask, lay.b_mask) for lay in net.layers]
    Z = [np.empty((n, W.shape[1]), W.dtype) for W in Ws]  # activations, relu in place
    zeros = [np.zeros_like(z) for z in Z]
    dX = [np.empty((n, W.shape[0]), W.dtype) for W in Ws]
    slope = [np.empty_like(z) for z in Z]
    velocity = [(np.zeros_like(W), np.zeros_like(b)) for W, b in zip(Ws, bs)]
    scratch = [(np.empty_like(W), np.empty_like(b)) for W, b in zip(Ws, bs)]
    dW = [np.empty_like(W) for W in Ws]
    rows, ones = np.arange(n), np.ones(n, X.dtype)

    def step():
        A = X
        for i in range(last + 1):
            np.matmul(A, Ws[i], out=Z[i])
            Z[i] += bs[i]
            if i < last:
                np.maximum(Z[i], zeros[i], out=Z[i])
            A = Z[i]
        shifted = A - A.max(axis=1, keepdims=True)  # softmax cross-entropy
        d = np.exp(shifted)
        d /= d.sum(axis=1, keepdims=True)
        d[rows, y] -= 1.0
        d /= n
        for i in range(last, -1, -1):
            if i < last:
                np.sign(Z[i], out=slope[i])  # relu' from a = relu(z) >= 0
                d *= slope[i]
            A_in = Z[i - 1] if i else X
            if minimal:
                grads = (np.matmul(A_in.T, d, out=dW[i]), ones @ d)
            else:
                grads = (A_in.T @ d, d.sum(axis=0))
            if i:
                d = np.matmul(d, Ws[i].T, out=dX[i])
            for param, g, mask, v, tmp in zip(
                (Ws[i], bs[i]), grads, masks[i], velocity[i], scratch[i]
            ):
                if not minimal:
                    g *= mask
                v *= momentum
                v += g
                v *= mask
                np.multiply(v, lr, out=tmp)
                param -= tmp
                if not minimal:
                    param *= mask

    return step


def run(quick=False):
    sizes = ([64, 32, 32, 10],) if quick else SIZES
    batch = 16 if quick else BATCH
    repeats, min_time = (3, 0.002) if quick else (21, 0.05)
    results, heads = [], []
    for s in sizes:
        t = compare(variants(s, batch), repeats, min_time)
        name = "-".join(map(str, s))
        fractions = {
            v: t.ratio("bare_matmuls", v)
            for v in (
                "handwritten_minimal",
                "handwritten_step",
                "step_momentum",
                "step_sgd",
                "loss_and_grads",
            )
        }
        results.append(
            {"sizes": s, "batch": batch, "fraction_of_bound": fractions, "times": t.summary()}
        )
        heads.append(
            headline(
                f"train step {name}: bare-matmul time / minprune step time",
                fractions["step_momentum"],
                0.75,
                ">=",
                "",
            )
        )
        for variant, what in (
            ("handwritten_step", "hand-written flat NumPy"),
            ("handwritten_minimal", "hand-written flat NumPy, minimal"),
        ):
            heads.append(
                headline(
                    f"same step {name}, {what}: bare-matmul time / its time", fractions[variant]
                )
            )
    return {
        "config": {
            "batch": batch,
            "repeats": repeats,
            "min_block_s": min_time,
            "dtype": "float32",
            "step": "loss_and_grads + SGD(lr=1e-3, momentum=0.9).step; also plain SGD, gradients "
            "alone, and the momentum step hand-written as flat NumPy (all operations; minimal)",
        },
        "results": results,
        "headline": heads,
    }
