"""Gradient explanations: saliency and its variants, integrated gradients (vs captum)."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["saliency"]


def _target_index(target: object, n: int) -> torch.Tensor:
    """Target class per example from an int, a sequence or a tensor of length n."""
    if isinstance(target, bool):
        raise TypeError("target must be a class index, got a bool")
    t = torch.as_tensor(target, dtype=torch.long)
    if t.ndim == 0:
        t = t.expand(n)
    if t.shape != (n,):
        raise ValueError(f"target must be an int or one index per example ({n}), "
                         f"got shape {tuple(t.shape)}")
    return t


def saliency(model: nn.Module, inputs: torch.Tensor, target: object = 0,
             abs: bool = True) -> torch.Tensor:  # noqa: A002 - captum's argument name
    """Gradient saliency (Simonyan et al. 2014): |∂ logit_target / ∂ input|, shaped like inputs."""
    if not isinstance(inputs, torch.Tensor) or not inputs.is_floating_point():
        raise TypeError("inputs must be a floating-point torch tensor")
    x = inputs.detach().clone().requires_grad_(True)
    was_training = model.training
    model.eval()
    try:
        out = model(x)
        idx = _target_index(target, x.shape[0]).to(out.device)
        if idx.min() < 0 or idx.max() >= out.shape[1]:
            raise ValueError(f"target must be in [0, {out.shape[1]}), got {idx.tolist()[:5]}")
        (grad,) = torch.autograd.grad(out.gather(1, idx[:, None]).sum(), x)
    finally:
        model.train(was_training)
    return grad.abs() if abs else grad
