"""Adversarial examples: FGSM and PGD under an L∞ budget, and accuracy as the budget grows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_lib._validate import check_bool, check_int, check_real
from course_lib.explain._gradients import (
    _check_clamp,
    _check_inputs,
    _check_model,
    _checked_target,
    _EvalMode,
    _forward,
    _target_index,
)

__all__ = ["fgsm", "pgd", "accuracy_under_attack"]


def _loss_grad(model: nn.Module, x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """∂/∂x of the summed cross-entropy loss of the target classes."""
    with torch.enable_grad():
        x = x.detach().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(F.cross_entropy(model(x), idx, reduction="sum"), x)
    return grad


def _prepare(model: nn.Module, inputs: object, target: object) -> tuple[torch.Tensor,
                                                                        torch.Tensor]:
    _check_model(model)
    x = _check_inputs(inputs, "inputs", model).detach()
    with torch.no_grad():
        idx = _checked_target(target, _forward(model, x, "inputs"))
    return x, idx


def fgsm(model: nn.Module, inputs: torch.Tensor, target: object, epsilon: float,
         clamp: tuple[float, float] | None = (0.0, 1.0)) -> torch.Tensor:
    """Fast gradient sign method (Goodfellow et al. 2015): x + ε·sign(∇ₓ CE(f(x), y)), clamped.

    ``target`` is the true label (an int or one per example; None = the predicted class).
    """
    eps = check_real(epsilon, "epsilon", 0.0, finite=True)
    bounds = _check_clamp(clamp)
    with _EvalMode(model):
        x, idx = _prepare(model, inputs, target)
        adv = x + eps * torch.sign(_loss_grad(model, x, idx))
    return adv.clamp(*bounds) if bounds else adv


def pgd(model: nn.Module, inputs: torch.Tensor, target: object, epsilon: float,
        step_size: float, steps: int = 10, *, random_start: bool = True,
        random_state: int = 0, clamp: tuple[float, float] | None = (0.0, 1.0)) -> torch.Tensor:
    """Projected gradient descent (Madry et al. 2018), L∞: repeat an FGSM step of ``step_size``,
    then project onto {x' : |x' − x|∞ ≤ ε} and the pixel bounds.

    With ``random_start`` the search starts at a uniform point of the ε-ball (drawn from a
    generator seeded by ``random_state``); without it, at x (captum's ``random_start=False``).
    """
    eps = check_real(epsilon, "epsilon", 0.0, finite=True)
    step = check_real(step_size, "step_size", 0.0, finite=True)
    steps = check_int(steps, "steps", 1)
    check_bool(random_start, "random_start")
    seed = check_int(random_state, "random_state", 0)
    bounds = _check_clamp(clamp)

    def bound(t: torch.Tensor) -> torch.Tensor:
        return t.clamp(*bounds) if bounds else t

    with _EvalMode(model):
        x, idx = _prepare(model, inputs, target)
        adv = x
        if random_start:
            gen = torch.Generator(device=x.device).manual_seed(seed)
            noise = torch.rand(x.shape, generator=gen, dtype=x.dtype, device=x.device)
            adv = bound(x + eps * (2 * noise - 1))
        for _ in range(steps):
            adv = bound(adv + step * torch.sign(_loss_grad(model, adv, idx)))
            adv = bound(x + (adv - x).clamp(-eps, eps)).detach()
    return adv


def accuracy_under_attack(model: nn.Module, inputs: torch.Tensor, target: object,
                          epsilons: Sequence[float], attack: str = "fgsm", *,
                          steps: int = 10, step_size: float | None = None,
                          random_state: int = 0, batch_size: int = 512,
                          clamp: tuple[float, float] | None = (0.0, 1.0)) -> np.ndarray:
    """Accuracy on the attacked inputs for each ε: mean(argmax f(attack(x, ε)) == y).

    ``target`` holds the true labels. ``attack`` is "fgsm" or "pgd" (PGD with ``steps`` steps
    of ``step_size``, default 2.5·ε/steps, random start). ε = 0 gives the clean accuracy.
    """
    if attack not in ("fgsm", "pgd"):
        raise ValueError(f"attack must be 'fgsm' or 'pgd', got {attack!r}")
    _check_model(model)
    x = _check_inputs(inputs, "inputs", model).detach()
    if isinstance(epsilons, (str, bytes)) or not hasattr(epsilons, "__len__") or \
            len(epsilons) == 0:
        raise TypeError(f"epsilons must be a non-empty sequence of budgets, e.g. [0, 0.05, 0.1], "
                        f"got {epsilons!r:.60}")
    eps_list = [check_real(e, f"epsilons[{i}]", 0.0, finite=True)
                for i, e in enumerate(epsilons)]
    check_int(steps, "steps", 1)
    if step_size is not None:
        check_real(step_size, "step_size", 0.0, finite=True)
    check_int(random_state, "random_state", 0)
    check_int(batch_size, "batch_size", 1)
    _check_clamp(clamp)
    if target is None:
        raise ValueError("target must hold the true labels, not None")
    with torch.no_grad(), _EvalMode(model):
        n_classes = _forward(model, x[:1], "inputs").shape[1]
    y = _target_index(target, x.shape[0]).to(x.device)
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"target must be in [0, {n_classes}), got {y.tolist()[:5]}")
    accs = []
    for eps in eps_list:
        correct = 0
        for s in range(0, x.shape[0], batch_size):
            xb, yb = x[s:s + batch_size], y[s:s + batch_size]
            if eps == 0:
                adv = xb
            elif attack == "fgsm":
                adv = fgsm(model, xb, yb, eps, clamp=clamp)
            else:
                adv = pgd(model, xb, yb, eps, step_size if step_size is not None
                          else 2.5 * eps / steps, steps, random_state=random_state,
                          clamp=clamp)
            with torch.no_grad(), _EvalMode(model):
                correct += int((model(adv).argmax(1) == yb).sum())
        accs.append(correct / x.shape[0])
    return np.array(accs)
