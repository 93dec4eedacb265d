"""Sanity checks for saliency maps (Adebayo et al. 2018): does the map depend on the model?"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from course_lib._validate import check_int

__all__ = ["cascading_randomization", "rank_correlation", "parameter_layers"]


def parameter_layers(model: nn.Module) -> list[str]:
    """Names of the modules that hold their own parameters, from the input to the output."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    return [name for name, m in model.named_modules()
            if name and any(True for _ in m.parameters(recurse=False))]


def cascading_randomization(model: nn.Module,
                            explain_fn: Callable[[nn.Module, torch.Tensor, object], torch.Tensor],
                            inputs: torch.Tensor, target: object,
                            random_state: int = 0) -> dict[str, torch.Tensor]:
    """Maps after re-initialising the layers one by one from the output down (cumulatively).

    Returns an ordered dict: "original" → ``explain_fn(model, inputs, target)``, then for each
    layer with parameters, top first, its name → the map with that layer and all above it
    re-initialised (``reset_parameters``, i.e. their initial distribution, seeded by
    ``random_state``). Works on a copy: the caller's model is never changed.
    """
    if not callable(explain_fn):
        raise TypeError("explain_fn must be a function (model, inputs, target) -> maps")
    seed = check_int(random_state, "random_state", 0)
    layers = parameter_layers(model)
    if not layers:
        raise ValueError("model has no layers with parameters to randomise")
    work = copy.deepcopy(model).eval()
    modules = dict(work.named_modules())
    maps = {"original": explain_fn(work, inputs, target).detach()}
    for i, name in enumerate(reversed(layers)):
        layer = modules[name]
        if not hasattr(layer, "reset_parameters"):
            raise ValueError(f"layer {name!r} ({type(layer).__name__}) has no reset_parameters")
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed * 1000 + i)
            layer.reset_parameters()
        maps[name] = explain_fn(work, inputs, target).detach()
    return maps


def _ranks(a: np.ndarray) -> np.ndarray:
    """Ranks along axis 1, ties given their average rank (scipy's 'average' method)."""
    from scipy.stats import rankdata

    return rankdata(a, method="average", axis=1)


def rank_correlation(a: torch.Tensor | np.ndarray, b: torch.Tensor | np.ndarray,
                     abs: bool = False) -> np.ndarray:  # noqa: A002 - captum's name
    """Per-example Spearman correlation of two batches of maps: Pearson r of their ranks.

    Maps are flattened per example (first axis); with ``abs`` their absolute values are ranked
    (Adebayo et al. report both). An example whose map is constant gets NaN (undefined).
    """
    arrs = []
    for name, m in (("a", a), ("b", b)):
        arr = m.detach().cpu().numpy() if isinstance(m, torch.Tensor) else np.asarray(m)
        if arr.dtype.kind not in "iuf":
            raise TypeError(f"{name} must be numeric maps, got dtype {arr.dtype}")
        if arr.ndim < 2:
            raise ValueError(f"{name} must be a batch of maps (N, ...), got shape {arr.shape}")
        arr = arr.reshape(arr.shape[0], -1).astype(np.float64)
        arrs.append(np.abs(arr) if abs else arr)
    if arrs[0].shape != arrs[1].shape:
        raise ValueError(f"a and b must have the same shape, got {np.shape(a)} and {np.shape(b)}")
    ra, rb = (_ranks(x) for x in arrs)
    ra -= ra.mean(axis=1, keepdims=True)
    rb -= rb.mean(axis=1, keepdims=True)
    denom = np.sqrt((ra ** 2).sum(axis=1) * (rb ** 2).sum(axis=1))
    out = np.full(ra.shape[0], np.nan)
    ok = denom > 0
    out[ok] = (ra * rb).sum(axis=1)[ok] / denom[ok]
    return out
