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
           "course_footprint", "course_estimates", "KG_PER_LB", "FLIGHT_NY_SF_KG_CO2E",
           "PublishedRun", "PUBLISHED_RUNS", "published_runs", "grid_intensity",
           "emissions_by_region", "distillation_loss", "distill", "new_head",
           "quantize_int8", "latency", "model_bytes"]

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
    #: CPU seconds of the whole Python process so far (a notebook's kernel: training, scikit-learn
    #: fits, explanations, everything), when known.
    process_cpu_seconds: float = math.nan

    @property
    def kwh(self) -> float:
        """Estimated energy in kWh: CPU-seconds / 3600 × watts per busy core × PUE / 1000."""
        return estimate_energy(1, self.cpu_seconds / 3600, self.watts_per_core, self.pue)

    @property
    def kg_co2e(self) -> float:
        """Estimated emissions in kg CO2e at the stated grid intensity."""
        return emissions(self.kwh, self.kg_co2e_per_kwh)

    @property
    def process_kwh(self) -> float:
        """Estimated energy of the whole process so far, in kWh (same formula as ``kwh``)."""
        return estimate_energy(1, self.process_cpu_seconds / 3600, self.watts_per_core, self.pue)

    def summary(self) -> str:
        """What was counted (stable across runs), then what was timed (varies between runs)."""
        text = (f"Training runs: {self.runs}, {_si(self.flops, 'FLOP')} counted\n"
                f"Time {self.seconds:.0f} s wall, {self.cpu_seconds:.0f} CPU-s; about "
                f"{_si(1000 * self.kwh, 'Wh')} and {_si(1000 * self.kg_co2e, 'g')} CO2e "
                f"(at {self.watts_per_core:g} W per busy core, PUE {self.pue:g}, "
                f"{1000 * self.kg_co2e_per_kwh:.0f} g CO2e/kWh)")
        if not math.isnan(self.process_cpu_seconds):
            text += (f"\nWhole notebook so far (imports and every other cell included): "
                     f"{self.process_cpu_seconds:.0f} CPU-s, about "
                     f"{_si(1000 * self.process_kwh, 'Wh')} and "
                     f"{_si(1000 * emissions(self.process_kwh, self.kg_co2e_per_kwh), 'g')} "
                     f"CO2e")
        return text


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
                   kg_co2e_per_kwh=ci, names=tuple(r.name for r in runs),
                   process_cpu_seconds=time.process_time())
    target = os.environ.get(FOOTPRINT_FILE_VAR)
    if target:  # `make bench` collects each notebook's training footprint this way
        Path(target).write_text(json.dumps({"runs": fp.runs, "flops": fp.flops,
                                            "seconds": fp.seconds,
                                            "cpu_seconds": fp.cpu_seconds}), encoding="utf-8")
    return fp


#: Where ``make bench`` (tests/tools/bench.py) writes each notebook's measured footprint.
FOOTPRINT_CSV = Path(__file__).resolve().parents[1] / "benchmarks" / "footprint.csv"
_COURSE_COLUMNS = ("notebook", "wall_s", "cpu_s", "training_runs", "training_gflops",
                   "training_cpu_s")


def course_footprint(missing: str = "raise"):
    """The whole course's measured footprint, one row per notebook, from ``make bench``.

    Columns: notebook, wall_s and cpu_s (the whole notebook's kernel), training_runs,
    training_gflops and training_cpu_s (what ``footprint()`` counted), read from
    benchmarks/footprint.csv, which ``make bench`` writes on a 2-core machine. If the file is
    missing, ``missing="raise"`` raises FileNotFoundError saying how to make it, and
    ``missing="empty"`` returns an empty table with the same columns.
    """
    import pandas as pd

    if missing not in ("raise", "empty"):
        raise ValueError(f"missing must be 'raise' or 'empty', got {missing!r}")
    if not FOOTPRINT_CSV.exists():
        if missing == "raise":
            raise FileNotFoundError(f"{FOOTPRINT_CSV} is missing: run `make bench` from the "
                                    f"course's top-level folder to measure every notebook")
        return pd.DataFrame({c: pd.Series(dtype="str" if c == "notebook" else "float64")
                             for c in _COURSE_COLUMNS})
    table = pd.read_csv(FOOTPRINT_CSV)
    if tuple(table.columns) != _COURSE_COLUMNS:
        raise ValueError(f"{FOOTPRINT_CSV} has columns {list(table.columns)}, expected "
                         f"{list(_COURSE_COLUMNS)}: run `make bench` again")
    return table


def course_estimates(table=None, watts_per_core: float = WATTS_PER_CORE, pue: float = 1.0,
                     kg_co2e_per_kwh: float = WORLD_KG_CO2E_PER_KWH):
    """``course_footprint()`` with estimated energy and emissions of each whole notebook.

    Adds ``wh`` = cpu_s / 3600 × watts_per_core × PUE (in Wh) and ``g_co2e`` = wh / 1000 ×
    kg_co2e_per_kwh × 1000 (in g), and ``training_share`` = training_cpu_s / cpu_s (0 when a
    notebook trains nothing). ``table`` defaults to ``course_footprint(missing="empty")``.
    """
    import numpy as np

    w = check_real(watts_per_core, "watts_per_core", 0.0, 1000.0)
    p = check_real(pue, "pue", 1.0, 10.0)
    ci = check_real(kg_co2e_per_kwh, "kg_co2e_per_kwh", 0.0, 2.0)
    table = course_footprint(missing="empty") if table is None else table
    missing = [c for c in _COURSE_COLUMNS if c not in getattr(table, "columns", ())]
    if missing:
        raise ValueError(f"table must have the columns of course_footprint(); missing {missing}")
    out = table.copy()
    out["wh"] = out["cpu_s"].astype(float) / 3600 * w * p
    out["g_co2e"] = out["wh"] * ci
    cpu = out["cpu_s"].astype(float).to_numpy()
    share = np.divide(out["training_cpu_s"].astype(float).to_numpy(), cpu,
                      out=np.zeros(len(out)), where=cpu > 0)
    out["training_share"] = share
    return out


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


# -- published estimates -------------------------------------------------------------------------

#: Kilograms in one avoirdupois pound (exact, by definition).
KG_PER_LB = 0.45359237

#: One passenger's air travel New York ↔ San Francisco, round trip: 1,984 lbs CO2e (Strubell,
#: Ganesh & McCallum, 2019, Table 1), in kg CO2e.
FLIGHT_NY_SF_KG_CO2E = 1984 * KG_PER_LB


@dataclass(frozen=True)
class PublishedRun:
    """A published training footprint: its inputs where given (NaN otherwise) and results.

    ``kwh`` and ``kg_co2e`` are the values the source reports (kWh, kg CO2e);
    ``kg_co2e_per_kwh`` the intensity it used.
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


PUBLISHED_RUNS: tuple[PublishedRun, ...] = (
    PublishedRun(
        "Transformer (big) + neural architecture search",
        "Strubell, Ganesh & McCallum (2019), Tables 1 and 3",
        kwh=626_155 / 0.954, kg_co2e_per_kwh=0.954 * KG_PER_LB, kg_co2e=626_155 * KG_PER_LB,
        note="626,155 lbs CO2e reported; kWh (PUE 1.58 included) implied by the paper's US "
             "average of 0.954 lbs CO2e/kWh"),
    PublishedRun(
        "GPT-3 (175B)", "Patterson et al. (2021), Table 4",
        kwh=1_287_000, kg_co2e_per_kwh=0.429, kg_co2e=552_000, chips=10_000, hours=14.8 * 24,
        watts=330, pue=1.10, hardware="V100",
        note="1,287 MWh and 552 tCO2e reported; inputs as in the table"),
    PublishedRun(
        "BLOOM (176B)", "Luccioni, Viguier & Ligozat (2023)",
        kwh=433_000, kg_co2e_per_kwh=0.057, kg_co2e=24_700, hardware="A100",
        note="dynamic power only (about 433 MWh, French grid at 57 g/kWh); 50.5 t with idle "
             "power and the hardware's embodied emissions"),
)


def published_runs():
    """``PUBLISHED_RUNS`` as a DataFrame, one row per model, with the emissions recomputed.

    Adds ``kwh_from_inputs`` (chips × hours × watts × PUE / 1000, NaN where inputs are not
    given) and ``kg_co2e_recomputed`` (reported kWh × intensity).
    """
    import pandas as pd

    rows = []
    for r in PUBLISHED_RUNS:
        given = not any(math.isnan(v) for v in (r.chips, r.hours, r.watts, r.pue))
        rows.append({**r.__dict__,
                     "kwh_from_inputs": (estimate_energy(r.chips, r.hours, r.watts, r.pue)
                                         if given else math.nan),
                     "kg_co2e_recomputed": emissions(r.kwh, r.kg_co2e_per_kwh)})
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


# -- mitigations: distillation, transfer, quantisation -------------------------------------------


def distillation_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor,
                      target: torch.Tensor, temperature: float = 4.0,
                      alpha: float = 0.9) -> torch.Tensor:
    """Hinton et al. (2015): α·T²·KL(softmax(teacher/T) ‖ softmax(student/T)) + (1 − α)·CE.

    Both terms are means over the batch; the T² keeps the soft term's gradients on the scale of
    the hard one's when T changes.
    """
    import torch.nn.functional as F

    t = check_real(temperature, "temperature", 0.0, lo_open=True)
    a = check_real(alpha, "alpha", 0.0, 1.0)
    if student_logits.shape != teacher_logits.shape or student_logits.ndim != 2:
        raise ValueError(f"student_logits and teacher_logits must both be (N, n_classes), got "
                         f"{tuple(student_logits.shape)} and {tuple(teacher_logits.shape)}")
    soft = F.kl_div(F.log_softmax(student_logits / t, dim=1),
                    F.log_softmax(teacher_logits / t, dim=1), reduction="batchmean",
                    log_target=True)
    hard = F.cross_entropy(student_logits, target)
    return a * t * t * soft + (1 - a) * hard


def distill(teacher: nn.Module, student: nn.Module, inputs, target, *,
            temperature: float = 4.0, alpha: float = 0.9, epochs: int = 10,
            batch_size: int = 128, lr: float = 1e-2, random_state: int = 0,
            progress: bool = True, desc: str | None = None):
    """Train ``student`` with Adam on ``distillation_loss`` against ``teacher``'s logits.

    The teacher runs once over ``inputs`` (its logits are cached); shuffling is seeded by
    ``random_state``. The run is recorded like ``models.train``'s, its FLOPs counting the
    teacher's forward pass and the student's training steps. Returns a ``models.TrainResult``.
    """
    import torch
    from tqdm.auto import tqdm

    from course_lib.models import TrainResult, _as_tensor

    check_real(temperature, "temperature", 0.0, lo_open=True)
    check_real(alpha, "alpha", 0.0, 1.0)
    check_int(epochs, "epochs", 1)
    check_int(batch_size, "batch_size", 1)
    check_real(lr, "lr", 0.0, lo_open=True)
    x = _as_tensor(inputs, "inputs", torch.float32)
    y = _as_tensor(target, "target", torch.long)
    if x.shape[0] != y.shape[0] or y.ndim != 1 or x.shape[0] == 0:
        raise ValueError(f"inputs and target must have the same (non-zero) number of rows and "
                         f"target must be 1-D, got {tuple(x.shape)} and {tuple(y.shape)}")
    first = min(batch_size, x.shape[0])
    flops = round(count_flops(teacher, x[:first], backward=False) * x.shape[0] / first)
    step_flops = count_flops(student, x[:first], y[:first])
    wall, cpu = time.perf_counter(), time.process_time()
    teacher.eval()
    with torch.no_grad():
        soft = torch.cat([teacher(x[i:i + 4096]) for i in range(0, x.shape[0], 4096)])
    gen = torch.Generator().manual_seed(check_int(random_state, "random_state", 0))
    opt = torch.optim.Adam(student.parameters(), lr=lr)
    losses: list[float] = []
    student.train()
    for _ in tqdm(range(epochs), desc=desc or "distillation", disable=not progress,
                  leave=False):
        order = torch.randperm(x.shape[0], generator=gen)
        total = 0.0
        for start in range(0, x.shape[0], batch_size):
            idx = order[start:start + batch_size]
            loss = distillation_loss(student(x[idx]), soft[idx], y[idx], temperature, alpha)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        losses.append(total / x.shape[0])
    student.eval()
    flops += round(step_flops * x.shape[0] / first) * epochs
    record_run(desc or "distillation", time.perf_counter() - wall, time.process_time() - cpu,
               flops=flops)
    return TrainResult(student, losses)


def new_head(model: nn.Module, n_classes: int, random_state: int = 0) -> nn.Module:
    """Transfer learning: a copy of ``model`` with every weight frozen and its last Linear layer
    replaced by a fresh, trainable one with ``n_classes`` outputs (seeded by random_state)."""
    import copy

    import torch
    from torch import nn

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    check_int(n_classes, "n_classes", 1)
    names = [name for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    if not names:
        raise ValueError("model has no nn.Linear layer to replace")
    out = copy.deepcopy(model)
    for p in out.parameters():
        p.requires_grad_(False)
    *path, last = names[-1].split(".")
    parent = out.get_submodule(".".join(path)) if path else out
    old = getattr(parent, last)
    state = torch.random.get_rng_state()
    torch.manual_seed(check_int(random_state, "random_state", 0))
    try:
        setattr(parent, last, nn.Linear(old.in_features, n_classes))
    finally:
        torch.random.set_rng_state(state)
    return out


def _quantize_rows(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric int8 quantisation of each row: (q, scale) with x ≈ q · scale, |q| <= 127."""
    import torch

    scale = x.abs().amax(dim=1, keepdim=True).clamp(min=1e-12) / 127.0
    return torch.round(x / scale).clamp(-127, 127).to(torch.int8), scale


def _int8_linear_class():
    """Build ``Int8Linear`` on first use (torch is imported lazily)."""
    import torch
    from torch import nn

    class Int8Linear(nn.Module):
        """A Linear layer with int8 weights and dynamic int8 activations.

        Weights: symmetric per output channel, w ≈ q_w · s_w. Activations: symmetric per row,
        quantised at run time (dynamic), x ≈ q_x · s_x. Then y = (q_x q_wᵀ) · s_x · s_wᵀ + b,
        the product accumulated exactly in int32 (``torch._int_mm``): the scheme of PyTorch's
        deprecated ``quantize_dynamic``, written out.
        """

        def __init__(self, linear: nn.Linear):
            super().__init__()
            if not isinstance(linear, nn.Linear):
                raise TypeError(f"linear must be an nn.Linear, got {type(linear).__name__}")
            q, s = _quantize_rows(linear.weight.detach().float())
            self.in_features, self.out_features = linear.in_features, linear.out_features
            self.register_buffer("weight_t", q.t().contiguous())  # (in, out) int8
            # a frozen Parameter, so the model still has parameters (device, predict_proba)
            self.weight_scale = nn.Parameter(s.reshape(1, -1), requires_grad=False)  # (1, out)
            bias = linear.bias.detach().float().clone() if linear.bias is not None else None
            self.register_buffer("bias", bias)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            shape = x.shape
            rows = x.reshape(-1, shape[-1]).float()
            q, s = _quantize_rows(rows)
            acc = torch._int_mm(q, self.weight_t)  # exact int32 sums
            y = acc.float() * s * self.weight_scale
            if self.bias is not None:
                y = y + self.bias
            return y.reshape(*shape[:-1], self.out_features)

        def extra_repr(self) -> str:
            return f"in_features={self.in_features}, out_features={self.out_features}, int8"

    return Int8Linear


_CLASSES: dict[str, type] = {}


def __getattr__(name: str):
    if name == "Int8Linear":
        if name not in _CLASSES:
            _CLASSES[name] = _int8_linear_class()
        return _CLASSES[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def quantize_int8(model: nn.Module) -> nn.Module:
    """A copy of ``model`` (in eval mode) with every nn.Linear replaced by an ``Int8Linear``:
    dynamic int8 quantisation of the Linear layers, as ``quantize_dynamic`` did."""
    import copy

    from torch import nn

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    int8 = __getattr__("Int8Linear")
    out = copy.deepcopy(model).eval()
    names = [name for name, m in out.named_modules() if isinstance(m, nn.Linear)]
    if not names:
        raise ValueError("model has no nn.Linear layer to quantise")
    for name in names:
        *path, last = name.split(".")
        parent = out.get_submodule(".".join(path)) if path else out
        setattr(parent, last, int8(getattr(parent, last)))
    return out


def latency(model: nn.Module, inputs: torch.Tensor, repeats: int = 10, warmup: int = 2) -> float:
    """Wall seconds of one forward pass over ``inputs`` (no gradients): the fastest of
    ``repeats`` timed passes after ``warmup`` untimed ones (other load only ever adds time, so the
    minimum is the usual benchmark statistic). Volatile: it depends on the machine, its load and
    the thread count."""
    import torch

    check_int(repeats, "repeats", 1)
    check_int(warmup, "warmup", 0)
    if not isinstance(inputs, torch.Tensor) or inputs.ndim < 2 or inputs.shape[0] == 0:
        raise TypeError("inputs must be a non-empty batch tensor (N, ...)")
    was_training = model.training
    model.eval()
    times = []
    try:
        with torch.no_grad():
            for i in range(warmup + repeats):
                start = time.perf_counter()
                model(inputs)
                if i >= warmup:
                    times.append(time.perf_counter() - start)
    finally:
        model.train(was_training)
    return min(times)


def model_bytes(model: nn.Module) -> int:
    """Bytes of a model's parameters and buffers as stored (int8 weights take 1 byte each)."""
    from torch import nn

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    tensors = [*model.parameters(), *model.buffers()]
    return sum(t.numel() * t.element_size() for t in tensors)
