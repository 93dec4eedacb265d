"""Property-based bad-input tests for course_lib.reporting (see tests/_properties.py)."""

from __future__ import annotations

from functools import partial

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from _properties import (
    FAST,
    GROUPS,
    KINDS,
    LABELS,
    PROBS,
    SCORES,
    Case,
    assert_rejects,
    labelled,
    property_tests,
    public_functions,
)
from hypothesis import given, settings

from course_lib import reporting as R
from course_lib.exercises import ____

_TEXT = dict(dataset="adult", details="x", intended_uses=["x"], out_of_scope_uses=["x"],
             fairness_definition="equal opportunity", fairness_rationale="x",
             explanations=["x"], privacy_measures=["x"], failure_modes=["x"],
             monitoring_plan=["x"], appeal_path=["x"], n_resamples=20, random_state=0)


@st.composite
def _review(draw):
    yt, _, s = draw(labelled())
    p = np.array(draw(st.lists(st.floats(0, 1), min_size=len(yt), max_size=len(yt))))
    return dict(y_true=yt, proba=p, sensitive=s, threshold=0.5, band=0.1)


# ---------------------------------------------------------------- corruptions used only here
def _scores_corruptions(value) -> list:
    """Not a {model name: scores} dict: None, empty, a string, a list, or a model's scores with
    NaN, text or one value too few."""
    name, s = next(iter(value.items()))
    nan = np.asarray(s, dtype=float).copy()
    nan[0] = np.nan
    return [None, {}, "scores", [s], {**value, name: nan},
            {**value, name: np.asarray(s).astype(str)}, {**value, name: s[:-1]}]


def _audit_scores_corruptions(value) -> list:
    """As ``_scores_corruptions``, and the baseline's scores missing (the audit compares to it)."""
    return [*_scores_corruptions(value), {k: v for k, v in value.items() if k != "baseline"}]


def _model_corruptions(value) -> list:
    """A model name that is not a key of scores (or not hashable)."""
    return ["no-such-model", 3, ["baseline"]]


def _definition_corruptions(value) -> list:
    """A definition the audit does not know (None is valid here: one threshold for all)."""
    return ["no-such-definition", 3, "calibration"]


def _columns_corruptions(value) -> list:
    """Not a list of column names: one name as a string, None, numbers, a nested list."""
    return ["age", None, 3, [1, 2], [["age"]]]


def _features_corruptions(value) -> list:
    """German credit features lacking a worded column, with an unknown one, or with a
    categorical column as text."""
    return [value.drop(columns="purpose"), value.assign(postcode=1),
            value.assign(housing=value["housing"].astype(str))]


def _folds_corruptions(value) -> list:
    """Not (train rows, test rows) pairs of row numbers: a string, None, empty, a single array,
    a row past the end, fractional or negative rows, an empty test set."""
    train, test = value[0]
    return ["folds", None, [], [(train,)], [(train, test + 1000)], [(train + 0.5, test)],
            [(train, test - 1000)], [(train, test[:0])]]


def _listed(corruptions):
    """A kind drawing one of ``corruptions(value)``; a test below also tries every one."""
    return lambda value: st.sampled_from(corruptions(value))


_LISTED = {"scores": _scores_corruptions, "audit_scores": _audit_scores_corruptions,
           "model": _model_corruptions,
           "definition": _definition_corruptions, "columns": _columns_corruptions,
           "features": _features_corruptions, "folds": _folds_corruptions}
for _name, _fn in _LISTED.items():
    KINDS.setdefault(f"reporting_{_name}", _listed(_fn))
_K = {name: f"reporting_{name}" for name in _LISTED}


# ---------------------------------------------------------------- valid data of the audit
@st.composite
def _band(draw, reviewer: bool = True):
    d = draw(_review())
    t = draw(st.floats(0.2, 0.8))
    out = dict(y_true=d["y_true"], proba=d["proba"], sensitive=d["sensitive"], threshold=t,
               lower=draw(st.floats(0.0, t)), upper=draw(st.floats(t, 1.0)))
    if reviewer:
        out["reviewer"] = draw(st.sampled_from(list(R.REVIEWERS.values())))
    return out


@st.composite
def _audit(draw, n_scores: int = 3):
    yt, yp, g = draw(labelled())
    names = ["baseline", "reweighing", "fairness penalty"][:n_scores]
    scores = {name: np.array(draw(st.lists(st.floats(0, 1), min_size=len(yt),
                                           max_size=len(yt)))) for name in names}
    return dict(y_true=yt, y_pred=yp, scores=scores, groups=g)


def _credit_frame(ages) -> pd.DataFrame:
    return pd.DataFrame({"age": np.asarray(ages, dtype=float), "duration": len(ages) * [12]})


_FEATURES: list[pd.DataFrame] = []


def _features() -> pd.DataFrame:
    if not _FEATURES:
        from course_lib.data import load_german_credit

        _FEATURES.append(load_german_credit().drop(
            columns=["credit", "age", "sex", "personal_status", "foreign_worker"]).head(30))
    return _FEATURES[0]


def _fold_fit(x, rows, k):
    """An untrained seeded MLP: out_of_fold only needs a model with predict_proba's interface."""
    import torch

    from course_lib.models import MLP

    torch.manual_seed(k)
    return MLP(x.shape[1], hidden=(2,))


@st.composite
def _out_of_fold(draw):
    from sklearn.model_selection import KFold

    n = draw(st.integers(4, 12))
    rng = np.random.default_rng(draw(st.integers(0, 3)))
    features = pd.DataFrame({"a": rng.normal(size=n), "c": pd.Categorical(
        rng.choice(["x", "y"], n))})
    folds = list(KFold(draw(st.integers(2, 3))).split(features))
    return dict(fit=_fold_fit, features=features, folds=folds,
                make_encoder=partial(R.credit_encoder, ["a"], ["c"]), desc="folds")


_CHOICES = [(name, option) for name, options in (
    ("attribute", R.ATTRIBUTES), ("definition", R.DEFINITIONS), ("mitigation", R.MITIGATIONS),
    ("operating_point", R.OPERATING_POINTS)) for option in [*options, ____]]

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
    # notebook 10's explorer of the review band, and its table
    "band_decisions": Case(R.band_decisions, _band(),
                           {"y_true": LABELS, "proba": PROBS, "sensitive": GROUPS,
                            "lower": ("real_inf",), "upper": ("real_inf",),
                            "threshold": ("real_inf",), "reviewer": ("str",)}),
    "explore_review_band": Case(R.explore_review_band, _band(reviewer=False),
                                {"y_true": LABELS, "proba": PROBS, "sensitive": GROUPS,
                                 "lower": ("real_inf",), "upper": ("real_inf",),
                                 "threshold": ("real_inf",)}, slow=True),
    # notebook 11: the audit's choices, decisions, model inputs and operating-point explorer
    "audit_choice": Case(R.audit_choice, st.sampled_from(_CHOICES).map(
        lambda c: dict(value=c[1], name=c[0], quiet=True)),
        {"value": ("str",), "name": ("str",)}, names={"value": tuple(R.REFERENCE_CHOICES)}),
    "audit_groups": Case(R.audit_groups, st.builds(
        lambda ages, a: dict(credit=_credit_frame(ages), attribute=a),
        st.lists(st.integers(18, 75), min_size=1, max_size=8), st.sampled_from(
            list(R.ATTRIBUTES))), {"credit": ("frame", "nonfinite", "empty"),
                                   "attribute": ("str",)}),
    "audited_group": Case(R.audited_group, st.builds(
        lambda pair, seed: dict(groups=np.random.default_rng(seed).permutation(
            np.array([*pair, *pair], dtype=object))),
        st.sampled_from(list(R.ATTRIBUTES.values())), st.integers(0, 3)),
        {"groups": ("missing", "single", "2d", "empty")}),
    "definition_gap": Case(R.definition_gap, st.builds(
        lambda t, d: dict(y_true=t[0], y_pred=t[1], groups=t[2], definition=d), labelled(),
        st.sampled_from(list(R.DEFINITIONS))),
        {"y_true": LABELS, "y_pred": LABELS, "groups": (*GROUPS, "single"),
         "definition": ("str",)}),
    "approval_rate_for": Case(R.approval_rate_for, st.builds(
        lambda p, v: dict(operating_point=p, volume=v), st.sampled_from(
            list(R.OPERATING_POINTS)), _RATE),
        {"operating_point": ("str",), "volume": ("real_inf",)}),
    "decide": Case(R.decide, st.builds(
        lambda a, r, d: dict(y_true=a["y_true"], scores=a["scores"]["baseline"],
                             groups=a["groups"], approval_rate=r, per_group=d),
        _audit(1), _RATE, st.sampled_from([None, *R.DEFINITIONS])),
        {"y_true": LABELS, "scores": SCORES, "groups": GROUPS, "approval_rate": ("real_inf",),
         "per_group": (_K["definition"],)}, names={"per_group": ("definition",)}),
    "audit_decisions": Case(R.audit_decisions, st.builds(
        lambda a, m, r, d: dict(y_true=a["y_true"], scores=a["scores"], groups=a["groups"],
                                mitigation=m, approval_rate=r, definition=d),
        _audit(), st.sampled_from(R.MITIGATIONS), _RATE, st.sampled_from(list(R.DEFINITIONS))),
        {"y_true": LABELS, "scores": (_K["audit_scores"],), "groups": GROUPS,
         "mitigation": ("str",), "approval_rate": ("real_inf",), "definition": ("str",)}),
    "credit_encoder": Case(R.credit_encoder, st.builds(
        lambda n, c: dict(numeric=n, categorical=c), st.lists(st.sampled_from(
            ["duration", "credit_amount"]), max_size=2), st.lists(st.just("housing"),
                                                                  max_size=1)),
        {"numeric": (_K["columns"],), "categorical": (_K["columns"],)}),
    "credit_feature_specs": Case(R.credit_feature_specs, st.integers(1, 30).map(
        lambda n: dict(features=_features().head(n))),
        {"features": ("frame", _K["features"])}),
    "out_of_fold": Case(R.out_of_fold, _out_of_fold(),
                        {"fit": ("callable",), "features": ("frame",),
                         "folds": (_K["folds"],), "make_encoder": ("callable",)}),
    "explore_operating_point": Case(R.explore_operating_point, st.builds(
        lambda a, d, t, m: dict(y_true=a["y_true"], scores=a["scores"], groups=a["groups"],
                                definition=d, threshold=t, model=m),
        _audit(2), st.sampled_from(list(R.DEFINITIONS)), st.floats(0.05, 0.95),
        st.sampled_from([None, "baseline", "reweighing"])),
        {"y_true": LABELS, "scores": (_K["scores"],), "groups": (*GROUPS, "single"),
         "definition": ("str",), "threshold": ("real_inf",), "model": (_K["model"],)},
        slow=True),
}
EXEMPT = {"ai_act_penalties": "no arguments", "appeal_path": "no arguments",
          "gdpr_art22": "no arguments",
          "load_checklist": "no arguments", "nist_ai_rmf": "no arguments",
          "regulation": "no arguments", "scenarios": "no arguments"}

(test_valid_input_is_accepted, test_bad_input_is_rejected_naming_the_argument,
 test_bad_input_is_rejected_naming_the_argument_slow) = property_tests(CASES)


def test_every_public_function_is_covered():
    assert public_functions(R, EXEMPT) == sorted(CASES)


@pytest.mark.parametrize(("name", "arg", "kind"), [
    pytest.param(name, arg, kind, id=f"{name}-{arg}-{kind}")
    for name, case in CASES.items() for arg, kinds in case.bad.items()
    for kind in kinds if kind.startswith("reporting_")])
@settings(FAST, max_examples=1)
@given(data=st.data())
def test_every_listed_corruption_is_rejected_naming_the_argument(name, arg, kind, data):
    """A hypothesis draw of a listed kind picks one corruption per example: try every one."""
    case = CASES[name]
    kwargs = dict(data.draw(case.valid, label="valid"))
    for bad in _LISTED[kind.removeprefix("reporting_")](kwargs[arg]):
        assert_rejects(case, {**kwargs, arg: bad}, arg)


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


def test_audit_and_review_inputs_are_checked_by_name():
    """Before: band_decisions took text scores and a None group (a group called "None");
    explore_operating_point a single group and a NaN threshold; decide NaN scores;
    approval_rate_for(volume=NaN) returned 0.0; credit_encoder("age") encoded columns "a", "g"
    and "e"; definition_gap blamed "sensitive", which is not one of its arguments."""
    y, p, s = np.array([0, 1, 0, 1]), np.array([0.2, 0.45, 0.55, 0.9]), np.array(list("aabb"))
    with pytest.raises(ValueError, match="proba must be a 1-D array of probabilities"):
        R.band_decisions(y, p.astype(str), s)
    with pytest.raises(ValueError, match="sensitive contains missing values"):
        R.band_decisions(y, p, np.array([None, "a", "b", "b"], dtype=object))
    with pytest.raises(ValueError, match="groups must hold at least two groups"):
        R.explore_operating_point(y, {"baseline": p}, np.full(4, "a"))
    with pytest.raises(ValueError, match="threshold must be in"):
        R.explore_operating_point(y, {"baseline": p}, s, threshold=float("nan"))
    with pytest.raises(ValueError, match="scores contains NaN"):
        R.decide(y, np.r_[np.nan, p[1:]], s, approval_rate=0.5)
    with pytest.raises(ValueError, match="volume must be in"):
        R.approval_rate_for("cautious", float("nan"))
    with pytest.raises(TypeError, match="numeric must be a list of column names"):
        R.credit_encoder("age", ["housing"])
    with pytest.raises(ValueError, match="groups must have one entry per row of y_true"):
        R.definition_gap(y, y, s[:-1], "equal opportunity")
