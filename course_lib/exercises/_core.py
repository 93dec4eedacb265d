"""Exercise machinery in the spirit of Kaggle's learntools: ``q1.check()``, ``q1.hint()``,
``q1.solution()``.

A learner assigns named variables in the notebook and calls ``q1.check()``; the check reads them
from the notebook's namespace and answers *correct*, *not yet* (with what to do), or specific
feedback for known wrong answers. Nothing the learner types can put a traceback in their face.
Every problem carries its reference solution as code, and the known wrong answers as code, so
tests/test_exercises.py can prove the shown solution passes and the wrong answers do not.
"""

from __future__ import annotations

import math
import numbers
import os
import re
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from course_lib.exercises._nearmiss import check_units, near_miss

CORRECT, NOT_YET, SUBMITTED = "correct", "not yet", "submitted"
# Every problem has three hints, in this order; solution() stays separate from the third.
HINT_TIERS = ("a nudge", "the method", "nearly the step")
GENERIC = "is not what we expected"  # the fallback a catalogued wrong answer should rarely get

# Editions (tests/tools/editions.py). The student edition's setup cell calls
# set_edition("student"); from then on solution() points to the instructor edition, hints stay.
# The switch lives in the process environment, read at every solution() call, so re-importing or
# reloading this module cannot undo it, and a JupyterHub can set COURSE_EDITION=student for every
# kernel. It is one-way: set_edition("instructor") in a student process is a ValueError, and an
# unrecognised value hides the solutions (fails closed). A courtesy to learners, not a security
# boundary: the installed package holds the solutions.
EDITION_ENV = "COURSE_EDITION"
EDITIONS = ("instructor", "student")
STUDENT_SOLUTION_MESSAGE = "The solutions are in the instructor edition; ask your instructor"


def edition() -> str:
    """The edition this process runs: ``"instructor"`` unless ``COURSE_EDITION`` says otherwise."""
    value = os.environ.get(EDITION_ENV, "").strip().lower()
    return "instructor" if value in ("", "instructor") else "student"


def set_edition(name: str) -> None:
    """Switch this process to ``name`` (``"student"`` or ``"instructor"``); student is one-way."""
    if name not in EDITIONS:
        raise ValueError(f"name must be one of {', '.join(map(repr, EDITIONS))}, got {name!r}")
    if name != "student" and edition() == "student":
        raise ValueError(f"name={name!r}: this process runs the student edition ({EDITION_ENV}="
                         f"{os.environ.get(EDITION_ENV)!r}), which cannot be switched back; "
                         "open the instructor edition in a new kernel")
    os.environ[EDITION_ENV] = name


def _solutions_withheld() -> bool:
    """In the student edition, say where the solutions are and return True."""
    if edition() != "student":
        return False
    _show(Feedback("solution", STUDENT_SOLUTION_MESSAGE + "."))
    return True


class _Blank:
    """The ``____`` placeholder a learner replaces with an answer."""

    _instance: _Blank | None = None

    def __new__(cls) -> _Blank:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"


____ = _Blank()


class NotYet(Exception):
    """Raised by a check function with the feedback a learner should see."""


@dataclass(frozen=True)
class Outcome:
    """The result of evaluating one answer: a status and the feedback text."""

    status: str
    message: str

    @property
    def correct(self) -> bool:
        """True when the answer passes (for a reflection: submitted and on topic)."""
        return self.status in (CORRECT, SUBMITTED)


class Feedback:
    """Displays as coloured Markdown in Jupyter and as stable plain text elsewhere."""

    _STYLE = {CORRECT: ("✅", "#009E73", "Correct"), NOT_YET: ("⏳", "#D55E00", "Not yet"),
              SUBMITTED: ("📝", "#0072B2", "Answer recorded"), "hint": ("💡", "#0072B2", "Hint"),
              "solution": ("📖", "#0072B2", "Solution"), "rubric": ("📋", "#0072B2", "Rubric")}

    def __init__(self, kind: str, message: str, label: str | None = None):
        self.kind, self.message = kind, message
        self.label = label or self._STYLE[kind][2]

    def __repr__(self) -> str:
        return f"{self._STYLE[self.kind][0]} {self.label}: {self.message}"

    def _repr_markdown_(self) -> str:
        icon, colour, _ = self._STYLE[self.kind]
        return f'<span style="color:{colour}">{icon} **{self.label}:**</span> {self.message}'


def _show(fb: Feedback) -> None:
    """Display in IPython, print elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython ships with every course environment
        print(repr(fb))
        return
    if get_ipython() is None:
        print(repr(fb))
    else:
        display(fb)


def _caller_namespace(depth: int = 2) -> dict[str, Any]:
    """The globals of the notebook cell (or module) that called the public method."""
    return sys._getframe(depth).f_globals


@dataclass
class Problem:
    """One exercise: the names the learner sets, hints, the solution code and the known wrongs.

    ``setup_code`` is what the notebook has already run when the learner answers (imports, data),
    so tests can execute ``solution_code`` and each of ``wrong_code`` in that context.
    """

    id: str
    prompt: str
    variables: tuple[str, ...]
    hints: tuple[str, ...]
    solution_code: str
    wrong_code: tuple[str, ...] = ()
    setup_code: str = ""

    def __post_init__(self) -> None:
        if not self.hints:
            raise ValueError(f"{self.id}: a problem needs at least one hint")
        if not self.variables:
            raise ValueError(f"{self.id}: a problem needs at least one answer variable")

    # -- evaluation (pure; used by check() and by the tests) ---------------------------------
    def namespace_for(self, code: str) -> dict[str, Any]:
        """The notebook's namespace after ``setup_code`` and then ``code`` (a learner's answer)."""
        ns: dict[str, Any] = {}
        exec(self.setup_code, ns)
        exec(code, ns)
        return ns

    def evaluate(self, namespace: Mapping[str, Any]) -> Outcome:
        """Judge the learner's answer in ``namespace``; never raises for a learner's mistake."""
        missing = [v for v in self.variables if v not in namespace or namespace[v] is ____]
        if missing:
            names = ", ".join(f"`{v}`" for v in missing)
            return Outcome(NOT_YET, f"set {names} (replace `____` with your answer), "
                                    "then run this cell again.")
        try:
            return self._judge({v: namespace[v] for v in self.variables})
        except NotYet as exc:
            return Outcome(NOT_YET, str(exc))
        except Exception as exc:  # a learner's odd value must not become a traceback
            return Outcome(NOT_YET, f"checking your answer raised {type(exc).__name__}: {exc}. "
                                    "Look at what you assigned, then try again.")

    def _judge(self, values: dict[str, Any]) -> Outcome:
        raise NotImplementedError

    # -- learner-facing ----------------------------------------------------------------------
    def check(self) -> None:
        """Check the answer the learner assigned in the notebook."""
        out = self.evaluate(_caller_namespace())
        _show(Feedback(out.status, out.message))

    def hint(self, n: int = 1) -> None:
        """Show hint ``n`` (1 = gentlest)."""
        total = len(self.hints)
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= total:
            _show(Feedback("hint", f"there {'is' if total == 1 else 'are'} {total} "
                                   f"hint{'s' if total > 1 else ''}: call `hint(1)` "
                                   f"to `hint({total})`."))
            return
        more = f" (a stronger one: `hint({n + 1})`)" if n < total else ""
        tier = f" · {HINT_TIERS[n - 1]}" if total == len(HINT_TIERS) else ""
        _show(Feedback("hint", self.hints[n - 1] + more, label=f"Hint {n} of {total}{tier}"))

    def solution(self) -> None:
        """Show the reference solution (in the student edition: where to find it)."""
        if _solutions_withheld():
            return
        _show(Feedback("solution", f"\n```python\n{self.solution_code.strip()}\n```"))


def _is_number(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


@dataclass
class ValueProblem(Problem):
    """The answer is one number, compared with a relative tolerance.

    ``expected`` may be a callable (computed once on first use, e.g. from a dataset), and
    ``known_wrong`` maps a (callable giving a) wrong value to the feedback that explains it.
    """

    expected: float | Callable[[], float] = 0.0
    rel_tol: float = 1e-3
    abs_tol: float = 0.0
    known_wrong: tuple[tuple[float | Callable[[], float], str], ...] = ()
    units: str | None = None  # e.g. "kWh", "kg", "W", "s": a value in a sibling unit is named
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.variables) != 1:
            raise ValueError(f"{self.id}: a ValueProblem has exactly one answer variable")
        check_units(self.units)

    def _value(self, key: str, spec: float | Callable[[], float]) -> float:
        if key not in self._cache:
            self._cache[key] = float(spec() if callable(spec) else spec)
        return self._cache[key]

    def _close(self, a: float, b: float) -> bool:
        return math.isclose(a, b, rel_tol=self.rel_tol, abs_tol=self.abs_tol)

    def _judge(self, values: dict[str, Any]) -> Outcome:
        (name, got), = values.items()
        if hasattr(got, "item") and not _is_number(got):
            try:  # a numpy scalar, or a one-element array, Series or tensor
                got = got.item()
            except (ValueError, RuntimeError):
                raise NotYet(f"`{name}` should be one number, not a collection of them.") from None
        if not _is_number(got):
            raise NotYet(f"`{name}` should be a number, but it is a {type(got).__name__}.")
        got = float(got)
        if math.isnan(got):
            raise NotYet(f"`{name}` is NaN: something upstream divided by zero or was missing.")
        if self._close(got, self._value("expected", self.expected)):
            return Outcome(CORRECT, f"`{name}` = {got:,.6g}.")
        for i, (wrong, why) in enumerate(self.known_wrong):
            if self._close(got, self._value(f"wrong{i}", wrong)):
                raise NotYet(why)
        expected = self._value("expected", self.expected)
        miss = near_miss(got, expected, units=self.units, rel_tol=self.rel_tol,
                         abs_tol=self.abs_tol)
        if miss:
            raise NotYet(f"`{name}` = {got:,.6g}: {miss}")
        raise NotYet(f"`{name}` = {got:,.6g} {GENERIC}. Try `hint()`.")


@dataclass
class ComputedValueProblem(ValueProblem):
    """One number whose expected value (and known wrong values) the notebook's own objects give.

    ``expected(*objects)`` and each ``known_wrong`` function receive the namespace's values of
    ``context``, in order, so the check follows the learner's run (a measured time, a trained
    model) rather than a number fixed when the exercise was written.
    """

    context: tuple[str, ...] = ()
    expected: Callable[..., float] | float | None = None
    known_wrong: tuple[tuple[Callable[..., float], str], ...] = ()
    rel_tol: float = 1e-3
    abs_tol: float = 1e-4

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.context or self.expected is None:
            raise ValueError(f"{self.id}: a ComputedValueProblem needs context and expected")

    def evaluate(self, namespace: Mapping[str, Any]) -> Outcome:
        """Compute the expected and wrong values from the notebook's objects, then judge."""
        if any(v not in namespace or namespace[v] is ____ for v in self.variables):
            return super().evaluate(namespace)  # "set `x` (replace `____` ...)" comes first
        missing = [f"`{c}`" for c in self.context if c not in namespace]
        if missing:
            return Outcome(NOT_YET, f"{', '.join(missing)} is not defined: run the notebook's "
                                    "cells above first.")
        objects = [namespace[c] for c in self.context]
        try:
            expected = float(self.expected(*objects))
            wrong = tuple((float(f(*objects)), why) for f, why in self.known_wrong)
        except Exception as exc:  # the objects are not what the cells above make
            return Outcome(NOT_YET, f"run the notebook's cells above first: computing the "
                                    f"expected answer from {', '.join(self.context)} raised "
                                    f"{type(exc).__name__}.")
        fixed = ValueProblem(id=self.id, prompt=self.prompt, variables=self.variables,
                             hints=self.hints, solution_code=self.solution_code,
                             expected=expected, rel_tol=self.rel_tol, abs_tol=self.abs_tol,
                             known_wrong=wrong, units=self.units)
        return fixed.evaluate(namespace)


@dataclass(frozen=True)
class Criterion:
    """One point of a reflection's rubric, which the learner ticks for themselves."""

    point: str


@dataclass
class ReflectionProblem(Problem):
    """An open question: the learner writes prose in a string variable.

    Nothing scores the prose: no keyword counts, no points. ``check()`` asks for a real answer
    (at least ``min_words`` words, not a copy of the question, not the same few words repeated);
    once it has one it shows the rubric as a self-assessment checklist, then the model answer.
    The model answer stays hidden until the learner has written. ``discussion`` is a prompt for
    pairs or a class (the instructor edition and guide show it).
    """

    rubric: tuple[Criterion, ...] = ()
    min_words: int = 25
    discussion: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.variables) != 1 or not self.rubric:
            raise ValueError(f"{self.id}: a ReflectionProblem needs one variable and a rubric")

    @staticmethod
    def _word_list(text: str) -> list[str]:
        return re.findall(r"[a-z']+", text.lower())

    def _judge(self, values: dict[str, Any]) -> Outcome:
        (name, text), = values.items()
        if not isinstance(text, str):
            raise NotYet(f"write your answer as text in quotes: {name} = \"\"\"...\"\"\"")
        words = self._word_list(text)
        if len(words) < self.min_words:
            raise NotYet(f"your answer has {len(words)} words; write at least {self.min_words}: "
                         "say what you think and why.")
        if len(set(words)) < 0.4 * len(words):
            raise NotYet("your answer repeats the same few words; say in your own sentences what "
                         "you think and why.")
        asked = set(self._word_list(self.prompt))
        if sum(w in asked for w in words) >= 0.8 * len(words):
            raise NotYet("your answer mostly repeats the question's own words; answer it: what "
                         "do you conclude, and why?")
        ticks = "\n".join(f"- [ ] {c.point}" for c in self.rubric)
        return Outcome(SUBMITTED,
                       f"{len(words)} words. Assess your answer yourself: tick each point it "
                       f"makes with a reason of its own (nothing here is scored).\n\n{ticks}\n\n"
                       f"**A model answer:** {self._model_answer()}")

    def _model_answer(self) -> str:
        ns: dict[str, Any] = {}
        exec(self.solution_code, ns)  # the solution code assigns the model answer
        return " ".join(textwrap.dedent(ns[self.variables[0]]).split())

    def solution(self) -> None:
        """Show the model answer, only once the learner has written an answer of their own."""
        if _solutions_withheld():
            return
        out = self.evaluate(_caller_namespace())
        if out.status != SUBMITTED:
            _show(Feedback("solution", "write your own answer first (then `check()` it); the "
                                       "model answer is shown after you have. " + out.message))
            return
        _show(Feedback("solution", self._model_answer()))


@dataclass(frozen=True)
class Option:
    """One choice of a decision: whether it is defensible, and its trade-off (or why not)."""

    defensible: bool
    response: str


def _norm_choice(x: str) -> str:
    return re.sub(r"[\s_\-]+", " ", x.strip().lower())


@dataclass
class DecisionProblem(Problem):
    """An auditor's decision: every defensible option passes and is answered with its trade-off.

    ``options`` maps each choice (compared ignoring case, spaces, ``_`` and ``-``) to an
    ``Option``. A defensible choice is "correct" with its own trade-off and the other defensible
    choices named; an indefensible one is "not yet" with the reason.
    """

    options: Mapping[str, Option] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.variables) != 1:
            raise ValueError(f"{self.id}: a DecisionProblem has exactly one answer variable")
        if not any(o.defensible for o in self.options.values()):
            raise ValueError(f"{self.id}: a decision needs at least one defensible option")

    def _judge(self, values: dict[str, Any]) -> Outcome:
        (name, got), = values.items()
        choices = ", ".join(repr(k) for k in self.options)
        if not isinstance(got, str):
            raise NotYet(f"`{name}` should be one of {choices} (text in quotes), "
                         f"not a {type(got).__name__}.")
        match = [k for k in self.options if _norm_choice(k) == _norm_choice(got)]
        if not match:
            raise NotYet(f"`{name}` = {got!r} is not one of the options: {choices}.")
        key = match[0]
        option = self.options[key]
        if not option.defensible:
            raise NotYet(f"{key!r} is hard to defend here: {option.response}")
        others = [k for k, o in self.options.items() if o.defensible and k != key]
        also = (f" Also defensible: {', '.join(repr(k) for k in others)}; each costs something "
                "else (see `solution()`)." if others else "")
        return Outcome(CORRECT, f"{key!r} is defensible. Its trade-off: {option.response}{also}")

    def solution(self) -> None:
        """Every option with its trade-off or the reason against it."""
        if _solutions_withheld():
            return
        lines = "\n".join(f"- **{k}** ({'defensible' if o.defensible else 'hard to defend'}): "
                          f"{o.response}" for k, o in self.options.items())
        _show(Feedback("solution", f"\n{lines}"))


@dataclass
class MatchingProblem(Problem):
    """The answer is a dict mapping each case (key) to one of ``choices``; all must be right.

    ``answers`` maps each case to its choice; ``why`` maps each case to the reason (shown when
    the case is answered wrongly), and ``confusions`` maps (case, wrong choice) to feedback for a
    known, tempting confusion. Choices are compared case-insensitively, ignoring spaces.
    """

    choices: tuple[str, ...] = ()
    answers: Mapping[str, str] = field(default_factory=dict)
    why: Mapping[str, str] = field(default_factory=dict)
    confusions: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.variables) != 1:
            raise ValueError(f"{self.id}: a MatchingProblem has exactly one answer variable")
        if not self.answers or not set(self.answers.values()) <= set(self.choices):
            raise ValueError(f"{self.id}: every answer must be one of the choices")
        if set(self.why) != set(self.answers):
            raise ValueError(f"{self.id}: give a reason (why) for every case")
        for case, wrong in self.confusions:
            if case not in self.answers or wrong not in self.choices:
                raise ValueError(f"{self.id}: confusion {(case, wrong)!r} names an unknown "
                                 "case or choice")

    def _judge(self, values: dict[str, Any]) -> Outcome:
        (name, got), = values.items()
        if not isinstance(got, Mapping):
            raise NotYet(f"`{name}` should be a dict like {{\"a\": \"historical\", ...}}, "
                         f"not a {type(got).__name__}.")
        missing = [k for k in self.answers if k not in got]
        extra = [k for k in got if k not in self.answers]
        if missing or extra:
            raise NotYet(f"`{name}` needs exactly the keys {', '.join(map(repr, self.answers))}"
                         + (f"; missing {', '.join(map(repr, missing))}" if missing else "")
                         + (f"; unexpected {', '.join(map(repr, extra))}" if extra else "")
                         + ".")
        blanks = [k for k in self.answers if got[k] is ____]
        if blanks:
            raise NotYet(f"replace the `____` for {', '.join(map(repr, blanks))} with one of: "
                         f"{', '.join(self.choices)}.")
        chosen: dict[str, str] = {}
        for k in self.answers:
            v = got[k]
            norm = v.strip().lower().replace(" ", "") if isinstance(v, str) else None
            match = [c for c in self.choices if c.lower().replace(" ", "") == norm]
            if not match:
                raise NotYet(f"case {k!r}: {v!r} is not one of the choices "
                             f"({', '.join(self.choices)}).")
            chosen[k] = match[0]
        wrong = [k for k in self.answers if chosen[k] != self.answers[k]]
        if not wrong:
            return Outcome(CORRECT, f"all {len(self.answers)} cases matched.")
        k = wrong[0]
        reason = self.confusions.get((k, chosen[k]), self.why[k])
        right = len(self.answers) - len(wrong)
        raise NotYet(f"{right} of {len(self.answers)} right. Case {k!r} is not "
                     f"{chosen[k]!r}: {reason}")


_REGISTRY: dict[str, Problem] = {}


def register(*problems: Problem) -> tuple[Problem, ...]:
    """Add problems to the course registry (ids must be unique) and return them."""
    bad = [type(p).__name__ for p in problems if not isinstance(p, Problem)]
    if bad or not problems:
        raise TypeError(f"problems must be one or more Problem objects, got {bad or 'none'}")
    for p in problems:
        if p.id in _REGISTRY and _REGISTRY[p.id] is not p:
            raise ValueError(f"exercise id {p.id!r} is registered twice")
        _REGISTRY[p.id] = p
    return problems


def registry() -> dict[str, Problem]:
    """Every registered problem by id (import the notebook modules first)."""
    return dict(_REGISTRY)
