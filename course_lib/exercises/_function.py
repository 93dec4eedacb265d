"""Implement-the-core exercises: the learner writes a small function; hidden cases check it.

The learner's cell defines the function (its starter body returns ``____``); ``q.check()`` calls
it on every ``Case`` the learner does not see, edge cases included (an empty group, a zero
division), and names the first case that fails, what it returned and what was expected, with
the feedback a known mistake on that case earns, or the near-miss layer's.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from course_lib.exercises._core import (
    CORRECT,
    GENERIC,
    NotYet,
    Outcome,
    Problem,
    _Blank,
)
from course_lib.exercises._nearmiss import check_units, near_miss


@dataclass(frozen=True)
class Case:
    """One hidden test: the arguments, the expected result, and known mistakes' results.

    ``expected`` may be omitted when the problem has a ``reference`` function. ``mistakes`` maps
    a result a known mistake returns on this case to the feedback that explains it.
    """

    label: str
    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    expected: Any = None
    mistakes: tuple[tuple[Any, str], ...] = ()


def _plain(x: Any) -> Any:
    """Numbers, sequences and mappings as plain Python (numpy, pandas and torch included)."""
    if isinstance(x, str):
        return str(x)  # numpy's str_ too, so feedback shows 'Female', not np.str_('Female')
    if isinstance(x, bool) or x is None:
        return bool(x) if x is not None else None
    if hasattr(x, "detach"):  # a torch tensor
        x = x.detach().cpu().numpy()
    if hasattr(x, "to_dict") and hasattr(x, "index"):  # a pandas Series or DataFrame
        return _plain(x.to_dict())
    if hasattr(x, "tolist"):  # a numpy array or scalar
        return _plain(x.tolist())
    if isinstance(x, Mapping):
        return {_plain(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, numbers.Real):
        return float(x)
    return x


def same(got: Any, expected: Any, rel_tol: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    """Equal as numbers within tolerance (NaN equals NaN), recursively through containers."""
    g, e = _plain(got), _plain(expected)
    if isinstance(e, float) or isinstance(g, float):
        if not (isinstance(g, float) and isinstance(e, float)):
            return False
        if math.isnan(g) or math.isnan(e):
            return math.isnan(g) and math.isnan(e)
        return math.isclose(g, e, rel_tol=rel_tol, abs_tol=abs_tol)
    if isinstance(e, dict):
        return (isinstance(g, dict) and set(g) == set(e)
                and all(same(g[k], e[k], rel_tol, abs_tol) for k in e))
    if isinstance(e, list):
        return (isinstance(g, list) and len(g) == len(e)
                and all(same(a, b, rel_tol, abs_tol) for a, b in zip(g, e, strict=True)))
    return g == e


def _short(x: Any, limit: int = 90, plain: bool = True) -> str:
    text = repr(_plain(x) if plain else x)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _contains_blank(x: Any) -> bool:
    if isinstance(x, _Blank):
        return True
    if isinstance(x, (list, tuple)):
        return any(_contains_blank(v) for v in x)
    if isinstance(x, Mapping):
        return any(_contains_blank(v) for v in x.values())
    return False


@dataclass
class FunctionProblem(Problem):
    """The answer is a function the learner writes; ``cases`` check it (see module docstring)."""

    cases: tuple[Case, ...] = ()
    reference: Callable[..., Any] | None = None
    rel_tol: float = 1e-6
    abs_tol: float = 1e-9
    units: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.variables) != 1:
            raise ValueError(f"{self.id}: a FunctionProblem checks exactly one function")
        if not self.cases:
            raise ValueError(f"{self.id}: a FunctionProblem needs at least one case")
        if self.reference is None and any(c.expected is None for c in self.cases):
            raise ValueError(f"{self.id}: give every case an expected value, or a reference")
        check_units(self.units)

    def expected_for(self, case: Case) -> Any:
        """The case's expected result: its own, or the reference function's on its arguments."""
        if case.expected is not None:
            return case.expected
        return self.reference(*copy.deepcopy(case.args), **copy.deepcopy(dict(case.kwargs)))

    def _judge(self, values: dict[str, Any]) -> Outcome:
        (name, fn), = values.items()
        if not callable(fn):
            raise NotYet(f"`{name}` should be the function you define with `def {name}(...):`, "
                         f"not a {type(fn).__name__}.")
        for case in self.cases:
            args = copy.deepcopy(case.args)
            kwargs = copy.deepcopy(dict(case.kwargs))
            try:
                got = fn(*args, **kwargs)
            except Exception as exc:  # the learner's function failed on this case
                extra = (" Guard the division: scikit-learn's convention (zero_division=0) "
                         "returns 0.0 when the denominator is empty."
                         if isinstance(exc, ZeroDivisionError) else "")
                raise NotYet(f"case {case.label!r}: your function raised "
                             f"{type(exc).__name__}: {exc}.{extra}") from None
            if _contains_blank(got):
                raise NotYet(f"`{name}` still returns `____`: write its body, then run the cell "
                             "that defines it and this one again.")
            expected = self.expected_for(case)
            if same(got, expected, self.rel_tol, self.abs_tol):
                continue
            shown_args = _short(args, plain=False)[1:-1].rstrip(",") or "no arguments"
            where = (f"case {case.label!r}: with {shown_args} your function returned "
                     f"{_short(got)}; expected {_short(expected)}")
            for wrong, why in case.mistakes:
                if same(got, wrong, self.rel_tol, self.abs_tol):
                    raise NotYet(f"{where}. {why}")
            g, e = _plain(got), _plain(expected)
            if isinstance(g, float) and math.isnan(g) and not math.isnan(e):
                raise NotYet(f"{where}. NaN means a 0/0 somewhere: follow the zero_division "
                             "convention the docstring gives.")
            if isinstance(g, float) and isinstance(e, float):
                miss = near_miss(g, e, units=self.units, rel_tol=self.rel_tol,
                                 abs_tol=self.abs_tol)
                if miss:
                    raise NotYet(f"{where}: {miss}")
            if isinstance(e, list) and len(e) > 1 and same(g, e[::-1], self.rel_tol,
                                                           self.abs_tol):
                raise NotYet(f"{where}. The values are right but swapped: return them in the "
                             "order the docstring gives.")
            if isinstance(e, (list, dict)) and type(g) is not type(e):
                raise NotYet(f"{where}. Return the same kind of value as the docstring "
                             f"asks for ({type(expected).__name__}).")
            raise NotYet(f"{where}; that {GENERIC}. Try `hint()`.")
        labels = ", ".join(c.label for c in self.cases)
        return Outcome(CORRECT, f"`{name}` passes all {len(self.cases)} cases ({labels}).")


__all__ = ["Case", "FunctionProblem", "same"]
