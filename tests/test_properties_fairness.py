"""Property-based bad-input tests for course_lib.fairness: each public function that takes data
rejects wrong lengths, NaN/inf, empty input, non-binary labels, strings, a missing group, ...
with a ValueError/TypeError naming the argument (see tests/_properties.py)."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from _properties import (
    GROUPS,
    KINDS,
    LABELS,
    PROBS,
    SCORES,
    Case,
    labelled,
    property_tests,
    public_functions,
)

from course_lib import fairness as F


def _three(**extra):
    return labelled().map(lambda t: dict(y_true=t[0], y_pred=t[1], sensitive=t[2], **extra))


@st.composite
def _probs(draw):
    yt, _, s = draw(labelled())
    p = draw(st.lists(st.floats(0, 1), min_size=len(yt), max_size=len(yt)))
    return dict(y_true=yt, y_prob=np.array(p), sensitive=s)


@st.composite
def _features(draw):
    _, _, s = draw(labelled(2, 2))
    s = np.tile(s, 2)  # >= 10 rows
    n = len(s)
    rng = np.random.default_rng(draw(st.integers(0, 99)))
    x = pd.DataFrame({"a": rng.normal(size=n) + (s == "B"), "b": rng.choice(["u", "v"], n)})
    return dict(features=x, sensitive=s, n_splits=2)


@st.composite
def _consistency(draw):
    _, yp, _ = draw(labelled())
    x = np.random.default_rng(draw(st.integers(0, 99))).normal(size=(len(yp), 2))
    return dict(X=x, y_pred=yp, n_neighbors=draw(st.integers(1, 3)))


def _rule(frame):
    return (frame["a"] > 0).astype(int).to_numpy()


_FLIP = st.builds(lambda n: dict(predict_fn=_rule, X=pd.DataFrame(
    {"a": np.linspace(-1, 1, n), "g": ["x", "y"] * (n // 2)}), column="g", values=["x", "y"]),
    st.integers(2, 8).map(lambda k: 2 * k))

# ---------------------------------------------------------------- the threshold explorer
def _bad_cutoffs(value):
    """Not a mapping group -> cut-off: a number, None, a list or a string."""
    return st.sampled_from([0.5, None, [0.5, 0.5, 0.5], "0.5"])


def _bad_labels(value):
    """Not a mapping group -> distinct str name: a str, a list, a number, a non-str name, one
    name for every group."""
    first = sorted(value)[0]
    return st.sampled_from(["labels", list(value.values()), 3, {**value, first: 3},
                            dict.fromkeys(value, "same")])


def _bad_step(value):
    """Not a step > 0."""
    return st.sampled_from([0.0, -0.1, 0])


def _above(value):
    """Far above the scores' range (a slider start, or a lower end above the upper)."""
    return st.just(100.0)


def _below(value):
    """Far below the scores' range (a slider start, or an upper end below the lower)."""
    return st.just(-100.0)


for _name, _kind in {"cutoffs": _bad_cutoffs, "labels": _bad_labels, "step": _bad_step,
                     "above": _above, "below": _below}.items():
    assert KINDS.setdefault(f"fairness_{_name}", _kind) is _kind


@st.composite
def _scored(draw, min_groups=2, cutoffs=True):
    """Labels, scores (probabilities or integer deciles), groups, a probability per row, and
    each group's cut-off (for rates_at_thresholds) or a name (for explore_thresholds)."""
    yt, _, s = draw(labelled(min_groups, 3))
    rng = np.random.default_rng(draw(st.integers(0, 99)))
    deciles = draw(st.booleans())
    scores = rng.integers(1, 11, len(yt)) if deciles else rng.random(len(yt))
    scores[:2] = (1, 10) if deciles else (0.1, 0.9)  # never one value (an empty slider range)
    groups = sorted(set(s.tolist()))
    out = dict(y_true=yt, scores=scores, sensitive=s, probability=rng.random(len(yt)),
               n_bins=draw(st.integers(1, 5)))
    if cutoffs:
        out["thresholds"] = {g: draw(st.sampled_from([0.5, 5, 11.0])) for g in groups}
    else:
        out["labels"] = {g: f"group {g}" for g in groups}
    return out


_THRESHOLDS = {"y_true": LABELS, "scores": SCORES, "sensitive": GROUPS, "probability": PROBS,
               "n_bins": ("int",)}

_GAP = {"y_true": LABELS, "y_pred": LABELS, "sensitive": (*GROUPS, "single")}
_REPORT = {"y_true": LABELS, "y_pred": LABELS, "sensitive": GROUPS,
           "zero_division": ("str",), "ci": ("real",), "n_resamples": ("int",),
           "random_state": ("int",)}
_CAL = {"y_true": LABELS, "y_prob": PROBS, "sensitive": GROUPS, "n_bins": ("int",)}

CASES = {
    "group_report": Case(F.group_report, _three(ci=0.9, n_resamples=20), _REPORT),
    "demographic_parity_difference": Case(F.demographic_parity_difference, _three(), _GAP),
    "demographic_parity_ratio": Case(F.demographic_parity_ratio, _three(), _GAP),
    "equal_opportunity_difference": Case(F.equal_opportunity_difference, _three(), _GAP),
    "equalized_odds_difference": Case(F.equalized_odds_difference, _three(), _GAP),
    "predictive_parity_difference": Case(F.predictive_parity_difference, _three(), _GAP),
    "four_fifths_rule": Case(F.four_fifths_rule, _three().map(
        lambda d: {"y_pred": d["y_pred"], "sensitive": d["sensitive"], "threshold": 0.8}),
        {"y_pred": LABELS, "sensitive": (*GROUPS, "single"), "threshold": ("real",)}),
    "bootstrap_ci": Case(lambda statistic, a, b, **kw: F.bootstrap_ci(statistic, a, b, **kw),
                         _three().map(lambda d: dict(statistic=lambda a, b: float(np.mean(a == b)),
                                                     a=d["y_true"], b=d["y_pred"],
                                                     n_resamples=20, confidence=0.9,
                                                     random_state=0)),
                         {"b": ("length", "empty"), "n_resamples": ("int",),
                          "confidence": ("real",), "random_state": ("int",)},
                         names={"b": ("arrays",), "a": ("arrays",)}),
    "calibration_by_group": Case(F.calibration_by_group, _probs(), _CAL),
    "ece_by_group": Case(F.ece_by_group, _probs(), _CAL),
    "worst_group_ece": Case(F.worst_group_ece, _probs(), _CAL),
    "expected_calibration_error": Case(F.expected_calibration_error, _probs().map(
        lambda d: {"y_true": d["y_true"], "y_prob": d["y_prob"]}),
        {"y_true": LABELS, "y_prob": PROBS, "n_bins": ("int",)}),
    "chouldechova_fpr": Case(F.chouldechova_fpr, st.fixed_dictionaries(
        {"base_rate": st.floats(0.05, 0.9), "ppv": st.floats(0.1, 1), "fnr": st.floats(0, 1)}),
        {"base_rate": ("real_inf",), "ppv": ("real_inf",), "fnr": ("real_inf",)}),
    "consistency": Case(F.consistency, _consistency(),
                        {"X": ("nonfinite", "length", "strings", "empty"), "y_pred": LABELS,
                         "n_neighbors": ("int",)}),
    "counterfactual_flip_rate": Case(F.counterfactual_flip_rate, _FLIP,
                                     {"predict_fn": ("callable",), "X": ("frame", "empty"),
                                      "column": ("str",)}),
    "proxy_strength": Case(F.proxy_strength, _features(),
                           {"features": ("frame", "empty", "nonfinite"),
                            "sensitive": (*GROUPS, "single"), "n_splits": ("int",),
                            "random_state": ("int",)}),
    "proxy_auc_all": Case(F.proxy_auc_all, _features(),
                          {"features": ("frame", "empty", "nonfinite"),
                           "sensitive": (*GROUPS, "single"), "n_splits": ("int",),
                           "random_state": ("int",)}),
    # the threshold explorer and its table
    "rates_at_thresholds": Case(F.rates_at_thresholds, _scored(),
                                {**_THRESHOLDS, "thresholds": ("thresholds",
                                                               "fairness_cutoffs")}),
    "explore_thresholds": Case(F.explore_thresholds, _scored(cutoffs=False),
                               {**_THRESHOLDS, "sensitive": (*GROUPS, "single"),
                                "threshold": ("real_inf", "fairness_above", "fairness_below"),
                                "lo": ("real_inf", "fairness_above"),
                                "hi": ("real_inf", "fairness_below"),
                                "step": ("real_inf", "fairness_step"),
                                "labels": ("fairness_labels",)}),
}
EXEMPT: dict[str, str] = {}


def test_every_public_function_is_covered():
    """A new public function must get a Case here (or an exemption with a reason)."""
    assert public_functions(F, EXEMPT) == sorted(CASES)


(test_valid_input_is_accepted, test_bad_input_is_rejected_naming_the_argument,
 test_bad_input_is_rejected_naming_the_argument_slow) = property_tests(CASES)


# ---------------------------------------------------------------- regressions: once silent
def test_explorer_inputs_once_accepted_now_raise():
    """Before: a string cut-off was read as a number, a NaN one silently flagged nobody,
    infinite scores passed, a bool slider start counted as 1, and a non-mapping ``labels``
    failed with an AttributeError."""
    y, s, g = np.array([0, 1, 0, 1]), np.array([0.2, 0.8, 0.4, 0.6]), np.array(list("aabb"))
    with pytest.raises(TypeError, match=r"thresholds\['a'\] must be a real number"):
        F.rates_at_thresholds(y, s, g, {"a": "0.5", "b": 0.5})
    with pytest.raises(ValueError, match=r"thresholds\['b'\] must be in"):
        F.rates_at_thresholds(y, s, g, {"a": 0.5, "b": float("nan")})
    with pytest.raises(ValueError, match="scores contains NaN or infinite values"):
        F.rates_at_thresholds(y, np.r_[s[:3], np.inf], g, {"a": 0.5, "b": 0.5})
    with pytest.raises(TypeError, match="threshold must be a real number"):
        F.explore_thresholds(y, s, g, threshold=True)
    with pytest.raises(TypeError, match="labels must be a mapping"):
        F.explore_thresholds(y, s, g, labels="ab")
