"""Notebook 01's exercises beyond tests/test_exercises.py's generic checks; MatchingProblem."""

import pytest

from course_lib.exercises import ____
from course_lib.exercises._core import CORRECT, NOT_YET, SUBMITTED, registry
from course_lib.exercises.sources import MatchingProblem

PROBLEMS = {pid: p for pid, p in registry().items() if pid.startswith("sources.")}



def test_the_notebook_has_three_auto_checked_exercises_and_a_reflection():
    assert sorted(PROBLEMS) == ["sources.q1", "sources.q2", "sources.q3", "sources.q4"]
    kinds = [type(p).__name__ for _, p in sorted(PROBLEMS.items())]
    assert kinds == ["ValueProblem", "ValueProblem", "MatchingProblem", "ReflectionProblem"]


def test_q1_feedback_names_the_wrong_denominator():
    p = PROBLEMS["sources.q1"]
    out = p.evaluate(p.namespace_for(p.wrong_code[1]))
    assert "divided by all of group B" in out.message


def test_q2_accepts_the_theoretical_fixed_point():
    assert PROBLEMS["sources.q2"].evaluate({"corrected_share": 0.15 / 0.40}).status == CORRECT
    out = PROBLEMS["sources.q2"].evaluate({"corrected_share": 0.625})
    assert out.status == NOT_YET and "region B's share" in out.message


def test_q4_reflection_shows_rubric_for_an_on_topic_answer():
    text = ("The labels are past decisions, so they may encode discrimination against some "
            "applicants; I would also count how many of each group there are and check whether "
            "postcode acts as a proxy for the protected attribute.")
    out = PROBLEMS["sources.q4"].evaluate({"answer_q4": text})
    assert out.status == SUBMITTED and "- [x]" in out.message and "- [ ]" in out.message


def _matching(**kw):
    base = dict(id="t.match", prompt="?", variables=("m",), hints=("h1", "h2"),
                solution_code='m = {"x": "cat", "y": "dog"}', choices=("cat", "dog", "Sea lion"),
                answers={"x": "cat", "y": "dog"}, why={"x": "it purrs.", "y": "it barks."},
                confusions={("y", "cat"): "cats do not fetch."})
    base.update(kw)
    return MatchingProblem(**base)


@pytest.mark.parametrize("value, status, text", [
    ({"x": "cat", "y": "dog"}, CORRECT, "all 2 cases matched"),
    ({"x": " CAT ", "y": "Dog"}, CORRECT, ""),
    ({"x": "dog", "y": "dog"}, NOT_YET, "1 of 2 right. Case 'x' is not 'dog': it purrs."),
    ({"x": "cat", "y": "cat"}, NOT_YET, "cats do not fetch"),
    ({"x": "cat", "y": "sealion"}, NOT_YET, "is not 'Sea lion': it barks"),
    ({"x": "cat", "y": "cow"}, NOT_YET, "'cow' is not one of the choices"),
    ({"x": "cat", "y": 3}, NOT_YET, "3 is not one of the choices"),
    ({"x": "cat"}, NOT_YET, "missing 'y'"),
    ({"x": "cat", "y": "dog", "z": "cat"}, NOT_YET, "unexpected 'z'"),
    ({"x": "cat", "y": ____}, NOT_YET, "replace the `____` for 'y'"),
    (["cat", "dog"], NOT_YET, "should be a dict"),
])
def test_matching_problem(value, status, text):
    out = _matching().evaluate({"m": value})
    assert out.status == status and text in out.message, out


def test_matching_problem_definitions_are_validated():
    with pytest.raises(ValueError, match="one of the choices"):
        _matching(answers={"x": "cat", "y": "horse"})
    with pytest.raises(ValueError, match="reason"):
        _matching(why={"x": "it purrs."})
    with pytest.raises(ValueError, match="unknown case or choice"):
        _matching(confusions={("z", "cat"): "?"})
    with pytest.raises(ValueError, match="exactly one answer variable"):
        _matching(variables=("m", "n"))
