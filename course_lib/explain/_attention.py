"""Attention maps of a transformer, attention rollout, and integrated gradients over tokens.

Attention weights say where a layer reads from, not what the prediction depends on (Jain &
Wallace 2019; Wiegreffe & Pinter 2019); the notebook compares them with integrated gradients
over the token embeddings, which satisfy completeness.
"""

from __future__ import annotations

import torch
from torch import nn

from course_lib._validate import check_int, check_real, check_tensor

__all__ = ["attention_maps", "attention_rollout", "token_integrated_gradients"]


def _tokens(model: nn.Module, tokens: object) -> torch.Tensor:
    if not isinstance(model, nn.Module) or not hasattr(model, "embed"):
        raise TypeError("model must be a course_lib.models.TinyTransformer (it needs .embed and "
                        "forward(..., return_attention=True))")
    if not isinstance(tokens, torch.Tensor):
        import numpy as np

        arr = np.asarray(tokens)
        if arr.dtype.kind not in "iu":
            raise TypeError(f"tokens must be integer ids, got dtype {arr.dtype}")
        tokens = torch.as_tensor(arr)
    check_tensor(tokens, "tokens", like=model)
    if tokens.ndim == 1:
        tokens = tokens[None]
    if tokens.ndim != 2 or tokens.is_floating_point():
        raise ValueError(f"tokens must be integer ids of shape (N, T) or (T,), got "
                         f"{tuple(tokens.shape)} {tokens.dtype}")
    if 0 in tokens.shape:
        raise ValueError(f"tokens is empty (shape {tuple(tokens.shape)})")
    max_len = getattr(model, "max_len", None)
    if max_len is not None and tokens.shape[1] > max_len:
        raise ValueError(f"tokens has sequences of {tokens.shape[1]} tokens, more than the "
                         f"model's max_len ({max_len})")
    vocab = getattr(getattr(model, "embedding", None), "num_embeddings", None)
    if vocab is not None:
        bad = tokens[(tokens < 0) | (tokens >= vocab)]
        if bad.numel():
            raise ValueError(f"tokens must be ids in the model's vocabulary [0, {vocab}), got "
                             f"{sorted(set(bad.tolist()))[:5]}")
    return tokens


@torch.no_grad()
def attention_maps(model: nn.Module, tokens) -> torch.Tensor:
    """Attention weights (N, layers, heads, T, T): row i is where position i reads from."""
    t = _tokens(model, tokens)
    was_training = model.training
    model.eval()
    try:
        _, maps = model(t, return_attention=True)
    finally:
        model.train(was_training)
    return maps


def attention_rollout(maps: torch.Tensor, residual: float = 0.5) -> torch.Tensor:
    """Attention rollout (Abnar & Zuidema 2020), (N, T, T).

    Per layer Â = (1 − r)·mean_heads(A) + r·I (the residual connection), rows renormalised;
    rollout = Â_L ··· Â_1: how much each position's final state draws on each input token.
    """
    check_tensor(maps, "maps", floating=True, finite=True)
    if maps.ndim != 5 or maps.shape[-1] != maps.shape[-2]:
        raise ValueError(f"maps must be a tensor (N, layers, heads, T, T) from attention_maps, "
                         f"got shape {tuple(maps.shape)}")
    if (maps < 0).any():
        raise ValueError("maps must hold attention weights (>= 0)")
    residual = check_real(residual, "residual", 0.0, 1.0, hi_open=True)
    eye = torch.eye(maps.shape[-1], dtype=maps.dtype, device=maps.device)
    out = eye.expand(maps.shape[0], -1, -1)
    for layer in range(maps.shape[1]):
        a = (1 - residual) * maps[:, layer].mean(dim=1) + residual * eye
        a = a / a.sum(dim=-1, keepdim=True)
        out = a @ out
    return out


def token_integrated_gradients(model: nn.Module, tokens, target: object = None,
                               steps: int = 64, batch_size: int = 32) -> torch.Tensor:
    """Integrated gradients over token embeddings, summed over the embedding: (N, T).

    Baseline: all-zero token embeddings (positions kept). Per token, the sum over its embedding
    dimensions; the tokens' scores add up to logit_target(x) − logit_target(baseline), up to the
    error of ``integrated_gradients``' midpoint rule over ``steps`` points.
    Sequences go through in batches of ``batch_size`` (each batch × steps paths), to bound memory.
    """
    from course_lib.explain._gradients import _target_index, integrated_gradients

    t = _tokens(model, tokens)
    check_int(batch_size, "batch_size", 1)
    check_int(steps, "steps", 2)
    if target is not None:
        target = _target_index(target, t.shape[0])
    parts = []
    for start in range(0, t.shape[0], batch_size):
        chunk = t[start:start + batch_size]
        with torch.no_grad():
            emb = model.embed(chunk)
        tgt = None if target is None else target[start:start + batch_size]
        parts.append(integrated_gradients(model, emb, baseline=0.0, target=tgt,
                                          steps=steps).sum(dim=-1))
    return torch.cat(parts)
