"""Exact Shapley values by enumeration: the axioms, and equality with shap's explainers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from course_lib.explain import coalition_values, exact_shapley

RNG = np.random.default_rng(0)
X = RNG.normal(size=(120, 5))
BG = X[:40]


def _nonlinear(z):
    return np.tanh(z[:, 0] * z[:, 1]) + z[:, 2] ** 2 - np.maximum(z[:, 3], 0) * z[:, 4]


def test_linear_model_equals_shap_linear_explainer_and_the_closed_form():
    import shap

    y = X @ [1.0, -2.0, 0.5, 0.0, 3.0] + 0.1 * RNG.normal(size=len(X))
    lm = LinearRegression().fit(X, y)
    ours = exact_shapley(lm.predict, X[:5], BG)
    explainer = shap.LinearExplainer(lm, BG)  # interventional, like ours
    np.testing.assert_allclose(ours.values, explainer.shap_values(X[:5]), atol=1e-10)
    assert ours.base_value == pytest.approx(float(explainer.expected_value), abs=1e-10)
    np.testing.assert_allclose(ours.values, lm.coef_ * (X[:5] - BG.mean(axis=0)), atol=1e-10)


def test_nonlinear_model_equals_shap_kernel_explainer():
    import shap

    ours = exact_shapley(_nonlinear, X[:3], BG)
    # with nsamples >= 2^d KernelExplainer enumerates every coalition, so it is exact too
    kernel = shap.KernelExplainer(_nonlinear, BG)
    np.testing.assert_allclose(kernel.shap_values(X[:3], nsamples=128, silent=True), ours.values,
                               atol=1e-8)
    assert float(kernel.expected_value) == pytest.approx(ours.base_value, abs=1e-10)


@pytest.mark.slow  # shap's ExactExplainer compiles with numba on first use (about 10 s)
def test_nonlinear_model_equals_shap_exact_explainer():
    import shap

    ours = exact_shapley(_nonlinear, X[:3], BG)
    exact = shap.explainers.ExactExplainer(_nonlinear, shap.maskers.Independent(BG, max_samples=40))
    got = exact(X[:3], silent=True)
    np.testing.assert_allclose(ours.values, got.values, atol=1e-10)
    np.testing.assert_allclose(got.base_values, ours.base_value, atol=1e-10)


def test_efficiency_sum_plus_base_is_the_prediction():
    res = exact_shapley(_nonlinear, X[:10], BG)
    np.testing.assert_allclose(res.values.sum(axis=1) + res.base_value, _nonlinear(X[:10]),
                               atol=1e-12)
    assert res.base_value == pytest.approx(_nonlinear(BG).mean())


def test_symmetry_and_dummy_axioms():
    # features 0 and 1 enter symmetrically, feature 2 is a dummy (never used)
    def f(z):
        return z[:, 0] * z[:, 1] + np.sin(z[:, 0] + z[:, 1]) + 2 * z[:, 3]

    x = np.array([[1.5, 1.5, 7.0, -1.0]])
    bg = np.array([[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 3.0, 2.0], [-1.0, -1.0, 1.0, 0.5]])
    phi = exact_shapley(f, x, bg).values[0]
    assert phi[0] == pytest.approx(phi[1], abs=1e-12)
    assert phi[2] == pytest.approx(0.0, abs=1e-12)
    assert phi[3] == pytest.approx(2 * (-1.0 - bg[:, 3].mean()), abs=1e-12)


def test_two_player_game_by_hand():
    # f = z0 * z1, background (0, 0): v(∅)=0, v({0})=0, v({1})=0, v(N)=6 → 3 each
    phi = exact_shapley(lambda z: z[:, 0] * z[:, 1], [[2.0, 3.0]], [[0.0, 0.0]]).values
    np.testing.assert_allclose(phi, [[3.0, 3.0]])
    v = coalition_values(lambda z: z[:, 0] + 10 * z[:, 1], [2.0, 3.0], [[0.0, 0.0]])
    np.testing.assert_allclose(v, [[0.0, 2.0, 30.0, 32.0]])  # bit i = feature i from x


def test_accepts_a_column_output_and_checks_rows():
    phi = exact_shapley(lambda z: z[:, :1] * 2, X[:2, :3], BG[:, :3]).values
    np.testing.assert_allclose(phi[:, 0], 2 * (X[:2, 0] - BG[:, 0].mean()))
    assert math.isclose(phi[:, 1:].sum(), 0.0, abs_tol=1e-12)


@pytest.mark.parametrize("f, x, bg, err, match", [
    (_nonlinear, np.zeros((1, 13)), np.zeros((2, 13)), ValueError, "d <= 12"),
    (_nonlinear, X[:1], BG[:, :4], ValueError, "background must have the same 5"),
    (_nonlinear, X[:1], np.zeros((0, 5)), ValueError, "background must be a non-empty"),
    (_nonlinear, [[np.nan] * 5], BG, ValueError, "x contains NaN"),
    (lambda z: np.c_[z[:, 0], z[:, 1]], X[:1], BG, ValueError, "one number per row"),
    ("not callable", X[:1], BG, TypeError, "f must be callable"),
    (_nonlinear, np.array([["a"] * 5]), BG, TypeError, "x must be numeric"),
])
def test_bad_input(f, x, bg, err, match):
    with pytest.raises(err, match=match):
        exact_shapley(f, x, bg)


def test_logit_margin_is_the_log_odds_and_deep_explainer_traces_it():
    import shap
    import torch

    from course_lib.explain import logit_margin
    from course_lib.models import MLP

    torch.manual_seed(0)
    mlp = MLP(5, hidden=(8,)).eval()
    x = torch.randn(40, 5)
    with torch.no_grad():
        logits = mlp(x)
        torch.testing.assert_close(logit_margin(mlp)(x)[:, 0], logits[:, 1] - logits[:, 0])
        torch.testing.assert_close(logit_margin(mlp, positive=0)(x)[:, 0],
                                   logits[:, 0] - logits[:, 1])
    margin = logit_margin(mlp)
    deep = shap.DeepExplainer(margin, x[:20])
    values = np.asarray(deep.shap_values(x[20:], check_additivity=False)).reshape(20, 5)
    with torch.no_grad():
        out = margin(x[20:])[:, 0].numpy()
    base = float(np.asarray(deep.expected_value).ravel()[0])
    assert np.abs(base + values.sum(1) - out).max() < 1e-5
    with pytest.raises(ValueError, match="positive"):
        logit_margin(mlp, positive=2)
    with pytest.raises(TypeError, match="model"):
        logit_margin(lambda v: v)
