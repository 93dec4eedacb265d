"""Notebook 04's explorer: how strong a mitigation, and where each group's threshold sits.

``explore_mitigation`` takes the test scores of models trained at several mitigation strengths
(the fairness penalty's λ, precomputed: training is too slow to run on every move) and lets the
learner pick one and set a decision threshold per group. Accuracy, the selection gap and each
group's selection rate, TPR and FPR move with ``threshold_report`` and ``disparity`` themselves.
"""

from __future__ import annotations

from collections.abc import Mapping

from course_lib._validate import check_real
from course_lib.mitigation._checks import binary, groups, scores_1d
from course_lib.mitigation._evaluate import disparity
from course_lib.mitigation._post import apply_thresholds, threshold_report

__all__ = ["explore_mitigation"]

RATES = ("selection_rate", "tpr", "fpr")


def explore_mitigation(scores: Mapping, y_true, sensitive, *, truth=None, model=None,
                       thr_a: float = 0.5, thr_b: float = 0.5):
    """An explorer over a grid of mitigated models' scores and a threshold for each group.

    ``scores`` maps a label (e.g. ``"λ = 3"``) to one model's scores P(ŷ=1) on the same rows;
    ``y_true`` are the recorded labels, ``truth`` (optional) the true outcomes the per-group
    rates are measured against (default: the labels); ``sensitive`` holds exactly two groups.
    Knobs: ``model`` (a drop-down of ``scores``), ``thr_a`` and ``thr_b`` (the first and second
    group's threshold, sorted by name, in [0.05, 0.95]). The table has one row per group
    (selection rate, TPR, FPR, accuracy); the note gives accuracy, the selection gap
    (demographic parity difference) and the TPR gap; the chart shows the groups' rates side by
    side.
    """
    # within the sliders' range: a slider would clamp a threshold outside to its end, unannounced
    thr_a = check_real(thr_a, "thr_a", 0.05, 0.95)
    thr_b = check_real(thr_b, "thr_b", 0.05, 0.95)

    import numpy as np

    from course_lib.explore import View, choice, explorer, figure, slider
    from course_lib.plotting import PALETTE

    if not isinstance(scores, Mapping) or not scores:
        raise TypeError("scores must be a non-empty mapping label -> one model's scores, got "
                        f"{type(scores).__name__}")
    yt = binary(y_true, "y_true")
    truth = yt if truth is None else binary(truth, "truth")
    if len(truth) != len(yt):
        raise ValueError(f"truth and y_true must have the same length, got {len(truth)} and "
                         f"{len(yt)}")
    _, labels = groups(sensitive, len(yt), rows=" of y_true")
    if len(labels) != 2:
        raise ValueError(f"sensitive must hold exactly two groups, got {len(labels)}: {labels}")
    s = np.asarray(sensitive)
    table_scores = {}
    for name, sc in scores.items():
        sc = scores_1d(sc, f"scores[{name!r}]")
        if len(sc) != len(yt):
            raise ValueError(f"scores[{name!r}] has {len(sc)} rows; y_true has {len(yt)}")
        table_scores[str(name)] = sc
    names = list(table_scores)
    model = names[0] if model is None else str(model)
    if model not in table_scores:
        raise ValueError(f"model must be one of {names}, got {model!r}")
    a, b = labels

    def summary(name: str, ta: float, tb: float) -> dict:
        pred = apply_thresholds(table_scores[name], s, {a: ta, b: tb})
        return {"acc_labels": float((pred == yt).mean()),
                "acc_truth": float((pred == truth).mean()),
                "selection_gap": disparity(yt, pred, s)}

    def view(model: str, thr_a: float, thr_b: float) -> View:
        rep = threshold_report(truth, table_scores[model], s, {a: thr_a, b: thr_b})
        table = rep[[*RATES, "accuracy"]].astype(float).round(2)
        now = summary(model, thr_a, thr_b)
        tpr_gap = float(rep.loc[a, "tpr"] - rep.loc[b, "tpr"])
        fig, ax = figure(5.6, 3.2)  # one panel: an update stays within 0.2 s
        fig.set_layout_engine("none")  # the PNG is cropped to its content (bbox "tight")
        pos = np.arange(len(RATES))
        for k, (g, colour) in enumerate(((a, PALETTE["blue"]), (b, PALETTE["orange"]))):
            ax.bar(pos + (k - 0.5) * 0.38, rep.loc[g, list(RATES)].astype(float), width=0.38,
                   color=colour, label=f"group {g} (threshold {(thr_a, thr_b)[k]:.2f})")
        ax.set_xticks(pos, ["selection rate", "TPR", "FPR"])
        ax.set_ylabel("rate (against the truth)" if truth is not yt else "rate")
        ax.set_ylim(0, 1)
        ax.legend(fontsize=8, loc="upper right")
        ax.set_title(f"{model}: accuracy {now['acc_labels']:.2f} (labels), selection gap "
                     f"{now['selection_gap']:.2f}", fontsize=9)
        note = (f"{model}, thresholds {a} {thr_a:.2f} and {b} {thr_b:.2f}: accuracy "
                f"{now['acc_labels']:.2f} against the labels, {now['acc_truth']:.2f} against the "
                f"truth; selection gap {now['selection_gap']:.2f}; TPR gap ({a} − {b}) "
                f"{tpr_gap:+.2f}")
        return View(table=table, figure=fig, note=note)

    return explorer(view, {
        "model": choice(names, model, "model"),
        "thr_a": slider(0.05, 0.95, 0.01, thr_a, f"threshold, group {a}"),
        "thr_b": slider(0.05, 0.95, 0.01, thr_b, f"threshold, group {b}"),
    })
