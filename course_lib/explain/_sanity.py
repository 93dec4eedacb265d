"""Sanity checks for saliency maps (Adebayo et al. 2018): does the map depend on the model?

Two tests: cascading model-parameter randomisation (re-initialise the layers from the output
down) and label randomisation (retrain on shuffled labels); either way the maps of the changed
model are compared with the original ones by rank correlation.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from course_lib._validate import check_bool, check_int

__all__ = ["cascading_randomization", "rank_correlation", "parameter_layers",
           "LabelRandomization", "label_randomization"]

ExplainFn = Callable[[nn.Module, torch.Tensor, object], torch.Tensor]


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
    check_bool(abs, "abs")
    arrs = []
    for name, m in (("a", a), ("b", b)):
        arr = m.detach().cpu().numpy() if isinstance(m, torch.Tensor) else np.asarray(m)
        if arr.dtype.kind not in "iuf":
            raise TypeError(f"{name} must be numeric maps, got dtype {arr.dtype}")
        if arr.ndim < 2 or 0 in arr.shape:
            raise ValueError(f"{name} must be a non-empty batch of maps (N, ...), got shape "
                             f"{arr.shape}")
        arr = arr.reshape(arr.shape[0], -1).astype(np.float64)
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} contains NaN or infinite values")
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


@dataclass(frozen=True)
class LabelRandomization:
    """What ``label_randomization`` returns.

    ``model`` was trained on ``labels`` (the shuffled labels). ``original`` and ``randomized``
    hold the maps of the given model and of ``model``; ``correlation`` their per-example rank
    correlation. These three are a tensor / an array for one explanation function, and dicts
    keyed like the mapping of functions otherwise.
    """

    model: nn.Module
    labels: torch.Tensor | np.ndarray
    original: torch.Tensor | dict[str, torch.Tensor]
    randomized: torch.Tensor | dict[str, torch.Tensor]
    correlation: np.ndarray | dict[str, np.ndarray]


def _explain_fns(explain_fn: object) -> dict[str, ExplainFn] | None:
    """The mapping name → function (None for a single function), or a TypeError naming it."""
    if callable(explain_fn):
        return None
    if isinstance(explain_fn, Mapping) and explain_fn and all(
            isinstance(k, str) and callable(f) for k, f in explain_fn.items()):
        return dict(explain_fn)
    raise TypeError("explain_fn must be a function (model, inputs, target) -> maps, or a "
                    "non-empty dict of such functions keyed by name")


def _shuffled(labels: object, seed: int) -> torch.Tensor | np.ndarray:
    """``labels`` permuted by torch.randperm with a generator seeded by ``seed`` (same type)."""
    if isinstance(labels, torch.Tensor):
        arr = labels
    else:
        arr = np.asarray(labels)
        if arr.dtype.kind not in "iub":
            raise TypeError(f"labels must be integer class labels, got dtype {arr.dtype}")
    if arr.ndim != 1 or arr.shape[0] < 2:
        raise ValueError(f"labels must be 1-D with at least two entries, got shape "
                         f"{tuple(arr.shape)}")
    if isinstance(arr, torch.Tensor):
        if arr.is_floating_point() or arr.is_complex():
            raise TypeError(f"labels must be integer class labels, got {arr.dtype}")
        distinct = int(torch.unique(arr).numel())
    else:
        distinct = int(np.unique(arr).size)
    if distinct < 2:
        raise ValueError("labels must hold at least two different classes (shuffling a single "
                         "class changes nothing)")
    perm = torch.randperm(arr.shape[0], generator=torch.Generator().manual_seed(seed))
    return arr[perm.to(arr.device)] if isinstance(arr, torch.Tensor) else arr[perm.numpy()]


def label_randomization(model: nn.Module, explain_fn: ExplainFn | Mapping[str, ExplainFn],
                        inputs: torch.Tensor, target: object,
                        train_fn: Callable[[torch.Tensor | np.ndarray], nn.Module],
                        labels: torch.Tensor | np.ndarray, *, abs: bool = False,  # noqa: A002
                        random_state: int = 0) -> LabelRandomization:
    """Label-randomisation test: maps of ``model`` vs a model retrained on shuffled labels.

    The labels are permuted with ``torch.randperm`` from a generator seeded by ``random_state``
    (``labels[perm]``, same type as given); ``train_fn(shuffled)`` must build and train a fresh
    model on them and return it. It runs after ``torch.manual_seed(random_state)`` inside
    ``fork_rng``, so its initial weights are repeatable and the caller's global generator is left
    as it was. Both models are explained with ``explain_fn(model, inputs, target)`` (one
    function, or a dict of them: the model is trained once; the original maps are computed
    before training) and compared per example with ``rank_correlation`` (with ``abs``, of the
    maps' magnitudes). A map that explains the model changes (correlation near 0); one that stays
    near 1 does not depend on what the model learned. An example whose map is constant gets NaN
    (as in ``rank_correlation``): all NaN usually means training collapsed (every ReLU dead).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    fns = _explain_fns(explain_fn)
    check_bool(abs, "abs")
    if not callable(train_fn):
        raise TypeError("train_fn must be a function (labels) -> trained nn.Module")
    seed = check_int(random_state, "random_state", 0)
    shuffled = _shuffled(labels, seed)
    named = fns if fns is not None else {"": explain_fn}
    original = {name: fn(model, inputs, target).detach() for name, fn in named.items()}
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        retrained = train_fn(shuffled)
    if not isinstance(retrained, nn.Module):
        raise TypeError(f"train_fn must return the trained nn.Module (e.g. train(...).model), "
                        f"got {type(retrained).__name__}")
    if retrained is model:
        raise ValueError("train_fn must build and train a fresh model, not retrain `model`")
    randomized, correlation = {}, {}
    for name, fn in named.items():
        randomized[name] = fn(retrained, inputs, target).detach()
        correlation[name] = rank_correlation(original[name], randomized[name], abs=abs)
    if fns is None:
        return LabelRandomization(retrained, shuffled, original[""], randomized[""],
                                  correlation[""])
    return LabelRandomization(retrained, shuffled, original, randomized, correlation)
