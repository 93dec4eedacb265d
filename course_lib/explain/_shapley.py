"""Exact Shapley values by enumerating every coalition: the yardstick for shap's explainers.

With d features there are 2^d coalitions, so this is for d ≤ 12; shap's explainers approximate
(KernelExplainer, sampling) or specialise (LinearExplainer, DeepExplainer, TreeExplainer) what
this computes exactly. The value of a coalition S is interventional (as shap's Independent masker):
v(S) = mean over background rows b of f(x_S, b_rest).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from course_lib._validate import check_array, check_int, to_numpy

__all__ = ["ShapleyValues", "exact_shapley", "coalition_values", "MAX_EXACT_FEATURES",
           "logit_margin"]

MAX_EXACT_FEATURES = 12


class ShapleyValues(NamedTuple):
    """Per-row, per-feature Shapley values (n, d) and the base value E[f(background)]."""

    values: np.ndarray
    base_value: float


def _evaluate(f: Callable, rows: np.ndarray, batch_size: int) -> np.ndarray:
    parts = []
    for start in range(0, rows.shape[0], batch_size):
        chunk = rows[start:start + batch_size]
        out = np.asarray(to_numpy(f(chunk)), dtype=float)
        if out.ndim == 2 and out.shape[1] == 1:
            out = out[:, 0]
        if out.shape != (chunk.shape[0],):
            raise ValueError(f"f must return one number per row (shape ({chunk.shape[0]},)), "
                             f"got shape {out.shape}; select one output, e.g. "
                             "lambda z: model.predict_proba(z)[:, 1]")
        parts.append(out)
    return np.concatenate(parts)


def coalition_values(f: Callable, x, background, *, batch_size: int = 65536) -> np.ndarray:
    """v(S) for every coalition S (bit i of the index set: feature i from x), shape (n, 2^d)."""
    if not callable(f):
        raise TypeError("f must be callable: (m, d) array -> (m,) outputs")
    xs = check_array(np.atleast_2d(to_numpy(x)), "x", 2)
    bg = check_array(background, "background", 2)
    d = xs.shape[1]
    if bg.shape[1] != d:
        raise ValueError(f"background must have the same {d} features as x, got {bg.shape[1]}")
    if d > MAX_EXACT_FEATURES:
        raise ValueError(f"x has {d} features: exact enumeration of 2^d coalitions is limited "
                         f"to d <= {MAX_EXACT_FEATURES}; use shap's sampling explainers")
    check_int(batch_size, "batch_size", 1)
    masks = ((np.arange(2 ** d)[:, None] >> np.arange(d)[None]) & 1).astype(bool)  # (2^d, d)
    out = np.empty((xs.shape[0], 2 ** d))
    for r, row in enumerate(xs):
        rows = np.where(masks[:, None, :], row[None, None, :], bg[None, :, :])
        vals = _evaluate(f, rows.reshape(-1, d), batch_size)
        out[r] = vals.reshape(2 ** d, bg.shape[0]).mean(axis=1)
    return out


def exact_shapley(f: Callable, x, background, *, batch_size: int = 65536) -> ShapleyValues:
    """Exact interventional Shapley values of f at each row of x.

    φ_i = Σ_{S ⊆ N∖{i}} |S|!(d − |S| − 1)!/d! · (v(S ∪ {i}) − v(S)), with
    v(S) = mean_b f(x_S, b_{N∖S}) over background rows b. Efficiency: Σ_i φ_i = f(x) − v(∅).
    """
    v = coalition_values(f, x, background, batch_size=batch_size)
    d = int(round(math.log2(v.shape[1])))
    idx = np.arange(2 ** d)
    sizes = np.array([bin(s).count("1") for s in idx])
    weight = np.array([math.factorial(k) * math.factorial(d - k - 1) / math.factorial(d)
                       if k < d else 0.0 for k in sizes])
    phi = np.zeros((v.shape[0], d))
    for i in range(d):
        without = idx[(idx >> i) & 1 == 0]
        phi[:, i] = ((v[:, without | (1 << i)] - v[:, without]) * weight[without]).sum(axis=1)
    return ShapleyValues(phi, float(v[0, 0]))


def logit_margin(model, positive: int = 1):
    """A binary classifier's log-odds of class ``positive``: f(x) = logit_pos(x) − logit_other(x).

    Returned as ``nn.Sequential(model, Linear(2, 1))`` with fixed weights (+1, −1), in eval mode:
    built from ``nn`` modules with no in-place operation, so ``shap.DeepExplainer`` can trace it,
    and one output, so each explainer returns one attribution per feature.
    """
    import torch
    from torch import nn

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    if isinstance(positive, bool) or positive not in (0, 1):
        raise ValueError(f"positive must be 0 or 1 (the class whose log-odds to explain), "
                         f"got {positive!r}")
    head = nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        head.weight.copy_(torch.tensor([[-1.0, 1.0]] if positive == 1 else [[1.0, -1.0]]))
    head.weight.requires_grad_(False)
    return nn.Sequential(model, head).eval()
