"""The policing urn of Ensign et al. (2018): Pólya limit, runaway, the correction's fixed point."""

import time

import numpy as np
import pytest
from scipy import stats

from course_lib.synth import policing_urn


def test_shape_initial_column_and_determinism():
    s = policing_urn((0.3, 0.1), 50, 4, initial=(3, 1), random_state=0)
    assert s.shape == (4, 51)
    assert (s[:, 0] == 0.75).all() and ((s >= 0) & (s <= 1)).all()
    np.testing.assert_array_equal(s, policing_urn((0.3, 0.1), 50, 4, initial=(3, 1),
                                                  random_state=0))
    assert not np.array_equal(s, policing_urn((0.3, 0.1), 50, 4, initial=(3, 1),
                                              random_state=1))


def test_each_day_adds_at_most_one_ball_to_the_patrolled_region():
    s = policing_urn((0.5, 0.5), 200, 3, random_state=0)
    # a share changes exactly when a ball is added, so the urn's counts can be read back
    added = np.diff(s, axis=1) != 0
    total = 2 + np.concatenate([np.zeros((3, 1)), np.cumsum(added, axis=1)], axis=1)
    balls_a = s * total
    np.testing.assert_allclose(balls_a, np.round(balls_a), atol=1e-9)
    assert set(np.unique(np.diff(np.round(balls_a), axis=1))) == {0.0, 1.0}
    assert 0.3 < added.mean() < 0.7  # about half the patrols discover an incident (λ = 0.5)
    assert (policing_urn((0.0, 0.0), 20, 3, random_state=0) == 0.5).all()  # nothing found


def test_equal_rates_give_a_polya_urn_with_a_uniform_limit():
    final = policing_urn((0.5, 0.5), 2000, 2000, random_state=1)[:, -1]
    assert stats.kstest(final, "uniform").pvalue > 0.01
    # a random limit, not one half: runs end spread over the whole interval
    assert np.quantile(final, 0.1) < 0.15 and np.quantile(final, 0.9) > 0.85


def test_polya_limit_is_beta_of_the_initial_counts():
    final = policing_urn((0.8, 0.8), 2000, 2000, initial=(2, 5), random_state=2)[:, -1]
    assert stats.kstest(final, stats.beta(2, 5).cdf).pvalue > 0.01
    assert stats.kstest(final, "uniform").pvalue < 1e-6  # the initial counts matter


def test_different_rates_run_away_to_the_higher_rate_region():
    final = policing_urn((0.3, 0.1), 2000, 500, random_state=3)[:, -1]
    truth = 0.3 / (0.3 + 0.1)
    assert np.median(final) > 0.95 > truth
    assert (final > 0.9).mean() > 0.9
    # the share of B keeps shrinking: later days are more extreme than earlier ones
    s = policing_urn((0.3, 0.1), 4000, 500, random_state=3)
    assert np.median(s[:, 4000]) > np.median(s[:, 1000])


@pytest.mark.parametrize("rates", [(0.3, 0.1), (0.15, 0.25), (0.5, 0.5)])
def test_correction_converges_to_the_ratio_of_rates(rates):
    final = policing_urn(rates, 2000, 500, correction=True, random_state=4)[:, -1]
    target = rates[0] / (rates[0] + rates[1])
    assert abs(final.mean() - target) < 0.01
    assert final.std() < 0.05  # every run near it: a fixed point, not a random limit


def test_500_runs_of_2000_days_take_well_under_a_second():
    policing_urn((0.3, 0.1), 100, 10, random_state=0)  # warm up
    start = time.perf_counter()
    policing_urn((0.3, 0.1), 2000, 500, correction=True, random_state=0)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("kw, exc, match", [
    (dict(rates=(0.3,)), ValueError, "rates must be a pair"),
    (dict(rates=(0.3, 1.5)), ValueError, r"rates\[1\] must be in \[0, 1\]"),
    (dict(rates=("a", 0.1)), TypeError, r"rates\[0\] must be a real number"),
    (dict(steps=0), ValueError, "steps must be >= 1"),
    (dict(n_runs=2.5), TypeError, "n_runs must be an int"),
    (dict(correction="yes"), TypeError, "correction must be True or False"),
    (dict(initial=(0, 1)), ValueError, r"initial\[0\] must be in \(0, inf\]"),
    (dict(initial=(1, float("inf"))), ValueError, "finite numbers of balls"),
    (dict(random_state=None), TypeError, "random_state must be an int"),
])
def test_bad_arguments_name_the_argument(kw, exc, match):
    args = dict(rates=(0.3, 0.1), steps=10, n_runs=2, random_state=0)
    args.update(kw)
    with pytest.raises(exc, match=match):
        policing_urn(args.pop("rates"), args.pop("steps"), args.pop("n_runs"), **args)
