import numpy as np
import pandas as pd
import pytest

from course_lib.privacy import (
    apply_generalization,
    equivalence_class_sizes,
    generalize_age,
    generalize_date,
    generalize_to_k,
    generalize_zip,
    k_anonymity,
    linkage_attack,
    make_population,
    population_hierarchies,
    uniqueness,
)

TABLE = pd.DataFrame({
    "zip": ["02138", "02139", "02139", "02141", "02141", "02141"],
    "age": [34, 36, 36, 52, 58, 51],
    "sex": ["F", "F", "F", "M", "M", "M"],
    "disease": ["flu", "cold", "flu", "cancer", "flu", "cold"],
})


def test_k_anonymity_on_a_hand_made_table():
    assert k_anonymity(TABLE, ["zip", "age", "sex"]) == 1
    assert k_anonymity(TABLE, ["sex"]) == 3
    assert k_anonymity(TABLE, ["zip"]) == 1
    assert equivalence_class_sizes(TABLE, ["zip"]).tolist() == [1, 2, 2, 3, 3, 3]
    assert uniqueness(TABLE, ["zip", "age", "sex"]) == pytest.approx(4 / 6)
    gen = TABLE.assign(zip=generalize_zip(TABLE["zip"], 3), age=generalize_age(TABLE["age"], 20))
    assert gen["zip"].tolist() == ["021**"] * 6
    assert gen["age"].tolist() == ["20-39"] * 3 + ["40-59"] * 3
    assert k_anonymity(gen, ["zip", "age", "sex"]) == 3


def test_missing_values_form_their_own_class():
    df = pd.DataFrame({"a": ["x", None, None], "b": [1, 2, 2]})
    assert k_anonymity(df, ["a", "b"]) == 1
    assert equivalence_class_sizes(df, ["a", "b"]).tolist() == [1, 2, 2]


def test_generalizers():
    dates = pd.Series(pd.to_datetime(["1987-05-17", "1999-12-31"]))
    assert generalize_date(dates, "month").tolist() == ["1987-05", "1999-12"]
    assert generalize_date(dates, "year").tolist() == ["1987", "1999"]
    assert generalize_date(dates, "decade").tolist() == ["1980s", "1990s"]
    assert generalize_zip(pd.Series(["02139"]), 0).tolist() == ["*****"]
    assert generalize_age(pd.Series([0, 9, 10]), 10).tolist() == ["0-9", "0-9", "10-19"]


def test_generalize_to_k_reaches_k_with_few_levels():
    hier = {
        "zip": [lambda s: s, lambda s: generalize_zip(s, 4), lambda s: generalize_zip(s, 3)],
        "age": [lambda s: s.astype(str), lambda s: generalize_age(s, 10),
                lambda s: generalize_age(s, 20)],
        "sex": [lambda s: s, lambda s: pd.Series("*", index=s.index)],
    }
    out, levels = generalize_to_k(TABLE, ["zip", "age", "sex"], 3, hier)
    assert k_anonymity(out, ["zip", "age", "sex"]) >= 3
    assert levels["sex"] == 0  # sex never needed generalising
    assert out["disease"].tolist() == TABLE["disease"].tolist()
    with pytest.raises(ValueError, match="cannot reach k=4"):
        generalize_to_k(TABLE, ["zip", "age", "sex"], 4, {**hier, "sex": hier["sex"][:1]})


def test_population_is_mostly_unique_and_linkage_reidentifies_it():
    pop = make_population(5000, n_zips=5, random_state=0)
    assert list(pop.columns) == ["name", "zip", "sex", "birth_date", "diagnosis"]
    qi = ["zip", "sex", "birth_date"]
    assert uniqueness(pop, qi) > 0.8
    assert uniqueness(pop, ["zip", "sex"]) == 0.0
    released = pop.drop(columns="name")           # "de-identified" medical records
    voters = pop[["name", "zip", "sex", "birth_date"]].sample(frac=0.5, random_state=0)
    linked = linkage_attack(released, voters, qi)
    assert len(linked) > 0.4 * len(pop)
    truth = pop.set_index("name")["diagnosis"]
    assert (linked["diagnosis"].to_numpy() == truth[linked["name"]].to_numpy()).all()
    # the defence: generalise both tables the same way to k = 5; nothing links uniquely
    hier = population_hierarchies()
    gen, levels = generalize_to_k(released, qi, 5, hier)
    assert k_anonymity(gen, qi) >= 5
    assert len(linkage_attack(gen, apply_generalization(voters, hier, levels), qi)) == 0
    assert make_population(50, random_state=3).equals(make_population(50, random_state=3))


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="df"):
        k_anonymity([1, 2], ["a"])
    with pytest.raises(ValueError, match="quasi_identifiers"):
        k_anonymity(TABLE, ["postcode"])
    with pytest.raises(TypeError, match="quasi_identifiers"):
        k_anonymity(TABLE, "zip")
    with pytest.raises(ValueError, match="empty"):
        k_anonymity(TABLE.iloc[:0], ["zip"])
    with pytest.raises(ValueError, match="level"):
        generalize_date(pd.Series(["2000-01-01"]), "week")
    with pytest.raises(ValueError, match="k"):
        generalize_to_k(TABLE, ["zip"], 7, {"zip": [lambda s: s]})
    with pytest.raises(ValueError, match="hierarchies"):
        generalize_to_k(TABLE, ["zip"], 2, {})
    with pytest.raises(TypeError, match="n"):
        make_population(10.0)
    with pytest.raises(ValueError, match="levels"):
        apply_generalization(TABLE, {"zip": [lambda s: s]}, {"zip": 3})
    assert np.isfinite(uniqueness(TABLE, ["zip"]))
