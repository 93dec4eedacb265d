"""Energy and emissions from stated inputs, the published estimates, and where a run happens."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from course_lib._validate import check_real

if TYPE_CHECKING:
    pass

__all__ = ["WATTS_PER_CORE", "WORLD_KG_CO2E_PER_KWH", "estimate_energy", "emissions", "KG_PER_LB",
           "FLIGHT_NY_SF_KG_CO2E", "PublishedRun", "PUBLISHED_RUNS", "published_runs",
           "NAS_PROXY_TASK_LBS_CO2E", "BLOOM_FULL_KG_CO2E", "grid_intensity",
           "emissions_by_region"]

#: Assumed draw of one busy laptop/server CPU core, in W (a 45 W 8-core laptop chip under load is
#: about 5.6 W a core; a 280 W 64-core server chip about 4.4 W). Stated, not measured: pass
#: your own.
WATTS_PER_CORE = 5.0

#: World-average carbon intensity of electricity generation in 2023, kg CO2e per kWh (Ember,
#: Global Electricity Review 2024: 481 g CO2e/kWh, life-cycle emissions).
WORLD_KG_CO2E_PER_KWH = 0.481


def estimate_energy(chips: float, hours: float, watts: float, pue: float = 1.0) -> float:
    """Energy in kWh: chips × hours × watts × PUE / 1000 (watts = average draw of one chip)."""
    n = check_real(chips, "chips", 0.0)
    h = check_real(hours, "hours", 0.0)
    w = check_real(watts, "watts", 0.0)
    p = check_real(pue, "pue", 1.0)  # PUE = facility energy / IT energy, never below 1
    for name, v in (("chips", n), ("hours", h), ("watts", w), ("pue", p)):
        if math.isinf(v):  # each one: 0 × inf would be NaN, not inf
            raise ValueError(f"{name} must be finite, got {v!r}")
    if math.isinf(n * h * w * p):
        raise ValueError("chips, hours, watts and pue must be finite")
    return n * h * w * p / 1000.0


def emissions(kwh: float, kg_co2e_per_kwh: float) -> float:
    """Emissions in kg CO2e: kWh × the grid's carbon intensity in kg CO2e per kWh."""
    e = check_real(kwh, "kwh", 0.0)
    ci = check_real(kg_co2e_per_kwh, "kg_co2e_per_kwh", 0.0, 2.0)  # the dirtiest grids are ~1.1
    if math.isinf(e):
        raise ValueError("kwh must be finite")
    return e * ci



# -- published estimates -------------------------------------------------------------------------

#: Kilograms in one avoirdupois pound (exact, by definition).
KG_PER_LB = 0.45359237

#: One passenger's air travel New York ↔ San Francisco, round trip: 1,984 lbs CO2e (Strubell,
#: Ganesh & McCallum, 2019, Table 1), in kg CO2e.
FLIGHT_NY_SF_KG_CO2E = 1984 * KG_PER_LB


#: Strubell et al.'s estimate for the Evolved Transformer search redone by Patterson et al. (2021,
#: Appendix C) with the small proxy task the search actually used (Transformer base, batch 4,096)
#: and nothing else changed (the same P100s, PUE and US-average grid): 33,544 lbs CO2e.
NAS_PROXY_TASK_LBS_CO2E = 33_544


@dataclass(frozen=True)
class PublishedRun:
    """A published training footprint: its inputs where given (NaN otherwise) and results.

    ``kwh`` and ``kg_co2e`` are the values the source reports (kWh, kg CO2e);
    ``kg_co2e_per_kwh`` the intensity it used. ``kwh_derived`` is True when the source reports
    only the CO2e and ``kwh`` was worked back from it (so recomputing the CO2e checks nothing).
    ``boundary`` says what the energy counts and how it was obtained.
    """

    model: str
    source: str
    kwh: float
    kg_co2e_per_kwh: float
    kg_co2e: float
    chips: float = math.nan
    hours: float = math.nan
    watts: float = math.nan
    pue: float = math.nan
    hardware: str = ""
    note: str = ""
    boundary: str = ""
    kwh_derived: bool = False


PUBLISHED_RUNS: tuple[PublishedRun, ...] = (
    PublishedRun(
        "NAS, Strubell et al.'s estimate", "Strubell, Ganesh & McCallum (2019), Tables 1 and 3",
        kwh=626_155 / 0.954, kg_co2e_per_kwh=0.954 * KG_PER_LB, kg_co2e=626_155 * KG_PER_LB,
        hardware="P100 (assumed)", kwh_derived=True,
        note="626,155 lbs CO2e reported for the Evolved Transformer search; kWh (PUE 1.58 "
             "included) worked back from it at the paper's US average of 0.954 lbs CO2e/kWh",
        boundary="retrospective estimate: the search assumed to train full-size Transformer "
                 "(big) models on P100 GPUs in an average US data centre (PUE 1.58)"),
    PublishedRun(
        "NAS, as run", "Patterson et al. (2021), Table 4 and Appendix D",
        kwh=7_500, kg_co2e_per_kwh=0.431, kg_co2e=3_200, chips=200, hours=6.8 * 24, watts=208,
        pue=1.10, hardware="TPU v2",
        note="7.5 MWh and 3.2 tCO2e for the search that was run (a small proxy task)",
        boundary="measured: average system power per TPU v2 (memory, fans, host CPU included) "
                 "× the data centre's PUE; the Georgia data centre's intensity that month"),
    PublishedRun(
        "GPT-3 (175B)", "Patterson et al. (2021), Table 4",
        kwh=1_287_000, kg_co2e_per_kwh=0.429, kg_co2e=552_000, chips=10_000, hours=14.8 * 24,
        watts=330, pue=1.10, hardware="V100",
        note="1,287 MWh and 552 tCO2e reported; inputs as in the table",
        boundary="measured power per V100 (by OpenAI) × PUE 1.10, over the 14.8 days the "
                 "training FLOPs imply on 10,000 GPUs; US-average intensity"),
    PublishedRun(
        "BLOOM (176B)", "Luccioni, Viguier & Ligozat (2023), Table 1",
        kwh=433_196, kg_co2e_per_kwh=0.057, kg_co2e=24_700, chips=1, hours=1_082_990,
        watts=400, pue=1.0, hardware="A100",
        note="24.7 t from dynamic power only; 50.5 t with idle power and the hardware's "
             "embodied emissions; chips × hours = 1,082,990 GPU-hours",
        boundary="GPU-hours × the A100's rated power (TDP 400 W): no PUE, no idle power, no "
                 "CPUs or network; French grid"),
)

#: BLOOM's training footprint with idle power and embodied emissions counted too (Luccioni,
#: Viguier & Ligozat, 2023): 50.5 t CO2e, in kg.
BLOOM_FULL_KG_CO2E = 50_500


def published_runs():
    """``PUBLISHED_RUNS`` as a DataFrame, one row per model, with the emissions recomputed.

    Adds ``kwh_from_inputs`` (chips × hours × watts × PUE / 1000, NaN where inputs are not
    given) and ``kg_co2e_recomputed`` (reported kWh × intensity; NaN where the kWh was itself
    worked back from the CO2e, so the product would only return the CO2e it came from).
    """
    import pandas as pd

    rows = []
    for r in PUBLISHED_RUNS:
        given = not any(math.isnan(v) for v in (r.chips, r.hours, r.watts, r.pue))
        rows.append({**r.__dict__,
                     "kwh_from_inputs": (estimate_energy(r.chips, r.hours, r.watts, r.pue)
                                         if given else math.nan),
                     "kg_co2e_recomputed": (math.nan if r.kwh_derived
                                            else emissions(r.kwh, r.kg_co2e_per_kwh))})
    return pd.DataFrame(rows).set_index("model")


# -- where a run happens -------------------------------------------------------------------------


def grid_intensity():
    """Carbon intensity of electricity generation (2023, g CO2e/kWh) for ten countries and the
    world, cleanest first: the shipped table ``data.load_grid_intensity()`` (Ember via OWID)."""
    from course_lib.data import load_grid_intensity

    grid = load_grid_intensity()
    grid["region"] = grid["region"].astype(str)
    grid["iso_code"] = grid["iso_code"].astype(str)
    return grid


def emissions_by_region(kwh: float, grid=None):
    """The same energy (kWh) placed on each grid: kg CO2e = kWh × g CO2e/kWh / 1000.

    ``grid`` is a table with ``region`` and ``g_co2e_per_kwh`` columns (default:
    ``grid_intensity()``). Returns region, g_co2e_per_kwh and kg_co2e, cleanest first, with
    ``times_cleanest`` = each region's emissions over the cleanest region's.
    """
    e = check_real(kwh, "kwh", 0.0)
    if math.isinf(e):
        raise ValueError("kwh must be finite")
    grid = grid_intensity() if grid is None else grid
    needed = ["region", "g_co2e_per_kwh"]
    if not all(c in getattr(grid, "columns", ()) for c in needed):
        raise ValueError(f"grid must be a DataFrame with columns {needed}")
    out = grid[needed].sort_values("g_co2e_per_kwh", kind="stable").reset_index(drop=True)
    out["kg_co2e"] = [emissions(e, g / 1000) for g in out["g_co2e_per_kwh"]]
    cleanest = out["g_co2e_per_kwh"].iloc[0]
    out["times_cleanest"] = out["g_co2e_per_kwh"] / cleanest if cleanest > 0 else math.nan
    return out
