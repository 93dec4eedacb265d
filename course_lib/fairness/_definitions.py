"""Group fairness definitions as single numbers: the largest gap between groups in one rate.

Each has fairlearn's meaning (``between_groups``: max over groups − min over groups), so
``demographic_parity_difference`` here equals ``fairlearn.metrics.demographic_parity_difference``.
A definition whose rate is undefined for some group (e.g. a group with no positives for the
true positive rate) is NaN, with an :class:`UndefinedRateWarning`.
"""

from __future__ import annotations

import math
import warnings

from course_lib.fairness._group import UndefinedRateWarning, _check_two_groups, group_report

__all__ = [
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equal_opportunity_difference",
    "equalized_odds_difference",
    "predictive_parity_difference",
]


def _gap(y_true, y_pred, sensitive, rate: str, definition: str) -> float:
    """max_g rate(g) − min_g rate(g), or NaN (and a warning) if a group's rate is undefined."""
    import numpy as np

    r = group_report(y_true, y_pred, sensitive, zero_division=np.nan)[rate]
    _check_two_groups(r.index)
    if r.isna().any():
        groups = ", ".join(repr(g) for g in r.index[r.isna()])
        warnings.warn(f"{definition}: {rate} is undefined for {groups}; the difference is NaN",
                      UndefinedRateWarning, stacklevel=3)
        return math.nan
    return float(r.max() - r.min())


def demographic_parity_difference(y_true, y_pred, sensitive) -> float:
    """Demographic (statistical) parity gap: max_g P(ŷ=1|g) − min_g P(ŷ=1|g); 0 is parity.

    ``y_true`` is not used (kept for fairlearn's signature): parity ignores the outcome.
    """
    return _gap(y_true, y_pred, sensitive, "selection_rate", "demographic parity")


def demographic_parity_ratio(y_true, y_pred, sensitive) -> float:
    """Demographic parity ratio: min_g P(ŷ=1|g) / max_g P(ŷ=1|g); 1 is parity (fairlearn's)."""
    import numpy as np

    sel = group_report(y_true, y_pred, sensitive, zero_division=np.nan)["selection_rate"]
    _check_two_groups(sel.index)
    if sel.max() == 0:
        warnings.warn("demographic parity ratio: no group was selected; the ratio is NaN",
                      UndefinedRateWarning, stacklevel=2)
        return math.nan
    return float(sel.min() / sel.max())


def equal_opportunity_difference(y_true, y_pred, sensitive) -> float:
    """Equal opportunity gap (Hardt et al., 2016): max_g TPR(g) − min_g TPR(g),
    TPR(g) = P(ŷ=1 | y=1, g).

    Hardt et al. define it on the *advantaged* outcome: y = 1 must be the outcome that merits
    the favourable decision ŷ = 1 (repaid, qualified). Where 1 is the harmful label (reoffended,
    flagged high risk), pass ``1 - y_true`` and ``1 - y_pred``: the gap is then the FPR gap.
    """
    return _gap(y_true, y_pred, sensitive, "tpr", "equal opportunity")


def equalized_odds_difference(y_true, y_pred, sensitive) -> float:
    """Equalized odds gap (Hardt et al., 2016), fairlearn's worst case:
    max(max_g TPR − min_g TPR, max_g FPR − min_g FPR)."""
    gaps = [_gap(y_true, y_pred, sensitive, rate, "equalized odds") for rate in ("tpr", "fpr")]
    return math.nan if any(math.isnan(g) for g in gaps) else max(gaps)


def predictive_parity_difference(y_true, y_pred, sensitive) -> float:
    """Predictive parity gap (Chouldechova, 2017): max_g PPV(g) − min_g PPV(g),
    PPV(g) = P(y=1 | ŷ=1, g)."""
    return _gap(y_true, y_pred, sensitive, "ppv", "predictive parity")
