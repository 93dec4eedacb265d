"""Calibration within groups: reliability tables, the expected calibration error (ECE) per group,
and the worst group's ECE as one number (0 when every group is calibrated)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from course_lib._validate import check_binary as _binary
from course_lib.fairness._group import _groups

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["calibration_by_group", "ece_by_group", "expected_calibration_error", "worst_group_ece"]


def _probabilities(values: object, name: str = "y_prob") -> np.ndarray:
    """A 1-D float array of probabilities in [0, 1], or a clear error naming ``name``."""
    import numpy as np

    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (the probability of class 1), got shape {arr.shape}")
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}")
    arr = arr.astype(float)
    if np.isnan(arr).any() or (arr < 0).any() or (arr > 1).any():
        raise ValueError(f"{name} must hold probabilities in [0, 1] (no NaN)")
    return arr


def _check_bins(n_bins: object) -> int:
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive int, got {n_bins!r}")
    return n_bins


def calibration_by_group(y_true, y_prob, sensitive, *, n_bins: int = 10) -> pd.DataFrame:
    """Reliability table: per group and uniform bin of [0, 1], ``n``, ``mean_predicted``
    (conf_b = mean ŷ_prob) and ``fraction_positive`` (acc_b = mean y). Empty bins are left out.

    Bins are scikit-learn's ``calibration_curve(strategy="uniform")`` bins, so each group's
    (``fraction_positive``, ``mean_predicted``) columns are its ``calibration_curve``. A
    calibrated score has fraction_positive ≈ mean_predicted in every bin of every group.
    """
    import numpy as np
    import pandas as pd

    n_bins = _check_bins(n_bins)
    yt, p = _binary(y_true, "y_true"), _probabilities(y_prob)
    if len(yt) != len(p):
        raise ValueError(f"y_true and y_prob must have the same length, got {len(yt)} and "
                         f"{len(p)}")
    if len(yt) == 0:
        raise ValueError("y_true is empty")
    codes, groups = _groups(sensitive, len(yt))
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.searchsorted(edges[1:-1], p)
    key = codes * n_bins + bins
    size = len(groups) * n_bins
    n = np.bincount(key, minlength=size)
    conf = np.bincount(key, weights=p, minlength=size)
    acc = np.bincount(key, weights=yt, minlength=size)
    keep = np.flatnonzero(n)
    g, b = np.divmod(keep, n_bins)
    table = pd.DataFrame({
        "bin": b, "bin_lo": edges[b], "bin_hi": edges[b + 1], "n": n[keep].astype(np.int64),
        "mean_predicted": conf[keep] / n[keep], "fraction_positive": acc[keep] / n[keep],
    }, index=groups[g])
    return table


def ece_by_group(y_true, y_prob, sensitive, *, n_bins: int = 10) -> pd.Series:
    """Expected calibration error per group: ECE_g = Σ_b (n_gb/n_g)·|acc_gb − conf_gb|, with
    acc_gb the fraction of positives (mean y) and conf_gb the mean ``y_prob`` in bin b of g."""
    table = calibration_by_group(y_true, y_prob, sensitive, n_bins=n_bins)
    gap = (table["fraction_positive"] - table["mean_predicted"]).abs() * table["n"]
    level = list(range(table.index.nlevels))
    ece = gap.groupby(level=level, sort=False).sum() / table["n"].groupby(
        level=level, sort=False).sum()
    return ece.rename("ece")


def expected_calibration_error(y_true, y_prob, *, n_bins: int = 10) -> float:
    """ECE = Σ_b (n_b/n)·|acc_b − conf_b| over uniform bins (Naeini et al., 2015; Guo et al.,
    2017): acc_b the fraction of positives and conf_b the mean probability in bin b."""
    import numpy as np

    yt = _binary(y_true, "y_true")
    return float(ece_by_group(yt, y_prob, np.zeros(len(yt), dtype=np.int8),
                              n_bins=n_bins).iloc[0])


def worst_group_ece(y_true, y_prob, sensitive, *, n_bins: int = 10) -> float:
    """Calibration within groups as one number: max_g ECE_g; 0 only if every group is calibrated.

    Not the gap max_g ECE_g − min_g ECE_g: two groups that are equally miscalibrated have a gap
    of 0 but are not calibrated (Kleinberg et al., 2017, require calibration in *each* group).
    """
    return float(ece_by_group(y_true, y_prob, sensitive, n_bins=n_bins).max())
