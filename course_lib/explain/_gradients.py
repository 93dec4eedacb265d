"""Gradient explanations: saliency and its variants, integrated gradients (vs captum)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from course_lib._validate import check_bool, check_int, check_real, check_tensor

__all__ = ["saliency", "gradient_x_input", "smoothgrad", "integrated_gradients",
           "completeness_gap"]

# the most interpolated input values integrated_gradients pushes through the model at once
_IG_CHUNK_ELEMENTS = 1 << 22


def _target_index(target: object, n: int) -> torch.Tensor:
    """Target class per example from an int, a sequence or a tensor of length n."""
    if isinstance(target, bool):
        raise TypeError("target must be a class index, got a bool")
    if isinstance(target, torch.Tensor):
        t = check_tensor(target, "target", floating=False).long()
    else:
        arr = np.asarray(target)
        if arr.dtype.kind not in "iu":
            raise TypeError(f"target must hold integer class indices, got {target!r:.60}"
                            if arr.ndim == 0 else
                            f"target must hold integer class indices, got dtype {arr.dtype}")
        t = torch.as_tensor(arr, dtype=torch.long)
    if t.ndim == 0:
        t = t.expand(n)
    if t.shape != (n,):
        raise ValueError(f"target must be an int or one index per example ({n}), "
                         f"got shape {tuple(t.shape)}")
    return t


def _check_model(model: object) -> None:
    """A callable (an nn.Module or a function of a batch), or a TypeError naming ``model``."""
    if not callable(model):
        raise TypeError(f"model must be a torch nn.Module or a function of a batch, got "
                        f"{type(model).__name__}")


def _check_inputs(inputs: object, name: str = "inputs", model: object = None) -> torch.Tensor:
    """A finite floating-point tensor with a non-empty batch dimension (on the device of
    ``model``, when it is an nn.Module with parameters), or a TypeError/ValueError naming it."""
    if not isinstance(inputs, torch.Tensor) or not inputs.is_floating_point():
        raise TypeError(f"{name} must be a floating-point torch tensor, got "
                        f"{getattr(inputs, 'dtype', type(inputs).__name__)}")
    like = model if isinstance(model, nn.Module) and any(True for _ in model.parameters()) \
        else None
    check_tensor(inputs, name, like=like, floating=True, finite=True)
    if inputs.ndim < 1 or inputs.shape[0] == 0:
        raise ValueError(f"{name} must have a non-empty batch dimension, got shape "
                         f"{tuple(inputs.shape)}")
    return inputs


def _check_clamp(clamp: object) -> tuple[float, float] | None:
    """(lo, hi) pixel bounds, or None for no clamping."""
    if clamp is None:
        return None
    if not isinstance(clamp, (tuple, list)) or len(clamp) != 2:
        raise TypeError(f"clamp must be a (low, high) pair or None, got {clamp!r}")
    lo, hi = check_real(clamp[0], "clamp[0]"), check_real(clamp[1], "clamp[1]")
    if not lo < hi:
        raise ValueError(f"clamp must have low < high, got {clamp!r}")
    return lo, hi


def _checked_target(target: object, logits: torch.Tensor) -> torch.Tensor:
    """Validated per-example target indices for logits (N, C); None = the predicted class."""
    if logits.ndim != 2:
        raise ValueError(f"model must return logits of shape (N, n_classes), got "
                         f"{tuple(logits.shape)}")
    if target is None:
        return logits.argmax(dim=1)
    idx = _target_index(target, logits.shape[0]).to(logits.device)
    if idx.min() < 0 or idx.max() >= logits.shape[1]:
        raise ValueError(f"target must be in [0, {logits.shape[1]}), got {idx.tolist()[:5]}")
    return idx


def _forward(model: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
             name: str) -> torch.Tensor:
    """model(x), with the RuntimeError of an input the model cannot take as a ValueError."""
    try:
        return model(x)
    except RuntimeError as exc:
        verb = "do" if name == "inputs" else "does"
        raise ValueError(f"{name} of shape {tuple(x.shape)} {verb} not fit the model: "
                         f"{exc}") from exc


class _EvalMode:
    """Context manager: put an nn.Module in eval mode, restore its mode afterwards."""

    def __init__(self, model: object):
        self.model = model if isinstance(model, nn.Module) else None

    def __enter__(self) -> None:
        if self.model is not None:
            self.was_training = self.model.training
            self.model.eval()

    def __exit__(self, *exc: object) -> None:
        if self.model is not None:
            self.model.train(self.was_training)


def saliency(model: nn.Module, inputs: torch.Tensor, target: object = 0,
             abs: bool = True) -> torch.Tensor:  # noqa: A002 - captum's argument name
    """Gradient saliency (Simonyan et al. 2014): |∂ logit_target / ∂ input|, shaped like inputs.

    ``target``: an int, one index per example, or None for each example's predicted class.
    """
    _check_model(model)
    inputs = _check_inputs(inputs, "inputs", model)
    check_bool(abs, "abs")
    x = inputs.detach().clone().requires_grad_(True)
    with _EvalMode(model):
        out = _forward(model, x, "inputs")
        idx = _checked_target(target, out)
        (grad,) = torch.autograd.grad(out.gather(1, idx[:, None]).sum(), x)
    return grad.abs() if abs else grad


def gradient_x_input(model: nn.Module, inputs: torch.Tensor,
                     target: object = 0) -> torch.Tensor:
    """Gradient × input (Shrikumar et al. 2016): x ⊙ ∂ logit_target / ∂x, shaped like inputs."""
    return saliency(model, inputs, target, abs=False) * inputs.detach()


def smoothgrad(model: nn.Module, inputs: torch.Tensor, target: object = 0, *,
               n_samples: int = 25, stdev: float = 0.15, abs: bool = True,  # noqa: A002
               random_state: int = 0) -> torch.Tensor:
    """SmoothGrad (Smilkov et al. 2017): mean over k of saliency(x + ε_k), ε_k ~ N(0, stdev²).

    ``stdev`` is in the inputs' units (as captum's ``stdevs``); the noise comes from a generator
    seeded by ``random_state``, drawn as one tensor of shape (n_samples, *inputs.shape).
    """
    _check_model(model)
    x = _check_inputs(inputs, "inputs", model).detach()
    n_samples = check_int(n_samples, "n_samples", 1)
    stdev = check_real(stdev, "stdev", 0.0, finite=True)
    check_bool(abs, "abs")
    gen = torch.Generator(device=x.device).manual_seed(check_int(random_state, "random_state", 0))
    noise = torch.randn((n_samples, *x.shape), generator=gen, dtype=x.dtype, device=x.device)
    total = torch.zeros_like(x)
    for k in range(n_samples):
        total += saliency(model, x + stdev * noise[k], target, abs=abs)
    return total / n_samples


def _ig_weights(steps: int, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """Midpoint rule on [0, 1]: α_k = (k + ½)/steps, w_k = 1/steps for k = 0 … steps−1 (Σ w = 1)."""
    alphas = (torch.arange(steps, dtype=torch.float64) + 0.5) / steps
    weights = torch.full((steps,), 1.0 / steps, dtype=torch.float64)
    return alphas.to(dtype), weights.to(dtype)


def _baseline_like(baseline: object, x: torch.Tensor) -> torch.Tensor:
    """The baseline broadcast to x's shape (None = zeros), or an error naming ``baseline``."""
    if baseline is None:
        return torch.zeros_like(x)
    if isinstance(baseline, bool):
        raise TypeError("baseline must be a tensor or a number, got a bool")
    if isinstance(baseline, torch.Tensor):
        if not baseline.is_floating_point():
            raise TypeError(f"baseline must be floating-point, got {baseline.dtype}")
        b = check_tensor(baseline, "baseline", finite=True).detach().to(dtype=x.dtype,
                                                                         device=x.device)
    elif isinstance(baseline, (int, float)):
        b = torch.tensor(check_real(baseline, "baseline", finite=True), dtype=x.dtype,
                         device=x.device)
    else:
        raise TypeError(f"baseline must be a tensor or a number, got {type(baseline).__name__}")
    try:
        return torch.broadcast_to(b, x.shape).clone()
    except RuntimeError:
        raise ValueError(f"baseline of shape {tuple(b.shape)} cannot be broadcast to x's shape "
                         f"{tuple(x.shape)}") from None


def integrated_gradients(model: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                         baseline: object = None, target: object = None,
                         steps: int = 64) -> torch.Tensor:
    """Integrated gradients (Sundararajan et al. 2017), shaped like ``x``.

    IG_i = (x_i − b_i) · Σ_k w_k ∂f_t(b + α_k (x − b)) / ∂x_i with the midpoint rule:
    α_k = (k + ½)/steps, w_k = 1/steps. The weights sum to 1, so a linear model's attributions
    are exact, and for a smooth model the completeness gap shrinks like 1/steps² (for a ReLU
    network, whose gradient jumps along the path, more slowly). The result equals captum's
    ``IntegratedGradients(method="riemann_middle", n_steps=steps)``.

    ``model`` maps a batch (N, ...) to logits (N, n_classes); ``baseline`` is None (zeros), a
    number or a tensor broadcastable to x; ``target`` is an int, one index per example, or None
    for each example's predicted class (argmax of the logits at x). The path is pushed through
    the model in chunks of steps, to bound memory. See ``completeness_gap``.
    """
    _check_model(model)
    x = _check_inputs(x, "x", model).detach()
    steps = check_int(steps, "steps", 2)
    b = _baseline_like(baseline, x)
    with _EvalMode(model):
        with torch.no_grad():
            idx = _checked_target(target, _forward(model, x, "x"))
        alphas, weights = _ig_weights(steps, x.dtype)
        alphas, weights = alphas.to(x.device), weights.to(x.device)
        n = x.shape[0]
        chunk = max(1, min(steps, _IG_CHUNK_ELEMENTS // max(1, x.numel())))
        diff = x - b
        total = torch.zeros_like(x)
        for start in range(0, steps, chunk):
            a = alphas[start:start + chunk]
            k = a.shape[0]
            shape = (k,) + (1,) * x.ndim
            path = (b.unsqueeze(0) + a.view(shape) * diff.unsqueeze(0)).reshape(k * n,
                                                                               *x.shape[1:])
            path.requires_grad_(True)
            out = model(path)
            (grad,) = torch.autograd.grad(out.gather(1, idx.repeat(k)[:, None]).sum(), path)
            grad = grad.reshape(k, *x.shape)
            total += (weights[start:start + k].view(shape) * grad).sum(dim=0)
    return total * diff


def completeness_gap(model: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                     attributions: torch.Tensor, baseline: object = None,
                     target: object = None) -> torch.Tensor:
    """Per example, Σ_i attributions_i − (f_t(x) − f_t(baseline)); 0 for a complete method.

    Same conventions as ``integrated_gradients`` (target None = the predicted class at x);
    the same quantity as captum's convergence delta.
    """
    _check_model(model)
    x = _check_inputs(x, "x", model).detach()
    check_tensor(attributions, "attributions", floating=True, finite=True)
    if attributions.shape != x.shape:
        raise ValueError(f"attributions must be a tensor shaped like x {tuple(x.shape)}, got "
                         f"{tuple(attributions.shape)}")
    b = _baseline_like(baseline, x)
    with _EvalMode(model), torch.no_grad():
        out_x, out_b = _forward(model, x, "x"), _forward(model, b, "baseline")
        idx = _checked_target(target, out_x)
        rise = (out_x.gather(1, idx[:, None]) - out_b.gather(1, idx[:, None])).squeeze(1)
    return attributions.detach().reshape(x.shape[0], -1).sum(dim=1).to(rise.dtype) - rise
