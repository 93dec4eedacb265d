"""DP-SGD written out (Abadi et al. 2016): per-example gradients, clipping, Gaussian noise.

One step: sample a batch by Poisson sampling (each record independently with probability q),
compute each example's gradient gᵢ with ``torch.func`` (``vmap`` over ``grad``), clip it to norm
at most C, add Gaussian noise N(0, σ²C²) to the sum and divide by the expected batch size qN:
g̃ = (Σᵢ gᵢ · min(1, C/‖gᵢ‖) + N(0, σ²C² I)) / (qN). The privacy unit is one record: a person
whose record appears k times in the data is protected only at about kε (group privacy).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from course_lib._validate import check_int, check_real, check_tensor
from course_lib.models import (
    _as_tensor,
    _check_label_range,
    _check_target_classes,
    _label_range,
    _n_classes,
)

__all__ = ["per_example_gradients", "clip_gradients", "noisy_gradient", "dp_sgd_step",
           "DPTrainResult", "train_dp", "train_opacus"]

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _check_model(model: object) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    if not any(True for _ in model.parameters()):
        raise ValueError("model has no parameters")
    return model


def _check_xy(inputs, target) -> tuple[torch.Tensor, torch.Tensor]:
    x = _as_tensor(inputs, "inputs", torch.float32)
    y = _as_tensor(target, "target", torch.long)
    if y.ndim != 1 or x.shape[0] != y.shape[0]:
        raise ValueError(f"inputs and target must have the same number of rows and target must "
                         f"be 1-D, got {tuple(x.shape)} and {tuple(y.shape)}")
    return x, y


def per_example_gradients(model: nn.Module, inputs, target, loss_fn: LossFn | None = None
                          ) -> dict[str, torch.Tensor]:
    """Each example's gradient ∇θ ℓ(f(xᵢ), yᵢ): {parameter name: tensor (N, *param.shape)}.

    ``torch.func.vmap`` over ``torch.func.grad`` of the loss of one example (batch of one), so no
    example's gradient is mixed with another's. ``loss_fn`` defaults to cross-entropy, and then
    ``target`` must hold class indices of the model's outputs.
    """
    from torch.func import functional_call, grad, vmap

    model = _check_model(model)
    x, y = _check_xy(inputs, target)
    # with cross-entropy, check the labels against the logits of the forward pass below (the
    # shape is known while vmap traces it once): no extra forward pass
    labels = _label_range(y) if loss_fn is None else None
    loss_fn = loss_fn or nn.functional.cross_entropy
    params = {k: v.detach() for k, v in model.named_parameters() if v.requires_grad}
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def one_loss(p, b, xi, yi):
        out = functional_call(model, (p, b), (xi.unsqueeze(0),))
        _check_label_range(labels, _n_classes(out))
        return loss_fn(out, yi.unsqueeze(0))

    return vmap(grad(one_loss), in_dims=(None, None, 0, 0), randomness="different")(
        params, buffers, x, y)


def _check_grads(grads: object) -> dict[str, torch.Tensor]:
    """A non-empty dict of per-example gradients: finite floating-point tensors with values, on
    one device, each with a first dimension of the same size (the examples)."""
    if not isinstance(grads, dict) or not grads:
        raise TypeError("grads must be a non-empty dict of per-example gradients "
                        "(per_example_gradients)")
    first = next(iter(grads.values()))
    for k, g in grads.items():
        name = f"grads[{k!r}]"
        check_tensor(g, name, like=first, floating=True, finite=True)
        if g.ndim == 0:
            raise ValueError(f"{name} must have a first dimension (one gradient per example), "
                             f"got a 0-d tensor")
    n = first.shape[0]
    if any(g.shape[0] != n for g in grads.values()):
        raise ValueError("grads must all have the same number of examples (first dimension), "
                         f"got {sorted({g.shape[0] for g in grads.values()})}")
    return grads


def _clip_factors(grads: dict[str, torch.Tensor], c: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-example clipping factors min(1, C / (‖gᵢ‖ + 10⁻⁶)) and the norms ‖gᵢ‖ (``grads`` as
    ``per_example_gradients`` returns them: not checked again on every DP-SGD step)."""
    n = next(iter(grads.values())).shape[0]
    norms = torch.stack([g.reshape(n, -1).norm(2, dim=1) for g in grads.values()],
                        dim=1).norm(2, dim=1)
    return (c / (norms + 1e-6)).clamp(max=1.0), norms


def clip_gradients(grads: dict[str, torch.Tensor], max_grad_norm: float
                   ) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """Clip each example's whole gradient: gᵢ · min(1, C / (‖gᵢ‖ + 10⁻⁶)); also the norms ‖gᵢ‖.

    ‖gᵢ‖ is the L2 norm over all parameters together (Opacus's "flat" clipping, with its 10⁻⁶).
    ``grads`` is {name: tensor (N, ...)} as ``per_example_gradients`` returns it.
    """
    c = check_real(max_grad_norm, "max_grad_norm", 0.0, lo_open=True)
    factor, norms = _clip_factors(_check_grads(grads), c)
    return {k: factor.reshape(-1, *[1] * (g.ndim - 1)) * g for k, g in grads.items()}, norms


def noisy_gradient(model: nn.Module, inputs, target, *, max_grad_norm: float,
                   noise_multiplier: float, expected_batch_size: float,
                   loss_fn: LossFn | None = None,
                   generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """The DP-SGD gradient: (Σᵢ clip_C(gᵢ) + N(0, σ²C²)) / B, with B the EXPECTED batch size.

    Dividing by the expected (not the actual) batch size keeps the sensitivity at C/B whatever
    the sampled batch's size; an empty batch gives pure noise.
    """
    model = _check_model(model)
    sigma = check_real(noise_multiplier, "noise_multiplier", 0.0)
    c = check_real(max_grad_norm, "max_grad_norm", 0.0, lo_open=True)
    b = check_real(expected_batch_size, "expected_batch_size", 0.0, lo_open=True)
    x, y = _check_xy(inputs, target)
    params = {k: v for k, v in model.named_parameters() if v.requires_grad}
    if x.shape[0] == 0:
        summed = {k: torch.zeros_like(v) for k, v in params.items()}
    else:
        grads = per_example_gradients(model, x, y, loss_fn)
        factor, _ = _clip_factors(grads, c)
        # Σᵢ factorᵢ·gᵢ as one contraction: the clipped per-example copies are never built
        summed = {k: torch.tensordot(factor, g, dims=1) for k, g in grads.items()}
    out = {}
    for k, s in summed.items():
        noise = torch.normal(0.0, sigma * c, size=s.shape, generator=generator) if sigma else 0.0
        out[k] = (s + noise) / b
    return out


def dp_sgd_step(model: nn.Module, inputs, target, *, lr: float, max_grad_norm: float,
                noise_multiplier: float, expected_batch_size: float,
                loss_fn: LossFn | None = None, generator: torch.Generator | None = None) -> None:
    """One DP-SGD update in place: θ ← θ − lr · g̃ (g̃ from ``noisy_gradient``)."""
    step = check_real(lr, "lr", 0.0, lo_open=True)
    g = noisy_gradient(model, inputs, target, max_grad_norm=max_grad_norm,
                       noise_multiplier=noise_multiplier,
                       expected_batch_size=expected_batch_size, loss_fn=loss_fn,
                       generator=generator)
    with torch.no_grad():
        for k, p in model.named_parameters():
            if k in g:
                p.sub_(step * g[k])


@dataclass
class DPTrainResult:
    """What ``train_dp`` returns: the model, the (ε, δ) spent, the steps taken, epoch losses."""

    model: nn.Module
    epsilon: float
    delta: float
    steps: int
    sample_rate: float
    losses: list[float] = field(default_factory=list)


def _run_flops(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int,
               epochs: int) -> int:
    """FLOPs of a run: one forward and backward pass per row and epoch (course_lib.energy)."""
    from course_lib import energy

    first = min(batch_size, x.shape[0])
    return round(energy.count_flops(model, x[:first], y[:first]) * x.shape[0] / first) * epochs


def train_dp(model: nn.Module, inputs, target, *, noise_multiplier: float, max_grad_norm: float,
             batch_size: int = 256, epochs: int = 5, lr: float = 0.1, delta: float = 1e-5,
             loss_fn: LossFn | None = None, random_state: int = 0,
             progress: bool = False) -> DPTrainResult:
    """Train with DP-SGD (plain SGD updates) under Poisson sampling; report ε at ``delta``.

    As Opacus does with a DataLoader of ``batch_size``: ``steps_per_epoch = ceil(N / batch_size)``
    steps per epoch, sample rate q = 1 / steps_per_epoch, expected batch qN; ε is
    ``dp_epsilon(q, noise_multiplier, epochs · steps_per_epoch, delta)`` (RDP accountant).
    ``noise_multiplier=0`` trains with clipping only (ε = ∞). The run is recorded in the
    session's footprint (``course_lib.energy.track``) as "DP-SGD".
    """
    from tqdm.auto import tqdm

    from course_lib import energy
    from course_lib.privacy._accounting import dp_epsilon

    model = _check_model(model)
    x, y = _check_xy(inputs, target)
    n = x.shape[0]
    if n == 0:
        raise ValueError("inputs is empty")
    check_int(batch_size, "batch_size", 1)
    check_int(epochs, "epochs", 1)
    check_real(lr, "lr", 0.0, lo_open=True)
    d = check_real(delta, "delta", 0.0, 1.0, lo_open=True, hi_open=True)
    seed = check_int(random_state, "random_state", 0)
    sigma = check_real(noise_multiplier, "noise_multiplier", 0.0)
    c = check_real(max_grad_norm, "max_grad_norm", 0.0, lo_open=True)
    if loss_fn is None:
        _check_target_classes(model, x, y)
    steps_per_epoch = math.ceil(n / batch_size)
    q = 1.0 / steps_per_epoch
    sampler = torch.Generator().manual_seed(seed)
    noise = torch.Generator().manual_seed(seed + 1)
    loss_eval = loss_fn or nn.functional.cross_entropy
    losses: list[float] = []
    flops = _run_flops(model, x, y, batch_size, epochs) if loss_fn is None else 0
    model.train()
    with energy.track("DP-SGD", flops=flops):
        for _ in tqdm(range(epochs), desc="DP-SGD", disable=not progress, leave=False):
            for _ in range(steps_per_epoch):
                mask = torch.rand(n, generator=sampler) < q  # Poisson sampling
                dp_sgd_step(model, x[mask], y[mask], lr=lr, max_grad_norm=c,
                            noise_multiplier=sigma, expected_batch_size=q * n, loss_fn=loss_fn,
                            generator=noise)
            with torch.no_grad():
                losses.append(float(loss_eval(model(x), y)))
    model.eval()
    steps = epochs * steps_per_epoch
    eps = dp_epsilon(q, sigma, steps, d) if sigma > 0 else math.inf
    return DPTrainResult(model, eps, d, steps, q, losses)


def train_opacus(model: nn.Module, inputs, target, *, noise_multiplier: float,
                 max_grad_norm: float, batch_size: int = 256, epochs: int = 5, lr: float = 0.1,
                 delta: float = 1e-5, random_state: int = 0) -> DPTrainResult:
    """The same run as ``train_dp`` done by Opacus (PrivacyEngine, RDP accountant, plain SGD).

    Opacus's hooks fire a torch warning when the first layer's input does not require a gradient;
    the inputs are therefore marked ``requires_grad`` (their gradient is computed and discarded).
    The run is recorded in the session's footprint as "DP-SGD (Opacus)".
    """
    from opacus import PrivacyEngine
    from torch.utils.data import DataLoader, TensorDataset

    from course_lib import energy

    model = _check_model(model)
    x, y = _check_xy(inputs, target)
    if x.shape[0] == 0:
        raise ValueError("inputs is empty")
    check_int(batch_size, "batch_size", 1)
    check_int(epochs, "epochs", 1)
    check_real(lr, "lr", 0.0, lo_open=True)
    d = check_real(delta, "delta", 0.0, 1.0, lo_open=True, hi_open=True)
    seed = check_int(random_state, "random_state", 0)
    sigma = check_real(noise_multiplier, "noise_multiplier", 0.0, lo_open=True)
    c = check_real(max_grad_norm, "max_grad_norm", 0.0, lo_open=True)
    _check_target_classes(model, x, y)  # before Opacus wraps the model
    flops = _run_flops(model, x, y, batch_size, epochs)
    engine = PrivacyEngine(accountant="rdp")
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size,
                        generator=torch.Generator().manual_seed(seed))
    module, opt, loader = engine.make_private(
        module=model, optimizer=torch.optim.SGD(model.parameters(), lr=lr), data_loader=loader,
        noise_multiplier=sigma, max_grad_norm=c,
        noise_generator=torch.Generator().manual_seed(seed + 1))
    losses: list[float] = []
    steps = 0
    module.train()
    with energy.track("DP-SGD (Opacus)", flops=flops):
        for _ in range(epochs):
            for xb, yb in loader:
                opt.zero_grad()
                nn.functional.cross_entropy(module(xb.requires_grad_(True)), yb).backward()
                opt.step()
                steps += 1
            with torch.no_grad():
                losses.append(float(nn.functional.cross_entropy(module(x), y)))
    module.eval()
    plain = module._module if hasattr(module, "_module") else module
    return DPTrainResult(plain, engine.get_epsilon(d), d, steps, 1.0 / len(loader), losses)
