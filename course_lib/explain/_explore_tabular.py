"""The applicant editor of notebook 06: move one applicant's features, watch the explanation move.

``explore_applicant`` shows, at every setting of the controls (one per feature), the model's
score, its exact interventional Shapley values as a bar chart (``exact_shapley`` on a small
background: 2^d coalitions, milliseconds for d = 7), the reason codes (``reason_codes``) and the
smallest actionable change that gets the applicant approved (``counterfactual``). Everything is
computed live: for a small model an update stays well within 0.2 s. ipywidgets and matplotlib are
imported inside the function, so importing ``course_lib.explain`` does not load them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from course_lib._validate import check_array, check_int, check_real, to_numpy
from course_lib.explain._reasons import (
    Counterfactual,
    FeatureSpec,
    _distinct,
    _names,
    _specs_for,
    _vector,
    counterfactual,
    reason_codes,
    spread,
)
from course_lib.explain._shapley import exact_shapley

__all__ = ["explore_applicant", "applicant_controls"]

_MAX_DROPDOWN = 8  # an integer feature with at most this many values gets a drop-down


def _decimals(step: float) -> int:
    """Decimals a slider needs to show multiples of ``step`` (0.01 -> 2, 0.5 -> 1, 1 -> 0)."""
    for d in range(6):
        if math.isclose(step * 10 ** d, round(step * 10 ** d), abs_tol=1e-9):
            return d
    return 6


def _checked(applicant, data, feature_names, specs) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(applicant row, data table, names), validated: distinct str names, a FeatureSpec for each,
    one finite number per feature in ``applicant`` (1-D, or one row) and in each row of
    ``data``."""
    names = _distinct(_names(feature_names))
    table = check_array(data, "data", 2)
    row = to_numpy(applicant)
    x0 = _vector(row[0] if row.ndim == 2 and row.shape[0] == 1 else row, "applicant")
    if x0.shape[0] != len(names) or table.shape[1] != len(names):
        raise ValueError(f"applicant and data must have one value per feature (per entry of "
                         f"feature_names, {len(names)}), got {x0.shape[0]} and {table.shape[1]}")
    _specs_for(names, specs)
    return x0, table, names


def applicant_controls(applicant, data, feature_names: Sequence[str],
                       specs: Mapping[str, FeatureSpec]) -> dict[str, Any]:
    """One control per feature: a drop-down for a whole-number feature with few values, else a
    slider over the data's 1st-99th percentile (widened to hold the applicant), in the spec's
    step."""
    from course_lib.explore import choice, slider

    applicant, data, feature_names = _checked(applicant, data, feature_names, specs)
    controls: dict[str, Any] = {}
    for j, name in enumerate(feature_names):
        col, value, spec = data[:, j], float(applicant[j]), specs[name]
        lo, hi = np.quantile(col, 0.01), np.quantile(col, 0.99)
        whole = np.allclose(col, np.rint(col)) and float(value).is_integer()
        if whole and col.max() - col.min() + 1 <= _MAX_DROPDOWN:
            options = list(range(int(min(col.min(), value)), int(max(col.max(), value)) + 1))
            controls[name] = choice(options, int(value), spec.label)
            continue
        if whole:
            lo, hi = int(min(np.floor(lo), value)), int(max(np.ceil(hi), value))
            controls[name] = slider(lo, hi, 1, int(value), spec.label)
            continue
        step = spec.step if spec.change != "none" else 10.0 ** math.floor(math.log10(
            max(float(hi - lo), 1e-12) / 100))
        lo = min(math.floor(lo / step) * step, value)
        hi = max(math.ceil(hi / step) * step, value)
        controls[name] = slider(float(lo), float(hi), float(step), value, spec.label,
                                fmt=f".{_decimals(step)}f")
    return controls


@dataclass(repr=False)
class ApplicantView:
    """What the applicant editor computed at one setting, at full precision (tests read it)."""

    x: np.ndarray
    score: float
    base_value: float
    shap: Any  # a pandas Series: one exact Shapley value per feature
    reasons: list[str] = field(default_factory=list)
    counterfactual: Counterfactual | None = None
    approved: bool = False


def explore_applicant(model: Callable[[np.ndarray], np.ndarray], applicant, data,
                      feature_names: Sequence[str], specs: Mapping[str, FeatureSpec], *,
                      threshold: float = 0.5, background_size: int = 50, n_reasons: int = 3,
                      max_changes: int = 2):
    """An applicant editor: one control per feature of ``applicant``; shows the score
    ``model(x)``, its exact Shapley values (Σφ = score − base value, base value = mean score
    over ``data[:background_size]``), the reason codes (reference: ``data``'s median) and the
    cheapest change to approval (cost in ``spread(data)`` units), updating at every move.

    ``model`` maps an (m, d) array of raw feature rows to the (m,) scores of the favourable
    outcome (e.g. P(repay)); approval is ``score >= threshold``.
    """
    import pandas as pd

    from course_lib.explore import View, explorer, figure
    from course_lib.plotting import PALETTE

    if not callable(model):
        raise TypeError("model must be callable: (m, d) array of feature rows -> (m,) scores")
    x0, table, names = _checked(applicant, data, feature_names, specs)
    threshold = check_real(threshold, "threshold", finite=True)
    background_size = check_int(background_size, "background_size", 1)
    n_reasons = check_int(n_reasons, "n_reasons", 1)
    max_changes = check_int(max_changes, "max_changes", 1)
    if max_changes > 3:  # counterfactual's limit, checked here too (an approved start skips it)
        raise ValueError(f"max_changes must be <= 3 (the search is exhaustive), got {max_changes}")
    background = table[:background_size]
    reference = np.median(table, axis=0)
    scale = spread(table)

    def compute(x: np.ndarray) -> ApplicantView:
        phi = exact_shapley(model, x, background)
        score = float(np.asarray(model(x[None]), dtype=float).reshape(-1)[0])
        approved = score >= threshold
        cf = None if approved else counterfactual(model, x, names, specs, scale,
                                                  threshold=threshold, max_changes=max_changes)
        return ApplicantView(x, score, phi.base_value, pd.Series(phi.values[0], index=names),
                             reason_codes(phi.values[0], x, names, specs, reference, n=n_reasons),
                             cf, approved)

    def view(**values: float) -> View:
        x = np.array([float(values[n]) for n in names])
        a = compute(x)
        change = {n: "" for n in names}
        if a.counterfactual is not None:
            for n, (_, new) in a.counterfactual.changes.items():
                change[n] = specs[n].describe(new)
        shown = pd.DataFrame({"value": [specs[n].describe(v) for n, v in zip(names, x,
                                                                               strict=True)],
                              "SHAP": a.shap.round(2).to_numpy() + 0.0,  # no "-0.00"
                              "change to approval": list(change.values())}, index=names)
        verdict = "approved" if a.approved else "rejected"
        lines = [f"Score {a.score:.2f}: {verdict} (approval needs {threshold:g}). Base value "
                 f"{a.base_value:.2f} + sum of SHAP values {a.shap.sum():+.2f} = {a.score:.2f}.",
                 "Reasons: " + ("; ".join(a.reasons) if a.reasons else "none (no feature "
                                                                         "counts against)")]
        if a.approved:
            lines.append("Counterfactual: none needed, the applicant is approved.")
        elif a.counterfactual is None:
            lines.append(f"Counterfactual: no change of at most {max_changes} features on the "
                         f"grid reaches {threshold:g}.")
        else:
            lines.append("Smallest change to approval: "
                         + "; ".join(a.counterfactual.describe(specs))
                         + f" (cost {a.counterfactual.cost:.1f} spreads, new score "
                           f"{a.counterfactual.score:.2f}).")
        fig, ax = figure(6.0, 3.0)
        fig.set_layout_engine("none")  # fixed margins: constrained layout doubles the draw
        ax.set_position([0.34, 0.17, 0.63, 0.72])
        order = list(reversed(names))
        vals = [a.shap[n] for n in order]
        ax.barh([specs[n].label for n in order], vals,
                color=[PALETTE["vermillion"] if v < 0 else PALETTE["blue"] for v in vals])
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel("SHAP value (effect on the score; red: towards rejection)")
        ax.set_title(f"score {a.score:.2f}: {verdict}", fontsize=11)
        ax.tick_params(axis="y", labelsize=9)
        out = View(table=shown, figure=fig, note="\n".join(lines))
        out.applicant = a  # full precision, for tests and curious learners
        return out

    return explorer(view, applicant_controls(x0, table, names, specs))
