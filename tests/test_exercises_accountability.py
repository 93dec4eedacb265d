"""Notebook 10's exercises, beyond the generic checks tests/test_exercises.py runs on every module
in NOTEBOOK_MODULES: the problem kind new here, DatasheetProblem (which no longer passes
placeholders), and q3, the review band's workload by group written by the learner."""

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


def test_the_notebook_has_a_datasheet_a_matching_a_function_and_a_reflection():
    assert sorted(PROBLEMS) == [f"accountability.q{i}" for i in range(1, 6)]
    kinds = [type(p).__name__ for _, p in sorted(PROBLEMS.items())]
    assert kinds == ["DatasheetProblem", "MatchingProblem", "FunctionProblem",
                     "DecisionProblem", "ReflectionProblem"]


def test_q4_every_defensible_band_passes_with_its_trade_off():
    q4 = PROBLEMS["accountability.q4"]
    for choice in ("0.2-0.5", "0.3 0.7", "Appeals only"):
        out = q4.evaluate({"band_choice": choice})
        assert out.status == CORRECT and "trade-off" in out.message
        assert "Also defensible" in out.message
    out = q4.evaluate({"band_choice": "keep 0.4-0.6"})
    assert out.status == NOT_YET and "failure mode" in out.message
    assert "not one of the options" in q4.evaluate({"band_choice": "0.1"}).message


def _q3(body):
    return q_review.evaluate(q_review.namespace_for(
        "def review_share_by_group(scores, groups, lower, upper):\n"
        "    scores, groups = np.asarray(scores), np.asarray(groups)\n" + body))


def test_q3_reference_agrees_with_route_decisions_on_notebook_like_data():
    from course_lib.exercises.accountability import review_share_by_group
    from course_lib.reporting import review_summary, route_decisions

    rng = np.random.default_rng(3)
    prob, sex = rng.random(2000), np.where(rng.random(2000) < 0.4, "Female", "Male")
    y = (rng.random(2000) < prob).astype(int)
    got = review_share_by_group(prob, sex, 0.4, 0.6)
    summary = review_summary(y, prob, sex, band=0.1)
    for g in ("Female", "Male"):
        assert got[g] == pytest.approx(summary.loc[g, "share_reviewed"])
    got = review_share_by_group(prob, sex, 0.2, 0.5)
    routes = route_decisions(prob, threshold=0.35, band=0.15)
    assert got["Male"] == pytest.approx(np.mean(routes[sex == "Male"] == "human review"))
    assert q_review.evaluate(q_review.namespace_for(q_review.solution_code)).status == CORRECT


@pytest.mark.parametrize("body, case, words", [
    ("    inside = (scores >= lower) & (scores <= upper)\n"
     "    return {g: inside[groups == g].mean() for g in np.unique(groups)}",
     "edges", "band is open"),
    ("    inside = (scores > lower) & (scores < upper)\n"
     "    return {g: inside[groups == g].sum() / len(scores) for g in np.unique(groups)}",
     "two groups", "all applicants"),
    ("    inside = (scores > lower) & (scores < upper)\n"
     "    return {g: inside[groups == g].sum() / inside.sum() for g in np.unique(groups)}",
     "two groups", "*reviewed*"),
    ("    inside = np.abs(scores - 0.5) < (upper - lower) / 2\n"
     "    return {g: inside[groups == g].mean() for g in np.unique(groups)}",
     "below the threshold", "centred on 0.5"),
    ("    inside = (scores > lower) & (scores < upper)\n"
     "    return {g: inside[groups == g].mean() for g in np.unique(groups[inside])}",
     "below the threshold", "every group"),
])
def test_q3_each_mistake_names_its_case(body, case, words):
    out = _q3(body)
    assert out.status == NOT_YET and case in out.message and words in out.message, out.message
    assert "not what we expected" not in out.message


def test_q3_learner_state_and_a_wrong_type():
    assert q_review.evaluate({"review_share_by_group": ____}).status == NOT_YET
    out = q_review.evaluate({"review_share_by_group": 0.25})
    assert "def review_share_by_group" in out.message


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


def test_q1_placeholders_and_copied_answers_do_not_pass():
    # the learner review: every answer "not known yet" passed once three words appeared
    from course_lib.reporting import Datasheet

    ns = q_sheet.namespace_for("pass")
    ns["sheet"] = Datasheet("x", {q: "not known yet" for q in Datasheet.questions()})
    out = q_sheet.evaluate(ns)
    assert out.status == NOT_YET and "only say the answer is not known" in out.message
    ns["sheet"] = Datasheet("x", {q: "TBD, to be decided later" for q in Datasheet.questions()})
    assert "not known" in q_sheet.evaluate(ns).message
    same = "Synthetic loan data for teaching: 2000 rows, label default, nobody real."
    ns["sheet"] = Datasheet("x", {q: same for q in Datasheet.questions()})
    assert "15 questions have the same answer" in q_sheet.evaluate(ns).message
    # "unknown" with a reason is an answer
    code = q_sheet.solution_code.replace(
        '"The course maintainers, through the course\'s issue tracker."',
        '"Not known yet: the course has not named a maintainer; its authors decide in 2027."')
    assert code != q_sheet.solution_code
    assert q_sheet.evaluate(q_sheet.namespace_for(code)).status == CORRECT


def test_datasheet_problem_definition_is_validated():
    with pytest.raises(ValueError, match="label"):
        DatasheetProblem(id="t.s", prompt="?", variables=("s",), hints=("a", "b"),
                         solution_code="", inputs=("df",))


def test_q5_reflection_shows_the_rubric_for_an_on_topic_answer():
    text = ("Reviewers might just rubber-stamp the model's score because of automation bias, "
            "and if the band is wide the workload means reviews are rushed; I would compare "
            "overturn rates by group and check who appeals at all.")
    out = PROBLEMS["accountability.q5"].evaluate({"answer_q5": text})
    assert out.status == SUBMITTED and "- [ ]" in out.message
    assert PROBLEMS["accountability.q5"].discussion
