"""Notebook 05's explorer: an adversarial image as the budget ε and the attack's goal change.

Every attack on the grid (ε × goal × FGSM/PGD) and the saliency map of every attacked image are
computed in one batch when the explorer is built, so moving a control only picks a precomputed
image and draws it. Targeted attacks step *down* the loss of the goal class,
x' = clip(x − ε·sign(∇ₓ CE(f(x), t)), 0, 1) (captum's ``targeted=True``); untargeted ones step up
the loss of the true class, as ``fgsm`` and ``pgd`` do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
from torch import nn

from course_lib._validate import check_int, check_real
from course_lib.explain._adversarial import _loss_grad
from course_lib.explain._gradients import (
    _check_inputs,
    _check_model,
    _EvalMode,
    _forward,
    saliency,
)

__all__ = ["explore_adversarial", "adversarial_grid"]

UNTARGETED = -1  # the goal "away from the true class"
_DEFAULT_EPSILONS = tuple(round(0.01 * k, 2) for k in range(21))


def _attack_batch(model: nn.Module, x: torch.Tensor, label: torch.Tensor, sign: torch.Tensor,
                  eps: torch.Tensor, steps: int) -> torch.Tensor:
    """Sign-gradient steps on a batch, each with its own ε, label and direction (+1 up the loss
    of ``label``, −1 down it). ``steps`` = 1 is FGSM (one step of ε); more is PGD from x (no
    random start) with steps of 2.5·ε/steps, projected onto the ε-box and [0, 1]."""
    shape = (-1,) + (1,) * (x.ndim - 1)
    eps, sign = eps.view(shape), sign.view(shape).to(x.dtype)
    if steps == 1:
        return (x + sign * eps * torch.sign(_loss_grad(model, x, label))).clamp(0, 1)
    step, adv = 2.5 * eps / steps, x
    for _ in range(steps):
        adv = (adv + sign * step * torch.sign(_loss_grad(model, adv, label))).clamp(0, 1)
        adv = (x + torch.maximum(torch.minimum(adv - x, eps), -eps)).clamp(0, 1).detach()
    return adv


def _check_epsilons(epsilons: object) -> list[float]:
    """A non-empty sequence of L∞ budgets in [0, 1], as floats, or an error naming epsilons."""
    if isinstance(epsilons, (str, bytes)) or not isinstance(epsilons, Iterable):
        raise TypeError(f"epsilons must be a sequence of budgets in [0, 1], got "
                        f"{type(epsilons).__name__}")
    eps = [check_real(e, f"epsilons[{i}]", 0.0, 1.0) for i, e in enumerate(epsilons)]
    if not eps:
        raise ValueError("epsilons must name at least one budget")
    return eps


def _check_goals(goals: object) -> list[int]:
    """A non-empty sequence of class indices or UNTARGETED (bounded by the model later)."""
    if isinstance(goals, (str, bytes)) or not isinstance(goals, Iterable):
        raise TypeError(f"goals must be a sequence of classes (or {UNTARGETED}, untargeted), got "
                        f"{type(goals).__name__}")
    out = [check_int(g, f"goals[{i}]", UNTARGETED) for i, g in enumerate(goals)]
    if not out:
        raise ValueError("goals must name at least one goal")
    return out


def adversarial_grid(model: nn.Module, inputs: torch.Tensor, target: int,
                     epsilons: Sequence[float] = _DEFAULT_EPSILONS,
                     goals: Sequence[int] | None = None, pgd_steps: int = 10) -> dict:
    """Every attacked image, its probabilities and its saliency map on the grid ε × goal × attack.

    ``inputs`` is one image (1, C, H, W) in [0, 1], ``target`` its true class; a goal is a class
    to push the image towards, or ``UNTARGETED`` (−1, away from ``target``). Returns a dict of
    tensors indexed [attack, ε, goal, ...] (attack 0 = FGSM, 1 = PGD): ``images``, ``probs``,
    ``predicted`` and ``maps`` (saliency of the attacked image for its predicted class), and
    the ``clean_probs``.
    """
    _check_model(model)
    x = _check_inputs(inputs, "inputs", model).detach()
    if x.shape[0] != 1:
        raise ValueError(f"inputs must hold one image (batch size 1), got shape {tuple(x.shape)}")
    eps = _check_epsilons(epsilons)
    pgd_steps = check_int(pgd_steps, "pgd_steps", 2)
    target = check_int(target, "target", 0)
    goals = None if goals is None else _check_goals(goals)
    with torch.no_grad(), _EvalMode(model):
        clean = torch.softmax(_forward(model, x, "inputs"), 1)[0]
    n_classes = clean.shape[0]
    if target >= n_classes:
        raise ValueError(f"target must be a class in [0, {n_classes}), got {target}")
    if goals is None:
        goals = [UNTARGETED] + [c for c in range(n_classes) if c != target]
    if max(goals) >= n_classes:
        raise ValueError(f"goals must be classes in [0, {n_classes}) or {UNTARGETED}, got {goals}")
    n_e, n_g = len(eps), len(goals)
    label = torch.tensor([target if g == UNTARGETED else g for g in goals]).repeat(n_e)
    sign = torch.tensor([1 if g == UNTARGETED else -1 for g in goals]).repeat(n_e)
    eps_t = torch.tensor(eps, dtype=x.dtype).repeat_interleave(n_g)
    xb = x.expand(n_e * n_g, *x.shape[1:]).contiguous()
    with _EvalMode(model):
        adv = torch.stack([_attack_batch(model, xb, label, sign, eps_t, 1),
                           _attack_batch(model, xb, label, sign, eps_t, pgd_steps)])
        flat = adv.flatten(0, 1)
        with torch.no_grad():
            probs = torch.softmax(model(flat), 1)
    predicted = probs.argmax(1)
    maps = saliency(model, flat, predicted)
    shape = (2, n_e, n_g)
    return {"epsilons": eps, "goals": goals, "target": target, "clean": x[0],
            "clean_probs": clean, "images": adv.view(*shape, *x.shape[1:]),
            "probs": probs.view(*shape, n_classes), "predicted": predicted.view(shape),
            "maps": maps.view(*shape, *x.shape[1:])}


def explore_adversarial(model: nn.Module, inputs: torch.Tensor, target: int, *,
                        epsilons: Sequence[float] = _DEFAULT_EPSILONS, epsilon: float = 0.05,
                        pgd_steps: int = 10):
    """An explorer of one image under attack: ε (the L∞ budget), the attack (FGSM or PGD) and its
    goal (away from ``target``, the true class, or towards a chosen class). It shows the image,
    the attacked image, both images' class probabilities, and the saliency map of the attacked
    image for the class the model now predicts."""
    import pandas as pd

    from course_lib.explore import View, choice, explorer, figure, slider
    from course_lib.plotting import PALETTE

    epsilons = _check_epsilons(epsilons)
    if any(b <= a for a, b in zip(epsilons[:-1], epsilons[1:], strict=True)):
        raise ValueError(f"epsilons must increase (they are the slider's stops), got {epsilons}")
    epsilon = check_real(epsilon, "epsilon", 0.0, 1.0)
    grid = adversarial_grid(model, inputs, target, epsilons, pgd_steps=pgd_steps)
    eps_grid, goals, y = grid["epsilons"], grid["goals"], grid["target"]
    clean_probs = grid["clean_probs"].numpy()
    n_classes = clean_probs.shape[0]
    attacks = ("FGSM", "PGD")

    # one figure, drawn once: an update only swaps the images' data, the bars' heights and the
    # titles (a new figure per update would take most of the 0.2 s an update may use)
    fig, axes = figure(10.0, 2.6, ncols=4)
    axes[0].imshow(grid["clean"][0].numpy(), cmap="gray", vmin=0, vmax=1)
    axes[0].set_title(f"clean: {int(clean_probs.argmax())} (P = {clean_probs.max():.2f})",
                      fontsize=9)
    shown = axes[1].imshow(grid["clean"][0].numpy(), cmap="gray", vmin=0, vmax=1)
    width, classes = 0.4, list(range(n_classes))
    axes[2].bar([c - width / 2 for c in classes], clean_probs, width, label="clean",
                color=PALETTE["blue"])
    bars = axes[2].bar([c + width / 2 for c in classes], clean_probs, width, label="attacked",
                       color=PALETTE["vermillion"])
    axes[2].set_xticks(classes)
    axes[2].set_xlabel("class")
    axes[2].set_ylabel("probability")
    axes[2].set_title("class probabilities", fontsize=9)
    axes[2].set_ylim(0, 1)
    axes[2].legend(fontsize=7, loc="upper left")
    heat = axes[3].imshow(grid["maps"][0, 0, 0][0].numpy(), cmap="cividis")
    for ax in (axes[0], axes[1], axes[3]):
        ax.axis("off")

    def view(epsilon: float, attack: str, goal: int) -> View:
        e = min(range(len(eps_grid)), key=lambda i: abs(eps_grid[i] - epsilon))
        a, g = attacks.index(attack), goals.index(goal)
        image, probs = grid["images"][a, e, g], grid["probs"][a, e, g].numpy()
        pred, sal = int(grid["predicted"][a, e, g]), grid["maps"][a, e, g][0].numpy()
        change = float((image - grid["clean"]).abs().max())
        table = pd.DataFrame({"clean": clean_probs, "attacked": probs},
                             index=pd.RangeIndex(n_classes, name="class")).round(2)
        shown.set_data(image[0].numpy())
        axes[1].set_title(f"{attack}, ε = {eps_grid[e]:.2f}: {pred} (P = {probs[pred]:.2f})",
                          fontsize=9)
        for bar, p in zip(bars, probs, strict=True):
            bar.set_height(float(p))
        heat.set_data(sal)
        heat.set_clim(0.0, float(sal.max()) or 1.0)
        axes[3].set_title(f"saliency of the attacked image, for {pred}", fontsize=9)
        aim = "away from the true class" if goal == UNTARGETED else f"towards {goal}"
        verdict = "the attack succeeds" if pred != y else "the prediction holds"
        if goal != UNTARGETED and pred == goal:
            verdict += " and reaches its goal"
        note = (f"{attack} {aim}, ε = {eps_grid[e]:.2f} (largest pixel change {change:.3f}): "
                f"predicted {pred}, P(true class {y}) = {probs[y]:.2f}; {verdict}.")
        return View(table=table, figure=fig, note=note)

    goal_options = {"away from the true class": UNTARGETED,
                    **{f"towards {c}": c for c in goals if c != UNTARGETED}}
    default = min(eps_grid, key=lambda v: abs(v - epsilon))
    step = round(eps_grid[1] - eps_grid[0], 6) if len(eps_grid) > 1 else 0.01
    return explorer(view, {
        "epsilon": slider(float(min(eps_grid)), float(max(eps_grid)), step, float(default),
                          "budget ε"),
        "attack": choice(list(attacks), "FGSM", "attack"),
        "goal": choice(goal_options, UNTARGETED, "goal"),
    })
