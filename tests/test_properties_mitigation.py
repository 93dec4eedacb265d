"""Property-based bad-input tests for course_lib.mitigation (see tests/_properties.py)."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
import torch
from _properties import (
    GROUPS,
    KINDS,
    LABELS,
    SCORES,
    TENSOR,
    Case,
    labelled,
    property_tests,
)

from course_lib import fairness
from course_lib import mitigation as M
from course_lib.models import MLP

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@st.composite
def _scored(draw):
    yt, _, s = draw(labelled())
    sc = np.array(draw(st.lists(st.floats(0, 1), min_size=len(yt), max_size=len(yt))))
    return dict(y_true=yt, scores=sc, sensitive=s)


def _thresholds(d):
    return dict(d, thresholds={g: 0.5 for g in np.unique(d["sensitive"])})


@st.composite
def _training(draw, **extra):
    yt, _, s = draw(labelled(2, 2))
    x = np.random.default_rng(draw(st.integers(0, 99))).normal(size=(len(yt), 3))
    torch.manual_seed(0)
    return dict(model=MLP(3, hidden=(4,)), inputs=torch.tensor(x, dtype=torch.float32),
                target=torch.tensor(yt), sensitive=s, epochs=1, batch_size=16, random_state=0,
                **extra)


def _reports(d):
    r = fairness.group_report(d["y_true"], d["y_pred"], d["sensitive"])
    return dict(reports_by_month={"2024-01": r, "2024-02": r}, metric="tpr", tolerance=0.05)


# ---------------------------------------------------------------- corruptions used only here
@st.composite
def _bad_score_grid(draw, value):
    """Not a non-empty mapping label -> scores, or one model's scores NaN/inf, strings, of the
    wrong length, 2-D or empty."""
    kind = draw(st.sampled_from(["array", "empty_map", "nonfinite", "strings", "length", "2d",
                                 "empty"]))
    if kind == "array":
        return next(iter(value.values()))
    if kind == "empty_map":
        return {}
    name = draw(st.sampled_from(sorted(value)))
    return {**value, name: draw(KINDS[kind](value[name]))}


def _bad_model(value):
    """A label that is not one of the grid's."""
    return st.sampled_from(["no-such-model", 3])


def _bad_threshold(value):
    """Outside the sliders' [0.05, 0.95], NaN, a string or a bool."""
    return st.sampled_from([0.0, 1.0, -0.5, float("nan"), "0.5", True])


_LOCAL = {"score_grid": _bad_score_grid, "model": _bad_model, "threshold": _bad_threshold}
for _name, _kind in _LOCAL.items():
    assert KINDS.setdefault(f"mitigation_{_name}", _kind) is _kind
_P = {name: f"mitigation_{name}" for name in _LOCAL}


@st.composite
def _explorer_call(draw):
    """Two groups' labels and truth, and one to three models' scores in [0, 1]."""
    yt, truth, s = draw(labelled(2, 2))
    n = len(yt)
    grid = {f"λ = {k}": np.array(draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
            for k in range(draw(st.integers(1, 3)))}
    return dict(scores=grid, y_true=yt, sensitive=s, truth=truth,
                model=draw(st.sampled_from([None, *grid])),
                thr_a=draw(st.floats(0.05, 0.95)), thr_b=draw(st.floats(0.05, 0.95)))


_THREE = labelled().map(lambda t: dict(y_true=t[0], y_pred=t[1], sensitive=t[2]))
_DISP = {"y_true": LABELS, "y_pred": LABELS, "sensitive": (*GROUPS, "single"),
         "metric": ("str",)}
_TRAINING = {"inputs": (*TENSOR, "strings", "length"), "target": LABELS,
             "sensitive": (*GROUPS, "single"), "constraint": ("str",), "epochs": ("int",),
             "batch_size": ("int",), "lr": ("real",), "random_state": ("int",)}

CASES = {
    "disparity": Case(M.disparity, _THREE.map(lambda d: dict(d, metric="equalized_odds")),
                      _DISP),
    "tradeoff_point": Case(M.tradeoff_point, _THREE.map(lambda d: dict(
        d, n_resamples=20, confidence=0.9, random_state=0)),
        {**_DISP, "n_resamples": ("int",), "confidence": ("real",), "random_state": ("int",)}),
    "drift_monitor": Case(M.drift_monitor, _THREE.map(_reports),
                          {"reports_by_month": ("frame",), "metric": ("str",),
                           "tolerance": ("real",)}),
    "reweighing_weights": Case(M.reweighing_weights, _THREE.map(
        lambda d: dict(y=d["y_true"], sensitive=d["sensitive"])),
        {"y": ("nonfinite", "length", "empty", "2d"), "sensitive": GROUPS}),
    "resample_indices": Case(M.resample_indices, _THREE.map(
        lambda d: dict(y=d["y_true"], sensitive=d["sensitive"], random_state=0)),
        {"y": ("nonfinite", "length", "empty", "2d"), "sensitive": GROUPS,
         "random_state": ("int",)}),
    "group_thresholds": Case(M.group_thresholds, _scored().map(lambda d: dict(d, grid=11)),
                             {"y_true": LABELS, "scores": SCORES, "sensitive": GROUPS,
                              "constraint": ("str",), "grid": ("int",)}),
    "apply_thresholds": Case(M.apply_thresholds, _scored().map(_thresholds).map(
        lambda d: {k: d[k] for k in ("scores", "sensitive", "thresholds")}),
        {"scores": SCORES, "sensitive": GROUPS, "thresholds": ("str", "thresholds")}),
    "threshold_report": Case(M.threshold_report, _scored().map(_thresholds),
                             {"y_true": LABELS, "scores": SCORES, "sensitive": GROUPS,
                              "thresholds": ("str", "thresholds")}),
    "train_fair_penalty": Case(M.train_fair_penalty, _training(lam=1.0),
                               {**_TRAINING, "lam": ("real",)}, slow=True),
    "train_adversarial": Case(M.train_adversarial, _training(warmup_epochs=0),
                              {**_TRAINING, "alpha": ("real",), "warmup_epochs": ("int",)},
                              slow=True),
    "explore_mitigation": Case(M.explore_mitigation, _explorer_call(),
                               {"scores": (_P["score_grid"],), "y_true": LABELS,
                                "truth": LABELS, "sensitive": (*GROUPS, "single"),
                                "model": (_P["model"],), "thr_a": (_P["threshold"],),
                                "thr_b": (_P["threshold"],)}),
}
EXEMPT: dict[str, str] = {}

(test_valid_input_is_accepted, test_bad_input_is_rejected_naming_the_argument,
 test_bad_input_is_rejected_naming_the_argument_slow) = property_tests(CASES)


def test_every_public_function_is_covered():
    assert [n for n in M.__all__ if callable(getattr(M, n))
            and not isinstance(getattr(M, n), type) and n not in EXEMPT] == sorted(CASES)


# ---------------------------------------------------------------- regressions (bugs found here)
def test_a_gap_between_groups_needs_two_groups():
    """Before: one group gave a gap of 0.0 (fairness.*_difference, mitigation.disparity) and a
    passing four-fifths ratio of 1.0, as if a comparison had been made."""
    y, s = np.array([0, 1, 0, 1]), np.array(["a"] * 4)
    for fn in (M.disparity, fairness.demographic_parity_difference,
               fairness.equalized_odds_difference, fairness.demographic_parity_ratio):
        with pytest.raises(ValueError, match="sensitive must hold at least two groups"):
            fn(y, y, s)
    with pytest.raises(ValueError, match="sensitive must hold at least two groups"):
        fairness.four_fifths_rule(y, s)


def test_thresholds_must_be_numbers():
    """Before: a NaN threshold silently rejected everyone in its group; a string one raised
    float()'s ValueError naming nothing."""
    sc, s = np.array([0.2, 0.8, 0.4, 0.9]), np.array(["a", "a", "b", "b"])
    with pytest.raises(ValueError, match=r"thresholds\['a'\] must be in"):
        M.apply_thresholds(sc, s, {"a": float("nan"), "b": 0.5})
    with pytest.raises(TypeError, match=r"thresholds\['b'\] must be a real number"):
        M.apply_thresholds(sc, s, {"a": 0.5, "b": "0.5"})


def test_seeds_and_levels_are_checked_by_name():
    """Before: bootstrap_ci(confidence="0.9") raised a bare '<' TypeError; a negative or string
    random_state reached numpy's SeedSequence (group_report with ci, bootstrap_ci,
    resample_indices) or torch's manual_seed."""
    y, s = np.array([0, 1, 0, 1, 1, 0]), np.array(["a", "a", "a", "b", "b", "b"])
    with pytest.raises(TypeError, match="confidence must be a real number"):
        fairness.bootstrap_ci(np.mean, y, confidence="0.9")
    with pytest.raises(ValueError, match="random_state must be >= 0"):
        fairness.group_report(y, y, s, ci=0.9, n_resamples=10, random_state=-1)
    with pytest.raises(TypeError, match="random_state must be an int"):
        M.resample_indices(y, s, random_state="0")


def test_infinite_features_are_named_in_a_proxy_audit():
    """Before: an inf reached scikit-learn, whose message names no argument."""
    x = pd.DataFrame({"a": np.r_[np.inf, np.arange(9.0)]})
    with pytest.raises(ValueError, match="features has infinite"):
        fairness.proxy_strength(x, ["u", "v"] * 5)


def test_the_mitigation_explorers_thresholds_and_rows_are_checked_by_name():
    """Before: thr_b=1.0, thr_a=-0.5 or True were clamped to the slider's ends without a word,
    thr_a="0.5" was taken as a number, a NaN threshold built an explorer whose view raised, and,
    with no truth, a y_true shorter than sensitive was blamed on sensitive alone."""
    y, s = np.array([0, 1, 0, 1, 1, 0]), np.array(["a", "a", "a", "b", "b", "b"])
    grid = {"plain": np.linspace(0.1, 0.9, 6)}
    with pytest.raises(ValueError, match=r"thr_b must be in \[0.05, 0.95\], got 1.0"):
        M.explore_mitigation(grid, y, s, thr_b=1.0)
    with pytest.raises(TypeError, match="thr_a must be a real number"):
        M.explore_mitigation(grid, y, s, thr_a="0.5")
    with pytest.raises(ValueError, match=r"sensitive must have one entry per row of y_true"):
        M.explore_mitigation(grid, y[:5], s)
    assert M.explore_mitigation(grid, y, s, thr_a=np.float64(0.3)).view.values["thr_a"] == 0.3
