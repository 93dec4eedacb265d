import pytest

from course_lib.reporting import excess_harm


def test_formula():
    assert excess_harm(200_000, 0.05, group_share=0.5) == pytest.approx(5_000)
    assert excess_harm(20, 0.05, group_share=0.5) == pytest.approx(0.5)
    assert excess_harm(100, 0.1) == pytest.approx(10)  # group_share defaults to everyone


def test_the_scale_argument_is_the_ratio_of_volumes():
    ratio = excess_harm(200_000, 0.03, 0.4) / excess_harm(20, 0.03, 0.4)
    assert ratio == pytest.approx(10_000)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"decisions": -1, "error_rate_gap": 0.1}, ValueError, "decisions"),
    ({"decisions": 10, "error_rate_gap": 5}, ValueError, "error_rate_gap"),
    ({"decisions": 10, "error_rate_gap": -0.1}, ValueError, "error_rate_gap"),
    ({"decisions": 10, "error_rate_gap": 0.1, "group_share": 1.5}, ValueError, "group_share"),
    ({"decisions": float("nan"), "error_rate_gap": 0.1}, ValueError, "decisions"),
    ({"decisions": "10", "error_rate_gap": 0.1}, TypeError, "decisions"),
    ({"decisions": 10, "error_rate_gap": True}, TypeError, "error_rate_gap"),
])
def test_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        excess_harm(**kwargs)


def test_as_text_formats_floats_only():
    import numpy as np
    import pandas as pd

    from course_lib.reporting import as_text

    df = pd.DataFrame({"rate": [0.123, np.nan], "n": [3, 4], "group": ["A", "B"]})
    out = as_text(df)
    assert out["rate"].tolist() == ["0.12", "n/a"]
    assert out["n"].tolist() == [3, 4] and out["group"].tolist() == ["A", "B"]
    assert as_text(pd.Series([0.5]), 1, percent=True).tolist() == ["50.0%"]
    assert as_text(0.44847, 1, percent=True) == "44.8%" and as_text(np.float32(0.25)) == "0.25"
    assert as_text(float("nan"), percent=True) == "n/a"
    with pytest.raises(TypeError, match="values must be a number"):
        as_text("0.5")
    with pytest.raises(ValueError, match="digits must be >= 0"):
        as_text(0.5, -1)
