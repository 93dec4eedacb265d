"""The group report (one row per group, confusion-matrix rates), its bootstrap intervals and
reference-group comparisons, the four-fifths rule, and Chouldechova's identity."""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, NamedTuple

from course_lib._validate import check_binary, check_int, check_real

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "RATE_COLUMNS",
    "FourFifths",
    "UndefinedRateWarning",
    "bootstrap_ci",
    "chouldechova_fpr",
    "four_fifths_rule",
    "group_report",
]

RATE_COLUMNS = ("selection_rate", "base_rate", "tpr", "fpr", "fnr", "ppv", "npv", "accuracy")
_ZERO_DIVISION = ("warn", 0, 1)
# numerator and denominator of each rate, as indices into the cells (tn, fp, fn, tp, n)
_TN, _FP, _FN, _TP, _N = range(5)
_FORMULA = {
    "selection_rate": ((_TP, _FP), (_N,)), "base_rate": ((_TP, _FN), (_N,)),
    "tpr": ((_TP,), (_TP, _FN)), "fpr": ((_FP,), (_FP, _TN)), "fnr": ((_FN,), (_TP, _FN)),
    "ppv": ((_TP,), (_TP, _FP)), "npv": ((_TN,), (_TN, _FN)), "accuracy": ((_TP, _TN), (_N,)),
}


class UndefinedRateWarning(UserWarning):
    """A rate's denominator was 0 and ``zero_division="warn"`` filled it with 0."""


def _check_zero_division(zero_division: object) -> float:
    """Validate scikit-learn's ``zero_division`` and return the value undefined rates get."""
    if isinstance(zero_division, float) and math.isnan(zero_division):
        return math.nan
    if isinstance(zero_division, bool) or zero_division not in _ZERO_DIVISION:
        raise ValueError(f"zero_division must be 'warn', 0, 1 or np.nan, got {zero_division!r}")
    return 0.0 if zero_division == "warn" else float(zero_division)


def _groups(sensitive: object, n: int) -> tuple[np.ndarray, pd.Index]:
    """Integer group codes per row and the index of the groups (a MultiIndex for a DataFrame).

    A 1-D ``sensitive`` gives its sorted values (category order for a categorical); a DataFrame
    gives the *observed* combinations of its columns, sorted column by column, as a MultiIndex
    whose level names are the column names (fairlearn's ``MetricFrame.by_group`` layout, without
    its empty combinations).
    """
    import numpy as np
    import pandas as pd

    if hasattr(sensitive, "detach"):
        sensitive = sensitive.detach().cpu().numpy()
    if isinstance(sensitive, pd.DataFrame):
        columns = [sensitive[c] for c in sensitive.columns]
        if not columns:
            raise ValueError("sensitive is a DataFrame with no columns")
    elif np.ndim(sensitive) == 1:
        columns = [sensitive]
    else:
        raise ValueError("sensitive must be 1-D (one group label per row), or a DataFrame with "
                         "one column per attribute for intersectional groups")
    if len(columns[0]) != n:
        raise ValueError(f"y_true, y_pred and sensitive must have the same length, got {n}, {n} "
                         f"and {len(columns[0])}")
    codes, levels = [], []
    for col in columns:
        # pandas objects keep their dtype (a categorical's order); anything else is factorised
        # as a numpy array, not through a Series that would first convert strings
        values = col if isinstance(col, (pd.Series, pd.Index, pd.Categorical)) else np.asarray(col)
        c, lv = pd.factorize(values, sort=True)
        if (c < 0).any():
            raise ValueError("sensitive contains missing values (NaN/None); label them explicitly")
        codes.append(c)
        levels.append(lv)
    if len(columns) == 1:
        name = getattr(columns[0], "name", None) or "group"
        return codes[0], pd.Index(levels[0], name=name)
    flat = np.ravel_multi_index(codes, [len(lv) for lv in levels])
    observed, inverse = np.unique(flat, return_inverse=True)
    parts = np.unravel_index(observed, [len(lv) for lv in levels])
    index = pd.MultiIndex.from_arrays([lv[p] for lv, p in zip(levels, parts, strict=True)],
                                      names=[str(c) for c in sensitive.columns])
    return inverse.reshape(-1), index


def _rates(cells: np.ndarray, fill: float) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Every rate from cells (..., 5) = (tn, fp, fn, tp, n), and where each was undefined."""
    import numpy as np

    out, undefined = {}, {}
    for col, (num, den) in _FORMULA.items():
        top, bottom = cells[..., list(num)].sum(-1), cells[..., list(den)].sum(-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = top / bottom
        zero = bottom == 0
        r[zero] = fill if col not in ("selection_rate", "base_rate", "accuracy") else math.nan
        out[col], undefined[col] = r, zero
    return out, undefined


def _check_ci(ci: object, n_resamples: object) -> None:
    if ci is not None and (isinstance(ci, bool) or not isinstance(ci, (int, float))
                           or not 0.0 < ci < 1.0):
        raise ValueError(f"ci must be None or a confidence level in (0, 1), got {ci!r}")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 10:
        raise ValueError(f"n_resamples must be an int >= 10, got {n_resamples!r}")


def _check_two_groups(index: pd.Index) -> None:
    """A comparison between groups needs at least two of them."""
    if len(index) < 2:
        raise ValueError(f"sensitive must hold at least two groups to compare, got only "
                         f"{list(index)}")


def group_report(y_true, y_pred, sensitive, *, zero_division: object = "warn",
                 reference: object = None, ci: float | None = None, n_resamples: int = 1000,
                 random_state: int = 0) -> pd.DataFrame:
    """One row per group (index: the group values, sorted) with n and the confusion rates.

    Columns: ``n``, ``selection_rate`` = P(ŷ=1), ``base_rate`` = P(y=1), ``tpr`` = TP/(TP+FN),
    ``fpr`` = FP/(FP+TN), ``fnr`` = FN/(TP+FN), ``ppv`` = TP/(TP+FP), ``npv`` = TN/(TN+FN),
    ``accuracy`` = (TP+TN)/n; rates are fractions. A rate whose denominator is 0 is set by
    ``zero_division`` as in scikit-learn: ``"warn"`` (0 and a warning), 0, 1 or ``np.nan``.
    One pass over the data: the groups are factorised and the four confusion cells of every group
    counted with a single ``bincount``.

    ``sensitive`` may be a DataFrame with one column per attribute: the rows are then the
    observed intersections, indexed by a MultiIndex named after the columns. ``reference`` (a
    group label, a tuple for intersections) adds ``<rate>_diff`` = rate − rate[reference] and
    ``<rate>_ratio`` = rate / rate[reference] for every rate (a ratio over a reference rate of 0
    is NaN, with a warning unless ``zero_division`` is NaN). ``ci`` (e.g. 0.95) adds
    percentile-bootstrap bounds ``<rate>_lo`` / ``<rate>_hi`` from ``n_resamples`` resamples of
    the rows drawn with ``np.random.default_rng(random_state)``, the same draws as
    :func:`bootstrap_ci`; resamples where a rate is undefined are dropped, and a bound is NaN
    when more than half were. With both ``reference`` and ``ci``, ``<rate>_diff_lo`` /
    ``<rate>_diff_hi`` bound the difference to the reference from the same resamples: the
    interval to read when asking whether two groups differ (whether their own intervals
    overlap is not a test).
    """
    import numpy as np
    import pandas as pd

    fill = _check_zero_division(zero_division)
    _check_ci(ci, n_resamples)
    check_int(random_state, "random_state", 0)
    yt, yp = check_binary(y_true, "y_true"), check_binary(y_pred, "y_pred")
    if len(yt) != len(yp):
        raise ValueError(f"y_true, y_pred and sensitive must have the same length, got "
                         f"{len(yt)}, {len(yp)} and {len(sensitive)}")
    codes, index = _groups(sensitive, len(yt))
    if len(yt) == 0:
        raise ValueError("y_true is empty: there is nothing to report")
    k = len(index)
    cell_of_row = codes * 4 + yt * 2 + yp

    def count(rows: np.ndarray | None) -> np.ndarray:
        c = np.bincount(cell_of_row if rows is None else cell_of_row[rows], minlength=4 * k)
        c = c.reshape(k, 4).astype(float)
        return np.concatenate([c, c.sum(axis=1, keepdims=True)], axis=1)

    cells = count(None)
    rates, undefined = _rates(cells, fill)
    report = pd.DataFrame({"n": cells[:, _N].astype(np.int64), **rates}, index=index)
    report = report[["n", *RATE_COLUMNS]]
    missing = [f"{col} for {index[i]!r}" for col in RATE_COLUMNS
               for i in np.flatnonzero(undefined[col])]
    warn = zero_division == "warn"
    if missing and warn:
        warnings.warn(f"undefined rates set to 0 ({', '.join(missing)}); pass zero_division "
                      "to choose the value (notebooks use np.nan)", UndefinedRateWarning,
                      stacklevel=2)
    if reference is not None:
        report = _add_reference(report, reference, warn=not math.isnan(fill))
    if ci is not None:
        ref = None if reference is None else list(report.index).index(reference)
        report = _add_ci(report, count, len(yt), ci, n_resamples, random_state, ref)
    return report


def _add_reference(report: pd.DataFrame, reference: object, warn: bool) -> pd.DataFrame:
    """Append ``<rate>_diff`` and ``<rate>_ratio`` columns relative to the ``reference`` row."""
    import numpy as np

    try:
        ref = report.loc[reference]
        ok = ref.ndim == 1
    except (KeyError, TypeError):
        ok = False
    if not ok:
        raise ValueError(f"reference must be one of the groups {list(report.index)}, "
                         f"got {reference!r}")
    extra, zero = {}, []
    for col in RATE_COLUMNS:
        extra[f"{col}_diff"] = report[col] - ref[col]
        with np.errstate(divide="ignore", invalid="ignore"):
            extra[f"{col}_ratio"] = report[col] / ref[col] if ref[col] != 0 else np.nan
        if ref[col] == 0:
            zero.append(col)
    if zero and warn:
        warnings.warn(f"the reference group {reference!r} has {', '.join(zero)} = 0: those "
                      "ratios are undefined (NaN)", UndefinedRateWarning, stacklevel=3)
    return report.assign(**{c: extra[c] for c in [f"{r}_{s}" for r in RATE_COLUMNS
                                                   for s in ("diff", "ratio")]})


def _percentile_bounds(r: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Per column of r (B, k): the alpha and 1 − alpha quantiles of its non-NaN values, or NaN
    where more than half of the B resamples are NaN."""
    import numpy as np

    valid = ~np.isnan(r)
    enough = valid.sum(axis=0) >= r.shape[0] / 2
    lo, hi = np.full(r.shape[1], np.nan), np.full(r.shape[1], np.nan)
    for j in np.flatnonzero(enough):
        lo[j], hi[j] = np.quantile(r[valid[:, j], j], [alpha, 1 - alpha])
    return lo, hi


def _add_ci(report: pd.DataFrame, count, n: int, ci: float, n_resamples: int,
            random_state: int, ref: int | None = None) -> pd.DataFrame:
    """Append percentile-bootstrap ``<rate>_lo`` / ``<rate>_hi`` columns (rows resampled) and,
    given the reference row's position ``ref``, ``<rate>_diff_lo`` / ``<rate>_diff_hi``."""
    import numpy as np

    rng = np.random.default_rng(random_state)
    boot = np.stack([count(rng.integers(0, n, n)) for _ in range(n_resamples)])  # (B, k, 5)
    rates, _ = _rates(boot, math.nan)
    alpha = (1 - ci) / 2
    extra = {}
    for col in RATE_COLUMNS:
        extra[f"{col}_lo"], extra[f"{col}_hi"] = _percentile_bounds(rates[col], alpha)
    if ref is not None:
        for col in RATE_COLUMNS:
            diff = rates[col] - rates[col][:, [ref]]  # (B, k): rate − the reference's rate
            extra[f"{col}_diff_lo"], extra[f"{col}_diff_hi"] = _percentile_bounds(diff, alpha)
    return report.assign(**extra)


class FourFifths(NamedTuple):
    """The four-fifths rule: lowest / highest selection rate, and whether it reaches 0.8."""

    ratio: float
    passes: bool
    lowest: object
    highest: object


def four_fifths_rule(y_pred, sensitive, *, threshold: float = 0.8) -> FourFifths:
    """Selection-rate ratio min_g P(ŷ=1|g) / max_g P(ŷ=1|g); passes when ≥ ``threshold``.

    A rule of thumb from the US Uniform Guidelines on Employee Selection Procedures (1978) of
    the EEOC, the Civil Service Commission and the Departments of Labor and Justice, 29 CFR
    1607.4(D): a rate under four fifths of the highest group's "will generally be regarded" as
    evidence of adverse impact: a rule of thumb for enforcement agencies, not a legal threshold.
    ``y_pred`` = 1 must be the *favourable* decision (hired, approved).
    """
    import numpy as np

    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) \
            or not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
    yp = check_binary(y_pred, "y_pred")
    sel = group_report(np.zeros_like(yp), yp, sensitive, zero_division=np.nan)["selection_rate"]
    _check_two_groups(sel.index)
    hi = sel.max()
    if hi == 0:
        warnings.warn("no group was selected at all: the four-fifths ratio is undefined (NaN)",
                      UndefinedRateWarning, stacklevel=2)
        return FourFifths(math.nan, False, sel.idxmin(), sel.idxmax())
    ratio = float(sel.min() / hi)
    return FourFifths(ratio, ratio >= threshold, sel.idxmin(), sel.idxmax())


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
    check_real(confidence, "confidence", 0.0, 1.0, lo_open=True, hi_open=True)
    check_int(random_state, "random_state", 0)
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
