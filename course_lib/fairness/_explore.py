"""The per-group threshold explorer: move each group's cut-off and watch every rate move at once.

Selection rate, FPR, FNR and PPV come from :func:`group_report` at the chosen thresholds, and
calibration (each group's ECE) from :func:`ece_by_group`, so the explorer shows exactly the
numbers the rest of the course computes. With unequal base rates no setting equalizes them all:
the impossibility results (Chouldechova 2017; Kleinberg et al. 2017), felt rather than read.
ipywidgets and matplotlib are imported inside the function, so importing course_lib.fairness
stays light.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

from course_lib._validate import check_array, check_binary, check_int, check_real
from course_lib.fairness._calibration import _probabilities, ece_by_group
from course_lib.fairness._group import _check_two_groups, _groups, group_report

__all__ = ["THRESHOLD_COLUMNS", "explore_thresholds", "rates_at_thresholds"]

THRESHOLD_COLUMNS = ("threshold", "n", "base_rate", "selection_rate", "fpr", "fnr", "ppv", "ece")


def _checked(y_true, scores, sensitive, probability, n_bins) -> tuple:
    """The arguments both functions share, validated: (y, s, codes, groups, probability, n_bins);
    ``scores`` and ``probability`` need one finite entry per row of ``y_true``."""
    y = check_binary(y_true, "y_true")
    s = check_array(scores, "scores", 1, rows=len(y), rows_of="y_true")
    codes, groups = _groups(sensitive, len(y))
    if probability is not None:
        probability = check_array(_probabilities(probability, "probability"), "probability", 1,
                                  rows=len(y), rows_of="y_true")
    return y, s, codes, groups, probability, check_int(n_bins, "n_bins", 1)


def _group_key(g: Any) -> Any:
    """A group label as Python shows it (``'a'``, not ``np.str_('a')``), for messages."""
    return g.item() if hasattr(g, "item") else g


def rates_at_thresholds(y_true, scores, sensitive, thresholds: Mapping[Any, float], *,
                        probability=None, n_bins: int = 10):
    """Per group: the rates of ŷ = [score ≥ threshold of the row's group], via group_report.

    ``thresholds`` maps every group to its cut-off. Columns: ``threshold``, ``n``,
    ``base_rate``, ``selection_rate``, ``fpr``, ``fnr``, ``ppv`` (NaN where undefined) and
    ``ece`` (each group's expected calibration error of ``probability``, or of ``scores`` when
    they lie in [0, 1]; it does not depend on the thresholds, and is left out otherwise).
    """
    import numpy as np

    y, s, codes, groups, probability, n_bins = _checked(y_true, scores, sensitive, probability,
                                                        n_bins)
    if not isinstance(thresholds, Mapping):
        raise TypeError(f"thresholds must be a mapping group -> cut-off, got "
                        f"{type(thresholds).__name__}")
    missing = [g for g in groups if g not in thresholds]
    if missing:
        raise ValueError(f"thresholds must give a cut-off for every group; missing {missing}")
    cuts = {g: check_real(thresholds[g], f"thresholds[{_group_key(g)!r}]") for g in groups}
    cut = np.array([cuts[g] for g in groups])[codes]
    y_pred = (s >= cut).astype(int)
    report = group_report(y, y_pred, sensitive, zero_division=np.nan)
    table = report[["n", "base_rate", "selection_rate", "fpr", "fnr", "ppv"]].copy()
    table.insert(0, "threshold", [cuts[g] for g in table.index])
    prob = probability if probability is not None else (
        s if (s.min() >= 0 and s.max() <= 1) else None)
    if prob is not None:
        table["ece"] = ece_by_group(y, prob, sensitive, n_bins=n_bins).reindex(table.index)
    return table


def _knob(value: object, name: str, **bounds: Any) -> Any:
    """None, or a finite real number; an integer stays an int (so its slider is an IntSlider)."""
    if value is None:
        return None
    checked = check_real(value, name, finite=True, **bounds)
    return int(value) if isinstance(value, numbers.Integral) else checked


def explore_thresholds(y_true, scores, sensitive, *, threshold: float | None = None,
                       lo: float | None = None, hi: float | None = None,
                       step: float | None = None, probability=None,
                       labels: Mapping[Any, str] | None = None, n_bins: int = 10):
    """An explorer with one threshold slider per group (ŷ = 1 when score ≥ its group's cut-off).

    Two groups get a slider each (``threshold_0``, ``threshold_1``, in group_report's order);
    more groups get a ``group`` choice with its ``threshold`` slider and an ``others`` slider
    for every other group. The view's table is :func:`rates_at_thresholds` (one row per group,
    labelled by ``labels`` if given), its note the largest gap in each rate, and its figure the
    rates as bars beside each group's FPR and PPV against its threshold. ``threshold`` is every
    slider's start (default: 0.5 for scores in [0, 1], else the middle of the range);
    ``lo``/``hi``/``step`` the slider range (default: the scores' range, in 100 steps or in
    steps of 1 for integer scores). ``probability`` is a calibrated probability per row for the
    ECE column, when the scores are not probabilities (e.g. COMPAS deciles).
    """
    import numpy as np
    import pandas as pd

    from course_lib.explore import View, choice, explorer, figure, slider
    from course_lib.plotting import COLORS

    y, s, codes, groups, probability, n_bins = _checked(y_true, scores, sensitive, probability,
                                                        n_bins)
    _check_two_groups(groups)
    threshold, lo, hi = (_knob(threshold, "threshold"), _knob(lo, "lo"), _knob(hi, "hi"))
    step = _knob(step, "step", lo=0.0, lo_open=True)
    if labels is not None and not isinstance(labels, Mapping):
        raise TypeError(f"labels must be a mapping group -> name, got {type(labels).__name__}")
    names = {g: (labels or {}).get(g, str(g)) for g in groups}
    if labels is not None:
        bad = [v for v in names.values() if not isinstance(v, str)]
        if bad:
            raise TypeError(f"labels must map groups to str names, got {bad[:3]!r}")
        if len(set(names.values())) < len(names):
            raise ValueError(f"labels must give each group its own name, got {names!r}")
    integer = bool(np.all(s == np.round(s))) and not (s.min() >= 0 and s.max() <= 1)
    lo = float(s.min()) if lo is None else lo
    hi = float(s.max()) if hi is None else hi
    if integer and step is None:
        lo, hi, step = int(lo), int(hi), 1
    step = step if step is not None else round((hi - lo) / 100, 6)
    if threshold is None:
        threshold = 0.5 if (s.min() >= 0 and s.max() <= 1) else (lo + hi) / 2
        if integer:
            threshold = int(round(threshold))
    if not lo < hi:
        raise ValueError(f"lo must be < hi (by default the scores' range), got lo={lo!r}, "
                         f"hi={hi!r}")
    if not lo <= threshold <= hi or not step > 0:
        raise ValueError(f"threshold must lie in [lo, hi] = [{lo}, {hi}] with step > 0, got "
                         f"threshold={threshold!r}, step={step!r}")
    static = rates_at_thresholds(y, s, sensitive, dict.fromkeys(groups, threshold),
                                 probability=probability, n_bins=n_bins)
    ece = static["ece"] if "ece" in static else None
    # each group's FPR and PPV along the slider's grid, for the curves (precomputed once)
    grid = np.arange(lo, hi + step / 2, step)
    curves = {}
    for i, g in enumerate(groups):
        yg, sg = y[codes == i], s[codes == i]
        flagged = sg[:, None] >= grid
        neg, tp = (yg == 0), flagged[yg == 1].sum(axis=0)
        fp = flagged[neg].sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            fpr = fp / neg.sum() if neg.any() else np.full(len(grid), np.nan)
            ppv = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1), np.nan)
        curves[g] = (fpr, ppv)
    rates = ["selection_rate", "fpr", "fnr", "ppv"]

    def view_at(cuts: dict) -> View:
        table = rates_at_thresholds(y, s, sensitive, cuts, probability=None, n_bins=n_bins)
        if ece is not None:
            table["ece"] = ece
        table.index = pd.Index([names[g] for g in table.index], name=table.index.name)
        gaps = {r: table[r].max() - table[r].min() for r in rates}
        note = "largest gap between groups: " + ", ".join(
            f"{r} {'n/a' if math.isnan(v) else f'{v:.3f}'}" for r, v in gaps.items())
        fig, (ax_bar, ax_curve) = figure(8.0, 3.2, ncols=2)
        width = 0.8 / len(table)
        for i, (name, row) in enumerate(table.iterrows()):
            ax_bar.bar(np.arange(len(rates)) + (i - (len(table) - 1) / 2) * width,
                       [row[r] for r in rates], width, color=COLORS[i % len(COLORS)], label=name)
            fpr, ppv = curves[groups[i]]
            ax_curve.plot(grid, fpr, color=COLORS[i % len(COLORS)], label=f"{name} FPR")
            ax_curve.plot(grid, ppv, color=COLORS[i % len(COLORS)], ls="--", label=f"{name} PPV")
            ax_curve.plot([row["threshold"]] * 2, [row["fpr"], row["ppv"]], "o",
                          color=COLORS[i % len(COLORS)])
        ax_bar.set_xticks(np.arange(len(rates)), ["selected", "FPR", "FNR", "PPV"])
        ax_bar.set_ylim(0, 1)
        ax_bar.set_ylabel("rate at these thresholds")
        ax_bar.legend(fontsize=8)
        ax_curve.set_xlabel("threshold (flag when score ≥ threshold)")
        ax_curve.set_ylabel("rate")
        ax_curve.set_ylim(0, 1)
        ax_curve.legend(fontsize=7, ncols=2)
        return View(table=table.round(3), figure=fig, note=note)

    label = [f"threshold: {names[g]}" for g in groups]
    if len(groups) == 2:
        def view(threshold_0: float, threshold_1: float) -> View:
            return view_at({groups[0]: threshold_0, groups[1]: threshold_1})

        controls = {f"threshold_{i}": slider(lo, hi, step, threshold, label[i])
                    for i in range(2)}
    else:
        def view(group: Any, threshold: float, others: float) -> View:
            return view_at({g: (threshold if g == group else others) for g in groups})

        controls = {"group": choice({names[g]: g for g in groups}, groups[0], "group"),
                    "threshold": slider(lo, hi, step, threshold, "its threshold"),
                    "others": slider(lo, hi, step, threshold, "every other group")}
    ex = explorer(view, controls)
    ex.groups = list(groups)
    return ex
