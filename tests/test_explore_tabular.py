"""explore_applicant (notebook 06's applicant editor), driven without a browser."""

import subprocess
import sys
import time

import numpy as np
import pytest

from course_lib.explain import (
    counterfactual,
    exact_shapley,
    explore_applicant,
    reason_codes,
    spread,
)
from course_lib.synth import LENDING_FEATURES, LENDING_SPECS, make_lending

FEATURES = list(LENDING_FEATURES)
THRESHOLD = 0.75


@pytest.fixture(scope="module")
def lending():
    """A logistic regression of default on synthetic applications, and a rejected applicant."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = make_lending(3000, random_state=0)
    X = data[FEATURES].to_numpy()
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(X[:2000], data["default"].iloc[:2000])

    def score(rows):  # P(repay): column 0 is "no default"
        return model.predict_proba(np.atleast_2d(rows))[:, 0]

    test = X[2000:]
    rejected = test[np.flatnonzero((test[:, 2] >= 0.45) & (test[:, 5] >= 2))[0]]
    coef = -model[-1].coef_[0]  # effect of each (standardised) feature on the log-odds of repay
    return score, X[:2000], rejected, coef


def _editor(lending, **kw):
    score, X, applicant, _ = lending
    return explore_applicant(score, applicant, X, FEATURES, LENDING_SPECS, threshold=THRESHOLD,
                             **kw)


def test_the_default_view_is_the_applicant(lending):
    score, X, applicant, _ = lending
    a = _editor(lending).view.applicant
    np.testing.assert_allclose(a.x, applicant)
    assert a.score == pytest.approx(score(applicant)[0], rel=1e-12)
    assert not a.approved and a.score < THRESHOLD


def test_moving_a_feature_moves_the_score_in_the_models_direction(lending):
    _, _, applicant, coef = lending
    ex = _editor(lending)
    controls = ex.controls
    for j, name in enumerate(FEATURES):
        if name == "recent_late_payments":
            continue  # a drop-down, below
        before = ex.view.applicant.score
        control = controls[name]
        up = float(applicant[j]) + 5 * control.step
        new = up if up <= control.max else float(applicant[j]) - 5 * control.step
        after = ex.set(**{name: new}).applicant.score
        assert np.sign(after - before) == np.sign(coef[j]) * np.sign(new - applicant[j]), name
        ex.set(**{name: float(applicant[j])})
    late = FEATURES.index("recent_late_payments")
    assert coef[late] < 0
    fewer = ex.set(recent_late_payments=0).applicant.score
    more = ex.set(recent_late_payments=4).applicant.score
    assert fewer > ex.set(recent_late_payments=int(applicant[late])).applicant.score > more


@pytest.mark.parametrize("dti", [0.56, 0.35, 0.20])
def test_shap_values_add_up_to_score_minus_base_value(lending, dti):
    score, X, _, _ = lending
    a = _editor(lending).set(debt_to_income=dti).applicant
    assert a.base_value == pytest.approx(score(X[:50]).mean(), rel=1e-12)
    assert a.base_value + a.shap.sum() == pytest.approx(a.score, abs=1e-12)  # local accuracy
    expected = exact_shapley(score, a.x, X[:50])
    np.testing.assert_allclose(a.shap.to_numpy(), expected.values[0], atol=1e-12)


def test_reasons_and_counterfactual_are_course_libs_at_that_applicant(lending):
    score, X, _, _ = lending
    ex = _editor(lending)
    for move in ({}, {"debt_to_income": 0.40}, {"recent_late_payments": 0},
                 {"employment_years": 12.0}):
        view = ex.set(**move)
        a = view.applicant
        phi = exact_shapley(score, a.x, X[:50]).values[0]
        assert a.reasons == reason_codes(phi, a.x, FEATURES, LENDING_SPECS,
                                         np.median(X, axis=0), n=3)
        assert all(r in view.note for r in a.reasons)
        if a.approved:
            assert a.counterfactual is None and "none needed" in view.note
            continue
        cf = counterfactual(score, a.x, FEATURES, LENDING_SPECS, spread(X), threshold=THRESHOLD,
                            max_changes=2)
        assert (a.counterfactual is None) == (cf is None)
        if cf is not None:
            assert a.counterfactual.changes == cf.changes and a.counterfactual.score >= THRESHOLD
            changed = [n for n in FEATURES if view.table.loc[n, "change to approval"]]
            assert changed == [n for n in FEATURES if n in cf.changes]


def test_an_approved_applicant_needs_no_counterfactual(lending):
    ex = _editor(lending)
    view = ex.set(debt_to_income=0.15, recent_late_payments=0)
    assert view.applicant.approved and view.applicant.score >= THRESHOLD
    assert "approved" in view.note and (view.table["change to approval"] == "").all()


def test_controls_are_one_per_feature_and_the_view_has_a_figure(lending):
    ex = _editor(lending)
    controls = ex.controls
    assert list(controls) == FEATURES
    assert type(controls["recent_late_payments"]).__name__ == "Dropdown"
    assert type(controls["debt_to_income"]).__name__ == "FloatSlider"
    assert controls["debt_to_income"].step == LENDING_SPECS["debt_to_income"].step
    view = ex.view
    assert view._repr_png_().startswith(b"\x89PNG")
    assert view.figure.axes[0].get_xlabel().startswith("SHAP value")
    assert list(view.table.columns) == ["value", "SHAP", "change to approval"]


def test_an_update_is_quick(lending, capsys):
    ex = _editor(lending)
    times = []
    for dti in (0.50, 0.45, 0.40, 0.30):
        start = time.perf_counter()
        ex.set(debt_to_income=dti)._repr_png_()  # what Jupyter renders after a move
        times.append(time.perf_counter() - start)
    with capsys.disabled():  # measured and reported, not asserted (the machine may be busy)
        print(f"\nexplore_applicant update: median {np.median(times) * 1000:.0f} ms")


def test_bad_input_is_named(lending):
    score, X, applicant, _ = lending
    with pytest.raises(TypeError, match="model must be callable"):
        explore_applicant(None, applicant, X, FEATURES, LENDING_SPECS)
    with pytest.raises(ValueError, match="one value per feature"):
        explore_applicant(score, applicant[:3], X, FEATURES, LENDING_SPECS)
    with pytest.raises(ValueError, match="specs has no FeatureSpec"):
        explore_applicant(score, applicant, X, FEATURES, {})
    with pytest.raises(ValueError, match="background_size"):
        explore_applicant(score, applicant, X, FEATURES, LENDING_SPECS, background_size=0)


def test_importing_the_explain_package_does_not_load_ipywidgets():
    code = ("import sys, course_lib.explain as e; e.explore_applicant; "
            "assert 'ipywidgets' not in sys.modules and 'matplotlib' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
