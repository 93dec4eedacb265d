"""Mitigations measured in notebook 09: distillation, a new head, int8 quantisation, latency."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from course_lib._validate import check_int, check_real, check_tensor

if TYPE_CHECKING:
    import torch
    from torch import nn

from course_lib.energy._footprint import count_flops, record_run

__all__ = ["distillation_loss", "distill", "new_head", "quantize_int8", "latency", "model_bytes"]

# -- mitigations: distillation, transfer, quantisation -------------------------------------------


def distillation_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor,
                      target: torch.Tensor, temperature: float = 4.0,
                      alpha: float = 0.9) -> torch.Tensor:
    """Hinton et al. (2015): α·T²·KL(softmax(teacher/T) ‖ softmax(student/T)) + (1 − α)·CE.

    Both terms are means over the batch; the T² keeps the soft term's gradients on the scale of
    the hard one's when T changes.
    """
    import torch.nn.functional as F

    t = check_real(temperature, "temperature", 0.0, math.inf, lo_open=True, hi_open=True)
    a = check_real(alpha, "alpha", 0.0, 1.0)
    check_tensor(student_logits, "student_logits", floating=True, finite=True)
    check_tensor(teacher_logits, "teacher_logits", like=student_logits, floating=True,
                 finite=True)
    check_tensor(target, "target", like=student_logits, floating=False)
    if student_logits.shape != teacher_logits.shape or student_logits.ndim != 2:
        raise ValueError(f"student_logits and teacher_logits must both be (N, n_classes), got "
                         f"{tuple(student_logits.shape)} and {tuple(teacher_logits.shape)}")
    if target.shape != student_logits.shape[:1]:
        raise ValueError(f"target must be 1-D with one class per row of student_logits "
                         f"({student_logits.shape[0]}), got shape {tuple(target.shape)}")
    if target.numel() and (target.min() < 0 or target.max() >= student_logits.shape[1]):
        raise ValueError(f"target must hold class indices in [0, {student_logits.shape[1]})")
    soft = F.kl_div(F.log_softmax(student_logits / t, dim=1),
                    F.log_softmax(teacher_logits / t, dim=1), reduction="batchmean",
                    log_target=True)
    hard = F.cross_entropy(student_logits, target)
    return a * t * t * soft + (1 - a) * hard


def distill(teacher: nn.Module, student: nn.Module, inputs, target, *,
            temperature: float = 4.0, alpha: float = 0.9, epochs: int = 10,
            batch_size: int = 128, lr: float = 1e-2, random_state: int = 0,
            progress: bool = True, desc: str | None = None):
    """Train ``student`` with Adam on ``distillation_loss`` against ``teacher``'s logits.

    The teacher runs once over ``inputs`` (its logits are cached); shuffling is seeded by
    ``random_state``. The run is recorded like ``models.train``'s, its FLOPs counting the
    teacher's forward pass and the student's training steps. Returns a ``models.TrainResult``.
    """
    import torch
    from tqdm.auto import tqdm

    from course_lib.models import TrainResult, _as_tensor

    check_real(temperature, "temperature", 0.0, lo_open=True)
    check_real(alpha, "alpha", 0.0, 1.0)
    check_int(epochs, "epochs", 1)
    check_int(batch_size, "batch_size", 1)
    check_real(lr, "lr", 0.0, lo_open=True)
    x = _as_tensor(inputs, "inputs", torch.float32)
    y = _as_tensor(target, "target", torch.long)
    if x.shape[0] != y.shape[0] or y.ndim != 1 or x.shape[0] == 0:
        raise ValueError(f"inputs and target must have the same (non-zero) number of rows and "
                         f"target must be 1-D, got {tuple(x.shape)} and {tuple(y.shape)}")
    first = min(batch_size, x.shape[0])
    flops = round(count_flops(teacher, x[:first], backward=False) * x.shape[0] / first)
    step_flops = count_flops(student, x[:first], y[:first])
    wall, cpu = time.perf_counter(), time.process_time()
    teacher.eval()
    with torch.no_grad():
        soft = torch.cat([teacher(x[i:i + 4096]) for i in range(0, x.shape[0], 4096)])
    gen = torch.Generator().manual_seed(check_int(random_state, "random_state", 0))
    opt = torch.optim.Adam(student.parameters(), lr=lr)
    losses: list[float] = []
    student.train()
    for _ in tqdm(range(epochs), desc=desc or "distillation", disable=not progress,
                  leave=False):
        order = torch.randperm(x.shape[0], generator=gen)
        total = 0.0
        for start in range(0, x.shape[0], batch_size):
            idx = order[start:start + batch_size]
            loss = distillation_loss(student(x[idx]), soft[idx], y[idx], temperature, alpha)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        losses.append(total / x.shape[0])
    student.eval()
    flops += round(step_flops * x.shape[0] / first) * epochs
    record_run(desc or "distillation", time.perf_counter() - wall, time.process_time() - cpu,
               flops=flops)
    return TrainResult(student, losses)


def new_head(model: nn.Module, n_classes: int, random_state: int = 0) -> nn.Module:
    """Transfer learning: a copy of ``model`` with every weight frozen and its last Linear layer
    replaced by a fresh, trainable one with ``n_classes`` outputs (seeded by random_state)."""
    import copy

    import torch
    from torch import nn

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    check_int(n_classes, "n_classes", 1)
    names = [name for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    if not names:
        raise ValueError("model has no nn.Linear layer to replace")
    out = copy.deepcopy(model)
    for p in out.parameters():
        p.requires_grad_(False)
    *path, last = names[-1].split(".")
    parent = out.get_submodule(".".join(path)) if path else out
    old = getattr(parent, last)
    state = torch.random.get_rng_state()
    torch.manual_seed(check_int(random_state, "random_state", 0))
    try:
        setattr(parent, last, nn.Linear(old.in_features, n_classes))
    finally:
        torch.random.set_rng_state(state)
    return out


def _quantize_rows(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric int8 quantisation of each row: (q, scale) with x ≈ q · scale, |q| <= 127."""
    import torch

    scale = x.abs().amax(dim=1, keepdim=True).clamp(min=1e-12) / 127.0
    return torch.round(x / scale).clamp(-127, 127).to(torch.int8), scale


def _int8_linear_class():
    """Build ``Int8Linear`` on first use (torch is imported lazily)."""
    import torch
    from torch import nn

    class Int8Linear(nn.Module):
        """A Linear layer with int8 weights and dynamic int8 activations.

        Weights: symmetric per output channel, w ≈ q_w · s_w. Activations: symmetric per row,
        quantised at run time (dynamic), x ≈ q_x · s_x. Then y = (q_x q_wᵀ) · s_x · s_wᵀ + b,
        the product accumulated exactly in int32 (``torch._int_mm``): the scheme of PyTorch's
        deprecated ``quantize_dynamic``, written out.
        """

        def __init__(self, linear: nn.Linear):
            super().__init__()
            if not isinstance(linear, nn.Linear):
                raise TypeError(f"linear must be an nn.Linear, got {type(linear).__name__}")
            q, s = _quantize_rows(linear.weight.detach().float())
            self.in_features, self.out_features = linear.in_features, linear.out_features
            self.register_buffer("weight_t", q.t().contiguous())  # (in, out) int8
            # a frozen Parameter, so the model still has parameters (device, predict_proba)
            self.weight_scale = nn.Parameter(s.reshape(1, -1), requires_grad=False)  # (1, out)
            bias = linear.bias.detach().float().clone() if linear.bias is not None else None
            self.register_buffer("bias", bias)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            shape = x.shape
            rows = x.reshape(-1, shape[-1]).float()
            q, s = _quantize_rows(rows)
            acc = torch._int_mm(q, self.weight_t)  # exact int32 sums
            y = acc.float() * s * self.weight_scale
            if self.bias is not None:
                y = y + self.bias
            return y.reshape(*shape[:-1], self.out_features)

        def extra_repr(self) -> str:
            return f"in_features={self.in_features}, out_features={self.out_features}, int8"

    return Int8Linear


_CLASSES: dict[str, type] = {}


def __getattr__(name: str):
    if name == "Int8Linear":
        if name not in _CLASSES:
            _CLASSES[name] = _int8_linear_class()
        return _CLASSES[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def quantize_int8(model: nn.Module) -> nn.Module:
    """A copy of ``model`` (in eval mode) with every nn.Linear replaced by an ``Int8Linear``:
    dynamic int8 quantisation of the Linear layers, as ``quantize_dynamic`` did."""
    import copy

    from torch import nn

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    int8 = __getattr__("Int8Linear")
    out = copy.deepcopy(model).eval()
    names = [name for name, m in out.named_modules() if isinstance(m, nn.Linear)]
    if not names:
        raise ValueError("model has no nn.Linear layer to quantise")
    for name in names:
        *path, last = name.split(".")
        parent = out.get_submodule(".".join(path)) if path else out
        setattr(parent, last, int8(getattr(parent, last)))
    return out


def latency(model: nn.Module, inputs: torch.Tensor, repeats: int = 10, warmup: int = 2,
            min_seconds: float = 0.0) -> float:
    """Wall seconds of one forward pass over ``inputs`` (no gradients): the fastest of at least
    ``repeats`` timed passes after ``warmup`` untimed ones, timing more passes until they add up
    to ``min_seconds`` (other load only ever adds time, so the minimum is the usual benchmark
    statistic, and spreading the passes over a fixed time keeps one slow spell of a shared
    machine from covering them all). Volatile: it depends on the machine, its load and the
    thread count."""
    import torch

    check_int(repeats, "repeats", 1)
    check_int(warmup, "warmup", 0)
    budget = check_real(min_seconds, "min_seconds", 0.0, 60.0)
    if not isinstance(inputs, torch.Tensor) or inputs.ndim < 2 or inputs.shape[0] == 0:
        raise TypeError("inputs must be a non-empty batch tensor (N, ...)")
    check_tensor(inputs, "inputs", like=model)
    was_training = model.training
    model.eval()
    times: list[float] = []
    try:
        with torch.no_grad():
            for _ in range(warmup):
                model(inputs)
            while len(times) < repeats or sum(times) < budget:
                start = time.perf_counter()
                model(inputs)
                times.append(time.perf_counter() - start)
    finally:
        model.train(was_training)
    return min(times)


def model_bytes(model: nn.Module) -> int:
    """Bytes of a model's parameters and buffers as stored (int8 weights take 1 byte each)."""
    from torch import nn

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    tensors = [*model.parameters(), *model.buffers()]
    return sum(t.numel() * t.element_size() for t in tensors)
