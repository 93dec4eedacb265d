"""Grad-CAM (Selvaraju et al. 2017): class activation maps from a conv layer (vs captum)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from course_lib._validate import check_bool
from course_lib.explain._gradients import _check_inputs, _checked_target, _EvalMode, _forward

__all__ = ["grad_cam"]


def grad_cam(model: nn.Module, layer: nn.Module, x: torch.Tensor, target: object = None,
             upsample: bool = True) -> torch.Tensor:
    """Grad-CAM map (N, H, W): ReLU(Σ_k α_k A_k), α_k = spatial mean of ∂y_target / ∂A_k.

    ``layer`` is a module inside ``model`` whose output A is (N, K, h, w): as in Selvaraju et
    al.'s own code (VGG-16's ``relu5_3``), the rectified feature maps, i.e. the ReLU after the
    last convolution (``model.features[4]`` of a two-block ``course_lib.models.CNN``).
    ``target``: an int, one index per example, or None for the predicted class. With
    ``upsample`` the map is resized bilinearly to x's (H, W); otherwise it stays (N, h, w).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    if not isinstance(layer, nn.Module) or not any(m is layer for m in model.modules()):
        raise ValueError("layer must be a module inside model (e.g. model.features[-1]), "
                         f"got {type(layer).__name__}")
    x = _check_inputs(x, "x", model).detach()
    check_bool(upsample, "upsample")
    if x.ndim != 4:
        raise ValueError(f"x must be a batch of images (N, C, H, W), got shape {tuple(x.shape)}")
    captured: list[torch.Tensor] = []
    handle = layer.register_forward_hook(lambda _m, _i, out: captured.append(out))
    try:
        with _EvalMode(model):
            x = x.clone().requires_grad_(True)  # so the graph reaches the layer's output
            out = _forward(model, x, "x")
    finally:
        handle.remove()
    if len(captured) != 1:
        raise ValueError(f"layer must run exactly once in the forward pass, it ran "
                         f"{len(captured)} times")
    acts = captured[0]
    if not isinstance(acts, torch.Tensor) or acts.ndim != 4:
        raise ValueError(f"layer's output must be (N, K, h, w) feature maps, got "
                         f"{tuple(getattr(acts, 'shape', ()))}")
    idx = _checked_target(target, out)
    (grads,) = torch.autograd.grad(out.gather(1, idx[:, None]).sum(), acts)
    weights = grads.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((weights * acts).sum(dim=1)).detach()
    if upsample:
        cam = F.interpolate(cam[:, None], size=x.shape[-2:], mode="bilinear",
                            align_corners=False)[:, 0]
    return cam
