"""Course-wide rules for exercises (issue 18): measured over every registered problem."""

import importlib
import json
import re
from pathlib import Path

import pytest

from course_lib.exercises import (
    NOTEBOOK_MODULES,
    ComputedValueProblem,
    FunctionProblem,
    ReflectionProblem,
    ValueProblem,
    registry,
)
from course_lib.exercises._core import GENERIC, NOT_YET, SUBMITTED

for _module in NOTEBOOK_MODULES:
    importlib.import_module(f"course_lib.exercises.{_module}")
PROBLEMS = registry()
NUMERIC = (ValueProblem, ComputedValueProblem, FunctionProblem)
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _outcomes():
    for pid, p in sorted(PROBLEMS.items()):
        if isinstance(p, NUMERIC):
            for code in p.wrong_code:
                yield pid, code, p.evaluate(p.namespace_for(code))


@pytest.mark.parametrize("pid", sorted(pid for pid, p in PROBLEMS.items()
                                       if isinstance(p, NUMERIC)))
def test_each_numeric_exercise_catalogues_three_plausible_wrong_answers(pid):
    assert len(PROBLEMS[pid].wrong_code) >= 3


def test_most_catalogued_wrong_answers_get_specific_feedback(capsys):
    outcomes = list(_outcomes())
    assert all(out.status == NOT_YET for _, _, out in outcomes)
    generic = [(pid, code) for pid, code, out in outcomes if GENERIC in out.message]
    share = 1 - len(generic) / len(outcomes)
    with capsys.disabled():
        print(f"\nwrong-answer catalogue: {len(outcomes)} answers, {share:.0%} get specific "
              f"feedback; generic: {generic}")
    assert share >= 0.8, generic


@pytest.mark.parametrize("module", NOTEBOOK_MODULES[1:])
def test_each_content_notebook_has_an_implement_the_core_exercise(module):
    assert any(isinstance(p, FunctionProblem) for pid, p in PROBLEMS.items()
               if pid.split(".")[0] == module)


@pytest.mark.parametrize("pid", sorted(pid for pid, p in PROBLEMS.items()
                                       if isinstance(p, ReflectionProblem)))
def test_reflections_show_a_checklist_not_a_score(pid):
    p = PROBLEMS[pid]
    out = p.evaluate(p.namespace_for(p.solution_code))
    assert out.status == SUBMITTED
    assert "- [x]" not in out.message and not re.search(r"\d+ of \d+ rubric", out.message)


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_exercises_are_numbered_in_order(path):
    order = [int(n) for c in _cells(path) if c["cell_type"] == "code"
             for n in re.findall(r"\bq(\d+)\.check\(\)", "".join(c["source"]))]
    firsts = list(dict.fromkeys(order))
    assert firsts == list(range(1, len(firsts) + 1)), firsts


@pytest.mark.parametrize("path", NOTEBOOKS[1:], ids=lambda p: p.name[:2])
def test_each_content_notebook_has_an_explorer_from_course_lib(path):
    cells = _cells(path)
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    built = [m for src in code for m in re.findall(r"^(\w+) = (?:\w+\.)*explore_\w+\(", src, re.M)]
    assert built, "build the explorer with a course_lib explore_*() function, in one line"
    name = built[0]
    static = [c for c in cells if c["cell_type"] == "code"
              and re.search(rf"^{name}\.view\s*$", "".join(c["source"]), re.M)]
    assert static, f"display `{name}.view` in the next cell: the static default figure"
    assert any("image/png" in o.get("data", {}) for c in static for o in c.get("outputs", [])), \
        "the committed notebook shows the explorer's default state as a figure"
