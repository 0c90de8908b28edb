"""Exercise 03.4: ``masked_sgd_step(W, dW, mask, velocity, lr, momentum)``, pruned weights stay 0.

The step, as ``mp.SGD`` takes it on a masked layer::

    g = dW * mask (+ weight_decay * W)
    velocity = (momentum * velocity + g) * mask
    W = (W - lr * velocity) * mask

Topic 05 asks for the same step with coupled weight decay. Its module reuses this one:
``check_for(its GRADE_ID, answer, hidden, seed, weight_decay=True)``, with
``DECAY_MISTAKES``, ``DECAY_SIGNATURE`` and ``cases(rng, hidden, weight_decay=True)``;
the answer then gets ``weight_decay=`` as a keyword.

Each run of the check starts from a dense step (the velocity fills up), then prunes, so
the next step gets weights and velocity that are non-zero where the mask is now 0; the
hidden runs add float32, momentum 0 and masks that lose more entries between steps.
Each step's inputs are the reference's state after the step before, so a wrong step
is judged on its own. Results are compared within a tolerance scaled by the inputs'
size, so float64 arithmetic inside a float32 answer passes.
"""

import numpy as np

import minprune as mp
from minprune_course import checks

from . import _t03

GRADE_ID = "t03_masked_step_test"
ANSWER = "masked_sgd_step"
SIGNATURE = "(W, dW, mask, velocity, lr, momentum)"
DECAY_SIGNATURE = "(W, dW, mask, velocity, lr, momentum=0.9, weight_decay=0.0)"
REFERENCE = ("minprune.SGD",)
MISTAKES = {
    "weights_only": "expected a tuple (W, velocity): return the new velocity beside the "
    "new weights, the next step needs it",
    "weights_unmasked": "pruned weights (mask 0) are not exactly 0 after the step; multiply "
    "the new weights by the mask at the end (a weight may arrive non-zero where the mask "
    "is 0)",
    "momentum_ignored": "the weights moved by lr * gradient, a step without momentum; "
    "update the velocity first, then W -= lr * velocity",
    "ascent": "the weights moved up the gradient; subtract lr * velocity",
    "velocity_unmasked": "the velocity is not 0 where the mask is 0; multiply it by the "
    "mask too (a weight pruned just now still carries velocity from before)",
    "velocity_unchanged": "the velocity came back as it was given; return the updated "
    "velocity, (momentum * velocity + masked gradient) * mask",
    "wrong_dtype": "return NumPy arrays of W's dtype (float32 weights give float32 "
    "results: combine them with Python floats, or cast back with .astype(W.dtype))",
}
DECAY_MISTAKES = {
    **MISTAKES,
    "decoupled_decay": "weight decay belongs in the gradient, g = dW * mask + "
    "weight_decay * W, before the momentum (as torch.optim.SGD does), so the velocity "
    "carries it",
}
HINT = (
    "this exercise asks for your own NumPy code: minprune's optimiser steps (mp.SGD) are "
    "what the check compares your answer with, so they are switched off while it runs"
)
NAMES = ("W", "dW", "mask", "velocity", "lr", "momentum")


def _run(rng, dtype, shape, steps, momentum, weight_decay, shrinking):
    """One run: ``(W, grads, masks, lr, momentum, weight_decay)``, dense first, then pruned.

    Planted so every mistake shows at the first pruned step: the first weight is large
    and pruned, its first gradient (hence its velocity) large; the last weight is kept,
    large, with large gradients.
    """
    W = _t03.weights(rng, shape)
    scale = float(np.abs(W).max()) + 0.1
    W.flat[0] = rng.choice([-1, 1]) * scale * rng.uniform(1.5, 3.0)
    W.flat[-1] = rng.choice([-1, 1]) * scale * rng.uniform(1.0, 2.0)
    grads = [rng.normal(size=shape) for _ in range(steps)]
    for dW in grads:
        dW.flat[0] = rng.choice([-1, 1]) * rng.uniform(1.0, 2.0)
        dW.flat[-1] = rng.choice([-1, 1]) * rng.uniform(1.0, 2.0)
    mask = (rng.random(shape) < rng.uniform(0.3, 0.8)).astype(float)
    mask.flat[0], mask.flat[-1] = 0, 1
    masks = [np.ones(shape), mask]
    for _ in range(steps - 2):
        if shrinking:
            mask = mask * (rng.random(shape) < 0.7)
            mask.flat[-1] = 1
        masks.append(mask)
    lr = float(rng.uniform(0.01, 0.3))
    as_dtype = [a.astype(dtype) for a in (W, *grads, *masks)]
    W, grads, masks = as_dtype[0], as_dtype[1 : 1 + steps], as_dtype[1 + steps :]
    return W, grads, masks, lr, momentum, weight_decay


def cases(rng, hidden, weight_decay=False):
    """Runs of steps. Visible: float64 then float32, with momentum and a shrinking mask.

    Hidden adds momentum 0, a longer run whose mask shrinks at every step, a mask of all
    ones and (without weight decay) 1-D and 3-D weights; with ``weight_decay`` a run
    without it too.
    """

    def decay():
        return float(rng.uniform(1e-3, 1e-2)) if weight_decay else 0.0

    def momentum():
        return float(rng.uniform(0.5, 0.95))

    yield _run(rng, "float64", _t03.shape(rng), 3, momentum(), decay(), False)
    yield _run(rng, "float32", _t03.shape(rng), 3, momentum(), decay(), True)
    if not hidden:
        return
    yield _run(rng, "float64", _t03.shape(rng), 3, 0.0, decay(), False)
    yield _run(rng, "float64", _t03.shape(rng), 5, momentum(), decay(), True)
    yield _run(rng, "float32", _t03.shape(rng), 3, 0.0, decay(), True)
    W, grads, masks, lr, mu, wd = _run(rng, "float64", _t03.shape(rng), 3, momentum(), 0.0, False)
    yield W, grads, [np.ones_like(m) for m in masks], lr, mu, decay()
    if weight_decay:
        yield _run(rng, "float64", _t03.shape(rng), 3, momentum(), 0.0, True)
    else:
        n = int(rng.integers(3, 12))
        yield _run(rng, "float64", (n,), 3, momentum(), 0.0, True)
        yield _run(rng, "float32", (2, 3, int(rng.integers(2, 5))), 3, momentum(), 0.0, True)


def _reference(W, grads, masks, lr, momentum, weight_decay):
    """``mp.SGD`` on a one-layer network holding ``W``: ``(W, velocity)`` after each step.

    Without momentum ``mp.SGD`` keeps no velocity; the exercise's is then the masked
    gradient, ``(dW * mask + weight_decay * W) * mask``.
    """
    (SGD,) = checks.public(*REFERENCE)
    as_2d = (1, -1) if W.ndim != 2 else W.shape
    layer = mp.Dense(W.reshape(as_2d), np.zeros(np.reshape(W, as_2d).shape[1], W.dtype))
    net = mp.Network.from_layers([layer])
    opt = SGD(lr=lr, momentum=momentum, weight_decay=weight_decay)
    out = []
    for dW, mask in zip(grads, masks, strict=True):
        before = layer.W.copy()
        layer.apply_mask(mask.reshape(as_2d))
        db = np.zeros_like(layer.b)
        opt.step(net, [{"W": dW.reshape(as_2d), "b": db}])
        if momentum:
            velocity = opt.state[(0, "W")][0].copy()
        else:
            m = layer.mask
            velocity = (dW.reshape(as_2d) * m + weight_decay * before) * m
        out.append((layer.W.reshape(W.shape).copy(), velocity.reshape(W.shape)))
    return out


def _mistakes(W, dW, mask, velocity, lr, momentum, weight_decay):
    """What each known mistake returns for this step, in float64: W-mistakes, v-mistakes."""
    W, dW, m, v0 = (np.asarray(a, dtype=float) for a in (W, dW, mask, velocity))
    g = dW * m + weight_decay * W
    v = (momentum * v0 + g) * m
    W_mistakes = {
        "weights_unmasked": W - lr * v,
        "momentum_ignored": (W - lr * g) * m,
        "ascent": (W + lr * v) * m,
    }
    v_mistakes = {
        "velocity_unmasked": momentum * v0 + g,
        "velocity_unchanged": v0,
    }
    if weight_decay:
        v_mistakes["decoupled_decay"] = (momentum * v0 + dW * m) * m
    return W_mistakes, v_mistakes


def _tolerance(dtype, *arrays):
    """``(rtol, atol)``: a float32 step is compared to 1e-5 of the inputs' largest size."""
    tol = 1e-5 if dtype == np.float32 else 1e-9
    return tol, tol * (1.0 + sum(float(np.abs(np.asarray(a, dtype=float)).max()) for a in arrays))


def _pair(out, what, hints):
    """The answer's ``(W, velocity)``."""
    if not isinstance(out, tuple | list) or len(out) != 2:
        n = f" of length {len(out)}" if isinstance(out, tuple | list) else ""
        checks.fail(f"{what} returned a {type(out).__name__}{n}; {hints['weights_only']}")
    return out


def check_for(grade_id, answer, hidden=False, seed=None, weight_decay=False):
    """The check of ``answer`` for the exercise ``grade_id`` (topic 03's, or topic 05's with
    ``weight_decay=True``): several steps in a row against ``mp.SGD`` on a masked layer."""
    hints = DECAY_MISTAKES if weight_decay else MISTAKES
    (SGD,) = checks.public(*REFERENCE)
    switched_off = [SGD.step, SGD.update]
    for W0, grads, masks, lr, mu, wd in cases(
        checks.case_rng(grade_id, hidden, seed), hidden, weight_decay
    ):
        reference = _reference(W0, grads, masks, lr, mu, wd)
        W, velocity = W0.copy(), np.zeros_like(W0)
        for t, (dW, mask) in enumerate(zip(grads, masks, strict=True)):
            decay = f", weight_decay={wd:g}" if weight_decay else ""
            what = (
                f"masked_sgd_step(W, dW, mask, velocity, lr={lr:.3g}, momentum={mu:.3g}{decay}) "
                f"at step {t + 1} of {len(grads)} with {_t03.describe(W0)}"
            )
            if t and (masks[t] != masks[t - 1]).any():
                what += ", just after the mask lost entries"
            extra = {"weight_decay": wd} if weight_decay else {}
            out = checks.call(
                answer, W, dW, mask, velocity, lr, mu, what=what, without=switched_off,
                hint=HINT, names=NAMES, **extra,
            )  # fmt: skip
            W_ref, v_ref = reference[t]
            W_new, v_new = _pair(out, what, hints)
            W_new = checks.expect_array(W_new, shape=W0.shape, what=f"the new W of {what}")
            v_new = checks.expect_array(v_new, shape=W0.shape, what=f"the velocity of {what}")
            rtol, atol = _tolerance(W0.dtype, W, dW, velocity)
            W_mistakes, v_mistakes = _mistakes(W, dW, mask, velocity, lr, mu, wd)
            _t03.no_mistake(what, W_new, W_ref, W_mistakes, hints, rtol, atol)
            _t03.no_mistake(what, v_new, v_ref, v_mistakes, hints, rtol, atol)
            pruned = mask == 0
            checks.expect_true(
                not (W_new[pruned] != 0).any(), f"{what}: {hints['weights_unmasked']}"
            )
            checks.expect_true(
                not (v_new[pruned] != 0).any(), f"{what}: {hints['velocity_unmasked']}"
            )
            checks.expect_close(W_new, W_ref, f"the new W of {what}", rtol, atol)
            checks.expect_close(v_new, v_ref, f"the velocity of {what}", rtol, atol)
            for name, value in (("W", out[0]), ("velocity", out[1])):
                got = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
                checks.expect_true(
                    isinstance(value, np.ndarray) and value.dtype == W0.dtype,
                    f"the new {name} of {what} is {got} for {W0.dtype} weights; "
                    f"{hints['wrong_dtype']}",
                )
            W, velocity = W_ref, v_ref
    checks.passed()


def check(answer, hidden=False, seed=None):
    """``answer(W, dW, mask, velocity, lr, momentum)`` steps like ``mp.SGD`` on a masked layer."""
    check_for(GRADE_ID, answer, hidden, seed)
