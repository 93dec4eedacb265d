"""Tests for course_lib.synth._lending: synthetic loan applications with a known default model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from course_lib.synth import DEFAULT_LOGIT, LENDING_FEATURES, LENDING_SPECS, make_lending


def test_columns_types_ranges_and_determinism():
    df = make_lending(3000, random_state=1)
    assert list(df.columns) == [*LENDING_FEATURES, "default"]
    assert len(df) == 3000 and isinstance(df.index, pd.RangeIndex)
    assert df["default"].dtype == np.int64 and set(df["default"]) == {0, 1}
    assert df["recent_late_payments"].dtype == np.int64
    assert df["debt_to_income"].between(0.02, 0.85).all()
    assert (df["loan_amount"] >= 1).all() and (df["income"] > 0).all()
    assert (df["credit_history_years"] >= 0).all() and (df["open_credit_lines"] >= 1).all()
    assert 8 < df["credit_history_years"].mean() < 20 and 40 < df["income"].median() < 60
    pd.testing.assert_frame_equal(df, make_lending(3000, random_state=1))
    assert not df.equals(make_lending(3000, random_state=2))
    assert set(LENDING_SPECS) == set(LENDING_FEATURES)


def test_default_rate_and_realistic_correlations():
    df = make_lending(20000, random_state=0)
    assert 0.12 < df["default"].mean() < 0.22
    corr = df.corr()
    assert corr.loc["income", "loan_amount"] > 0.4
    assert corr.loc["loan_amount", "debt_to_income"] > 0.3
    assert corr.loc["credit_history_years", "open_credit_lines"] > 0.4
    assert corr.loc["debt_to_income", "recent_late_payments"] > 0.1
    assert corr.loc["debt_to_income", "default"] > 0.2


def test_a_logistic_fit_recovers_the_documented_process():
    df = make_lending(40000, random_state=3)
    terms = pd.DataFrame({
        "dti": df["debt_to_income"] - 0.30, "late": df["recent_late_payments"],
        "history": df["credit_history_years"] - 10, "employment": df["employment_years"] - 5,
        "income": np.log(df["income"] / 50),
        "ratio": df["loan_amount"] / df["income"] - 0.25,
        "lines": df["open_credit_lines"] - 6})
    fit = LogisticRegression(C=np.inf, max_iter=5000).fit(terms, df["default"])
    coef = dict(zip(terms.columns, fit.coef_[0], strict=True))
    assert coef["dti"] == pytest.approx(DEFAULT_LOGIT["debt_to_income - 0.30"], abs=0.8)
    assert coef["late"] == pytest.approx(DEFAULT_LOGIT["recent_late_payments"], abs=0.1)
    assert coef["history"] == pytest.approx(DEFAULT_LOGIT["credit_history_years - 10"], abs=0.02)
    assert fit.intercept_[0] == pytest.approx(DEFAULT_LOGIT["intercept"], abs=0.15)


@pytest.mark.parametrize("kwargs, err", [({"n": 0}, ValueError), ({"n": 2.5}, TypeError),
                                         ({"n": 10, "random_state": -1}, ValueError)])
def test_bad_input(kwargs, err):
    with pytest.raises(err, match="n|random_state"):
        make_lending(**kwargs)
