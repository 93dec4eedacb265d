"""Group fairness metrics, computed the way a learner would by hand, and checked against fairlearn.

``group_report`` is the course's workhorse: one row per group with the confusion-matrix rates.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "RATE_COLUMNS",
    "UndefinedRateWarning",
    "bootstrap_ci",
    "chouldechova_fpr",
    "group_report",
]

RATE_COLUMNS = ("selection_rate", "base_rate", "tpr", "fpr", "fnr", "ppv", "npv", "accuracy")
_ZERO_DIVISION = ("warn", 0, 1)


def _check_zero_division(zero_division: object) -> float:
    """Validate scikit-learn's ``zero_division`` and return the value undefined rates get."""
    if isinstance(zero_division, float) and math.isnan(zero_division):
        return math.nan
    if isinstance(zero_division, bool) or zero_division not in _ZERO_DIVISION:
        raise ValueError(f"zero_division must be 'warn', 0, 1 or np.nan, got {zero_division!r}")
    return 0.0 if zero_division == "warn" else float(zero_division)


def _binary(values: object, name: str):
    """A 1-D int8 array of 0/1 labels, or a clear error naming ``name``."""
    import numpy as np

    if hasattr(values, "detach"):  # a torch tensor
        values = values.detach().cpu().numpy()
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.dtype == bool:
        return arr.astype(np.int8)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold 0/1 numbers or booleans, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    bad = ~np.isin(arr, (0, 1))
    if bad.any():
        raise ValueError(f"{name} must be binary (0/1); found {np.unique(arr[bad])[:5].tolist()}")
    return arr.astype(np.int8)


def group_report(y_true, y_pred, sensitive, *, zero_division: object = "warn") -> pd.DataFrame:
    """One row per group (index: the group values, sorted) with n and the confusion rates.

    Columns: ``n``, ``selection_rate`` = P(ŷ=1), ``base_rate`` = P(y=1), ``tpr`` = TP/(TP+FN),
    ``fpr`` = FP/(FP+TN), ``fnr`` = FN/(TP+FN), ``ppv`` = TP/(TP+FP), ``npv`` = TN/(TN+FN),
    ``accuracy`` = (TP+TN)/n; rates are fractions. A rate whose denominator is 0 is set by
    ``zero_division`` as in scikit-learn: ``"warn"`` (0 and a warning), 0, 1 or ``np.nan``.
    One pass over the data: the groups are factorised and the four confusion cells of every group
    counted with a single ``bincount``.
    """
    import numpy as np
    import pandas as pd

    fill = _check_zero_division(zero_division)
    yt, yp = _binary(y_true, "y_true"), _binary(y_pred, "y_pred")
    if hasattr(sensitive, "detach"):
        sensitive = sensitive.detach().cpu().numpy()
    if isinstance(sensitive, pd.DataFrame) or np.ndim(sensitive) != 1:
        raise ValueError("sensitive must be 1-D (one group label per row)")
    if not (len(yt) == len(yp) == len(sensitive)):
        raise ValueError(f"y_true, y_pred and sensitive must have the same length, got "
                         f"{len(yt)}, {len(yp)} and {len(sensitive)}")
    if len(yt) == 0:
        raise ValueError("y_true is empty: there is nothing to report")
    codes, groups = pd.factorize(pd.Series(sensitive).reset_index(drop=True), sort=True)
    if (codes < 0).any():
        raise ValueError("sensitive contains missing values (NaN/None); label them explicitly")
    k = len(groups)
    cells = np.bincount(codes * 4 + yt * 2 + yp, minlength=4 * k).reshape(k, 4).astype(float)
    tn, fp, fn, tp = cells.T
    n = cells.sum(axis=1)

    undefined: list[str] = []

    def rate(num, den, label):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = num / den
        zero = den == 0
        if zero.any():
            out[zero] = fill
            undefined.extend(f"{label} for {groups[i]!r}" for i in np.flatnonzero(zero))
        return out

    index = pd.Index(groups, name=getattr(sensitive, "name", None) or "group")
    report = pd.DataFrame({
        "n": n.astype(np.int64),
        "selection_rate": (tp + fp) / n,
        "base_rate": (tp + fn) / n,
        "tpr": rate(tp, tp + fn, "tpr"),
        "fpr": rate(fp, fp + tn, "fpr"),
        "fnr": rate(fn, tp + fn, "fnr"),
        "ppv": rate(tp, tp + fp, "ppv"),
        "npv": rate(tn, tn + fn, "npv"),
        "accuracy": (tp + tn) / n,
    }, index=index)
    if undefined and zero_division == "warn":
        warnings.warn(f"undefined rates set to 0 ({', '.join(undefined)}); pass zero_division "
                      "to choose the value (notebooks use np.nan)", UndefinedRateWarning,
                      stacklevel=2)
    return report


class UndefinedRateWarning(UserWarning):
    """A rate's denominator was 0 and ``zero_division="warn"`` filled it with 0."""


def chouldechova_fpr(base_rate: float, ppv: float, fnr: float) -> float:
    """Chouldechova (2017): FPR = p/(1−p) · (1−PPV)/PPV · (1−FNR), p the base rate.

    The identity ties the false positive rate to prevalence, PPV and FNR, so equal PPV and equal
    FNR across groups force unequal FPRs whenever the groups' base rates differ.
    """
    for name, v in (("base_rate", base_rate), ("ppv", ppv), ("fnr", fnr)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) and not hasattr(v, "__float__"):
            raise TypeError(f"{name} must be a number, got {type(v).__name__}")
        if not 0.0 <= float(v) <= 1.0:
            raise ValueError(f"{name} must be in [0, 1], got {v!r}")
    p, q, f = float(base_rate), float(ppv), float(fnr)
    if p == 1.0 or q == 0.0:
        raise ValueError("chouldechova_fpr needs base_rate < 1 and ppv > 0")
    return p / (1 - p) * (1 - q) / q * (1 - f)


def bootstrap_ci(statistic, *arrays, n_resamples: int = 1000, confidence: float = 0.95,
                 random_state: int = 0) -> tuple[float, float, float]:
    """Percentile bootstrap: (statistic(*arrays), lo, hi), resampling the rows of ``arrays``.

    ``statistic`` maps the arrays (all of one length, resampled together with the same row
    indices) to a float, e.g. ``lambda yt, yp, s: group gap``. Resample the *test set* this way to
    get a confidence interval for a trained model's metric; never retrain. Resamples where the
    statistic is NaN (e.g. a group drawn with no positives) are dropped.
    """
    import numpy as np

    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 10:
        raise ValueError(f"n_resamples must be an int >= 10, got {n_resamples!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    if not arrays:
        raise ValueError("bootstrap_ci needs at least one array to resample")
    data = [a.detach().cpu().numpy() if hasattr(a, "detach") else np.asarray(a) for a in arrays]
    n = len(data[0])
    if n == 0 or any(len(a) != n for a in data):
        lengths = [len(a) for a in data]
        raise ValueError(f"arrays must be non-empty and of one length, got {lengths}")
    estimate = float(statistic(*data))
    rng = np.random.default_rng(random_state)
    stats = np.array([float(statistic(*(a[idx] for a in data)))
                      for idx in (rng.integers(0, n, n) for _ in range(n_resamples))])
    stats = stats[~np.isnan(stats)]
    if len(stats) < n_resamples // 2:
        raise ValueError("the statistic was NaN in more than half of the resamples")
    alpha = (1 - confidence) / 2
    lo, hi = np.quantile(stats, [alpha, 1 - alpha])
    return estimate, float(lo), float(hi)
