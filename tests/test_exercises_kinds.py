"""The exercise kinds added for issue 18: the near-miss layer, FunctionProblem, DecisionProblem."""

import math

import numpy as np
import pandas as pd
import pytest

from course_lib.exercises import (
    Case,
    DecisionProblem,
    FunctionProblem,
    Option,
    ValueProblem,
    near_miss,
    same,
)
from course_lib.exercises._core import CORRECT, NOT_YET

H3 = ("nudge", "method", "step")


@pytest.mark.parametrize("got, expected, units, text", [
    (45.07, 0.4507, None, "percentage"),
    (0.4507, 45.07, None, "multiply by 100"),
    (-0.12, 0.12, None, "wrong sign"),
    (0.7, 0.3, None, "1 minus the answer"),
    (4.0, 0.25, None, "reciprocal"),
    (0.63, 0.6312, None, "rounded to 2 decimals"),
    (0.197, 0.19714, None, "rounded to 3 decimals"),
    (422_000.0, 422.0, "kg CO2e", "in g"),
    (0.422, 422.0, "kg CO2e", "in t"),
    (1500.0, 1.5, "kWh", "in Wh"),
    (1500.0, 1.5, "kW", "in W"),
    (1.5e6, 1.5, "kWh", "in mWh"),
    (90.0, 1.5, "h", "in min"),
])
def test_near_miss_names_the_slip(got, expected, units, text):
    assert text in near_miss(got, expected, units=units)


@pytest.mark.parametrize("got, expected", [(0.5, 0.3), (3.0, 0.0), (math.nan, 1.0), (0.64, 0.6312)])
def test_near_miss_says_nothing_when_no_slip_fits(got, expected):
    assert near_miss(got, expected) is None


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(got="45", expected=0.45), TypeError, "got"),
    (dict(got=45.0, expected=None), TypeError, "expected"),
    (dict(got=True, expected=1.0), TypeError, "got"),
    (dict(got=1.0, expected=2.0, units=3), TypeError, "units"),
    (dict(got=1.0, expected=2.0, units="parsecs"), ValueError, "units"),
])
def test_near_miss_refuses_bad_input_naming_the_argument(kwargs, error, name):
    with pytest.raises(error, match=name):
        near_miss(**kwargs)
    assert near_miss(np.float32(45.0), np.float64(0.45)) is not None  # numpy scalars welcome


def test_unknown_units_are_refused_where_the_problem_is_defined():
    with pytest.raises(ValueError, match="units must be one of"):
        ValueProblem(id="t.u", prompt="?", variables=("x",), hints=H3, solution_code="x = 1",
                     expected=1.0, units="furlongs")


def _rates(y_true, y_pred):
    """(FPR, FNR) with zero_division=0."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    neg, pos = y_true == 0, y_true == 1
    fpr = float((y_pred[neg] == 1).mean()) if neg.any() else 0.0
    fnr = float((y_pred[pos] == 0).mean()) if pos.any() else 0.0
    return fpr, fnr


def _function_problem(**kw):
    base = dict(
        id="t.fn", prompt="?", variables=("rates",), hints=H3,
        solution_code="def rates(y_true, y_pred):\n    return _rates(y_true, y_pred)",
        setup_code="", reference=_rates,
        cases=(Case("a balanced sample", ([0, 0, 1, 1], [1, 0, 0, 0])),
               Case("a group with no negatives", ([1, 1], [1, 0]),
                    mistakes=(((math.nan, 0.5), "nan: guard the empty group"),))))
    base.update(kw)
    return FunctionProblem(**base)


def test_function_problem_passes_the_reference_and_names_the_failing_case():
    p = _function_problem()
    ok = p.evaluate({"rates": _rates})
    assert ok.status == CORRECT and "2 cases" in ok.message

    def nan_on_empty(y_true, y_pred):
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        return (float((y_pred[y_true == 0] == 1).mean()) if (y_true == 0).any() else math.nan,
                float((y_pred[y_true == 1] == 0).mean()))

    out = p.evaluate({"rates": nan_on_empty})
    assert out.status == NOT_YET and "'a group with no negatives'" in out.message
    assert "guard the empty group" in out.message

    def crashes(y_true, y_pred):
        pairs = list(zip(y_true, y_pred, strict=True))
        fpr = sum(q and not t for t, q in pairs) / (len(y_true) - sum(y_true))
        return fpr, sum(t and not q for t, q in pairs) / sum(y_true)

    crash = p.evaluate({"rates": crashes})
    assert "raised ZeroDivisionError" in crash.message and "zero_division=0" in crash.message
    swapped = p.evaluate({"rates": lambda t, q: _rates(t, q)[::-1]})
    assert swapped.status == NOT_YET and "a balanced sample" in swapped.message
    assert "swapped" in swapped.message


def test_function_problem_explains_placeholders_wrong_types_and_scaled_answers():
    from course_lib.exercises import ____

    p = _function_problem()
    assert "still returns `____`" in p.evaluate({"rates": lambda t, q: ____}).message
    assert "should be the function" in p.evaluate({"rates": 0.5}).message
    pct = p.evaluate({"rates": lambda t, q: tuple(100 * r for r in _rates(t, q))})
    assert pct.status == NOT_YET
    single = FunctionProblem(id="t.one", prompt="?", variables=("f",), hints=H3,
                             solution_code="def f(x):\n    return x / 2",
                             cases=(Case("two", (2.0,), expected=1.0),))
    assert "percentage" in single.evaluate({"f": lambda x: 50 * x}).message
    assert single.evaluate({"f": lambda x: np.float32(x / 2)}).status == CORRECT


def test_function_problem_does_not_let_a_learner_mutate_the_cases():
    p = _function_problem()

    def mutates(y_true, y_pred):
        y_true.clear()
        return 0.0, 0.0

    p.evaluate({"rates": mutates})
    assert p.cases[0].args[0] == [0, 0, 1, 1]


def test_same_compares_numbers_containers_and_pandas():
    assert same({"A": 0.1, "B": np.nan}, {"A": 0.1 + 1e-12, "B": float("nan")})
    assert same(pd.Series([0.5, 0.25], index=["A", "B"]), {"A": 0.5, "B": 0.25})
    assert not same([0.5, 0.25], [0.25, 0.5]) and not same(1.0, "1.0")


def test_function_problem_definitions_are_validated():
    with pytest.raises(ValueError, match="at least one case"):
        _function_problem(cases=())
    with pytest.raises(ValueError, match="expected value, or a reference"):
        _function_problem(reference=None)


def _decision():
    return DecisionProblem(
        id="t.dec", prompt="?", variables=("choice",), hints=H3,
        solution_code='choice = "equal opportunity"',
        options={"equal opportunity": Option(True, "qualified people are treated alike; "
                                                   "selection rates may differ."),
                 "demographic parity": Option(True, "equal selection; ignores qualification."),
                 "accuracy": Option(False, "it says nothing about who bears the errors.")})


def test_decision_accepts_every_defensible_choice_with_its_trade_off():
    p = _decision()
    a = p.evaluate({"choice": "Equal_Opportunity"})
    assert a.status == CORRECT and "selection rates may differ" in a.message
    assert "'demographic parity'" in a.message
    assert p.evaluate({"choice": "demographic-parity"}).status == CORRECT
    no = p.evaluate({"choice": "accuracy"})
    assert no.status == NOT_YET and "who bears the errors" in no.message
    assert "not one of the options" in p.evaluate({"choice": "calibration"}).message
    assert "text in quotes" in p.evaluate({"choice": 3}).message


def test_decision_solution_lists_every_option(capsys):
    _decision().solution()
    out = capsys.readouterr().out
    assert "hard to defend" in out and "equal selection" in out
