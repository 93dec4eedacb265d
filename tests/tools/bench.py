"""`make bench`: run each notebook in a fresh kernel, measure wall time and peak memory.

Prints a table (notebook, wall s, peak RSS MB, over budget?) against DEVELOPERS.md's budgets and
writes it to benchmarks/notebooks.md. Peak RSS is the largest high-water mark (VmHWM) of any
process the run starts, which is the notebook's kernel.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

# DEVELOPERS.md's budgets: each notebook <= 60 s and <= 1.0 GB (1,024 MB) peak RSS on 2 cores,
# the whole course <= 5 min.
BUDGET_S, BUDGET_MB, COURSE_BUDGET_S = 60.0, 1024.0, 300.0
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "benchmarks" / "notebooks.md"
FOOTPRINTS = ROOT / "benchmarks" / "footprint.csv"  # read by course_lib.energy.course_footprint
FOOTPRINT_FILE_VAR = "COURSE_FOOTPRINT_FILE"  # course_lib.energy.FOOTPRINT_FILE_VAR


def _hwm_mb(proc: psutil.Process) -> float:
    """The process's peak resident set size so far, in MB (0 if it has gone)."""
    try:
        with open(f"/proc/{proc.pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_s(proc: psutil.Process) -> float:
    """User + system CPU seconds the process has used so far (0 if it has gone)."""
    try:
        t = proc.cpu_times()
    except psutil.Error:
        return 0.0
    return t.user + t.system


def bench(path: Path, env: dict[str, str]) -> tuple[float, float, int, float, dict, list]:
    """Wall seconds, peak RSS MB, exit code, kernel CPU seconds, training footprint, and the
    code cells by run time (slowest first: cell number, seconds, first line)."""
    with tempfile.TemporaryDirectory() as tmp:
        fp_file, timings = Path(tmp) / "footprint.json", Path(tmp) / "cells.json"
        cmd = [sys.executable, str(ROOT / "tests" / "tools" / "execute.py"), "--no-write",
               "--timings", str(timings), str(path)]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env={**env, FOOTPRINT_FILE_VAR: str(fp_file)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        parent = psutil.Process(proc.pid)
        peak, cpu = 0.0, {}
        while proc.poll() is None:
            try:
                family = parent.children(recursive=True)  # the kernel (not the driver)
            except psutil.NoSuchProcess:
                break
            peak = max([peak, _hwm_mb(parent), *(_hwm_mb(p) for p in family)])
            for p in family:
                cpu[p.pid] = max(cpu.get(p.pid, 0.0), _cpu_s(p))
            time.sleep(0.05)
        _, err = proc.communicate()
        wall = time.perf_counter() - start
        footprint = json.loads(fp_file.read_text()) if fp_file.exists() else {}
        cells = json.loads(timings.read_text()) if timings.exists() else []
    if proc.returncode:
        sys.stderr.write(err.decode(errors="replace"))
    cells = sorted(cells, key=lambda c: -c[1])
    return wall, peak, proc.returncode, sum(cpu.values()), footprint, cells


def _consumers(cells: list, n: int = 2) -> str:
    """The ``n`` slowest code cells as "cell 6 (12.3 s: `train(...`)" for the table."""
    def short(line: str) -> str:
        line = line.strip().replace("|", "/").replace("`", "'")
        return line if len(line) <= 32 else line[:31] + "…"

    return "; ".join(f"cell {k} ({s:.1f} s: {'set-up' if k == 1 else f'`{short(line)}`'})"
                     for k, s, line in cells[:n])


def _write_footprints(rows: dict[str, dict]) -> None:
    """benchmarks/footprint.csv: each notebook's kernel CPU time and training footprint."""
    lines = ["notebook,wall_s,cpu_s,training_runs,training_gflops,training_cpu_s"]
    for name in sorted(rows):
        r = rows[name]
        lines.append(f"{name},{r['wall_s']:.1f},{r['cpu_s']:.1f},{int(r['training_runs'])},"
                     f"{r['training_gflops']:.3f},{r['training_cpu_s']:.1f}")
    FOOTPRINTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _previous_footprints() -> dict[str, dict]:
    """The last footprint.csv's rows by notebook name."""
    if not FOOTPRINTS.exists():
        return {}
    with FOOTPRINTS.open(encoding="utf-8") as fh:
        return {row["notebook"]: {k: (v if k == "notebook" else float(v)) for k, v in row.items()}
                for row in csv.DictReader(fh)}


def _previous_rows() -> dict[str, str]:
    """Rows of the last written table by notebook name, so benching one notebook keeps the rest."""
    if not OUT.exists():
        return {}
    rows = {}
    for line in OUT.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| ") and cells[0].endswith(".ipynb"):
            rows[cells[0]] = line
    return rows


def main(argv: list[str]) -> int:
    books = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    env = {**os.environ, "COURSE_THREADS": os.environ.get("COURSE_THREADS", "2")}
    existing = {p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    rows = {k: v for k, v in _previous_rows().items() if k in existing}
    footprints = {k: v for k, v in _previous_footprints().items() if k in existing}
    bad = 0
    for path in books:
        wall, peak, code, cpu_s, fp, cells = bench(path, env)
        footprints[path.name] = {"wall_s": wall, "cpu_s": cpu_s,
                                 "training_runs": int(fp.get("runs", 0)),
                                 "training_gflops": fp.get("flops", 0) / 1e9,
                                 "training_cpu_s": fp.get("cpu_seconds", 0.0)}
        over = [w for w, hit in (("time", wall > BUDGET_S), ("memory", peak > BUDGET_MB),
                                 ("FAILED", code != 0)) if hit]
        bad += bool(over)
        rows[path.name] = (f"| {path.name} | {wall:.1f} | {peak:.0f} | {', '.join(over) or 'no'} "
                           f"| {_consumers(cells)} |")
        print(rows[path.name], flush=True)
    total = sum(float(line.split("|")[2]) for line in rows.values())
    course_over = total > COURSE_BUDGET_S
    table = "\n".join([
        f"Budgets: {BUDGET_S:.0f} s and {BUDGET_MB:.0f} MB peak RSS per notebook, "
        f"{COURSE_BUDGET_S / 60:.0f} min for the course; COURSE_THREADS={env['COURSE_THREADS']}, "
        f"{os.cpu_count()} cores. Rows not re-run this time keep their last measurement.",
        "",
        "| notebook | wall s | peak RSS MB | over budget? "
        "| largest consumers (code cells by run time) |",
        "|---|---:|---:|---|---|",
        *(rows[k] for k in sorted(rows)),
        f"| **whole course** | {total:.1f} | | {'time' if course_over else 'no'} | |",
    ])
    OUT.parent.mkdir(exist_ok=True)
    _write_footprints(footprints)
    OUT.write_text("# Notebook benchmark (`make bench`)\n\n" + table + "\n", encoding="utf-8")
    print("\n" + table + f"\n\nwritten to {OUT.relative_to(ROOT)}")
    return 1 if bad or course_over else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
