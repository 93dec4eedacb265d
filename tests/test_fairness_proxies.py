"""Proxy audit: each column alone, and all together, predicting a protected attribute."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from course_lib.fairness import proxy_auc_all, proxy_strength


def _table(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    df = pd.DataFrame({
        "copy": group * 3.0 + 1.0,                                   # a perfect proxy
        "years": rng.normal(size=n) - 1.2 * group,                   # a partial one (lower)
        "noise": rng.normal(size=n),                                 # none
        "city": pd.Categorical(np.where(rng.random(n) < 0.2 + 0.5 * group, "north", "south")),
        "row_id": [f"id{i}" for i in range(n)],                      # unique per row
        "flag": rng.random(n) < 0.5,                                 # a bool, independent
    })
    return df, np.where(group == 1, "young", "older")


def test_numeric_columns_score_their_auc_in_either_direction():
    df, s = _table()
    out = proxy_strength(df, s, random_state=0)
    y = (s == "young").astype(int)
    assert out.loc["copy", "auc"] == 1.0
    auc = roc_auc_score(y, df["years"])
    assert auc < 0.5 and out.loc["years", "auc"] == pytest.approx(1 - auc, abs=1e-12)
    assert abs(out.loc["noise", "auc"] - 0.5) < 0.03
    assert list(out["kind"][["copy", "city", "flag"]]) == ["numeric", "categorical",
                                                           "categorical"]


def test_categorical_columns_are_scored_out_of_fold():
    df, s = _table()
    out = proxy_strength(df, s, random_state=0)
    # city: P(young | north) > P(young | south); its AUC is about the two-value ranking's
    # (out of fold a little lower: each fold's rates lean away from the fold's own rows)
    y = (s == "young").astype(int)
    in_sample = roc_auc_score(y, df["city"].map(pd.Series(y).groupby(df["city"],
                                                                    observed=True).mean()))
    assert out.loc["city", "auc"] == pytest.approx(in_sample, abs=0.02) and in_sample > 0.65
    # a unique id memorises the group in sample (AUC 1); out of fold it knows nothing
    assert abs(out.loc["row_id", "auc"] - 0.5) < 0.03
    assert abs(out.loc["flag", "auc"] - 0.5) < 0.03
    assert list(out.index[:2]) == ["copy", "years"] and out["auc"].is_monotonic_decreasing


def test_all_columns_together_beat_each_partial_proxy_and_are_seeded():
    df, s = _table()
    partial = df[["years", "city", "noise"]]
    together = proxy_auc_all(partial, s, random_state=0)
    alone = proxy_strength(partial, s)["auc"]
    assert together > alone.max() + 0.02
    assert together == proxy_auc_all(partial, s, random_state=0)
    assert abs(proxy_auc_all(df[["noise", "flag"]], s) - 0.5) < 0.05


def test_bad_input_is_named():
    df, s = _table(50)
    with pytest.raises(TypeError, match="features"):
        proxy_strength(df.to_numpy(), s)
    with pytest.raises(ValueError, match="sensitive"):
        proxy_strength(df, s[:-1])
    with pytest.raises(ValueError, match="exactly 2 values"):
        proxy_strength(df, np.arange(50) % 3)
    with pytest.raises(ValueError, match="missing"):
        proxy_strength(df, np.where(np.arange(50) < 3, None, s))
    with pytest.raises(ValueError, match="n_splits"):
        proxy_strength(df, s, n_splits=1)
    bad = df.assign(noise=np.nan)
    with pytest.raises(ValueError, match="missing numeric"):
        proxy_auc_all(bad, s)
