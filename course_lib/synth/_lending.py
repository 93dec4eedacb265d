"""Synthetic loan applications with the features a lender's adverse-action notice names.

No real applicant is described: every row is drawn from the documented process in
``make_lending``, with realistic ranges and correlations (older applicants have longer credit
histories, larger incomes take larger loans, debt-to-income rises with the loan's size), and the
outcome ``default`` follows a logistic model of the features, so the true drivers are known.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from course_lib._validate import check_int as _int
from course_lib._validate import rng_streams as _streams
from course_lib.explain._reasons import FeatureSpec

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LENDING_FEATURES", "LENDING_SPECS", "DEFAULT_LOGIT", "make_lending"]

LENDING_FEATURES: tuple[str, ...] = (
    "income", "loan_amount", "debt_to_income", "credit_history_years", "employment_years",
    "recent_late_payments", "open_credit_lines")

# The true process: logit P(default) = intercept + Σ coef · term (see make_lending).
DEFAULT_LOGIT: dict[str, float] = {
    "intercept": -1.9,
    "debt_to_income - 0.30": 6.0,
    "recent_late_payments": 0.65,
    "credit_history_years - 10": -0.06,
    "employment_years - 5": -0.05,
    "log(income / 50)": -0.5,
    "loan_amount / income - 0.25": 1.0,
    "open_credit_lines - 6": 0.04,
}

# Wording for reason codes and what a counterfactual may change (units: $ thousands, years).
LENDING_SPECS: dict[str, FeatureSpec] = {
    "income": FeatureSpec("Annual income", "${:,.0f}k", high="high", low="too low",
                          change="none", lo=0.0),
    "loan_amount": FeatureSpec("Loan amount", "${:,.1f}k", high="too large", low="small",
                               change="down", step=0.5, max_change=20.0, lo=1.0),
    "debt_to_income": FeatureSpec("Debt-to-income ratio", "{:.0%}", high="too high",
                                  low="low", change="down", step=0.01, max_change=0.20,
                                  lo=0.0),
    "credit_history_years": FeatureSpec("Length of credit history", "{:.1f} years",
                                        high="long", low="too short", change="up", step=0.5,
                                        max_change=2.0),
    "employment_years": FeatureSpec("Time in current employment", "{:.1f} years", high="long",
                                    low="too short", change="up", step=0.5, max_change=2.0),
    "recent_late_payments": FeatureSpec("Recent late payments", "{:.0f}", high="too many",
                                        low="few", change="down", step=1.0, max_change=2.0,
                                        lo=0.0),
    "open_credit_lines": FeatureSpec("Open credit lines", "{:.0f}", high="too many",
                                     low="too few", change="both", step=1.0, max_change=3.0,
                                     lo=0.0),
}

_STREAMS = ("age", "history", "employment", "income", "loan", "dti", "late", "lines", "outcome")


def make_lending(n: int = 5000, *, random_state: int = 0) -> pd.DataFrame:
    """Synthetic loan applications and whether each loan defaulted (1) within two years.

    SYNTHETIC: the rows describe no one. Columns (money in $ thousands, times in years):
    ``income`` (log-normal, median about 50, rising with age and employment), ``loan_amount``
    (log-normal, about a quarter of income), ``debt_to_income`` (0.02-0.85, rising with
    loan/income), ``credit_history_years`` (0 to age − 18), ``employment_years``,
    ``recent_late_payments`` (Poisson, more at high debt-to-income), ``open_credit_lines``
    (Poisson, more with a longer history) and ``default``, drawn with
    logit P(default) = −1.9 + 6.0·(dti − 0.30) + 0.65·late − 0.06·(history − 10)
    − 0.05·(employment − 5) − 0.5·log(income/50) + 1.0·(loan/income − 0.25)
    + 0.04·(lines − 6) (``DEFAULT_LOGIT``); about one loan in six defaults.
    """
    import pandas as pd

    n = _int(n, "n", 1)
    rng = _streams(_int(random_state, "random_state", 0), _STREAMS)
    age = np.clip(21 + rng["age"].gamma(4.0, 5.0, n), 21, 75)
    history = np.round((age - 18) * rng["history"].beta(3.0, 2.0, n), 1)
    employment = np.round(np.minimum(age - 18, rng["employment"].gamma(1.5, 4.0, n)), 1)
    income = np.round(np.exp(np.log(42) + 0.008 * (age - 40) + 0.02 * employment
                             + 0.4 * rng["income"].standard_normal(n)), 1)
    loan = np.round(np.clip(0.25 * income * np.exp(0.5 * rng["loan"].standard_normal(n)),
                            1.0, 150.0), 1)
    dti = np.round(np.clip(0.55 * rng["dti"].beta(2.0, 5.0, n) + 0.5 * loan / income,
                           0.02, 0.85), 2)
    late = np.minimum(rng["late"].poisson(np.exp(-1.3 + 3.0 * (dti - 0.3))), 8)
    lines = np.minimum(1 + rng["lines"].poisson(2.0 + history / 4), 25)
    c = DEFAULT_LOGIT
    logit = (c["intercept"] + c["debt_to_income - 0.30"] * (dti - 0.30)
             + c["recent_late_payments"] * late
             + c["credit_history_years - 10"] * (history - 10)
             + c["employment_years - 5"] * (employment - 5)
             + c["log(income / 50)"] * np.log(income / 50)
             + c["loan_amount / income - 0.25"] * (loan / income - 0.25)
             + c["open_credit_lines - 6"] * (lines - 6))
    default = (rng["outcome"].random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return pd.DataFrame({
        "income": income, "loan_amount": loan, "debt_to_income": dti,
        "credit_history_years": history, "employment_years": employment,
        "recent_late_payments": late.astype(np.int64),
        "open_credit_lines": lines.astype(np.int64), "default": default,
    })
