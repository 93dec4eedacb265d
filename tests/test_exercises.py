import importlib

import pytest

from course_lib.exercises import (
    NOTEBOOK_MODULES,
    Criterion,
    ReflectionProblem,
    ValueProblem,
    ____,
    register,
    registry,
)
from course_lib.exercises._core import CORRECT, NOT_YET, SUBMITTED

for _module in NOTEBOOK_MODULES:
    importlib.import_module(f"course_lib.exercises.{_module}")
PROBLEMS = registry()



def test_every_notebook_module_registers_problems():
    assert {pid.split(".")[0] for pid in PROBLEMS} == set(NOTEBOOK_MODULES)


@pytest.mark.parametrize("pid", sorted(PROBLEMS))
def test_reference_solution_passes_its_own_check(pid):
    p = PROBLEMS[pid]
    out = p.evaluate(p.namespace_for(p.solution_code))
    assert out.correct, out.message


@pytest.mark.parametrize("pid", sorted(PROBLEMS))
def test_known_wrong_answers_fail_with_feedback(pid):
    p = PROBLEMS[pid]
    assert p.wrong_code, f"{pid} needs at least one known wrong answer to test against"
    for code in p.wrong_code:
        out = p.evaluate(p.namespace_for(code))
        assert out.status == NOT_YET and out.message, (code, out)


@pytest.mark.parametrize("pid", sorted(PROBLEMS))
def test_learner_state_is_not_yet(pid):
    p = PROBLEMS[pid]
    ns = p.namespace_for("from course_lib.exercises import ____\n"
                       + "\n".join(f"{v} = ____" for v in p.variables))
    out = p.evaluate(ns)
    assert out.status == NOT_YET and "`____`" in out.message
    assert p.evaluate({}).status == NOT_YET  # not even assigned


@pytest.mark.parametrize("pid", sorted(PROBLEMS))
def test_hints_are_tiered(pid, capsys):
    p = PROBLEMS[pid]
    assert len(p.hints) == 3, "three hints: a nudge, the method, then the nearly complete step"
    p.hint()
    first = capsys.readouterr().out
    assert first.startswith(f"💡 Hint 1 of 3 · a nudge: {p.hints[0]}")
    p.hint(3)
    assert "Hint 3 of 3 · nearly the step" in capsys.readouterr().out
    p.hint(99)
    assert "call `hint(1)` to `hint(3)`" in capsys.readouterr().out
    solution = " ".join(p.solution_code.split())
    for hint in p.hints:
        assert solution not in " ".join(hint.split()), "solution() stays separate from the hints"


def _value_problem(**kw):
    base = dict(id="t.value", prompt="?", variables=("x",), hints=("h1", "h2", "h3"),
                solution_code="x = 2.0", expected=2.0,
                known_wrong=((20.0, "that is ten times too big."),))
    base.update(kw)
    return ValueProblem(**base)


@pytest.mark.parametrize("value, status, text", [
    (2.0, CORRECT, "`x` = 2"),
    (2.0005, CORRECT, ""),
    (20.0, NOT_YET, "ten times too big"),
    (3.0, NOT_YET, "not what we expected"),
    (200.0, NOT_YET, "percentage"),
    (-2.0, NOT_YET, "wrong sign"),
    (0.5, NOT_YET, "reciprocal"),
    ("2", NOT_YET, "should be a number"),
    (True, NOT_YET, "should be a number"),
    (float("nan"), NOT_YET, "NaN"),
    (__import__("numpy").array([2.0, 3.0]), NOT_YET, "one number"),
    (__import__("numpy").float32(2.0), CORRECT, ""),
    (__import__("torch").tensor(2.0), CORRECT, ""),
])
def test_value_problem(value, status, text):
    out = _value_problem().evaluate({"x": value})
    assert out.status == status and text in out.message


def test_a_learner_value_that_explodes_is_feedback_not_a_traceback():
    class Weird:
        def item(self):
            raise ZeroDivisionError("boom")

    out = _value_problem().evaluate({"x": Weird()})
    assert out.status == NOT_YET and "ZeroDivisionError: boom" in out.message


def test_check_reads_the_callers_namespace(capsys):
    p = _value_problem()
    exec("x = 2.0\np.check()", {"p": p})
    assert capsys.readouterr().out.startswith("✅ Correct: `x` = 2")
    exec("x = ____\np.check()", {"p": p, "____": ____})
    assert capsys.readouterr().out.startswith("⏳ Not yet: set `x`")


def test_solution_shows_the_code(capsys):
    _value_problem().solution()
    assert "x = 2.0" in capsys.readouterr().out


def _reflection():
    return ReflectionProblem(
        id="t.reflect", prompt="?", variables=("a",), hints=("h1", "h2", "h3"),
        solution_code='a = "The model repeats the same error for everyone and cannot be '
                      'contested because its reasons are opaque to the people it rejects, '
                      'and nobody is accountable for the harm that follows from it at all."',
        rubric=(Criterion("same error for everyone"), Criterion("contestability")),
    )


def test_reflection_shows_the_model_answer_only_after_an_answer(capsys):
    p = _reflection()
    exec("a = ____\np.solution()", {"p": p, "____": ____})
    hidden = capsys.readouterr().out
    assert "write your own answer first" in hidden and "repeats the same error" not in hidden
    mine = ("I think the same error hits every applicant at every bank, so nobody can shop "
            "around for a second opinion, and people cannot contest what they cannot see or "
            "understand about the decision.")
    exec(f"a = {mine!r}\np.solution()", {"p": p})
    assert "repeats the same error" in capsys.readouterr().out


def test_reflection_is_never_an_always_pass_and_never_a_score():
    p = _reflection()
    assert p.evaluate({"a": "too short"}).status == NOT_YET
    repeated = p.evaluate({"a": " ".join(["same", "words", "again"] * 12)})
    assert repeated.status == NOT_YET and "repeats the same few words" in repeated.message
    copied = p.evaluate({"a": ("what is the question what is the question here what is it " * 3)})
    assert copied.status == NOT_YET
    vague = ("Fairness bias accountability transparency contest error explain the same model "
             "black box loop feedback responsible regulation is important for everyone who "
             "builds systems today and tomorrow.")
    good = ("The lender's model makes one mistake everywhere it is licensed, so a rejected "
            "applicant gets no second opinion at the next bank, and cannot easily learn or "
            "challenge the reasons because nobody wrote them down for a person to read.")
    for text in (vague, good):  # keywords earn nothing: both get the same checklist
        out = p.evaluate({"a": text})
        assert out.status == SUBMITTED and "- [ ] same error for everyone" in out.message
        assert "- [x]" not in out.message and "rubric points" not in out.message
        assert "nothing here is scored" in out.message and "A model answer" in out.message


def test_problem_definitions_are_validated():
    with pytest.raises(ValueError, match="at least one hint"):
        _value_problem(hints=())
    with pytest.raises(ValueError, match="exactly one answer variable"):
        _value_problem(variables=("x", "y"))
    with pytest.raises(ValueError, match="registered twice"):
        register(_value_problem(id="welcome.q1"))


def test_placeholder_is_a_singleton_and_shows_as_blanks():
    from course_lib.exercises._core import _Blank

    assert _Blank() is ____ and repr(____) == "____"


def test_computed_value_problem_follows_the_notebooks_objects():
    from course_lib.exercises import ComputedValueProblem

    p = ComputedValueProblem(id="t.computed", prompt="?", variables=("total",),
                             hints=("h1", "h2", "h3"),
                             solution_code="total = sum(values)", context=("values",),
                             expected=sum, known_wrong=((len, "that counts the values."),))
    assert p.evaluate({"values": [1, 2, 3], "total": 6}).status == CORRECT
    assert p.evaluate({"values": [5, 5], "total": 10}).status == CORRECT  # another run
    assert "counts" in p.evaluate({"values": [5, 5], "total": 2}).message
    missing = p.evaluate({"total": 6})
    assert missing.status == NOT_YET and "`values` is not defined" in missing.message
    broken = p.evaluate({"values": "abc", "total": 6})
    assert broken.status == NOT_YET and "cells above" in broken.message
    assert "`____`" in p.evaluate({"values": [1], "total": ____}).message
    with pytest.raises(ValueError, match="needs context and expected"):
        ComputedValueProblem(id="t.c2", prompt="?", variables=("x",), hints=("h",),
                             solution_code="x = 1")


# -- editions: the student edition's solution() points to the instructor edition --------------
STUDENT_MESSAGE = "The solutions are in the instructor edition; ask your instructor"


@pytest.fixture
def no_edition(monkeypatch):
    """A process with no edition set (the default: the instructor edition)."""
    from course_lib.exercises import EDITION_ENV

    # setenv first, so teardown also removes what set_edition() writes into os.environ (a bare
    # delenv of an absent variable records nothing to undo, and "student" leaked to later tests)
    monkeypatch.setenv(EDITION_ENV, "")
    monkeypatch.delenv(EDITION_ENV)
    return EDITION_ENV


def test_default_edition_shows_solutions(no_edition, capsys):
    from course_lib.exercises import edition

    assert edition() == "instructor"
    _value_problem().solution()
    out = capsys.readouterr().out
    assert "x = 2.0" in out and STUDENT_MESSAGE not in out


def test_student_edition_withholds_solutions_and_keeps_hints(no_edition, capsys):
    from course_lib.exercises import edition, set_edition

    set_edition("student")
    assert edition() == "student"
    p = _value_problem()
    p.solution()
    out = capsys.readouterr().out
    assert out.startswith(f"📖 Solution: {STUDENT_MESSAGE}") and "x = 2.0" not in out
    p.hint(2)
    assert "h2" in capsys.readouterr().out
    exec("x = 2.0\np.check()", {"p": p})  # checking still works
    assert capsys.readouterr().out.startswith("✅ Correct")


def test_student_edition_withholds_the_model_answer_even_after_an_answer(no_edition, capsys):
    from course_lib.exercises import set_edition

    set_edition("student")
    mine = ("I think the same error hits every applicant at every bank, so nobody can shop "
            "around for a second opinion, and people cannot contest what they cannot see.")
    exec(f"a = {mine!r}\np.solution()", {"p": _reflection()})
    out = capsys.readouterr().out
    assert STUDENT_MESSAGE in out and "repeats the same error" not in out


def test_student_edition_cannot_be_switched_back(no_edition):
    import os

    from course_lib.exercises import edition, set_edition

    set_edition("student")
    assert os.environ[no_edition] == "student"  # process state: a module reload cannot reset it
    with pytest.raises(ValueError, match="cannot be switched back"):
        set_edition("instructor")
    set_edition("student")  # idempotent
    assert edition() == "student"


@pytest.mark.parametrize("value, expected", [("", "instructor"), ("instructor", "instructor"),
                                             (" Instructor ", "instructor"),
                                             ("student", "student"),
                                             ("studnet", "student")])  # a typo fails closed
def test_edition_is_read_from_the_environment_at_call_time(no_edition, monkeypatch, capsys,
                                                           value, expected):
    from course_lib.exercises import edition

    monkeypatch.setenv(no_edition, value)
    assert edition() == expected
    _value_problem().solution()
    assert (STUDENT_MESSAGE in capsys.readouterr().out) == (expected == "student")


@pytest.mark.parametrize("bad", ["Student", "teacher", "", None, 1])
def test_set_edition_rejects_unknown_names(no_edition, bad):
    from course_lib.exercises import edition, set_edition

    with pytest.raises(ValueError, match="name must be one of"):
        set_edition(bad)
    assert edition() == "instructor"
