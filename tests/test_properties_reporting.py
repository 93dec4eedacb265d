"""Property-based bad-input tests for course_lib.reporting (see tests/_properties.py)."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from _properties import GROUPS, LABELS, PROBS, Case, labelled, property_tests, public_functions

from course_lib import reporting as R

_TEXT = dict(dataset="adult", details="x", intended_uses=["x"], out_of_scope_uses=["x"],
             fairness_definition="equal opportunity", fairness_rationale="x",
             explanations=["x"], privacy_measures=["x"], failure_modes=["x"],
             monitoring_plan=["x"], appeal_path=["x"], n_resamples=20, random_state=0)


@st.composite
def _review(draw):
    yt, _, s = draw(labelled())
    p = np.array(draw(st.lists(st.floats(0, 1), min_size=len(yt), max_size=len(yt))))
    return dict(y_true=yt, proba=p, sensitive=s, threshold=0.5, band=0.1)


_ITEMS = st.just(None).map(lambda _: R.load_checklist())
_RATE = st.floats(0, 1)

CASES = {
    "excess_harm": Case(R.excess_harm, st.fixed_dictionaries(
        {"decisions": st.floats(0, 1e6), "error_rate_gap": _RATE, "group_share": _RATE}),
        {"decisions": ("real_inf",), "error_rate_gap": ("real_inf",),
         "group_share": ("real_inf",)}),
    "as_text": Case(R.as_text, st.fixed_dictionaries(
        {"values": st.one_of(_RATE, st.just(pd.Series([0.1, np.nan]))), "digits": st.just(2)}),
        {"values": ("frame",), "digits": ("int",)}),
    "format_interval": Case(R.format_interval, st.fixed_dictionaries(
        {"estimate": _RATE, "lo": _RATE, "hi": _RATE}),
        {"estimate": ("frame",), "lo": ("frame",), "hi": ("frame",), "digits": ("int",)}),
    "route_decisions": Case(R.route_decisions, _review().map(
        lambda d: dict(proba=d["proba"], threshold=0.5, band=0.1)),
        {"proba": ("nonfinite", "strings", "empty", "2d", "unit"), "threshold": ("real_inf",),
         "band": ("real_inf",)}),
    "review_summary": Case(R.review_summary, _review(),
                           {"y_true": LABELS, "proba": PROBS, "sensitive": GROUPS,
                            "threshold": ("real_inf",), "band": ("real_inf",)}),
    "model_card": Case(R.model_card, labelled().map(lambda t: dict(
        name="Loan model", y_true=t[0], y_pred=t[1], sensitive=t[2], **_TEXT)),
        {"y_true": LABELS, "y_pred": LABELS, "sensitive": GROUPS, "name": ("name",),
         "ci": ("real_inf",), "n_resamples": ("int",), "random_state": ("int",),
         "dataset": ("str",)}, names={"dataset": ("Unknown dataset",)}),
    "set_status": Case(R.set_status, _ITEMS.map(lambda items: dict(
        items=items, item_id=items[0].id, status=R.STATUSES[0])),
        {"items": ("str",), "item_id": ("str",), "status": ("str",)}),
    "checklist_table": Case(R.checklist_table, _ITEMS.map(lambda items: dict(items=items)),
                            {"items": ("str",)}),
    "gaps_by_owner": Case(R.gaps_by_owner, _ITEMS.map(lambda items: dict(items=items)),
                          {"items": ("str",)}),
    "ai_act_tier": Case(R.ai_act_tier, st.sampled_from(R.TIERS).map(
        lambda n: dict(name=n)), {"name": ("str",)}),
    "obligations": Case(R.obligations, st.sampled_from(R.TIERS).map(
        lambda n: dict(tier=n)), {"tier": ("str",)}),
    "ai_act_timeline": Case(R.ai_act_timeline, st.just({"as_of": "2026-01-01"}),
                            {"as_of": ("str",)}),
}
EXEMPT = {"ai_act_penalties": "no arguments", "appeal_path": "no arguments",
          "gdpr_art22": "no arguments",
          "load_checklist": "no arguments", "nist_ai_rmf": "no arguments",
          "regulation": "no arguments", "scenarios": "no arguments"}

(test_valid_input_is_accepted, test_bad_input_is_rejected_naming_the_argument,
 test_bad_input_is_rejected_naming_the_argument_slow) = property_tests(CASES)


def test_every_public_function_is_covered():
    assert public_functions(R, EXEMPT) == sorted(CASES)


# ---------------------------------------------------------------- regressions (bugs found here)
def test_review_summary_rejects_a_missing_group():
    """Before: a NaN group got a row of its own with n = 0 and 0/0 = NaN shares (a
    RuntimeWarning); None got a group called "None"."""
    with pytest.raises(ValueError, match="sensitive contains missing values"):
        R.review_summary([0, 1, 1], [0.2, 0.5, 0.9], pd.Series(["a", None, "b"]))


def test_model_card_rejects_missing_or_2d_groups():
    """Before: None/NaN groups became a group called "None"/"nan", and a 2-D sensitive one
    group per distinct row, both silently."""
    args = dict(y_true=[0, 1, 0, 1], y_pred=[0, 1, 1, 1], **_TEXT)
    with pytest.raises(ValueError, match="sensitive contains missing values"):
        R.model_card("m", sensitive=pd.Series(["a", None, "b", "b"]), **args)
    with pytest.raises(ValueError, match="sensitive must be 1-D"):
        R.model_card("m", sensitive=np.zeros((4, 2)), **args)


def test_obligations_names_its_argument():
    """Before: obligations("x") said "name must be one of ...", naming ai_act_tier's argument."""
    with pytest.raises(ValueError, match="tier must be one of"):
        R.obligations("x")


def test_format_interval_checks_its_arguments():
    """Before: digits="1" raised format()'s ValueError and estimate="x" math.isnan's TypeError,
    neither naming the argument."""
    with pytest.raises(TypeError, match="digits must be an int"):
        R.format_interval(0.1, 0.0, 0.2, digits="1")
    with pytest.raises(TypeError, match="estimate must be a real number"):
        R.format_interval("x", 0.0, 0.2)
    assert R.format_interval(float("nan"), 0.0, 0.2) == "n/a [0.0%, 20.0%]"
