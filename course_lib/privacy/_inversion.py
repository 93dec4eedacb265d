"""Model inversion (Fredrikson et al. 2015): rebuild a class's representative input from a model.

With full confidence scores, an attacker climbs the target class's confidence from a blank input
by gradient ascent on log p(target | x) (white box, or with gradients estimated from scores).
The defences the lesson names limit what the API returns: label only, probabilities rounded to a
few decimals, or noise added to them. These outputs have no useful gradient (zero almost
everywhere), so the attacker falls back on black-box random search with the same number of
queries; ``invert_class`` runs either, and always reports the TRUE confidence reached, so each
defence is measured by how much less the attack recovers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from course_lib._validate import check_int, check_real, check_tensor

__all__ = ["query_api", "InversionResult", "invert_class"]

OUTPUTS = ("probs", "rounded", "noisy", "label")


def _check_output(output: str) -> str:
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")
    return output


@torch.no_grad()
def query_api(model: nn.Module, inputs: torch.Tensor, output: str = "probs", *,
              decimals: int = 1, noise_scale: float = 0.1,
              generator: torch.Generator | None = None) -> torch.Tensor:
    """What a prediction API returns for a batch: "probs" p, "rounded" round(p, decimals),
    "noisy" p + N(0, noise_scale²), or "label" (one-hot of argmax p)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    _check_output(output)
    check_tensor(inputs, "inputs", like=model, floating=True, finite=True)
    if inputs.ndim < 1 or inputs.shape[0] == 0:
        raise ValueError(f"inputs must be a non-empty batch, got shape {tuple(inputs.shape)}")
    model.eval()
    p = torch.softmax(model(inputs), dim=1)
    if output == "rounded":
        scale = 10.0 ** check_int(decimals, "decimals", 0)
        return torch.round(p * scale) / scale
    if output == "noisy":
        sd = check_real(noise_scale, "noise_scale", 0.0)
        return p + sd * torch.randn(p.shape, generator=generator)
    if output == "label":
        return nn.functional.one_hot(p.argmax(1), p.shape[1]).to(p.dtype)
    return p


@dataclass
class InversionResult:
    """The reconstructed input, the true confidence it reaches, and that confidence per query."""

    x: torch.Tensor
    confidence: float
    history: list[float] = field(default_factory=list)


def _true_confidence(model: nn.Module, x: torch.Tensor, target: int) -> float:
    with torch.no_grad():
        return float(torch.softmax(model(x.unsqueeze(0)), dim=1)[0, target])


def invert_class(model: nn.Module, target: int, shape: Sequence[int], *, method: str = "gradient",
                 output: str = "probs", steps: int = 200, lr: float = 0.1,
                 step_size: float = 0.1, decimals: int = 1, noise_scale: float = 0.1,
                 bounds: tuple[float, float] = (0.0, 1.0), init: torch.Tensor | None = None,
                 random_state: int = 0) -> InversionResult:
    """Reconstruct an input the model assigns to ``target``, from a blank (mid-range) input.

    ``method="gradient"``: ``steps`` Adam steps of ascent on log p(target | x), x kept in
    ``bounds`` (needs full scores, ``output="probs"``). ``method="search"``: black-box (1+1)
    random search with ``steps`` queries: propose x' = x + step_size·N(0, I), keep it if the
    API's score for ``target`` (per ``output``, see ``query_api``) is at least the current one.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    _check_output(output)
    n = check_int(steps, "steps", 1)
    seed = check_int(random_state, "random_state", 0)
    if not isinstance(shape, (tuple, list)) or not all(isinstance(s, int) and s > 0 for s in shape):
        raise TypeError(f"shape must be a sequence of positive ints (one input's shape), "
                        f"got {shape!r}")
    if not isinstance(bounds, (tuple, list)) or len(bounds) != 2:
        raise TypeError(f"bounds must be a (low, high) pair, got {bounds!r}")
    lo, hi = (check_real(b, "bounds") for b in bounds)
    if not lo < hi:
        raise ValueError(f"bounds must be (low, high) with low < high, got {bounds!r}")
    if init is not None and not isinstance(init, torch.Tensor):
        raise TypeError(f"init must be a torch tensor or None, got {type(init).__name__}")
    if init is not None:
        check_tensor(init, "init", finite=True)
    x = torch.full(tuple(shape), (lo + hi) / 2) if init is None else init.detach().clone().float()
    if tuple(x.shape) != tuple(shape):
        raise ValueError(f"init must have shape {tuple(shape)}, got {tuple(x.shape)}")
    model.eval()
    with torch.no_grad():
        n_classes = model(x.unsqueeze(0)).shape[1]
    t = check_int(target, "target", 0)
    if t >= n_classes:
        raise ValueError(f"target must be a class index < {n_classes}, got {t}")
    history: list[float] = []
    if method == "gradient":
        if output != "probs":
            raise ValueError(f"method='gradient' needs full scores (output='probs'); a "
                             f"{output!r} output has no useful gradient: use method='search'")
        x.requires_grad_(True)
        opt = torch.optim.Adam([x], lr=check_real(lr, "lr", 0.0, lo_open=True))
        for _ in range(n):
            loss = -torch.log_softmax(model(x.unsqueeze(0)), dim=1)[0, t]
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                x.clamp_(lo, hi)
            history.append(_true_confidence(model, x.detach(), t))
        x = x.detach()
    elif method == "search":
        size = check_real(step_size, "step_size", 0.0, lo_open=True)
        gen = torch.Generator().manual_seed(seed)
        api = {"decimals": decimals, "noise_scale": noise_scale, "generator": gen}
        best = float(query_api(model, x.unsqueeze(0), output, **api)[0, t])
        for _ in range(n - 1):  # the first query scored the start
            proposal = (x + size * torch.randn(x.shape, generator=gen)).clamp(lo, hi)
            score = float(query_api(model, proposal.unsqueeze(0), output, **api)[0, t])
            if score >= best:
                x, best = proposal, score
            history.append(_true_confidence(model, x, t))
    else:
        raise ValueError(f"method must be 'gradient' or 'search', got {method!r}")
    return InversionResult(x, _true_confidence(model, x, t), history)
