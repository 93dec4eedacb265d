"""The privacy explorers (notebooks 07 and 08), driven without a browser."""

import math
import time

import numpy as np
import pytest

from course_lib.privacy import (
    DPSGD_SETTING,
    dp_epsilon,
    dpsgd_grid,
    dpsgd_grid_table,
    evaluate_attack,
    explore_dpsgd,
    explore_membership_threshold,
    membership_advantage,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _timed_set(ex, **values):
    start = time.perf_counter()
    view = ex.set(**values)
    return view, time.perf_counter() - start


@pytest.fixture(scope="module")
def attacks():
    rng = np.random.default_rng(0)
    return {"overfit": evaluate_attack(-rng.exponential(0.3, 400), -rng.exponential(0.6, 400)),
            "regularised": evaluate_attack(-rng.exponential(0.5, 400),
                                           -rng.exponential(0.55, 400))}


def test_membership_threshold_moves_tpr_and_fpr_together(attacks):
    ex = explore_membership_threshold(attacks)
    low, t_low = _timed_set(ex, attack="overfit", threshold=0.1)
    high, t_high = _timed_set(ex, threshold=1.0)
    col = "at this threshold"
    # a looser threshold (a larger loss still counts as member) catches more of both
    assert high.table.loc["TPR (members caught)", col] > low.table.loc["TPR (members caught)", col]
    assert (high.table.loc["FPR (non-members accused)", col]
            > low.table.loc["FPR (non-members accused)", col])
    res = attacks["overfit"]
    expected = membership_advantage(res.member_scores, res.nonmember_scores, threshold=-1.0)
    assert math.isclose(high.table.loc["advantage TPR − FPR", col], round(expected, 3))
    assert high.table.loc["advantage TPR − FPR", "attack's summary"] == round(res.advantage, 3)
    assert high.figure is not None and "catches" in high.note
    print(f"\nmembership threshold explorer update: {max(t_low, t_high) * 1000:.0f} ms")


def test_membership_threshold_switches_attack(attacks):
    ex = explore_membership_threshold(attacks)
    a = ex.set(attack="overfit", threshold=0.5).table
    b = ex.set(attack="regularised").table
    assert a.loc["advantage TPR − FPR", "attack's summary"] \
        > b.loc["advantage TPR − FPR", "attack's summary"]
    with pytest.raises(TypeError, match="attacks"):
        explore_membership_threshold({})


def test_dpsgd_epsilon_falls_with_sigma_and_rises_with_epochs():
    ex = explore_dpsgd(chance=0.12)
    eps = "ε (δ = 0.001)"
    (v1, t1), (v2, t2) = _timed_set(ex, sigma=1.0, epochs_run=30), _timed_set(ex, sigma=4.0)
    assert v2.table.loc[eps, "value"] < v1.table.loc[eps, "value"]
    v3, t3 = _timed_set(ex, epochs_run=60)
    assert v3.table.loc[eps, "value"] > v2.table.loc[eps, "value"]
    # the live ε is course_lib's accountant at that setting, and the stored grid's
    q, steps = 0.25, 60 * 4
    assert v3.table.loc["steps", "value"] == steps
    assert math.isclose(v3.table.loc[eps, "value"],
                        round(dp_epsilon(q, 4.0, steps, DPSGD_SETTING["delta"]), 3))
    grid = dpsgd_grid_table()
    for row in grid.itertuples():
        assert math.isclose(row.epsilon, dp_epsilon(row.sample_rate, row.sigma, row.steps,
                                                     DPSGD_SETTING["delta"]), rel_tol=1e-5)
    row = grid[(grid.sigma == 4.0) & (grid.epochs == 60)].iloc[0]
    assert v3.table.loc["membership advantage", "value"] == round(row.advantage, 3)
    assert v3.table.loc["test accuracy", "value"] == round(row.test_acc, 3)
    print(f"\nDP-SGD explorer update: {max(t1, t2, t3) * 1000:.0f} ms")


def test_dpsgd_grid_shows_the_trade_off():
    grid = dpsgd_grid_table()
    assert set(grid.sigma) == {0.5, 1.0, 2.0, 4.0} and set(grid.epochs) == {10, 30, 60}
    longest = grid[grid.epochs == 60].sort_values("sigma")
    # more noise: less fit to the training set (memorisation), at 60 epochs
    assert longest.train_acc.iloc[0] > longest.train_acc.iloc[-1]
    with pytest.raises(ValueError, match="columns"):
        explore_dpsgd(grid=grid.drop(columns="advantage"))


def test_dpsgd_grid_point_is_retrained_exactly():
    """The stored grid is what dpsgd_grid trains: re-derive its cheapest point."""
    fresh = dpsgd_grid(sigmas=(2.0,), epochs=(10,)).iloc[0]
    stored = dpsgd_grid_table().set_index(["sigma", "epochs"]).loc[(2.0, 10)]
    for col in ("steps", "train_acc", "test_acc", "advantage"):
        assert math.isclose(fresh[col], stored[col], abs_tol=1e-9), col
    assert math.isclose(fresh["epsilon"], stored["epsilon"], rel_tol=1e-5)
    assert math.isclose(fresh["auc"], stored["auc"], rel_tol=1e-5)
