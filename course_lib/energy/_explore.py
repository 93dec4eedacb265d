"""Notebook 09's explorer: where a run happens, on what hardware, in what data centre, for how long.

``explore_carbon`` turns devices, hardware (the average draw of one device), PUE, hours and a
region into energy (kWh) and emissions (kg CO2e), with ``estimate_energy`` and ``emissions``
themselves, and shows the same run on every grid of ``grid_intensity()``.
"""

from __future__ import annotations

import math

from course_lib._validate import check_int, check_real
from course_lib.energy._estimates import (
    PUBLISHED_RUNS,
    WATTS_PER_CORE,
    emissions,
    estimate_energy,
    grid_intensity,
)

__all__ = ["explore_carbon", "hardware_watts"]


def hardware_watts() -> dict[str, float]:
    """Drop-down options, label -> average watts per device: the course's assumed CPU core and
    the hardware of the published runs (``PUBLISHED_RUNS``), with each source's wattage."""
    options = {f"one busy CPU core ({WATTS_PER_CORE:g} W, the course's assumption)":
               WATTS_PER_CORE}
    for run in PUBLISHED_RUNS:
        if run.hardware and not math.isnan(run.watts):
            label = f"{run.hardware} ({run.watts:g} W, as for {run.model.split(' (')[0]})"
            options.setdefault(label, float(run.watts))
    return options


def explore_carbon(devices: int = 8, hours: int = 72, watts: float | None = None,
                   pue: float = 1.2, region: str = "Germany"):
    """An explorer: devices × hours × watts × PUE / 1000 → kWh, × each grid's intensity → kg CO2e.

    Knobs: ``region`` (a drop-down of ``grid_intensity()``), ``watts`` (hardware, a drop-down of
    ``hardware_watts()``, or any positive wattage), ``devices`` (1-512), ``pue`` (1-2) and
    ``hours`` (1-720) (sliders). The table has one row per region (g CO2e/kWh, kWh, kg CO2e,
    times the cleanest); the chart shows kg CO2e by region with the chosen one highlighted.
    """
    # within the sliders' ranges: a slider would clamp a value outside to its end, unannounced
    devices, hours = check_int(devices, "devices", 1), check_int(hours, "hours", 1)
    check_real(devices, "devices", 1, 512)
    check_real(hours, "hours", 1, 720)
    pue = check_real(pue, "pue", 1.0, 2.0)
    if watts is not None:
        watts = check_real(watts, "watts", 0.0, lo_open=True, finite=True)

    from course_lib.explore import View, choice, explorer, figure, slider
    from course_lib.plotting import PALETTE

    grid = grid_intensity().sort_values("g_co2e_per_kwh", kind="stable")
    intensity = dict(zip(grid["region"], grid["g_co2e_per_kwh"].astype(float), strict=True))
    if region not in intensity:
        raise ValueError(f"region must be one of {', '.join(intensity)}, got {region!r}")
    hardware = hardware_watts()
    if watts is None:  # GPT-3's V100s, as Patterson et al. measured them
        watts = next(float(r.watts) for r in PUBLISHED_RUNS if r.hardware == "V100")
    watts = float(watts)
    if watts not in hardware.values():
        hardware[f"{watts:g} W a device"] = watts

    def view(region: str, watts: float, devices: int, pue: float, hours: int) -> View:
        import pandas as pd

        kwh = estimate_energy(devices, hours, watts, pue)
        kg = {r: emissions(kwh, g / 1000) for r, g in intensity.items()}
        cleanest = min(intensity.values())
        table = pd.DataFrame({"g_co2e_per_kwh": intensity, "kwh": kwh, "kg_co2e": kg})
        table["times_cleanest"] = table["g_co2e_per_kwh"] / cleanest
        table.index.name = "region"
        fig, ax = figure(6.0, 3.4)
        colours = [PALETTE["vermillion"] if r == region else PALETTE["blue"] for r in table.index]
        ax.barh(table.index, table["kg_co2e"], color=colours)
        ax.invert_yaxis()
        ax.set_xlabel(f"kg CO2e for {kwh:,.1f} kWh (2023 life-cycle intensities, Ember)")
        ax.set_title(f"{devices} × {watts:g} W × {hours} h × PUE {pue:.2f}; {region} in red")
        note = (f"{devices} devices × {hours} h × {watts:g} W × PUE {pue:.2f} / 1000 = "
                f"{kwh:,.1f} kWh; in {region} ({intensity[region]:.0f} g CO2e/kWh) "
                f"{kg[region]:,.1f} kg CO2e")
        return View(table=table, figure=fig, note=note)

    return explorer(view, {
        "region": choice(list(intensity), region, "region"),
        "watts": choice(hardware, watts, "hardware"),
        "devices": slider(1, 512, 1, devices, "devices"),
        "pue": slider(1.0, 2.0, 0.05, pue, "PUE"),
        "hours": slider(1, 720, 1, hours, "hours"),
    })
