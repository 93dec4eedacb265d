import numpy as np
import pytest
from sklearn.metrics import roc_auc_score, roc_curve

from course_lib.models import fit_mlp, predict_proba
from course_lib.privacy import (
    adult_features,
    advantage_chance_level,
    attack_roc,
    evaluate_attack,
    loss_threshold_attack,
    membership_advantage,
    membership_splits,
    per_example_loss,
    shadow_attack,
    tpr_at_fpr,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _noisy_data(n, seed, d=10):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = (x[:, 0] + 1.5 * rng.normal(size=n) > 0).astype(int)  # noisy labels: memorisable
    return x, y


@pytest.fixture(scope="module")
def split():
    x, y = _noisy_data(2600, 0)
    return (x[:200], y[:200]), (x[200:400], y[200:400]), (x[400:], y[400:])


@pytest.fixture(scope="module")
def overfit(split):
    (xi, yi), _, _ = split
    return fit_mlp(xi, yi, hidden=(64, 64), epochs=200, lr=3e-3, random_state=0)


@pytest.fixture(scope="module")
def regularised(split):
    (xi, yi), _, _ = split
    return fit_mlp(xi, yi, hidden=(8,), epochs=15, lr=3e-3, weight_decay=1e-2, random_state=0)


def test_per_example_loss_is_cross_entropy(split, overfit):
    (xi, yi), _, _ = split
    p = predict_proba(overfit, xi)
    np.testing.assert_allclose(per_example_loss(overfit, xi, yi),
                               -np.log(p[np.arange(len(yi)), yi]), rtol=1e-5)


def test_roc_and_metrics_agree_with_sklearn():
    rng = np.random.default_rng(3)
    s_in, s_out = rng.normal(0.8, 1, 300), rng.normal(0, 1, 500)
    fpr, tpr, _ = attack_roc(s_in, s_out)
    labels = np.r_[np.ones(300), np.zeros(500)]
    f2, t2, _ = roc_curve(labels, np.r_[s_in, s_out], drop_intermediate=False)
    np.testing.assert_array_equal(fpr, f2)
    np.testing.assert_array_equal(tpr, t2)
    res = evaluate_attack(s_in, s_out)
    assert res.auc == pytest.approx(roc_auc_score(labels, np.r_[s_in, s_out]))
    # brute force: the best threshold over all observed scores
    best = max(np.mean(s_in >= t) - np.mean(s_out >= t) for t in np.r_[s_in, s_out])
    assert res.advantage == pytest.approx(best)
    # TPR at 1% FPR: the best threshold that flags at most 5 of the 500 non-members
    t = np.sort(s_out)[-5:][0]
    assert res.tpr_at_1pct_fpr >= np.mean(s_in > t) - 1e-12
    assert res.tpr_at_1pct_fpr <= np.mean(s_in >= np.sort(s_out)[-6])


def test_hand_made_advantage():
    assert membership_advantage([3, 4, 5], [0, 1, 2]) == 1.0           # perfectly separated
    assert membership_advantage([1, 2], [1, 2]) == 0.0                 # identical
    assert membership_advantage([3, 4, 1, 0], [0, 1], threshold=2.5) == 0.5
    assert tpr_at_fpr([3, 4, 5], [0, 1, 2], fpr=0.0) == 1.0


def test_loss_attack_beats_chance_on_an_overfit_model_only(split, overfit, regularised):
    (xi, yi), (xo, yo), _ = split
    strong = loss_threshold_attack(overfit, xi, yi, xo, yo)
    weak = loss_threshold_attack(regularised, xi, yi, xo, yo)
    assert strong.advantage > 0.4 and strong.auc > 0.7
    assert weak.advantage < 0.2 and abs(weak.auc - 0.5) < 0.1
    # Yeom's practical threshold (mean training loss) also works, a little below the best
    yeom = membership_advantage(strong.member_scores, strong.nonmember_scores,
                                threshold=strong.member_scores.mean())
    assert 0.2 < yeom <= strong.advantage
    fpr, tpr, _ = strong.roc()
    assert fpr[0] == 0 and tpr[-1] == 1


@pytest.mark.slow
def test_shadow_attack_detects_membership_of_an_overfit_model(split, overfit, regularised):
    (xi, yi), (xo, yo), (xs, ys) = split
    kw = {"n_shadows": 4, "hidden": (64, 64), "epochs": 200, "lr": 3e-3}
    res = shadow_attack(overfit, xi, yi, xo, yo, xs[:1600], ys[:1600], **kw)
    assert res.advantage > 0.3 and res.auc > 0.7
    weak = shadow_attack(regularised, xi, yi, xo, yo, xs[:1600], ys[:1600], **kw)
    assert weak.auc < res.auc - 0.15


def test_chance_level_of_the_best_threshold():
    small = advantage_chance_level(200, 200, random_state=0)
    large = advantage_chance_level(5000, 5000, n_draws=50, random_state=0)
    assert 0.08 < small < 0.2 and large < small / 3
    # the overfit model's attack is far above chance, the regularised one's is not
    rng = np.random.default_rng(1)
    assert membership_advantage(rng.random(200), rng.random(200)) < small + 0.05


def test_membership_splits_are_disjoint():
    inn, out, pool = membership_splits(100, 30, random_state=0)
    assert len(inn) == len(out) == 30 and len(pool) == 40
    assert len(np.unique(np.concatenate([inn, out, pool]))) == 100
    assert np.array_equal(inn, membership_splits(100, 30, random_state=0)[0])
    with pytest.raises(ValueError, match="n_target"):
        membership_splits(100, 50)


def test_adult_features():
    import pandas as pd

    df = pd.DataFrame({"age": [30, 40, 50], "education_num": [9, 13, 16],
                       "hours_per_week": [40, 50, 20], "capital_gain": [0, 0, 5000],
                       "capital_loss": [0, 100, 0], "workclass": ["A", "B", "A"],
                       "marital_status": ["m", "m", "s"], "occupation": ["x", "y", "z"],
                       "relationship": ["r", "r", "r"], "race": ["w", "b", "w"],
                       "sex": ["F", "M", "F"], "income": ["<=50K", ">50K", ">50K"]})
    x, y = adult_features(df)
    assert x.dtype == np.float32 and x.shape == (3, 5 + 2 + 2 + 3 + 1 + 2 + 2)
    np.testing.assert_allclose(x[:, :5].mean(0), 0, atol=1e-6)
    assert y.tolist() == [0, 1, 1]
    assert set(np.unique(x[:, 5:])) <= {0.0, 1.0}
    with pytest.raises(ValueError, match="missing"):
        adult_features(df.drop(columns="sex"))


@pytest.mark.slow
def test_attacks_on_adult_overfit_vs_regularised():
    x, y = adult_features()
    assert x.shape == (48842, 47) and 0.2 < y.mean() < 0.3
    inn, out, pool = membership_splits(len(y), 2500, random_state=0)
    kw = {"hidden": (64, 64), "epochs": 60, "lr": 3e-3}
    overfit = fit_mlp(x[inn], y[inn], **kw)
    loss = loss_threshold_attack(overfit, x[inn], y[inn], x[out], y[out])
    shadow = shadow_attack(overfit, x[inn], y[inn], x[out], y[out], x[pool[:20000]],
                           y[pool[:20000]], n_shadows=4, **kw)
    chance = advantage_chance_level(2500, 2500, n_draws=50)
    assert loss.advantage > chance + 0.05 and shadow.advantage > chance + 0.05
    regularised = fit_mlp(x[inn], y[inn], hidden=(32,), epochs=10, lr=3e-3, weight_decay=1e-3)
    weak = loss_threshold_attack(regularised, x[inn], y[inn], x[out], y[out])
    assert weak.advantage < loss.advantage - 0.05


def test_bad_input_is_named(overfit, split):
    (xi, yi), _, (xs, ys) = split
    with pytest.raises(ValueError, match="member_scores"):
        membership_advantage([], [1.0])
    with pytest.raises(TypeError, match="nonmember_scores"):
        membership_advantage([1.0], ["a"])
    with pytest.raises(ValueError, match="fpr"):
        tpr_at_fpr([1.0], [0.0], fpr=2.0)
    with pytest.raises(ValueError, match="target"):
        per_example_loss(overfit, xi, yi[:10])
    with pytest.raises(ValueError, match="class indices"):
        per_example_loss(overfit, xi, yi + 5)
    with pytest.raises(ValueError, match="n_shadows"):
        shadow_attack(overfit, xi, yi, xi, yi, xs, ys, n_shadows=0)
    with pytest.raises(ValueError, match="binary"):
        shadow_attack(overfit, xi, yi, xi, yi, xs, ys + 1)
    with pytest.raises(ValueError, match="too few"):
        shadow_attack(overfit, xi, yi, xi, yi, xs[:6], ys[:6], n_shadows=4)
