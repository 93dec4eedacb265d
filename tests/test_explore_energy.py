"""Notebook 09's explorer: region, hardware, PUE and hours to kWh and kg CO2e, driven headless."""

import pytest

from course_lib.energy import (
    WATTS_PER_CORE,
    emissions,
    estimate_energy,
    explore_carbon,
    grid_intensity,
    hardware_watts,
)


def test_the_default_view_is_course_libs_own_estimate():
    ex = explore_carbon()
    table = ex.view.table
    kwh = estimate_energy(8, 72, 330.0, 1.2)
    assert table.loc["Germany", "kwh"] == kwh
    assert table.loc["Germany", "kg_co2e"] == emissions(kwh, 0.381)
    assert list(table.index) == list(grid_intensity()["region"])  # cleanest first
    assert "Germany (381 g CO2e/kWh)" in ex.view.note
    assert ex.view.figure is not None and ex.view._repr_png_().startswith(b"\x89PNG")


@pytest.mark.parametrize("move", [{"pue": 1.6}, {"hours": 200}, {"devices": 64},
                                  {"watts": WATTS_PER_CORE}, {"region": "Norway"}])
def test_every_knob_moves_the_numbers_as_the_formulas_say(move):
    ex = explore_carbon()
    before = ex.view.table.copy()
    view = ex.set(**move)
    knobs = dict(view.values)
    kwh = estimate_energy(knobs["devices"], knobs["hours"], knobs["watts"], knobs["pue"])
    for _, row in view.table.iterrows():
        assert row["kwh"] == kwh
        assert row["kg_co2e"] == emissions(kwh, row["g_co2e_per_kwh"] / 1000)
    if "region" in move:  # the region picks the highlighted row, not the numbers
        assert view.table.equals(before) and "in Norway" in view.note
    else:  # each other knob scales the energy, and every region's emissions with it
        ratio = view.table["kg_co2e"] / before["kg_co2e"]
        assert ratio.nunique() == 1 or ratio.round(12).nunique() == 1
        expected_up = "watts" not in move  # one CPU core draws less than a V100
        assert (ratio.iloc[0] > 1) == expected_up


def test_the_dirtiest_grid_emits_more_than_the_cleanest_by_the_intensity_ratio():
    table = explore_carbon(devices=1, hours=10, watts=WATTS_PER_CORE, pue=1.0).view.table
    assert table["kg_co2e"].is_monotonic_increasing
    assert table["kg_co2e"].iloc[-1] / table["kg_co2e"].iloc[0] == pytest.approx(
        table["times_cleanest"].iloc[-1])


def test_hardware_options_come_from_the_published_runs():
    options = hardware_watts()
    assert options[next(k for k in options if k.startswith("V100"))] == 330.0
    assert options[next(k for k in options if k.startswith("A100"))] == 400.0
    assert WATTS_PER_CORE in options.values()


def test_bad_region_is_named():
    with pytest.raises(ValueError, match="region must be one of"):
        explore_carbon(region="Atlantis")
