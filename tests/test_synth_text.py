"""Tests for course_lib.synth._text: the stand-in résumé corpus, one knob at a time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course_lib.synth import RESUME_PROXIES, make_resumes

FEMALE_PROXIES = ("wellesley college", "smith college", "barnard college", "bryn mawr college",
                  "spelman college", "softball", "netball", "sorority", "cheerleading")
MALE_PROXIES = ("football", "fraternity", "rugby", "wrestling")


def _has(texts: pd.Series, phrases) -> np.ndarray:
    return np.array([any(p in t.split(", ") for p in phrases) for t in texts])


def test_columns_types_and_determinism():
    df = make_resumes(500, random_state=1)
    assert list(df.columns) == ["text", "gender", "skill", "mentions_womens", "hired"]
    assert len(df) == 500 and isinstance(df.index, pd.RangeIndex)
    assert set(df["gender"]) == {"female", "male"}
    assert df["hired"].dtype == np.int64 and set(df["hired"]) == {0, 1}
    assert df["mentions_womens"].dtype == bool and df["skill"].dtype == float
    pd.testing.assert_frame_equal(df, make_resumes(500, random_state=1))
    assert not df["text"].equals(make_resumes(500, random_state=2)["text"])
    assert set(RESUME_PROXIES) == set(FEMALE_PROXIES) | set(MALE_PROXIES)


def test_only_womens_resumes_say_womens_and_the_column_tells_the_truth():
    df = make_resumes(6000, random_state=0)
    says = df["text"].str.contains("women's")
    assert (says == df["mentions_womens"]).all()
    assert not says[df["gender"] == "male"].any()
    assert abs(says[df["gender"] == "female"].mean() - 0.6) < 0.03
    assert abs((df["gender"] == "female").mean() - 0.5) < 0.03
    # skill has the same distribution in both genders
    by_gender = df.groupby("gender")["skill"]
    assert abs(by_gender.mean().diff().iloc[-1]) < 0.08
    assert abs(by_gender.std().diff().iloc[-1]) < 0.08


def test_penalty_changes_only_the_hiring_label():
    base = make_resumes(6000, penalty=0.0, random_state=3)
    biased = make_resumes(6000, penalty=2.0, random_state=3)
    pd.testing.assert_frame_equal(base.drop(columns="hired"), biased.drop(columns="hired"))
    mention = biased["mentions_womens"].to_numpy()
    assert (base["hired"][~mention] == biased["hired"][~mention]).all()
    assert (biased["hired"][mention] <= base["hired"][mention]).all()  # only ever lowers
    assert biased["hired"][mention].mean() < base["hired"][mention].mean() - 0.2
    # without a penalty, women and men of the same skill distribution are hired alike
    rates = base.groupby("gender")["hired"].mean()
    assert abs(rates["female"] - rates["male"]) < 0.03
    rates = biased.groupby("gender")["hired"].mean()
    assert rates["male"] - rates["female"] > 0.1


def test_proxy_strength_changes_only_the_proxy_phrases():
    none = make_resumes(4000, proxy_strength=0.0, random_state=4)
    strong = make_resumes(4000, proxy_strength=1.0, random_state=4)
    pd.testing.assert_frame_equal(none.drop(columns="text"), strong.drop(columns="text"))
    assert not _has(none["text"], RESUME_PROXIES).any()
    female = (strong["gender"] == "female").to_numpy()
    assert not _has(strong["text"][~female], FEMALE_PROXIES).any()
    assert not _has(strong["text"][female], MALE_PROXIES).any()
    assert 0.85 < _has(strong["text"][female], FEMALE_PROXIES).mean() < 1.0
    assert 0.7 < _has(strong["text"][~female], MALE_PROXIES).mean() < 0.9
    mid = make_resumes(4000, proxy_strength=0.5, random_state=4)
    assert 0.3 < _has(mid["text"][~female], MALE_PROXIES).mean() < 0.5
    # outside the college and activity phrases, the texts are the same
    proxy_free = {"state university", "city college", "tech institute", "hiking", "photography",
                  "marathon running", "choir", *RESUME_PROXIES}

    def core(text):
        return sorted(p for p in text.split(", ") if p not in proxy_free)

    assert none["text"].map(core).equals(strong["text"].map(core))


def test_word_removal_keeps_the_gap_through_proxies():
    """The mechanism notebook 02 shows, for several seeds (the notebook uses seed 0)."""
    import torch
    from sklearn.feature_extraction.text import CountVectorizer

    from course_lib.models import BagOfWords, predict_proba, train

    def fit(data, stop_words, seed):
        fit_part, score_part = data.iloc[:3000], data.iloc[3000:]
        vec = CountVectorizer(binary=True, stop_words=stop_words)
        x_fit = vec.fit_transform(fit_part["text"]).toarray().astype(np.float32)
        x_score = vec.transform(score_part["text"]).toarray().astype(np.float32)
        torch.manual_seed(seed)
        model = BagOfWords(x_fit.shape[1])
        train(model, x_fit, fit_part["hired"].to_numpy(), epochs=40, lr=0.05,
              weight_decay=1e-3, random_state=seed, progress=False)
        effects = pd.Series(model.token_effects().numpy(), index=vec.get_feature_names_out())
        p = predict_proba(model, x_score)[:, 1]
        man = (score_part["gender"] == "male").to_numpy()
        return effects, p[man].mean() - p[~man].mean()

    for seed in (1, 2, 3):
        data = make_resumes(4000, penalty=2.0, proxy_strength=0.8, random_state=seed)
        effects, gap = fit(data, None, seed)
        _, gap_removed = fit(data, ["women"], seed)
        clean = make_resumes(4000, penalty=2.0, proxy_strength=0.0, random_state=seed)
        _, gap_clean = fit(clean, ["women"], seed)
        assert -3.0 <= effects["women"] <= -1.0 and effects.idxmin() == "women", seed
        assert 0.08 <= gap <= 0.30, seed
        assert 0.4 <= gap_removed / gap <= 0.95, seed
        assert -0.05 <= gap_clean <= 0.05, seed


@pytest.mark.parametrize("kwargs, error, match", [
    ({"n": 0}, ValueError, "n must be >= 1"),
    ({"n": "10"}, TypeError, "n must be an int"),
    ({"penalty": -1.0}, ValueError, "penalty must be in"),
    ({"penalty": True}, TypeError, "penalty must be a real number"),
    ({"proxy_strength": 1.5}, ValueError, "proxy_strength must be in"),
    ({"random_state": -1}, ValueError, "random_state must be >= 0"),
])
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_resumes(**{"n": 10, **kwargs})
