"""Property-based tests of the exercises' checks (tests/_properties.py's settings): whatever odd
value a learner assigns to an answer variable (None, a string, NaN, inf, a collection, a tensor, a
DataFrame, a function, a bool), ``check()`` answers with "not yet" feedback: it never raises a
traceback in front of the learner, and never accepts garbage as correct."""

from __future__ import annotations

import importlib

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
import torch
from _properties import FAST
from hypothesis import given

from course_lib.exercises import NOTEBOOK_MODULES, registry
from course_lib.exercises._core import NOT_YET

for _module in NOTEBOOK_MODULES:
    importlib.import_module(f"course_lib.exercises.{_module}")
PROBLEMS = registry()

ODD = st.one_of(
    st.sampled_from([None, "", "0.5", "yes", True, False, [], [1, 2], (), {}, set(),
                     float("nan"), float("inf"), -float("inf"), -1e300, 10 ** 400,
                     np.array([1.0, 2.0]), np.array([]), np.array([np.nan]),
                     torch.tensor([1.0, 2.0]), torch.tensor(float("nan")),
                     pd.DataFrame({"a": [1, 2]}), pd.Series([], dtype=float), print, object(),
                     b"bytes", 1 + 2j]),
    st.text(max_size=30), st.integers(-10 ** 6, 10 ** 6).map(lambda i: i + 0.123456789),
    st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.integers(), st.text(max_size=5)),
                    max_size=4),
)

_NAMESPACES: dict[str, dict] = {}


def _reference_namespace(pid: str) -> dict:
    """The namespace after the problem's reference solution (its context objects included)."""
    if pid not in _NAMESPACES:
        p = PROBLEMS[pid]
        _NAMESPACES[pid] = p.namespace_for(p.solution_code)
    return _NAMESPACES[pid]


@pytest.mark.parametrize("pid", sorted(PROBLEMS))
@FAST
@given(data=st.data())
def test_an_odd_answer_gets_not_yet_feedback_never_a_traceback(pid, data):
    p = PROBLEMS[pid]
    ns = dict(_reference_namespace(pid))
    var = data.draw(st.sampled_from(p.variables), label="variable")
    ns[var] = data.draw(ODD, label=var)
    out = p.evaluate(ns)  # must not raise
    assert out.status == NOT_YET, (var, ns[var], out)
    assert out.message.strip(), "feedback must say something"


def test_every_problem_has_variables_to_corrupt():
    assert PROBLEMS and all(p.variables for p in PROBLEMS.values())
