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
