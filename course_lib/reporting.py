"""Turning measured rates into the numbers people are affected by."""

from __future__ import annotations

import math
import numbers


def _number(value: object, name: str, lo: float, hi: float) -> float:
    """Validate a real number in [lo, hi]; TypeError/ValueError naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    v = float(value)
    if math.isnan(v) or not lo <= v <= hi:
        raise ValueError(f"{name} must be in [{lo:g}, {hi:g}], got {value!r}")
    return v


def excess_harm(decisions: float, error_rate_gap: float, group_share: float = 1.0) -> float:
    """Extra wrongful decisions a gap causes: decisions × group_share × error_rate_gap.

    ``decisions`` made (per day, say), ``group_share`` the fraction of them about the group that
    the gap disadvantages, ``error_rate_gap`` its error rate minus the other group's (a fraction).
    """
    d = _number(decisions, "decisions", 0.0, math.inf)
    gap = _number(error_rate_gap, "error_rate_gap", 0.0, 1.0)
    share = _number(group_share, "group_share", 0.0, 1.0)
    return d * share * gap
