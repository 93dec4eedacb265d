"""Post-processing: per-group decision thresholds on a trained model's scores (Hardt et al.)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from course_lib._validate import check_real
from course_lib.mitigation._checks import binary, groups, positive_int, scores_1d

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["THRESHOLD_CONSTRAINTS", "apply_thresholds", "group_thresholds", "threshold_report"]

THRESHOLD_CONSTRAINTS = ("equal_opportunity", "demographic_parity")


def _threshold_for_rate(sorted_desc: np.ndarray, rate: float) -> float:
    """The threshold t with score >= t for the top ceil(rate·n) scores (inf when none)."""
    import math

    k = math.ceil(rate * len(sorted_desc) - 1e-9)
    return float(sorted_desc[k - 1]) if k > 0 else math.inf


def group_thresholds(y_true, scores, sensitive, *, constraint: str = "equal_opportunity",
                     grid: int = 201) -> dict:
    """Per-group thresholds that equalise TPR (equal opportunity) or selection rates.

    For each target rate r on a grid of ``grid`` values in [0, 1], group g's threshold selects
    the top ceil(r·n_g) of its positives' scores (equal opportunity, Hardt, Price & Srebro 2016)
    or of all its scores (demographic parity); the r with the highest accuracy on these rows
    wins. Fit on training or validation data, then ``apply_thresholds`` to new scores.
    """
    import numpy as np

    if constraint not in THRESHOLD_CONSTRAINTS:
        raise ValueError(f"constraint must be one of {THRESHOLD_CONSTRAINTS}, "
                         f"got {constraint!r}")
    positive_int(grid, "grid")
    yt = binary(y_true, "y_true")
    sc = scores_1d(scores, "scores")
    if len(sc) != len(yt):
        raise ValueError(f"y_true and scores must have the same length, got {len(yt)} and "
                         f"{len(sc)}")
    codes, labels = groups(sensitive, len(yt))
    pools = []
    for g in range(len(labels)):
        mask = (codes == g) & (yt == 1) if constraint == "equal_opportunity" else codes == g
        if not mask.any():
            raise ValueError(f"group {labels[g]!r} has no rows to set a rate on "
                             f"(no positives, for equal opportunity)")
        pools.append(np.sort(sc[mask])[::-1])
    best, best_acc = None, -1.0
    for rate in np.linspace(0.0, 1.0, grid):
        thr = np.array([_threshold_for_rate(p, rate) for p in pools])
        acc = float(((sc >= thr[codes]).astype(int) == yt).mean())
        if acc > best_acc + 1e-12:
            best, best_acc = thr, acc
    return {label: float(t) for label, t in zip(labels, best, strict=True)}


def apply_thresholds(scores, sensitive, thresholds: Mapping) -> np.ndarray:
    """Decisions ŷ = 1[score >= thresholds[group]] (int 0/1), one per row."""
    import math

    import numpy as np

    sc = scores_1d(scores, "scores")
    codes, labels = groups(sensitive, len(sc), rows=" of scores")
    if not isinstance(thresholds, Mapping):
        raise TypeError(f"thresholds must be a mapping group -> threshold, got "
                        f"{type(thresholds).__name__}")
    missing = [g for g in labels if g not in thresholds]
    if missing:
        raise ValueError(f"thresholds has no entry for group(s) {missing}")
    thr = np.array([check_real(thresholds[g], f"thresholds[{g!r}]", -math.inf, math.inf)
                    for g in labels])  # ±inf: nobody / everybody selected
    return (sc >= thr[codes]).astype(np.int64)


def threshold_report(y_true, scores, sensitive, thresholds: Mapping) -> pd.DataFrame:
    """``group_report`` (zero_division=NaN) of the decisions at per-group ``thresholds``."""
    import numpy as np

    from course_lib.fairness import group_report

    pred = apply_thresholds(scores, sensitive, thresholds)
    return group_report(binary(y_true, "y_true"), pred, sensitive, zero_division=np.nan)
