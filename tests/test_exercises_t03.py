"""Properties of topic 03's exercise checks that tests/test_exercises.py cannot state."""

import numpy as np
import pytest
from topic_checks import always_equal, assert_hidden, liar, master, perturbed

import minprune as mp
from minprune_course.exercises import t03_layerwise, t03_masked_step, t03_predict, t03_threshold

M = master("03")


def sgd_step(W, dW, mask, velocity, lr, momentum):
    """A masked step taken by mp.SGD itself."""
    layer = mp.Dense(np.atleast_2d(W), np.zeros(np.atleast_2d(W).shape[1], W.dtype))
    layer.apply_mask(np.atleast_2d(mask))
    net = mp.Network.from_layers([layer])
    mp.SGD(lr, momentum).step(net, [{"W": np.atleast_2d(dW), "b": np.zeros_like(layer.b)}])
    return layer.W.reshape(W.shape), velocity


def test_masked_step_taken_by_mp_sgd_fails():
    """mp.SGD's step is switched off while the answer runs, and the hint says so."""
    with pytest.raises(AssertionError, match="switched off"):
        t03_masked_step.check(sgd_step)


def test_a_wrong_step_does_not_show_the_right_weights():
    """Slightly wrong weights fail without the hint giving the expected array."""
    wrong = perturbed(M.masked_sgd_step, lambda out: (out[0] * 1.01, out[1]))
    with pytest.raises(AssertionError, match="values differ at") as info:
        t03_masked_step.check(wrong)
    assert_hidden(str(info.value), wrong.expected[-1])


def test_a_wrong_mask_does_not_show_the_right_one():
    """A mask with one entry flipped fails without the hint showing the expected mask."""

    def flip_one(mask):
        mask = np.array(mask, dtype=float)
        mask.flat[1] = 1 - mask.flat[1]
        return mask

    wrong = perturbed(M.threshold_mask, flip_one)
    with pytest.raises(AssertionError, match="values differ at") as info:
        t03_threshold.check(wrong)
    assert_hidden(str(info.value), wrong.expected[-1])


def last_array_ties_reversed(Ws, sparsity):
    """Ties broken by the higher flat index in the last array only: no declared mistake."""
    masks = M.layerwise_sparsity_masks(Ws[:-1], sparsity)
    flat = np.abs(Ws[-1]).ravel()
    keep = np.ones(flat.size)
    keep[np.argsort(-flat, kind="stable")[::-1][: round(sparsity * flat.size)]] = 0
    return [*masks, keep.reshape(Ws[-1].shape)]


def test_ties_broken_another_way_get_the_tie_hint():
    """Any tie-breaking other than the lower flat index is named, not only the declared one."""
    with pytest.raises(AssertionError, match="a stable sort does this"):
        t03_layerwise.check(last_array_ties_reversed)


def test_predict_is_fair_on_every_seed():
    """On every network the check draws, the layer with the most inputs loses the largest
    share by at least 10 points, and it is neither the layer with the most weights nor the
    one with the most outputs, so each wrong choice fails on every seed."""
    for seed in range(30):
        for net, sparsity in t03_predict.cases(np.random.default_rng(seed), hidden=True):
            m = t03_predict.shares(net, sparsity)
            most = int(np.argmax(m["inputs"]))
            others = np.delete(m["pruned"], most)
            assert m["pruned"][most] > others.max() + 0.1, (seed, m["pruned"])
            assert np.ptp(m["pruned"]) > t03_predict.SAME + 0.1, (seed, m["pruned"])
            assert most != np.argmax(m["weights"]) and most != np.argmax(m["outputs"])


def test_predict_measures_with_the_engine():
    """The shares are mp.prune's: global pruning to the sparsity, the output layer left alone."""
    net, sparsity = next(t03_predict.cases(np.random.default_rng(0), hidden=False))
    m = t03_predict.shares(net, sparsity)
    pruned = np.dot(m["pruned"], m["weights"]) / m["weights"].sum()
    assert abs(pruned - sparsity) < 1e-3 and m["pruned"].size == len(net.layers) - 1


def test_predict_rejects_a_lying_answer():
    """An object that claims to equal anything is not one of the choices."""
    with pytest.raises(AssertionError, match="one of the strings"):
        t03_predict.check(always_equal)
    with pytest.raises(AssertionError):
        t03_predict.check(liar(lambda: "inputs"))


def test_predict_explains_with_the_measured_shares():
    """A wrong choice is told each layer's share, as measured, and why."""
    with pytest.raises(AssertionError, match=r"200 inputs, 16 outputs, 3200 weights\) lost \d+%"):
        t03_predict.check(lambda: "weights")
