"""Optimisers: one signature for all, all mask-aware.

    opt = SGD(lr=0.1, momentum=0.9, weight_decay=1e-4)
    opt.step(net, grads)          # grads[l] = {"W": dW, "b": db}

Every step masks the optimiser's state (velocity, moment estimates) and
ends by multiplying the parameter by its mask, so a pruned weight stays
exactly 0 through any number of steps, momentum and weight decay included,
and a weight pruned mid-training loses its velocity at once. The update works
in place, in a scratch buffer kept with the state, so a step allocates no
weight-sized temporaries. ``weight_decay`` is the coupled L2
term ``g + weight_decay * w`` (as in ``torch.optim.SGD``/``Adam``).
"""

import numpy as np

from ._checks import check_fraction, check_network, check_nonnegative

__all__ = ["SGD", "Adam", "Optimizer"]


class Optimizer:
    """Base class: walks every parameter of a network with its mask and gradient."""

    def __init__(self, lr, weight_decay=0.0):
        self.lr = check_nonnegative(lr, "lr")
        self.weight_decay = check_nonnegative(weight_decay, "weight_decay")
        self.state = {}

    def step(self, net, grads):
        """Update ``net`` in place from ``grads``, one dict ``{"W", "b"}`` per layer."""
        check_network(net)
        if not isinstance(grads, list | tuple) or len(grads) != len(net.layers):
            got = len(grads) if isinstance(grads, list | tuple) else type(grads).__name__
            raise ValueError(
                f"grads must be a list with one dict per layer ({len(net.layers)}), got {got}"
            )
        for i, (layer, g) in enumerate(zip(net.layers, grads)):
            if not isinstance(g, dict) or "W" not in g or "b" not in g:
                raise ValueError(f'grads[{i}] must be a dict {{"W": dW, "b": db}}, got {g!r:.60}')
            for name, mask in (("W", layer.mask), ("b", layer.b_mask)):
                param = getattr(layer, name)
                grad = np.asarray(g[name])
                if grad.shape != param.shape:
                    raise ValueError(
                        f"grads[{i}][{name!r}] has shape {grad.shape}, expected {param.shape}"
                    )
                state = self.state.get((i, name))
                if state is None or state[0].shape != param.shape:
                    state = self.state[(i, name)] = self.init_state(param)
                if self.weight_decay and name == "W":
                    grad = grad + self.weight_decay * param
                self.update(param, grad, mask, state)
                param *= mask

    def zero_state(self):
        """Forget momentum and moment estimates (after surgery, for instance)."""
        self.state = {}


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum.

    ``v = mask * (momentum * v + g)``; ``w -= lr * v`` (or ``lr * (g + momentum * v)`` for
    Nesterov); then ``w *= mask``. The velocity is masked too, so a weight pruned after
    training began loses the momentum it carried.
    """

    def __init__(self, lr=0.1, momentum=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(lr, weight_decay)
        self.momentum = check_nonnegative(momentum, "momentum")
        self.nesterov = bool(nesterov)
        if self.nesterov and not self.momentum:
            raise ValueError("nesterov=True needs momentum > 0, got momentum=0")

    def init_state(self, param):
        return np.zeros_like(param), np.empty_like(param)  # velocity, scratch

    def update(self, param, grad, mask, state):
        v, step = state
        if not self.momentum:
            np.multiply(grad, self.lr, out=step)
        else:
            v *= self.momentum
            v += grad
            v *= mask
            if self.nesterov:
                np.multiply(v, self.momentum, out=step)
                step += grad
                step *= self.lr
            else:
                np.multiply(v, self.lr, out=step)
        param -= step

    def __repr__(self):
        nesterov = ", nesterov=True" if self.nesterov else ""
        return (
            f"SGD(lr={self.lr:g}, momentum={self.momentum:g}, "
            f"weight_decay={self.weight_decay:g}{nesterov})"
        )


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.beta1 = check_fraction(beta1, "beta1")
        self.beta2 = check_fraction(beta2, "beta2")
        self.eps = check_nonnegative(eps, "eps")
        if self.eps == 0:
            raise ValueError("eps=0 must be > 0: it keeps m / (sqrt(v) + eps) finite where v = 0")

    def init_state(self, param):
        return [np.zeros_like(param), np.zeros_like(param), 0]

    def update(self, param, grad, mask, state):
        m, v, t = state
        t += 1
        state[2] = t
        m *= self.beta1
        m += (1 - self.beta1) * grad
        v *= self.beta2
        v += (1 - self.beta2) * grad * grad
        m *= mask
        v *= mask
        m_hat = m / (1 - self.beta1**t)
        v_hat = v / (1 - self.beta2**t)
        param -= (self.lr * m_hat / (np.sqrt(v_hat) + self.eps)).astype(param.dtype, copy=False)

    def __repr__(self):
        return f"Adam(lr={self.lr:g}, weight_decay={self.weight_decay:g})"
