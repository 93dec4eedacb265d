"""make_hiring: each knob changes what it says and nothing else (same random_state)."""

import numpy as np
import pandas as pd
import pytest

from course_lib.synth import HIRING_FEATURES, JOB_FEATURES, PROXY_FEATURES, make_hiring

N = 20_000
COLUMNS = ["group", *HIRING_FEATURES, "qualified", "label"]


def _base(**kw):
    return make_hiring(N, random_state=7, **kw)


def _changed_columns(a: pd.DataFrame, b: pd.DataFrame) -> set[str]:
    return {c for c in COLUMNS if not a[c].equals(b[c])}


def _b(df):
    return (df["group"] == "B").to_numpy()


def test_columns_types_and_feature_names():
    df = _base()
    assert list(df.columns) == COLUMNS
    assert df.attrs["feature_names"] == list(HIRING_FEATURES)
    assert "group" not in df.attrs["feature_names"]
    assert set(df["group"].unique()) == {"A", "B"}
    for col in ("hobby", "qualified", "label"):
        assert set(df[col].unique()) <= {0, 1} and df[col].dtype == np.int64
    for col in (*JOB_FEATURES, "postcode"):
        assert df[col].dtype == np.float64


def test_same_random_state_is_bit_identical_and_another_differs():
    pd.testing.assert_frame_equal(_base(), _base())
    other = make_hiring(N, random_state=8)
    assert not other["test_score"].equals(_base()["test_score"])


def test_defaults_are_unbiased_groups_equally_qualified():
    df = _base()
    assert (df["label"] == df["qualified"]).all()  # no knob turned: label is the truth
    rates = df.groupby("group")["qualified"].mean()
    assert abs(rates["A"] - 0.40) < 0.02 and abs(rates["B"] - 0.40) < 0.02
    for col in JOB_FEATURES:
        means = df.groupby("group")[col].mean()
        assert abs(means["A"] - means["B"]) < 0.05
    # proxies carry nothing about the group at strength 0
    assert abs(np.corrcoef(df["postcode"], _b(df))[0, 1]) < 0.03


def test_historical_penalty_changes_only_group_b_labels_of_the_marginally_qualified():
    base, biased = _base(), _base(historical_penalty=0.5)
    assert _changed_columns(base, biased) == {"label"}
    changed = (base["label"] != biased["label"]).to_numpy()
    assert changed.any() and _b(base)[changed].all()  # only group B rows
    assert (base["label"][changed] == 1).all()  # qualified people lost their positive label
    # those are exactly B's qualified with merit within 0.5 of the bar: about 0.17 of B
    lost = changed.sum() / _b(base).sum()
    assert 0.15 < lost < 0.20
    # a larger penalty removes strictly more
    worse = _base(historical_penalty=1.0)
    assert worse["label"][_b(base)].sum() < biased["label"][_b(base)].sum()


def test_observation_rate_records_positives_at_each_groups_rate_and_nothing_else():
    base, seen = _base(), _base(observation_rate=(1.0, 0.5))
    assert _changed_columns(base, seen) == {"label"}
    changed = (base["label"] != seen["label"]).to_numpy()
    assert _b(base)[changed].all() and (base["label"][changed] == 1).all()
    qualified_b = (base["qualified"] == 1).to_numpy() & _b(base)
    assert abs(seen["label"][qualified_b].mean() - 0.5) < 0.03
    # lowering A's rate touches only group A rows
    a_seen = _base(observation_rate=(0.8, 1.0))
    changed = (base["label"] != a_seen["label"]).to_numpy()
    assert changed.any() and not _b(base)[changed].any()


def test_label_flip_rate_flips_only_group_b_positives_at_that_rate():
    base, flipped = _base(), _base(label_flip_rate=0.3)
    assert _changed_columns(base, flipped) == {"label"}
    changed = (base["label"] != flipped["label"]).to_numpy()
    assert _b(base)[changed].all() and (flipped["label"][changed] == 0).all()
    positives_b = (base["label"] == 1).to_numpy() & _b(base)
    assert abs(changed.sum() / positives_b.sum() - 0.3) < 0.03
    assert (_base(label_flip_rate=1.0)["label"][_b(base)] == 0).all()


def test_relation_changes_only_group_bs_target_and_reverses_experience():
    base, specific = _base(), _base(relation="group_specific")
    assert _changed_columns(base, specific) == {"qualified", "label"}
    changed = (base["qualified"] != specific["qualified"]).to_numpy()
    assert changed.any() and _b(base)[changed].all()
    b, a = specific[_b(specific)], specific[~_b(specific)]
    assert np.corrcoef(a["experience"], a["qualified"])[0, 1] > 0.25
    assert np.corrcoef(b["experience"], b["qualified"])[0, 1] < -0.25
    assert abs(b["qualified"].mean() - a["qualified"].mean()) < 0.03  # same base rate


def test_proxy_strength_changes_only_the_proxies_and_makes_them_reveal_the_group():
    base, proxied = _base(), _base(proxy_strength=1.0)
    assert _changed_columns(base, proxied) == set(PROXY_FEATURES)
    is_b = _b(proxied)
    guess = (proxied["postcode"] > 0).to_numpy()
    assert abs((guess == is_b).mean() - 0.933) < 0.01  # Φ(1.5)
    hobby = proxied.groupby("group")["hobby"].mean()
    assert abs(hobby["B"] - 0.9) < 0.02 and abs(hobby["A"] - 0.1) < 0.02
    # the proxies say nothing about qualification within a group
    for g in ("A", "B"):
        part = proxied[proxied["group"] == g]
        assert abs(np.corrcoef(part["postcode"], part["qualified"])[0, 1]) < 0.05


def test_minority_share_only_moves_rows_from_a_to_b():
    small, large = _base(minority_share=0.1), _base(minority_share=0.3)
    assert abs(_b(small).mean() - 0.1) < 0.01 and abs(_b(large).mean() - 0.3) < 0.01
    moved = _b(large) & ~_b(small)
    assert not (_b(small) & ~_b(large)).any()  # no row moves from B to A
    stay = ~moved
    pd.testing.assert_frame_equal(small[stay], large[stay])
    # with the default knobs a moved row keeps its features, target and label
    assert _changed_columns(small, large) == {"group"}
    # with group-dependent knobs the moved rows (and only they) change in those columns
    s2 = _base(minority_share=0.1, proxy_strength=0.8, historical_penalty=0.5)
    l2 = _base(minority_share=0.3, proxy_strength=0.8, historical_penalty=0.5)
    pd.testing.assert_frame_equal(s2[stay], l2[stay])
    assert s2.loc[moved, JOB_FEATURES].equals(l2.loc[moved, JOB_FEATURES])
    assert s2.loc[moved, "qualified"].equals(l2.loc[moved, "qualified"])


def test_knobs_compose_in_order_penalty_then_observation_then_flips():
    df = _base(historical_penalty=0.5, observation_rate=(0.9, 0.7), label_flip_rate=0.2)
    alone = [_base(historical_penalty=0.5), _base(observation_rate=(0.9, 0.7)),
             _base(label_flip_rate=0.2)]
    expected = np.logical_and.reduce([d["label"].to_numpy() == 1 for d in alone])
    assert (df["label"].to_numpy() == expected).all()


@pytest.mark.parametrize("kw, exc, match", [
    (dict(n=0), ValueError, "n must be >= 1"),
    (dict(n=10.0), TypeError, "n must be an int"),
    (dict(random_state=None), TypeError, "random_state must be an int"),
    (dict(random_state=-1), ValueError, "random_state must be >= 0"),
    (dict(minority_share=1.5), ValueError, "minority_share must be in"),
    (dict(minority_share="half"), TypeError, "minority_share must be a real number"),
    (dict(historical_penalty=-0.1), ValueError, "historical_penalty must be in"),
    (dict(historical_penalty=float("nan")), ValueError, "historical_penalty"),
    (dict(historical_penalty=float("inf")), ValueError, "historical_penalty"),
    (dict(observation_rate=0.5), ValueError, "observation_rate must be a pair"),
    (dict(observation_rate=(1.0, 1.2)), ValueError, r"observation_rate\[1\] must be in"),
    (dict(relation="separate"), ValueError, "relation must be one of"),
    (dict(label_flip_rate=True), TypeError, "label_flip_rate"),
    (dict(proxy_strength=2), ValueError, "proxy_strength must be in"),
])
def test_bad_arguments_name_the_argument(kw, exc, match):
    args = dict(n=100, random_state=0)
    args.update(kw)
    n = args.pop("n")
    with pytest.raises(exc, match=match):
        make_hiring(n, **args)
