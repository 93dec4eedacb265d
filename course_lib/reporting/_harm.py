"""Turning measured rates into the numbers people are affected by."""

from __future__ import annotations

import math

from course_lib._validate import check_real

__all__ = ["as_text", "excess_harm"]


def excess_harm(decisions: float, error_rate_gap: float, group_share: float = 1.0) -> float:
    """Extra wrongful decisions a gap causes: decisions × group_share × error_rate_gap.

    ``decisions`` made (per day, say), ``group_share`` the fraction of them about the group that
    the gap disadvantages, ``error_rate_gap`` its error rate minus the other group's (a fraction).
    """
    d = check_real(decisions, "decisions", 0.0, math.inf, hi_open=True)
    gap = check_real(error_rate_gap, "error_rate_gap", 0.0, 1.0)
    share = check_real(group_share, "group_share", 0.0, 1.0)
    return d * share * gap


def as_text(values, digits: int = 2, *, percent: bool = False):
    """Floats as fixed-precision strings ("0.12", or "12.3%" with ``percent``), NaN as "n/a".

    Works on a number, a Series or a DataFrame (other cells are left as they are), so a notebook
    prints the same text on every run (DEVELOPERS.md rule 4: never print raw floats).
    """
    import numbers

    from course_lib._validate import check_int

    digits = check_int(digits, "digits", 0)

    def one(v):
        if not isinstance(v, numbers.Real) or isinstance(v, numbers.Integral):  # bools too
            return v
        if math.isnan(v):
            return "n/a"
        return f"{100 * v:.{digits}f}%" if percent else f"{v:.{digits}f}"

    if hasattr(values, "map"):  # pandas Series or DataFrame
        return values.map(one)
    if not isinstance(values, numbers.Real) or isinstance(values, bool):
        kind = type(values).__name__
        raise TypeError(f"values must be a number, Series or DataFrame, got {kind}")
    return one(float(values))
