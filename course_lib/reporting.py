"""Turning measured rates into the numbers people are affected by."""

from __future__ import annotations

import math

from course_lib._validate import check_real


def excess_harm(decisions: float, error_rate_gap: float, group_share: float = 1.0) -> float:
    """Extra wrongful decisions a gap causes: decisions × group_share × error_rate_gap.

    ``decisions`` made (per day, say), ``group_share`` the fraction of them about the group that
    the gap disadvantages, ``error_rate_gap`` its error rate minus the other group's (a fraction).
    """
    d = check_real(decisions, "decisions", 0.0, math.inf)
    gap = check_real(error_rate_gap, "error_rate_gap", 0.0, 1.0)
    share = check_real(group_share, "group_share", 0.0, 1.0)
    return d * share * gap
