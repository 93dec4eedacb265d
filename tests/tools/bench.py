"""`make bench`: run each notebook in a fresh kernel, measure wall time and peak memory, idle and
under load.

Prints a table (notebook, wall s, peak RSS MB, loaded s, loaded / idle, over budget?) against
DEVELOPERS.md's budgets and writes it to benchmarks/notebooks.md. Peak RSS is the largest
high-water mark (VmHWM) of any process the run starts, which is the notebook's kernel.

Each notebook runs twice: on the machine as it is ("wall s"), then again beside a fixed
concurrent load ("loaded s"): one busy process per core (``--load N`` to choose, 0 to skip),
each a pure-Python loop that stops by itself after a time bound and is killed when the notebook
ends. A loaded run more than ``MAX_LOAD_RATIO`` times its idle run fails, so torch threads that
wait for each other on a shared machine (issue 17: 1.4 s with 1 thread, 23 s with 2) cannot
come back unseen. Torch threads are setup()'s default unless COURSE_THREADS is set.

    python tests/tools/bench.py [--load N] [notebooks/XX_name.ipynb ...]
"""

from __future__ import annotations

import argparse
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
# ... and an explorer update <= 0.2 s: a control moved, through the kernel, to its view shown.
EXPLORER_BUDGET_S = 0.2
# Issue 17's done-when: under the load, no notebook more than 2x its idle time.
MAX_LOAD_RATIO = 2.0
# One busy process: a pure-Python loop that ends by itself after argv[1] seconds.
SPIN = ("import sys, time\nend = time.monotonic() + float(sys.argv[1])\n"
        "while time.monotonic() < end:\n    sum(range(10_000))\n")
COLUMNS = ("notebook", "wall s", "peak RSS MB", "loaded s", "loaded / idle",
           "slowest explorer update s", "over budget?",
           "largest consumers (code cells by run time)")
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


def start_load(n: int, bound_s: float) -> list[subprocess.Popen]:
    """``n`` busy processes (one pure-Python loop each) that stop by themselves after
    ``bound_s`` seconds; stop them sooner with ``stop_load``."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a whole number >= 0, got {n!r}")
    if not bound_s > 0:
        raise ValueError(f"bound_s must be > 0, got {bound_s!r}")
    return [subprocess.Popen([sys.executable, "-c", SPIN, str(bound_s)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
            for _ in range(n)]


def stop_load(procs: list[subprocess.Popen]) -> None:
    """Kill the busy processes still running and reap them all."""
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
    for proc in procs:
        proc.wait()


def bench(path: Path, env: dict[str, str], load: int = 0, load_bound_s: float = 3 * BUDGET_S
          ) -> tuple[float, float, int, float, dict, list]:
    """Wall seconds, peak RSS MB, exit code, kernel CPU seconds, training footprint, and the
    code cells by run time (slowest first: cell number, seconds, first line).

    ``load``: that many busy processes run beside the notebook, for at most ``load_bound_s``.
    """
    spinners = start_load(load, load_bound_s)
    try:
        return _bench(path, env)
    finally:
        stop_load(spinners)


def _bench(path: Path, env: dict[str, str]) -> tuple[float, float, int, float, dict, list]:
    """One run of ``bench``, without the load."""
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


def idle_and_loaded(path: Path, env: dict[str, str], load: int, attempts: int = 2
                    ) -> tuple[tuple, float | None, int | None]:
    """``bench``'s idle result, then the loaded wall seconds and exit code (None, None when
    ``load`` is 0).

    A pair over MAX_LOAD_RATIO is measured again, up to ``attempts`` pairs, and the pair with the
    lowest ratio kept: on a shared machine other work can land on one run of a pair, while a real
    regression (threads that stall each other under load) is over in every pair.
    """
    best = None
    for attempt in range(attempts):
        idle = bench(path, env)
        if not load:
            return idle, None, None
        # beyond MAX_LOAD_RATIO x idle the run has failed anyway: the load need not outlast it
        loaded, _, loaded_code, *_ = bench(path, env, load=load,
                                          load_bound_s=MAX_LOAD_RATIO * idle[0] + 30)
        ratio = load_ratio(idle[0], loaded) if idle[0] > 0 else float("inf")
        if best is None or ratio < best[0]:
            best = (ratio, idle, loaded, loaded_code)
        if best[0] <= MAX_LOAD_RATIO:
            break
        if attempt + 1 < attempts:
            print(f"{path.name}: {ratio:.2f}x its idle time under load; measuring the pair again",
                  flush=True)
    return best[1], best[2], best[3]


def load_ratio(idle_s: float, loaded_s: float) -> float:
    """How many times its idle time a notebook took under load: loaded_s / idle_s."""
    if not idle_s > 0 or not loaded_s >= 0:
        raise ValueError(f"idle_s must be > 0 and loaded_s >= 0, got {idle_s!r}, {loaded_s!r}")
    return loaded_s / idle_s


def over_budget(wall: float, peak: float, code: int, loaded: float | None = None,
                loaded_code: int = 0, explorer_s: float | None = None) -> list[str]:
    """Which budgets a notebook's runs break: time, memory, FAILED, load (> MAX_LOAD_RATIO x
    idle), loaded run FAILED, explorer (an update slower than EXPLORER_BUDGET_S)."""
    hits = [("time", wall > BUDGET_S), ("memory", peak > BUDGET_MB), ("FAILED", code != 0),
            ("explorer", explorer_s is not None and explorer_s > EXPLORER_BUDGET_S)]
    if loaded is not None:
        hits += [("load", wall > 0 and load_ratio(wall, loaded) > MAX_LOAD_RATIO),
                 ("FAILED under load", loaded_code != 0)]
    return [what for what, hit in hits if hit]


def explorer_updates(path: Path) -> tuple[float | None, list[str]]:
    """The slowest of the notebook's explorer updates (each control moved once, through a real
    kernel, by tests/tools/explorer_check.py) and the problems found; None without explorers."""
    import nbformat

    sys.path.insert(0, str(ROOT / "tests" / "tools"))
    import explorer_check

    if not explorer_check.find_explorers(nbformat.read(path, as_version=4)):
        return None, []
    explorer_check.MOVE_SECONDS.clear()
    problems = explorer_check.check_notebook(path)
    times = [t for _, t in explorer_check.MOVE_SECONDS]
    return (max(times) if times else None), problems


def table_row(cells: dict[str, str]) -> str:
    """A Markdown row in COLUMNS' order; a column the row lacks (an older table's) shows "–"."""
    return "| " + " | ".join(cells.get(c, "–") for c in COLUMNS) + " |"


def parse_rows(text: str) -> dict[str, dict[str, str]]:
    """A written table's notebook rows by notebook name, each as {column: cell}."""
    rows, header = {}, None
    for line in text.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "notebook":
            header = cells
        elif header and cells[0].endswith(".ipynb"):
            rows[cells[0]] = dict(zip(header, cells, strict=False))
    return rows


def _previous_rows() -> dict[str, dict[str, str]]:
    """Rows of the last written table by notebook name, so benching one notebook keeps the rest."""
    return parse_rows(OUT.read_text(encoding="utf-8")) if OUT.exists() else {}


def _threads_note(env: dict[str, str]) -> str:
    """Which torch threads the runs used, for the table's first line."""
    if env.get("COURSE_THREADS", "").strip():
        return f"COURSE_THREADS={env['COURSE_THREADS'].strip()}"
    sys.path.insert(0, str(ROOT))
    from course_lib import _setup

    return (f"{_setup.default_threads()} torch thread(s), setup()'s default "
            f"({_setup.available_cpus()} CPUs available)")


def _total(rows: dict[str, dict[str, str]], column: str) -> float | None:
    """The column's sum over the rows, or None when a row lacks a number there."""
    try:
        return sum(float(r[column]) for r in rows.values())
    except (KeyError, ValueError):
        return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load", type=int, default=os.cpu_count() or 1,
                        help="busy processes beside each notebook's second run (default: one "
                             "per core; 0: no loaded run)")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if args.load < 0:
        parser.error(f"--load must be >= 0, got {args.load}")
    books = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    # no COURSE_THREADS unless the caller sets one: bench what a learner's setup() chooses
    env = dict(os.environ)
    existing = {p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    rows = {k: v for k, v in _previous_rows().items() if k in existing}
    footprints = {k: v for k, v in _previous_footprints().items() if k in existing}
    bad = 0
    for path in books:
        (wall, peak, code, cpu_s, fp, cells), loaded, loaded_code = idle_and_loaded(
            path, env, args.load)
        footprints[path.name] = {"wall_s": wall, "cpu_s": cpu_s,
                                 "training_runs": int(fp.get("runs", 0)),
                                 "training_gflops": fp.get("flops", 0) / 1e9,
                                 "training_cpu_s": fp.get("cpu_seconds", 0.0)}
        row = {"notebook": path.name, "wall s": f"{wall:.1f}", "peak RSS MB": f"{peak:.0f}",
               "largest consumers (code cells by run time)": _consumers(cells)}
        if loaded is not None:
            row["loaded s"] = f"{loaded:.1f}"
            row["loaded / idle"] = f"{load_ratio(wall, loaded):.2f}" if wall > 0 else "–"
        slowest, problems = explorer_updates(path)
        row["slowest explorer update s"] = "–" if slowest is None else f"{slowest:.3f}"
        over = over_budget(wall, peak, code, loaded, loaded_code or 0, slowest)
        if problems:
            over.append("explorer FAILED")
            print("\n".join(f"    {path.name}: {p}" for p in problems), flush=True)
        bad += bool(over)
        row["over budget?"] = ", ".join(over) or "no"
        rows[path.name] = row
        print(table_row(row), flush=True)
    total, loaded_total = _total(rows, "wall s"), _total(rows, "loaded s")
    course_over = total is not None and total > COURSE_BUDGET_S
    load_note = (f"loaded: {args.load} busy process(es) beside each notebook (one per core "
                 f"by default)" if args.load else "no loaded run this time (--load 0)")
    table = "\n".join([
        f"Budgets: {BUDGET_S:.0f} s and {BUDGET_MB:.0f} MB peak RSS per notebook, "
        f"{COURSE_BUDGET_S / 60:.0f} min for the course, loaded <= {MAX_LOAD_RATIO:g}x idle; "
        f"{_threads_note(env)}, {os.cpu_count()} cores; {load_note}. "
        "Rows not re-run this time keep their last measurement.",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|---|---:|---:|---:|---:|---:|---|---|",
        *(table_row(rows[k]) for k in sorted(rows)),
        table_row({"notebook": "**whole course**",
                   "wall s": "–" if total is None else f"{total:.1f}",
                   "peak RSS MB": "", "loaded s": "–" if loaded_total is None
                   else f"{loaded_total:.1f}", "loaded / idle": "", "slowest explorer update s": "",
                   "over budget?": "time" if course_over else "no",
                   "largest consumers (code cells by run time)": ""}),
    ])
    OUT.parent.mkdir(exist_ok=True)
    _write_footprints(footprints)
    OUT.write_text("# Notebook benchmark (`make bench`)\n\n" + table + "\n", encoding="utf-8")
    print("\n" + table + f"\n\nwritten to {OUT.relative_to(ROOT)}")
    return 1 if bad or course_over else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
