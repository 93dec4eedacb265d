"""Notebook 01's exercises beyond tests/test_exercises.py's generic checks; MatchingProblem."""

import numpy as np
import pytest

from course_lib.exercises import ____, same
from course_lib.exercises._core import CORRECT, NOT_YET, SUBMITTED, registry
from course_lib.exercises.sources import MatchingProblem

PROBLEMS = {pid: p for pid, p in registry().items() if pid.startswith("sources.")}



def test_the_notebook_has_four_auto_checked_exercises_and_a_reflection():
    assert sorted(PROBLEMS) == [f"sources.q{i}" for i in range(1, 6)]
    kinds = [type(p).__name__ for _, p in sorted(PROBLEMS.items())]
    assert kinds == ["ComputedValueProblem", "FunctionProblem", "ValueProblem",
                     "MatchingProblem", "ReflectionProblem"]


def _run(pid, code):
    p = PROBLEMS[pid]
    return p.evaluate(p.namespace_for(code))


def test_q1_feedback_names_the_wrong_denominator():
    out = _run("sources.q1", PROBLEMS["sources.q1"].wrong_code[1])
    assert "divided by all of group B" in out.message


def test_q1_on_the_test_split_is_named_and_follows_the_notebooks_objects():
    p = PROBLEMS["sources.q1"]
    out = _run("sources.q1", 'qualified_b = hist_test[(hist_test["group"] == "B") & '
                             '(hist_test["qualified"] == 1)]\n'
                             'missed_qualified_b = (qualified_b["label"] == 0).mean()')
    assert out.status == NOT_YET and "`hist_test`" in out.message
    # the expected value comes from the learner's hist_train, not a number fixed in advance
    ns = p.namespace_for("hist_train, hist_test = hist_test, hist_train\n" + p.solution_code)
    assert p.evaluate(ns).status == CORRECT


def test_q1_typed_from_the_rounded_table_is_named():
    out = _run("sources.q1", "missed_qualified_b = 1 - 0.23 / 0.40")
    assert out.status == NOT_YET and "rounded to two decimals" in out.message


def _q2_fn(code):
    ns = PROBLEMS["sources.q2"].namespace_for(code)
    return ns["fpr_fnr_by_group"]


def test_q2_reference_matches_scikit_learns_confusion_matrix_per_group():
    from sklearn.metrics import confusion_matrix

    p = PROBLEMS["sources.q2"]
    mine = _q2_fn(p.solution_code)
    for case in p.cases:
        y_true, y_pred, group = (np.asarray(a) for a in case.args)
        got = mine(*case.args)
        for g in np.unique(group):
            tn, fp, fn, tp = confusion_matrix(y_true[group == g], y_pred[group == g],
                                              labels=[0, 1]).ravel()
            want = (fp / (fp + tn) if fp + tn else 0.0, fn / (fn + tp) if fn + tp else 0.0)
            assert got[g] == pytest.approx(want), (case.label, g)
        assert same(p.expected_for(case), got), case.label


def test_q2_hidden_cases_include_the_empty_denominators():
    labels = [c.label for c in PROBLEMS["sources.q2"].cases]
    assert any("no negatives" in x for x in labels) and any("no positives" in x for x in labels)


@pytest.mark.parametrize("code, case, text", [
    ("swapped", "two groups", "swapped"),
    ("per_group_size", "two groups", "divided the errors by the whole group"),
    ("by_prediction", "two groups", "false discovery rate"),
    ("nan", "a group with no negatives", "zero_division=0"),
    ("pooled", "two groups", "every group got the same rates"),
    ("one_fill", "a group with no negatives", "is 1.0 in your function"),
])
def test_q2_each_catalogued_wrong_implementation_names_its_case(code, case, text):
    from course_lib.exercises.sources import _Q2_WRONG

    out = _run("sources.q2", _Q2_WRONG[code][0])
    assert out.status == NOT_YET and f"case '{case}" in out.message and text in out.message, out


def test_q2_an_unguarded_division_is_told_the_convention():
    code = ("def fpr_fnr_by_group(y_true, y_pred, group):\n"
            "    out = {}\n"
            "    for g in sorted(set(group)):\n"
            "        rows = [(t, p) for t, p, h in zip(y_true, y_pred, group) if h == g]\n"
            "        neg = [p for t, p in rows if t == 0]\n"
            "        pos = [p for t, p in rows if t == 1]\n"
            "        out[g] = (sum(neg) / len(neg), (len(pos) - sum(pos)) / len(pos))\n"
            "    return out")
    out = _run("sources.q2", code)
    assert out.status == NOT_YET and "no negatives" in out.message and "ZeroDivisionError" in \
        out.message and "zero_division=0" in out.message


def test_q2_learner_state_says_the_function_still_returns_the_blank():
    out = _run("sources.q2", "from course_lib.exercises import ____\n"
                             "def fpr_fnr_by_group(y_true, y_pred, group):\n"
                             "    return {g: ____ for g in set(group)}")
    assert out.status == NOT_YET and "still returns `____`" in out.message


def test_q3_cannot_be_typed_from_the_prompt():
    for typed in (0.15 / 0.40, 0.375, 0.38):
        out = PROBLEMS["sources.q3"].evaluate({"near_fair": typed})
        assert out.status == NOT_YET and "fraction of the cities" in out.message, typed


def test_q3_names_the_missing_correction_and_the_swapped_rates():
    p = PROBLEMS["sources.q3"]
    assert "correction=True" in _run("sources.q3", p.wrong_code[0]).message
    assert "rates are swapped" in _run("sources.q3", p.wrong_code[1]).message


def test_q5_reflection_shows_the_rubric_as_a_checklist():
    text = ("The labels are past decisions, so they may encode discrimination against some "
            "applicants; I would also count how many of each group there are and check whether "
            "postcode acts as a proxy for the protected attribute.")
    out = PROBLEMS["sources.q5"].evaluate({"answer_q5": text})
    assert out.status == SUBMITTED and "- [ ]" in out.message and "- [x]" not in out.message
    assert PROBLEMS["sources.q5"].discussion


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
