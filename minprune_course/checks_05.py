"""Checks for the exercises of lesson 05, retraining.

Each check draws fresh random inputs (a new seed on every call, so a hard-coded
answer fails), computes the reference with ``minprune`` first, calls the
learner's function and raises ``AssertionError`` with a hint that names the
mistake, never the expected numbers::

    checks_05.check_masked_sgd_step(masked_sgd_step)               # the visible check
    checks_05.check_masked_sgd_step(masked_sgd_step, hidden=True)  # a longer battery

With ``hidden=True`` a check runs more cases: float32 weights (the answer must
keep the dtype), momentum or weight decay of 0, a mask that changes between
steps, schedules whose first and last step coincide, and harder pruning targets.

While the learner's masked step runs, minprune's optimiser steps raise an
``AssertionError``, and while its schedule runs, ``mp.cubic_sparsity`` does: these
exercises ask for NumPy code, and an answer that only calls the reference would
pass any comparison with it. The prune-retrain loop is meant to call ``mp.prune``
and ``mp.train``, so minprune stays on for it.
"""

import numpy as np

import minprune as mp
from minprune import optim, schedules

from . import checks

__all__ = ["check_masked_sgd_step", "check_cubic_sparsity", "check_prune_retrain"]

_asarray = np.asarray
_absolute = np.absolute
_float64 = np.float64
_float32 = np.float32
_ndarray = np.ndarray
_isinstance = isinstance
_len = len
_round = round


def _tol(dtype):
    """Relative tolerance: float32 arithmetic differs from float64 in the 7th digit."""
    return 1e-5 if dtype == _float32 else 1e-9


def _close(a, b, dtype):
    """``a`` and ``b`` (plain float arrays) agree to the tolerance of ``dtype``."""
    tol = _tol(dtype)
    return bool((_absolute(a - b) <= 1e-12 + tol * _absolute(b)).all())


# ------------------------------------------------------------ own work only
_BLOCKED = (  # the hint when the learner's code calls minprune's own answer
    "this exercise asks for your own NumPy code: minprune's optimiser steps and "
    "cubic_sparsity are what the check compares your answer with, so they are switched "
    "off while it runs"
)


def _optimiser_functions():
    """minprune's functions that take an SGD step by themselves."""
    return [optim.Optimizer.step, optim.SGD.update, optim.Adam.update]


def _schedule_functions():
    """minprune's function that answers the schedule exercise by itself."""
    return [schedules.cubic_sparsity]


def _call(fn, *args, funcs, what, **kwargs):
    """``checks.call`` with ``funcs`` switched off."""
    return checks.call(fn, *args, what=what, without=funcs, hint=_BLOCKED, **kwargs)


# ------------------------------------------------------------ masked update
def _sgd_reference(W, grads, masks, lr, momentum, weight_decay):
    """``mp.SGD`` run over a one-layer network: the weights and velocity after each step.

    The optimiser gets masked gradients, as ``Network.backward`` hands them over. The
    velocity returned is ``mp.SGD``'s times the mask: the exercise zeroes the velocity of
    pruned weights, including what a weight pruned just now carried from before.
    """
    n_out = W.shape[1]
    net = mp.Network.from_layers([mp.Dense(W, np.zeros(n_out, W.dtype), "identity", masks[0])])
    layer = net.layers[0]
    opt = mp.SGD(lr=lr, momentum=momentum, weight_decay=weight_decay)
    out = []
    for dW, mask in zip(grads, masks):
        layer.apply_mask(mask)  # masks only ever lose ones, as pruning does
        masked = dW * layer.mask
        grad = masked + weight_decay * layer.W  # without momentum, the velocity is the step
        opt.step(net, [{"W": masked, "b": np.zeros(n_out, W.dtype)}])
        velocity = opt.state[(0, "W")][0] if momentum else grad
        out.append((layer.W.copy(), velocity * layer.mask))
    return out


def _sgd_cases(rng, hidden):
    """``(W, grads, masks, lr, momentum, weight_decay)`` for a run of steps."""
    cases = []
    kinds = [("float64", 0.9, 1e-3, 3, False)]
    if hidden:
        kinds += [
            ("float32", 0.9, 5e-3, 4, False),
            ("float64", 0.0, 1e-2, 2, False),
            ("float64", 0.5, 0.0, 3, False),
            ("float64", 0.9, 1e-3, 4, True),  # pruned after two dense steps: stale velocity
        ]
    for dtype, momentum, weight_decay, steps, late in kinds:
        rows, cols = (int(n) for n in rng.integers(3, 9, size=2))
        W = rng.normal(scale=0.5, size=(rows, cols)).astype(dtype)
        mask = (rng.random((rows, cols)) < 0.6).astype(dtype)
        mask.flat[0], mask.flat[-1] = 0, 1
        grads = [rng.normal(size=(rows, cols)).astype(dtype) for _ in range(steps)]
        ones = np.ones_like(mask)
        masks = [ones, ones] + [mask] * (steps - 2) if late else [mask] * steps
        lr = float(rng.uniform(0.01, 0.3))
        cases.append((W, grads, masks, lr, momentum, weight_decay))
    return cases


def _unpack_pair(out, what):
    """The learner's ``(W, velocity)`` pair."""
    if not _isinstance(out, tuple | list) or _len(out) != 2:
        kind = type(out).__name__
        n = f" of length {_len(out)}" if _isinstance(out, tuple | list) else ""
        raise AssertionError(f"{what} returned a {kind}{n}; expected a tuple (W, velocity)")
    return out


def _sgd_hint(W_new, v_new, W, dW, mask, velocity, lr, momentum, weight_decay, what):
    """Name the usual mistake in a wrong step, if it is one."""
    w = W.astype(_float64)
    v0 = _asarray(velocity, dtype=_float64)
    g = dW.astype(_float64) * mask + weight_decay * w
    v = (momentum * v0 + g) * mask
    if weight_decay and momentum and _close(v_new, (momentum * v0 + dW * mask) * mask, _float64):
        raise AssertionError(
            f"{what}: weight decay belongs in the gradient, g = dW * mask + weight_decay * W, "
            "before the momentum (as torch.optim.SGD does), not in a separate step"
        )
    if _close(W_new, (w + lr * v) * mask, _float64):
        raise AssertionError(f"{what}: the weights moved up the gradient; subtract lr * velocity")
    if momentum and _close(W_new, (w - lr * g) * mask, _float64):
        raise AssertionError(f"{what}: the velocity was not used; move by lr * velocity")


def check_masked_sgd_step(masked_sgd_step, hidden=False):
    """Check ``masked_sgd_step(W, dW, mask, velocity, lr, momentum, weight_decay)``.

    Runs the learner's step several times in a row (passing its velocity on) and
    compares each result with ``mp.SGD`` on a one-layer network with that mask.
    """
    checks.expect_callable(masked_sgd_step, "masked_sgd_step")
    rng = checks.rng()
    for W0, grads, masks, lr, momentum, weight_decay in _sgd_cases(rng, hidden):
        reference = _sgd_reference(W0, grads, masks, lr, momentum, weight_decay)
        W, velocity = W0.copy(), np.zeros_like(W0)
        for step, (dW, mask, (W_ref, v_ref)) in enumerate(zip(grads, masks, reference), 1):
            what = (
                f"masked_sgd_step(W, dW, mask, velocity, lr={lr:.3g}, momentum={momentum:g}, "
                f"weight_decay={weight_decay:g}) at step {step} with W of shape {W0.shape}, "
                f"dtype {W0.dtype}"
            )
            if step > 1 and masks[step - 2] is not mask:
                what += ", just after the mask lost entries"
                W = W * _asarray(mask, dtype=W.dtype)  # pruning zeroes the weights it removes
            out = _unpack_pair(
                _call(
                    masked_sgd_step,
                    W,
                    dW,
                    mask,
                    velocity,
                    lr,
                    momentum=momentum,
                    weight_decay=weight_decay,
                    funcs=_optimiser_functions(),
                    what=what,
                ),
                what,
            )
            W_new = checks.expect_array(out[0], shape=W0.shape, what=f"the new W of {what}")
            v_new = checks.expect_array(out[1], shape=W0.shape, what=f"the velocity of {what}")
            pruned = _asarray(mask) == 0
            moved = int((pruned & (W_new != 0)).sum())
            if moved:
                raise AssertionError(
                    f"{what}: {moved} pruned weights (mask 0) are not exactly 0 after the step; "
                    "mask the gradient and the velocity, and multiply the weights by the mask"
                )
            if int((pruned & (v_new != 0)).sum()):
                raise AssertionError(
                    f"{what}: the velocity is not 0 where the mask is 0; multiply it by the mask "
                    "(a stale velocity would push a pruned weight again)"
                )
            if not (
                _close(W_new, W_ref.astype(_float64), W0.dtype)
                and _close(v_new, v_ref.astype(_float64), W0.dtype)
            ):
                _sgd_hint(W_new, v_new, W, dW, mask, velocity, lr, momentum, weight_decay, what)
            checks.expect_close(
                W_new, W_ref, what=f"the new W of {what}", rtol=_tol(W0.dtype), atol=1e-12
            )
            checks.expect_close(
                v_new, v_ref, what=f"the velocity of {what}", rtol=_tol(W0.dtype), atol=1e-12
            )
            for name, value in (("W", out[0]), ("velocity", out[1])):
                if not _isinstance(value, _ndarray) or value.dtype != W0.dtype:
                    got = value.dtype if _isinstance(value, _ndarray) else type(value).__name__
                    raise AssertionError(
                        f"the new {name} of {what} is {got}; expected a NumPy array of the "
                        f"weights' dtype {W0.dtype}"
                    )
            W, velocity = out[0], out[1]
    checks.passed("masked_sgd_step")


# ------------------------------------------------------------ cubic schedule
def _cubic_cases(rng, hidden):
    """``(step, final, begin, end, initial)`` tuples around and inside the schedule."""
    begin = int(rng.integers(0, 50))
    end = begin + int(rng.integers(20, 500))
    final = float(rng.uniform(0.5, 0.99))
    initial = 0.0
    steps = [0, begin, (begin + end) // 2, end - 1, end, end + 7]
    steps += [int(s) for s in rng.integers(begin, end, size=4)]
    cases = [(s, final, begin, end, initial) for s in steps]
    if hidden:
        initial = float(rng.uniform(0.0, final))
        cases += [(int(s), final, begin, end, initial) for s in rng.integers(0, end + 20, size=8)]
        cases += [(0, final, begin, end, initial), (begin, final, begin, end, initial)]
        cases += [(begin, final, begin, begin, initial), (begin + 1, final, begin, begin, 0.0)]
        cases += [(int(rng.integers(0, end)), final, 0, end, final)]
    return cases


def check_cubic_sparsity(cubic_sparsity, hidden=False):
    """Check ``cubic_sparsity(step, final_sparsity, begin_step, end_step, initial_sparsity)``
    against ``mp.cubic_sparsity``."""
    checks.expect_callable(cubic_sparsity, "cubic_sparsity")
    rng = checks.rng()
    for step, final, begin, end, initial in _cubic_cases(rng, hidden):
        expected = mp.cubic_sparsity(step, final, begin, end, initial)
        what = (
            f"cubic_sparsity({step}, final_sparsity={final:.3f}, begin_step={begin}, "
            f"end_step={end}, initial_sparsity={initial:.3f})"
        )
        try:
            answer = _call(
                cubic_sparsity,
                step,
                final,
                begin,
                end,
                initial,
                funcs=_schedule_functions(),
                what=what,
            )
        except ZeroDivisionError:
            raise AssertionError(
                f"{what} divided by zero; when begin_step == end_step the schedule jumps "
                "straight to final_sparsity"
            ) from None
        value = checks.expect_float(answer, what=what)
        if _absolute(value - expected) <= 1e-9:
            continue
        if step <= begin and begin < end:
            hint = "before (and at) begin_step the target is initial_sparsity"
        elif step >= end:
            hint = "from end_step on the target is final_sparsity"
        else:
            hint = "inside the schedule: check the formula, its exponent 3 and its sign"
        raise AssertionError(f"{what} returned a wrong value; {hint}")
    checks.passed("cubic_sparsity")


# ------------------------------------------------------ prune-retrain loop
_DATA = {}


def _digits():
    """The digits split the loop is checked on (loaded once)."""
    if "digits" not in _DATA:
        _DATA["digits"] = mp.load_digits_split(rng=0)
    return _DATA["digits"]


def _fresh(data):
    """A copy of ``data`` that the learner may change without harming the checker."""
    return type(data)(**{k: v.copy() for k, v in vars(data).items()})


def _loop_cases(rng, hidden):
    """``(sparsity, rounds, epochs, budget)``; the budgets hold for the reference loop on
    every seed, with a margin, and fail for pruning without retraining at 0.95."""
    cases = [(0.9, 3, 3, 0.05)]
    if hidden:
        cases += [(0.95, 4, 3, 0.06), (0.5, 1, 2, 0.03)]
    return cases


def _expect_records(records, rounds, what):
    """The learner's list of ``(sparsity, accuracy)`` pairs, as floats."""
    if not _isinstance(records, list | tuple):
        kind = "None" if records is None else type(records).__name__
        raise AssertionError(
            f"{what} returned a {kind}; expected a list with one (sparsity, accuracy) per round"
        )
    if _len(records) != rounds:
        raise AssertionError(f"{what} returned {_len(records)} records for {rounds} rounds")
    out = []
    for k, record in enumerate(records, 1):
        if not _isinstance(record, tuple | list) or _len(record) != 2:
            raise AssertionError(f"{what}: record {k} is not a pair (sparsity, accuracy)")
        out.append(
            (
                checks.expect_float(record[0], what=f"the sparsity of round {k} of {what}"),
                checks.expect_float(record[1], what=f"the accuracy of round {k} of {what}"),
            )
        )
    return out


def check_prune_retrain(prune_retrain, hidden=False):
    """Check ``prune_retrain(net, data, sparsity, rounds, epochs, rng)``.

    Trains a 64-100-10 digits network, lets the learner prune and retrain it in
    place, then checks the masks (the target sparsity in the hidden layers, the
    pruned weights at zero, the output layer whole), the schedule of the rounds,
    the reported validation accuracies, and the accuracy budget: the final
    validation accuracy is at most ``budget`` below the dense network's.
    """
    checks.expect_callable(prune_retrain, "prune_retrain")
    rng = checks.rng()
    data = _digits()
    for sparsity, rounds, epochs, budget in _loop_cases(rng, hidden):
        seed = int(rng.integers(2**31))
        net = mp.Network([data.n_features, 100, data.n_classes], rng=seed)
        mp.train(
            net,
            data.X_train,
            data.y_train,
            epochs=15,
            optimizer=mp.SGD(lr=0.05, momentum=0.9),
            rng=seed,
            progress=False,
        )
        dense = net.accuracy(data.X_val, data.y_val)
        what = f"prune_retrain(net, data, sparsity={sparsity}, rounds={rounds}, epochs={epochs})"
        records = _expect_records(
            prune_retrain(net, _fresh(data), sparsity, rounds, epochs, rng=seed), rounds, what
        )
        hidden_layers = [net.layers[i] for i in mp.prunable_layers(net)]
        zeros = sum(int((layer.mask == 0).sum()) for layer in hidden_layers)
        total = sum(layer.mask.size for layer in hidden_layers)
        if zeros == 0:
            raise AssertionError(
                f"after {what} no mask holds a 0: prune net itself (in place) with mp.prune, "
                "which records the pruned weights in masks so that retraining cannot regrow them"
            )
        if any(int(((layer.mask == 0) & (layer.W != 0)).sum()) for layer in net.layers):
            raise AssertionError(f"after {what} some weights with mask 0 are not 0")
        if int((net.layers[-1].mask == 0).sum()):
            raise AssertionError(f"{what} pruned the output layer; prune the hidden layers only")
        if _absolute(zeros / total - sparsity) > 1e-3:
            raise AssertionError(
                f"after {what} the hidden layers are not pruned to the target sparsity"
            )
        for k, (reported, _) in enumerate(records, 1):
            target = 1.0 - (1.0 - sparsity) ** (k / rounds)
            if _absolute(reported - target) > 1e-3:
                raise AssertionError(
                    f"{what}: the sparsity after round {k} is not 1 - (1 - sparsity) ** (k / rounds)"
                    "; each round removes the same fraction of the surviving weights"
                )
        final = net.accuracy(data.X_val, data.y_val)
        if _absolute(records[-1][1] - final) > 1e-9:
            raise AssertionError(
                f"{what}: the last accuracy is not the validation accuracy of the returned "
                "network; measure it on data.X_val after the round's retraining"
            )
        if final < dense - budget:
            raise AssertionError(
                f"{what} lost more than {budget * 100:.0f} points of validation accuracy; "
                f"retrain for {epochs} epochs after every pruning step, with a fresh "
                "mp.SGD(lr=0.05, momentum=0.9)"
            )
    checks.passed("prune_retrain")
