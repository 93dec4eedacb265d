"""In-processing: train a torch classifier with a fairness penalty, or against an adversary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from course_lib._validate import check_int
from course_lib.mitigation._checks import non_negative, positive_int, two_groups

if TYPE_CHECKING:
    import torch
    from torch import nn

    from course_lib.models import TrainResult

__all__ = ["CONSTRAINTS", "AdversarialResult", "train_adversarial",
           "train_fair_penalty"]

CONSTRAINTS = ("demographic_parity", "equalized_odds")


@dataclass
class AdversarialResult:
    """What ``train_adversarial`` returns: both networks and each one's mean loss per epoch."""

    model: nn.Module
    adversary: nn.Module
    losses: list[float] = field(default_factory=list)
    adversary_losses: list[float] = field(default_factory=list)


def _prepare(model, inputs, target, sensitive, constraint, epochs, batch_size, lr):
    """Validated tensors (x, y, s) on the model's device."""
    import torch

    from course_lib.models import _as_tensor

    if constraint not in CONSTRAINTS:
        raise ValueError(f"constraint must be one of {CONSTRAINTS}, got {constraint!r}")
    positive_int(epochs, "epochs")
    positive_int(batch_size, "batch_size")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"lr must be > 0, got {lr!r}")
    x = _as_tensor(inputs, "inputs", torch.float32)
    y = _as_tensor(target, "target", torch.long)
    if y.ndim != 1 or x.shape[0] != y.shape[0] or x.shape[0] == 0:
        raise ValueError(f"inputs and target must have the same (non-zero) number of rows and "
                         f"target must be 1-D, got {tuple(x.shape)} and {tuple(y.shape)}")
    if not ((y == 0) | (y == 1)).all():
        raise ValueError("target must be binary (0/1)")
    codes, _ = two_groups(sensitive, x.shape[0])
    s = torch.as_tensor(codes, dtype=torch.float32)
    device = next(model.parameters()).device
    return x.to(device), y.to(device), s.to(device)


def _gap_penalty(p: torch.Tensor, s: torch.Tensor, y: torch.Tensor, constraint: str):
    """Squared gap in mean P(ŷ=1) between the groups: overall (DP) or within each y (EO)."""
    import torch

    strata = [torch.ones_like(s, dtype=torch.bool)] if constraint == "demographic_parity" \
        else [y == 0, y == 1]
    total = p.new_zeros(())
    for stratum in strata:
        in1, in0 = stratum & (s == 1), stratum & (s == 0)
        if in1.any() and in0.any():
            total = total + (p[in1].mean() - p[in0].mean()) ** 2
    return total


def train_fair_penalty(model: nn.Module, inputs, target, sensitive, *, lam: float,
                       constraint: str = "demographic_parity", epochs: int = 20,
                       batch_size: int = 256, lr: float = 1e-2, random_state: int = 0,
                       progress: bool = False, desc: str | None = None) -> TrainResult:
    """Adam on cross-entropy + λ·gap², gap = mean P(ŷ=1 | S=1) − mean P(ŷ=1 | S=0) per batch.

    For ``constraint="equalized_odds"`` the squared gap is summed over y = 0 and y = 1 (the gaps
    in mean score among negatives and among positives). ``lam=0`` is plain training; raising it
    trades accuracy for a smaller gap. ``sensitive`` must have exactly two groups.
    """
    import torch
    from torch import nn
    from tqdm.auto import tqdm

    from course_lib.models import TrainResult

    lam = non_negative(lam, "lam")
    check_int(random_state, "random_state", 0)
    x, y, s = _prepare(model, inputs, target, sensitive, constraint, epochs, batch_size, lr)
    gen = torch.Generator().manual_seed(random_state)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    ce = nn.CrossEntropyLoss()
    losses: list[float] = []
    flops, clock = _run_flops(model, x, y, batch_size, epochs, backward_passes=1), _clock()
    model.train()
    for _ in tqdm(range(epochs), desc=desc or f"penalty λ={lam:g}", disable=not progress,
                  leave=False):
        order = torch.randperm(x.shape[0], generator=gen).to(x.device)
        total = 0.0
        for start in range(0, x.shape[0], batch_size):
            idx = order[start:start + batch_size]
            logits = model(x[idx])
            p = torch.softmax(logits, dim=1)[:, 1]
            loss = ce(logits, y[idx]) + lam * _gap_penalty(p, s[idx], y[idx], constraint)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        losses.append(total / x.shape[0])
    model.eval()
    _record(desc or f"penalty λ={lam:g}", clock, flops)
    return TrainResult(model, losses)


def _clock() -> tuple[float, float]:
    """Wall and CPU clocks now, for ``_record``."""
    import time

    return time.perf_counter(), time.process_time()


def _record(name: str, clock: tuple[float, float], flops: int) -> None:
    """Record a finished run (since ``clock``) in the session's footprint (course_lib.energy)."""
    import time

    from course_lib import energy

    energy.record_run(name, time.perf_counter() - clock[0], time.process_time() - clock[1],
                      flops)


def _run_flops(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int,
               epochs: int, backward_passes: int) -> int:
    """FLOPs of a run: one forward and ``backward_passes`` backward passes per row and epoch."""
    from course_lib import energy

    first = min(batch_size, x.shape[0])
    forward = energy.count_flops(model, x[:first], backward=False)
    both = energy.count_flops(model, x[:first], y[:first])
    return round((forward + backward_passes * (both - forward)) * x.shape[0] / first) * epochs


class _Adversary:
    """Factory for Zhang et al.'s adversary: logistic regression on s = σ((1+|c|)·margin).

    For demographic parity it sees [s]; for equalized odds [s, s·y, s·(1−y)], so it can only
    predict the group from the score *within* a true class.
    """

    @staticmethod
    def build(constraint: str) -> nn.Module:
        import torch
        from torch import nn

        class Adversary(nn.Module):
            def __init__(self, n_in: int):
                super().__init__()
                self.c = nn.Parameter(torch.ones(()))
                self.linear = nn.Linear(n_in, 1)

            def forward(self, margin: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
                z = torch.sigmoid((1 + self.c.abs()) * margin).unsqueeze(1)
                if self.linear.in_features == 3:
                    yf = y.float().unsqueeze(1)
                    z = torch.cat([z, z * yf, z * (1 - yf)], dim=1)
                return self.linear(z).squeeze(1)

        return Adversary(1 if constraint == "demographic_parity" else 3)


def _project_out(g_p: torch.Tensor, g_a: torch.Tensor, alpha: float) -> torch.Tensor:
    """Zhang et al. (2018): g_P − proj_{g_A} g_P − α·g_A, on flattened gradient vectors."""
    norm2 = (g_a * g_a).sum()
    proj = (g_p * g_a).sum() / norm2 * g_a if norm2 > 0 else g_a * 0
    return g_p - proj - alpha * g_a


def train_adversarial(model: nn.Module, inputs, target, sensitive, *,
                      constraint: str = "demographic_parity", alpha: float = 0.3,
                      epochs: int = 30, batch_size: int = 256, lr: float = 1e-3,
                      adversary_lr: float = 5e-2, warmup_epochs: int = 5,
                      random_state: int = 0, progress: bool = False,
                      desc: str | None = None) -> AdversarialResult:
    """Adversarial debiasing (Zhang, Lemoine & Mitchell 2018) of a binary torch classifier.

    An adversary predicts the group from the model's logit margin (and from y, for
    ``constraint="equalized_odds"``). Each batch, the adversary takes an Adam step on its loss
    L_A, and the model steps along g_P − proj_{g_A} g_P − α·g_A, where g_P = ∇L_P (the model's
    cross-entropy) and g_A = ∇L_A with respect to the model's weights: the projection removes the
    part of the update that would help the adversary, and −α·g_A actively hurts it. The first
    ``warmup_epochs`` train the model on L_P alone (the adversary learns alongside), which with a
    small model lr and a fast adversary keeps the game stable.
    """
    import torch
    from torch import nn
    from tqdm.auto import tqdm

    alpha = non_negative(alpha, "alpha")
    if isinstance(adversary_lr, bool) or not isinstance(adversary_lr, (int, float)) \
            or not adversary_lr > 0:
        raise ValueError(f"adversary_lr must be > 0, got {adversary_lr!r}")
    check_int(random_state, "random_state", 0)
    x, y, s = _prepare(model, inputs, target, sensitive, constraint, epochs, batch_size, lr)
    torch.manual_seed(random_state)  # the adversary's initial weights
    adversary = _Adversary.build(constraint).to(x.device)
    gen = torch.Generator().manual_seed(random_state)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=lr)
    adv_opt = torch.optim.Adam(adversary.parameters(), lr=adversary_lr)
    ce, bce = nn.CrossEntropyLoss(), nn.BCEWithLogitsLoss()
    losses: list[float] = []
    adv_losses: list[float] = []
    if isinstance(warmup_epochs, bool) or not isinstance(warmup_epochs, int) \
            or not 0 <= warmup_epochs < epochs:
        raise ValueError(f"warmup_epochs must be an int in [0, epochs), got {warmup_epochs!r}")
    # two backward passes a batch (g_P and g_A); the adversary's own cost is negligible
    flops, clock = _run_flops(model, x, y, batch_size, epochs, backward_passes=2), _clock()
    model.train()
    for epoch in tqdm(range(epochs), desc=desc or "adversarial", disable=not progress,
                      leave=False):
        a = 0.0 if epoch < warmup_epochs else alpha
        debias = epoch >= warmup_epochs
        order = torch.randperm(x.shape[0], generator=gen).to(x.device)
        total, adv_total = 0.0, 0.0
        for start in range(0, x.shape[0], batch_size):
            idx = order[start:start + batch_size]
            xb, yb, sb = x[idx], y[idx], s[idx]
            logits = model(xb)
            margin = logits[:, 1] - logits[:, 0]
            loss_p = ce(logits, yb)
            loss_a = bce(adversary(margin, yb), sb)
            g_p = torch.autograd.grad(loss_p, params, retain_graph=True)
            g_a = torch.autograd.grad(loss_a, params)
            flat_p = torch.cat([g.reshape(-1) for g in g_p])
            flat = _project_out(flat_p, torch.cat([g.reshape(-1) for g in g_a]), a) \
                if debias else flat_p
            offset = 0
            for p in params:
                p.grad = flat[offset:offset + p.numel()].view_as(p).clone()
                offset += p.numel()
            opt.step()
            # the adversary's step, on the scores the model gave before its own step
            adv_loss = bce(adversary(margin.detach(), yb), sb)
            adv_opt.zero_grad()
            adv_loss.backward()
            adv_opt.step()
            total += float(loss_p.detach()) * len(idx)
            adv_total += float(adv_loss.detach()) * len(idx)
        losses.append(total / x.shape[0])
        adv_losses.append(adv_total / x.shape[0])
    model.eval()
    adversary.eval()
    _record(desc or "adversarial", clock, flops)
    return AdversarialResult(model, adversary, losses, adv_losses)


