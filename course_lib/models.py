"""Small torch models for the course, and one training loop: seconds on a laptop CPU.

Every model is built from ``nn`` modules (activations included), uses no in-place operations and
no BatchNorm, so shap, captum and opacus can work with it. Models return logits of shape
``(N, n_classes)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch
from torch import nn

from course_lib._validate import check_int, check_real

if TYPE_CHECKING:
    import numpy as np

__all__ = ["MLP", "CNN", "BagOfWords", "TrainResult", "fit_mlp", "train", "predict_proba",
           "predict", "SelfAttention", "TransformerBlock", "TinyTransformer"]



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
    if t.device.type == "meta":
        raise ValueError(f"{name} is a tensor on the 'meta' device, which holds no values")
    if t.dtype.is_complex or t.dtype == torch.bool and dtype.is_floating_point:
        raise TypeError(f"{name} must be real numbers, got {t.dtype}")
    if t.is_floating_point() and not torch.isfinite(t).all():  # before a cast to int hides NaN
        raise ValueError(f"{name} contains NaN or infinite values")
    if t.is_floating_point() and not dtype.is_floating_point and not torch.equal(t, t.round()):
        raise ValueError(f"{name} must hold whole numbers (class indices), got fractions")
    t = t.to(dtype)
    if t.is_floating_point() and not torch.isfinite(t).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return t


def _label_range(y: torch.Tensor) -> tuple[int, int] | None:
    """(min, max) of integer labels, or None for no labels."""
    if y.numel() == 0:
        return None
    lo, hi = torch.aminmax(y)
    return int(lo), int(hi)


def _check_label_range(labels: tuple[int, int] | None, n_classes: int,
                       name: str = "target") -> None:
    """Labels in [min, max] must be class indices 0..n_classes-1 (what cross-entropy indexes)."""
    if labels is not None and (labels[0] < 0 or labels[1] >= n_classes):
        raise ValueError(f"{name} must hold class indices 0..{n_classes - 1} (the model has "
                         f"{n_classes} outputs), got values in [{labels[0]}, {labels[1]}]")


def _n_classes(logits: torch.Tensor) -> int:
    """The number of classes of a batch of logits (cross-entropy's class dimension)."""
    return logits.shape[1] if logits.ndim > 1 else logits.shape[-1]


def _n_outputs(model: nn.Module, x: torch.Tensor) -> int:
    """The model's number of outputs (classes), from the first row of ``x`` in eval mode without
    gradients: no dropout and no batch-norm update, so no random number is drawn and nothing
    changes (every module's mode is restored)."""
    modes = [m.training for m in model.modules()]
    model.eval()
    try:
        with torch.no_grad():
            return _n_classes(model(x[:1]))
    finally:
        for m, mode in zip(model.modules(), modes, strict=True):
            m.training = mode


def _check_target_classes(model: nn.Module, x: torch.Tensor, y: torch.Tensor,
                          name: str = "target") -> None:
    """``y`` must hold class indices of ``model``'s outputs (one eval-mode forward of one row)."""
    labels = _label_range(y)
    if labels is not None:
        _check_label_range(labels, _n_outputs(model, x), name)


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
    import time

    from tqdm.auto import tqdm

    from course_lib import energy

    check_int(epochs, "epochs", 1)
    check_int(batch_size, "batch_size", 1)
    check_real(lr, "lr", 0.0, lo_open=True)
    check_real(weight_decay, "weight_decay", 0.0)
    check_int(random_state, "random_state", 0)
    x = _as_tensor(inputs, "inputs", torch.float32)
    y = _as_tensor(target, "target", torch.long)
    if x.shape[0] != y.shape[0] or y.ndim != 1:
        raise ValueError(f"inputs and target must have the same number of rows and target must "
                         f"be 1-D, got {tuple(x.shape)} and {tuple(y.shape)}")
    if x.shape[0] == 0:
        raise ValueError("inputs is empty")
    _check_target_classes(model, x[:1].to(next(model.parameters()).device), y)
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
    # FLOPs of one full-size step (forward + backward; no random numbers drawn), for the footprint
    first = min(batch_size, x.shape[0])
    step_flops = energy.count_flops(model, x[:first], y[:first])
    wall, cpu = time.perf_counter(), time.process_time()
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
    energy.record_run(desc or type(model).__name__, time.perf_counter() - wall,
                      time.process_time() - cpu,
                      flops=round(step_flops * x.shape[0] / first) * epochs)
    return TrainResult(model, losses)


@torch.no_grad()
def predict_proba(model: nn.Module, inputs, batch_size: int = 256) -> np.ndarray:
    """Class probabilities (softmax of the logits) as a numpy array of shape (N, n_classes)."""
    check_int(batch_size, "batch_size", 1)
    x = _as_tensor(inputs, "inputs", torch.float32)
    if x.ndim == 0 or x.shape[0] == 0:
        raise ValueError(f"inputs must hold at least one row, got shape {tuple(x.shape)}")
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
    check_real(threshold, "threshold", 0.0, 1.0)
    if proba.shape[1] != 2:
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


class SelfAttention(nn.Module):
    """Multi-head self-attention written out: per head softmax(QKᵀ/√d_head)·V, then a projection.

    Equal to ``nn.MultiheadAttention(d_model, n_heads, batch_first=True)`` with the same weights
    (which fuses the steps and, on its fast path, returns no weights); ``forward`` returns the
    output (N, T, d_model) and the attention weights (N, n_heads, T, T), each row summing to 1.
    """

    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        check_int(d_model, "d_model", 1)
        check_int(n_heads, "n_heads", 1)
        if d_model % n_heads:
            raise ValueError(f"d_model ({d_model}) must be divisible by n_heads ({n_heads})")
        self.n_heads, self.d_head = n_heads, d_model // n_heads
        self.query = nn.Linear(d_model, d_model)
        self.key = nn.Linear(d_model, d_model)
        self.value = nn.Linear(d_model, d_model)
        self.out = nn.Linear(d_model, d_model)
        self.softmax = nn.Softmax(dim=-1)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        n, t, _ = x.shape
        return x.reshape(n, t, self.n_heads, self.d_head).transpose(1, 2)  # (N, H, T, d_head)

    def forward(self, x: torch.Tensor,
                weights: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Attend; ``weights`` (N, n_heads, T, T), if given, replace the computed ones."""
        q, k, v = self._heads(self.query(x)), self._heads(self.key(x)), self._heads(self.value(x))
        if weights is None:
            weights = self.softmax(q @ k.transpose(-2, -1) / self.d_head ** 0.5)
        elif weights.shape != (x.shape[0], self.n_heads, x.shape[1], x.shape[1]):
            expected = (x.shape[0], self.n_heads, x.shape[1], x.shape[1])
            raise ValueError(f"weights must have shape {expected}, got {tuple(weights.shape)}")
        context = (weights @ v).transpose(1, 2).reshape(x.shape)
        return self.out(context), weights


class TransformerBlock(nn.Module):
    """Pre-norm encoder block: x + attention(LayerNorm(x)), then x + MLP(LayerNorm(x))."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.attention = SelfAttention(d_model, n_heads)
        self.norm2 = nn.LayerNorm(d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, check_int(d_ff, "d_ff", 1)), nn.ReLU(),
                                nn.Linear(d_ff, d_model))

    def forward(self, x: torch.Tensor,
                weights: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        attended, weights = self.attention(self.norm1(x), weights)
        x = x + attended
        return x + self.ff(self.norm2(x)), weights


class TinyTransformer(nn.Module):
    """A small transformer encoder classifier whose attention weights can be read.

    Token embeddings + learned position embeddings → ``n_layers`` pre-norm blocks → LayerNorm →
    Linear on the first position (a [CLS] token). ``forward(x)`` takes token ids (N, T) or token
    embeddings (N, T, d_model) (e.g. on the path of integrated gradients; positions are added
    either way). With ``return_attention=True`` it
    returns (logits, attention) with attention (N, n_layers, n_heads, T, T); ``attention``
    maps a layer index to weights (N, n_heads, T, T) that replace that layer's own (an
    intervention: what does the prediction do if the model had attended elsewhere?).
    """

    def __init__(self, vocab_size: int, d_model: int = 64, n_heads: int = 4, n_layers: int = 2,
                 max_len: int = 32, n_classes: int = 2, d_ff: int | None = None):
        super().__init__()
        check_int(vocab_size, "vocab_size", 1)
        check_int(n_layers, "n_layers", 1)
        self.max_len = check_int(max_len, "max_len", 1)
        self.embedding = nn.Embedding(vocab_size, check_int(d_model, "d_model", 1))
        self.position = nn.Embedding(max_len, d_model)
        self.blocks = nn.ModuleList(TransformerBlock(d_model, n_heads, d_ff or 2 * d_model)
                                    for _ in range(n_layers))
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, check_int(n_classes, "n_classes", 1))

    def embed(self, tokens: torch.Tensor) -> torch.Tensor:
        """Token embeddings (N, T, d_model) of token ids (N, T), without positions.

        Ids may come as floats holding whole numbers (``train`` and ``predict_proba`` convert
        inputs to float32): they are rounded back to integers.
        """
        if not isinstance(tokens, torch.Tensor) or tokens.ndim != 2:
            raise TypeError("tokens must be a tensor of token ids with shape (N, T)")
        if tokens.is_floating_point():
            if not torch.equal(tokens, tokens.round()):
                raise ValueError("tokens must be whole-number token ids")
            tokens = tokens.long()
        if tokens.numel() and (tokens.min() < 0 or tokens.max() >= self.embedding.num_embeddings):
            raise ValueError(f"tokens must be ids in [0, {self.embedding.num_embeddings})")
        return self.embedding(tokens)

    def forward(self, x: torch.Tensor, return_attention: bool = False,
                attention: Mapping[int, torch.Tensor] | None = None):
        h = x if isinstance(x, torch.Tensor) and x.ndim == 3 else self.embed(x)
        if h.ndim != 3 or h.shape[2] != self.embedding.embedding_dim:
            raise ValueError(f"embeddings must have shape (N, T, {self.embedding.embedding_dim}),"
                             f" got {tuple(h.shape)}")
        if h.shape[1] > self.max_len:
            raise ValueError(f"sequences have {h.shape[1]} tokens, more than max_len "
                             f"({self.max_len})")
        h = h + self.position(torch.arange(h.shape[1], device=h.device))
        maps = []
        attention = {} if attention is None else attention
        bad = [k for k in attention if k not in range(len(self.blocks))]
        if bad:
            raise ValueError(f"attention keys must be layer indices 0..{len(self.blocks) - 1}, "
                             f"got {bad}")
        for i, block in enumerate(self.blocks):
            h, weights = block(h, attention.get(i))
            maps.append(weights)
        logits = self.head(self.norm(h)[:, 0])
        return (logits, torch.stack(maps, dim=1)) if return_attention else logits
