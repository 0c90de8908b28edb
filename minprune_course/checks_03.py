"""Checks for the exercises of lesson 03, magnitude pruning.

Each check draws fresh random inputs (a new seed on every call, so a hard-coded
answer fails), computes the reference with ``minprune`` first, calls the
learner's function on copies of the inputs and raises ``AssertionError`` with a
hint that names the mistake, never the expected masks::

    checks_03.check_threshold_mask(threshold_mask)               # the visible check
    checks_03.check_threshold_mask(threshold_mask, hidden=True)  # the longer battery

With ``hidden=True`` a check runs more cases: 1-D to 3-D arrays, float32
weights, exact ties, a sparsity or threshold of 0, a target that is exactly a
half (``round`` rounds it to even) and, for the masked step, a mask that shrinks
between steps.

While the learner's function runs, minprune's own selectors and optimiser steps
raise an ``AssertionError``: the exercises ask for NumPy code, and an answer that
only calls the reference would pass any comparison with it.
"""

import numpy as np

import minprune as mp
from minprune import layers, optim, pruning

from . import checks

__all__ = [
    "check_threshold_mask",
    "check_layerwise_sparsity_masks",
    "check_global_sparsity_masks",
    "check_masked_sgd_step",
]

_absolute = np.absolute
_asarray = np.asarray
_float32 = np.float32
_float64 = np.float64
_ndarray = np.ndarray
_unique = np.unique
_isin = np.isin
_zeros = np.zeros
_concatenate = np.concatenate


# ------------------------------------------------------------ own work only
_BLOCKED = (  # the hint when the learner's code calls minprune's own answer
    "this exercise asks for your own NumPy code: minprune's pruning and optimiser "
    "functions are what the check compares your answer with, so they are switched "
    "off while it runs"
)


def _reference_functions():
    """minprune's functions that answer these exercises by themselves."""
    return [
        pruning.threshold_masks,
        pruning.sparsity_masks,
        pruning._prune_lowest,
        pruning.std_masks,
        pruning.apply_masks,
        pruning.prune,
        layers.Dense.apply_mask,
        optim.Optimizer.step,
        optim.SGD.update,
        optim.Adam.update,
    ]


def _call(fn, *args, what):
    """``checks.call`` with minprune's reference functions switched off."""
    return checks.call(fn, *args, what=what, without=_reference_functions(), hint=_BLOCKED)


# ----------------------------------------------------------------- inputs
def _weights(rng, shape, dtype=_float64, ties=False):
    """Random weights of ``shape`` at a random scale; with ``ties``, rounded to a coarse grid."""
    scale = float(rng.uniform(0.05, 2.0))
    W = rng.normal(scale=scale, size=shape)
    if ties:
        step = scale / 2
        W = np.round(W / step) * step  # many equal magnitudes, including exact zeros
    return W.astype(dtype)


def _shape(rng):
    return tuple(int(n) for n in rng.integers(2, 9, size=2))


def _where(Ws):
    """Describe the arrays the checker used, for hints."""
    if isinstance(Ws, _ndarray):
        return f"W of shape {Ws.shape}, dtype {Ws.dtype}"
    return f"{len(Ws)} arrays of shapes {[W.shape for W in Ws]}"


def _expect_list(answer, n, what):
    """The learner's list (or tuple) of ``n`` masks."""
    if not isinstance(answer, list | tuple):
        raise AssertionError(
            f"{what} returned a {type(answer).__name__}; expected a list of masks, one per array"
        )
    if len(answer) != n:
        raise AssertionError(f"{what} returned {len(answer)} masks for {n} arrays")
    return answer


# --------------------------------------------------------------- threshold
def _threshold_cases(rng, hidden):
    """``(W, threshold)`` pairs; some weights sit exactly at +-threshold."""
    W = _weights(rng, _shape(rng))
    cases = [(W, float(np.median(_absolute(W))))]
    if hidden:
        cases += [
            (_weights(rng, (int(rng.integers(3, 12)),)), float(rng.uniform(0.0, 1.0))),
            (_weights(rng, (2, 3, 4)), float(rng.uniform(0.0, 1.0))),
            (_weights(rng, _shape(rng), dtype=_float32), float(rng.uniform(0.0, 0.5))),
            (_weights(rng, _shape(rng), ties=True), 0.0),
            (_zeros(_shape(rng)), 0.0),
        ]
    out = []
    for W, threshold in cases:
        # a threshold the weights' dtype holds exactly, so a tie is a tie in any precision
        threshold = float(W.dtype.type(threshold))
        if W.size >= 2 and threshold > 0:
            W.flat[0], W.flat[-1] = threshold, -threshold
        if W.size >= 3 and threshold > 0:
            # a weight below -threshold, which comparing the signed w would prune
            W.flat[1] = -threshold * rng.uniform(1.5, 3.0)
        out.append((W, threshold))
    return out


def check_threshold_mask(threshold_mask, hidden=False):
    """Check ``threshold_mask(W, threshold)``: 1 where ``|w| > threshold``, else 0."""
    checks.expect_callable(threshold_mask, "threshold_mask")
    rng = checks.rng()
    for W, threshold in _threshold_cases(rng, hidden):
        expected = mp.threshold_masks([_absolute(W)], threshold)[0]
        what = f"threshold_mask(W, {threshold:.3g}) with {_where(W)}"
        answer = _call(threshold_mask, W, threshold, what=what)
        mask = checks.expect_mask(answer, shape=W.shape, what=what)
        a = _absolute(W)
        if ((mask != expected) & (a == threshold)).any() and (mask == (a >= threshold)).all():
            raise AssertionError(
                f"{what}: a weight with |w| equal to the threshold must be pruned (keep |w| > t)"
            )
        if threshold > 0 and (mask == (W > threshold)).all() and (mask != expected).any():
            raise AssertionError(f"{what}: compare the magnitude |w|, not the signed w")
        if (mask == 1 - expected).all():
            raise AssertionError(f"{what}: the mask is inverted; 1 means the weight is kept")
        checks.expect_equal(mask, expected, what=what)
    checks.passed("threshold_mask")


# ---------------------------------------------------------------- sparsity
def _tie_at_cut(W, k):
    """Give the smallest kept ``|w|`` of ``W`` the magnitude of the largest pruned one.

    ``k`` weights are pruned, ``0 < k < W.size``: the two equal magnitudes then sit on
    both sides of the cut, and only the lower flat index may be pruned.
    """
    order = np.argsort(_absolute(W).ravel(), kind="stable")
    low, high = W.flat[order[k - 1]], W.flat[order[k]]
    W.flat[order[k]] = _absolute(low) if high >= 0 else -_absolute(low)


def _tie_straddles(Ws, masks):
    """True when some pruned weight has the magnitude of a kept one in the same group."""
    a = _concatenate([_absolute(W).ravel() for W in Ws])
    m = _concatenate([mask.ravel() for mask in masks])
    return bool((m == 0).any() and (m == 1).any() and a[m == 0].max() == a[m == 1].min())


def _shows_mistakes(Ws, sparsity):
    """True when the case tells each usual mistake of both scopes from the answer.

    The layer-wise and the global masks differ; a tie straddles the global cut and the
    cut of some array (an unstable sort breaks it the wrong way); and ranking the signed
    weights prunes other weights, in both scopes.
    """
    scores = [_absolute(W) for W in Ws]
    layer = pruning.sparsity_masks(scores, sparsity, scope="layer")
    whole = pruning.sparsity_masks(scores, sparsity, scope="global")
    if not any((a != b).any() for a, b in zip(layer, whole)):
        return False
    if not _tie_straddles(Ws, whole):
        return False
    if not any(_tie_straddles([W], [m]) for W, m in zip(Ws, layer)):
        return False
    for scope, masks in (("layer", layer), ("global", whole)):
        signed = pruning.sparsity_masks(Ws, sparsity, scope=scope)
        if not any((a != b).any() for a, b in zip(signed, masks)):
            return False
    return True


def _visible_sparsity_case(rng):
    """One list of arrays, with ties at the cuts, that shows every usual mistake."""
    for _ in range(1000):
        n_arrays = int(rng.integers(2, 4))
        sparsity = float(rng.choice([0.3, 0.5, 0.6, 0.7, 0.8]))
        Ws = [_weights(rng, _shape(rng), ties=True) for _ in range(n_arrays)]
        for W in Ws:
            _tie_at_cut(W, round(sparsity * W.size))
        n = sum(W.size for W in Ws)
        flat = _concatenate([W.ravel() for W in Ws])
        _tie_at_cut(flat, round(sparsity * n))
        ends = np.cumsum([W.size for W in Ws])[:-1]
        Ws = [part.reshape(W.shape) for part, W in zip(np.split(flat, ends), Ws)]
        if _shows_mistakes(Ws, sparsity):
            break
    return Ws, sparsity


def _sparsity_cases(rng, hidden):
    """``(Ws, sparsity)`` pairs: lists of weight arrays, most with tied magnitudes."""
    cases = [_visible_sparsity_case(rng)]
    if hidden:
        cases += [
            ([_weights(rng, _shape(rng)) for _ in range(3)], float(rng.uniform(0.05, 0.95))),
            ([_weights(rng, (int(rng.integers(3, 12)),), ties=True)], float(rng.uniform(0.1, 0.9))),
            ([_weights(rng, (2, 3, 4), ties=True), _weights(rng, (5, 2))], 0.4),
            ([_weights(rng, _shape(rng), dtype=_float32, ties=True) for _ in range(2)], 0.55),
            ([_weights(rng, (2, 5)), _weights(rng, (10,))], 0.25),  # 2.5 and 5.0 weights
            ([_weights(rng, _shape(rng), ties=True) for _ in range(2)], 0.0),
            ([_weights(rng, (3, 3), ties=True), _weights(rng, (4, 4)) * 100], 0.9),
        ]
    return cases


def _same_magnitudes_kept(Ws, masks, expected, scope):
    """True when ``masks`` keep the same multiset of magnitudes as ``expected`` (ties differ)."""

    def kept(arrays, ms):
        return np.sort(
            _concatenate([_absolute(W)[m == 1].astype(_float64) for W, m in zip(arrays, ms)])
        )

    groups = (
        [(Ws, masks, expected)]
        if scope == "global"
        else [([W], [m], [e]) for W, m, e in zip(Ws, masks, expected)]
    )
    for arrays, ms, es in groups:
        a, b = kept(arrays, ms), kept(arrays, es)
        if a.shape != b.shape or (a != b).any():
            return False
    return True


def _check_sparsity_masks(fn, name, scope, hidden):
    """Shared body of the layer-wise and the global checks."""
    checks.expect_callable(fn, name)
    rng = checks.rng()
    for Ws, sparsity in _sparsity_cases(rng, hidden):
        scores = [_absolute(W) for W in Ws]
        expected = pruning.sparsity_masks(scores, sparsity, scope=scope)
        what = f"{name}(Ws, {sparsity:.3g}) with {_where(Ws)}"
        answer = _expect_list(_call(fn, Ws, sparsity, what=what), len(Ws), what)
        masks = [
            checks.expect_mask(m, shape=W.shape, what=f"mask {j} of {what}")
            for j, (m, W) in enumerate(zip(answer, Ws))
        ]
        if all((m == 1 - e).all() for m, e in zip(masks, expected)):
            raise AssertionError(f"{what}: the masks are inverted; 1 means the weight is kept")
        other = "global" if scope == "layer" else "layer"
        other_masks = pruning.sparsity_masks(scores, sparsity, scope=other)
        differs = any((e != o).any() for e, o in zip(expected, other_masks))
        if differs and all((m == o).all() for m, o in zip(masks, other_masks)):
            if scope == "layer":
                hint = "this ranks all arrays together; prune each array on its own"
            else:
                hint = "this prunes each array on its own; rank all arrays together"
            raise AssertionError(f"{what}: {hint}")
        if scope == "layer":
            for j, (m, e) in enumerate(zip(masks, expected)):
                if int((m == 0).sum()) != int((e == 0).sum()):
                    raise AssertionError(
                        f"mask {j} of {what} prunes {int((m == 0).sum())} of {m.size} weights; "
                        "each array loses round(sparsity * n) of its n weights (Python's round)"
                    )
        else:
            pruned = sum(int((m == 0).sum()) for m in masks)
            if pruned != sum(int((e == 0).sum()) for e in expected):
                n = sum(W.size for W in Ws)
                raise AssertionError(
                    f"{what} prunes {pruned} of {n} weights in all; the arrays together lose "
                    "round(sparsity * n) of their n weights (Python's round)"
                )
        if any((m != e).any() for m, e in zip(masks, expected)):
            signed = pruning.sparsity_masks([W.astype(_float64) for W in Ws], sparsity, scope)
            if all((m == s).all() for m, s in zip(masks, signed)):
                raise AssertionError(f"{what}: rank the magnitudes |w|, not the signed w")
            if _same_magnitudes_kept(Ws, masks, expected, scope):
                order = "row-major through each array" + (
                    ", the arrays in list order" if scope == "global" else ""
                )
                raise AssertionError(
                    f"{what}: the right magnitudes are kept but not the right weights among equal "
                    f"magnitudes; prune the lower flat index first ({order}): a stable sort "
                    "does this"
                )
        for j, (m, e) in enumerate(zip(masks, expected)):
            checks.expect_equal(m, e, what=f"mask {j} of {what}")
    checks.passed(name)


def check_layerwise_sparsity_masks(layerwise_sparsity_masks, hidden=False):
    """Check ``layerwise_sparsity_masks(Ws, sparsity)`` against ``sparsity_masks(scope="layer")``."""
    _check_sparsity_masks(layerwise_sparsity_masks, "layerwise_sparsity_masks", "layer", hidden)


def check_global_sparsity_masks(global_sparsity_masks, hidden=False):
    """Check ``global_sparsity_masks(Ws, sparsity)`` against ``sparsity_masks(scope="global")``."""
    _check_sparsity_masks(global_sparsity_masks, "global_sparsity_masks", "global", hidden)


# ------------------------------------------------------------ masked step
def _unpack(out, what):
    """The learner's ``(W, velocity)`` pair."""
    if not isinstance(out, tuple | list) or len(out) != 2:
        kind = type(out).__name__
        n = f" of length {len(out)}" if isinstance(out, tuple | list) else ""
        raise AssertionError(f"{what} returned a {kind}{n}; expected a tuple (W, velocity)")
    return out


def _step_cases(rng, hidden):
    """``(W, masks, lr, momentum, dtype)``: ``masks[t]`` is the mask at step ``t``."""

    def shrinking(shape, steps, dtype):
        mask = (rng.random(shape) < rng.uniform(0.3, 0.8)).astype(dtype)
        masks = [mask]
        for _ in range(steps - 1):
            masks.append(masks[-1] * (rng.random(shape) < 0.7).astype(dtype))
        return masks

    shape = _shape(rng)
    W = _weights(rng, shape)  # not zeroed where the mask is 0: the step must do it
    mask = (rng.random(shape) < 0.5).astype(_float64)
    cases = [(W, [mask] * 3, float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.5, 0.95)))]
    if hidden:
        shape = _shape(rng)
        n = int(rng.integers(3, 12))
        cases += [
            (_weights(rng, shape), shrinking(shape, 4, _float64), 0.1, 0.9),
            (_weights(rng, (n,)), [(rng.random(n) < 0.5).astype(_float64)] * 2, 0.05, 0.0),
        ]
        shape = _shape(rng)
        cases += [
            (_weights(rng, shape, dtype=_float32), shrinking(shape, 3, _float32), 0.2, 0.8),
            (_weights(rng, shape), [np.ones(shape)] * 2, 0.3, 0.5),
        ]
    return cases


def _reference_net(W, mask):
    """A one-layer network holding ``W`` and ``mask`` (``W`` is zeroed where pruned)."""
    dense = layers.Dense(W.copy(), _zeros(W.shape[-1], dtype=W.dtype), "identity", mask.copy())
    return mp.Network.from_layers([dense])


def check_masked_sgd_step(masked_sgd_step, hidden=False):
    """Check ``masked_sgd_step`` over several steps against ``mp.SGD`` on a masked layer."""
    checks.expect_callable(masked_sgd_step, "masked_sgd_step")
    rng = checks.rng()
    for W, masks, lr, momentum in _step_cases(rng, hidden):
        W2 = W if W.ndim == 2 else W.reshape(1, -1)
        m2 = [m if m.ndim == 2 else m.reshape(1, -1) for m in masks]
        net = _reference_net(W2, m2[0])
        opt = mp.SGD(lr=lr, momentum=momentum)
        W_t, v_t = W.copy(), _zeros(W.shape, dtype=W.dtype)
        tol = 1e-5 if W.dtype == _float32 else 1e-9
        for t, mask in enumerate(masks):
            net.layers[0].apply_mask(m2[t])
            dW = rng.normal(size=W.shape).astype(W.dtype)
            opt.step(net, [{"W": dW.reshape(W2.shape), "b": _zeros(W2.shape[1], dtype=W.dtype)}])
            W_ref = net.layers[0].W.reshape(W.shape)
            state = opt.state.get((0, "W"))
            v_ref = state[0].reshape(W.shape) if momentum else None
            what = (
                f"masked_sgd_step(W, dW, mask, velocity, lr={lr:.3g}, momentum={momentum:.3g}) "
                f"at step {t + 1} with {_where(W)}"
            )
            out = _unpack(_call(masked_sgd_step, W_t, dW, mask, v_t, lr, momentum, what=what), what)
            W_new = checks.expect_array(out[0], shape=W.shape, what=f"the W of {what}")
            v_new = checks.expect_array(out[1], shape=W.shape, what=f"the velocity of {what}")
            pruned = mask == 0
            if (W_new[pruned] != 0).any():
                raise AssertionError(
                    f"{what}: {int((W_new[pruned] != 0).sum())} pruned weights are not exactly 0 "
                    "after the step; multiply the new weights by the mask"
                )
            if momentum and (v_new[pruned] != 0).any():
                raise AssertionError(
                    f"{what}: the velocity of {int((v_new[pruned] != 0).sum())} pruned weights "
                    "is not 0; mask the velocity too, or it carries old gradients along"
                )
            if (
                momentum
                and (v_new == v_t).all()
                and not (_absolute(v_new - v_ref) <= 1e-12 + tol * _absolute(v_ref)).all()
            ):
                raise AssertionError(
                    f"{what}: the velocity came back unchanged; return the updated velocity"
                )
            close = _absolute(W_new - W_ref) <= 1e-12 + tol * _absolute(W_ref)
            if not close.all():
                plain = (W_t - lr * dW) * mask
                if momentum and t > 0 and (_absolute(W_new - plain) <= 1e-9 + tol).all():
                    raise AssertionError(
                        f"{what}: this is a step without momentum; velocity = momentum * "
                        "velocity + masked gradient, then W -= lr * velocity"
                    )
            checks.expect_close(W_new, W_ref, what=f"the W of {what}", rtol=tol, atol=1e-12)
            if momentum:
                checks.expect_close(
                    v_new, v_ref, what=f"the velocity of {what}", rtol=tol, atol=1e-12
                )
            if not isinstance(out[0], _ndarray) or out[0].dtype != W.dtype:
                got = getattr(out[0], "dtype", type(out[0]).__name__)
                raise AssertionError(
                    f"the W of {what} has dtype {got} for {W.dtype} weights; keep the weights' dtype"
                )
            W_t = W_ref.copy()
            v_t = v_ref.copy() if momentum else _zeros(W.shape, dtype=W.dtype)
    checks.passed("masked_sgd_step")
