"""Small torch models for the course, and one training loop: seconds on a laptop CPU.

Every model is built from ``nn`` modules (activations included), uses no in-place operations and
no BatchNorm, so shap, captum and opacus can work with it. Models return logits of shape
``(N, n_classes)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch
from torch import nn

from course_lib._validate import check_int

if TYPE_CHECKING:
    import numpy as np

__all__ = ["MLP", "CNN", "BagOfWords", "TrainResult", "fit_mlp", "train", "predict_proba",
           "predict"]



class MLP(nn.Module):
    """A multilayer perceptron: Linear → ReLU (→ Dropout) per hidden layer, then Linear."""

    def __init__(self, in_features: int, hidden: Sequence[int] = (32,), n_classes: int = 2,
                 dropout: float = 0.0):
        super().__init__()
        check_int(in_features, "in_features", 1)
        check_int(n_classes, "n_classes", 1)
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        layers: list[nn.Module] = []
        width = in_features
        for i, h in enumerate(hidden):
            layers += [nn.Linear(width, check_int(h, f"hidden[{i}]", 1)), nn.ReLU()]
            if dropout:
                layers.append(nn.Dropout(dropout))
            width = h
        layers.append(nn.Linear(width, n_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class CNN(nn.Module):
    """A small convnet: [Conv3×3 → ReLU → MaxPool2] per block, then Flatten → Linear.

    ``features`` (the conv blocks) is exposed for Grad-CAM; ``image_size`` must be divisible by
    2**len(channels).
    """

    def __init__(self, in_channels: int = 1, n_classes: int = 2, image_size: int = 32,
                 channels: Sequence[int] = (8, 16)):
        super().__init__()
        check_int(in_channels, "in_channels", 1)
        check_int(n_classes, "n_classes", 1)
        check_int(image_size, "image_size", 1)
        if not channels or image_size % (2 ** len(channels)):
            raise ValueError(f"image_size ({image_size}) must be divisible by "
                             f"2**len(channels) = {2 ** len(channels)}")
        blocks: list[nn.Module] = []
        width = in_channels
        for i, c in enumerate(channels):
            blocks += [nn.Conv2d(width, check_int(c, f"channels[{i}]", 1), 3, padding=1),
                       nn.ReLU(), nn.MaxPool2d(2)]
            width = c
        self.features = nn.Sequential(*blocks)
        side = image_size // 2 ** len(channels)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(width * side * side, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


class BagOfWords(nn.Module):
    """A linear classifier over token counts (N, vocab_size): one learned weight per token."""

    def __init__(self, vocab_size: int, n_classes: int = 2):
        super().__init__()
        check_int(vocab_size, "vocab_size", 1)
        self.linear = nn.Linear(vocab_size, check_int(n_classes, "n_classes", 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)

    def token_effects(self, positive_class: int = 1) -> torch.Tensor:
        """Each token's effect on the logit margin: w[positive] − w[other] (binary models)."""
        w = self.linear.weight.detach()
        if w.shape[0] != 2:
            raise ValueError("token_effects is defined for binary models (n_classes=2)")
        return w[positive_class] - w[1 - positive_class]


def _as_tensor(x: object, name: str, dtype: torch.dtype) -> torch.Tensor:
    """Convert numpy/pandas/torch input to a tensor of ``dtype``, or raise naming ``name``."""
    if isinstance(x, torch.Tensor):
        t = x
    else:
        import numpy as np

        arr = x.to_numpy() if hasattr(x, "to_numpy") else np.asarray(x)  # pandas, lists
        if not arr.flags.writeable:  # pandas copy-on-write views are read-only
            arr = arr.copy()
        try:
            t = torch.as_tensor(arr)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise TypeError(f"{name} must be a numeric array or tensor ({exc})") from None
    if t.dtype.is_complex or t.dtype == torch.bool and dtype.is_floating_point:
        raise TypeError(f"{name} must be real numbers, got {t.dtype}")
    t = t.to(dtype)
    if t.is_floating_point() and not torch.isfinite(t).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return t


@dataclass
class TrainResult:
    """What ``train`` returns: the trained model and the mean loss of each epoch."""

    model: nn.Module
    losses: list[float] = field(default_factory=list)


def train(model: nn.Module, inputs, target, *, epochs: int = 20, batch_size: int = 128,
          lr: float = 1e-2, weight_decay: float = 0.0, sample_weight=None,
          random_state: int = 0, progress: bool = True, desc: str | None = None) -> TrainResult:
    """Train a classifier with Adam on (optionally sample-weighted) cross-entropy.

    Shuffling uses its own generator seeded by ``random_state``, so a run is repeatable whatever
    happened before. ``progress`` shows a tqdm bar over epochs (use it for runs over ~2 s).
    """
    from tqdm.auto import tqdm

    check_int(epochs, "epochs", 1)
    check_int(batch_size, "batch_size", 1)
    if not lr > 0:
        raise ValueError(f"lr must be > 0, got {lr!r}")
    x = _as_tensor(inputs, "inputs", torch.float32)
    y = _as_tensor(target, "target", torch.long)
    if x.shape[0] != y.shape[0] or y.ndim != 1:
        raise ValueError(f"inputs and target must have the same number of rows and target must "
                         f"be 1-D, got {tuple(x.shape)} and {tuple(y.shape)}")
    if x.shape[0] == 0:
        raise ValueError("inputs is empty")
    if y.min() < 0:
        raise ValueError("target must hold class indices 0..n_classes-1")
    w = None
    if sample_weight is not None:
        w = _as_tensor(sample_weight, "sample_weight", torch.float32)
        if w.shape != y.shape or (w < 0).any():
            raise ValueError("sample_weight must be 1-D, non-negative, one weight per row")
    device = next(model.parameters()).device
    x, y = x.to(device), y.to(device)
    w = w.to(device) if w is not None else None
    gen = torch.Generator().manual_seed(random_state)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    loss_fn = nn.CrossEntropyLoss(reduction="none")
    losses: list[float] = []
    model.train()
    for _ in tqdm(range(epochs), desc=desc or type(model).__name__, disable=not progress,
                  leave=False):
        order = torch.randperm(x.shape[0], generator=gen).to(device)
        total, weight_sum = 0.0, 0.0
        for start in range(0, x.shape[0], batch_size):
            idx = order[start:start + batch_size]
            per_row = loss_fn(model(x[idx]), y[idx])
            if w is None:
                loss, bw = per_row.mean(), float(len(idx))
            else:
                bw = float(w[idx].sum())
                loss = (per_row * w[idx]).sum() / max(bw, 1e-12)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * bw
            weight_sum += bw
        losses.append(total / max(weight_sum, 1e-12))
    model.eval()
    return TrainResult(model, losses)


@torch.no_grad()
def predict_proba(model: nn.Module, inputs, batch_size: int = 4096) -> np.ndarray:
    """Class probabilities (softmax of the logits) as a numpy array of shape (N, n_classes)."""
    x = _as_tensor(inputs, "inputs", torch.float32)
    device = next(model.parameters()).device
    model.eval()
    parts = [torch.softmax(model(x[i:i + batch_size].to(device)), dim=1).cpu()
             for i in range(0, x.shape[0], batch_size)]
    return torch.cat(parts).numpy()


def predict(model: nn.Module, inputs, threshold: float | None = None) -> np.ndarray:
    """Predicted labels: argmax, or for binary models P(class 1) >= ``threshold`` when given."""
    proba = predict_proba(model, inputs)
    if threshold is None:
        return proba.argmax(axis=1)
    if proba.shape[1] != 2 or not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold needs a binary model and a value in [0, 1]")
    return (proba[:, 1] >= threshold).astype(int)


def fit_mlp(inputs, target, *, hidden: Sequence[int] = (32,), random_state: int = 0,
            **train_kwargs) -> nn.Module:
    """A fresh MLP, its initial weights seeded by ``random_state``, trained with ``train``.

    Seeds torch's global generator (as ``torch.manual_seed(random_state)`` would) before building
    the model, so the same call gives the same model; ``train_kwargs`` go to ``train`` (defaults
    here: 20 epochs, batch 256, no progress bar).
    """
    x = _as_tensor(inputs, "inputs", torch.float32)
    if x.ndim != 2:
        raise ValueError(f"inputs must be 2-D (rows × features), got shape {tuple(x.shape)}")
    torch.manual_seed(check_int(random_state, "random_state", 0))
    model = MLP(x.shape[1], hidden=hidden)
    kwargs = {"epochs": 20, "batch_size": 256, "progress": False, **train_kwargs}
    return train(model, x, target, random_state=random_state, **kwargs).model
