"""Attention maps, rollout and integrated gradients over token embeddings."""

from __future__ import annotations

import pytest
import torch

from course_lib.explain import attention_maps, attention_rollout, token_integrated_gradients
from course_lib.models import TinyTransformer


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return TinyTransformer(10, d_model=16, n_heads=2, n_layers=2, max_len=8).eval()


def test_attention_maps_are_the_models_own_weights(model):
    tokens = torch.randint(0, 10, (3, 8))
    maps = attention_maps(model, tokens)
    assert maps.shape == (3, 2, 2, 8, 8)
    _, ref = model(tokens, return_attention=True)
    torch.testing.assert_close(maps, ref)
    torch.testing.assert_close(maps.sum(-1), torch.ones(3, 2, 2, 8))
    assert attention_maps(model, tokens[0].numpy()).shape == (1, 2, 2, 8, 8)


def test_rollout_by_hand():
    # one layer, one head: rollout = 0.5 A + 0.5 I (rows already sum to 1)
    a = torch.tensor([[0.2, 0.8], [0.6, 0.4]])
    maps = a.expand(1, 1, 1, 2, 2)
    torch.testing.assert_close(attention_rollout(maps)[0], 0.5 * a + 0.5 * torch.eye(2))
    # two layers: product, later layer on the left
    b = torch.tensor([[1.0, 0.0], [0.5, 0.5]])
    two = torch.stack([a, b])[None, :, None]
    expected = (0.5 * b + 0.5 * torch.eye(2)) @ (0.5 * a + 0.5 * torch.eye(2))
    torch.testing.assert_close(attention_rollout(two)[0], expected)
    torch.testing.assert_close(attention_rollout(two, residual=0.0)[0], b @ a)


def test_token_ig_is_complete_over_tokens(model):
    tokens = torch.randint(0, 10, (4, 8))
    ig = token_integrated_gradients(model, tokens, target=1, steps=256)
    assert ig.shape == (4, 8)
    # batching does not change the result; per-sequence targets are split with the batches
    torch.testing.assert_close(token_integrated_gradients(model, tokens, target=1, steps=256,
                                                          batch_size=3), ig)
    per_row = token_integrated_gradients(model, tokens, target=[1, 0, 1, 0], steps=16,
                                         batch_size=2)
    torch.testing.assert_close(per_row[1], token_integrated_gradients(model, tokens[1:2],
                                                                      target=0, steps=16)[0])
    with torch.no_grad():
        gap = model(model.embed(tokens))[:, 1] - model(torch.zeros(4, 8, 16))[:, 1]
    # the midpoint rule leaves no 1/steps shortfall: what is left is the error at the ReLUs' kinks
    torch.testing.assert_close(ig.sum(dim=1), gap, atol=0.005 * gap.abs().max().item() + 1e-4,
                               rtol=0)


def test_bad_input(model):
    with pytest.raises(TypeError, match="TinyTransformer"):
        attention_maps(torch.nn.Linear(3, 2), torch.zeros(1, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="tokens must be integer ids"):
        attention_maps(model, torch.zeros(1, 8))
    for ids in (10, -1):  # the model's vocabulary is 0..9
        bad = torch.tensor([[0, 1, ids, 2]])
        with pytest.raises(ValueError, match=rf"tokens must be ids in the model's vocabulary "
                                             rf"\[0, 10\), got \[{ids}\]"):
            attention_maps(model, bad)
        with pytest.raises(ValueError, match="model's vocabulary"):
            token_integrated_gradients(model, bad, steps=4)
    with pytest.raises(ValueError, match="maps must be a tensor"):
        attention_rollout(torch.zeros(2, 8, 8))
    with pytest.raises(ValueError, match="residual"):
        attention_rollout(torch.zeros(1, 1, 1, 2, 2), residual=1.0)
    with pytest.raises(ValueError, match="target"):
        token_integrated_gradients(model, torch.zeros(1, 8, dtype=torch.long), target=5)


@pytest.mark.slow  # about 10 s per seed: the ranges notebook 06 pins with expect()
@pytest.mark.parametrize("seed", range(3))
def test_notebook_06_attention_pins_hold_across_seeds(seed):
    import numpy as np
    from scipy.stats import spearmanr

    from course_lib.models import predict, train
    from course_lib.synth import make_sequences

    torch.set_num_threads(1)
    data, test = make_sequences(2000, random_state=0), make_sequences(500, random_state=1)
    torch.manual_seed(seed)
    model = TinyTransformer(len(data.vocab), max_len=12)
    train(model, data.tokens, data.labels, epochs=4, lr=3e-3, batch_size=64, random_state=seed,
          progress=False)
    assert (predict(model, test.tokens) == test.labels).mean() >= 0.95
    tokens = torch.from_numpy(test.tokens[:100])
    maps = attention_maps(model, tokens)
    ig = token_integrated_gradients(model, tokens, steps=32, batch_size=25)
    cls = maps[:, -1, :, 0, :].mean(dim=1)
    assert float((cls * ((tokens == 1) | (tokens == 2))).sum(1).mean()) >= 0.5
    rho = np.median([spearmanr(cls[i], ig[i].abs()).statistic for i in range(100)])
    assert -0.5 <= rho <= 0.8
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        base = model(tokens).argmax(1)
        for layer in (0, 1):
            w = maps[:, layer]
            perm = torch.stack([torch.randperm(12, generator=gen) for _ in range(100)])
            for new in (torch.full_like(w, 1 / 12),
                        w.gather(-1, perm[:, None, None, :].expand_as(w))):
                changed = (model(tokens, attention={layer: new}).argmax(1) != base).float()
                assert changed.mean() <= (0.2 if layer == 0 and new.std() == 0 else 0.5)
