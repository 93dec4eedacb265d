"""Execute notebooks top to bottom in a fresh kernel of this Python (as nbval's current env does).

    python tests/tools/execute.py notebooks/00_welcome.ipynb [...]        # rewrite in place
    python tests/tools/execute.py --no-write notebooks/00_welcome.ipynb   # run only (make bench)

`make execute` calls it with exactly the environment `make test` compares under. Execution
metadata (timings, widget state) is not recorded, so a re-run changes only what really changed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import ipykernel.kernelspec
import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

CELL_TIMEOUT_S = 600
_SOCKETS = tempfile.TemporaryDirectory(prefix="course-kernels-")  # removed at exit
_COUNT = itertools.count()


class CurrentEnvKernelSpecs(KernelSpecManager):
    """Every kernel name resolves to an ipykernel of the running Python (nbval's current env)."""

    def get_kernel_spec(self, kernel_name):  # noqa: ARG002 - one kernel for every name
        return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                      **ipykernel.kernelspec.get_kernel_dict())


class CurrentEnvKernelManager(AsyncKernelManager):
    """A kernel of the running Python over unix sockets (no TCP port, nothing on the network)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_spec_manager", CurrentEnvKernelSpecs())
        kwargs.setdefault("transport", "ipc")
        # an absolute socket prefix: the kernel runs in the notebook's folder, the client here
        kwargs.setdefault("ip", os.path.join(_SOCKETS.name, f"kernel-{next(_COUNT)}"))
        super().__init__(**kwargs)


def cell_seconds(nb) -> list[tuple[int, float, str]]:
    """(code cell number from 1, seconds, first code line) per executed cell, from nbclient's
    timing metadata (``record_timing=True``)."""
    import datetime as dt

    out, number = [], 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        number += 1
        t = cell.metadata.get("execution", {})
        if "iopub.execute_input" in t and "shell.execute_reply" in t:
            start, end = (dt.datetime.fromisoformat(t[k].replace("Z", "+00:00"))
                          for k in ("iopub.execute_input", "shell.execute_reply"))
            lines = [ln for ln in cell.source.splitlines() if ln.strip()
                     and not ln.lstrip().startswith("#")]
            out.append((number, (end - start).total_seconds(), lines[0] if lines else ""))
    return out


def execute(path: Path, write: bool, timings: Path | None = None) -> float:
    """Run one notebook in its own folder; rewrite it in place when ``write``; return seconds.

    ``timings``: also write each code cell's run time there (JSON), for ``make bench``.
    """
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="python3", kernel_manager_class=CurrentEnvKernelManager,
                            timeout=CELL_TIMEOUT_S, record_timing=timings is not None,
                            store_widget_state=True,  # an Output widget's capture needs it
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    if timings is not None:
        timings.write_text(json.dumps(cell_seconds(nb)), encoding="utf-8")
    if write:
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--no-write", action="store_true", help="execute without saving")
    parser.add_argument("--timings", type=Path, help="write each code cell's seconds (JSON) here")
    args = parser.parse_args(argv)
    failed = 0
    for path in args.notebooks:
        try:
            seconds = execute(path, write=not args.no_write, timings=args.timings)
        except CellExecutionError as exc:
            failed += 1
            print(f"FAILED {path}:\n{exc}", file=sys.stderr)
            continue
        print(f"executed {path} in {seconds:.1f} s" + ("" if args.no_write else " (saved)"))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
