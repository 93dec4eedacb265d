"""Notebook 04's exercises beyond tests/test_exercises.py's generic checks: the reweighing
function against course_lib's, its hidden cases, and the threshold on the wrong split."""

import numpy as np
import pytest

from course_lib.exercises import ____
from course_lib.exercises._core import CORRECT, GENERIC, NOT_YET, SUBMITTED, registry
from course_lib.exercises.bias_mitigation import (
    _SCORER,
    _SETUP,
    _threshold_b,
    reweighing_weight_reference,
)
from course_lib.mitigation import group_thresholds, reweighing_weights
from course_lib.synth import make_hiring

PROBLEMS = {pid: p for pid, p in registry().items() if pid.startswith("bias_mitigation.")}


@pytest.fixture(scope="module")
def notebook():
    """The notebook's data and logistic-regression scores (section 4)."""
    ns = {}
    exec(_SETUP + _SCORER, ns)
    return ns


def test_the_exercises_are_a_function_a_reflection_a_value_and_a_matching():
    kinds = [type(PROBLEMS[f"bias_mitigation.q{i}"]).__name__ for i in range(1, 5)]
    assert kinds == ["FunctionProblem", "ReflectionProblem", "ComputedValueProblem",
                     "MatchingProblem"]


# -- q1: reweighing_weight ----------------------------------------------------------------------
def test_the_reference_is_course_libs_reweighing_on_every_cell_of_the_notebooks_data():
    df = make_hiring(4000, random_state=1, historical_penalty=0.5, proxy_strength=0.8)
    s, y = df["group"].to_numpy(), df["label"].to_numpy()
    rows = reweighing_weights(y, s)
    for a in ("A", "B"):
        for label in (0, 1):
            cell = (s == a) & (y == label)
            by_hand = (s == a).mean() * (y == label).mean() / cell.mean()
            assert reweighing_weight_reference(s, y, a, label) == pytest.approx(by_hand)
            assert np.allclose(rows[cell], by_hand)


def test_the_reference_gives_an_empty_cell_zero_without_a_warning():
    s, y = np.array(list("AAABB")), np.array([1, 0, 1, 0, 0])
    assert reweighing_weight_reference(s, y, "B", 1) == 0.0
    assert reweighing_weight_reference(s, y, "C", 0) == 0.0
    assert reweighing_weight_reference(s, y, "B", 0) == pytest.approx(0.4 * 0.6 / 0.4)


def test_q1_hidden_cases_include_an_empty_cell_and_a_missing_group():
    labels = [c.label for c in PROBLEMS["bias_mitigation.q1"].cases]
    assert any("empty cell" in x for x in labels) and any("no rows" in x for x in labels)


@pytest.mark.parametrize("index, says", [
    (0, "upside down"),
    (1, "hiring rate"),
    (2, "Guard the division"),
    (3, "you divided counts"),
    (4, "not swapped"),
])
def test_q1_each_wrong_implementation_fails_naming_the_case(index, says):
    p = PROBLEMS["bias_mitigation.q1"]
    out = p.evaluate(p.namespace_for(p.wrong_code[index]))
    assert out.status == NOT_YET and out.message.startswith("case ")
    assert says in out.message and GENERIC not in out.message


def test_q1_an_implementation_returning_inf_for_the_empty_cell_is_told_so():
    p = PROBLEMS["bias_mitigation.q1"]

    def no_guard(groups, labels, a, y):
        cell = ((groups == a) & (labels == y)).mean()
        return float("inf") if cell == 0 else reweighing_weight_reference(groups, labels, a, y)

    out = p.evaluate({"reweighing_weight": no_guard})
    assert out.status == NOT_YET and "an empty cell" in out.message and "0.0" in out.message


def test_q1_the_starter_returning_the_blank_is_not_yet():
    p = PROBLEMS["bias_mitigation.q1"]
    out = p.evaluate({"reweighing_weight": lambda *args: ____})
    assert out.status == NOT_YET and "still returns `____`" in out.message


# -- q3: the threshold for group B ------------------------------------------------------------
def test_q3_computed_on_the_test_set_does_not_pass_and_is_named(notebook):
    p = PROBLEMS["bias_mitigation.q3"]
    wrong = _threshold_b(notebook["test_df"], notebook["test_scores"])
    right = _threshold_b(notebook["audit_df"], notebook["audit_scores"])
    assert abs(wrong - right) > 2 * p.abs_tol  # outside the tolerance with room to spare
    out = p.evaluate({**notebook, "thr_b": wrong})
    assert out.status == NOT_YET and "test set" in out.message


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "nearest", "midpoint"])
def test_q3_accepts_every_quantile_method(notebook, method):
    df, sc = notebook["audit_df"], notebook["audit_scores"]
    qual, is_a = (df["qualified"] == 1).to_numpy(), (df["group"] == "A").to_numpy()
    tpr_a = (sc[qual & is_a] >= 0.5).mean()
    thr = np.quantile(sc[qual & ~is_a], 1 - tpr_a, method=method)
    assert PROBLEMS["bias_mitigation.q3"].evaluate({**notebook, "thr_b": thr}).status == CORRECT


def test_q3_the_answer_equalises_the_tpr_and_differs_from_group_thresholds(notebook):
    df, sc = notebook["audit_df"], notebook["audit_scores"]
    qual, is_a = (df["qualified"] == 1).to_numpy(), (df["group"] == "A").to_numpy()
    thr = _threshold_b(df, sc)
    tpr_a, tpr_b = (sc[qual & is_a] >= 0.5).mean(), (sc[qual & ~is_a] >= thr).mean()
    assert abs(tpr_a - tpr_b) <= 1 / (qual & ~is_a).sum()
    fitted = group_thresholds(df["qualified"], sc, df["group"])["B"]  # it also moves A's
    out = PROBLEMS["bias_mitigation.q3"].evaluate({**notebook, "thr_b": fitted})
    assert out.status == NOT_YET


def test_q3_asks_for_the_notebooks_objects_before_judging():
    out = PROBLEMS["bias_mitigation.q3"].evaluate({"thr_b": 0.2})
    assert out.status == NOT_YET and "run the notebook's cells above" in out.message


# -- q2: reflection -----------------------------------------------------------------------------
def test_q2_shows_a_checklist_and_has_a_discussion_prompt():
    p = PROBLEMS["bias_mitigation.q2"]
    out = p.evaluate(p.namespace_for(p.solution_code))
    assert out.status == SUBMITTED and out.message.count("- [ ]") == len(p.rubric)
    assert "pairs" in p.discussion
