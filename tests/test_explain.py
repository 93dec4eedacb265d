import math

import pytest
import torch
from captum.attr import InputXGradient, IntegratedGradients, NoiseTunnel, Saliency
from torch import nn

from course_lib.explain import (
    _gradients,
    completeness_gap,
    gradient_x_input,
    integrated_gradients,
    saliency,
    smoothgrad,
)
from course_lib.models import CNN, MLP


@pytest.fixture
def cnn():
    torch.manual_seed(0)
    return CNN(in_channels=1, n_classes=3, image_size=16, channels=(4, 8)).eval()


@pytest.mark.parametrize("abs_", [True, False])
def test_saliency_equals_captum(cnn, abs_):
    x = torch.randn(6, 1, 16, 16)
    target = torch.tensor([0, 1, 2, 0, 1, 2])
    ours = saliency(cnn, x, target, abs=abs_)
    theirs = Saliency(cnn).attribute(x.clone().requires_grad_(True), target=target, abs=abs_)
    assert ours.shape == x.shape
    torch.testing.assert_close(ours, theirs, rtol=0, atol=0)


def test_saliency_of_a_linear_model_is_its_weights():
    model = MLP(3, hidden=(), n_classes=2)
    x = torch.randn(4, 3)
    grads = saliency(model, x, target=1, abs=False)
    torch.testing.assert_close(grads, model.net[0].weight[1].detach().expand(4, 3))


def test_saliency_leaves_model_mode_and_inputs_alone(cnn):
    cnn.train()
    x = torch.randn(2, 1, 16, 16)
    saliency(cnn, x, 0)
    assert cnn.training and not x.requires_grad and x.grad is None


@pytest.mark.parametrize("inputs, target, exc, match", [
    (torch.zeros(2, 1, 16, 16, dtype=torch.long), 0, TypeError, "floating-point"),
    ("image", 0, TypeError, "floating-point"),
    (torch.zeros(2, 1, 16, 16), 3, ValueError, r"target must be in \[0, 3\)"),
    (torch.zeros(2, 1, 16, 16), [0, 1, 2], ValueError, "one index per example"),
    (torch.zeros(2, 1, 16, 16), True, TypeError, "bool"),
    (torch.zeros(2, 3, 16, 16), 0, ValueError,
     r"inputs of shape \(2, 3, 16, 16\) do not fit the model: .*channels"),
    (torch.zeros(2, 1, 8, 8), 0, ValueError, r"inputs of shape \(2, 1, 8, 8\) do not fit"),
])
def test_saliency_bad_input(cnn, inputs, target, exc, match):
    with pytest.raises(exc, match=match):
        saliency(cnn, inputs, target)


# -- gradient × input, SmoothGrad -----------------------------------------------------------------


def test_gradient_x_input_equals_captum(cnn):
    x = torch.randn(5, 1, 16, 16)
    target = torch.tensor([0, 1, 2, 1, 0])
    ours = gradient_x_input(cnn, x, target)
    theirs = InputXGradient(cnn).attribute(x.clone().requires_grad_(True), target=target)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-7)


def test_smoothgrad_with_zero_noise_is_saliency(cnn):
    x = torch.randn(3, 1, 16, 16)
    torch.testing.assert_close(smoothgrad(cnn, x, 1, n_samples=4, stdev=0.0),
                               saliency(cnn, x, 1))


def test_smoothgrad_is_the_mean_of_noisy_saliencies(cnn):
    x = torch.randn(2, 1, 16, 16)
    ours = smoothgrad(cnn, x, 2, n_samples=5, stdev=0.3, random_state=7)
    noise = torch.randn((5, *x.shape), generator=torch.Generator().manual_seed(7))
    by_hand = torch.stack([saliency(cnn, x + 0.3 * noise[k], 2) for k in range(5)]).mean(0)
    torch.testing.assert_close(ours, by_hand)
    assert torch.equal(ours, smoothgrad(cnn, x, 2, n_samples=5, stdev=0.3, random_state=7))
    assert not torch.equal(ours, smoothgrad(cnn, x, 2, n_samples=5, stdev=0.3, random_state=8))


def test_smoothgrad_equals_captum_noise_tunnel_with_the_same_noise(cnn):
    # captum draws its noise with torch.normal(0, stdev, size) from the global generator: one
    # sample per input, repeated n_samples times (repeat_interleave); reproduce that draw
    x = torch.randn(1, 1, 16, 16)
    torch.manual_seed(3)
    theirs = NoiseTunnel(Saliency(cnn)).attribute(x, nt_type="smoothgrad", nt_samples=4,
                                                  stdevs=0.2, target=1)
    torch.manual_seed(3)
    noise = torch.normal(0, torch.full((4, 1, 16, 16), 0.2))
    by_hand = torch.stack([saliency(cnn, x + noise[k:k + 1], 1) for k in range(4)]).mean(0)
    torch.testing.assert_close(theirs, by_hand, rtol=1e-5, atol=1e-7)


# -- integrated gradients -------------------------------------------------------------------------
def _random_nets():
    torch.manual_seed(1)
    mlp = MLP(6, hidden=(16, 16), n_classes=4).double().eval()
    torch.manual_seed(2)
    cnn = CNN(in_channels=1, n_classes=3, image_size=8, channels=(4, 6)).double().eval()
    return [(mlp, torch.randn(5, 6, dtype=torch.float64)),
            (cnn, torch.rand(4, 1, 8, 8, dtype=torch.float64))]


@pytest.mark.parametrize("case", [0, 1])
@pytest.mark.parametrize("steps", [2, 7, 16, 64])
def test_integrated_gradients_equals_captum(case, steps):
    model, x = _random_nets()[case]
    target = torch.arange(x.shape[0]) % 3
    baseline = 0.1 * torch.ones_like(x[:1])
    ours = integrated_gradients(model, x, baseline, target, steps=steps)
    theirs, delta = IntegratedGradients(model).attribute(
        x, baseline.expand_as(x), target=target, n_steps=steps, method="riemann_middle",
        return_convergence_delta=True)
    assert ours.shape == x.shape and ours.dtype == torch.float64
    torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-6)
    gap = completeness_gap(model, x, ours, baseline, target)
    torch.testing.assert_close(gap, delta, rtol=0, atol=1e-6)


def test_integrated_gradients_target_none_is_the_predicted_class():
    model, x = _random_nets()[0]
    pred = model(x).argmax(1)
    torch.testing.assert_close(integrated_gradients(model, x, steps=8),
                               integrated_gradients(model, x, target=pred, steps=8))


def test_integrated_gradients_chunks_give_the_same_answer(monkeypatch):
    model, x = _random_nets()[1]
    whole = integrated_gradients(model, x, target=1, steps=20)
    monkeypatch.setattr(_gradients, "_IG_CHUNK_ELEMENTS", x.numel() * 3)  # chunks of 3 steps
    torch.testing.assert_close(integrated_gradients(model, x, target=1, steps=20), whole,
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("case", [0, 1])
def test_completeness_gap_vanishes_as_steps_grow(case):
    model, x = _random_nets()[case]
    with torch.no_grad():
        rise = (model(x) - model(torch.zeros_like(x))).gather(1, model(x).argmax(1)[:, None])
    gaps = [completeness_gap(model, x, integrated_gradients(model, x, steps=s)).abs().max()
            for s in (8, 64, 1024)]
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 2e-3 * max(1.0, float(rise.abs().max()))


def test_completeness_of_a_linear_model_is_exact():
    # f linear: every gradient along the path is w, and the weights sum to 1, so IG = w·(x − b)
    model = MLP(3, hidden=(), n_classes=2).double()
    x = torch.randn(4, 3, dtype=torch.float64)
    for steps in (2, 10, 33):
        ig = integrated_gradients(model, x, target=1, steps=steps)
        torch.testing.assert_close(ig, model.net[0].weight[1].detach() * x, rtol=0, atol=1e-14)


@pytest.mark.parametrize("steps", [2, 3, 7, 10, 64, 100, 999, 4096])
def test_ig_weights_are_the_midpoint_rule_and_sum_to_one(steps):
    alphas, weights = _gradients._ig_weights(steps, torch.float64)
    k = torch.arange(steps, dtype=torch.float64)
    torch.testing.assert_close(alphas, (k + 0.5) / steps, rtol=0, atol=0)
    assert bool((weights == 1 / steps).all())
    assert abs(math.fsum(weights.tolist()) - 1) <= 2 ** -52  # 1 up to the rounding of 1/steps
    assert 0 < float(alphas.min()) and float(alphas.max()) < 1


def _smooth_nets():
    """Random tanh and softplus MLPs (float64) with inputs far enough from the zero baseline."""
    nets = []
    for seed in range(3):
        for act in (nn.Tanh, nn.Softplus):
            torch.manual_seed(seed)
            net = nn.Sequential(nn.Linear(6, 16), act(), nn.Linear(16, 16), act(),
                                nn.Linear(16, 4)).double().eval()
            x = 2 * torch.randn(5, 6, dtype=torch.float64,
                                generator=torch.Generator().manual_seed(100 + seed))
            nets.append((f"{act.__name__} seed {seed}", net, x))
    return nets


def _rise(model, x, target):
    with torch.no_grad():
        return (model(x) - model(torch.zeros_like(x))).gather(1, target[:, None])[:, 0]


@pytest.mark.parametrize("case", range(6))
def test_completeness_gap_of_a_smooth_network_is_small_at_200_steps(case):
    _, model, x = _smooth_nets()[case]
    target = model(x).argmax(1)
    gap = completeness_gap(model, x, integrated_gradients(model, x, target=target, steps=200))
    assert bool((gap.abs() < 1e-3 * _rise(model, x, target).abs()).all())


@pytest.mark.parametrize("case", range(6))
def test_completeness_gap_of_a_smooth_network_falls_as_one_over_steps_squared(case):
    # the midpoint rule's error is −f''·h²/24 summed over the pieces: doubling steps divides it
    # by about 4 (the old rule, captum's riemann_trapezoid, only by about 2: see below)
    _, model, x = _smooth_nets()[case]
    target = model(x).argmax(1)
    gaps = [completeness_gap(model, x, integrated_gradients(model, x, target=target, steps=s))
            for s in (16, 32, 64)]
    for coarse, fine in zip(gaps[:-1], gaps[1:], strict=True):
        ratio = coarse / fine
        assert bool(((ratio >= 3) & (ratio <= 5)).all()), ratio


def test_captums_riemann_trapezoid_falls_short_by_one_over_steps():
    # why the rule changed: those weights sum to 1 − 1/steps, so even a linear model shows a
    # relative gap of −1/steps, where the midpoint rule is exact
    model = MLP(3, hidden=(), n_classes=2).double()
    x = torch.randn(4, 3, dtype=torch.float64)
    target = torch.ones(4, dtype=torch.long)
    rise = _rise(model, x, target)
    for steps in (8, 32, 64):
        _, delta = IntegratedGradients(model).attribute(
            x, torch.zeros_like(x), target=target, n_steps=steps, method="riemann_trapezoid",
            return_convergence_delta=True)
        torch.testing.assert_close(delta / rise, torch.full_like(rise, -1 / steps))
        ours = completeness_gap(model, x, integrated_gradients(model, x, target=1, steps=steps))
        torch.testing.assert_close(ours, torch.zeros_like(ours), rtol=0, atol=1e-14)


def test_integrated_gradients_leaves_model_and_inputs_alone(cnn):
    cnn.train()
    x = torch.randn(2, 1, 16, 16)
    integrated_gradients(cnn, x, target=0, steps=4)
    assert cnn.training and not x.requires_grad and x.grad is None


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"x": torch.zeros(2, 1, 16, 16, dtype=torch.long)}, TypeError, "x must be a floating"),
    ({"x": "image"}, TypeError, "x must be a floating"),
    ({"baseline": torch.zeros(3, 1, 16, 16)}, ValueError, "baseline of shape"),
    ({"baseline": torch.zeros(1, 1, 8, 8)}, ValueError, "cannot be broadcast"),
    ({"baseline": torch.zeros(2, 1, 16, 16, dtype=torch.long)}, TypeError, "baseline must be"),
    ({"baseline": "zeros"}, TypeError, "baseline must be"),
    ({"target": 3}, ValueError, r"target must be in \[0, 3\)"),
    ({"target": [0, -1]}, ValueError, r"target must be in \[0, 3\)"),
    ({"target": [0, 1, 2]}, ValueError, "one index per example"),
    ({"target": torch.tensor([0.0, 1.0])}, TypeError, "target must have an integer dtype"),
    ({"steps": 1}, ValueError, "steps must be >= 2"),
    ({"steps": 8.0}, TypeError, "steps must be an int"),
    ({"x": torch.zeros(2, 3, 16, 16)}, ValueError,
     r"x of shape \(2, 3, 16, 16\) does not fit the model: .*channels"),
    ({"x": torch.zeros(2, 1, 15, 16)}, ValueError, r"x of shape \(2, 1, 15, 16\) does not fit"),
    ({"x": torch.zeros(2, 16, 16)}, ValueError, r"x of shape \(2, 16, 16\) does not fit"),
])
def test_integrated_gradients_bad_input(cnn, kwargs, exc, match):
    args = {"x": torch.zeros(2, 1, 16, 16), "baseline": None, "target": 0, "steps": 4, **kwargs}
    with pytest.raises(exc, match=match):
        integrated_gradients(cnn, **args)


def test_wrong_shapes_keep_the_models_own_error_as_the_cause(cnn):
    for explain in (lambda x: saliency(cnn, x, 0), lambda x: gradient_x_input(cnn, x, 0),
                    lambda x: smoothgrad(cnn, x, 0, n_samples=2),
                    lambda x: integrated_gradients(cnn, x, target=0, steps=4),
                    lambda x: completeness_gap(cnn, x, torch.zeros_like(x))):
        with pytest.raises(ValueError, match="do(es)? not fit the model") as info:
            explain(torch.zeros(2, 2, 16, 16))
        assert isinstance(info.value.__cause__, RuntimeError)


def test_completeness_gap_bad_input(cnn):
    x = torch.zeros(2, 1, 16, 16)
    with pytest.raises(ValueError, match="attributions must be a tensor shaped like x"):
        completeness_gap(cnn, x, torch.zeros(2, 16, 16))
    with pytest.raises(ValueError, match="model must return logits"):
        integrated_gradients(lambda t: t.sum(dim=(1, 2, 3)), x)
