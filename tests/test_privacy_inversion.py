import numpy as np
import pytest
import torch

from course_lib.models import MLP, train
from course_lib.privacy import invert_class, query_api

pytestmark = pytest.mark.usefixtures("one_torch_thread")

K, D = 10, 64


@pytest.fixture(scope="module")
def setting():
    rng = np.random.default_rng(0)
    mu = rng.uniform(0.1, 0.9, size=(K, D))  # each class's representative input
    y = rng.integers(0, K, 3000)
    x = np.clip(mu[y] + 0.25 * rng.normal(size=(3000, D)), 0, 1).astype(np.float32)
    torch.manual_seed(0)
    model = train(MLP(D, (64,), n_classes=K), x, y, epochs=20, progress=False).model
    start = torch.softmax(model(torch.full((1, D), 0.5)), 1)[0].detach()
    target = int(start.argmin())  # the class the blank input is least like
    direction = mu[target] - np.delete(mu, target, 0).mean(0)
    return model, target, float(start[target]), direction


def _similarity(res, direction):
    """How much the reconstruction looks like the class: corr(x − blank, class direction)."""
    return float(np.corrcoef(res.x.numpy() - 0.5, direction)[0, 1])


def test_gradient_ascent_recovers_the_class_from_full_scores(setting):
    model, target, start, direction = setting
    res = invert_class(model, target, (D,), steps=100, lr=0.1)
    assert start < 0.05 and res.confidence > 0.99
    assert len(res.history) == 100 and res.history[-1] >= res.history[0] > start
    assert res.x.min() >= 0 and res.x.max() <= 1
    assert _similarity(res, direction) > 0.6


def test_restricted_outputs_recover_less_with_the_same_query_budget(setting):
    model, target, _, direction = setting

    def run(output):
        results = [invert_class(model, target, (D,), method="search", output=output, steps=300,
                                step_size=0.05, random_state=s) for s in range(4)]
        return (np.mean([_similarity(r, direction) for r in results]),
                np.mean([r.confidence for r in results]))

    sim_probs, conf_probs = run("probs")
    sim_rounded, _ = run("rounded")
    sim_label, conf_label = run("label")
    sim_noisy, _ = run("noisy")
    assert sim_probs > 0.6 and conf_probs > 0.99
    assert sim_rounded < sim_probs - 0.2
    assert sim_label < sim_probs - 0.3 and conf_label < conf_probs - 0.1
    assert sim_noisy < sim_probs - 0.3


def test_query_api_outputs(setting):
    model, *_ = setting
    x = torch.rand(5, D, generator=torch.Generator().manual_seed(0))
    p = query_api(model, x)
    torch.testing.assert_close(p.sum(1), torch.ones(5))
    r = query_api(model, x, "rounded", decimals=1)
    torch.testing.assert_close(r, torch.round(p * 10) / 10)
    lab = query_api(model, x, "label")
    assert lab.sum(1).tolist() == [1.0] * 5 and lab.argmax(1).tolist() == p.argmax(1).tolist()
    noisy = query_api(model, x, "noisy", noise_scale=0.1,
                      generator=torch.Generator().manual_seed(0))
    assert 0.03 < float((noisy - p).std()) < 0.2


def test_bad_input_is_named(setting):
    model, target, *_ = setting
    with pytest.raises(ValueError, match="output='probs'"):
        invert_class(model, target, (D,), output="label")
    with pytest.raises(ValueError, match="output"):
        invert_class(model, target, (D,), method="search", output="logits")
    with pytest.raises(ValueError, match="method"):
        invert_class(model, target, (D,), method="newton")
    with pytest.raises(ValueError, match="target"):
        invert_class(model, K, (D,))
    with pytest.raises(TypeError, match="shape"):
        invert_class(model, 0, D)
    with pytest.raises(ValueError, match="bounds"):
        invert_class(model, 0, (D,), bounds=(1.0, 0.0))
    with pytest.raises(TypeError, match="bounds"):
        invert_class(model, 0, (D,), bounds=(0.0, 0.5, 1.0))
    with pytest.raises(TypeError, match="init"):
        invert_class(model, 0, (D,), init=np.zeros(D))
    with pytest.raises(ValueError, match="init"):
        invert_class(model, 0, (D,), init=torch.zeros(D + 1))
    with pytest.raises(TypeError, match="model"):
        query_api("model", torch.zeros(1, D))
