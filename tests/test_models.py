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
