"""Feature visualisation by activation maximisation (Erhan et al. 2009).

The two regularisers: L2 decay (Simonyan et al. 2014; Yosinski et al. 2015) and jitter
(Mordvintsev et al. 2015); Olah et al. (2017) survey these and others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from course_lib._validate import check_int, check_real
from course_lib.explain._gradients import _check_clamp

__all__ = ["Visualization", "visualize_class"]


@dataclass
class Visualization:
    """What ``visualize_class`` returns: the image(s) and the objective at each step."""

    image: torch.Tensor
    objective: list[float] = field(default_factory=list)


def _targets(target: object) -> tuple[list[int], bool]:
    """A list of class/channel indices, and whether a single int was given."""
    if isinstance(target, (list, tuple)):
        if not target:
            raise ValueError("target must be an int or a non-empty list of ints")
        return [check_int(t, f"target[{i}]", 0) for i, t in enumerate(target)], False
    return [check_int(target, "target", 0)], True


def visualize_class(model: nn.Module, target: int | Sequence[int],
                    shape: Sequence[int] = (1, 28, 28), steps: int = 200, lr: float = 0.05,
                    jitter: int = 2, decay: float = 1e-3, random_state: int = 0, *,
                    layer: nn.Module | None = None,
                    clamp: tuple[float, float] | None = (0.0, 1.0)) -> Visualization:
    """An input that maximises a class logit (or, with ``layer``, the mean of channel
    ``target`` of that layer's output), by gradient ascent with Adam on

        objective(x) = activation(roll(x, random shift of at most ``jitter`` pixels))
                       − decay · ‖x‖²,

    from 0.5 plus small noise (seeded by ``random_state``), clamped to ``clamp`` after each step:
    jitter after Mordvintsev et al. (2015), the L2 decay after Simonyan et al. (2014).
    ``target`` is an int (image of ``shape``) or a list of them (a batch of images, optimised
    independently and at once). ``objective`` records the objective (summed over the batch) at
    each step, before the update.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    if not isinstance(shape, (list, tuple)):
        raise TypeError(f"shape must be a (C, H, W) tuple of ints, got {type(shape).__name__}")
    shape = tuple(check_int(s, f"shape[{i}]", 1) for i, s in enumerate(shape))
    if len(shape) != 3:
        raise ValueError(f"shape must be (C, H, W), got {shape}")
    targets, single = _targets(target)
    steps = check_int(steps, "steps", 1)
    lr = check_real(lr, "lr", 0.0, lo_open=True, finite=True)
    jitter = check_int(jitter, "jitter", 0)
    decay = check_real(decay, "decay", 0.0, finite=True)
    bounds = _check_clamp(clamp)
    gen = torch.Generator().manual_seed(check_int(random_state, "random_state", 0))
    if layer is not None and not any(m is layer for m in model.modules()):
        raise ValueError("layer must be a module inside model, or None for the logits")

    captured: list[torch.Tensor] = []
    handle = (layer.register_forward_hook(lambda _m, _i, out: captured.append(out))
              if layer is not None else None)
    idx = torch.tensor(targets)

    def activation(x: torch.Tensor) -> torch.Tensor:
        """Per image: the target logit, or the mean of the target channel of ``layer``."""
        captured.clear()
        out = model(x)
        if layer is None:
            if idx.max() >= out.shape[1]:
                raise ValueError(f"target must be in [0, {out.shape[1]}), got {targets}")
            return out.gather(1, idx[:, None])[:, 0]
        acts = captured[0]
        if idx.max() >= acts.shape[1]:
            raise ValueError(f"target must be a channel in [0, {acts.shape[1]}), got {targets}")
        return acts[torch.arange(len(targets)), idx].flatten(1).mean(1)

    dtype = next(model.parameters()).dtype
    x = (0.5 + 0.01 * torch.randn((len(targets), *shape), generator=gen)).to(dtype)
    x.requires_grad_(True)
    opt = torch.optim.Adam([x], lr=lr)
    history: list[float] = []
    was_training = model.training
    model.eval()
    try:
        for _ in range(steps):
            shift = torch.randint(-jitter, jitter + 1, (2,), generator=gen).tolist()
            moved = torch.roll(x, shifts=shift, dims=(-2, -1))
            objective = (activation(moved) - decay * (x ** 2).flatten(1).sum(1)).sum()
            # the gradient for x only: the model's parameters (and their .grad) stay untouched
            (grad,) = torch.autograd.grad(-objective, x)
            x.grad = grad
            opt.step()
            history.append(float(objective.detach()))
            if bounds is not None:
                with torch.no_grad():
                    x.clamp_(*bounds)
    finally:
        model.train(was_training)
        if handle is not None:
            handle.remove()
    image = x.detach()
    return Visualization(image[0] if single else image, history)
