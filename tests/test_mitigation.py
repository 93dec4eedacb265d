"""course_lib.mitigation: each method checked against its formula, fairlearn, or a known answer."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from course_lib.fairness import group_report
from course_lib.mitigation import (
    AdversarialResult,
    apply_thresholds,
    disparity,
    drift_monitor,
    group_thresholds,
    resample_indices,
    reweighing_weights,
    threshold_report,
    tradeoff_point,
    train_adversarial,
    train_fair_penalty,
)
from course_lib.mitigation._inprocess import _project_out
from course_lib.models import MLP, predict, train
from course_lib.synth import HIRING_FEATURES, make_hiring


@pytest.fixture(scope="module")
def hiring():
    """Historical bias with proxies: groups equally qualified, B's labels held to a higher bar."""
    kw = dict(historical_penalty=0.5, proxy_strength=0.8)
    tr, te = make_hiring(4000, random_state=1, **kw), make_hiring(4000, random_state=2, **kw)
    cols = list(HIRING_FEATURES)
    return (tr[cols].to_numpy(np.float32), tr["label"].to_numpy(), tr["group"].to_numpy(),
            te[cols].to_numpy(np.float32), te["label"].to_numpy(), te["group"].to_numpy())


def _eo_data(n, seed):
    """Base rates 0.3 (s=0) and 0.7 (s=1); x0 = y + noise, x1 reveals s. The equalized-odds-fair
    predictor ignores x1; the accurate one uses it as a prior and so has unequal TPR and FPR."""
    rng = np.random.default_rng(seed)
    s = (rng.random(n) < 0.5).astype(int)
    y = (rng.random(n) < 0.3 + 0.4 * s).astype(int)
    x = np.column_stack([y + rng.normal(0, 1, n), s + rng.normal(0, 0.3, n)]).astype(np.float32)
    return x, y, s


# -- reweighing and resampling -------------------------------------------------------------------
def test_reweighing_matches_the_formula_by_hand():
    y = np.array([1, 1, 0, 0, 0, 1, 0, 0])
    s = np.array(["a", "a", "a", "a", "b", "b", "b", "b"])
    # P(a)=P(b)=1/2, P(y=1)=3/8; P(a,1)=2/8, P(a,0)=2/8, P(b,1)=1/8, P(b,0)=3/8
    w_a1, w_a0 = 0.5 * 3 / 8 / (2 / 8), 0.5 * 5 / 8 / (2 / 8)
    w_b1, w_b0 = 0.5 * 3 / 8 / (1 / 8), 0.5 * 5 / 8 / (3 / 8)
    expected = [w_a1, w_a1, w_a0, w_a0, w_b0, w_b1, w_b0, w_b0]
    np.testing.assert_allclose(reweighing_weights(y, s), expected)
    np.testing.assert_allclose(reweighing_weights(pd.Series(y), pd.Series(s)), expected)


def test_reweighing_makes_group_and_label_independent():
    df = make_hiring(3000, random_state=0, historical_penalty=0.8)
    w = reweighing_weights(df["label"], df["group"])
    assert w.mean() == pytest.approx(1.0)
    weighted = {g: np.average(df["label"][df["group"] == g], weights=w[df["group"] == g])
                for g in ("A", "B")}
    raw = df.groupby("group")["label"].mean()
    assert raw["A"] - raw["B"] > 0.1  # the bias is there before
    assert weighted["A"] == pytest.approx(weighted["B"]) == pytest.approx(df["label"].mean())


def test_resampling_makes_group_and_label_independent_and_is_seeded():
    df = make_hiring(3000, random_state=0, historical_penalty=0.8)
    idx = resample_indices(df["label"], df["group"], random_state=0)
    assert abs(len(idx) - len(df)) <= 4
    np.testing.assert_array_equal(idx, resample_indices(df["label"], df["group"], random_state=0))
    rates = df.iloc[idx].groupby("group")["label"].mean()
    assert abs(rates["A"] - rates["B"]) < 0.002
    assert rates["A"] == pytest.approx(df["label"].mean(), abs=0.002)


def test_reweighing_reduces_a_models_selection_gap(hiring):
    from sklearn.linear_model import LogisticRegression

    x, y, s, xt, yt, st = hiring
    w = reweighing_weights(y, s)
    # with the group as an input, a logistic fit's score equations make its weighted mean score
    # in each group equal to the weighted base rate, which reweighing made the same, P(y = 1)
    xg = np.column_stack([x, s == "B"]).astype(np.float64)
    score = LogisticRegression(C=np.inf, max_iter=5000).fit(xg, y, sample_weight=w)
    score = score.predict_proba(xg)[:, 1]
    for g in ("A", "B"):
        assert np.average(score[s == g], weights=w[s == g]) == pytest.approx(y.mean(), abs=0.005)
    # without it, on the test set, the decisions' selection gap shrinks (only partly: the model
    # is thresholded and the proxies are imperfect)
    plain = LogisticRegression(max_iter=1000).fit(x, y).predict(xt)
    fair = LogisticRegression(max_iter=1000).fit(x, y, sample_weight=w).predict(xt)
    assert disparity(yt, fair, st) < 0.85 * disparity(yt, plain, st)


@pytest.mark.parametrize("bad, err", [
    (dict(y=[0, 1], sensitive=["a"]), "sensitive must have one entry per row"),
    (dict(y=[[0, 1]], sensitive=["a"]), "y must be a non-empty 1-D"),
    (dict(y=[0, 1], sensitive=[None, "a"]), "missing values"),
])
def test_reweighing_rejects_bad_input(bad, err):
    with pytest.raises(ValueError, match=err):
        reweighing_weights(**bad)


# -- in-processing ---------------------------------------------------------------------------
def test_fairness_penalty_shrinks_the_gap_as_lambda_grows(hiring):
    x, y, s, xt, yt, st = hiring
    gaps, accs = [], []
    for lam in (0.0, 10.0, 100.0):
        torch.manual_seed(0)
        res = train_fair_penalty(MLP(x.shape[1]), x, y, s, lam=lam, random_state=0)
        pred = predict(res.model, xt)
        gaps.append(disparity(yt, pred, st))
        accs.append(float((pred == yt).mean()))
        assert len(res.losses) == 20
    assert gaps[0] > 0.1 and gaps[1] < 0.6 * gaps[0] and gaps[2] < 0.03
    assert accs[2] < accs[0]  # the price: it no longer reproduces the biased labels


def test_fairness_penalty_at_zero_is_plain_training(hiring):
    x, y, s, *_ = hiring
    torch.manual_seed(0)
    a = train_fair_penalty(MLP(x.shape[1]), x[:500], y[:500], s[:500], lam=0.0, epochs=3)
    torch.manual_seed(0)
    b = train(MLP(x.shape[1]), x[:500], y[:500], epochs=3, batch_size=256, progress=False)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-5)


def test_projection_removes_the_component_along_the_adversary_gradient():
    g = torch.Generator().manual_seed(0)
    g_p, g_a = torch.randn(50, generator=g), torch.randn(50, generator=g)
    assert float(_project_out(g_p, g_a, 0.0) @ g_a) == pytest.approx(0.0, abs=1e-5)
    out = _project_out(g_p, g_a, 0.5)
    assert float(out @ g_a) == pytest.approx(-0.5 * float(g_a @ g_a), rel=1e-5)
    np.testing.assert_allclose(_project_out(g_p, torch.zeros(50), 1.0), g_p)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_adversarial_debiasing_for_demographic_parity(hiring, seed):
    x, y, s, xt, yt, st = hiring
    torch.manual_seed(seed)
    base = predict(train(MLP(x.shape[1]), x, y, epochs=20, batch_size=256, random_state=seed,
                         progress=False).model, xt)
    torch.manual_seed(seed)
    res = train_adversarial(MLP(x.shape[1]), x, y, s, random_state=seed)
    assert isinstance(res, AdversarialResult) and len(res.adversary_losses) == 30
    pred = predict(res.model, xt)
    assert disparity(yt, base, st) > 0.1
    assert disparity(yt, pred, st) < 0.5 * disparity(yt, base, st)
    assert (base == yt).mean() - (pred == yt).mean() < 0.04  # a modest accuracy cost
    # the adversary is close to chance: its loss near log 2
    assert res.adversary_losses[-1] > 0.9 * math.log(2)


@pytest.mark.parametrize("seed", range(4))
def test_adversarial_debiasing_for_equalized_odds(seed):
    x, y, s = _eo_data(4000, 0)
    xt, yt, st = _eo_data(4000, 1)
    torch.manual_seed(seed)
    base = predict(train(MLP(2), x, y, epochs=20, batch_size=256, random_state=seed,
                         progress=False).model, xt)
    torch.manual_seed(seed)
    pred = predict(train_adversarial(MLP(2), x, y, s, constraint="equalized_odds",
                                     random_state=seed).model, xt)
    assert disparity(yt, base, st, "equalized_odds") > 0.3
    assert disparity(yt, pred, st, "equalized_odds") < 0.12


@pytest.mark.parametrize("kw, err", [
    (dict(constraint="parity"), "constraint must be one of"),
    (dict(alpha=-1.0), "alpha must be"),
    (dict(warmup_epochs=30), "warmup_epochs must be"),
    (dict(sensitive=np.array(["a", "b", "c"] * 4)), "exactly two groups"),
])
def test_adversarial_rejects_bad_input(kw, err):
    args = dict(sensitive=np.array(["a", "b"] * 6))
    args.update(kw)
    with pytest.raises(ValueError, match=err):
        train_adversarial(MLP(2), np.zeros((12, 2)), np.array([0, 1] * 6), **args)


def test_penalty_rejects_bad_lambda_and_target():
    with pytest.raises(ValueError, match="lam must be"):
        train_fair_penalty(MLP(2), np.zeros((4, 2)), [0, 1, 0, 1], [0, 0, 1, 1], lam=-1)
    with pytest.raises(ValueError, match="target must be binary"):
        train_fair_penalty(MLP(2), np.zeros((4, 2)), [0, 2, 0, 1], [0, 0, 1, 1], lam=1)


def test_exponentiated_gradient_reduces_the_gap(hiring):
    """fairlearn's reduction (used in notebook 04) does what it claims on the same data."""
    from fairlearn.reductions import DemographicParity, ExponentiatedGradient
    from sklearn.linear_model import LogisticRegression

    x, y, s, xt, yt, st = (a.astype(np.float64) if a.dtype == np.float32 else a for a in hiring)
    plain = LogisticRegression(max_iter=1000).fit(x, y).predict(xt)
    eg = ExponentiatedGradient(LogisticRegression(max_iter=1000), DemographicParity(),
                               eps=0.01).fit(x, y, sensitive_features=s)
    fair = eg.predict(xt, random_state=0)
    assert disparity(yt, fair, st) < 0.5 * disparity(yt, plain, st)


# -- post-processing ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def eo():
    """``_eo_data`` with group labels "A"/"B": the accurate model violates equal opportunity."""
    (x, y, s), (xt, yt, st) = _eo_data(4000, 0), _eo_data(4000, 1)
    return (x.astype(np.float64), y, np.where(s == 1, "B", "A"), xt.astype(np.float64), yt,
            np.where(st == 1, "B", "A"))


@pytest.fixture(scope="module")
def scored(eo):
    from sklearn.linear_model import LogisticRegression

    x, y, s, xt, yt, st = eo
    lr = LogisticRegression(max_iter=1000).fit(x, y)
    return lr, lr.predict_proba(x)[:, 1], lr.predict_proba(xt)[:, 1]


def test_equal_opportunity_thresholds_equalise_tpr_on_the_fit_data(eo, scored):
    x, y, s, xt, yt, st = eo
    _, sc, sct = scored
    thr = group_thresholds(y, sc, s)
    assert sorted(thr) == ["A", "B"] and thr["B"] > thr["A"]  # B's higher prior is offset
    report = threshold_report(y, sc, s, thr)
    n_pos = group_report(y, y, s)["n"] * group_report(y, y, s)["base_rate"]
    assert abs(report.loc["A", "tpr"] - report.loc["B", "tpr"]) <= 1 / n_pos.min() + 1e-9
    plain = (sct >= 0.5).astype(int)
    fair = apply_thresholds(sct, st, thr)
    assert disparity(yt, fair, st, "equal_opportunity") < 0.5 * disparity(
        yt, plain, st, "equal_opportunity")


def test_demographic_parity_thresholds_equalise_selection(eo, scored):
    x, y, s, *_ = eo
    _, sc, _ = scored
    thr = group_thresholds(y, sc, s, constraint="demographic_parity")
    pred = apply_thresholds(sc, s, thr)
    assert disparity(y, pred, s) < 0.002


def test_group_thresholds_agree_with_fairlearn_threshold_optimizer(eo, scored):
    from fairlearn.postprocessing import ThresholdOptimizer

    x, y, s, xt, yt, st = eo
    lr, sc, sct = scored
    ours = apply_thresholds(sct, st, group_thresholds(y, sc, s))
    to = ThresholdOptimizer(estimator=lr, constraints="true_positive_rate_parity",
                            prefit=True, predict_method="predict_proba").fit(
        x, y, sensitive_features=s)
    theirs = to.predict(xt, sensitive_features=st, random_state=0)
    assert abs((ours == yt).mean() - (theirs == yt).mean()) < 0.02
    assert disparity(yt, ours, st, "equal_opportunity") < 0.06
    assert disparity(yt, theirs, st, "equal_opportunity") < 0.06
    assert (ours == theirs).mean() > 0.95  # mostly the same decisions


def test_thresholds_reject_bad_input():
    with pytest.raises(ValueError, match="constraint must be one of"):
        group_thresholds([0, 1], [0.1, 0.9], ["a", "b"], constraint="odds")
    with pytest.raises(ValueError, match="no rows"):
        group_thresholds([0, 1], [0.1, 0.9], ["a", "b"])  # group a has no positives
    with pytest.raises(ValueError, match="no entry for group"):
        apply_thresholds([0.1, 0.9], ["a", "b"], {"a": 0.5})
    with pytest.raises(TypeError, match="thresholds must be a mapping"):
        apply_thresholds([0.1, 0.9], ["a", "b"], [0.5, 0.5])
    with pytest.raises(ValueError, match="scores contains NaN"):
        apply_thresholds([np.nan, 0.9], ["a", "b"], {"a": 0.5, "b": 0.5})


# -- evaluation --------------------------------------------------------------------------------
def test_disparity_matches_fairlearn():
    from fairlearn.metrics import (
        demographic_parity_difference,
        equal_opportunity_difference,
        equalized_odds_difference,
    )

    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 2, 500), rng.integers(0, 2, 500)
    s = rng.choice(["a", "b", "c"], 500)
    assert disparity(y, p, s) == pytest.approx(demographic_parity_difference(
        y, p, sensitive_features=s))
    assert disparity(y, p, s, "equal_opportunity") == pytest.approx(
        equal_opportunity_difference(y, p, sensitive_features=s))
    assert disparity(y, p, s, "equalized_odds") == pytest.approx(equalized_odds_difference(
        y, p, sensitive_features=s))
    assert math.isnan(disparity([0, 0, 1], [0, 1, 1], ["a", "a", "b"], "equal_opportunity"))
    with pytest.raises(ValueError, match="metric must be one of"):
        disparity(y, p, s, "parity")


def test_tradeoff_point_bootstraps_the_test_set():
    rng = np.random.default_rng(1)
    y, s = rng.integers(0, 2, 800), rng.choice(["a", "b"], 800)
    p = np.where(rng.random(800) < 0.8, y, 1 - y)
    pt = tradeoff_point(y, p, s, n_resamples=100, random_state=0)
    assert pt["accuracy"] == pytest.approx((p == y).mean())
    assert pt["disparity"] == pytest.approx(disparity(y, p, s))
    assert pt["accuracy_lo"] < pt["accuracy"] < pt["accuracy_hi"]
    assert pt["disparity_lo"] <= pt["disparity"] <= pt["disparity_hi"]
    assert pt["accuracy_hi"] - pt["accuracy_lo"] < 0.08  # about ±2·sqrt(.16/800)
    assert pt == tradeoff_point(y, p, s, n_resamples=100, random_state=0)


def test_drift_monitor_flags_months_over_tolerance():
    def report(tpr_a, tpr_b):
        return pd.DataFrame({"tpr": [tpr_a, tpr_b]}, index=["A", "B"])

    out = drift_monitor({"Jan": report(0.8, 0.78), "Feb": report(0.8, 0.7),
                         "Mar": report(0.8, np.nan)}, "tpr", 0.05)
    assert list(out.index) == ["Jan", "Feb", "Mar"]
    assert out["flagged"].tolist() == [False, True, True]
    assert out.loc["Feb", "gap"] == pytest.approx(0.1)
    with pytest.raises(ValueError, match="'fpr' column"):
        drift_monitor({"Jan": report(0.8, 0.7)}, "fpr", 0.05)
    with pytest.raises(ValueError, match="tolerance must be"):
        drift_monitor({"Jan": report(0.8, 0.7)}, "tpr", -1)
    with pytest.raises(ValueError, match="non-empty mapping"):
        drift_monitor({}, "tpr", 0.05)


@pytest.mark.parametrize("seed", range(5))
def test_notebook_04_default_threshold_tpr_gap_is_in_its_pinned_range(seed):
    """Notebook 04 pins the TPR gap (truth) of a logistic regression at 0.5 to [0.1, 0.5]."""
    from sklearn.linear_model import LogisticRegression

    kw = dict(historical_penalty=0.5, proxy_strength=0.8)
    tr = make_hiring(4000, random_state=10 * seed + 1, **kw)
    te = make_hiring(4000, random_state=10 * seed + 2, **kw)
    cols = list(HIRING_FEATURES)
    scores = LogisticRegression(max_iter=1000).fit(tr[cols], tr["label"]).predict_proba(
        te[cols])[:, 1]
    rep = threshold_report(te["qualified"], scores, te["group"], {"A": 0.5, "B": 0.5})
    assert 0.1 <= rep.loc["A", "tpr"] - rep.loc["B", "tpr"] <= 0.5


def test_in_processing_runs_are_recorded_in_the_footprint():
    import torch

    from course_lib import energy
    from course_lib.mitigation import train_adversarial, train_fair_penalty
    from course_lib.models import MLP

    energy.reset_runs()
    torch.manual_seed(0)
    x = torch.randn(64, 3)
    y, s = (x[:, 0] > 0).long(), (x[:, 1] > 0).long()
    train_fair_penalty(MLP(3, hidden=(4,)), x, y, s, lam=1.0, epochs=2, batch_size=32)
    train_adversarial(MLP(3, hidden=(4,)), x, y, s, epochs=2, warmup_epochs=1, batch_size=32)
    penalty, adversarial = energy.recorded_runs()
    # per row: forward 2·(3·4 + 4·2) = 40; a backward pass 2·(3·4 + 4·2) + 2·4·2 = 56
    assert penalty.name == "penalty λ=1" and penalty.flops == (40 + 56) * 64 * 2
    assert adversarial.name == "adversarial" and adversarial.flops == (40 + 2 * 56) * 64 * 2
    energy.reset_runs()
