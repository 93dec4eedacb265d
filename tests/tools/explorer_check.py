"""The notebooks' explorers and a progress bar, driven in a real kernel as a browser drives them.

    python tests/tools/explorer_check.py [notebooks/04_bias_mitigation.ipynb ...]

Executing a notebook only builds and displays its explorers; nothing moves a slider. This check
starts the running Python's own ipykernel with nbclient and, for every explorer a notebook builds
(``name = widgets.interactive(...)``), runs the notebook's set-up cell, the explorer's cell and
the cells that define the names it uses (found with ``ast``), in notebook order. Then, for each
slider, it sends the kernel the ``comm_msg`` a browser sends when the slider is released, and
checks what the kernel sent back: nothing on stderr and no error, the explorer's Output widget
claiming the reply (its ``msg_id``), and a displayed result equal to the explorer's function at
the new values and different from the one before. Last, a tiny course_lib training with
``progress=True`` must show a tqdm.auto widget bar and write nothing on stderr.

tests/test_explorers.py runs it in the lock's kernel (ipywidgets 8); tests/tools/colab_check.py
runs it in the Colab twin's (ipywidgets 7.7) after the notebooks.
"""

from __future__ import annotations

import ast
import json
import queue
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 120  # per cell; a slider's replies get MOVE_TIMEOUT_S: a hang fails, saying where
MOVE_TIMEOUT_S = 60

# Kernel side: each slider's model id, its value now and the value to move it to.
SLIDERS = """
import json as _json
def _probe_sliders(explorer):
    out = []
    for w in explorer.kwargs_widgets:
        if hasattr(w, "options") and hasattr(w, "index"):  # a drop-down: the browser sends index
            new = (w.index + 1) % len(w.options)
            opt = list(w.options)[new]
            opt = opt[1] if isinstance(opt, tuple) else opt
            out.append({"id": w.model_id, "kwarg": w._kwarg, "name": w.description or w._kwarg,
                        "value": w.index, "new": new, "key": "index",
                        "kwarg_value": _json.loads(_json.dumps(opt, default=str))})
            continue
        if not all(hasattr(w, a) for a in ("min", "max", "value")):
            raise TypeError(f"the check moves sliders and drop-downs only, not "
                            f"{type(w).__name__}")
        step = getattr(w, "step", None) or 1
        for share in (0.25, 0.75):
            new = w.min + round((w.max - w.min) * share / step) * step
            new = round(new, 10) if isinstance(w.value, float) else int(new)
            if new != w.value:
                break
        out.append({"id": w.model_id, "kwarg": w._kwarg, "name": w.description or w._kwarg,
                    "value": w.value, "new": new, "key": "value", "kwarg_value": new})
    return out
"""
# Kernel side: the explorer's arguments now and its Output widget's model id.
STATE = """print(_json.dumps({{"out": {name}.out.model_id, "kwargs": {name}.kwargs}},
                  default=str))"""
# Kernel side: the explorer's function run at its arguments as an ordinary cell, shown as the
# explorer shows it (the return value only with auto_display, as interact() sets and
# widgets.interactive() does not).
FRESH = """_r = {name}.f(**{name}.kwargs)
if {name}.auto_display and _r is not None:
    display(_r)"""
# A tiny training with a tqdm.auto bar: course_lib.models.fit_mlp(progress=True).
PROGRESS = """
import numpy as _np
from course_lib.models import fit_mlp as _fit_mlp
_rng = _np.random.default_rng(0)
_x = _rng.normal(size=(64, 3))
_fit_mlp(_x, (_x[:, 0] > 0).astype(int), hidden=(4,), epochs=3, batch_size=16, random_state=0,
         progress=True, desc="explorer check")
"""


@dataclass(frozen=True)
class Explorer:
    """One explorer a notebook builds: the code cell (index among all cells) and its name."""

    cell: int
    name: str


def _called(node) -> str | None:
    """The called name of ``f(...)`` or ``mod.f(...)``; None for anything else."""
    func = node.func if isinstance(node, ast.Call) else node
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _builds_explorer(call: ast.AST) -> bool:
    """``[widgets.]interactive(...)`` or a course_lib ``[mod.]explore_*(...)``."""
    name = _called(call) if isinstance(call, ast.Call) else None
    return name == "interactive" or (name or "").startswith("explore_")


def find_explorers(nb) -> list[Explorer]:
    """Every ``name = [widgets.]interactive(...)`` or ``name = explore_*(...)`` (course_lib's
    explorers) in the notebook's code cells. ``interact`` (call or decorator) is an error: it
    displays at once and keeps no handle to drive."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(_code(cell.source))):
            if isinstance(node, (ast.Call, ast.Name, ast.Attribute)) and _called(node) in (
                    "interact", "interact_manual"):
                raise ValueError(f"cell {index} uses interact(), which keeps no handle to "
                                 "drive; assign widgets.interactive(...) to a name, display it")
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and _builds_explorer(node.value)):
                found.append(Explorer(index, node.targets[0].id))
    return found


def _code(source: str) -> str:
    """A cell's source without IPython magics and shell escapes (lines starting % or !)."""
    return "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                     for ln in source.splitlines())


def names(source: str) -> tuple[set[str], set[str]]:
    """(names a cell defines, names it reads from outside): bindings (assignments, imports,
    defs; ``d[k] = v`` only reads ``d``); a function's parameters and locals are its own."""
    return _scope(ast.parse(_code(source)).body)


def _scope(body: list, args: ast.arguments | None = None) -> tuple[set[str], set[str]]:
    defined = {a.arg for a in ast.walk(args) if isinstance(a, ast.arg)} if args else set()
    used: set[str] = set()
    todo = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if not isinstance(node, ast.Lambda):
                defined.add(node.name)
                todo += node.decorator_list
            todo += node.args.defaults + node.args.kw_defaults
            inner_def, inner_used = _scope(
                node.body if isinstance(node.body, list) else [node.body], node.args)
            used |= inner_used - inner_def
            continue
        if isinstance(node, ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Name):
            (defined if isinstance(node.ctx, (ast.Store, ast.Del)) else used).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined |= {(a.asname or a.name).split(".")[0] for a in node.names}
        todo += [n for n in ast.iter_child_nodes(node) if n is not None]
    return defined, used - (defined if args else set())


def _outside(source: str) -> set[str]:
    """The names a cell reads but does not bind itself (loop variables and the like are its own)."""
    defined, used = names(source)
    return used - defined


def needed_cells(nb, target: int) -> list[int]:
    """Indices of the code cells ``target`` needs, in order: the first code cell (set-up), the
    target, and every earlier cell that binds a name they read and do not bind, transitively."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and i <= target]
    keep = {code[0], target}
    wanted = set().union(*(_outside(nb.cells[i].source) for i in keep))
    for i in reversed(code[:-1]):
        if i not in keep and names(nb.cells[i].source)[0] & wanted:
            keep.add(i)
            wanted |= _outside(nb.cells[i].source)
    return sorted(keep)


def _client(nb, km, cwd: Path):
    from nbclient import NotebookClient

    kwargs = {"kernel_spec_manager": km} if km is not None else {}
    return NotebookClient(nb, kernel_name="python3", timeout=TIMEOUT_S, allow_errors=False,
                          resources={"metadata": {"path": str(cwd)}}, **kwargs)


def _run(client, source: str) -> list:
    """Execute ``source`` as a new cell; its outputs (raises on an error)."""
    import nbformat

    cell = nbformat.v4.new_code_cell(source)
    client.nb.cells.append(cell)
    client.execute_cell(cell, len(client.nb.cells) - 1)
    return cell.outputs


def _stdout_json(outputs) -> object:
    text = "".join(o.get("text", "") for o in outputs
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")
    return json.loads(text.strip().splitlines()[-1])


def stderr_of(outputs) -> str:
    """Everything a list of outputs wrote to stderr."""
    return "".join(o.get("text", "") for o in outputs
                   if o.get("output_type") == "stream" and o.get("name") == "stderr")


MOVE_SECONDS: list[tuple[str, float]] = []  # (where, seconds from sending to idle) of each move


def _move(client, comm_id: str, value, key: str = "value") -> list[dict]:
    """Send the kernel the browser's control update; every IOPub message it causes, until idle."""
    from nbclient.util import run_sync

    kc = client.kc
    msg = kc.session.msg("comm_msg", content={
        "comm_id": comm_id, "data": {"method": "update", "state": {key: value},
                                     "buffer_paths": []}})
    kc.shell_channel.send(msg)
    sent_at = time.perf_counter()
    replies = []
    deadline = time.monotonic() + MOVE_TIMEOUT_S
    while True:
        try:
            reply = run_sync(kc.get_iopub_msg)(timeout=max(deadline - time.monotonic(), 0.1))
        except queue.Empty:
            raise TimeoutError(f"the kernel did not finish handling a slider update within "
                               f"{MOVE_TIMEOUT_S} s") from None
        if reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
            continue
        if reply["msg_type"] == "status" and reply["content"]["execution_state"] == "idle":
            MOVE_SECONDS.append((comm_id, time.perf_counter() - sent_at))
            return [dict(r, sent=msg["header"]["msg_id"]) for r in replies]
        replies.append(reply)


def shown(outputs) -> str:
    """What a list of outputs shows as text: stdout, and each display's text/plain."""
    parts = []
    for o in outputs:
        if o.get("output_type") == "stream" and o.get("name") == "stdout":
            parts.append(o.get("text", ""))
        elif o.get("output_type") in ("display_data", "execute_result"):
            parts.append(o.get("data", {}).get("text/plain", "") + "\n")
    return "".join(parts)


def as_outputs(replies: list[dict]) -> list:
    """The outputs a front end shows for IOPub messages (a clear_output drops the earlier)."""
    from nbformat.v4 import output_from_msg

    outs = []
    for r in replies:
        if r["msg_type"] == "clear_output":
            outs = []
        elif r["msg_type"] in ("stream", "display_data", "execute_result", "error"):
            outs.append(output_from_msg(r))
    return outs


def judge_move(replies: list[dict], out_id: str, expected: str, before: str) -> list[str]:
    """What is wrong with a slider move's replies: an error, stderr, the Output widget not
    claiming them, nothing shown, or a shown text other than ``expected`` or equal to ``before``."""
    bad = []
    sent = replies[0]["sent"] if replies else None
    claimed = any(r["msg_type"] == "comm_msg" and r["content"].get("comm_id") == out_id
                  and r["content"]["data"].get("state", {}).get("msg_id") == sent
                  for r in replies)
    for r in replies:
        if r["msg_type"] == "error":
            bad.append(f"the kernel raised {r['content']['ename']}: {r['content']['evalue']}")
    outs = as_outputs(replies)
    if stderr_of(outs):
        bad.append(f"stderr: {stderr_of(outs).strip()[:400]}")
    if not claimed:
        bad.append("the explorer's Output widget did not claim the update's output (msg_id)")
    now = shown(outs)
    if not now.strip():
        bad.append("the explorer showed nothing")
    elif now != expected:
        bad.append(f"showed {now!r}, not its function at the new values: {expected!r}")
    elif now == before:
        bad.append("what the explorer shows did not change")
    return bad


def check_explorer(client, explorer: Explorer) -> list[str]:
    """Move each of the explorer's sliders; the problems found (empty when it works)."""
    problems = []
    name = explorer.name
    sliders = _stdout_json(_run(client, f"print(_json.dumps(_probe_sliders({name})))"))
    before = shown(_run(client, FRESH.format(name=name)))
    for slider in sliders:
        where = f"{name}, slider {slider['name']} {slider['value']} -> {slider['new']}"
        try:
            replies = _move(client, slider["id"], slider["new"], slider.get("key", "value"))
            MOVE_SECONDS[-1] = (where, MOVE_SECONDS[-1][1])
        except TimeoutError as exc:
            return problems + [f"{where}: {exc}"]
        now = _stdout_json(_run(client, STATE.format(name=name)))
        expected = shown(_run(client, FRESH.format(name=name)))
        if now["kwargs"].get(slider["kwarg"]) != slider.get("kwarg_value", slider["new"]):
            problems.append(f"{where}: the explorer's arguments became {now['kwargs']}")
        problems += [f"{where}: {p}" for p in judge_move(replies, now["out"], expected, before)]
        before = expected
    return problems


def check_notebook(path: Path, km=None, cwd: Path | None = None, setup_source=None) -> list[str]:
    """Drive every explorer ``path`` builds, then a progress bar; the problems found.

    ``km``: the kernel spec manager (default: nbclient's python3); ``cwd``: the kernel's working
    folder (default: the notebook's); ``setup_source``: rewrites the set-up cell's source.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    explorers = find_explorers(nb)
    keep = sorted(set().union(*(needed_cells(nb, e.cell) for e in explorers))) if explorers else [
        next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")]
    run = nbformat.v4.new_notebook(metadata=nb.metadata)
    run.cells = [nbformat.v4.new_code_cell(nb.cells[i].source) for i in keep]
    if setup_source is not None:
        run.cells[0].source = setup_source(run.cells[0].source)
    client = _client(run, km, cwd or path.parent)
    problems = []
    with client.setup_kernel():
        for index, cell in enumerate(list(run.cells)):
            client.execute_cell(cell, index)
            if stderr_of(cell.outputs):
                problems.append(f"cell {keep[index]} wrote to stderr: "
                                f"{stderr_of(cell.outputs).strip()[:400]}")
        _run(client, SLIDERS)
        for explorer in explorers:
            problems += check_explorer(client, explorer)
        problems += judge_progress(_run(client, PROGRESS))
    return problems


def judge_progress(outputs) -> list[str]:
    """A progress bar's cell: a tqdm widget shown (not text), and nothing on stderr."""
    bad = []
    if stderr_of(outputs):
        bad.append(f"the progress bar wrote to stderr: {stderr_of(outputs).strip()[:400]}")
    if not any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs):
        bad.append("fit_mlp(progress=True) showed no widget progress bar")
    return bad


def targets(paths: list[Path]) -> list[Path]:
    """The notebooks that build explorers; the first notebook alone (for the progress bar's
    check) when none does."""
    import nbformat

    found = [p for p in paths if find_explorers(nbformat.read(p, as_version=4))]
    return found or paths[:1]


def check_all(paths: list[Path], log=print, **kwargs) -> int:
    """Check each notebook in ``targets(paths)``, logging one line (and problems) each; the
    number that failed. ``kwargs`` go to check_notebook."""
    failed = 0
    for path in targets(paths):
        start = time.perf_counter()
        problems = check_notebook(path, **kwargs)
        failed += bool(problems)
        log(f"explorers and progress bar, {path.name}: "
            f"{'FAILED' if problems else 'ok'} in {time.perf_counter() - start:.1f} s"
            + "".join(f"\n    {p}" for p in problems))
    return failed


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    return 1 if check_all(paths) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
