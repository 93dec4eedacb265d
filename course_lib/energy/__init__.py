"""Energy and carbon of training: estimates from stated inputs, counted FLOPs, recorded runs.

Units are part of every name's contract: energy in kilowatt-hours (kWh), power in watts (W),
time in hours unless a name says seconds, carbon intensity in kg CO2e per kWh, emissions in
kg CO2e. Importing this package is cheap: torch, pandas and codecarbon load inside the functions
that use them.
"""

from __future__ import annotations

from course_lib.energy._efficiency import (
    distill,
    distillation_loss,
    latency,
    model_bytes,
    new_head,
    quantize_int8,
)
from course_lib.energy._estimates import (
    BLOOM_FULL_KG_CO2E,
    FLIGHT_NY_SF_KG_CO2E,
    KG_PER_LB,
    NAS_PROXY_TASK_LBS_CO2E,
    PUBLISHED_RUNS,
    WATTS_PER_CORE,
    WORLD_KG_CO2E_PER_KWH,
    PublishedRun,
    emissions,
    emissions_by_region,
    estimate_energy,
    grid_intensity,
    published_runs,
)
from course_lib.energy._explore import explore_carbon, hardware_watts
from course_lib.energy._footprint import (
    FOOTPRINT_CSV,
    FOOTPRINT_FILE_VAR,
    FOOTPRINT_NOTE,
    Footprint,
    RunRecord,
    count_flops,
    course_estimates,
    course_footprint,
    footprint,
    record_run,
    recorded_runs,
    reset_runs,
    show_footprint,
    track,
)
from course_lib.energy._tracker import Measurement, measure_emissions

__all__ = ["WATTS_PER_CORE", "WORLD_KG_CO2E_PER_KWH", "Footprint", "RunRecord", "count_flops",
           "emissions", "estimate_energy", "footprint", "show_footprint", "record_run",
           "recorded_runs", "reset_runs", "track", "FOOTPRINT_NOTE", "Measurement",
           "measure_emissions", "FOOTPRINT_CSV",
           "FOOTPRINT_FILE_VAR", "course_footprint", "course_estimates", "KG_PER_LB",
           "FLIGHT_NY_SF_KG_CO2E", "PublishedRun", "PUBLISHED_RUNS", "published_runs",
           "NAS_PROXY_TASK_LBS_CO2E", "BLOOM_FULL_KG_CO2E", "grid_intensity",
           "emissions_by_region", "distillation_loss", "distill", "new_head", "quantize_int8",
           "latency", "model_bytes", "explore_carbon", "hardware_watts"]


def __getattr__(name: str):
    """``Int8Linear`` is built on first use, so importing the package does not import torch."""
    if name == "Int8Linear":
        from course_lib.energy import _efficiency

        return _efficiency.Int8Linear
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
