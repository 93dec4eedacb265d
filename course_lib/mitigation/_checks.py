"""Input validation shared by the mitigation modules (scikit-learn style errors)."""

from __future__ import annotations

from course_lib._validate import check_binary, check_int, check_real, to_numpy

binary = check_binary  # 0/1 labels, as the fairness metrics check them
__all__ = ["binary", "groups", "non_negative", "positive_int", "scores_1d", "to_numpy",
           "two_groups"]


def positive_int(value: object, name: str) -> int:
    """An int >= 1 (see course_lib._validate.check_int)."""
    return check_int(value, name, 1)


def non_negative(value: object, name: str) -> float:
    """A real number >= 0 (see course_lib._validate.check_real)."""
    return check_real(value, name, 0.0)



def scores_1d(values: object, name: str):
    """A 1-D float array of finite scores."""
    import numpy as np

    arr = to_numpy(values)
    if arr.ndim != 1 or arr.dtype.kind not in "iuf" or arr.dtype == bool:
        raise ValueError(f"{name} must be a 1-D array of numbers, got shape {arr.shape} "
                         f"and dtype {arr.dtype}")
    arr = arr.astype(float)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def groups(sensitive: object, n: int, name: str = "sensitive", rows: str = ""):
    """(codes, group labels): the sorted factorisation of a 1-D group column of length ``n``
    (``rows`` says what the rows are, e.g. " of scores", in the error message)."""
    import pandas as pd

    if isinstance(sensitive, pd.DataFrame):
        raise ValueError(f"{name} must be 1-D (one group label per row), got a DataFrame")
    arr = to_numpy(sensitive)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one group label per row), got shape {arr.shape}")
    if len(arr) != n:
        raise ValueError(f"{name} must have one entry per row{rows} ({n}), got {len(arr)}")
    codes, labels = pd.factorize(pd.Series(arr), sort=True)
    if (codes < 0).any():
        raise ValueError(f"{name} contains missing values (NaN/None); label them explicitly")
    return codes.astype("int64"), list(labels)


def two_groups(sensitive: object, n: int, name: str = "sensitive"):
    """Codes 0/1 (the sorted group labels) for a column with exactly two groups."""
    codes, labels = groups(sensitive, n, name)
    if len(labels) != 2:
        raise ValueError(f"{name} must have exactly two groups, got {len(labels)}: {labels[:5]}")
    return codes, labels


