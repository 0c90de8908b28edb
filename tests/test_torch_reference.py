"""The engine against PyTorch: losses, forward, autograd gradients and optimisers."""

import numpy as np
import pytest

from minprune.losses import mse, softmax_cross_entropy
from minprune.network import Network
from minprune.optim import SGD, Adam
from minprune.penalties import L1, L2, ElasticNet

torch = pytest.importorskip("torch")
F = torch.nn.functional

TORCH_ACT = {"relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh}


def t64(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def torch_copy(net):
    """An nn.Sequential with the same weights (torch stores W transposed)."""
    modules = []
    for layer in net.layers:
        lin = torch.nn.Linear(layer.n_in, layer.n_out).double()
        with torch.no_grad():
            lin.weight.copy_(t64(layer.W.T))
            lin.bias.copy_(t64(layer.b))
        modules.append(lin)
        if layer.activation != "identity":
            modules.append(TORCH_ACT[layer.activation]())
    return torch.nn.Sequential(*modules)


def data(n=7, n_in=5, k=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_in)), rng.integers(0, k, size=n)


def test_cross_entropy_equals_torch_value_and_gradient():
    """softmax_cross_entropy matches F.cross_entropy and its autograd gradient."""
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(8, 5)) * 3
    y = rng.integers(0, 5, size=8)
    loss, dlogits = softmax_cross_entropy(logits, y)
    tl = t64(logits).requires_grad_()
    ref = F.cross_entropy(tl, torch.tensor(y))
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(dlogits, tl.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_cross_entropy_equals_torch_for_logits_of_1e4():
    """Even at logits of 1e4 the value agrees with torch's."""
    logits = np.array([[1e4, -1e4, 0.0], [0.0, 1e4, 1e4]])
    y = np.array([1, 0])
    ref = F.cross_entropy(t64(logits), torch.tensor(y)).item()
    assert softmax_cross_entropy(logits, y)[0] == pytest.approx(ref, rel=1e-12)


def test_mse_equals_half_of_torch_mse_with_gradient():
    """mse is 0.5 * F.mse_loss, gradient included."""
    rng = np.random.default_rng(1)
    p, t = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    loss, grad = mse(p, t)
    tp = t64(p).requires_grad_()
    ref = 0.5 * F.mse_loss(tp, t64(t))
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(grad, tp.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("sizes", [[5, 3], [5, 8, 3], [5, 6, 4, 3]])
def test_forward_equals_torch(activation, sizes):
    """Network.forward equals the same nn.Sequential's output."""
    net = Network(sizes, activation=activation, dtype="float64", rng=0)
    X, _ = data()
    np.testing.assert_allclose(net.forward(X), torch_copy(net)(t64(X)).detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("sizes", [[5, 3], [5, 8, 3], [5, 6, 4, 3]])
def test_every_gradient_equals_torch_autograd(activation, sizes):
    """loss_and_grads gives the cross-entropy and every dW, db of torch autograd."""
    net = Network(sizes, activation=activation, dtype="float64", rng=1)
    for layer in net.layers:
        layer.b[:] = np.random.default_rng(2).normal(size=layer.b.shape)
    X, y = data(seed=3)
    loss, grads = net.loss_and_grads(X, y)
    model = torch_copy(net)
    ref = F.cross_entropy(model(t64(X)), torch.tensor(y))
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    for g, lin in zip(grads, linears, strict=True):
        np.testing.assert_allclose(g["W"], lin.weight.grad.numpy().T, rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(g["b"], lin.bias.grad.numpy(), rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("output", ["sigmoid", "identity"])
def test_mse_network_gradients_equal_torch(output):
    """With loss='mse' the gradients equal autograd of 0.5 * F.mse_loss."""
    net = Network([4, 6, 2], activation="tanh", output=output, loss="mse", dtype="float64", rng=4)
    rng = np.random.default_rng(5)
    X, T = rng.normal(size=(5, 4)), rng.uniform(size=(5, 2))
    loss, grads = net.loss_and_grads(X, T)
    model = torch_copy(net)
    ref = 0.5 * F.mse_loss(model(t64(X)), t64(T))
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(grads[0]["W"], model[0].weight.grad.numpy().T, rtol=1e-9)


@pytest.mark.parametrize("penalty", [L1(0.01), L2(0.05), ElasticNet(0.01, 0.05)], ids=repr)
def test_penalised_gradients_equal_torch_autograd(penalty):
    """A penalty adds exactly the autograd gradient of l1*sum|w| + l2/2*sum w^2."""
    net = Network([5, 4, 3], activation="tanh", dtype="float64", rng=6)
    X, y = data(seed=7)
    loss, grads = net.loss_and_grads(X, y, penalty=penalty)
    model = torch_copy(net)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    ref = F.cross_entropy(model(t64(X)), torch.tensor(y))
    l1, l2 = getattr(penalty, "l1", 0.0), getattr(penalty, "l2", 0.0)
    for lin in linears:
        ref = ref + l1 * lin.weight.abs().sum() + l2 / 2 * (lin.weight**2).sum()
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    for g, lin in zip(grads, linears, strict=True):
        np.testing.assert_allclose(g["W"], lin.weight.grad.numpy().T, rtol=1e-9, atol=1e-14)


def run_both(make_ours, make_theirs, steps=6, seed=0):
    """Apply the same gradient sequence with our optimiser and torch's; return both nets' weights."""
    net = Network([4, 5, 3], dtype="float64", rng=seed)
    for layer in net.layers:
        layer.b[:] = 0.1
    params = []
    for layer in net.layers:
        params += [t64(layer.W).requires_grad_(), t64(layer.b).requires_grad_()]
    # torch applies weight_decay to every parameter; the engine only to W, so biases get 0
    opt_t = make_theirs(params)
    opt = make_ours()
    rng = np.random.default_rng(seed + 1)
    for _ in range(steps):
        grads = [
            {"W": rng.normal(size=layer.W.shape), "b": rng.normal(size=layer.b.shape)}
            for layer in net.layers
        ]
        opt.step(net, grads)
        for p, g in zip(params, [a for d in grads for a in (d["W"], d["b"])], strict=True):
            p.grad = t64(g)
        opt_t.step()
    ours = [a for layer in net.layers for a in (layer.W, layer.b)]
    return ours, [p.detach().numpy() for p in params]


def groups(params, weight_decay, **kw):
    return [
        {"params": params[0::2], "weight_decay": weight_decay, **kw},
        {"params": params[1::2], "weight_decay": 0.0, **kw},
    ]


@pytest.mark.parametrize(
    "momentum, nesterov, weight_decay",
    [(0.0, False, 0.0), (0.9, False, 0.0), (0.9, True, 0.0), (0.5, False, 0.01), (0.9, True, 0.1)],
)
def test_sgd_equals_torch_sgd(momentum, nesterov, weight_decay):
    """SGD (momentum, Nesterov, weight decay) matches torch.optim.SGD step for step."""
    ours, theirs = run_both(
        lambda: SGD(lr=0.1, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay),
        lambda p: torch.optim.SGD(
            groups(p, weight_decay), lr=0.1, momentum=momentum, nesterov=nesterov
        ),
    )
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.9)])
def test_adam_equals_torch_adam(weight_decay, betas):
    """Adam matches torch.optim.Adam (bias correction, coupled weight decay) step for step."""
    ours, theirs = run_both(
        lambda: Adam(lr=0.01, beta1=betas[0], beta2=betas[1], weight_decay=weight_decay),
        lambda p: torch.optim.Adam(groups(p, weight_decay), lr=0.01, betas=betas, eps=1e-8),
        steps=8,
    )
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
