"""Topic 00's predict-then-check exercise: properties the generic tests cannot state."""

import numpy as np
import pytest
from topic_checks import always_equal, liar

from minprune_course.exercises import t00_predict


def test_predict_is_fair_on_every_seed():
    """Every network the check draws leaves exactly all of the dense multiply-adds after
    masking and exactly a quarter after removing 75% of the hidden neurons."""
    for seed in range(30):
        for sizes, net_seed in t00_predict.cases(np.random.default_rng(seed), hidden=True):
            assert sizes[1] % 4 == 0, sizes
            assert t00_predict.measure(sizes, net_seed) == (1.0, 0.25), sizes


def test_predict_masks_zero_the_weights_they_are_said_to():
    """The masked network is 75% zeros and does a quarter of the multiply-adds in a sparse
    kernel: the prompt's pruning really happened, it just saves no dense work."""
    import minprune as mp

    sizes, net_seed = next(t00_predict.cases(np.random.default_rng(0), hidden=False))
    net = mp.Network(sizes, dtype="float64", rng=net_seed)
    masked = mp.prune(net.copy(), sparsity=0.75, include_output=True)
    assert abs(mp.sparsity(masked, include_output=True) - 0.75) < 0.01
    assert abs(mp.count_macs(masked, effective=True) / mp.count_macs(net) - 0.25) < 0.01


def test_predict_rejects_a_lying_answer():
    """An object that claims to equal anything is not a pair of numbers."""
    with pytest.raises(AssertionError, match="pair of two numbers"):
        t00_predict.check(always_equal)
    with pytest.raises(AssertionError):
        t00_predict.check(liar(lambda: (1.0, 0.25)))


def test_predict_explains_with_the_measured_fractions():
    """A wrong number is told the fractions the check measured and why."""
    with pytest.raises(AssertionError, match=r"measured fractions are \(1\.00, 0\.25\)"):
        t00_predict.check(lambda: (1.0, 0.5))
