"""Notebook 10's explorer: the review band's bounds to workload and decisions by group, headless."""

import numpy as np
import pandas as pd
import pytest

from course_lib.reporting import (
    REVIEWERS,
    band_decisions,
    explore_review_band,
    review_summary,
    route_decisions,
)


@pytest.fixture(scope="module")
def data():
    """Women's scores lie lower than men's and their creditworthy ones are missed more."""
    rng = np.random.default_rng(0)
    n = 4000
    sex = np.where(rng.random(n) < 0.35, "Female", "Male")
    y = (rng.random(n) < np.where(sex == "Male", 0.3, 0.12)).astype(int)
    p = np.clip(rng.beta(2, 5, n) + np.where(sex == "Male", 0.25, 0.15) * y, 0, 1)
    return y, p, pd.Series(sex, name="sex")


def test_the_default_band_is_review_summarys_band_of_a_tenth(data):
    y, p, sex = data
    table = band_decisions(y, p, sex, lower=0.4, upper=0.6)
    summary = review_summary(y, p, sex, band=0.1)
    assert np.allclose(table["share_reviewed"], summary.loc[table.index, "share_reviewed"])
    assert np.allclose(table["accuracy_automated"],
                       summary.loc[table.index, "accuracy_automated"], equal_nan=True)
    ex = explore_review_band(y, p, sex)
    assert ex.view.table.equals(table.round(3))
    assert ex.view._repr_png_().startswith(b"\x89PNG")
    assert "sent to a person" in ex.view.note


def test_the_resulting_decisions_follow_the_reviewer(data):
    y, p, sex = data
    stamp = band_decisions(y, p, sex, lower=0.2, upper=0.6, reviewer="model")
    model = (p >= 0.5).astype(int)
    for g in ("Female", "Male"):  # a rubber stamp leaves the model's own rates
        m = (sex == g).to_numpy()
        assert stamp.loc[g, "tpr"] == pytest.approx(model[m & (y == 1)].mean())
        assert stamp.loc[g, "fpr"] == pytest.approx(model[m & (y == 0)].mean())
        assert stamp.loc[g, "accuracy"] == pytest.approx((model[m] == y[m]).mean())
    right = band_decisions(y, p, sex, lower=0.2, upper=0.6, reviewer="right")
    assert (right["tpr"] >= stamp["tpr"]).all() and (right["fpr"] <= stamp["fpr"]).all()
    review = route_decisions(p, threshold=0.4, band=0.2) == "human review"
    assert right.loc["all", "share_reviewed"] == pytest.approx(review.mean())


def test_lowering_the_lower_bound_reaches_the_false_declines(data):
    y, p, sex = data
    ex = explore_review_band(y, p, sex)
    before = ex.view.table.copy()
    after = ex.set(lower=0.15).table
    for g in ("Female", "Male", "all"):
        assert after.loc[g, "share_reviewed"] > before.loc[g, "share_reviewed"]
        assert after.loc[g, "false_declines_reviewed"] > before.loc[g, "false_declines_reviewed"]
        assert after.loc[g, "tpr"] > before.loc[g, "tpr"]  # the reviewer (always right) approves
    # raising the upper bound reviews approvals: no false decline more is reached
    up = ex.set(lower=0.4, upper=0.9).table
    assert (up["false_declines_reviewed"] == before["false_declines_reviewed"]).all()
    assert (up["fpr"] < before["fpr"]).all()
    ex.set(reviewer=REVIEWERS["agrees with the model (rubber stamp)"])
    assert ex.view.table.loc["all", "tpr"] == pytest.approx(((p >= 0.5) & (y == 1)).sum()
                                                            / (y == 1).sum(), abs=5e-4)


def test_a_band_of_no_width_reviews_nobody(data):
    y, p, sex = data
    table = band_decisions(y, p, sex, lower=0.5, upper=0.5)
    assert (table["share_reviewed"] == 0).all() and (table["false_declines_reviewed"] == 0).all()


@pytest.mark.parametrize("kw, words", [({"lower": 0.6}, "lower"), ({"upper": 0.3}, "upper"),
                                       ({"reviewer": "oracle"}, "reviewer")])
def test_bad_input_is_named(data, kw, words):
    y, p, sex = data
    with pytest.raises(ValueError, match=words):
        band_decisions(y, p, sex, **kw)
