"""The session's footprint: counted FLOPs and timed runs, and the course's from make bench."""

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

from course_lib._files import repo_folder
from course_lib._validate import check_int, check_real, check_tensor

if TYPE_CHECKING:
    import torch
    from torch import nn

from course_lib.energy._estimates import (
    WATTS_PER_CORE,
    WORLD_KG_CO2E_PER_KWH,
    emissions,
    estimate_energy,
)

__all__ = ["FOOTPRINT_FILE_VAR", "count_flops", "RunRecord", "record_run", "recorded_runs",
           "reset_runs", "track", "Footprint", "footprint", "FOOTPRINT_CSV", "course_footprint",
           "course_estimates"]

#: When set, ``footprint()`` also writes its totals as JSON to this file (``make bench`` does).
FOOTPRINT_FILE_VAR = "COURSE_FOOTPRINT_FILE"

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
    check_tensor(inputs, "inputs", like=model)
    if target is not None:
        check_tensor(target, "target", like=inputs, floating=False)
        if target.shape != inputs.shape[:1]:
            raise ValueError(f"target must be 1-D with one class per row of inputs "
                             f"({inputs.shape[0]}), got shape {tuple(target.shape)}")
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
    rec = RunRecord(name, check_real(seconds, "seconds", 0.0, math.inf, hi_open=True),
                    check_real(cpu_seconds, "cpu_seconds", 0.0, math.inf, hi_open=True),
                    check_int(flops, "flops", 0))
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


FOOTPRINT_NOTE = ("Counted: the FLOPs of every model trained above through course_lib (exact and "
                  "repeatable). Estimated: energy and CO2e from CPU time, at a stated power per "
                  "busy core and grid intensity; times differ between machines. Notebook 09 "
                  "explains the estimate and sums the whole course.")


def show_footprint(watts_per_core: float = WATTS_PER_CORE, pue: float = 1.0,
                   kg_co2e_per_kwh: float = WORLD_KG_CO2E_PER_KWH) -> Footprint:
    """Print this notebook's footprint (``footprint()``) and what is counted vs estimated."""
    fp = footprint(watts_per_core, pue, kg_co2e_per_kwh)
    print(f"{fp.summary()}\n\n{FOOTPRINT_NOTE}")
    return fp


#: Where ``make bench`` (tests/tools/bench.py) writes each notebook's measured footprint: the
#: checkout's benchmarks/footprint.csv, or the copy inside an installed wheel (see
#: course_lib/_files.py).
FOOTPRINT_CSV = repo_folder("benchmarks") / "footprint.csv"
_COURSE_COLUMNS = ("notebook", "wall_s", "cpu_s", "training_runs", "training_gflops",
                   "training_cpu_s")


def course_footprint(missing: str = "raise"):
    """The whole course's measured footprint, one row per notebook, from ``make bench``.

    Columns: notebook, wall_s and cpu_s (the whole notebook's kernel), training_runs,
    training_gflops and training_cpu_s (what ``footprint()`` counted), read from
    ``FOOTPRINT_CSV``, which ``make bench`` writes on a 2-core machine. If there is none,
    ``missing="raise"`` raises FileNotFoundError saying how to make it, and ``missing="empty"``
    returns an empty table with the same columns.
    """
    import pandas as pd

    if missing not in ("raise", "empty"):
        raise ValueError(f"missing must be 'raise' or 'empty', got {missing!r}")
    path = FOOTPRINT_CSV
    if not path.is_file():
        if missing == "raise":
            raise FileNotFoundError(f"{path} is missing: run `make bench` from the "
                                    f"course's top-level folder to measure every notebook")
        return pd.DataFrame({c: pd.Series(dtype="str" if c == "notebook" else "float64")
                             for c in _COURSE_COLUMNS})
    table = pd.read_csv(path)
    if tuple(table.columns) != _COURSE_COLUMNS:
        raise ValueError(f"{path} has columns {list(table.columns)}, expected "
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
