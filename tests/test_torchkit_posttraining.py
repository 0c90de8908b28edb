"""Tests of minprune.torchkit.posttraining against independent references.

SparseGPT is checked against a brute-force optimal brain surgeon: for the mask it
chose, the kept weights of each row must be what the normal equations of the
layer's (dampened) least-squares error give, column after column. Wanda's mask is
checked against a direct NumPy computation.
"""

import numpy as np
import pytest
import torch

from minprune.pruning import sparsity_masks
from minprune.torchkit.gpt import TinyGPT
from minprune.torchkit.posttraining import (
    METHODS,
    calibration_inputs,
    head_scores,
    hessian,
    inverse_hessian_cholesky,
    magnitude_scores,
    mask_structured,
    mlp_unit_scores,
    obs_column_update,
    prunable_layers,
    prune_model,
    reconstruction_error,
    select_n_m,
    select_per_layer,
    select_per_row,
    shrink,
    sparsegpt,
    wanda_scores,
)
from minprune.torchkit.semistructured import is_2to4, mask_2to4


def layer(out=5, inp=12, n=40, seed=0):
    """A random float64 weight and calibration inputs with features of unequal scale."""
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(out, inp, generator=g, dtype=torch.float64)
    scale = torch.exp(torch.randn(inp, generator=g, dtype=torch.float64))
    X = torch.randn(n, inp, generator=g, dtype=torch.float64) * scale
    return W, X


def tiny(seed=0):
    torch.manual_seed(seed)
    model = TinyGPT(11, d_model=16, n_heads=4, n_layers=2, d_ff=24, context=8).double().eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return model


def tokens(batch=6, T=8, seed=1):
    return torch.randint(11, (batch, T), generator=torch.Generator().manual_seed(seed))


def brute_force_obs(w, removed, H):
    """The kept weights SparseGPT's column order makes optimal, by the normal equations.

    Going left to right, columns before ``k`` are final; the columns ``k, k+1, ...``
    minimise ``delta^T H delta`` given them, ``H_FF delta_F = -H_{F,<k} delta_<k``.
    A removed column's change is ``-w_k``; a kept one's is the first entry of that
    solution.
    """
    d = len(w)
    delta = torch.zeros(d, dtype=torch.float64)
    for k in range(d):
        if removed[k]:
            delta[k] = -w[k]
        elif k > 0:
            rhs = -(H[k:, :k] @ delta[:k])
            delta[k] = torch.linalg.solve(H[k:, k:], rhs)[0]
    return w + delta


# ------------------------------------------------------------------ OBS and SparseGPT
def test_one_column_update_is_the_closed_form_obs_solution():
    """Removing column 0 changes every other weight of a row by the constrained least-squares
    optimum: H_KK delta_K = H_K0 w_0 (the normal equations with delta_0 = -w_0)."""
    W, X = layer()
    H = hessian(X, damp=0.01)
    got = obs_column_update(W, inverse_hessian_cholesky(H), 0)
    K = slice(1, None)
    expected = W.clone()
    expected[:, 0] = 0
    expected[:, K] = W[:, K] + torch.linalg.solve(H[K, K], H[K, :1] @ W[:, :1].T).T
    assert torch.allclose(got, expected, rtol=1e-9, atol=1e-11)
    assert torch.all(got[:, 0] == 0)


def test_a_later_column_update_leaves_earlier_columns_and_is_optimal_over_later_ones():
    """Column j > 0: columns before j stay; the later ones solve H_{>j,>j} delta = H_{>j,j} w_j."""
    W, X = layer(seed=1)
    H = hessian(X, damp=0.01)
    j = 5
    remove = torch.tensor([True, False, True, True, False])
    got = obs_column_update(W, inverse_hessian_cholesky(H), j, remove)
    R = slice(j + 1, None)
    expected = W.clone()
    expected[remove, j] = 0
    fix = torch.linalg.solve(H[R, R], H[R, j : j + 1] @ W[remove, j : j + 1].T).T
    expected[remove, R] += fix
    assert torch.allclose(got, expected, rtol=1e-9, atol=1e-11)
    assert torch.equal(got[:, :j], W[:, :j])


def test_obs_column_update_leaves_its_arguments():
    """W and U are left as they were."""
    W, X = layer()
    U = inverse_hessian_cholesky(hessian(X))
    W0, U0 = W.clone(), U.clone()
    obs_column_update(W, U, 3)
    assert torch.equal(W, W0) and torch.equal(U, U0)


def test_cholesky_rows_are_the_inverse_hessians_of_the_remaining_columns():
    """U[j, j]^2 = [H_F^-1]_jj and U[j, F] U[j, j] = [H_F^-1]_{j,F} for F = {j, j+1, ...}."""
    _, X = layer(inp=7)
    H = hessian(X)
    U = inverse_hessian_cholesky(H)
    for j in range(7):
        Hinv_F = torch.linalg.inv(H[j:, j:])
        assert torch.allclose(U[j, j:] * U[j, j], Hinv_F[0], rtol=1e-9)


@pytest.mark.parametrize("block", [1, 4, 5, 12, 32])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sparsegpt_equals_brute_force_obs_for_its_mask(block, seed):
    """Whole layer, unstructured 50%: for the mask SparseGPT chose, its kept weights equal the
    brute-force sequential OBS solution, whatever the block size of the lazy updates; each
    block of columns loses round(0.5 * its size)."""
    W, X = layer(seed=seed)
    got = sparsegpt(W, X, 0.5, damp=0.01, block=block)
    H = hessian(X, damp=0.01)
    expected = torch.stack([brute_force_obs(W[i], got[i] == 0, H) for i in range(len(W))])
    assert torch.allclose(got, expected, rtol=1e-8, atol=1e-10)
    widths = [min(block, 12 - start) for start in range(0, 12, block)]
    assert int((got == 0).sum()) == sum(round(0.5 * 5 * w) for w in widths)  # per block


def test_sparsegpt_2to4_is_valid_and_optimal_for_its_mask():
    """With n_m=(2, 4) every group of 4 keeps 2, and the kept weights are the OBS solution."""
    W, X = layer(seed=3, inp=16)
    got = sparsegpt(W, X, n_m=(2, 4), block=8)
    assert is_2to4(got) and int((got == 0).sum()) == W.numel() // 2
    H = hessian(X)
    expected = torch.stack([brute_force_obs(W[i], got[i] == 0, H) for i in range(len(W))])
    assert torch.allclose(got, expected, rtol=1e-8, atol=1e-10)


def test_sparsegpt_reconstructs_better_than_magnitude_and_wanda():
    """SparseGPT minimises the layer's error: on correlated inputs it beats both at 50%."""
    g = torch.Generator().manual_seed(4)
    W = torch.randn(16, 32, generator=g, dtype=torch.float64)
    X = torch.randn(256, 8, generator=g, dtype=torch.float64) @ torch.randn(
        8, 32, generator=g, dtype=torch.float64
    ) + 0.1 * torch.randn(256, 32, generator=g, dtype=torch.float64)
    errors = {
        "magnitude": reconstruction_error(W, W * select_per_row(magnitude_scores(W), 0.5), X),
        "wanda": reconstruction_error(W, W * select_per_row(wanda_scores(W, X), 0.5), X),
        "sparsegpt": reconstruction_error(W, sparsegpt(W, X, 0.5), X),
    }
    assert errors["sparsegpt"] < 0.5 * min(errors["magnitude"], errors["wanda"]), errors


def test_hessian_is_twice_xtx_plus_dampening():
    """H = 2 X^T X + damp * mean(diag(2 X^T X)) I, in float64."""
    X = np.random.default_rng(0).normal(size=(9, 4))
    H = 2 * X.T @ X
    expected = H + 0.05 * np.mean(np.diag(H)) * np.eye(4)
    assert np.allclose(hessian(torch.tensor(X), damp=0.05).numpy(), expected, rtol=1e-12)


def test_undampened_singular_hessian_is_refused():
    """Fewer inputs than features and no dampening: a sentence, not a Cholesky traceback."""
    W, X = layer(n=5)
    with pytest.raises(ValueError, match="singular or nearly so: raise damp"):
        sparsegpt(W, X, 0.5, damp=0.0)
    assert torch.isfinite(sparsegpt(W, X, 0.5, damp=0.01)).all()


# ------------------------------------------------------------------ scores and selection
def test_wanda_mask_equals_a_direct_numpy_computation():
    """|W_ij| * ||X_j|| with the round(s * in) lowest of each row dropped, in NumPy."""
    W, X = layer(out=6, inp=10, n=30, seed=5)
    Wn, Xn = W.numpy(), X.numpy()
    scores = np.abs(Wn) * np.sqrt((Xn**2).sum(axis=0))
    expected = np.ones_like(Wn)
    for i, row in enumerate(scores):
        expected[i, np.argsort(row, kind="stable")[:4]] = 0
    got = select_per_row(wanda_scores(W, X), 0.4)
    assert np.array_equal(got.numpy(), expected)
    assert np.allclose(wanda_scores(W, X).numpy(), scores, rtol=1e-12)


@pytest.mark.parametrize("sparsity", [0.0, 0.25, 0.5, 0.7])
def test_per_row_drops_the_same_share_of_every_row_per_layer_only_in_total(sparsity):
    """Per row: each row drops round(s * in); per layer: round(s * size) in all, however spread."""
    g = torch.Generator().manual_seed(6)
    scores = torch.rand(6, 20, generator=g) * torch.arange(1, 7)[:, None]  # rows of unequal scale
    row = select_per_row(scores, sparsity)
    assert torch.all((row == 0).sum(dim=1) == round(sparsity * 20))
    whole = select_per_layer(scores, sparsity)
    assert int((whole == 0).sum()) == round(sparsity * scores.numel())
    if sparsity >= 0.5:
        assert len(set((whole == 0).sum(dim=1).tolist())) > 1  # the small rows lose more


def test_per_layer_selection_is_minprunes_sparsity_mask():
    """select_per_layer breaks ties as minprune.sparsity_masks does, so they agree."""
    scores = torch.tensor(np.random.default_rng(7).integers(0, 3, size=(5, 8)), dtype=torch.float64)
    expected = sparsity_masks([scores.numpy()], 0.4)[0]
    assert np.array_equal(select_per_layer(scores, 0.4).numpy(), expected)


@pytest.mark.parametrize(("n", "m"), [(2, 4), (1, 4), (4, 8), (3, 3)])
def test_n_m_selection_keeps_n_of_every_m_consecutive(n, m):
    """Each group of m consecutive entries of a row keeps its n highest scores."""
    g = torch.Generator().manual_seed(8)
    scores = torch.randn(5, 4 * m, generator=g)
    mask = select_n_m(scores, n, m)
    groups, kept = scores.reshape(-1, m), mask.reshape(-1, m)
    assert torch.all(kept.sum(dim=1) == n)
    lowest_kept = torch.where(kept == 1, groups, torch.inf).min(dim=1).values
    highest_dropped = torch.where(kept == 0, groups, -torch.inf).max(dim=1).values
    assert torch.all(lowest_kept > highest_dropped)


def test_n_m_on_magnitudes_is_the_2to4_mask_ties_included():
    """select_n_m(|W|) equals torchkit.mask_2to4(W), on weights full of tied magnitudes."""
    W = torch.tensor(np.random.default_rng(9).integers(-2, 3, size=(6, 16)), dtype=torch.float32)
    assert torch.equal(select_n_m(W.abs(), 2, 4), mask_2to4(W))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda W, X: select_per_row(W, 1.5), r"sparsity=1.5 must be in \[0, 1\)"),
        (lambda W, X: select_n_m(W, 2, 5), "multiple of m=5"),
        (lambda W, X: select_n_m(W, 5, 4), r"n_m=\(5, 4\)"),
        (lambda W, X: wanda_scores(W, X.T), "X must be \\(n, in\\)"),
        (lambda W, X: wanda_scores(W.numpy(), X), "W must be a 2-D floating-point torch tensor"),
        (lambda W, X: sparsegpt(W, X), "exactly one of sparsity and n_m"),
        (lambda W, X: sparsegpt(W, X, n_m=(2, 4), block=6), "multiples of m=4"),
        (lambda W, X: obs_column_update(W, torch.eye(3, dtype=W.dtype), 0), "U must be"),
        (lambda W, X: obs_column_update(W, torch.eye(12, dtype=W.dtype), 12), "j=12"),
        (lambda W, X: hessian(X, damp=-1), "damp=-1"),
        (lambda W, X: reconstruction_error(W, W[:2], X), "W_pruned must have"),
    ],
)
def test_errors_name_their_argument(call, match):
    """Every documented error names the argument, what arrived and what is expected."""
    W, X = layer()
    with pytest.raises(ValueError, match=match):
        call(W, X)


# ------------------------------------------------------------------ the model
def test_calibration_inputs_are_what_each_linear_reads():
    """The captured X of fc1 is LayerNorm 2 of the block's residual, one row per position."""
    model, x = tiny(), tokens()
    got = calibration_inputs(model, x)
    assert list(got) == list(prunable_layers(model))
    h = model.tok(x) + model.pos(torch.arange(8))
    block = model.blocks[0]
    h = h + block.attn(block.ln1(h))
    expected = block.ln2(h).reshape(-1, 16)
    assert torch.allclose(got["blocks.0.mlp.fc1"], expected, atol=1e-12)
    assert got["blocks.1.attn.q"].shape == (48, 16)


@pytest.mark.parametrize("method", METHODS)
def test_prune_model_reaches_the_sparsity_and_leaves_the_model(method):
    """Every prunable layer loses its share, per row; the model given is not changed."""
    model = tiny()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    pruned, errors = prune_model(model, method, 0.5, tokens())
    for name, lin in prunable_layers(pruned).items():
        zeros = (lin.weight == 0).sum(dim=1)
        if method == "sparsegpt":
            assert int(zeros.sum()) == lin.weight.numel() // 2, name
        else:
            assert torch.all(zeros == lin.weight.shape[1] // 2), name
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert set(errors) == set(prunable_layers(model)) and all(e > 0 for e in errors.values())


def test_prune_model_is_sequential():
    """Each layer is pruned on the inputs of the model pruned so far: fc2's error is measured
    on the pruned fc1's outputs, not the dense model's."""
    model, x = tiny(), tokens()
    pruned, errors = prune_model(model, "wanda", 0.5, x)
    half = prune_model(model, "wanda", 0.5, x)[0]
    X_dense = calibration_inputs(model, x)["blocks.1.mlp.fc2"]
    X_seen = calibration_inputs(pruned, x)["blocks.1.mlp.fc1"]  # fc1 of block 1 saw this
    W = model.blocks[1].mlp.fc1.weight
    expected = reconstruction_error(W, half.blocks[1].mlp.fc1.weight, X_seen)
    assert errors["blocks.1.mlp.fc1"] == pytest.approx(expected, rel=1e-9)
    W2 = model.blocks[1].mlp.fc2.weight
    dense_error = reconstruction_error(W2, pruned.blocks[1].mlp.fc2.weight, X_dense)
    assert errors["blocks.1.mlp.fc2"] != pytest.approx(dense_error, rel=1e-6)


def test_prune_model_2to4_gives_2to4_weights():
    """n_m=(2, 4) leaves every prunable weight 2:4, for every method."""
    for method in METHODS:
        pruned, _ = prune_model(tiny(), method, n_m=(2, 4), calib=tokens())
        assert all(is_2to4(lin.weight) for lin in prunable_layers(pruned).values()), method


def test_random_control_is_seeded():
    """The random control draws from its seed: same seed, same masks; another, others."""
    a = prune_model(tiny(), "random", 0.5, tokens(), seed=1)[0]
    b = prune_model(tiny(), "random", 0.5, tokens(), seed=1)[0]
    c = prune_model(tiny(), "random", 0.5, tokens(), seed=2)[0]
    wa, wb, wc = (m.blocks[0].attn.q.weight for m in (a, b, c))
    assert torch.equal(wa, wb) and not torch.equal(wa, wc)


def test_reconstruction_error_is_the_frobenius_norm_of_the_output_change():
    """||W X^T - W' X^T||_F, against NumPy."""
    W, X = layer()
    W2 = W * (torch.rand(W.shape, generator=torch.Generator().manual_seed(0)) > 0.5)
    expected = np.linalg.norm(W.numpy() @ X.numpy().T - W2.numpy() @ X.numpy().T)
    assert reconstruction_error(W, W2, X) == pytest.approx(expected, rel=1e-12)


def test_prune_model_errors_name_their_argument():
    """Unknown method, bad scope, missing calibration, a model of another kind."""
    with pytest.raises(ValueError, match="method='obs'"):
        prune_model(tiny(), "obs", 0.5, tokens())
    with pytest.raises(ValueError, match="scope='global'"):
        prune_model(tiny(), "wanda", 0.5, tokens(), scope="global")
    with pytest.raises(ValueError, match="calib must be"):
        prune_model(tiny(), "wanda", 0.5)
    with pytest.raises(TypeError, match="model must be a TinyGPT"):
        prune_model(torch.nn.Linear(2, 2), "wanda", 0.5, tokens())
    with pytest.raises(ValueError, match="tokens must be"):
        calibration_inputs(tiny(), torch.zeros(6, 8))


# ------------------------------------------------------------------ structured
KEEPS = [([0, 2], [1, 3]), ([3], [0, 1, 2, 3]), (None, [2])]
UNITS = [([0, 5, 7, 20], list(range(24))), (None, [23]), ([1, 2, 3], None)]


@pytest.mark.parametrize("heads", KEEPS)
@pytest.mark.parametrize("units", UNITS)
def test_shrunk_model_equals_the_masked_model(heads, units):
    """Removing heads and MLP units gives the masked model's logits (allclose), with fewer
    parameters, blocks keeping different numbers."""
    model, x = tiny(), tokens()
    heads_keep = [list(h) if h is not None else None for h in heads]
    units_keep = [list(u) if u is not None else None for u in units]
    small = shrink(model, heads_keep, units_keep)
    masked = mask_structured(model, heads_keep, units_keep)
    with torch.no_grad():
        assert torch.allclose(small(x), masked(x), rtol=1e-10, atol=1e-12)
        assert not torch.allclose(small(x), model(x))
    for i, block in enumerate(small.blocks):
        n_heads = 4 if heads_keep[i] is None else len(heads_keep[i])
        n_units = 24 if units_keep[i] is None else len(units_keep[i])
        assert block.attn.n_heads == n_heads and block.attn.q.weight.shape == (4 * n_heads, 16)
        assert block.mlp.fc1.weight.shape == (n_units, 16)
        assert block.mlp.fc2.weight.shape == (16, n_units)


def test_keeping_everything_changes_nothing():
    """shrink with every head and unit kept gives the same logits as the model."""
    model, x = tiny(), tokens()
    with torch.no_grad():
        assert torch.allclose(shrink(model)(x), model(x), rtol=1e-12, atol=1e-13)


def test_head_scores_are_the_mean_norm_of_each_heads_contribution():
    """Against the difference a head makes: the model's attention output minus that with the
    head masked, its norm averaged over positions."""
    model, x = tiny(), tokens()
    scores = head_scores(model, x)
    X = calibration_inputs(model, x, ["blocks.1.attn.q"])["blocks.1.attn.q"].reshape(6, 8, 16)
    attn = model.blocks[1].attn
    masked = mask_structured(model, [None, [0, 1, 3]]).blocks[1].attn
    with torch.no_grad():
        contribution = attn(X) - masked(X)
    expected = torch.linalg.vector_norm(contribution, dim=-1).mean()
    assert [s.shape for s in scores] == [(4,), (4,)]
    assert float(scores[1][2]) == pytest.approx(float(expected), rel=1e-9)


def test_mlp_unit_scores_are_the_mean_norm_of_each_units_contribution():
    """Against the MLP output minus that with the unit masked."""
    model, x = tiny(), tokens()
    scores = mlp_unit_scores(model, x)
    X = calibration_inputs(model, x, ["blocks.0.mlp.fc1"])["blocks.0.mlp.fc1"]
    keep = [j for j in range(24) if j != 5]
    masked = mask_structured(model, None, [keep, None]).blocks[0].mlp
    with torch.no_grad():
        contribution = model.blocks[0].mlp(X) - masked(X)
    expected = torch.linalg.vector_norm(contribution, dim=-1).mean()
    assert [s.shape for s in scores] == [(24,), (24,)]
    assert float(scores[0][5]) == pytest.approx(float(expected), rel=1e-9)


def test_structured_errors_name_their_argument():
    """A keep-list per block, each valid."""
    with pytest.raises(ValueError, match="heads_keep must be None or a list of 2"):
        shrink(tiny(), [[0]])
    with pytest.raises(ValueError, match=r"units_keep\[1\]"):
        shrink(tiny(), None, [None, [30]])
