"""Notebook 02's exercises beyond the generic checks of tests/test_exercises.py."""

import warnings

import numpy as np
import pytest

from course_lib.exercises import registry
from course_lib.exercises._core import CORRECT, NOT_YET
from course_lib.exercises.case_studies import false_positive_rates, q1, q2, q3, q4, q5, q6
from course_lib.fairness import group_report

PROBLEMS = {p.id: p for p in (q1, q2, q3, q4, q5, q6)}


def test_registered_with_the_notebook_prefix():
    assert sorted(PROBLEMS) == [f"case_studies.q{i}" for i in range(1, 7)]
    for pid, problem in PROBLEMS.items():
        assert registry()[pid] is problem


def test_expected_values_match_the_published_numbers():
    assert q2._value("expected", q2.expected) == pytest.approx(1.19479, abs=5e-5)
    assert q6._value("expected", q6.expected) == pytest.approx(34.7 / 0.3)
    forced = q3._value("expected", q3.expected)
    assert 0.2345 < forced < 0.4485  # between white's actual FPR and Black defendants' FPR


def test_q1_recomputes_propublicas_fpr_on_compas():
    from course_lib.data import load_compas

    compas = load_compas()
    two = compas[compas["race"].isin(["African-American", "Caucasian"])]
    ns = q1.namespace_for(q1.solution_code)
    mine = ns["false_positive_rates"](two["two_year_recid"], (two["score_text"] != "Low")
                                      .astype(int), two["race"].astype(str))
    assert mine["African-American"] == pytest.approx(805 / 1795)
    assert mine["Caucasian"] == pytest.approx(0.2345, abs=5e-4)  # published 23.5%


def test_q1_reference_is_group_reports_fpr():
    rng = np.random.default_rng(1)
    y, p, g = rng.integers(0, 2, 300), rng.integers(0, 2, 300), rng.choice(["a", "b"], 300)
    ref = false_positive_rates(y, p, g)
    assert ref == pytest.approx(group_report(y, p, g)["fpr"].to_dict())


@pytest.mark.parametrize("i, case", [(0, "two groups"), (1, "two groups"), (2, "two groups"),
                                     (3, "a group with no negatives"), (4, "zero_division=1")])
def test_q1_each_catalogued_mistake_names_its_case_and_the_slip(i, case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unguarded 0/0 warns in numpy
        out = q1.evaluate(q1.namespace_for(q1.wrong_code[i]))
    assert out.status == NOT_YET and f"case {case!r}" in out.message
    assert "not what we expected" not in out.message


@pytest.mark.parametrize("answer, text", [("women_ratio = 119.479", "times 100"),
                                          ("women_ratio = 19.479", "increase in percent"),
                                          ("women_ratio = 1.19", "rounded")])
def test_q2_names_the_percentage_slips(answer, text):
    """The review's x100 on this exercise now gets feedback that names it."""
    out = q2.evaluate(q2.namespace_for(answer))
    assert out.status == NOT_YET and text in out.message


def test_q6_hints_do_not_hand_over_the_numbers():
    for hint in q6.hints:
        assert "34.7" not in hint and "0.3" not in hint


@pytest.mark.parametrize("policy", ["one threshold", "group thresholds", "no score"])
def test_q4_accepts_each_defensible_policy_with_its_cost(policy):
    out = q4.evaluate({"policy": policy})
    assert out.status == CORRECT and "costs" in out.message


def test_q4_explains_why_removing_race_changes_nothing():
    out = q4.evaluate({"policy": "Remove race"})
    assert out.status == NOT_YET and "does not ask for race" in out.message


def test_q5_has_a_discussion_prompt_for_pairs():
    assert "pairs" in q5.discussion


def test_an_unknown_value_gets_generic_feedback():
    out = q6.evaluate({"ibm_ratio": 7.0})
    assert out.status == NOT_YET and "not what we expected" in out.message
