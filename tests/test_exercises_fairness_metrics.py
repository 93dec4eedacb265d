"""Notebook 03's exercises beyond the generic checks of tests/test_exercises.py."""

import pytest

from course_lib.exercises import registry
from course_lib.exercises._core import CORRECT, NOT_YET
from course_lib.exercises.fairness_metrics import q1, q2, q3, q4

PROBLEMS = {p.id: p for p in (q1, q2, q3, q4)}
PICKS = {"screening": "equal opportunity", "sentencing": "equalized odds",
         "hiring": "demographic parity", "lending": "equal opportunity",
         "advertising": "demographic parity"}


def test_registered_with_the_notebook_prefix():
    assert sorted(PROBLEMS) == [f"fairness_metrics.q{i}" for i in range(1, 5)]
    for pid, problem in PROBLEMS.items():
        assert registry()[pid] is problem


def test_q2_is_equal_opportunity_on_the_advantaged_outcome():
    """Hardt et al.: rated low risk among those who did not reoffend, i.e. the FPR gap."""
    assert q2._value("expected", q2.expected) == pytest.approx(0.214, abs=0.002)
    ns = q2.namespace_for("r = group_report(recid, higher_risk, race, zero_division=np.nan)\n"
                          "eo_gap = r['fpr'].max() - r['fpr'].min()")
    assert q2.evaluate(ns).status == CORRECT  # the same number, computed as the FPR gap
    harmful = q2.evaluate(q2.namespace_for(
        "eo_gap = equal_opportunity_difference(recid, higher_risk, race)"))
    assert harmful.status == NOT_YET and "harmful" in harmful.message


@pytest.mark.parametrize("sentencing", ["equalized odds", "calibration", "predictive parity"])
def test_q4_accepts_both_defensible_picks_for_sentencing(sentencing):
    out = q4.evaluate({**PICKS, "sentencing": sentencing})
    assert out.status == CORRECT, out.message
    # the praise names the trade-off either way
    assert "gives up calibration" in out.message and "false positives" in out.message


@pytest.mark.parametrize("sentencing", ["demographic parity", "equal opportunity"])
def test_q4_explains_an_indefensible_sentencing_pick(sentencing):
    out = q4.evaluate({**PICKS, "sentencing": sentencing})
    assert out.status == NOT_YET
    assert "equalized odds" in out.message and "calibration" in out.message


def test_q4_hiring_feedback_calls_four_fifths_a_rule_of_thumb():
    out = q4.evaluate({**PICKS, "hiring": "equal opportunity"})
    assert out.status == NOT_YET
    assert "rule of thumb" in out.message and "legal yardstick" not in out.message
