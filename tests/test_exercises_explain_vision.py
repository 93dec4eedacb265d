"""Notebook 05's exercises: the computed problems follow the notebook's objects (every solution
and known wrong answer is run by tests/test_exercises.py)."""

import math

import pytest
import torch

from course_lib.exercises import ComputedValueProblem, ____
from course_lib.exercises._core import CORRECT, NOT_YET, SUBMITTED
from course_lib.exercises.explain_vision import q1, q2, q3, q4

PROBLEMS = {p.id: p for p in (q1, q2, q3, q4)}


def test_four_exercises_three_auto_checked():
    kinds = [type(p).__name__ for p in (q1, q2, q3, q4)]
    assert kinds == ["ComputedValueProblem", "MatchingProblem", "ComputedValueProblem",
                     "ReflectionProblem"]


def test_q1_gap_matches_completeness_gap_and_the_setup_model():
    ns = q1.namespace_for(q1.solution_code)
    gap = ns["completeness_gap"](ns["model"], ns["x_one"], ns["attributions"])
    assert math.isclose(ns["gap"], float(gap), rel_tol=1e-5, abs_tol=1e-6)
    # a different model changes the expected value: the check follows the notebook's objects
    torch.manual_seed(5)
    other = dict(ns, model=type(ns["model"])(channels=(4, 8), image_size=28, n_classes=10))
    assert q1.evaluate(other).status == NOT_YET


def test_q1_names_the_steps_and_the_quadrature():
    # the gap is the midpoint rule's error: 64 steps (the default) give another value, and 0 (the
    # exact integral's gap) is not what 32 steps give
    assert "64 steps" in q1.evaluate(q1.namespace_for(q1.wrong_code[3])).message
    assert "exact integral" in q1.evaluate(q1.namespace_for(q1.wrong_code[4])).message


def test_q1_needs_the_notebook_objects():
    out = q1.evaluate({"gap": 0.1})
    assert out.status == NOT_YET and "run the notebook's cells above" in out.message


def test_q3_answer_is_in_the_grid_and_actually_flips():
    ns = q3.namespace_for(q3.solution_code)
    eps = ns["smallest_eps"]
    assert 0 < eps <= 0.3
    model, x, y = ns["model"], ns["x_one"], ns["y_one"]
    with torch.no_grad():
        assert model(ns["fgsm"](model, x, y, eps)).argmax(1).item() != y
        assert model(ns["fgsm"](model, x, y, round(eps - 0.01, 2))).argmax(1).item() == y


def test_q2_confusion_feedback():
    out = q2.evaluate(q2.namespace_for(q2.wrong_code[0]))
    assert "keeps the digit's shape" in out.message or "image" in out.message


def test_q4_reflection_rubric():
    text = ("A heat map can look plausible even for a model with random weights, so I would ask "
            "for sanity checks, and for accuracy on scans from another hospital with the scanner "
            "tag hidden, since the model may use that shortcut; and for robustness to attacks.")
    out = q4.evaluate({"answer_q4": text})
    assert out.status == SUBMITTED and "- [x]" in out.message


def test_computed_problem_validation():
    with pytest.raises(ValueError, match="needs context and expected"):
        ComputedValueProblem(id="t", prompt="?", variables=("a",), hints=("h",),
                             solution_code="a = 1")
    p = ComputedValueProblem(id="t", prompt="?", variables=("a",), hints=("h",),
                             solution_code="a = 1", context=("k",), expected=lambda k: 2 * k)
    assert p.evaluate({"a": 4, "k": 2}).status == CORRECT
    assert p.evaluate({"a": ____, "k": 2}).status == NOT_YET
    assert "one number" in p.evaluate({"a": torch.ones(2), "k": 2}).message
