"""Notebook 03's exercises beyond the generic checks of tests/test_exercises.py."""

import warnings

import numpy as np
import pytest

from course_lib.exercises import registry
from course_lib.exercises._core import CORRECT, NOT_YET
from course_lib.exercises.fairness_metrics import DEFINITIONS, q1, q2, q3, q4, q5, q6, tpr_gap
from course_lib.fairness import equal_opportunity_difference

PROBLEMS = {p.id: p for p in (q1, q2, q3, q4, q5, q6)}


def test_registered_with_the_notebook_prefix():
    assert sorted(PROBLEMS) == [f"fairness_metrics.q{i}" for i in range(1, 7)]
    for pid, problem in PROBLEMS.items():
        assert registry()[pid] is problem


def test_q1_names_the_value_typed_rounded_from_a_table():
    """The review's slip: 0.63 typed for 0.6316 gets "compute it", not the generic reply."""
    out = q1.evaluate(q1.namespace_for("low_risk_ratio = 0.63"))
    assert out.status == NOT_YET and "rounded to 2 decimals" in out.message


def test_q2_reference_is_course_libs_equal_opportunity_difference():
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 2, 500), rng.integers(0, 2, 500)
    g = rng.choice(["a", "b", "c"], 500)
    assert tpr_gap(y, p, g) == pytest.approx(equal_opportunity_difference(y, p, g), abs=1e-12)


@pytest.mark.parametrize("code, case", [
    (q2.wrong_code[0], "two groups"), (q2.wrong_code[1], "two groups"),
    (q2.wrong_code[2], "a group with no positives"),
    (q2.wrong_code[3], "a group with no positives"), (q2.wrong_code[4], "three groups"),
])
def test_q2_each_catalogued_mistake_names_its_case_and_the_slip(code, case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unguarded 0/0 warns in numpy
        out = q2.evaluate(q2.namespace_for(code))
    assert out.status == NOT_YET and f"case {case!r}" in out.message
    assert "not what we expected" not in out.message


def test_q2_a_learner_who_ignores_the_zero_division_argument_is_told():
    code = ("import numpy as np\n"
            "def equal_opportunity_gap(y_true, y_pred, groups, zero_division=0.0):\n"
            "    y, p, g = map(np.asarray, (y_true, y_pred, groups))\n"
            "    r = [p[(g == k) & (y == 1)].mean() if ((g == k) & (y == 1)).any() else 0.0\n"
            "         for k in np.unique(g)]\n"
            "    return float(max(r) - min(r))\n")
    out = q2.evaluate(q2.namespace_for(code))
    assert out.status == NOT_YET and "'zero_division=1'" in out.message
    assert "use the argument" in out.message


def test_q3_is_not_the_number_printed_above_it():
    """The notebook prints 0.214 (Medium or High); q3's cut is High only."""
    expected = q3._value("expected", q3.expected)
    assert expected == pytest.approx(0.104, abs=0.002)
    out = q3.evaluate(q3.namespace_for(
        "eo_gap_high = equal_opportunity_difference(1 - recid, 1 - higher_risk, race)"))
    assert out.status == NOT_YET and "Medium-or-High" in out.message
    ns = q3.namespace_for('high = (two["score_text"] == "High").astype(int)\n'
                          "r = group_report(recid, high, race, zero_division=np.nan)\n"
                          "eo_gap_high = r['fpr'].max() - r['fpr'].min()")
    assert q3.evaluate(ns).status == CORRECT  # the same number, computed as the FPR gap


def test_q4_has_a_discussion_prompt_for_pairs():
    assert "pairs" in q4.discussion


def test_q5_hiring_accepts_demographic_parity_and_explains_the_others():
    assert q5.evaluate({"hiring": "Demographic-Parity"}).status == CORRECT
    for pick in DEFINITIONS[1:]:
        out = q5.evaluate({"hiring": pick})
        assert out.status == NOT_YET and "past hiring decision" in out.message


@pytest.mark.parametrize("pick", ["equal opportunity", "equalized odds", "calibration",
                                  "predictive parity"])
def test_q6_accepts_every_defensible_lending_pick_with_its_cost(pick):
    out = q6.evaluate({"lending": pick})
    assert out.status == CORRECT and "cost" in out.message
    assert "Also defensible" in out.message


def test_q6_refuses_demographic_parity_with_a_reason():
    out = q6.evaluate({"lending": "demographic parity"})
    assert out.status == NOT_YET and "repay" in out.message
