"""Evaluation: disparity, (accuracy, disparity) with bootstrap CIs, and drift monitoring."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from course_lib.mitigation._checks import binary, groups, non_negative

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DISPARITY_METRICS", "disparity", "drift_monitor", "tradeoff_point"]

DISPARITY_METRICS = ("demographic_parity", "equal_opportunity", "equalized_odds")


def _gap(yt, yp, codes, k: int, metric: str) -> float:
    """max − min over groups of the metric's rate(s); NaN when a needed rate is undefined."""
    import numpy as np

    def spread(mask):
        num = np.bincount(codes[mask], weights=yp[mask], minlength=k)
        den = np.bincount(codes[mask], minlength=k)
        if (den == 0).any():
            return np.nan
        rate = num / den
        return float(rate.max() - rate.min())

    everyone = np.ones(len(yt), dtype=bool)
    if metric == "demographic_parity":
        return spread(everyone)
    if metric == "equal_opportunity":
        return spread(yt == 1)
    tpr_gap, fpr_gap = spread(yt == 1), spread(yt == 0)
    return float(np.nan) if np.isnan(tpr_gap) or np.isnan(fpr_gap) else max(tpr_gap, fpr_gap)


def _checked(y_true, y_pred, sensitive, metric: str):
    """Validated (y_true, y_pred, group codes, group labels) for a disparity ``metric``."""
    if metric not in DISPARITY_METRICS:
        raise ValueError(f"metric must be one of {DISPARITY_METRICS}, got {metric!r}")
    yt, yp = binary(y_true, "y_true"), binary(y_pred, "y_pred")
    if len(yt) != len(yp) or len(yt) == 0:
        raise ValueError(f"y_true and y_pred must be non-empty and of one length, got "
                         f"{len(yt)} and {len(yp)}")
    codes, labels = groups(sensitive, len(yt))
    if len(labels) < 2:
        raise ValueError(f"sensitive must hold at least two groups to compare, got only "
                         f"{labels}")
    return yt, yp, codes, labels


def disparity(y_true, y_pred, sensitive, metric: str = "demographic_parity") -> float:
    """The largest gap between groups: of selection rates (demographic parity), of TPRs (equal
    opportunity), or max(TPR gap, FPR gap) (equalized odds, fairlearn's difference)."""
    import math

    yt, yp, codes, labels = _checked(y_true, y_pred, sensitive, metric)
    value = _gap(yt, yp, codes, len(labels), metric)
    return math.nan if value != value else value


def tradeoff_point(y_true, y_pred, sensitive, *, metric: str = "demographic_parity",
                   n_resamples: int = 200, confidence: float = 0.95,
                   random_state: int = 0) -> dict[str, float]:
    """Accuracy and ``disparity`` of fixed predictions with percentile-bootstrap intervals.

    The test set's rows are resampled (``course_lib.fairness.bootstrap_ci``); the model is never
    retrained, so the intervals show the uncertainty of the *evaluation*. Keys: accuracy,
    accuracy_lo, accuracy_hi, disparity, disparity_lo, disparity_hi.
    """
    import numpy as np

    from course_lib.fairness import bootstrap_ci

    yt, yp, codes, labels = _checked(y_true, y_pred, sensitive, metric)
    k = len(labels)
    kw = dict(n_resamples=n_resamples, confidence=confidence, random_state=random_state)
    acc = bootstrap_ci(lambda a, b: float(np.mean(a == b)), yt, yp, **kw)
    gap = bootstrap_ci(lambda a, b, c: _gap(a, b, c, k, metric), yt, yp, codes, **kw)
    return {"accuracy": acc[0], "accuracy_lo": acc[1], "accuracy_hi": acc[2],
            "disparity": gap[0], "disparity_lo": gap[1], "disparity_hi": gap[2]}


def drift_monitor(reports_by_month: Mapping, metric: str, tolerance: float) -> pd.DataFrame:
    """One row per month (in the mapping's order): the gap max − min of ``metric`` across the
    groups of that month's ``group_report``, and ``flagged`` = gap > ``tolerance`` (an undefined
    gap, e.g. a group with no rows that month, is flagged too: it cannot be vouched for)."""
    import pandas as pd

    if not isinstance(reports_by_month, Mapping) or not reports_by_month:
        raise ValueError("reports_by_month must be a non-empty mapping month -> group_report")
    tol = non_negative(tolerance, "tolerance")
    rows = []
    for month, report in reports_by_month.items():
        if not isinstance(report, pd.DataFrame) or metric not in report.columns:
            raise ValueError(f"the report for {month!r} must be a group_report DataFrame with "
                             f"a {metric!r} column (the metric)")
        values = report[metric].astype(float)
        gap = float(values.max() - values.min()) if values.notna().all() else float("nan")
        rows.append({"month": month, "gap": gap, "flagged": bool(not gap <= tol)})
    return pd.DataFrame(rows).set_index("month")
