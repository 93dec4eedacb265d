"""Pre-processing: change the training data so that group and label are independent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from course_lib._validate import check_int
from course_lib.mitigation._checks import groups, to_numpy

if TYPE_CHECKING:
    import numpy as np

__all__ = ["resample_indices", "reweighing_weights"]


def _cells(y, sensitive):
    """(cell of each row, expected/observed ratio per cell, observed counts) for (s, y) cells."""
    import numpy as np

    yv = to_numpy(y)
    if yv.ndim != 1 or len(yv) == 0:
        raise ValueError(f"y must be a non-empty 1-D array of labels, got shape {yv.shape}")
    if yv.dtype.kind == "f" and np.isinf(yv).any():
        raise ValueError("y contains infinite values; labels must be finite")
    s_codes, _ = groups(sensitive, len(yv))
    y_codes, _ = groups(yv, len(yv), "y")
    k_s, k_y = s_codes.max() + 1, y_codes.max() + 1
    n = len(yv)
    count = np.bincount(s_codes * k_y + y_codes, minlength=k_s * k_y).reshape(k_s, k_y)
    expected = count.sum(1, keepdims=True) * count.sum(0, keepdims=True) / n  # n·P(s)·P(y)
    return s_codes, y_codes, expected, count


def reweighing_weights(y, sensitive) -> np.ndarray:
    """Kamiran & Calders (2012): w(s, y) = P(S=s)·P(Y=y) / P(S=s, Y=y), one weight per row.

    Weighted, the data has S and Y independent (P_w(y | s) = P(y) for every group) and the weights
    average 1. Pass them as ``sample_weight`` to any learner.
    """
    s, yc, expected, count = _cells(y, sensitive)
    return expected[s, yc] / count[s, yc]  # only occupied cells: no 0/0 for an empty one


def resample_indices(y, sensitive, *, random_state: int) -> np.ndarray:
    """Row indices of a uniform resample (Kamiran & Calders 2012) with S and Y independent.

    Each (s, y) cell is drawn with replacement to round(n·P(S=s)·P(Y=y)) rows, so
    over-represented cells (e.g. group A's hires) shrink and under-represented ones grow.
    """
    import numpy as np

    s, yc, expected, _ = _cells(y, sensitive)
    rng = np.random.default_rng(check_int(random_state, "random_state", 0))
    k_y = expected.shape[1]
    cell = s * k_y + yc
    parts = []
    for c, size in enumerate(np.rint(expected).astype(int).ravel()):
        rows = np.flatnonzero(cell == c)
        if size and len(rows):
            parts.append(rng.choice(rows, size=size, replace=True))
    idx = np.concatenate(parts)
    return idx[rng.permutation(len(idx))]
