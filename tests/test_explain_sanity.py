import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from course_lib.explain import (
    cascading_randomization,
    grad_cam,
    label_randomization,
    parameter_layers,
    rank_correlation,
    saliency,
)
from course_lib.models import CNN


@pytest.fixture
def cnn():
    torch.manual_seed(0)
    return CNN(in_channels=1, n_classes=3, image_size=16, channels=(4, 8)).eval()


@pytest.mark.parametrize("use_abs", [False, True])
def test_rank_correlation_equals_scipy(use_abs):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(6, 1, 5, 5))
    b = a + rng.normal(scale=0.8, size=a.shape)
    b[0] = np.round(b[0])  # ties
    ours = rank_correlation(a, b, abs=use_abs)
    f = np.abs if use_abs else (lambda v: v)
    theirs = [spearmanr(f(a[i]).ravel(), f(b[i]).ravel()).statistic for i in range(6)]
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_rank_correlation_extremes_and_torch():
    a = torch.arange(20.0).reshape(2, 10)
    np.testing.assert_allclose(rank_correlation(a, a ** 3), [1.0, 1.0])
    np.testing.assert_allclose(rank_correlation(a, -a), [-1.0, -1.0])
    out = rank_correlation(np.ones((2, 10)), a)
    assert np.isnan(out).all()


def test_rank_correlation_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        rank_correlation(np.zeros((2, 4)), np.zeros((2, 5)))
    with pytest.raises(ValueError, match="batch of maps"):
        rank_correlation(np.zeros(4), np.zeros(4))
    with pytest.raises(TypeError, match="numeric"):
        rank_correlation(np.array([["a"]]), np.array([["b"]]))


def test_parameter_layers_order(cnn):
    assert parameter_layers(cnn) == ["features.0", "features.3", "classifier.1"]
    with pytest.raises(TypeError, match="nn.Module"):
        parameter_layers("cnn")


def test_cascading_randomization_top_down_on_a_copy(cnn):
    before = {k: v.clone() for k, v in cnn.state_dict().items()}
    x = torch.rand(4, 1, 16, 16)
    seen = []

    def explain(model, inputs, target):
        seen.append({k: v.clone() for k, v in model.state_dict().items()})
        return saliency(model, inputs, target)

    maps = cascading_randomization(cnn, explain, x, 1, random_state=0)
    assert list(maps) == ["original", "classifier.1", "features.3", "features.0"]
    for k, v in cnn.state_dict().items():  # the caller's model is unchanged
        assert torch.equal(v, before[k])
    torch.testing.assert_close(maps["original"], saliency(cnn, x, 1))
    # cumulative: after step 1 only the classifier changed; after step 2 also features.3
    changed = [{k for k in before if not torch.equal(s[k], before[k])} for s in seen]
    assert changed[0] == set()
    assert changed[1] == {"classifier.1.weight", "classifier.1.bias"}
    assert changed[2] == changed[1] | {"features.3.weight", "features.3.bias"}
    assert changed[3] == set(before)
    again = cascading_randomization(cnn, explain, x, 1, random_state=0)
    for k in maps:
        assert torch.equal(maps[k], again[k])


def test_randomising_the_model_decorrelates_gradients_but_not_edges(cnn):
    # a property the notebook relies on: fully randomised saliency maps no longer match the
    # original ones, whereas an input-only "explanation" (the image itself) is unaffected
    x = torch.rand(8, 1, 16, 16)
    maps = cascading_randomization(cnn, lambda m, i, t: saliency(m, i, t), x, 0)
    r = rank_correlation(maps["original"], maps["features.0"])
    assert np.nanmean(r) < 0.5
    edge = cascading_randomization(cnn, lambda m, i, t: i.abs(), x, 0)
    np.testing.assert_allclose(rank_correlation(edge["original"], edge["features.0"]), 1.0)


def test_cascading_randomization_works_with_grad_cam(cnn):
    x = torch.rand(3, 1, 16, 16)
    maps = cascading_randomization(cnn, lambda m, i, t: grad_cam(m, m.features[4], i, t), x, 2)
    assert all(v.shape == (3, 16, 16) for v in maps.values())


def test_cascading_randomization_bad_input(cnn):
    with pytest.raises(TypeError, match="explain_fn"):
        cascading_randomization(cnn, "saliency", torch.rand(1, 1, 16, 16), 0)
    with pytest.raises(ValueError, match="no layers with parameters"):
        cascading_randomization(torch.nn.ReLU(), saliency, torch.rand(1, 3), 0)
    with pytest.raises(TypeError, match="random_state"):
        cascading_randomization(cnn, saliency, torch.rand(1, 1, 16, 16), 0, random_state=0.5)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_notebook_05_sanity_conclusions_hold_for_other_seeds(seed):
    # notebook 05 and its exercise q2 rely on: once every layer is random, |gradient × input|
    # and |IG| (black baseline) keep their maps, saliency and Grad-CAM do not
    from course_lib.explain import gradient_x_input, integrated_gradients
    from course_lib.models import train
    from course_lib.synth import make_digits

    data, test = make_digits(2000, random_state=seed), make_digits(16, random_state=seed + 10)
    torch.manual_seed(seed)
    model = train(CNN(in_channels=1, n_classes=10, image_size=28, channels=(16, 32)),
                  data.images, data.label, epochs=2, lr=3e-3, random_state=seed,
                  progress=False).model
    x, y = torch.from_numpy(test.images), torch.from_numpy(test.label)
    methods = {"saliency": saliency, "gradient × input": gradient_x_input,
               "integrated gradients": lambda m, i, t: integrated_gradients(m, i, target=t,
                                                                             steps=16),
               "Grad-CAM": lambda m, i, t: grad_cam(m, m.features[3], i, t)}
    last = {}
    for name, fn in methods.items():
        maps = cascading_randomization(model, fn, x, y, random_state=seed)
        last[name] = np.nanmean(rank_correlation(maps["original"], maps["features.0"], abs=True))
    assert last["gradient × input"] > 0.9 and last["integrated gradients"] > 0.9
    assert last["saliency"] < 0.5 and last["Grad-CAM"] < 0.5


# -- label randomisation --------------------------------------------------------------------------
def _patch_data(n=400, seed=0):
    """8×8 images (flattened): class 1 has a bright 3×3 patch top left, class 0 bottom right."""
    gen = torch.Generator().manual_seed(seed)
    x = 0.3 * torch.rand(n, 8, 8, generator=gen)
    y = torch.arange(n) % 2
    x[y == 1, :3, :3] += 0.7
    x[y == 0, 5:, 5:] += 0.7
    return x.reshape(n, 64), y


def _train_mlp(x, labels, epochs=30):
    from course_lib.models import MLP, train

    return train(MLP(64, hidden=(16,), n_classes=2), x, labels, epochs=epochs, lr=1e-2,
                 batch_size=100, random_state=0, progress=False).model


@pytest.fixture(scope="module")
def patch_case():
    x, y = _patch_data()
    torch.manual_seed(0)
    model = _train_mlp(x, y)
    assert (model(x).argmax(1) == y).float().mean() > 0.95  # it learned the patches
    return model, x, y


def test_label_randomization_separates_gradients_from_the_input(patch_case):
    model, x, y = patch_case
    seen = []

    def train_fn(labels):
        seen.append(labels)
        return _train_mlp(x, labels)

    methods = {"saliency": saliency, "input itself": lambda m, i, t: i.abs()}
    out = label_randomization(model, methods, x[:32], y[:32], train_fn, y, random_state=3)
    assert len(seen) == 1  # one retraining serves every method
    expected = y[torch.randperm(len(y), generator=torch.Generator().manual_seed(3))]
    assert torch.equal(seen[0], expected) and torch.equal(out.labels, expected)
    assert not torch.equal(expected, y)
    # the input "explanation" cannot notice that the model learned nothing real; saliency does
    np.testing.assert_allclose(out.correlation["input itself"], 1.0)
    assert np.nanmean(out.correlation["saliency"]) < 0.5
    # and the real model's saliency does sit on the patches, so the drop is not noise vs noise
    on_patch = saliency(model, x[:32], y[:32]).reshape(32, 8, 8)
    assert on_patch[:, :3, :3].mean() + on_patch[:, 5:, 5:].mean() > 2 * on_patch.mean()
    # what is returned is what one gets by hand
    torch.testing.assert_close(out.original["saliency"], saliency(model, x[:32], y[:32]))
    torch.testing.assert_close(out.randomized["saliency"],
                               saliency(out.model, x[:32], y[:32]))
    np.testing.assert_allclose(out.correlation["saliency"],
                               rank_correlation(out.original["saliency"],
                                                out.randomized["saliency"]))


def test_label_randomization_is_repeatable_and_leaves_the_global_generator(patch_case):
    model, x, y = patch_case
    before = torch.random.get_rng_state()
    runs = [label_randomization(model, saliency, x[:8], 1, lambda lab: _train_mlp(x, lab, 3),
                                y.numpy(), abs=True, random_state=seed) for seed in (5, 5, 6)]
    assert torch.equal(torch.random.get_rng_state(), before)
    assert isinstance(runs[0].labels, np.ndarray)  # numpy labels come back as numpy
    assert isinstance(runs[0].correlation, np.ndarray) and runs[0].correlation.shape == (8,)
    np.testing.assert_array_equal(runs[0].correlation, runs[1].correlation)
    assert not np.array_equal(runs[0].labels, runs[2].labels)
    assert not np.array_equal(runs[0].correlation, runs[2].correlation)
    np.testing.assert_allclose(runs[0].correlation,
                               rank_correlation(runs[0].original, runs[0].randomized, abs=True))


def test_label_randomization_bad_input(patch_case):
    model, x, y = patch_case

    def fresh(labels):
        return _train_mlp(x, labels, 1)

    args = (model, saliency, x[:4], 0)
    cases = [
        (("mlp", saliency, x[:4], 0, fresh, y), {}, TypeError, "model must be"),
        ((model, "saliency", x[:4], 0, fresh, y), {}, TypeError, "explain_fn"),
        ((model, {}, x[:4], 0, fresh, y), {}, TypeError, "explain_fn"),
        ((*args, "train", y), {}, TypeError, "train_fn must be a function"),
        ((*args, lambda lab: None, y), {}, TypeError, "train_fn must return"),
        ((*args, lambda lab: model, y), {}, ValueError, "fresh model"),
        ((*args, fresh, y[None]), {}, ValueError, "labels must be 1-D"),
        ((*args, fresh, y[:1]), {}, ValueError, "at least two entries"),
        ((*args, fresh, y.float()), {}, TypeError, "labels must be integer"),
        ((*args, fresh, ["a", "b"]), {}, TypeError, "labels must be integer"),
        ((*args, fresh, torch.zeros(5, dtype=torch.long)), {}, ValueError, "two different"),
        ((*args, fresh, y), {"random_state": -1}, ValueError, "random_state"),
        ((*args, fresh, y), {"random_state": 0.5}, TypeError, "random_state"),
    ]
    for pos, kw, exc, match in cases:
        with pytest.raises(exc, match=match):
            label_randomization(*pos, **kw)
