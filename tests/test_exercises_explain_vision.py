"""Notebook 05's exercises: the computed problems follow the notebook's objects (every solution
and known wrong answer is run by tests/test_exercises.py); q3's FGSM step is checked against
course_lib's ``fgsm``, which tests/test_explain_adversarial.py checks against captum."""

import math

import numpy as np
import pytest
import torch

from course_lib.exercises import ComputedValueProblem, ____
from course_lib.exercises._core import CORRECT, GENERIC, NOT_YET, SUBMITTED
from course_lib.exercises.explain_vision import (
    _COARSE,
    _smallest_eps,
    fgsm_step_reference,
    q1,
    q2,
    q3,
    q4,
    q5,
)
from course_lib.explain import fgsm
from course_lib.explain._adversarial import _loss_grad
from course_lib.models import CNN

PROBLEMS = (q1, q2, q3, q4, q5)


def test_five_exercises_in_notebook_order():
    kinds = [type(p).__name__ for p in PROBLEMS]
    assert kinds == ["ComputedValueProblem", "DecisionProblem", "FunctionProblem",
                     "ComputedValueProblem", "ReflectionProblem"]
    assert [p.id for p in PROBLEMS] == [f"explain_vision.q{i}" for i in range(1, 6)]


def test_q1_gap_matches_completeness_gap_and_the_setup_model():
    ns = q1.namespace_for(q1.solution_code)
    gap = ns["completeness_gap"](ns["model"], ns["x_one"], ns["attributions"])
    assert math.isclose(ns["gap"], float(gap), rel_tol=1e-5, abs_tol=1e-6)
    # a different model changes the expected value: the check follows the notebook's objects
    torch.manual_seed(5)
    other = dict(ns, model=type(ns["model"])(channels=(4, 8), image_size=28, n_classes=10))
    assert q1.evaluate(other).status == NOT_YET


def test_q1_names_the_steps_and_the_quadrature():
    # the review's slip: 64 steps (the default) instead of 32 gets named feedback
    assert "64 steps" in q1.evaluate(q1.namespace_for(q1.wrong_code[3])).message
    assert "exact integral" in q1.evaluate(q1.namespace_for(q1.wrong_code[4])).message


def test_q1_needs_the_notebook_objects():
    out = q1.evaluate({"gap": 0.1})
    assert out.status == NOT_YET and "run the notebook's cells above" in out.message


def test_q2_accepts_every_method_that_passes_the_sanity_checks():
    for method in ("saliency", "SmoothGrad", "Grad-CAM", "grad-cam", " smoothgrad "):
        out = q2.evaluate({"method": method})
        assert out.status == CORRECT and "trade-off" in out.message and "Also defensible" in \
            out.message
    for method, why in (("gradient × input", "0.9"), ("integrated gradients", "baseline")):
        out = q2.evaluate({"method": method})
        assert out.status == NOT_YET and why in out.message


def test_q3_reference_is_course_libs_fgsm_step():
    torch.manual_seed(0)
    model = CNN(channels=(4, 8), image_size=28, n_classes=10).eval()
    x = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    y = torch.tensor([1, 4, 7])
    grad = _loss_grad(model, x, y)
    for eps in (0.0, 0.03, 0.3):
        ours = fgsm_step_reference(x.double().numpy(), grad.double().numpy(), eps)
        np.testing.assert_allclose(ours, fgsm(model, x, y, eps).numpy(), atol=1e-6)


def test_q3_every_catalogued_mistake_is_named_with_its_case():
    expected_case = ["mixed signs", "mixed signs", "pixels at the edge of the range",
                     "mixed signs", "a zero gradient", "images in [−1, 1]"]
    words = ["*sign*", "lowers", "valid range", "change", "sign(0)", "low"]
    for code, case, word in zip(q3.wrong_code, expected_case, words, strict=False):
        out = q3.evaluate(q3.namespace_for(code))
        assert out.status == NOT_YET and f"case {case!r}" in out.message, out.message
        assert word in out.message and GENERIC not in out.message, out.message


def test_q3_the_reference_and_a_torch_answer_pass():
    assert q3.evaluate(q3.namespace_for(q3.solution_code)).status == CORRECT
    torch_answer = ("import torch\n\ndef fgsm_step(x, grad, epsilon, low=0.0, high=1.0):\n"
                    "    x, g = torch.as_tensor(x), torch.as_tensor(grad)\n"
                    "    return torch.clamp(x + epsilon * torch.sign(g), low, high)\n")
    assert q3.evaluate(q3.namespace_for(torch_answer)).status == CORRECT


def test_q4_answer_is_in_the_grid_and_actually_flips():
    ns = q4.namespace_for(q4.solution_code)
    eps = ns["smallest_eps"]
    assert 0 < eps <= 0.3
    model, x, y = ns["model"], ns["x_one"], ns["y_one"]
    with torch.no_grad():
        assert model(fgsm(model, x, y, eps)).argmax(1).item() != y
        assert model(fgsm(model, x, y, round(eps - 0.002, 3))).argmax(1).item() == y


def test_q4_pgd_for_fgsm_does_not_pass_and_is_named():
    # the review's false pass: PGD's smallest ε is an answer to another question
    ns = q4.namespace_for("")
    objs = ns["model"], ns["x_one"], ns["y_one"]
    assert _smallest_eps(*objs, attack="pgd") < _smallest_eps(*objs)
    assert _smallest_eps(*objs, epsilons=_COARSE) != _smallest_eps(*objs)
    out = q4.evaluate(q4.namespace_for(q4.wrong_code[2]))
    assert out.status == NOT_YET and "PGD" in out.message


def test_q4_batched_fgsm_equals_fgsm_called_per_epsilon():
    ns = q4.namespace_for("")
    model, x, y = ns["model"], ns["x_one"], ns["y_one"]
    grid = tuple(round(0.004 * k, 3) for k in range(16))
    first = next((e for e in grid
                  if int(model(fgsm(model, x, y, e)).argmax(1)) != y), math.nan)
    assert _smallest_eps(model, x, y, grid) == first


def test_q5_reflection_rubric_and_discussion():
    text = ("A heat map can look plausible even for a model with random weights, so I would ask "
            "for sanity checks, and for accuracy on scans from another hospital with the scanner "
            "tag hidden, since the model may use that shortcut; and for robustness to attacks.")
    out = q5.evaluate({"answer_q5": text})
    assert out.status == SUBMITTED and "- [ ]" in out.message and "model answer" in out.message
    assert "In pairs" in q5.discussion


def test_computed_problem_validation():
    with pytest.raises(ValueError, match="needs context and expected"):
        ComputedValueProblem(id="t", prompt="?", variables=("a",), hints=("h",),
                             solution_code="a = 1")
    p = ComputedValueProblem(id="t", prompt="?", variables=("a",), hints=("h",),
                             solution_code="a = 1", context=("k",), expected=lambda k: 2 * k)
    assert p.evaluate({"a": 4, "k": 2}).status == CORRECT
    assert p.evaluate({"a": ____, "k": 2}).status == NOT_YET
    assert "one number" in p.evaluate({"a": torch.ones(2), "k": 2}).message
