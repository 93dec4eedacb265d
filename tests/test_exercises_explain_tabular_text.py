"""Notebook 06's exercises: each reference solution passes, each known wrong answer fails."""

from __future__ import annotations

import itertools

import pytest

from course_lib.exercises._core import CORRECT, GENERIC, NOT_YET, SUBMITTED
from course_lib.exercises._function import same
from course_lib.exercises.explain_tabular_text import (
    Game,
    q1,
    q2,
    q3,
    q4,
    q5,
    reference_shapley,
)

PROBLEMS = (q1, q2, q3, q4, q5)


def test_five_exercises_in_notebook_order():
    kinds = [type(p).__name__ for p in PROBLEMS]
    assert kinds == ["FunctionProblem", "ValueProblem", "MatchingProblem", "ValueProblem",
                     "ReflectionProblem"]
    assert [p.id for p in PROBLEMS] == [f"explain_tabular_text.q{i}" for i in range(1, 6)]
    assert all(len(p.hints) == 3 for p in PROBLEMS)


# -- q1: Shapley values by enumeration -------------------------------------------------------

def _by_permutations(f, x, baseline):
    """The definition over orderings: φ_i = mean over the d! orders of what adding i changes."""
    d = len(x)
    phi = [0.0] * d
    orders = list(itertools.permutations(range(d)))
    for order in orders:
        z = list(baseline)
        for i in order:
            before = f(z)
            z[i] = x[i]
            phi[i] += (f(z) - before) / len(orders)
    return phi


@pytest.mark.parametrize("case", q1.cases, ids=lambda c: c.label)
def test_q1_reference_is_the_shapley_definition_and_efficient(case):
    f, x, baseline = case.args
    expected = reference_shapley(f, x, baseline)
    assert same(expected, _by_permutations(f, x, baseline))
    assert sum(expected) == pytest.approx(f(x) - f(baseline), abs=1e-12)  # efficiency


def test_q1_hidden_cases_include_the_edge_cases():
    labels = " ".join(c.label for c in q1.cases)
    assert "d = 1" in labels and "baseline" in labels and "dummy" in labels
    at_baseline = next(c for c in q1.cases if "x at the baseline" in c.label)
    assert at_baseline.expected == [0.0, 0.0, 0.0]


def test_q1_solution_passes_every_case():
    out = q1.evaluate(q1.namespace_for(q1.solution_code))
    assert out.status == CORRECT and f"all {len(q1.cases)} cases" in out.message


@pytest.mark.parametrize("code, words", [
    (q1.wrong_code[0], ("case 'additive", "wrong sign")),
    (q1.wrong_code[1], ("case 'three-way interaction", "unweighted mean")),
    (q1.wrong_code[2], ("case 'additive", "coalition size is missing")),
    (q1.wrong_code[3], ("case 'three-way interaction", "leave-one-out")),
    (q1.wrong_code[4], ("case 'three-way interaction", "alone against the baseline")),
])
def test_q1_each_catalogued_mistake_is_named_with_its_case(code, words):
    out = q1.evaluate(q1.namespace_for(code))
    assert out.status == NOT_YET and GENERIC not in out.message
    for w in words:
        assert w in out.message, out.message


def test_q1_learner_slips_get_clear_feedback():
    starter = ("def shapley_values(f, x, baseline):\n    d = len(x)\n"
               "    from course_lib.exercises import ____\n    return ____\n")
    assert "still returns `____`" in q1.evaluate(q1.namespace_for(starter)).message
    scalar = "def shapley_values(f, x, baseline):\n    return f(x) - f(baseline)\n"
    out = q1.evaluate(q1.namespace_for(scalar))
    assert out.status == NOT_YET and "same kind of value" in out.message
    crash = "def shapley_values(f, x, baseline):\n    return [1 / 0]\n"
    assert "ZeroDivisionError" in q1.evaluate(q1.namespace_for(crash)).message


def test_q1_games_show_their_formula():
    g = Game("x0 + x1", lambda z: z[0] + z[1])
    assert repr(g) == "x0 + x1" and g([1, 2]) == 3.0


# -- q2 to q5 ------------------------------------------------------------------------------

def test_q2_is_local_accuracy_of_the_shapley_values():
    ns = q2.namespace_for(q2.solution_code)
    p = ns["logreg"].predict_proba(ns["applicant"][None])[0, 0]
    assert ns["p_repay"] == pytest.approx(p, rel=1e-9)  # efficiency: base + Σφ = f(x)
    assert ns["p_repay"] < 0.5  # the applicant is rejected
    assert "log-odds" in q2.evaluate(q2.namespace_for(q2.wrong_code[0])).message
    assert "rounded" in q2.evaluate(q2.namespace_for(q2.wrong_code[3])).message


def test_q3_explains_the_confusion():
    out = q3.evaluate(q3.namespace_for(q3.wrong_code[0]))
    assert out.status == NOT_YET and "local_pred" in out.message
    assert q3.evaluate(q3.namespace_for(q3.solution_code)).status == CORRECT


def test_q4_feedback_names_the_units_and_the_swap():
    ns = q4.namespace_for(q4.solution_code)
    i, j = ns["features"].index("debt_to_income"), ns["features"].index("credit_history_years")
    assert ns["plan_cost"] == pytest.approx(0.10 / ns["scale"][i] + 1.0 / ns["scale"][j])
    messages = [q4.evaluate(q4.namespace_for(c)).message for c in q4.wrong_code]
    assert "different units" in messages[0] and "0.10, not 10" in messages[1]
    assert "Euclidean" in messages[2] and "other feature's spread" in messages[3]


def test_q5_reflection_shows_a_checklist_and_a_discussion_prompt():
    text = ("I would tell the applicant the reasons: the debt-to-income ratio is too high and "
            "there are too many late payments, and that they can appeal to a human reviewer. "
            "These explanations depend on the background data and are approximations.")
    out = q5.evaluate({"answer_q5": text})
    assert out.status == SUBMITTED and "- [ ]" in out.message and "- [x]" not in out.message
    assert "A model answer" in out.message and q5.discussion
    for code in q5.wrong_code:
        assert q5.evaluate(q5.namespace_for(code)).status == NOT_YET, code


@pytest.mark.parametrize("p", PROBLEMS, ids=lambda p: p.id)
def test_hints_never_contain_the_solution(p):
    solution = " ".join(p.solution_code.split())
    assert all(solution not in " ".join(h.split()) for h in p.hints)
