"""Federated averaging (McMahan et al. 2017), client splits, and what the server still sees.

Each round the server sends the global weights to a fraction C of the K clients (at least one);
each runs E local epochs of mini-batch SGD on its own data and sends its weights back; the server
takes the size-weighted average θ ← Σₖ (nₖ/n) θₖ over the clients of the round. Raw data never
leaves a client, but updates do, and they leak: for a linear layer z = Wx + b, one example's
gradient is ∂L/∂W = δ xᵀ and ∂L/∂b = δ, so x = (∂L/∂W)[i] / (∂L/∂b)[i] for any unit i with δᵢ ≠ 0.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from course_lib._validate import check_int, check_real, check_tensor, to_numpy
from course_lib.models import (
    _check_label_range,
    _check_target_classes,
    _label_range,
    _n_classes,
    _n_outputs,
)

__all__ = ["split_clients", "local_sgd", "fedavg", "FedAvgResult", "linear_gradient_leak",
           "client_gradient"]


def _check_labels(target: object) -> np.ndarray:
    """A non-empty 1-D array of class labels: booleans or whole numbers (no NaN, inf, text)."""
    if isinstance(target, torch.Tensor) and target.device.type == "meta":
        raise ValueError("target is a tensor on the 'meta' device, which holds no values")
    y = to_numpy(target)
    if y.dtype == object:  # e.g. ints in an object column; None, text or lists do not convert
        try:
            y = np.asarray(y.tolist())
        except ValueError:  # ragged
            pass
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"target must be a non-empty 1-D array of labels, got shape {y.shape}")
    if y.dtype.kind not in "biuf":
        raise TypeError(f"target must hold class labels (numbers), got dtype {y.dtype}")
    if y.dtype.kind == "f":
        if not np.isfinite(y).all():
            raise ValueError("target contains NaN or infinite values")
        if not np.array_equal(y, np.round(y)):
            raise ValueError("target must hold whole numbers (class labels), got fractions")
    return y


def split_clients(target, n_clients: int, *, scheme: str = "iid", shards_per_client: int = 2,
                  random_state: int = 0) -> list[np.ndarray]:
    """Row indices for each client: "iid" (a random equal split) or "label_skew".

    "label_skew" is McMahan et al.'s pathological non-IID split: sort the rows by label, cut them
    into ``n_clients · shards_per_client`` shards and give each client ``shards_per_client``
    random shards, so most clients see only one or two labels.
    """
    y = _check_labels(target)
    k = check_int(n_clients, "n_clients", 1)
    s = check_int(shards_per_client, "shards_per_client", 1)
    if k > len(y):
        raise ValueError(f"n_clients ({k}) must be at most the number of rows ({len(y)})")
    rng = np.random.default_rng(check_int(random_state, "random_state", 0))
    if scheme == "iid":
        return [np.sort(part) for part in np.array_split(rng.permutation(len(y)), k)]
    if scheme == "label_skew":
        if k * s > len(y):
            raise ValueError(f"n_clients · shards_per_client ({k * s}) exceeds the rows "
                             f"({len(y)})")
        order = np.argsort(y, kind="stable")
        shards = np.array_split(order, k * s)
        pick = rng.permutation(k * s).reshape(k, s)
        return [np.sort(np.concatenate([shards[j] for j in row])) for row in pick]
    raise ValueError(f"scheme must be 'iid' or 'label_skew', got {scheme!r}")


def local_sgd(model: nn.Module, inputs: torch.Tensor, target: torch.Tensor, *, epochs: int,
              lr: float, batch_size: int, generator: torch.Generator) -> nn.Module:
    """Plain mini-batch SGD on cross-entropy, in place: ``epochs`` passes in shuffled order."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    if not isinstance(generator, torch.Generator):
        raise TypeError("generator must be a torch.Generator (it orders the mini-batches)")
    check_int(epochs, "epochs", 1)
    check_int(batch_size, "batch_size", 1)
    from course_lib.models import _as_tensor

    inputs = _as_tensor(inputs, "inputs", torch.float32)
    target = _as_tensor(target, "target", torch.long)
    if target.ndim != 1 or inputs.shape[0] != target.shape[0]:
        raise ValueError(f"inputs and target must have the same number of rows and target must "
                         f"be 1-D, got {tuple(inputs.shape)} and {tuple(target.shape)}")
    opt = torch.optim.SGD(model.parameters(), lr=check_real(lr, "lr", 0.0, lo_open=True))
    _check_target_classes(model, inputs, target)  # before a step changes the model
    model.train()
    for _ in range(epochs):
        order = torch.randperm(inputs.shape[0], generator=generator)
        for start in range(0, inputs.shape[0], batch_size):
            idx = order[start:start + batch_size]
            loss = nn.functional.cross_entropy(model(inputs[idx]), target[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    return model


@dataclass
class FedAvgResult:
    """The global model, the clients chosen each round, and each round's evaluation (if any)."""

    model: nn.Module
    rounds_clients: list[list[int]] = field(default_factory=list)
    history: list[float] = field(default_factory=list)


def _client_tensors(client_data) -> list[tuple[torch.Tensor, torch.Tensor]]:
    from course_lib.models import _as_tensor

    if not isinstance(client_data, Sequence) or len(client_data) == 0:
        raise TypeError("client_data must be a non-empty list of (inputs, target) pairs")
    out = []
    for i, pair in enumerate(client_data):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"client_data[{i}] must be an (inputs, target) pair")
        x = _as_tensor(pair[0], f"client_data[{i}] inputs", torch.float32)
        y = _as_tensor(pair[1], f"client_data[{i}] target", torch.long)
        if y.ndim != 1 or x.shape[0] != y.shape[0] or x.shape[0] == 0:
            raise ValueError(f"client_data[{i}] must have as many labels as input rows (and at "
                             f"least one), got {tuple(x.shape)} and {tuple(y.shape)}")
        out.append((x, y))
    return out


def fedavg(model_fn: Callable[[], nn.Module], client_data, *, rounds: int = 10,
           fraction: float = 1.0, local_epochs: int = 1, lr: float = 0.1, batch_size: int = 32,
           evaluate: Callable[[nn.Module], float] | None = None,
           random_state: int = 0) -> FedAvgResult:
    """FedAvg: per round, m = max(1, round(C·K)) clients train locally; θ ← Σₖ (nₖ/n) θₖ.

    ``model_fn()`` builds the initial global model (seed it inside for repeatability).
    ``client_data`` is a list of (inputs, target) per client. Client choice uses a numpy
    generator, local shuffling one torch generator, both seeded by ``random_state``; with one
    client and C = 1 this is exactly ``rounds · local_epochs`` epochs of plain SGD.
    ``evaluate(model)`` (e.g. test accuracy) is recorded after each round. The clients'
    training is recorded in the session's footprint as one run, "FedAvg".
    """
    from course_lib import energy

    clients = _client_tensors(client_data)
    r = check_int(rounds, "rounds", 1)
    c = check_real(fraction, "fraction", 0.0, 1.0, lo_open=True)
    e = check_int(local_epochs, "local_epochs", 1)
    step = check_real(lr, "lr", 0.0, lo_open=True)
    b = check_int(batch_size, "batch_size", 1)
    seed = check_int(random_state, "random_state", 0)
    if not callable(model_fn):
        raise TypeError("model_fn must be a callable returning a fresh nn.Module")
    global_model = model_fn()
    if not isinstance(global_model, nn.Module):
        raise TypeError(f"model_fn must return an nn.Module, got {type(global_model).__name__}")
    n_classes = _n_outputs(global_model, clients[0][0])  # before any training
    for i, (_, y) in enumerate(clients):
        _check_label_range(_label_range(y), n_classes, f"client_data[{i}] target")
    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed)
    m = max(1, round(c * len(clients)))
    result = FedAvgResult(global_model)
    x0, y0 = clients[0][0][:b], clients[0][1][:b]
    flops_per_row = energy.count_flops(global_model, x0, y0) / x0.shape[0]
    rows_trained = 0
    clock = time.perf_counter(), time.process_time()
    for _ in range(r):
        chosen = sorted(rng.choice(len(clients), size=m, replace=False).tolist())
        states, sizes = [], []
        for k in chosen:
            local = copy.deepcopy(global_model)
            x, y = clients[k]
            local_sgd(local, x, y, epochs=e, lr=step, batch_size=b, generator=gen)
            states.append(local.state_dict())
            sizes.append(x.shape[0])
            rows_trained += e * x.shape[0]
        total = float(sum(sizes))
        averaged = {name: sum(st[name] * (n / total) for st, n in zip(states, sizes, strict=True))
                    for name in states[0]}
        global_model.load_state_dict(averaged)
        result.rounds_clients.append(chosen)
        if evaluate is not None:
            result.history.append(float(evaluate(global_model)))
    energy.record_run("FedAvg", time.perf_counter() - clock[0], time.process_time() - clock[1],
                      round(flops_per_row * rows_trained))
    global_model.eval()
    return result


def client_gradient(model: nn.Module, inputs, target) -> dict[str, torch.Tensor]:
    """What a FedSGD client sends: the mean cross-entropy gradient on its batch, by parameter."""
    from course_lib.models import _as_tensor

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    x = _as_tensor(inputs, "inputs", torch.float32)
    y = _as_tensor(target, "target", torch.long)
    if y.ndim != 1 or x.shape[0] != y.shape[0]:
        raise ValueError("inputs and target must have the same number of rows")
    model.zero_grad()
    logits = model(x)
    _check_label_range(_label_range(y), _n_classes(logits))
    nn.functional.cross_entropy(logits, y).backward()
    grads = {k: p.grad.detach().clone() for k, p in model.named_parameters()}
    model.zero_grad()
    return grads


def linear_gradient_leak(grad_weight, grad_bias) -> torch.Tensor:
    """The input of a linear layer from one example's gradients: x = (∂L/∂W)[i] / (∂L/∂b)[i].

    Uses the unit i with the largest |∂L/∂bᵢ| (the best-conditioned division). Exact for a batch
    of one; for a batch it returns a mixture of the inputs of the examples that reach unit i
    (after a ReLU layer that can still be a single example).
    """
    gw = grad_weight if isinstance(grad_weight, torch.Tensor) else torch.as_tensor(grad_weight)
    gb = grad_bias if isinstance(grad_bias, torch.Tensor) else torch.as_tensor(grad_bias)
    check_tensor(gw, "grad_weight", floating=True, finite=True)
    check_tensor(gb, "grad_bias", like=gw, floating=True, finite=True)
    if gw.ndim != 2 or gb.ndim != 1 or gw.shape[0] != gb.shape[0]:
        raise ValueError(f"grad_weight must be (out, in) and grad_bias (out,), got "
                         f"{tuple(gw.shape)} and {tuple(gb.shape)}")
    i = int(gb.abs().argmax())
    if gb[i] == 0 or not math.isfinite(float(gb[i])):
        raise ValueError("grad_bias is all zero: this gradient carries no information about x")
    return (gw[i] / gb[i]).detach()
