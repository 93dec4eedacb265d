"""Notebook 11's operating-point explorer: moving the threshold, the model or the definition
changes the numbers as it should, and they equal course_lib's own metrics at that setting."""

import time

import numpy as np
import pytest

from course_lib.fairness import group_report
from course_lib.mitigation import disparity
from course_lib.reporting import explore_operating_point


@pytest.fixture(scope="module")
def audit():
    rng = np.random.default_rng(3)
    groups = np.where(rng.random(600) < 0.25, "under 25", "25 and over")
    y = rng.binomial(1, np.where(groups == "under 25", 0.6, 0.72))
    shift = 0.5 * (groups == "under 25")
    scores = {"baseline": 1 / (1 + np.exp(-(2 * y - 1 + rng.normal(size=600) - shift))),
              "fairness penalty": 1 / (1 + np.exp(-(2 * y - 0.2 + rng.normal(size=600))))}
    return y, scores, groups


@pytest.fixture
def explorer(audit):
    y, scores, groups = audit
    return explore_operating_point(y, scores, groups, definition="equal opportunity")


def test_the_default_view_is_the_first_model_at_one_half(audit, explorer):
    y, scores, groups = audit
    view = explorer.view
    pred = (scores["baseline"] >= 0.5).astype(int)
    report = group_report(y, pred, groups, zero_division=0.0)
    for group in report.index:
        for col, rate in (("approved", "selection_rate"), ("tpr", "tpr"), ("fpr", "fpr")):
            assert view.table.loc[group, col] == pytest.approx(report.loc[group, rate], abs=0.005)
    assert view.table.loc["everyone", "accuracy"] == pytest.approx(np.mean(pred == y), abs=0.005)
    assert view.table.attrs["gap"] == pytest.approx(
        disparity(y, pred, groups, metric="equal_opportunity"))
    assert view.figure is not None and view._repr_png_()[:4] == b"\x89PNG"
    assert "equal opportunity gap" in view.note


def test_a_higher_threshold_approves_fewer_in_every_group(explorer):
    low = explorer.set(threshold=0.3).table.copy()
    high = explorer.set(threshold=0.7).table
    for col in ("approved", "tpr", "fpr"):
        assert (high[col] <= low[col]).all() and high.loc["everyone", col] < low.loc["everyone",
                                                                                      col]


def test_definition_and_model_controls_change_the_gap(audit, explorer):
    y, scores, groups = audit
    explorer.set(threshold=0.5)
    for definition, metric in (("demographic parity", "demographic_parity"),
                               ("equalized odds", "equalized_odds")):
        view = explorer.set(definition=definition)
        pred = (scores["baseline"] >= 0.5).astype(int)
        assert view.table.attrs["gap"] == pytest.approx(disparity(y, pred, groups, metric=metric))
        assert definition in view.note
    base = explorer.view.table.copy()
    fair = explorer.set(model="fairness penalty").table
    assert not base.equals(fair)
    assert fair.loc["everyone", "approved"] > base.loc["everyone", "approved"]  # shifted scores


def test_updates_are_fast(explorer, capsys):
    start = time.perf_counter()
    for t in (0.3, 0.4, 0.6, 0.7):
        explorer.set(threshold=t)
    per_update = (time.perf_counter() - start) / 4
    with capsys.disabled():
        print(f"\noperating-point explorer: {per_update * 1000:.0f} ms per update")


def test_bad_input_is_named(audit):
    y, scores, groups = audit
    with pytest.raises(ValueError, match="scores must map"):
        explore_operating_point(y, {}, groups)
    with pytest.raises(ValueError, match=r"scores\['short'\]"):
        explore_operating_point(y, {"short": scores["baseline"][:10]}, groups)
    with pytest.raises(ValueError, match="definition"):
        explore_operating_point(y, scores, groups, definition="predictive parity")
