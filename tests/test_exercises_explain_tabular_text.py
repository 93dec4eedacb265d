"""Notebook 06's exercises: each reference solution passes, each known wrong answer fails."""

from __future__ import annotations

import pytest

from course_lib.exercises._core import CORRECT, NOT_YET, SUBMITTED
from course_lib.exercises.explain_tabular_text import q1, q2, q3, q4

PROBLEMS = (q1, q2, q3, q4)


def test_three_auto_checked_exercises_and_a_reflection():
    kinds = [type(p).__name__ for p in PROBLEMS]
    assert kinds == ["ValueProblem", "MatchingProblem", "ValueProblem", "ReflectionProblem"]
    assert [p.id for p in PROBLEMS] == [f"explain_tabular_text.q{i}" for i in range(1, 5)]


def test_q1_is_local_accuracy_of_the_shapley_values():
    ns = q1.namespace_for(q1.solution_code)
    p = ns["logreg"].predict_proba(ns["applicant"][None])[0, 0]
    assert ns["p_repay"] == pytest.approx(p, rel=1e-9)  # efficiency: base + Σφ = f(x)
    assert ns["p_repay"] < 0.5  # the applicant is rejected
    out = q1.evaluate(q1.namespace_for(q1.wrong_code[0]))
    assert "log-odds" in out.message


def test_q2_explains_the_confusion():
    out = q2.evaluate(q2.namespace_for(q2.wrong_code[0]))
    assert out.status == NOT_YET and "local_pred" in out.message
    assert q2.evaluate(q2.namespace_for(q2.solution_code)).status == CORRECT


def test_q3_feedback_names_the_units():
    assert "different units" in q3.evaluate(q3.namespace_for(q3.wrong_code[0])).message
    assert "0.10, not 10" in q3.evaluate(q3.namespace_for(q3.wrong_code[1])).message


def test_q4_reflection_ticks_rubric_points():
    text = ("I would tell the applicant the reasons: the debt-to-income ratio is too high and "
            "there are too many late payments, and that they can appeal to a human reviewer. "
            "These explanations depend on the background data and are approximations.")
    out = q4.evaluate({"answer_q4": text})
    assert out.status == SUBMITTED and "- [x]" in out.message and "- [ ]" in out.message
