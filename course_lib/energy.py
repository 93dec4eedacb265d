"""Energy and carbon of training: estimates from stated inputs, counted FLOPs, recorded runs.

Units are part of every name's contract: energy in kilowatt-hours (kWh), power in watts (W),
time in hours unless a name says seconds, carbon intensity in kg CO2e per kWh, emissions in
kg CO2e.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from course_lib._validate import check_int, check_real

if TYPE_CHECKING:
    import torch
    from torch import nn

__all__ = ["WATTS_PER_CORE", "WORLD_KG_CO2E_PER_KWH", "Footprint", "RunRecord", "count_flops",
           "emissions", "estimate_energy", "footprint", "record_run", "recorded_runs",
           "reset_runs", "track", "Measurement", "measure_emissions",
           "course_footprint"]

#: When set, ``footprint()`` also writes its totals as JSON to this file (``make bench`` does).
FOOTPRINT_FILE_VAR = "COURSE_FOOTPRINT_FILE"

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


def count_flops(model: nn.Module, inputs: torch.Tensor, target: torch.Tensor | None = None,
                backward: bool = True) -> int:
    """Floating-point operations of one pass over ``inputs`` (forward, plus backward if asked).

    Counted by ``torch.utils.flop_counter.FlopCounterMode`` (matrix products and convolutions,
    2 FLOPs per multiply-add; element-wise operations are not counted). The backward pass is that
    of the cross-entropy loss against ``target`` (class 0 when not given). Leaves the model's
    gradients and mode as they were.
    """
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    if not isinstance(inputs, torch.Tensor) or not inputs.is_floating_point():
        raise TypeError("inputs must be a floating-point torch tensor")
    if inputs.ndim < 2 or inputs.shape[0] == 0:
        raise ValueError(f"inputs must be a non-empty batch (N, ...), got {tuple(inputs.shape)}")
    was_training = model.training
    saved = [p.grad for p in model.parameters()]
    model.eval()
    try:
        with FlopCounterMode(display=False) as counter:
            out = model(inputs)
            if backward:
                if target is None:
                    target = torch.zeros(inputs.shape[0], dtype=torch.long, device=out.device)
                loss = torch.nn.functional.cross_entropy(out, target)
                params = [p for p in model.parameters() if p.requires_grad]
                torch.autograd.grad(loss, params)
    finally:
        for p, g in zip(model.parameters(), saved, strict=True):
            p.grad = g
        model.train(was_training)
    return int(counter.get_total_flops())


@dataclass(frozen=True)
class RunRecord:
    """One recorded training run: its name, wall and CPU seconds, and FLOPs (0 if not counted)."""

    name: str
    seconds: float
    cpu_seconds: float
    flops: int = 0


_RUNS: list[RunRecord] = []


def record_run(name: str, seconds: float, cpu_seconds: float, flops: int = 0) -> RunRecord:
    """Add a training run to this session's record (``models.train`` does it for its runs)."""
    if not isinstance(name, str) or not name:
        raise TypeError("name must be a non-empty string")
    rec = RunRecord(name, check_real(seconds, "seconds", 0.0),
                    check_real(cpu_seconds, "cpu_seconds", 0.0), check_int(flops, "flops", 0))
    _RUNS.append(rec)
    return rec


def recorded_runs() -> list[RunRecord]:
    """The runs recorded so far in this Python session, oldest first (a copy)."""
    return list(_RUNS)


def reset_runs() -> None:
    """Forget the recorded runs (tests; a notebook never needs it)."""
    _RUNS.clear()


@contextmanager
def track(name: str, flops: int = 0) -> Iterator[None]:
    """Record the block's wall and CPU time as one run: ``with track("shadow models"): ...``."""
    if not isinstance(name, str) or not name:
        raise TypeError("name must be a non-empty string")
    check_int(flops, "flops", 0)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        record_run(name, time.perf_counter() - wall, time.process_time() - cpu, flops)


@dataclass(frozen=True)
class Footprint:
    """A session's training footprint: FLOPs, time, and energy and CO2e estimated from CPU time."""

    runs: int
    flops: int
    seconds: float
    cpu_seconds: float
    watts_per_core: float
    pue: float
    kg_co2e_per_kwh: float
    names: tuple[str, ...] = field(default=())

    @property
    def kwh(self) -> float:
        """Estimated energy in kWh: CPU-seconds / 3600 × watts per busy core × PUE / 1000."""
        return estimate_energy(1, self.cpu_seconds / 3600, self.watts_per_core, self.pue)

    @property
    def kg_co2e(self) -> float:
        """Estimated emissions in kg CO2e at the stated grid intensity."""
        return emissions(self.kwh, self.kg_co2e_per_kwh)

    def summary(self) -> str:
        """Two lines: what was counted (stable across runs) and what was timed (varies)."""
        return (f"Training runs: {self.runs}, {_si(self.flops, 'FLOP')} counted\n"
                f"Time {self.seconds:.0f} s wall, {self.cpu_seconds:.0f} CPU-s; about "
                f"{_si(1000 * self.kwh, 'Wh')} and {_si(1000 * self.kg_co2e, 'g')} CO2e "
                f"(at {self.watts_per_core:g} W per busy core, PUE {self.pue:g}, "
                f"{1000 * self.kg_co2e_per_kwh:.0f} g CO2e/kWh)")


def _si(value: float, unit: str) -> str:
    """A quantity with an SI prefix and 3 significant figures: 6.91 MFLOP, 1.40 mWh, 0 g."""
    if value == 0:
        return f"0 {unit}"
    scales = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""), (1e-3, "m"), (1e-6, "µ"))
    factor, prefix = next(((f, p) for f, p in scales if abs(value) >= f), scales[-1])
    return f"{value / factor:.3g} {prefix}{unit}"


def footprint(watts_per_core: float = WATTS_PER_CORE, pue: float = 1.0,
              kg_co2e_per_kwh: float = WORLD_KG_CO2E_PER_KWH) -> Footprint:
    """This session's recorded training: totals, with energy from CPU time (see ``Footprint``).

    The default intensity is the world's 2023 average (``WORLD_KG_CO2E_PER_KWH``); notebook 09
    shows how much the place changes it.
    """
    w = check_real(watts_per_core, "watts_per_core", 0.0, 1000.0)
    p = check_real(pue, "pue", 1.0, 10.0)
    ci = check_real(kg_co2e_per_kwh, "kg_co2e_per_kwh", 0.0, 2.0)
    runs = recorded_runs()
    fp = Footprint(runs=len(runs), flops=sum(r.flops for r in runs),
                   seconds=sum(r.seconds for r in runs),
                   cpu_seconds=sum(r.cpu_seconds for r in runs), watts_per_core=w, pue=p,
                   kg_co2e_per_kwh=ci, names=tuple(r.name for r in runs))
    target = os.environ.get(FOOTPRINT_FILE_VAR)
    if target:  # `make bench` collects each notebook's training footprint this way
        Path(target).write_text(json.dumps({"runs": fp.runs, "flops": fp.flops,
                                            "seconds": fp.seconds,
                                            "cpu_seconds": fp.cpu_seconds}), encoding="utf-8")
    return fp


def course_footprint():
    """The whole course's measured footprint, one row per notebook, from ``make bench``.

    Columns: notebook, wall_s and cpu_s (the whole notebook's kernel), training_runs,
    training_gflops and training_cpu_s (what ``footprint()`` counted), read from
    benchmarks/footprint.csv, which ``make bench`` writes on a 2-core machine.
    """
    import pandas as pd

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "footprint.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make bench` from the course's "
                                f"top-level folder to measure every notebook")
    return pd.read_csv(path)


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
        output_methods=[], log_level="error",  # no CSV, no API, no logger output
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
