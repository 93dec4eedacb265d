"""Notebook 02's exercises beyond the generic checks of tests/test_exercises.py."""

import pytest

from course_lib.exercises import registry
from course_lib.exercises._core import NOT_YET
from course_lib.exercises.case_studies import q1, q2, q3, q4

PROBLEMS = {p.id: p for p in (q1, q2, q3, q4)}



def test_registered_with_the_notebook_prefix():
    assert sorted(PROBLEMS) == [f"case_studies.q{i}" for i in range(1, 5)]
    for pid, problem in PROBLEMS.items():
        assert registry()[pid] is problem


def test_expected_values_match_the_published_numbers():
    assert q1._value("expected", q1.expected) == pytest.approx(1.19479, abs=5e-5)
    assert q4._value("expected", q4.expected) == pytest.approx(34.7 / 0.3)
    forced = q2._value("expected", q2.expected)
    assert 0.2345 < forced < 0.4485  # between white's actual FPR and Black defendants' FPR


def test_an_unknown_value_gets_generic_feedback():
    out = q4.evaluate({"ibm_ratio": 7.0})
    assert out.status == NOT_YET and "not what we expected" in out.message
