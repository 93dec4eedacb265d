"""Property-based bad-input tests (tests/_properties.py) for the rest of course_lib's public
functions: the top level (``expect``, ``setup``), ``syllabus``, ``exercises`` and ``plotting``.
Each rejects a wrong type or an unknown value with a ValueError/TypeError naming the argument."""

from __future__ import annotations

import inspect
import os

import hypothesis.strategies as st
import pytest
import torch
from _properties import KINDS, Case, property_tests

import course_lib
from course_lib import exercises, plotting, syllabus
from course_lib.exercises import EDITION_ENV

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _listed(values):
    return lambda value: st.sampled_from(values)


_LOCAL = {
    "value": _listed(["0.7", None, True, torch.tensor([0.7, 0.8]), [0.7], 1 + 2j]),
    "threads": _listed([0, -1, 1.5, "2", True]),
    "bool": _listed(["yes", None, 1]),
    "slug": _listed([3, None, "99_no_such_notebook", ["00_welcome"]]),
    "entry": _listed(["00_welcome", None, 0]),
    "entries": _listed(["abc", [1, 2], 3, ("00_welcome",)]),
    "links": _listed([3, b"notebooks/", ["notebooks/"]]),
    "readme": _listed([3, None, b"text", "a README without the generated blocks"]),
    "problems": _listed([[None], ["q1"], [], [3.5]]),
    "edition": _listed(["teacher", 3, None, "", "Student "]),
}
for _name, _kind in _LOCAL.items():
    assert KINDS.setdefault(f"core_{_name}", _kind) is _kind
_C = {name: f"core_{name}" for name in _LOCAL}


def _register(problems):
    """``exercises.register(*problems)`` (a Case passes keyword arguments)."""
    return exercises.register(*problems)


def _set_edition(name):
    """``exercises.set_edition(name)`` in a process with no edition set (the default), this
    process's edition restored afterwards."""
    before = os.environ.pop(EDITION_ENV, None)
    try:
        return exercises.set_edition(name)
    finally:
        if before is None:
            os.environ.pop(EDITION_ENV, None)
        else:
            os.environ[EDITION_ENV] = before


def _a_problem():
    import course_lib.exercises.welcome  # noqa: F401 (registers its problems)

    return next(iter(exercises.registry().values()))


_README = (syllabus.Path(syllabus.__file__).resolve().parents[1] / "README.md")

CASES = {
    "expect": Case(course_lib.expect, st.builds(
        lambda lo, w, t: dict(value=lo + w / 2, lo=lo, hi=lo + w, what=t),
        st.floats(-1e6, 1e6), st.floats(0, 10), st.sampled_from(["the result", "accuracy"])),
        {"value": (_C["value"],), "lo": ("real_inf",), "hi": ("real_inf",), "what": ("name",)},
        names={"lo": ("lo and hi",), "hi": ("lo and hi", "lo must be")}),
    "setup": Case(course_lib.setup, st.fixed_dictionaries(
        {"seed": st.integers(0, 3), "threads": st.just(1), "verbose": st.just(False)}),
        {"seed": ("int",), "threads": (_C["threads"],), "verbose": (_C["bool"],)}),
    "entry": Case(syllabus.entry, st.sampled_from([e.slug for e in syllabus.load()]).map(
        lambda s: dict(slug=s)), {"slug": (_C["slug"],)}),
    "available": Case(syllabus.available, st.sampled_from(syllabus.load()).map(
        lambda e: dict(e=e)), {"e": (_C["entry"],)}),
    "total_minutes": Case(syllabus.total_minutes, st.sampled_from(
        [None, syllabus.load(), syllabus.load()[:3]]).map(lambda e: dict(entries=e)),
        {"entries": (_C["entries"],)}),
    "markdown_table": Case(syllabus.markdown_table, st.sampled_from(
        [None, "notebooks/"]).map(lambda links: dict(links=links)), {"links": (_C["links"],)}),
    "render_readme": Case(syllabus.render_readme, st.just(dict(
        text=_README.read_text(encoding="utf-8"))), {"text": (_C["readme"],)},
        names={"text": ("README",)}),
    "register": Case(_register, st.just(dict(problems=[])).map(
        lambda _: dict(problems=[_a_problem()])), {"problems": (_C["problems"],)}),
    "set_edition": Case(_set_edition, st.just(dict(name="instructor")),
                        {"name": (_C["edition"],)}),
}
EXEMPT = {
    "device": "no arguments", "load": "no arguments", "notebooks_dir": "no arguments",
    "edition": "no arguments", "registry": "no arguments", "apply_style": "no arguments",
    "main": "the command line's entry point: a wrong argv prints the usage and returns 2",
    "same": "compares any two values (numbers, containers, pandas): no input is wrong",
    "near_miss": "bad input: tests/test_exercises_kinds.py::test_near_miss_refuses_bad_input...",
}


def _own_functions(module) -> list[str]:
    """Public functions defined in (or re-exported by ``__all__`` of) ``module``."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, obj in vars(module).items() if not n.startswith("_")
                 and inspect.isfunction(obj) and obj.__module__ == module.__name__]
    return [n for n in names if inspect.isfunction(getattr(module, n))]


def test_every_public_function_is_covered():
    """A new public function must get a Case here (or an exemption with a reason)."""
    names = [n for m in (course_lib, syllabus, exercises, plotting) for n in _own_functions(m)]
    assert sorted(n for n in names if n not in EXEMPT) == sorted(CASES)


def test_main_with_a_wrong_argv_prints_the_usage(capsys):
    assert syllabus.main(["course_lib.syllabus"]) == 2
    assert "usage: python -m course_lib.syllabus README.md" in capsys.readouterr().err


(test_valid_input_is_accepted, test_bad_input_is_rejected_naming_the_argument,
 test_bad_input_is_rejected_naming_the_argument_slow) = property_tests(CASES)
