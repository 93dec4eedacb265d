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


# ---- additions: intersectional groups, reference groups, bootstrap intervals ------------------
from fairlearn.metrics import (  # noqa: E402
    demographic_parity_difference as fl_dpd,
)
from fairlearn.metrics import (  # noqa: E402
    demographic_parity_ratio as fl_dpr,
)
from fairlearn.metrics import (  # noqa: E402
    equalized_odds_difference as fl_eod,
)

from course_lib.fairness import (  # noqa: E402
    RATE_COLUMNS,
    calibration_by_group,
    consistency,
    counterfactual_flip_rate,
    demographic_parity_difference,
    demographic_parity_ratio,
    ece_by_group,
    equal_opportunity_difference,
    equalized_odds_difference,
    expected_calibration_error,
    four_fifths_rule,
    predictive_parity_difference,
    worst_group_ece,
)


def _random_case(seed, n_groups=4):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(200, 3000))
    groups = np.array(["w", "x", "y", "z"])[rng.integers(0, n_groups, n)]
    y_true = rng.binomial(1, rng.uniform(0.2, 0.8), n)
    y_pred = np.where(rng.random(n) < 0.7, y_true, 1 - y_true)
    return y_true, y_pred, groups, rng


def _compas_two():
    from course_lib.data import load_compas

    compas = load_compas()
    two = compas[compas["race"].isin(["African-American", "Caucasian"])]
    return (two["two_year_recid"].to_numpy(), (two["score_text"] != "Low").astype(int).to_numpy(),
            two["race"].astype(str).to_numpy(), two)


def test_plain_call_keeps_its_columns():
    y_true, y_pred, groups, _ = _random_case(0)
    report = group_report(y_true, y_pred, groups, zero_division=np.nan)
    assert list(report.columns) == ["n", *RATE_COLUMNS]


@pytest.mark.parametrize("seed", range(4))
def test_intersectional_groups_agree_with_fairlearn(seed):
    y_true, y_pred, groups, rng = _random_case(seed)
    sex = pd.Series(np.array(["F", "M"])[rng.integers(0, 2, len(groups))])
    frame = pd.DataFrame({"race": groups, "sex": sex})
    ours = group_report(y_true, y_pred, frame, zero_division=np.nan)
    assert isinstance(ours.index, pd.MultiIndex) and ours.index.names == ["race", "sex"]
    theirs = MetricFrame(metrics=FAIRLEARN, y_true=y_true, y_pred=y_pred,
                         sensitive_features=frame).by_group
    theirs = theirs[theirs["n"].fillna(0) > 0]  # fairlearn also lists empty combinations
    assert list(ours.index) == list(theirs.index)
    for col in FAIRLEARN:
        np.testing.assert_allclose(ours[col].to_numpy(float), theirs[col].to_numpy(float),
                                   rtol=0, atol=1e-12, err_msg=col)


def test_intersectional_lists_only_observed_combinations():
    frame = pd.DataFrame({"a": ["x", "x", "y"], "b": ["p", "q", "p"]})
    report = group_report([1, 0, 1], [1, 1, 0], frame, zero_division=np.nan)
    assert list(report.index) == [("x", "p"), ("x", "q"), ("y", "p")]
    assert report.loc[("x", "q"), "fpr"] == 1.0


def test_intersectional_reference_and_one_column_frame():
    frame = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["p", "q", "p", "p"]})
    report = group_report([1, 0, 1, 0], [1, 1, 1, 0], frame, zero_division=np.nan,
                          reference=("y", "p"))
    assert report.loc[("x", "p"), "selection_rate_diff"] == 0.5
    with pytest.raises(ValueError, match="reference must be one of the groups"):
        group_report([1, 0, 1, 0], [1, 1, 1, 0], frame, zero_division=np.nan, reference="y")
    one = group_report([1, 0, 1, 0], [1, 1, 1, 0], frame[["a"]], zero_division=np.nan)
    assert one.index.name == "a" and list(one.index) == ["x", "y"]


def test_definitions_agree_with_fairlearn_on_adult():
    from course_lib.data import load_adult

    adult = load_adult()
    y_true = (adult["income"] == ">50K").astype(int).to_numpy()
    y_pred = ((adult["education_num"] >= 13) & (adult["hours_per_week"] >= 40)).astype(int)
    frame = adult[["sex", "race"]].astype(str)
    for sf in (frame["sex"], frame):
        assert demographic_parity_difference(y_true, y_pred, sf) == pytest.approx(
            fl_dpd(y_true, y_pred, sensitive_features=sf), abs=1e-12)
        assert equalized_odds_difference(y_true, y_pred, sf) == pytest.approx(
            fl_eod(y_true, y_pred, sensitive_features=sf), abs=1e-12)
    ours = group_report(y_true, y_pred, frame, zero_division=np.nan)
    theirs = MetricFrame(metrics=FAIRLEARN, y_true=y_true, y_pred=y_pred,
                         sensitive_features=frame).by_group
    theirs = theirs[theirs["n"].fillna(0) > 0]
    for col in FAIRLEARN:
        np.testing.assert_allclose(ours[col].to_numpy(float), theirs[col].to_numpy(float),
                                   rtol=0, atol=1e-12, err_msg=col)


def test_reference_adds_differences_and_ratios():
    y_true, y_pred, groups, _ = _random_case(1)
    report = group_report(y_true, y_pred, groups, zero_division=np.nan, reference="x")
    plain = group_report(y_true, y_pred, groups, zero_division=np.nan)
    pd.testing.assert_frame_equal(report[plain.columns], plain)
    for col in RATE_COLUMNS:
        np.testing.assert_allclose(report[f"{col}_diff"], plain[col] - plain.loc["x", col],
                                   atol=1e-15)
        np.testing.assert_allclose(report[f"{col}_ratio"], plain[col] / plain.loc["x", col])
    assert (report.loc["x", [f"{c}_diff" for c in RATE_COLUMNS]] == 0).all()


def test_reference_must_be_a_group_and_zero_reference_ratio_is_nan():
    with pytest.raises(ValueError, match="reference must be one of the groups"):
        group_report([0, 1], [0, 1], ["a", "b"], zero_division=np.nan, reference="c")
    args = ([0, 1, 1, 0, 0], [0, 1, 1, 1, 0], ["a", "a", "b", "b", "b"])  # fpr: a 0, b 1/2
    with pytest.warns(UndefinedRateWarning, match="has fpr, fnr = 0: those ratios are undefined"):
        r = group_report(*args, zero_division=0, reference="a")
    assert math.isnan(r.loc["b", "fpr_ratio"]) and r.loc["b", "fpr_diff"] == 0.5
    with pytest.warns(UndefinedRateWarning, match="ratios are undefined"):
        group_report(*args, reference="a")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = group_report(*args, zero_division=np.nan, reference="a")  # NaN asked for: quiet
    assert math.isnan(r.loc["b", "fpr_ratio"])


def test_ci_matches_bootstrap_ci_with_the_same_draws():
    y_true, y_pred, groups, _ = _random_case(2)
    report = group_report(y_true, y_pred, groups, zero_division=np.nan, ci=0.9,
                          n_resamples=200, random_state=7)
    for col, group in [("tpr", "w"), ("selection_rate", "z"), ("ppv", "y")]:
        def stat(yt, yp, g, col=col, group=group):
            m = g == group
            return group_report(yt[m], yp[m], g[m], zero_division=np.nan).iloc[0][col]

        est, lo, hi = bootstrap_ci(stat, y_true, y_pred, groups, n_resamples=200,
                                   confidence=0.9, random_state=7)
        assert report.loc[group, col] == pytest.approx(est, abs=1e-12)
        assert report.loc[group, f"{col}_lo"] == pytest.approx(lo, abs=1e-12)
        assert report.loc[group, f"{col}_hi"] == pytest.approx(hi, abs=1e-12)
    assert (report["tpr_lo"] <= report["tpr"]).all() and (report["tpr"] <= report["tpr_hi"]).all()


def test_ci_of_the_difference_matches_bootstrap_ci_of_the_difference():
    """With reference= and ci=, <rate>_diff_lo/_hi are bootstrap_ci's bounds of rate(g) −
    rate(reference) on the same draws; they answer "do the groups differ?", which overlapping
    per-group intervals do not."""
    y_true, y_pred, groups, _ = _random_case(4)
    report = group_report(y_true, y_pred, groups, zero_division=np.nan, reference="w", ci=0.9,
                          n_resamples=200, random_state=3)
    for col, group in [("tpr", "x"), ("fpr", "z"), ("selection_rate", "y")]:
        def stat(yt, yp, g, col=col, group=group):
            r = group_report(yt, yp, g, zero_division=np.nan)[col]
            return r[group] - r["w"]

        est, lo, hi = bootstrap_ci(stat, y_true, y_pred, groups, n_resamples=200,
                                   confidence=0.9, random_state=3)
        assert report.loc[group, f"{col}_diff"] == pytest.approx(est, abs=1e-12)
        assert report.loc[group, f"{col}_diff_lo"] == pytest.approx(lo, abs=1e-12)
        assert report.loc[group, f"{col}_diff_hi"] == pytest.approx(hi, abs=1e-12)
    assert (report.loc["w", ["tpr_diff_lo", "tpr_diff_hi"]] == 0).all()  # itself: exactly 0
    assert "tpr_diff_lo" not in group_report(y_true, y_pred, groups, ci=0.9,
                                             n_resamples=20).columns


def test_overlapping_intervals_can_hide_a_real_difference():
    """Two groups whose own 95% intervals overlap while the interval of their difference
    excludes 0: overlap is not a test of equality (COMPAS's PPV, notebook 03)."""
    y_true, y_pred, race, _ = _compas_two()
    r = group_report(y_true, y_pred, race, zero_division=np.nan, reference="Caucasian",
                     ci=0.95, n_resamples=1000, random_state=0)
    black, white = r.loc["African-American"], r.loc["Caucasian"]
    assert black["ppv_lo"] < white["ppv_hi"]  # the groups' intervals overlap
    assert black["ppv_diff_lo"] > 0  # yet the difference's interval excludes 0


def test_ci_is_seeded_and_off_by_default():
    y_true, y_pred, groups, _ = _random_case(3)
    a = group_report(y_true, y_pred, groups, zero_division=np.nan, ci=0.95, n_resamples=50)
    b = group_report(y_true, y_pred, groups, zero_division=np.nan, ci=0.95, n_resamples=50)
    pd.testing.assert_frame_equal(a, b)
    c = group_report(y_true, y_pred, groups, zero_division=np.nan, ci=0.95, n_resamples=50,
                     random_state=1)
    assert not np.allclose(a["tpr_lo"], c["tpr_lo"])
    assert "tpr_lo" not in group_report(y_true, y_pred, groups, zero_division=np.nan).columns


def test_ci_bound_is_nan_when_a_rate_is_mostly_undefined():
    # group "b" has no positives: its TPR is undefined in every resample; group "c" has one,
    # drawn in about 1 - 1/e = 63% of the resamples: enough for a bound
    y_true = np.r_[np.tile([0, 1], 30), np.zeros(40, int), 1, np.zeros(39, int)]
    groups = np.r_[["a"] * 60, ["b"] * 40, ["c"] * 40]
    r = group_report(y_true, y_true, groups, zero_division=np.nan, ci=0.95, n_resamples=100)
    assert math.isnan(r.loc["b", "tpr_lo"]) and math.isnan(r.loc["b", "tpr_hi"])
    assert r.loc["a", "tpr_lo"] == 1.0 and r.loc["c", "tpr_lo"] == 1.0


@pytest.mark.parametrize("kwargs, match", [
    (dict(ci=1.5), "ci must be None"), (dict(ci=True), "ci must be None"),
    (dict(ci=0.9, n_resamples=3), "n_resamples"),
])
def test_ci_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        group_report([0, 1], [0, 1], ["a", "b"], zero_division=np.nan, **kwargs)


def test_two_dimensional_array_still_needs_a_dataframe():
    with pytest.raises(ValueError, match="DataFrame with one column per attribute"):
        group_report([0, 1], [0, 1], np.zeros((2, 2)), zero_division=np.nan)


# ---- definitions against fairlearn -------------------------------------------------------------
def _fairlearn_gap(y_true, y_pred, groups, metric):
    return MetricFrame(metrics=metric, y_true=y_true, y_pred=y_pred,
                       sensitive_features=groups).difference(method="between_groups")


@pytest.mark.parametrize("seed", range(6))
def test_definitions_agree_with_fairlearn_on_random_inputs(seed):
    y_true, y_pred, groups, _ = _random_case(seed)
    sf = dict(sensitive_features=groups)
    assert demographic_parity_difference(y_true, y_pred, groups) == pytest.approx(
        fl_dpd(y_true, y_pred, **sf), abs=1e-12)
    assert demographic_parity_ratio(y_true, y_pred, groups) == pytest.approx(
        fl_dpr(y_true, y_pred, **sf), abs=1e-12)
    assert equalized_odds_difference(y_true, y_pred, groups) == pytest.approx(
        fl_eod(y_true, y_pred, **sf), abs=1e-12)
    assert equal_opportunity_difference(y_true, y_pred, groups) == pytest.approx(
        _fairlearn_gap(y_true, y_pred, groups, true_positive_rate), abs=1e-12)
    ppv = lambda yt, yp: precision_score(yt, yp, zero_division=np.nan)  # noqa: E731
    assert predictive_parity_difference(y_true, y_pred, groups) == pytest.approx(
        _fairlearn_gap(y_true, y_pred, groups, ppv), abs=1e-12)


def test_definitions_agree_with_fairlearn_on_compas():
    y_true, y_pred, race, two = _compas_two()
    sf = dict(sensitive_features=race)
    assert demographic_parity_difference(y_true, y_pred, race) == pytest.approx(
        fl_dpd(y_true, y_pred, **sf), abs=1e-12)
    assert equalized_odds_difference(y_true, y_pred, race) == pytest.approx(
        fl_eod(y_true, y_pred, **sf), abs=1e-12)
    # intersectional, on all races and both sexes of the full file
    frame = two[["race", "sex"]].astype(str)
    assert equalized_odds_difference(y_true, y_pred, frame) == pytest.approx(
        fl_eod(y_true, y_pred, sensitive_features=frame), abs=1e-12)
    # ProPublica's gaps: FPR 44.8% vs 23.5%, FNR 28.0% vs 47.7%
    assert equalized_odds_difference(y_true, y_pred, race) == pytest.approx(0.214, abs=0.002)
    assert equal_opportunity_difference(y_true, y_pred, race) == pytest.approx(0.197, abs=0.002)


@pytest.mark.parametrize("seed", range(3))
def test_equal_opportunity_on_the_advantaged_outcome_is_the_fpr_gap(seed):
    """Hardt et al.'s equal opportunity conditions on the advantaged outcome: with 1 the harmful
    label, P(1−ŷ=1 | 1−y=1) = 1 − FPR, so the gap of the flipped labels is the FPR gap."""
    y_true, y_pred, groups, _ = _random_case(seed)
    fpr = group_report(y_true, y_pred, groups)["fpr"]
    assert equal_opportunity_difference(1 - y_true, 1 - y_pred, groups) == pytest.approx(
        fpr.max() - fpr.min(), abs=1e-12)
    assert equal_opportunity_difference(1 - y_true, 1 - y_pred, groups) == pytest.approx(
        _fairlearn_gap(1 - y_true, 1 - y_pred, groups, true_positive_rate), abs=1e-12)


def test_equal_opportunity_on_compas_low_risk_is_the_21_point_fpr_gap():
    y_true, y_pred, race, _ = _compas_two()
    # being rated low risk among those who did not reoffend: 1 − FPR, 55.2% vs 76.5%
    assert equal_opportunity_difference(1 - y_true, 1 - y_pred, race) == pytest.approx(
        0.214, abs=0.002)


def test_definitions_hand_computed():
    y_true = [1, 1, 0, 0, 1, 1, 0, 0]
    y_pred = [1, 1, 1, 0, 1, 0, 0, 0]
    g = ["a"] * 4 + ["b"] * 4
    # a: selection 3/4, tpr 1, fpr 1/2, ppv 2/3; b: selection 1/4, tpr 1/2, fpr 0, ppv 1
    assert demographic_parity_difference(y_true, y_pred, g) == 0.5
    assert demographic_parity_ratio(y_true, y_pred, g) == pytest.approx(1 / 3)
    assert equal_opportunity_difference(y_true, y_pred, g) == 0.5
    assert equalized_odds_difference(y_true, y_pred, g) == 0.5
    assert predictive_parity_difference(y_true, y_pred, g) == pytest.approx(1 / 3)


def test_undefined_definitions_are_nan_with_a_warning():
    # group "b" has no positives: its TPR is undefined, its FPR is not
    y_true, y_pred, g = [1, 0, 0, 0], [1, 0, 1, 0], ["a", "a", "b", "b"]
    with pytest.warns(UndefinedRateWarning, match="tpr is undefined for 'b'"):
        assert math.isnan(equal_opportunity_difference(y_true, y_pred, g))
    with pytest.warns(UndefinedRateWarning):
        assert math.isnan(equalized_odds_difference(y_true, y_pred, g))
    with pytest.warns(UndefinedRateWarning, match="ppv"):
        assert math.isnan(predictive_parity_difference([1, 0], [1, 0], ["a", "b"]))
    with pytest.warns(UndefinedRateWarning, match="no group was selected"):
        assert math.isnan(demographic_parity_ratio([1, 0], [0, 0], ["a", "b"]))


def test_definitions_bad_input():
    with pytest.raises(ValueError, match="y_pred must be binary"):
        demographic_parity_difference([0, 1], [0, 2], ["a", "b"])
    with pytest.raises(ValueError, match="same length"):
        equalized_odds_difference([0, 1], [0, 1], ["a"])


# ---- four-fifths rule ----------------------------------------------------------------------
def test_four_fifths_rule():
    y_pred = [1, 1, 1, 1, 0] + [1, 1, 1, 0, 0]  # 0.8 and 0.6
    g = ["a"] * 5 + ["b"] * 5
    result = four_fifths_rule(y_pred, g)
    assert result.ratio == pytest.approx(0.75) and not result.passes
    assert (result.lowest, result.highest) == ("b", "a")
    assert four_fifths_rule(y_pred, g, threshold=0.7).passes
    assert four_fifths_rule([1, 1, 1, 1, 0, 1, 1, 1, 1, 0], g).passes  # ratio exactly 1
    y_true, y_pred, race, _ = _compas_two()
    low_risk = 1 - y_pred  # the favourable decision
    assert four_fifths_rule(low_risk, race).ratio == pytest.approx(
        fl_dpr(y_true, low_risk, sensitive_features=race), abs=1e-12)


def test_four_fifths_bad_input_and_undefined():
    with pytest.raises(ValueError, match="threshold"):
        four_fifths_rule([0, 1], ["a", "b"], threshold=1.5)
    with pytest.warns(UndefinedRateWarning, match="no group was selected"):
        assert math.isnan(four_fifths_rule([0, 0], ["a", "b"]).ratio)


# ---- calibration -------------------------------------------------------------------------------
def test_ece_hand_computed():
    # bins of width 0.5: [0.1, 0.3] -> conf 0.2, acc 0.5; [0.6, 0.8, 0.9] -> conf 0.7667, acc 1/3
    y_true, y_prob = [0, 1, 1, 0, 0], [0.1, 0.3, 0.6, 0.8, 0.9]
    expected = 2 / 5 * abs(0.5 - 0.2) + 3 / 5 * abs(1 / 3 - (0.6 + 0.8 + 0.9) / 3)
    assert expected_calibration_error(y_true, y_prob, n_bins=2) == pytest.approx(expected,
                                                                                  abs=1e-12)
    assert expected_calibration_error([0, 1], [0.0, 1.0]) == 0.0


@pytest.mark.parametrize("seed", range(3))
def test_reliability_table_agrees_with_sklearn(seed):
    from sklearn.calibration import calibration_curve

    rng = np.random.default_rng(seed)
    n = 2000
    groups = np.array(["a", "b", "c"])[rng.integers(0, 3, n)]
    y_prob = rng.beta(2, 3, n)
    y_prob[:5] = [0.0, 0.1, 0.5, 0.9, 1.0]  # values on the bin edges
    y_true = rng.binomial(1, y_prob ** 1.3)
    table = calibration_by_group(y_true, y_prob, groups, n_bins=10)
    ece = ece_by_group(y_true, y_prob, groups, n_bins=10)
    for g in ("a", "b", "c"):
        m = groups == g
        prob_true, prob_pred = calibration_curve(y_true[m], y_prob[m], n_bins=10)
        np.testing.assert_allclose(table.loc[g, "fraction_positive"], prob_true, atol=1e-12)
        np.testing.assert_allclose(table.loc[g, "mean_predicted"], prob_pred, atol=1e-12)
        w = table.loc[g, "n"] / m.sum()
        assert ece[g] == pytest.approx(float((w * np.abs(prob_true - prob_pred)).sum()),
                                       abs=1e-12)
        assert ece[g] == pytest.approx(expected_calibration_error(y_true[m], y_prob[m]),
                                       abs=1e-12)


def test_worst_group_ece_does_not_call_two_equally_miscalibrated_groups_calibrated():
    # both groups get score 0.9 and half of each reoffends: each ECE is 0.4, the gap is 0
    y_true = [1, 0] * 10
    y_prob = [0.9] * 20
    groups = ["a"] * 10 + ["b"] * 10
    ece = ece_by_group(y_true, y_prob, groups)
    assert ece.max() - ece.min() == pytest.approx(0.0, abs=1e-12)
    assert worst_group_ece(y_true, y_prob, groups) == pytest.approx(0.4, abs=1e-12)
    # and a calibrated score is near 0 in every group
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 1, 40_000)
    g = rng.choice(["a", "b"], 40_000)
    assert worst_group_ece(rng.binomial(1, p), p, g) < 0.02


@pytest.mark.parametrize("seed", range(3))
def test_worst_group_ece_is_the_largest_per_group_ece(seed):
    rng = np.random.default_rng(seed)
    n = 1500
    groups = np.array(["a", "b", "c"])[rng.integers(0, 3, n)]
    y_prob = rng.beta(2, 3, n)
    y_true = rng.binomial(1, y_prob ** (1 + (groups == "c")))  # group c miscalibrated
    per_group = [expected_calibration_error(y_true[groups == g], y_prob[groups == g])
                 for g in ("a", "b", "c")]
    assert worst_group_ece(y_true, y_prob, groups) == pytest.approx(max(per_group), abs=1e-12)
    assert max(per_group) == per_group[2]


def test_calibration_bad_input():
    with pytest.raises(ValueError, match="probabilities in"):
        calibration_by_group([0, 1], [0.2, 1.2], ["a", "b"])
    with pytest.raises(ValueError, match="n_bins"):
        ece_by_group([0, 1], [0.2, 0.5], ["a", "b"], n_bins=0)
    with pytest.raises(ValueError, match="same length"):
        expected_calibration_error([0, 1], [0.2])


# ---- individual fairness ----------------------------------------------------------------------
def test_consistency_hand_computed():
    # four points on a line; with k=1 each one's nearest other point:
    # 0 -> 1, 1 -> 0, 2 (x=10) -> 3, 3 (x=11) -> 2
    X = np.array([[0.0], [1.0], [10.0], [11.0]])
    assert consistency(X, [1, 1, 0, 0], n_neighbors=1) == 1.0
    assert consistency(X, [1, 0, 0, 0], n_neighbors=1) == 0.5
    # k=2: 0 -> {1, 2}, 1 -> {0, 2}, 2 -> {3, 1}, 3 -> {2, 1}; y = [1, 1, 0, 0]
    # |1 - 0.5| + |1 - 0.5| + |0 - 0.5| + |0 - 0.5| = 2 -> 1 - 2/4
    assert consistency(X, [1, 1, 0, 0], n_neighbors=2) == 0.5


def test_consistency_depends_on_the_features_that_define_similar():
    """A rule that decides by group alone looks consistent when the group is in X (neighbours
    share the group) and inconsistent when X holds only a task feature unrelated to it."""
    rng = np.random.default_rng(0)
    n = 400
    group = rng.integers(0, 2, n)
    skill = rng.normal(size=n)
    decision = group  # decides by group, ignores skill
    with_group = np.column_stack([skill, 10 * group])
    assert consistency(with_group, decision) == 1.0
    assert consistency(skill[:, None], decision) < 0.7


def test_consistency_bad_input():
    with pytest.raises(ValueError, match="n_neighbors"):
        consistency(np.zeros((3, 2)), [0, 1, 0], n_neighbors=3)
    with pytest.raises(ValueError, match="2-D numeric"):
        consistency(np.array(["a", "b"]), [0, 1])
    with pytest.raises(ValueError, match="same length"):
        consistency(np.zeros((3, 2)), [0, 1], n_neighbors=1)


def test_counterfactual_flip_rate():
    X = pd.DataFrame({"sex": ["F", "M", "F", "M"], "score": [1.0, 2.0, 3.0, 4.0]})

    def uses_sex(df):
        return ((df["score"] + 2 * (df["sex"] == "M")) > 3.5).astype(int).to_numpy()

    # originals: F1 -> 0, M2 -> 1, F3 -> 0, M4 -> 1; as M: 0, 1, 1, 1; as F: 0, 0, 0, 1
    # changed: rows 1 (M2 as F) and 2 (F3 as M)
    assert counterfactual_flip_rate(uses_sex, X, "sex", ["F", "M"]) == 0.5
    blind = lambda df: (df["score"] > 2.5).astype(int).to_numpy()  # noqa: E731
    assert counterfactual_flip_rate(blind, X, "sex", ["F", "M"]) == 0.0
    assert list(X["sex"]) == ["F", "M", "F", "M"]  # X is not modified


def test_counterfactual_flip_rate_bad_input():
    X = pd.DataFrame({"sex": ["F", "M"]})
    f = lambda df: np.zeros(len(df), int)  # noqa: E731
    with pytest.raises(ValueError, match="column must be one of"):
        counterfactual_flip_rate(f, X, "race", ["a", "b"])
    with pytest.raises(ValueError, match="at least two values"):
        counterfactual_flip_rate(f, X, "sex", ["F"])
    with pytest.raises(TypeError, match="DataFrame"):
        counterfactual_flip_rate(f, X.to_numpy(), "sex", ["F", "M"])
    with pytest.raises(TypeError, match="callable"):
        counterfactual_flip_rate(None, X, "sex", ["F", "M"])
    cat = X.astype("category")
    with pytest.raises(ValueError, match=r"values \['m'\] are not categories of 'sex'"):
        counterfactual_flip_rate(f, cat, "sex", ["F", "m"])


def test_counterfactual_flip_rate_keeps_categorical_dtype():
    X = pd.DataFrame({"sex": pd.Categorical(["F", "M", "M"]), "x": [0.0, 1.0, 2.0]})
    seen = []

    def f(df):
        seen.append(df["sex"].dtype)
        return (df["sex"] == "M").astype(int).to_numpy()

    assert counterfactual_flip_rate(f, X, "sex", ["F", "M"]) == 1.0
    assert all(d == X["sex"].dtype for d in seen)
