"""tests/tools/bench.py (`make bench`): the concurrent load, the load check and the table."""

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("course_bench", ROOT / "tests/tools/bench.py")
bench = sys.modules.setdefault("course_bench", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(bench)


def _spinners() -> list[psutil.Process]:
    """This test process's children that are bench's busy loops."""
    return [p for p in psutil.Process().children(recursive=True)
            if p.is_running() and bench.SPIN in " ".join(p.cmdline())]


def test_a_busy_process_burns_cpu_and_stops_by_itself():
    procs = bench.start_load(1, 1.0)
    try:
        time.sleep(0.8)
        cpu = psutil.Process(procs[0].pid).cpu_times()
        assert cpu.user + cpu.system > 0.05  # busy, not sleeping
        assert procs[0].wait(timeout=30) == 0  # its own time bound ended it
    finally:
        bench.stop_load(procs)


def test_stop_load_kills_the_busy_processes_at_once():
    procs = bench.start_load(2, 600.0)
    assert len(procs) == 2 and all(p.poll() is None for p in procs)
    start = time.monotonic()
    bench.stop_load(procs)
    assert time.monotonic() - start < 10
    assert all(p.poll() is not None for p in procs)
    assert bench.start_load(0, 1.0) == []


@pytest.mark.parametrize("n, bound, match", [(-1, 1.0, "n must"), (1.5, 1.0, "n must"),
                                             (True, 1.0, "n must"), (1, 0, "bound_s"),
                                             (1, float("nan"), "bound_s")])
def test_start_load_rejects_bad_arguments(n, bound, match):
    with pytest.raises(ValueError, match=match):
        bench.start_load(n, bound)


def test_a_notebook_runs_beside_the_load_and_the_load_ends_with_it(tmp_path):
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "a", "metadata": {},
                     "outputs": [], "source": "print(sum(range(10)))"}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                      "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "00_tiny.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    wall, peak, code, *_ = bench.bench(path, dict(os.environ), load=2,
                                       load_bound_s=600.0)
    assert code == 0 and 0 < wall < 600 and peak > 0
    assert _spinners() == []  # killed when the notebook ended, long before their bound


def test_load_ratio_and_the_twice_idle_check():
    assert bench.MAX_LOAD_RATIO == 2.0  # issue 17: no notebook more than 2x its idle time
    assert bench.load_ratio(10.0, 15.0) == 1.5
    assert bench.over_budget(10.0, 500.0, 0, 20.0) == []  # exactly 2x is allowed
    assert bench.over_budget(10.0, 500.0, 0, 20.1) == ["load"]
    assert bench.over_budget(10.0, 500.0, 0) == []  # no loaded run (--load 0)
    assert bench.over_budget(61.0, 2000.0, 1, 200.0, 1) == ["time", "memory", "FAILED", "load",
                                                           "FAILED under load"]
    with pytest.raises(ValueError, match="idle_s"):
        bench.load_ratio(0.0, 1.0)


def test_rows_round_trip_and_an_older_table_shows_dashes():
    row = {"notebook": "00_welcome.ipynb", "wall s": "6.7", "peak RSS MB": "623",
           "loaded s": "9.9", "loaded / idle": "1.48", "slowest explorer update s": "0.051",
           "over budget?": "no",
           "largest consumers (code cells by run time)": "cell 1 (1.8 s: set-up)"}
    text = "| " + " | ".join(bench.COLUMNS) + " |\n|---|\n" + bench.table_row(row) + "\n"
    assert bench.parse_rows(text) == {"00_welcome.ipynb": row}
    old = ("| notebook | wall s | peak RSS MB | over budget? | largest consumers (code cells by "
           "run time) |\n|---|---:|---:|---|---|\n| 01_x.ipynb | 18.9 | 979 | no | cell 1 |\n"
           "| **whole course** | 18.9 | | no | |\n")
    parsed = bench.parse_rows(old)
    assert list(parsed) == ["01_x.ipynb"]
    assert bench.table_row(parsed["01_x.ipynb"]) == \
        "| 01_x.ipynb | 18.9 | 979 | – | – | – | no | cell 1 |"
    assert bench._total(parsed, "wall s") == 18.9 and bench._total(parsed, "loaded s") is None


def test_the_committed_table_has_the_load_columns_in_order():
    text = bench.OUT.read_text(encoding="utf-8")
    assert "| " + " | ".join(bench.COLUMNS) + " |" in text
    assert bench.parse_rows(text)  # and its rows read back


def _scripted(monkeypatch, walls):
    """bench.bench replaced by one returning the given wall times in turn (idle, loaded, ...)."""
    calls = []

    def fake(path, env, load=0, load_bound_s=0.0):
        calls.append(load)
        return walls[len(calls) - 1], 700.0, 0, 1.0, {}, []

    monkeypatch.setattr(bench, "bench", fake)
    return calls


def test_a_pair_over_twice_is_measured_again_and_the_better_pair_kept(monkeypatch, capsys):
    calls = _scripted(monkeypatch, [10.0, 25.0, 12.0, 18.0])
    idle, loaded, code = bench.idle_and_loaded(Path("00_x.ipynb"), {}, load=2)
    assert (idle[0], loaded, code) == (12.0, 18.0, 0) and calls == [0, 2, 0, 2]
    assert "2.50x its idle time under load" in capsys.readouterr().out


def test_a_pair_within_twice_is_measured_once(monkeypatch):
    calls = _scripted(monkeypatch, [10.0, 19.0])
    assert bench.idle_and_loaded(Path("00_x.ipynb"), {}, load=2)[1:] == (19.0, 0)
    assert calls == [0, 2]


def test_a_real_regression_stays_over_twice(monkeypatch):
    _scripted(monkeypatch, [24.0, 190.0, 25.0, 200.0])  # over 2x in both pairs
    idle, loaded, _ = bench.idle_and_loaded(Path("01_x.ipynb"), {}, load=2)
    assert bench.over_budget(idle[0], idle[1], 0, loaded) == ["load"]
    assert (idle[0], loaded) == (24.0, 190.0)  # the lower of the two ratios


def test_no_load_runs_only_the_idle_pass(monkeypatch):
    calls = _scripted(monkeypatch, [10.0])
    assert bench.idle_and_loaded(Path("00_x.ipynb"), {}, load=0)[1:] == (None, None)
    assert calls == [0]


def test_an_explorer_update_over_its_budget_is_over_budget():
    assert bench.over_budget(10.0, 500.0, 0, explorer_s=0.19) == []
    assert bench.over_budget(10.0, 500.0, 0, explorer_s=0.21) == ["explorer"]
    assert bench.over_budget(10.0, 500.0, 0, explorer_s=None) == []
