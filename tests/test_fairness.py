import math
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, precision_score

from course_lib.fairness import (
    UndefinedRateWarning,
    bootstrap_ci,
    chouldechova_fpr,
    group_report,
)


def _npv(y_true, y_pred):
    return precision_score(1 - np.asarray(y_true), 1 - np.asarray(y_pred), zero_division=np.nan)


FAIRLEARN = {
    "n": count,
    "selection_rate": selection_rate,
    "base_rate": lambda yt, yp: float(np.mean(yt)),
    "tpr": true_positive_rate,
    "fpr": false_positive_rate,
    "fnr": false_negative_rate,
    "ppv": lambda yt, yp: precision_score(yt, yp, zero_division=np.nan),
    "npv": _npv,
    "accuracy": accuracy_score,
}


@pytest.mark.parametrize("seed", range(8))
def test_agrees_with_fairlearn_metricframe(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(50, 3000))
    groups = np.array(["Caucasian", "African-American", "Hispanic", "Other"])[
        rng.integers(0, int(rng.integers(1, 5)), n)]
    y_true = rng.binomial(1, rng.uniform(0.1, 0.9), n)
    y_pred = np.where(rng.random(n) < 0.7, y_true, 1 - y_true)
    ours = group_report(y_true, y_pred, groups, zero_division=np.nan)
    theirs = MetricFrame(metrics=FAIRLEARN, y_true=y_true, y_pred=y_pred,
                         sensitive_features=pd.Series(groups, name="group")).by_group
    assert list(ours.index) == list(theirs.index)
    for col in FAIRLEARN:
        np.testing.assert_allclose(ours[col].to_numpy(float), theirs[col].to_numpy(float),
                                   rtol=0, atol=1e-12, err_msg=col)


def test_index_keeps_group_values_and_name():
    report = group_report([1, 0, 1, 0], [1, 1, 0, 0], pd.Series([2, 1, 2, 1], name="region"),
                          zero_division=np.nan)
    assert list(report.index) == [1, 2] and report.index.name == "region"
    assert report.loc[2, "tpr"] == 0.5 and report.loc[1, "fpr"] == 0.5
    assert report["n"].dtype == np.int64


def test_accepts_booleans_tensors_and_categoricals():
    sens = pd.Categorical(["b", "a", "b", "a"], categories=["b", "a"])
    report = group_report(torch.tensor([1, 0, 1, 1]), np.array([True, False, False, True]), sens,
                          zero_division=np.nan)
    assert list(report.index) == ["b", "a"]  # category order, as fairlearn and pandas use
    assert report.loc["b", "tpr"] == 0.5


@pytest.mark.parametrize("zero_division, expected", [(0, 0.0), (1, 1.0)])
def test_undefined_rates_follow_zero_division(zero_division, expected):
    # group "a" has no positives: tpr and fnr are 0/0
    report = group_report([0, 0, 1, 0], [0, 1, 1, 0], ["a", "a", "b", "b"],
                          zero_division=zero_division)
    assert report.loc["a", "tpr"] == expected and report.loc["a", "fnr"] == expected
    assert report.loc["b", "tpr"] == 1.0


def test_nan_and_warn():
    report = group_report([0, 0], [0, 0], ["a", "a"], zero_division=np.nan)
    assert math.isnan(report.loc["a", "tpr"]) and math.isnan(report.loc["a", "ppv"])
    assert report.loc["a", "fpr"] == 0.0 and report.loc["a", "npv"] == 1.0
    with pytest.warns(UndefinedRateWarning, match="tpr for 'a'"):
        report = group_report([0, 0], [0, 0], ["a", "a"])
    assert report.loc["a", "tpr"] == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        group_report([0, 1], [0, 1], ["a", "a"])  # nothing undefined: no warning


@pytest.mark.parametrize("args, exc, match", [
    (([0, 1], [0, 1, 1], ["a", "a", "b"]), ValueError, "same length"),
    (([0, 2], [0, 1], ["a", "b"]), ValueError, "y_true must be binary"),
    (([0, 1], [0.5, 1], ["a", "b"]), ValueError, "y_pred must be binary"),
    (([0, np.nan], [0, 1], ["a", "b"]), ValueError, "y_true contains NaN"),
    ((["no", "yes"], [0, 1], ["a", "b"]), TypeError, "y_true must hold 0/1 numbers"),
    (([[0, 1]], [[0, 1]], [["a", "b"]]), ValueError, "y_true must be 1-D"),
    (([0, 1], [0, 1], ["a", None]), ValueError, "missing values"),
    (([], [], []), ValueError, "empty"),
    (([0, 1], [0, 1], np.zeros((2, 2))), ValueError, "sensitive must be 1-D"),
])
def test_bad_input_is_a_clear_error(args, exc, match):
    with pytest.raises(exc, match=match):
        group_report(*args, zero_division=np.nan)


@pytest.mark.parametrize("zd", ["nan", True, 0.5, None])
def test_bad_zero_division(zd):
    with pytest.raises(ValueError, match="zero_division"):
        group_report([0, 1], [0, 1], ["a", "b"], zero_division=zd)


def test_a_million_rows_in_one_pass():
    rng = np.random.default_rng(0)
    n = 1_000_000
    groups = np.array(["w", "x", "y", "z"])[rng.integers(0, 4, n)]
    y_true, y_pred = rng.integers(0, 2, n), rng.integers(0, 2, n)
    report = group_report(y_true, y_pred, groups, zero_division=np.nan)
    assert report["n"].sum() == n
    tp = ((y_true == 1) & (y_pred == 1) & (groups == "z")).sum()
    assert report.loc["z", "tpr"] == tp / ((y_true == 1) & (groups == "z")).sum()


def test_chouldechova_identity_holds_on_a_confusion_matrix():
    rng = np.random.default_rng(1)
    y_true = rng.binomial(1, 0.4, 5000)
    y_pred = np.where(rng.random(5000) < 0.75, y_true, 1 - y_true)
    r = group_report(y_true, y_pred, np.zeros(5000, int)).iloc[0]
    assert chouldechova_fpr(r.base_rate, r.ppv, r.fnr) == pytest.approx(r.fpr, abs=1e-12)


def test_chouldechova_bad_input():
    with pytest.raises(ValueError, match="base_rate must be in"):
        chouldechova_fpr(1.5, 0.5, 0.2)
    with pytest.raises(ValueError, match="ppv > 0"):
        chouldechova_fpr(0.5, 0.0, 0.2)
    with pytest.raises(TypeError, match="fnr must be a number"):
        chouldechova_fpr(0.5, 0.5, "0.2")


def test_bootstrap_ci_covers_a_known_mean_and_is_repeatable():
    from scipy import stats

    rng = np.random.default_rng(3)
    x = rng.binomial(1, 0.3, 2000)
    est, lo, hi = bootstrap_ci(np.mean, x, n_resamples=2000, random_state=1)
    assert est == x.mean() and lo < est < hi
    half = stats.norm.ppf(0.975) * np.sqrt(est * (1 - est) / len(x))  # the normal approximation
    assert lo == pytest.approx(est - half, abs=0.004) and hi == pytest.approx(est + half, abs=0.004)
    assert bootstrap_ci(np.mean, x, n_resamples=2000, random_state=1) == (est, lo, hi)


def test_bootstrap_ci_resamples_rows_together():
    a = np.arange(100)
    est, lo, hi = bootstrap_ci(lambda u, v: float(np.all(u == v)), a, a.copy(), n_resamples=50)
    assert (est, lo, hi) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_resamples=5), "n_resamples"), (dict(confidence=1.0), "confidence"),
])
def test_bootstrap_ci_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        bootstrap_ci(np.mean, [1, 2, 3], **kwargs)
    with pytest.raises(ValueError, match="one length"):
        bootstrap_ci(np.mean, [1, 2, 3], [1, 2])
