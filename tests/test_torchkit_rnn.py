"""Tests of minprune.torchkit.rnn: gate-aware unit scores, unit removal, gradual weight pruning."""

import copy

import pytest
import torch
from torch import nn

from minprune.schedules import cubic_sparsity
from minprune.torchkit.counting import count_macs, count_parameters
from minprune.torchkit.rnn import (
    GATES,
    DigitsRNN,
    GradualRNNPruning,
    gate_rows,
    mask_units,
    rnn_macs,
    shrink_rnn,
    unit_scores,
)
from minprune.torchkit.training import fit

KEEPS = [[0, 2, 5], [1], [6, 0, 3, 4], list(range(7))]


def model(cell, hidden=7, seed=0, dtype=torch.float64):
    """A DigitsRNN with random weights and biases (not only its initialisation's scale)."""
    torch.manual_seed(seed)
    m = DigitsRNN(cell, hidden=hidden, num_classes=4, input_size=5).to(dtype)
    with torch.no_grad():
        for p in m.parameters():
            p.normal_()
    return m


def inputs(n=6, steps=9, seed=1, dtype=torch.float64):
    return torch.randn(n, steps, 5, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def hidden_states(rnn, x):
    return rnn(x)[0]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_digits_rnn_maps_sequences_to_logits(cell):
    """DigitsRNN takes (n, steps, 8) and returns (n, num_classes), its last state through fc."""
    m = DigitsRNN(cell, hidden=6)
    x = torch.randn(3, 8, 8)
    out, _ = m.rnn(x)
    assert m(x).shape == (3, 10)
    torch.testing.assert_close(m(x), m.fc(out[:, -1]))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_masked_unit_outputs_exactly_zero_at_every_step(cell):
    """A unit with zero gate rows and biases outputs exactly 0 at every step from h_0 = 0."""
    m = model(cell)
    drop = [1, 3]
    masked = mask_units(m, [j for j in range(7) if j not in drop])
    h = hidden_states(masked.rnn, inputs(steps=20))
    assert torch.equal(h[..., drop], torch.zeros_like(h[..., drop]))
    assert (h[..., [0, 2]] != 0).all()


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_rows_alone_silence_a_unit_so_its_columns_multiply_zero(cell):
    """Zeroing only a unit's gate rows and biases already gives the fully masked outputs."""
    m, keep = model(cell), [0, 2, 5]
    rows = gate_rows([j for j in range(7) if j not in keep], 7, cell)
    with torch.no_grad():
        for p in m.rnn.parameters():
            p[rows] = 0
    torch.testing.assert_close(m(inputs()), mask_units(m, keep)(inputs()), rtol=0, atol=0)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_zero_weights_with_biases_left_do_not_silence_a_unit(cell):
    """A unit whose weights are zero but whose biases are not outputs a nonzero sequence."""
    m = model(cell)
    with torch.no_grad():
        m.rnn.weight_ih_l0[gate_rows([0], 7, cell)] = 0
        m.rnn.weight_hh_l0[gate_rows([0], 7, cell)] = 0
    h = hidden_states(m.rnn, inputs())
    assert (h[..., 0] != 0).any()
    torch.testing.assert_close(h[..., 0], h[:1, :, 0].expand_as(h[..., 0]))  # same for every input


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("keep", KEEPS)
def test_shrunk_outputs_equal_masked_outputs(cell, keep):
    """shrink_rnn's logits equal mask_units' logits for every keep set, in any order."""
    m = model(cell)
    x = inputs()
    torch.testing.assert_close(
        shrink_rnn(m, keep)(x), mask_units(m, keep)(x), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_shrunk_hidden_states_are_the_kept_units_of_the_masked_ones(cell):
    """Every step's hidden state of the shrunk layer is the masked layer's at the kept units."""
    m, keep = model(cell), [6, 0, 3]
    x = inputs()
    torch.testing.assert_close(
        hidden_states(shrink_rnn(m, keep).rnn, x),
        hidden_states(mask_units(m, keep).rnn, x)[..., keep],
    )


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_shrunk_float32_model_matches_masked_within_rounding(cell):
    """In float32 the two agree to rounding: removed units added exact zeros."""
    m, keep = model(cell, dtype=torch.float32), [0, 2, 5]
    x = inputs(dtype=torch.float32)
    torch.testing.assert_close(shrink_rnn(m, keep)(x), mask_units(m, keep)(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("hidden,kept", [(7, 3), (16, 5), (4, 1)])
def test_shrunk_parameter_count(cell, hidden, kept):
    """A layer of size k has G*k*(I + k) + 2*G*k recurrent parameters and fc k*classes + classes."""
    m = model(cell, hidden=hidden)
    small = shrink_rnn(m, list(range(kept)))
    G = GATES[cell]
    assert small.rnn.hidden_size == kept and small.fc.in_features == kept
    assert count_parameters(small) == G * kept * (5 + kept) + 2 * G * kept + kept * 4 + 4


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_shrink_leaves_the_model_unchanged(cell):
    """shrink_rnn and mask_units return new models; the original keeps its weights."""
    m = model(cell)
    before = {k: v.clone() for k, v in m.state_dict().items()}
    shrink_rnn(m, [0, 1])
    mask_units(m, [0, 1])
    for k, v in m.state_dict().items():
        assert torch.equal(v, before[k])


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_shrink_without_biases(cell):
    """A recurrent layer and classifier without biases shrink to layers without biases."""
    m = model(cell)
    m.rnn = type(m.rnn)(5, 7, bias=False, batch_first=True).double()
    m.fc = nn.Linear(7, 4, bias=False).double()
    small = shrink_rnn(m, [1, 4])
    assert not small.rnn.bias and small.fc.bias is None
    torch.testing.assert_close(small(inputs()), mask_units(m, [1, 4])(inputs()))


def test_shrink_rejects_an_empty_keep():
    """Keeping no unit is refused with a sentence."""
    with pytest.raises(ValueError, match="keep is empty: removing all 7 hidden units"):
        shrink_rnn(model("lstm"), [])


@pytest.mark.parametrize("keep", [[0, 7], [-1, 2]])
def test_shrink_rejects_out_of_range_units(keep):
    """Indices outside [0, hidden) are refused."""
    with pytest.raises(ValueError, match=r"outside \[0, 7\)"):
        shrink_rnn(model("gru"), keep)


def test_shrink_rejects_repeated_units():
    """A unit kept twice is refused."""
    with pytest.raises(ValueError, match="keep holds index 1 twice"):
        shrink_rnn(model("gru"), [1, 1, 2])


def test_shrink_rejects_float_indices():
    """keep holds indices, not scores or a fraction."""
    with pytest.raises(TypeError, match="int indices of the hidden units to keep, got float"):
        shrink_rnn(model("gru"), [0.5])


def test_shrink_rejects_other_models():
    """shrink_rnn and mask_units take a DigitsRNN."""
    with pytest.raises(TypeError, match="must be a DigitsRNN"):
        shrink_rnn(nn.Linear(3, 3), [0])
    with pytest.raises(TypeError, match="must be a DigitsRNN"):
        mask_units(nn.LSTM(3, 3), [0])


def test_digits_rnn_rejects_a_bad_cell_and_size():
    """The cell is 'lstm' or 'gru'; the hidden size an int >= 1."""
    with pytest.raises(ValueError, match="must be 'lstm' or 'gru'"):
        DigitsRNN("rnn")
    with pytest.raises(ValueError, match="hidden=0 must be an int >= 1"):
        DigitsRNN("gru", hidden=0)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gate_rows_are_block_major(cell):
    """Units [2, 0] of a layer of 5 own rows 2, 0, 7, 5, 12, 10 (and 17, 15 for an LSTM)."""
    expected = [g * 5 + k for g in range(GATES[cell]) for k in (2, 0)]
    assert gate_rows([2, 0], 5, cell).tolist() == expected


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_unit_scores_equal_the_norm_of_every_weight_removed_with_the_unit(cell, kind):
    """Unit j's score is the norm of the set of weights that shrink_rnn removes with it."""
    m = model(cell)
    scores = unit_scores(m.rnn, kind)
    for j in range(7):
        rows = gate_rows([j], 7, cell)
        w_hh = m.rnn.weight_hh_l0.detach()
        others = [r for r in range(w_hh.shape[0]) if r not in rows.tolist()]
        removed = torch.cat([m.rnn.weight_ih_l0.detach()[rows].ravel(), w_hh[rows].ravel(),
                             w_hh[others, j]])  # fmt: skip
        ref = removed.abs().sum() if kind == "l1" else removed.norm()
        torch.testing.assert_close(scores[j], ref)


def test_unit_scores_count_every_gate_block():
    """A unit whose weights are large in one gate block only scores highest."""
    m = model("lstm")
    with torch.no_grad():
        m.rnn.weight_ih_l0[gate_rows([4], 7, "lstm")[3]] *= 100  # the output gate of unit 4
    assert int(unit_scores(m.rnn, "l2").argmax()) == 4


def test_unit_scores_rejects_bad_arguments():
    """The module is a one-layer nn.LSTM/nn.GRU and kind is 'l1' or 'l2'."""
    with pytest.raises(TypeError, match="pass model.rnn"):
        unit_scores(model("gru"))
    with pytest.raises(ValueError, match="one-layer"):
        unit_scores(nn.LSTM(3, 4, num_layers=2))
    with pytest.raises(ValueError, match="kind='linf'"):
        unit_scores(nn.GRU(3, 4), "linf")


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_rnn_macs_counts_the_two_matrix_products_per_step(cell):
    """G*H*(I+H) multiply-adds per step plus the classifier; count_macs agrees for a GRU."""
    m = DigitsRNN(cell, hidden=6, num_classes=10, input_size=8)
    assert rnn_macs(m, 8) == 8 * GATES[cell] * 6 * (8 + 6) + 6 * 10
    if cell == "gru":  # the CPU LSTM runs in one fused kernel the flop counter cannot see
        assert count_macs(m, torch.randn(2, 8, 8)) == rnn_macs(m, 8)


def test_gradual_pruning_reaches_the_schedule_and_keeps_pruned_weights_zero():
    """Weights pruned by the callback stay exactly 0 under SGD with momentum to the end."""
    torch.manual_seed(0)
    m = DigitsRNN("gru", hidden=8)
    X, y = torch.randn(64, 8, 8), torch.randint(0, 10, (64,))
    callback = GradualRNNPruning(0.75, begin_step=2, end_step=12, frequency=3)
    fit(m, X, y, epochs=4, batch_size=16, momentum=0.9, after_step=callback, seed=0)
    assert [s for s, _ in callback.history] == [2, 5, 8, 11, 12]
    assert callback.history[1][1] == cubic_sparsity(5, 0.75, 2, 12)
    for name in ("weight_ih_l0", "weight_hh_l0"):
        w = getattr(m.rnn, name)
        assert float((w == 0).float().mean()) == pytest.approx(0.75, abs=1 / w.numel())
        assert torch.equal(w == 0, callback.masks[name] == 0)
    assert (m.rnn.bias_ih_l0 != 0).all()


def test_gradual_pruning_rejects_a_bad_schedule():
    """The schedule's arguments are checked when the callback is made."""
    with pytest.raises(ValueError, match="end_step"):
        GradualRNNPruning(0.5, begin_step=10, end_step=5)
    with pytest.raises(ValueError, match="frequency=0"):
        GradualRNNPruning(0.5, begin_step=0, end_step=5, frequency=0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_shrink_mask_and_scores_on_a_gpu_match_the_cpu(cell):
    """On a CUDA device the shrunk model stays there and agrees with the masked one and the CPU."""
    m, keep, x = model(cell, dtype=torch.float32), [6, 0, 3], inputs(dtype=torch.float32)
    gpu = copy.deepcopy(m).cuda()
    small = shrink_rnn(gpu, torch.tensor(keep).cuda())
    assert small.fc.weight.is_cuda and small.rnn.weight_hh_l0.is_cuda
    with torch.backends.cudnn.flags(enabled=True, allow_tf32=False):  # full float32 products
        on_gpu = small(x.cuda())
        torch.testing.assert_close(on_gpu, mask_units(gpu, keep)(x.cuda()), rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(on_gpu.cpu(), shrink_rnn(m, keep)(x), rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(unit_scores(gpu.rnn, "l2").cpu(), unit_scores(m.rnn, "l2"))
