"""codecarbon's offline tracker, wrapped to write no file and print nothing."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from course_lib._validate import check_real

if TYPE_CHECKING:
    pass

__all__ = ["Measurement", "measure_emissions"]

@dataclass
class Measurement:
    """What codecarbon reported for a block: energy in kWh, emissions in kg CO2e, and how."""

    seconds: float = math.nan
    kwh: float = math.nan
    kg_co2e: float = math.nan
    cpu_watts: float = math.nan
    method: str = ""
    country: str = ""

    def summary(self) -> str:
        """One line, at a precision a re-run keeps only roughly (mark the cell volatile)."""
        return (f"{self.seconds:.0f} s, {1000 * self.kwh:.3f} Wh, {1e6 * self.kg_co2e:.1f} mg "
                f"CO2e in {self.country}; CPU power {self.cpu_watts:.1f} W ({self.method})")


_METHODS = {
    "cpu_load": "estimated: the chip's rated power (TDP) scaled by CPU load; no power counters",
    "intel_rapl": "measured by the CPU's RAPL energy counters",
    "constant": "assumed: half the chip's rated power (TDP), whatever the load",
}


def no_outputs() -> dict[str, object]:
    """The tracker argument that writes nothing: ``output_methods=[]`` in codecarbon 3, which
    deprecates ``save_to_file``; ``save_to_file=False`` before it (Colab's 2.7.1, whose tracker
    rejects ``output_methods`` and, as it swallows its own errors, then measures nothing)."""
    import inspect

    from codecarbon.emissions_tracker import BaseEmissionsTracker

    if "output_methods" in inspect.signature(BaseEmissionsTracker.__init__).parameters:
        return {"output_methods": []}
    return {"save_to_file": False}


@contextmanager
def measure_emissions(country_iso_code: str = "FRA",
                      measure_power_secs: float = 1.0) -> Iterator[Measurement]:
    """Track a block with codecarbon's OfflineEmissionsTracker, quietly and writing no file.

    ``with measure_emissions("DEU") as m: train(...)``; afterwards ``m.kwh`` (kWh) and
    ``m.kg_co2e`` (kg CO2e, at codecarbon's shipped intensity for the country) are filled in, and
    ``m.method`` says whether the CPU's power was measured or estimated.
    """
    if not isinstance(country_iso_code, str) or len(country_iso_code) != 3:
        raise ValueError(f"country_iso_code must be a 3-letter ISO code such as 'FRA', "
                         f"got {country_iso_code!r}")
    check_real(measure_power_secs, "measure_power_secs", 0.1, 3600.0)
    from codecarbon import OfflineEmissionsTracker

    tracker = OfflineEmissionsTracker(
        country_iso_code=country_iso_code.upper(), measure_power_secs=measure_power_secs,
        log_level="error", **no_outputs(),  # no CSV, no API, no logger output
        allow_multiple_runs=True,  # no lock file, no signal handlers replaced in the kernel
        tracking_mode="process", project_name="course")
    result = Measurement()
    tracker.start()
    try:
        yield result
    finally:
        tracker.stop()
        data = getattr(tracker, "final_emissions_data", None)
        if data is None:  # codecarbon swallows its own errors (its @suppress) and returns None
            raise RuntimeError("codecarbon did not produce a measurement; run the block again "
                               "with CODECARBON_LOG_LEVEL=warning to see why")
        cpus = [h for h in tracker._hardware if type(h).__name__ == "CPU"]
        mode = getattr(cpus[0], "_mode", "") if cpus else ""
        result.seconds, result.kwh, result.kg_co2e = data.duration, data.energy_consumed, \
            data.emissions
        result.cpu_watts, result.country = data.cpu_power, data.country_name
        result.method = _METHODS.get(mode, mode or "unknown")
