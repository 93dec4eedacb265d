import itertools
import math
import warnings

import numpy as np
import pytest
from opacus.accountants import RDPAccountant
from opacus.accountants.analysis import rdp as opacus_rdp
from opacus.accountants.utils import get_noise_multiplier

from course_lib.privacy import (
    DEFAULT_ORDERS,
    dp_epsilon,
    group_privacy,
    noise_multiplier_for,
    rdp_subsampled_gaussian,
    rdp_to_epsilon,
)


def _opacus_epsilon(q, sigma, steps, delta):
    acc = RDPAccountant()
    for _ in range(steps):
        acc.step(noise_multiplier=sigma, sample_rate=q)
    with warnings.catch_warnings():  # "Optimal order is the largest alpha" at tiny budgets
        warnings.filterwarnings("ignore", message="Optimal order is the", category=UserWarning)
        return acc.get_epsilon(delta)


GRID = list(itertools.product([0.001, 0.01, 0.05, 0.3, 1.0], [0.5, 0.8, 1.1, 2.0, 5.0],
                              [1, 100, 1000], [1e-5, 1e-3]))


@pytest.mark.parametrize("q, sigma, steps, delta", GRID[::10])
def test_dp_epsilon_equals_opacus_rdp_accountant(q, sigma, steps, delta):
    ours = dp_epsilon(q, sigma, steps, delta)
    theirs = _opacus_epsilon(q, sigma, steps, delta)
    assert ours == pytest.approx(theirs, rel=1e-10, abs=1e-12)


@pytest.mark.slow
def test_dp_epsilon_equals_opacus_on_the_whole_grid():
    for q, sigma, steps, delta in GRID[3::7] + GRID[5::7]:
        assert dp_epsilon(q, sigma, steps, delta) == pytest.approx(
            _opacus_epsilon(q, sigma, steps, delta), rel=1e-10, abs=1e-12), (q, sigma, steps)


def test_orders_are_opacus_defaults():
    assert list(DEFAULT_ORDERS) == list(RDPAccountant.DEFAULT_ALPHAS)


def test_rdp_curve_equals_opacus_compute_rdp():
    for q, sigma in [(0.004, 1.1), (0.2, 0.7), (0.9, 3.0)]:
        ours = rdp_subsampled_gaussian(q, sigma, 37)
        theirs = opacus_rdp.compute_rdp(q=q, noise_multiplier=sigma, steps=37,
                                        orders=RDPAccountant.DEFAULT_ALPHAS)
        np.testing.assert_allclose(ours, theirs, rtol=1e-11)


def test_rdp_to_epsilon_matches_conversion_and_reports_order():
    rdp = rdp_subsampled_gaussian(0.01, 1.0, 500)
    eps, order = rdp_to_epsilon(DEFAULT_ORDERS, rdp, 1e-5)
    theirs, their_order = opacus_rdp.get_privacy_spent(orders=list(DEFAULT_ORDERS), rdp=rdp,
                                                       delta=1e-5)
    assert eps == pytest.approx(theirs, rel=1e-12) and order == their_order


def test_epsilon_behaves_monotonically():
    base = dp_epsilon(0.01, 1.0, 1000, 1e-5)
    assert dp_epsilon(0.01, 1.0, 2000, 1e-5) > base      # more steps spend more
    assert dp_epsilon(0.01, 2.0, 1000, 1e-5) < base      # more noise spends less
    assert dp_epsilon(0.02, 1.0, 1000, 1e-5) > base      # larger batches spend more
    assert dp_epsilon(0.01, 1.0, 1000, 1e-3) < base      # larger delta, smaller epsilon
    assert dp_epsilon(0.01, 1.0, 0, 1e-5) == 0.0
    assert dp_epsilon(0.01, 0.0, 10, 1e-5) == math.inf   # no noise, no privacy


def test_full_batch_gaussian_has_closed_form():
    # q = 1: RDP is alpha / (2 sigma^2) per step
    rdp = rdp_subsampled_gaussian(1.0, 2.0, 3, orders=[2.0, 8.0])
    np.testing.assert_allclose(rdp, [3 * 2 / 8, 3 * 8 / 8])


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"sample_rate": 1.5}, ValueError, "sample_rate"),
    ({"sample_rate": "0.1"}, TypeError, "sample_rate"),
    ({"noise_multiplier": -1.0}, ValueError, "noise_multiplier"),
    ({"steps": 2.5}, TypeError, "steps"),
    ({"steps": -1}, ValueError, "steps"),
    ({"delta": 0.0}, ValueError, "delta"),
    ({"delta": 1.0}, ValueError, "delta"),
])
def test_bad_input_is_named(kwargs, exc, match):
    args = {"sample_rate": 0.01, "noise_multiplier": 1.0, "steps": 10, "delta": 1e-5, **kwargs}
    with pytest.raises(exc, match=match):
        dp_epsilon(**args)


def test_bad_orders_and_rdp_shape():
    with pytest.raises(ValueError, match="orders"):
        rdp_subsampled_gaussian(0.1, 1.0, 1, orders=[0.5, 2.0])
    with pytest.raises(ValueError, match="rdp"):
        rdp_to_epsilon([2.0, 3.0], [0.1], 1e-5)


@pytest.mark.parametrize("eps, q, steps", [(1.0, 0.01, 500), (8.0, 0.004, 2000)])
def test_noise_multiplier_for_equals_opacus(eps, q, steps):
    ours = noise_multiplier_for(eps, q, steps, 1e-5)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Optimal order is the", category=UserWarning)
        theirs = get_noise_multiplier(target_epsilon=eps, target_delta=1e-5, sample_rate=q,
                                      steps=steps, accountant="rdp")
    assert ours == pytest.approx(theirs, rel=1e-12)
    assert eps - 0.01 <= dp_epsilon(q, ours, steps, 1e-5) <= eps


def test_group_privacy_multiplies_epsilon():
    assert group_privacy(1.0, 1e-5, 1) == (1.0, 1e-5)
    e, d = group_privacy(0.5, 1e-6, 4)
    assert e == 2.0 and d == pytest.approx(4 * math.exp(1.5) * 1e-6)
    assert group_privacy(2.0, 1e-5, 20)[1] == 1.0  # the delta bound becomes vacuous
    with pytest.raises(ValueError, match="k"):
        group_privacy(1.0, 1e-5, 0)
    with pytest.raises(ValueError, match="target_epsilon"):
        noise_multiplier_for(0.0, 0.01, 10, 1e-5)


# -- the PRV accountant (Opacus's default), next to the RDP one written out here ----------------
def _opacus_prv_epsilon(q, sigma, steps, delta):
    from opacus.accountants import PRVAccountant

    acc = PRVAccountant()
    for _ in range(steps):  # the accountant as DP-SGD drives it, one step at a time
        acc.step(noise_multiplier=sigma, sample_rate=q)
    return acc.get_epsilon(delta)


def test_the_fact_checks_example_rdp_240_prv_204():
    """q 0.02, σ 1, 250 steps, δ 1e-5 (notebook 08's run): RDP 2.40, PRV 2.04."""
    rdp = dp_epsilon(0.02, 1.0, 250, 1e-5)
    prv = dp_epsilon(0.02, 1.0, 250, 1e-5, accountant="prv")
    assert round(rdp, 2) == 2.40 and round(prv, 2) == 2.04
    assert prv == pytest.approx(_opacus_prv_epsilon(0.02, 1.0, 250, 1e-5), rel=1e-12)
    assert rdp == pytest.approx(_opacus_epsilon(0.02, 1.0, 250, 1e-5), rel=1e-10)


@pytest.mark.parametrize("q, sigma, steps, delta", [(0.004, 1.1, 500, 1e-5), (0.05, 0.8, 100, 1e-3),
                                                   (0.01, 2.0, 1000, 1e-5)])
def test_prv_equals_opacus_and_is_below_rdp(q, sigma, steps, delta):
    prv = dp_epsilon(q, sigma, steps, delta, accountant="prv")
    assert prv == pytest.approx(_opacus_prv_epsilon(q, sigma, steps, delta), rel=1e-12)
    # RDP's (ε, δ) conversion is an upper bound that is not tight; PRV's is tighter
    assert 0 < prv < dp_epsilon(q, sigma, steps, delta)


def test_prv_behaves_like_an_epsilon():
    base = dp_epsilon(0.02, 1.0, 250, 1e-5, accountant="prv")
    assert dp_epsilon(0.02, 1.0, 500, 1e-5, accountant="prv") > base   # more steps spend more
    assert dp_epsilon(0.02, 2.0, 250, 1e-5, accountant="prv") < base   # more noise spends less
    assert dp_epsilon(0.02, 1.0, 250, 1e-3, accountant="prv") < base   # larger delta, smaller eps
    assert dp_epsilon(0.02, 1.0, 0, 1e-5, accountant="prv") == 0.0
    assert dp_epsilon(0.02, 0.0, 10, 1e-5, accountant="prv") == math.inf


def test_prv_passes_no_warning_on():
    """Opacus warns while sizing PRV's domain with RDP at large σ; dp_epsilon keeps it quiet."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert 0 < dp_epsilon(0.001, 10.0, 250, 1e-5, accountant="prv") < 0.1


def test_accountant_is_checked_by_name():
    with pytest.raises(ValueError, match="accountant"):
        dp_epsilon(0.02, 1.0, 10, 1e-5, accountant="gdp")
    with pytest.raises(TypeError, match="accountant"):
        dp_epsilon(0.02, 1.0, 10, 1e-5, accountant=None)
    with pytest.raises(ValueError, match="sample_rate"):
        dp_epsilon(1.0, 1.0, 10, 1e-5, accountant="prv")
    assert dp_epsilon(1.0, 2.0, 3, 1e-5) > 0  # RDP handles the full batch
