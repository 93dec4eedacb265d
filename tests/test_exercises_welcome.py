"""Notebook 00's exercises beyond tests/test_exercises.py's generic checks: the slips the
learner review found getting the generic reply."""

import pytest

from course_lib.exercises._core import CORRECT, GENERIC, NOT_YET, SUBMITTED, registry
from course_lib.exercises.welcome import _compas_column

PROBLEMS = {pid: p for pid, p in registry().items() if pid.startswith("welcome.")}


@pytest.fixture(scope="module")
def rate():
    return _compas_column("two_year_recid", "mean")


@pytest.mark.parametrize("factor, says", [(100, "percentage"), (1, "")])
def test_q2_a_percentage_is_named_not_generic(rate, factor, says):
    out = PROBLEMS["welcome.q2"].evaluate({"recid_rate": rate * factor})
    assert out.status == (CORRECT if factor == 1 else NOT_YET) and says in out.message


def test_q2_the_reviews_slip_45_07_is_named_as_a_percentage(rate):
    assert round(rate * 100, 2) == 45.07
    out = PROBLEMS["welcome.q2"].evaluate({"recid_rate": 45.07})
    assert out.status == NOT_YET and "percentage" in out.message and GENERIC not in out.message


@pytest.mark.parametrize("typed", [0.45, 0.5])
def test_q2_a_value_typed_rounded_is_told_to_compute_it(typed):
    out = PROBLEMS["welcome.q2"].evaluate({"recid_rate": typed})
    assert out.status == NOT_YET and "rounded" in out.message


def test_q1_a_one_day_figure_and_the_whole_error_rate_are_named():
    p = PROBLEMS["welcome.q1"]
    assert "one day" in p.evaluate({"extra_rejections_per_year": 1_200}).message
    assert "only the gap" in p.evaluate({"extra_rejections_per_year": 562_500}).message


def test_q3_a_keyword_list_is_not_an_answer_and_a_real_one_gets_the_checklist():
    p = PROBLEMS["welcome.q3"]
    keywords = p.evaluate({"answer_q3": "feedback loop accountability contest second opinion"})
    assert keywords.status == NOT_YET
    text = ("Every lender that licenses the model rejects the same person for the same reason, "
            "so there is no second opinion to turn to; the applicant cannot see why and has "
            "nobody who decided to appeal to, and the lender never learns that they would have "
            "repaid.")
    out = p.evaluate({"answer_q3": text})
    assert out.status == SUBMITTED and "points" not in out.message.split("\n")[0]
    assert out.message.count("- [ ]") == len(p.rubric) and p.discussion
