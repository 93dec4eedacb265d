import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from course_lib.models import CNN, MLP, BagOfWords, predict, predict_proba, train


def _blobs(n=600, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5)).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int)
    return x, y


def test_mlp_learns_a_linear_rule_in_seconds():
    x, y = _blobs()
    result = train(MLP(5, hidden=(16,)), x, y, epochs=15, progress=False)
    assert (predict(result.model, x) == y).mean() > 0.95
    assert result.losses[-1] < result.losses[0] / 3


def test_training_is_repeatable_whatever_happened_before():
    x, y = _blobs()
    torch.manual_seed(1)
    a = train(MLP(5), x, y, epochs=3, progress=False, random_state=7)
    torch.manual_seed(1)
    model = MLP(5)  # the same initial weights as a's
    torch.rand(10)  # other random draws in between must not change the shuffling
    b = train(model, x, y, epochs=3, progress=False, random_state=7)
    assert len(a.losses) == 3
    assert a.losses == b.losses
    c = train(MLP(5), x, y, epochs=3, progress=False, random_state=8)
    assert c.losses != a.losses


def test_sample_weight_zero_rows_are_ignored():
    x, y = _blobs()
    flipped = 1 - y
    w = np.r_[np.ones(300), np.zeros(300)]
    xs, ys = np.r_[x[:300], x[:300]], np.r_[y[:300], flipped[:300]]
    result = train(MLP(5), xs, ys, sample_weight=w, epochs=15, progress=False)
    assert (predict(result.model, x[:300]) == y[:300]).mean() > 0.9


def test_accepts_pandas_and_tensors():
    x, y = _blobs(200)
    result = train(MLP(5), pd.DataFrame(x), pd.Series(y), epochs=2, progress=False)
    proba = predict_proba(result.model, torch.from_numpy(x))
    assert proba.shape == (200, 2) and np.allclose(proba.sum(axis=1), 1, atol=1e-6)
    assert set(predict(result.model, x, threshold=0.5)) <= {0, 1}


def test_cnn_shapes_and_learning():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 1, 16, 16)).astype(np.float32)
    y = (x[:, 0, :8].mean(axis=(1, 2)) > x[:, 0, 8:].mean(axis=(1, 2))).astype(int)
    x[:, 0, :8] += y[:, None, None] * 0.5
    model = CNN(in_channels=1, n_classes=2, image_size=16, channels=(4, 8))
    assert model(torch.zeros(3, 1, 16, 16)).shape == (3, 2)
    result = train(model, x, y, epochs=10, lr=5e-3, progress=False)
    assert (predict(result.model, x) == y).mean() > 0.9


def test_bag_of_words_token_effects():
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 2, size=(800, 4)).astype(np.float32)
    y = ((counts[:, 0] - counts[:, 1] + rng.normal(0, 0.3, 800)) > 0).astype(int)
    model = train(BagOfWords(4), counts, y, epochs=30, progress=False).model
    effects = model.token_effects()
    assert effects[0] > 1 and effects[1] < -1 and abs(float(effects[2])) < 0.5


def test_models_are_shap_and_opacus_friendly():
    for model in (MLP(4, hidden=(8, 8), dropout=0.1), CNN(), BagOfWords(5)):
        for m in model.modules():
            assert not isinstance(m, nn.modules.batchnorm._BatchNorm)
            assert not getattr(m, "inplace", False)
    from opacus.validators import ModuleValidator

    for model in (MLP(4), CNN(), BagOfWords(5)):
        assert ModuleValidator.validate(model, strict=False) == []


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(in_features=0), ValueError, "in_features"),
    (dict(in_features=3, hidden=(0,)), ValueError, r"hidden\[0\]"),
    (dict(in_features=3, dropout=1.0), ValueError, "dropout"),
])
def test_mlp_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        MLP(**kwargs)


def test_cnn_bad_image_size():
    with pytest.raises(ValueError, match="divisible"):
        CNN(image_size=30, channels=(8, 16))


@pytest.mark.parametrize("inputs, target, kwargs, exc, match", [
    (np.zeros((4, 5)), np.zeros(3), {}, ValueError, "same number of rows"),
    (np.full((4, 5), np.nan), np.zeros(4), {}, ValueError, "inputs contains NaN"),
    (np.array([["a"] * 5] * 4), np.zeros(4), {}, TypeError, "inputs must be a numeric"),
    (np.zeros((4, 5)), np.zeros(4), {"epochs": 0}, ValueError, "epochs"),
    (np.zeros((4, 5)), np.zeros(4), {"lr": 0}, ValueError, "lr"),
    (np.zeros((4, 5)), np.array([0, 1, -1, 0]), {}, ValueError, "class indices"),
    (np.zeros((4, 5)), np.zeros(4), {"sample_weight": [1, 1]}, ValueError, "sample_weight"),
    (np.zeros((0, 5)), np.zeros(0), {}, ValueError, "empty"),
])
def test_train_bad_input(inputs, target, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        train(MLP(5), inputs, target, progress=False, **kwargs)


def test_fit_mlp_equals_seeding_then_training_by_hand():
    from course_lib.models import fit_mlp

    x, y = _blobs()
    torch.manual_seed(5)
    by_hand = train(MLP(5, hidden=(32,)), x, y, epochs=3, batch_size=256, random_state=5,
                    progress=False).model
    fitted = fit_mlp(x, y, random_state=5, epochs=3)
    for a, b in zip(by_hand.parameters(), fitted.parameters(), strict=True):
        assert torch.equal(a, b)
    assert (predict(fit_mlp(x, y), x) == y).mean() > 0.95
    with pytest.raises(ValueError, match="inputs must be 2-D"):
        fit_mlp(x[:, 0], y)


# -- TinyTransformer: attention written out, checked against torch's fused layer ---------------

def test_self_attention_equals_torch_multihead_attention():
    from course_lib.models import SelfAttention

    torch.manual_seed(0)
    ours = SelfAttention(64, 4)
    ref = torch.nn.MultiheadAttention(64, 4, batch_first=True)
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([ours.query.weight, ours.key.weight,
                                            ours.value.weight]))
        ref.in_proj_bias.copy_(torch.cat([ours.query.bias, ours.key.bias, ours.value.bias]))
        ref.out_proj.weight.copy_(ours.out.weight)
        ref.out_proj.bias.copy_(ours.out.bias)
    x = torch.randn(3, 10, 64)
    out, weights = ours(x)
    ref_out, ref_heads = ref(x, x, x, need_weights=True, average_attn_weights=False)
    _, ref_mean = ref(x, x, x, need_weights=True, average_attn_weights=True)
    torch.testing.assert_close(out, ref_out, atol=1e-6, rtol=0)
    torch.testing.assert_close(weights, ref_heads, atol=1e-6, rtol=0)
    torch.testing.assert_close(weights.mean(dim=1), ref_mean, atol=1e-6, rtol=0)
    torch.testing.assert_close(weights.sum(dim=-1), torch.ones(3, 4, 10))


def test_tiny_transformer_shapes_embedding_path_and_overrides():
    from course_lib.models import TinyTransformer

    torch.manual_seed(0)
    model = TinyTransformer(16, d_model=64, n_heads=4, n_layers=2, max_len=12).eval()
    tokens = torch.randint(0, 16, (5, 12))
    logits, maps = model(tokens, return_attention=True)
    assert logits.shape == (5, 2) and maps.shape == (5, 2, 4, 12, 12)
    torch.testing.assert_close(model(model.embed(tokens)), logits)  # embeddings path
    torch.testing.assert_close(model(tokens.float()), logits)  # what train/predict_proba pass
    # giving a layer its own weights changes nothing; other weights change the output
    torch.testing.assert_close(model(tokens, attention={1: maps[:, 1]}), logits)
    uniform = torch.full_like(maps[:, 0], 1 / 12)
    assert not torch.allclose(model(tokens, attention={0: uniform}), logits)
    # no in-place ops and every module is an nn.Module: gradients reach the embeddings
    emb = model.embed(tokens).detach().requires_grad_(True)
    model(emb)[:, 1].sum().backward()
    assert emb.grad is not None and emb.grad.abs().sum() > 0
    assert not any(isinstance(m, torch.nn.BatchNorm1d) for m in model.modules())


@pytest.mark.slow  # about 5 s
def test_tiny_transformer_learns_the_order_task():
    from course_lib.models import TinyTransformer
    from course_lib.synth import make_sequences

    data, test = make_sequences(1000, random_state=0), make_sequences(300, random_state=1)
    torch.manual_seed(0)
    model = TinyTransformer(len(data.vocab), max_len=12)
    train(model, data.tokens, data.labels, epochs=4, lr=3e-3, batch_size=64, progress=False)
    assert (predict(model, test.tokens) == test.labels).mean() > 0.9


@pytest.mark.parametrize("kwargs, call, exc, match", [
    ({"d_model": 30, "n_heads": 4}, None, ValueError, "divisible by n_heads"),
    ({}, torch.zeros(2, 40, dtype=torch.long), ValueError, "more than max_len"),
    ({}, torch.full((2, 5), 99), ValueError, r"ids in \[0, 16\)"),
    ({}, torch.full((2, 5), 0.5), ValueError, "whole-number"),
    ({}, torch.zeros(2, 5, 8), ValueError, "embeddings must have shape"),
    ({"vocab_size": 0}, None, ValueError, "vocab_size"),
])
def test_tiny_transformer_bad_input(kwargs, call, exc, match):
    from course_lib.models import TinyTransformer

    with pytest.raises(exc, match=match):
        model = TinyTransformer(**{"vocab_size": 16, "max_len": 12, **kwargs})
        model(call)
    if call is not None:
        model = TinyTransformer(16, max_len=12)
        with pytest.raises(ValueError, match="layer indices"):
            model(torch.zeros(1, 5, dtype=torch.long), attention={2: torch.zeros(1, 4, 5, 5)})
        with pytest.raises(ValueError, match="weights must have shape"):
            model(torch.zeros(1, 5, dtype=torch.long), attention={0: torch.zeros(1, 4, 4, 4)})
