"""Notebook 10's explorer: the human-review band, its workload and the decisions that result.

``explore_review_band`` moves the band's lower and upper score bounds. Scores strictly inside
go to a person (``route_decisions``, with the band centred between the bounds); outside, the
model decides at the threshold. Per group it shows the workload (``review_summary``'s
``share_reviewed``), the share of the model's false declines that reach a person (the card's
failure mode: creditworthy applicants declined), and accuracy, TPR and FPR of the resulting
decisions, with the reviewer either always right (the best case) or agreeing with the model
(a rubber stamp).
"""

from __future__ import annotations

from course_lib._validate import check_real, to_numpy
from course_lib.reporting._oversight import review_summary, route_decisions

__all__ = ["REVIEWERS", "band_decisions", "explore_review_band"]

#: What a reviewer does with an application sent to them: the two ends of what review can be.
REVIEWERS: dict[str, str] = {"always right (best case)": "right",
                             "agrees with the model (rubber stamp)": "model"}


def _band(lower: float, upper: float, threshold: float) -> tuple[float, float]:
    lo = check_real(lower, "lower", 0.0, threshold)
    hi = check_real(upper, "upper", threshold, 1.0)
    return (lo + hi) / 2, (hi - lo) / 2


def _table(y, model, review, masks, reviewer: str):
    """The per-group table from precomputed arrays (the explorer's fast path)."""
    import numpy as np
    import pandas as pd

    decided = np.where(review, y if reviewer == "right" else model, model)
    right, auto = decided == y, ~review

    def rate(hit: np.ndarray, among: np.ndarray) -> float:
        return float(hit[among].mean()) if among.any() else np.nan

    rows = {}
    for g, m in masks.items():
        pos, neg = m & (y == 1), m & (y == 0)
        rows[g] = {"n": int(m.sum()), "share_reviewed": rate(review, m),
                   "false_declines_reviewed": rate(review, pos & (model == 0)),
                   "accuracy_automated": rate(model == y, m & auto),
                   "accuracy": rate(right, m), "tpr": rate(decided == 1, pos),
                   "fpr": rate(decided == 1, neg)}
    return pd.DataFrame(rows).T.astype({"n": int})


def _inputs(y_true, proba, sensitive, threshold: float):
    import numpy as np

    from course_lib._validate import check_binary

    y = check_binary(y_true, "y_true").astype(int)
    p = to_numpy(proba).astype(float)
    s = to_numpy(sensitive).astype(str)
    if not len(y) == len(p) == len(s):
        raise ValueError(f"y_true, proba and sensitive must be of one length, got {len(y)}, "
                         f"{len(p)} and {len(s)}")
    masks = {g: s == g for g in sorted(set(s.tolist()))}
    masks["all"] = np.ones(len(y), bool)
    return y, p, s, masks, (p >= threshold).astype(int)


def band_decisions(y_true, proba, sensitive, *, lower: float = 0.4, upper: float = 0.6,
                   threshold: float = 0.5, reviewer: str = "right"):
    """Per group and overall: the review band's workload and the decisions that result.

    Scores with lower < p < upper go to a person (``route_decisions``); the others are decided
    by the model (approve when p ≥ ``threshold``). ``reviewer="right"`` decides each reviewed
    application by its true outcome, ``"model"`` as the model would. Columns: n,
    share_reviewed and accuracy_automated (``review_summary``'s), false_declines_reviewed (of
    the creditworthy applicants the model would decline, the share sent to a person), and
    accuracy, tpr and fpr of the resulting decisions; NaN where undefined.
    """
    if reviewer not in REVIEWERS.values():
        raise ValueError(f"reviewer must be one of {', '.join(REVIEWERS.values())}, "
                         f"got {reviewer!r}")
    t = check_real(threshold, "threshold", 0.0, 1.0)
    centre, half = _band(lower, upper, t)
    # first, as it checks y_true, proba and sensitive (strings, missing groups, a 2-D column)
    summary = review_summary(y_true, proba, sensitive, threshold=centre, band=half)
    y, p, s, masks, model = _inputs(y_true, proba, sensitive, t)
    review = route_decisions(p, threshold=centre, band=half) == "human review"
    table = _table(y, model, review, masks, reviewer)
    table[["share_reviewed", "accuracy_automated"]] = summary.loc[
        table.index, ["share_reviewed", "accuracy_automated"]]
    return table


def explore_review_band(y_true, proba, sensitive, *, lower: float = 0.4, upper: float = 0.6,
                        threshold: float = 0.5):
    """An explorer of the review band: knobs ``lower`` and ``upper`` (sliders) and the reviewer
    (a drop-down of ``REVIEWERS``); the table is ``band_decisions`` at that setting (rounded to
    3 decimals), the figure each group's scores with the band shaded, and by group the share
    sent to a person beside the share of its false declines that reach one."""
    import numpy as np

    from course_lib.explore import View, choice, explorer, figure, slider
    from course_lib.plotting import PALETTE

    t = check_real(threshold, "threshold", 0.0, 1.0)
    band_decisions(y_true, proba, sensitive, lower=lower, upper=upper, threshold=t)  # validates
    y, p, s, masks, model = _inputs(y_true, proba, sensitive, t)
    groups = [g for g in masks if g != "all"]
    colours = dict(zip(groups, [PALETTE["vermillion"], PALETTE["blue"], PALETTE["green"],
                                PALETTE["orange"]] * len(groups), strict=False))
    edges = np.linspace(0, 1, 41)
    # one figure, drawn once; each update moves the band and the bars (fast enough for 0.2 s)
    fig, (ax0, ax1) = figure(8.0, 3.2, ncols=2)
    for g in groups:
        counts = np.histogram(p[masks[g]], bins=edges)[0] / max(masks[g].sum(), 1)
        ax0.stairs(100 * counts, edges, color=colours[g], label=g.lower(), lw=1.5)
    span = ax0.axvspan(lower, upper, color=PALETTE["black"], alpha=0.12, lw=0)
    ax0.axvline(t, color=PALETTE["black"], ls=":", lw=1)
    ax0.set_xlabel("model's approval score (review band shaded)")
    ax0.set_ylabel("applicants of the group (%)")
    ax0.legend(fontsize=8)
    x = np.arange(len(groups))
    bars = {}
    for k, (col, alpha) in enumerate([("share_reviewed", 1.0), ("false_declines_reviewed", 0.45)]):
        bars[col] = ax1.bar(x + (k - 0.5) * 0.4, np.zeros(len(groups)), 0.4, alpha=alpha,
                            color=[colours[g] for g in groups],
                            edgecolor=PALETTE["black"], lw=0.5)
    ax1.set_xticks(x, [g.lower() for g in groups])
    ax1.set_ylim(0, 100)
    ax1.set_ylabel("% of the group")
    from matplotlib.patches import Patch

    ax1.legend(handles=[Patch(facecolor=PALETTE["black"], alpha=a, label=lab) for a, lab in
                        ((0.8, "sent to a person"), (0.3, "its false declines reached"))],
               fontsize=7, loc="upper left")
    title = ax1.set_title("", fontsize=9)

    def view(lower: float, upper: float, reviewer: str) -> View:
        centre, half = _band(lower, upper, t)
        review = route_decisions(p, threshold=centre, band=half) == "human review"
        table = _table(y, model, review, masks, reviewer)
        span.set_x(lower)
        span.set_width(upper - lower)
        for col, rects in bars.items():
            for rect, g in zip(rects, groups, strict=True):
                value = table.loc[g, col]
                rect.set_height(0.0 if np.isnan(value) else 100 * value)
        title.set_text(f"band {lower:.2f} < score < {upper:.2f}")
        shares = ", ".join(f"{100 * table.loc[g, 'share_reviewed']:.1f}% of {g.lower()}"
                           for g in groups)
        reached = ", ".join(f"{100 * table.loc[g, 'false_declines_reviewed']:.1f}% of "
                            f"{g.lower()}" for g in groups)
        note = (f"sent to a person: {shares} (all: "
                f"{100 * table.loc['all', 'share_reviewed']:.1f}%); the model's false declines "
                f"reaching a person: {reached}")
        return View(table=table.round(3), figure=fig, note=note)

    return explorer(view, {
        "lower": slider(0.0, t, 0.01, float(lower), "lower bound", fmt=".2f"),
        "upper": slider(t, 1.0, 0.01, float(upper), "upper bound", fmt=".2f"),
        "reviewer": choice(REVIEWERS, "right", "the reviewer"),
    })
