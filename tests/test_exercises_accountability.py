"""Notebook 10's exercises, beyond the generic checks tests/test_exercises.py runs on every module
in NOTEBOOK_MODULES: the problem kind new here, DatasheetProblem, and q3 computed from the
notebook's own model."""

import numpy as np
import pytest

from course_lib.exercises import ____
from course_lib.exercises._core import CORRECT, NOT_YET, SUBMITTED, registry
from course_lib.exercises.accountability import (
    DatasheetProblem,
    q1,
    q2,
    q3,
)
from course_lib.reporting import TIERS, scenarios

q_sheet, q_review = q1, q3
PROBLEMS = {pid: p for pid, p in registry().items() if pid.startswith("accountability.")}


def test_the_notebook_has_three_auto_checked_exercises_and_a_reflection():
    assert sorted(PROBLEMS) == [f"accountability.q{i}" for i in range(1, 5)]
    kinds = [type(p).__name__ for _, p in sorted(PROBLEMS.items())]
    assert kinds == ["DatasheetProblem", "MatchingProblem", "ComputedValueProblem",
                     "ReflectionProblem"]


def test_q3_follows_the_notebooks_own_probabilities():
    rng = np.random.default_rng(3)
    prob = rng.random(1000)
    expected = float(np.mean(np.abs(prob - 0.5) < 0.2))
    assert q_review.evaluate({"approval_prob": prob, "review_share": expected}).status == CORRECT
    wrong = q_review.evaluate({"approval_prob": prob, "review_share": 1000 * expected})
    assert wrong.status == NOT_YET and "number of applicants" in wrong.message
    pct = q_review.evaluate({"approval_prob": prob, "review_share": 100 * expected})
    assert "percentage" in pct.message
    missing = q_review.evaluate({"review_share": 0.4})
    assert missing.status == NOT_YET and "`approval_prob` is not defined" in missing.message


def test_q2_covers_the_ten_scenarios_with_every_tier():
    assert set(q2.answers) == set(scenarios())
    assert set(q2.answers.values()) == set(TIERS) and set(q2.choices) == set(TIERS)
    out = q2.evaluate({"tiers": {**q2.answers, "card_fraud": "High"}})
    assert out.status == NOT_YET and "excludes fraud detection" in out.message
    out = q2.evaluate({"tiers": {**q2.answers, "call_centre_emotions": "high"}})
    assert "Art. 5(1)(f)" in out.message


@pytest.mark.parametrize("replace, text", [
    ("{len(lending)} rows", "how many rows"),
    ('"default: 1 if', "name the target column"),
])
def test_q1_feedback_names_the_fact_that_is_wrong(replace, text):
    code = q_sheet.solution_code.replace(replace, {"{len(lending)} rows": "12 rows",
                                              '"default: 1 if': '"y: 1 if'}[replace])
    out = q_sheet.evaluate(q_sheet.namespace_for(code))
    assert out.status == NOT_YET and text in out.message


def test_q1_counts_open_questions_and_accepts_thousands_separators():
    out = q_sheet.evaluate(q_sheet.namespace_for('sheet = Datasheet("x")'))
    assert "15 question(s) still have no answer" in out.message and "and 12 more" in out.message
    code = q_sheet.solution_code.replace("{len(lending)} rows", "{len(lending):,} rows")
    assert q_sheet.evaluate(q_sheet.namespace_for(code)).status == CORRECT
    assert q_sheet.evaluate({"sheet": ____, "lending": []}).status == NOT_YET
    assert "`lending` is not defined" in q_sheet.evaluate({"sheet": 1}).message


def test_datasheet_problem_definition_is_validated():
    with pytest.raises(ValueError, match="label"):
        DatasheetProblem(id="t.s", prompt="?", variables=("s",), hints=("a", "b"),
                         solution_code="", inputs=("df",))


def test_q4_reflection_shows_the_rubric_for_an_on_topic_answer():
    text = ("Reviewers might just rubber-stamp the model's score because of automation bias, "
            "and if the band is wide the workload means reviews are rushed; I would compare "
            "overturn rates by group and check who appeals at all.")
    out = PROBLEMS["accountability.q4"].evaluate({"answer_q4": text})
    assert out.status == SUBMITTED and "- [x]" in out.message
