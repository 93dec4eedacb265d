"""course_lib.fairness.explore_thresholds: per-group thresholds, driven without a browser."""

import numpy as np
import pandas as pd
import pytest

from course_lib.fairness import ece_by_group, explore_thresholds, group_report, rates_at_thresholds


def _data(n=4000, seed=0):
    """Calibrated scores (outcome drawn with probability = score), base rates 0.5 and 0.3."""
    rng = np.random.default_rng(seed)
    group = np.where(rng.random(n) < 0.5, "a", "b")
    mean = np.where(group == "a", 0.5, 0.3)
    score = rng.beta(4 * mean, 4 * (1 - mean))
    return rng.binomial(1, score), score, group


def test_the_table_is_group_report_at_each_groups_threshold():
    y, s, g = _data()
    ex = explore_thresholds(y, s, g)
    ex.set(threshold_0=0.4, threshold_1=0.6)
    y_pred = np.where(g == "a", s >= 0.4, s >= 0.6).astype(int)
    expected = group_report(y, y_pred, g, zero_division=np.nan)
    table = ex.view.table
    for rate in ["selection_rate", "fpr", "fnr", "ppv"]:
        assert table[rate].to_numpy() == pytest.approx(expected[rate].round(3).to_numpy())
    assert table["ece"].to_numpy() == pytest.approx(ece_by_group(y, s, g).round(3).to_numpy())
    assert list(table["threshold"]) == [0.4, 0.6]
    assert ex.view._repr_png_().startswith(b"\x89PNG")


def test_raising_one_groups_threshold_moves_its_rates_the_right_way_only():
    y, s, g = _data()
    ex = explore_thresholds(y, s, g)
    before = ex.view.table.copy()
    after = ex.set(threshold_1=0.7).table
    assert after.loc["b", "selection_rate"] < before.loc["b", "selection_rate"]
    assert after.loc["b", "fpr"] < before.loc["b", "fpr"]
    assert after.loc["b", "fnr"] > before.loc["b", "fnr"]
    assert after.loc["b", "ppv"] > before.loc["b", "ppv"]
    pd.testing.assert_series_equal(after.loc["a"], before.loc["a"])  # the other group is untouched
    assert after.loc["b", "ece"] == before.loc["b", "ece"]  # the score's, not the cut's


def test_equal_fpr_by_group_thresholds_leaves_ppv_unequal():
    """The impossibility, as the learner should find it: with unequal base rates, thresholds
    that equalize the FPR leave the PPVs apart."""
    y, s, g = _data(20_000)
    ex = explore_thresholds(y, s, g, step=0.01)
    best = min((abs(ex.set(threshold_1=t).table["fpr"].diff().iloc[-1]), t)
                for t in np.round(np.arange(0.2, 0.6, 0.01), 2))
    table = ex.set(threshold_1=best[1]).table
    assert abs(table.loc["a", "fpr"] - table.loc["b", "fpr"]) < 0.02
    assert abs(table.loc["a", "ppv"] - table.loc["b", "ppv"]) > 0.05
    assert "largest gap between groups" in ex.view.note


def test_integer_scores_labels_and_a_separate_probability():
    y, s, g = _data()
    decile = np.ceil(s * 10).clip(1, 10).astype(int)
    prob = pd.Series(y).groupby(decile).transform("mean").to_numpy()
    ex = explore_thresholds(y, decile, g, threshold=5, probability=prob,
                            labels={"a": "group A", "b": "group B"})
    slider = ex.controls["threshold_0"]
    assert (slider.min, slider.max, slider.step, slider.value) == (1, 10, 1, 5)
    table = ex.set(threshold_0=8).table
    assert list(table.index) == ["group A", "group B"]
    expected = rates_at_thresholds(y, decile, g, {"a": 8, "b": 5}, probability=prob)
    assert table["fpr"].to_numpy() == pytest.approx(expected["fpr"].round(3).to_numpy())
    assert table["ece"].to_numpy() == pytest.approx(ece_by_group(y, prob, g).round(3).to_numpy())


def test_more_than_two_groups_get_a_group_choice():
    y, s, g = _data()
    g3 = np.where(np.arange(len(g)) % 3 == 0, "c", g)
    ex = explore_thresholds(y, s, g3)
    assert set(ex.controls) == {"group", "threshold", "others"}
    table = ex.set(group="c", threshold=0.8, others=0.3).table
    assert list(table["threshold"]) == [0.3, 0.3, 0.8]
    y_pred = np.where(g3 == "c", s >= 0.8, s >= 0.3).astype(int)
    expected = group_report(y, y_pred, g3, zero_division=np.nan)
    assert table["selection_rate"].to_numpy() == pytest.approx(
        expected["selection_rate"].round(3).to_numpy())


def test_an_undefined_rate_is_nan_not_an_error():
    y = np.array([1, 1, 0, 0, 1, 1])
    s = np.array([0.9, 0.2, 0.4, 0.7, 0.8, 0.6])
    g = np.array(["a", "a", "a", "a", "b", "b"])  # group b has no negatives: its FPR is undefined
    table = explore_thresholds(y, s, g).view.table
    assert np.isnan(table.loc["b", "fpr"]) and table.loc["b", "fnr"] == 0.0


def test_bad_input_is_named():
    y, s, g = _data(200)
    with pytest.raises(ValueError, match="at least two groups"):
        explore_thresholds(y, s, np.zeros(len(y)))
    with pytest.raises(ValueError, match="threshold must lie"):
        explore_thresholds(y, s, g, threshold=2.0)
    with pytest.raises(ValueError, match="scores must be a non-empty 1-D array"):
        explore_thresholds(y, np.c_[s, s], g)
    with pytest.raises(ValueError, match="every group"):
        rates_at_thresholds(y, s, g, {"a": 0.5})
