"""Checks of exercises 03 (magnitude pruning): usual mistakes get their hints, never the answer."""

import numpy as np
import pytest
from topic_checks import (
    assert_hidden,
    hint,
    liar_test,
    master,
    perturbed,
    pin_rng,
    run,
    wrong_answer_test,
)

import minprune as mp
from minprune_course import checks_03 as c

M = master("03")
OWN_WORK = "switched off while it runs"


# ------------------------------------------------------------- threshold
def at_least(W, threshold):
    return (np.abs(W) >= threshold).astype(float)


def signed(W, threshold):
    return (W > threshold).astype(float)


def inverted(W, threshold):
    return (np.abs(W) <= threshold).astype(float)


def pruned_weights(W, threshold):
    return W * (np.abs(W) > threshold)


# -------------------------------------------------------------- sparsity
def _lowest(scores, k, kind="stable"):
    keep = np.ones(scores.size)
    keep[np.argsort(scores, kind=kind)[:k]] = 0
    return keep


def _split(flat, Ws):
    ends = np.cumsum([W.size for W in Ws])[:-1]
    return [part.reshape(W.shape) for part, W in zip(np.split(flat, ends), Ws)]


def layer_unstable(Ws, sparsity):
    out = []
    for W in Ws:
        flat = np.abs(W).ravel()
        keep = np.ones(flat.size)
        keep[np.argsort(-flat, kind="stable")[::-1][: round(sparsity * flat.size)]] = 0
        out.append(keep.reshape(W.shape))
    return out


def layer_floor(Ws, sparsity):
    return [_lowest(np.abs(W).ravel(), int(sparsity * W.size)).reshape(W.shape) for W in Ws]


def layer_quantile(Ws, sparsity):
    return [(np.abs(W) > np.quantile(np.abs(W), sparsity)).astype(float) for W in Ws]


def layer_signed(Ws, sparsity):
    return [_lowest(W.ravel(), round(sparsity * W.size)).reshape(W.shape) for W in Ws]


def layer_inverted(Ws, sparsity):
    return [1 - m for m in M.layerwise_sparsity_masks(Ws, sparsity)]


def one_mask(Ws, sparsity):
    return M.layerwise_sparsity_masks(Ws, sparsity)[0]


def global_signed(Ws, sparsity):
    flat = np.concatenate([W.ravel() for W in Ws])
    return _split(_lowest(flat, round(sparsity * flat.size)), Ws)


def global_unstable(Ws, sparsity):
    flat = np.concatenate([np.abs(W).ravel() for W in Ws])
    keep = np.ones(flat.size)
    keep[np.argsort(-flat, kind="stable")[::-1][: round(sparsity * flat.size)]] = 0
    return _split(keep, Ws)


def global_floor(Ws, sparsity):
    flat = np.concatenate([np.abs(W).ravel() for W in Ws])
    return _split(_lowest(flat, int(sparsity * flat.size)), Ws)


# ------------------------------------------------------------ masked step
def velocity_unmasked(W, dW, mask, velocity, lr, momentum):
    v = momentum * velocity + dW * mask
    return (W - lr * v) * mask, v


def weights_unmasked(W, dW, mask, velocity, lr, momentum):
    v = (momentum * velocity + dW) * mask
    return W - lr * v, v


def no_momentum(W, dW, mask, velocity, lr, momentum):
    return (W - lr * dW * mask) * mask, velocity


def momentum_ignored(W, dW, mask, velocity, lr, momentum):
    v = (momentum * velocity + dW * mask) * mask
    return (W - lr * dW * mask) * mask, v


def step_float64(W, dW, mask, velocity, lr, momentum):
    W_new, v = M.masked_sgd_step(W, dW, mask, velocity, lr, momentum)
    return W_new.astype(np.float64), v


def step_single(W, dW, mask, velocity, lr, momentum):
    return M.masked_sgd_step(W, dW, mask, velocity, lr, momentum)[0]


# the visible check does not show every mistake (a floor that equals round, say): those
# are tested on the hidden battery; the visible draw is tested below for the others
WRONG = [
    (c.check_threshold_mask, at_least, False, "must be pruned (keep |w| > t)"),
    (c.check_threshold_mask, signed, True, "compare the magnitude |w|, not the signed w"),
    (c.check_threshold_mask, inverted, False, "the mask is inverted"),
    (c.check_threshold_mask, pruned_weights, True, "is not a mask"),
    # rarely the signed ranking ties the same way, and that hint comes first
    (
        c.check_layerwise_sparsity_masks,
        layer_unstable,
        True,
        ("a stable sort does this", "rank the magnitudes |w|"),
    ),
    (c.check_layerwise_sparsity_masks, layer_floor, True, "(Python's round)"),
    (
        c.check_layerwise_sparsity_masks,
        layer_quantile,
        True,
        ("(Python's round)", "this ranks all arrays together"),
    ),
    (c.check_layerwise_sparsity_masks, layer_signed, True, "rank the magnitudes |w|"),
    (c.check_layerwise_sparsity_masks, layer_inverted, False, "the masks are inverted"),
    (c.check_layerwise_sparsity_masks, one_mask, False, "expected a list of masks"),
    (c.check_layerwise_sparsity_masks, M.global_sparsity_masks, True, "ranks all arrays"),
    (c.check_global_sparsity_masks, M.layerwise_sparsity_masks, True, "prunes each array"),
    (c.check_global_sparsity_masks, global_signed, True, "rank the magnitudes |w|"),
    (c.check_global_sparsity_masks, global_floor, True, "(Python's round)"),
    (c.check_masked_sgd_step, weights_unmasked, True, "multiply the new weights by the mask"),
    (c.check_masked_sgd_step, no_momentum, False, "the velocity came back unchanged"),
    (c.check_masked_sgd_step, step_single, False, "expected a tuple (W, velocity)"),
]


test_a_wrong_answer_gets_its_hint = wrong_answer_test(WRONG)


def test_an_unstable_global_ranking_gets_its_hint(monkeypatch):
    """Breaking ties by anything but flat index is named (on a draw with a tie at the cut)."""
    pin_rng(monkeypatch, 0)
    with pytest.raises(AssertionError, match=hint("a stable sort does this")):
        run(c.check_global_sparsity_masks, global_unstable, hidden=True)


SEEDS = range(200)  # include draws that once missed these mistakes: 2, 11, 63, 79 and 353


@pytest.mark.parametrize("hidden", [False, True], ids=["visible", "hidden"])
def test_global_sparsity_always_has_a_tie_at_the_cut(hidden, monkeypatch):
    """Every draw has a tie at the cut that an unstable sort breaks the wrong way."""
    for seed in SEEDS:
        pin_rng(monkeypatch, seed)
        with pytest.raises(AssertionError, match=hint("a stable sort does this")):
            run(c.check_global_sparsity_masks, global_unstable, hidden=hidden)


@pytest.mark.parametrize(
    ("check", "answer", "text"),
    [
        (c.check_threshold_mask, signed, "compare the magnitude |w|, not the signed w"),
        (c.check_layerwise_sparsity_masks, layer_unstable, "a stable sort does this"),
        (c.check_layerwise_sparsity_masks, M.global_sparsity_masks, "this ranks all arrays"),
        (c.check_layerwise_sparsity_masks, layer_signed, "rank the magnitudes |w|"),
        (c.check_global_sparsity_masks, M.layerwise_sparsity_masks, "prunes each array"),
        (c.check_global_sparsity_masks, global_unstable, "a stable sort does this"),
        (c.check_global_sparsity_masks, global_signed, "rank the magnitudes |w|"),
    ],
    ids=[
        "threshold-signed",
        "layer-unstable",
        "layer-as-global",
        "layer-signed",
        "global-as-layer",
        "global-unstable",
        "global-signed",
    ],
)
def test_the_visible_draw_shows_the_usual_mistakes(check, answer, text, monkeypatch):
    """The visible check alone fails each usual mistake with its hint, whatever it draws."""
    for seed in SEEDS:
        pin_rng(monkeypatch, seed)
        with pytest.raises(AssertionError, match=hint(text)):
            run(check, answer)


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (c.check_threshold_mask, M.threshold_mask),
        (c.check_layerwise_sparsity_masks, M.layerwise_sparsity_masks),
        (c.check_global_sparsity_masks, M.global_sparsity_masks),
    ],
    ids=["threshold", "layerwise", "global"],
)
def test_the_master_passes_every_draw(check, answer, monkeypatch):
    """The planted weights and ties never make the right answer fail."""
    for seed in SEEDS:
        pin_rng(monkeypatch, seed)
        run(check, answer, hidden=True)


test_wrong_numbers_that_claim_equality_fail = liar_test(
    [
        (c.check_threshold_mask, M.threshold_mask),
        (c.check_layerwise_sparsity_masks, M.layerwise_sparsity_masks),
        (c.check_global_sparsity_masks, M.global_sparsity_masks),
        (c.check_masked_sgd_step, M.masked_sgd_step),
    ],
    hidden=True,
)


def _sgd_step(W, dW, mask, velocity, lr, momentum):
    net = mp.Network.from_weights([np.atleast_2d(W)], [np.zeros(np.shape(W)[-1])], ["identity"])
    mp.SGD(lr, momentum).step(net, [{"W": np.atleast_2d(dW), "b": np.zeros(np.shape(W)[-1])}])
    return net.layers[0].W.reshape(W.shape), velocity


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (c.check_threshold_mask, lambda W, t: mp.threshold_masks([np.abs(W)], t)[0]),
        (c.check_layerwise_sparsity_masks, lambda Ws, s: mp.sparsity_masks(Ws, s, scope="layer")),
        (c.check_global_sparsity_masks, lambda Ws, s: mp.sparsity_masks(Ws, s, scope="global")),
        (c.check_masked_sgd_step, _sgd_step),
    ],
    ids=["threshold", "layerwise", "global", "sgd"],
)
def test_calling_minprune_is_switched_off(check, answer):
    """An answer that calls minprune's own selectors or optimiser fails and is told why."""
    with pytest.raises(AssertionError, match=OWN_WORK):
        run(check, answer)


def test_a_wrong_step_does_not_show_the_right_weights():
    """Slightly wrong weights after a step fail without the hint giving the expected array."""
    wrong = perturbed(M.masked_sgd_step, lambda out: (out[0] * 1.01, out[1]))
    with pytest.raises(AssertionError, match="values differ at") as info:
        run(c.check_masked_sgd_step, wrong)
    assert_hidden(str(info.value), wrong.expected[-1])


def test_a_wrong_mask_does_not_show_the_right_one():
    """A mask with one entry flipped fails without the hint showing the expected mask."""

    def flip_one(mask):
        mask = mask.copy()
        mask.flat[1] = 1 - mask.flat[1]
        return mask

    wrong = perturbed(M.threshold_mask, flip_one)
    with pytest.raises(AssertionError) as info:
        run(c.check_threshold_mask, wrong)
    expected = wrong.expected[-1]
    assert repr(expected) not in str(info.value) and str(expected) not in str(info.value)


@pytest.mark.parametrize(
    ("answer", "hidden", "text"),
    [
        (M.masked_sgd_step, False, None),
        (velocity_unmasked, True, "mask the velocity too"),
        (momentum_ignored, False, "this is a step without momentum"),
        (step_float64, True, "keep the weights' dtype"),
    ],
    ids=["master", "velocity_unmasked", "momentum_ignored", "step_float64"],
)
def test_masked_step_compares_with_a_masked_velocity(answer, hidden, text, monkeypatch):
    """The right step passes, and mistakes after the first comparison get their hints."""
    pin_rng(monkeypatch, 0)
    if text is None:
        run(c.check_masked_sgd_step, answer, hidden=hidden)
    else:
        with pytest.raises(AssertionError, match=hint(text)):
            run(c.check_masked_sgd_step, answer, hidden=hidden)
