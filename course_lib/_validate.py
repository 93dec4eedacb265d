"""Argument checks shared by course_lib's public functions (scikit-learn-style messages)."""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def check_int(value: object, name: str, lo: int | None = None) -> int:
    """An integer (Python or numpy, not bool) >= ``lo``; TypeError/ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if lo is not None and value < lo:
        raise ValueError(f"{name} must be >= {lo}, got {value!r}")
    return int(value)


def check_bool(value: object, name: str) -> bool:
    """True or False (Python or numpy), or a TypeError naming ``name``."""
    import numpy as np

    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_real(value: object, name: str, lo: float = -math.inf, hi: float = math.inf, *,
               lo_open: bool = False, hi_open: bool = False, finite: bool = False) -> float:
    """A real number (not bool, not NaN) in [lo, hi]; ``lo_open``/``hi_open`` exclude an end,
    ``finite`` excludes ±inf."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    v = float(value)
    if finite and math.isinf(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if math.isnan(v) or v < lo or v > hi or (lo_open and v == lo) or (hi_open and v == hi):
        left, right = "(" if lo_open else "[", ")" if hi_open else "]"
        raise ValueError(f"{name} must be in {left}{lo:g}, {hi:g}{right}, got {value!r}")
    return v


def to_numpy(values: object) -> np.ndarray:
    """A numpy array from a list, numpy array, pandas object or torch tensor."""
    import numpy as np

    if hasattr(values, "detach"):  # a torch tensor
        values = values.detach().cpu().numpy()
    if hasattr(values, "to_numpy"):  # pandas
        values = values.to_numpy()
    return np.asarray(values)


def check_binary(values: object, name: str) -> np.ndarray:
    """A 1-D int64 array of 0/1 labels (from numbers or booleans), or an error naming ``name``."""
    import numpy as np

    arr = to_numpy(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.dtype == bool:
        return arr.astype(np.int64)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold 0/1 numbers or booleans, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    bad = ~np.isin(arr, (0, 1))
    if bad.any():
        raise ValueError(f"{name} must be binary (0/1); found {np.unique(arr[bad])[:5].tolist()}")
    return arr.astype(np.int64)


def check_array(values: object, name: str, ndim: int, *, rows: int | None = None,
                rows_of: str = "") -> np.ndarray:
    """A non-empty, finite float array of ``ndim`` dimensions from numbers or booleans (with
    ``rows`` rows, one per row of ``rows_of``, when given); TypeError/ValueError naming ``name``."""
    import numpy as np

    arr = to_numpy(values)
    if arr.dtype.kind not in "iufb":
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    if arr.ndim != ndim or arr.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array, got shape {arr.shape}")
    if rows is not None and arr.shape[0] != rows:
        raise ValueError(f"{name} must have one entry per row of {rows_of} ({rows}), got "
                         f"{arr.shape[0]}")
    arr = arr.astype(float)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def check_tensor(value: object, name: str, *, like: object = None, floating: bool | None = None,
                 finite: bool = False):
    """A torch tensor with values (not on the ``meta`` device), on the device of ``like`` (a
    tensor or an nn.Module) when given; ``floating`` True/False asks for a real floating-point /
    an integer dtype, ``finite`` for no NaN or inf. TypeError/ValueError naming ``name``."""
    import torch

    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor, got {type(value).__name__}")
    if value.device.type == "meta":
        raise ValueError(f"{name} is a tensor on the 'meta' device, which holds no values")
    if like is not None:
        device = like.device if isinstance(like, torch.Tensor) else next(
            (p.device for p in like.parameters()), value.device)
        if value.device != device:
            raise ValueError(f"{name} is on device {value.device}, expected {device}")
    if value.dtype.is_complex or value.dtype == torch.bool or (
            floating is True and not value.is_floating_point()) or (
            floating is False and value.is_floating_point()):
        kind = {True: "a floating-point", False: "an integer", None: "a real"}[floating]
        raise TypeError(f"{name} must have {kind} dtype, got {value.dtype}")
    if finite and value.is_floating_point() and not torch.isfinite(value).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return value


def rng_streams(random_state: object, names: tuple[str, ...]) -> dict[str, np.random.Generator]:
    """One independent generator per name, spawned from ``SeedSequence(random_state)``.

    A generator that draws each random quantity from its own stream can change one knob without
    changing any other quantity's draws (the synth generators' contract).
    """
    import numpy as np

    seed = check_int(random_state, "random_state", 0)
    children = np.random.SeedSequence(seed).spawn(len(names))
    return {name: np.random.default_rng(child) for name, child in zip(names, children,
                                                                        strict=True)}
