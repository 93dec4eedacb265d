"""The Colab twin: Colab's published library versions in a fresh Python 3.13 venv, then every
notebook run as Colab runs it.

    python3 tests/tools/colab_check.py                 # make colab-check: every notebook
    python3 tests/tools/colab_check.py notebooks/00_welcome.ipynb   # only these notebooks
    python3 tests/tools/colab_check.py --generate <Colab's pip-freeze.txt>    # authoring

Steps: (1) a Python 3.13 venv (``.colab-venv``, reused while its stamp matches the versions list)
gets exactly the versions of tests/colab/colab-*.txt from PyPI; (2) what every notebook's set-up
cell does: ``git clone`` of this checkout's HEAD (a bare copy under a file:// URL stands in for
GitHub) and ``pip install <clone>`` without the lock, after which no listed version may have
changed; (3) every notebook executed by nbclient in the twin's ipykernel, with a stand-in
``google.colab`` imported at kernel start so the set-up cell's guard runs, its GitHub URL and
/content clone folder replaced by the local ones. A notebook passes with no cell error, nothing
on stderr, and so every ``expect()`` holding (a failing one raises). Outputs are not compared.
(4) in the same kernel set-up, tests/tools/explorer_check.py: every explorer's sliders moved as a
browser moves them (the table must follow) and a tqdm.auto progress bar shown, no stderr.

``--generate`` (authoring only) writes the versions list from Colab's pip-freeze.txt: the packages
that course_lib's dependencies and the notebook kernel resolve to under Colab's pins, where Colab
has them. The check itself never reads anything outside the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from course_lib import _lock  # noqa: E402

LIST_DIR = ROOT / "tests" / "colab"
VENV = ROOT / ".colab-venv"
STAMP_NAME = ".colab-stamp"
# What the set-up cell and the notebook runner use besides course_lib's own dependencies.
KERNEL_STACK = ("ipykernel", "ipython", "ipywidgets", "nbclient", "nbformat", "jupyter-client",
                "pip", "setuptools")
# python3.13 on PATH, then pyenv's 3.13 builds (whose shim fails unless that version is active)
PYTHON_CANDIDATES = ("python3.13", *sorted(
    str(p) for p in Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")).glob(
        "versions/3.13*/bin/python3.13")), "/usr/local/bin/python3.13", "/usr/bin/python3.13")
CELL_TIMEOUT_S = 900
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)\s*$")
_CPU_BUILD = re.compile(r"\b(torch|torchvision|torchaudio) (\d[0-9.]*)\+cpu\b")


# One rule for names and for the CUDA-only wheels (Colab's CPU torch has none): the lock's.
# course_lib._lock imports only the standard library, so this runs under any python3.
normalize = _lock.normalize
is_cuda_only = _lock.is_cuda_only


# ---------------------------------------------------------------- the versions list

@dataclass(frozen=True)
class ColabList:
    """The shipped list: where it comes from, its date, and name -> version (names normalised)."""

    source: str
    date: str
    pins: dict[str, str]
    spelled: dict[str, str]  # normalised name -> the name as Colab's freeze spells it

    def requirements(self) -> list[str]:
        """``name==version`` for pip, in the list's order."""
        return [f"{self.spelled[n]}=={v}" for n, v in self.pins.items()]


def read_freeze(text: str) -> dict[str, tuple[str, str]]:
    """Normalised name -> (name as written, version) for every ``name==version`` line."""
    out: dict[str, tuple[str, str]] = {}
    for line in text.splitlines():
        m = _PIN.match(line.strip())
        if m:
            out[normalize(m.group(1))] = (m.group(1), m.group(2))
    return out


def parse_list(text: str) -> ColabList:
    """Parse a versions list: ``# source:`` and ``# date:`` header lines, then ``name==version``."""
    header: dict[str, str] = {}
    pins: dict[str, str] = {}
    spelled: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            m = re.match(r"#\s*(source|date):\s*(.+)$", line)
            if m:
                header[m.group(1)] = m.group(2).strip()
            continue
        m = _PIN.match(line)
        if not m:
            raise ValueError(f"line {number}: expected name==version, got {raw!r}")
        key = normalize(m.group(1))
        if key in pins:
            raise ValueError(f"line {number}: {m.group(1)} is listed twice")
        pins[key], spelled[key] = m.group(2), m.group(1)
    for key in ("source", "date"):
        if key not in header:
            raise ValueError(f"the list has no '# {key}:' header line")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", header["date"]):
        raise ValueError(f"'# date:' must be YYYY-MM-DD, got {header['date']!r}")
    if not pins:
        raise ValueError("the list pins no package")
    return ColabList(header["source"], header["date"], pins, spelled)


def list_path() -> Path:
    """The newest shipped list, tests/colab/colab-YYYY-MM-DD.txt."""
    found = sorted(LIST_DIR.glob("colab-????-??-??.txt"))
    if not found:
        raise FileNotFoundError(f"no colab-YYYY-MM-DD.txt in {LIST_DIR}")
    return found[-1]


def cpu_builds(freeze_text: str) -> dict[str, str]:
    """Versions of the ``+cpu`` builds Colab's freeze names only in its header (its URL lines)."""
    head = "\n".join(ln for ln in freeze_text.splitlines() if ln.startswith("#"))
    return {name: version for name, version in _CPU_BUILD.findall(head)}


def unsatisfied(dependencies: list[str], pins: dict[str, str]) -> list[str]:
    """The requirements (PEP 508 strings) whose range rejects the version the list pins."""
    from packaging.requirements import Requirement

    bad = []
    for spec in dependencies:
        req = Requirement(spec)
        version = pins.get(normalize(req.name))
        if version is not None and not req.specifier.contains(version, prereleases=True):
            bad.append(f"{spec} rejects Colab's {req.name} {version}")
    return bad


# ---------------------------------------------------------------- generating the list

def resolve(python: str, roots: list[str], constraints: str) -> dict[str, str]:
    """What pip would install for ``roots`` on ``python`` under ``constraints``: name -> version."""
    with tempfile.TemporaryDirectory() as tmp:
        cfile = Path(tmp, "constraints.txt")
        cfile.write_text(constraints, encoding="utf-8")
        out = subprocess.run([python, "-m", "pip", "install", "--dry-run", "--ignore-installed",
                              "--quiet", "--report", "-", "-c", str(cfile), *roots],
                             capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"pip could not resolve {roots} under Colab's pins:\n{out.stderr}")
    report = json.loads(out.stdout)
    return {normalize(item["metadata"]["name"]): item["metadata"]["version"]
            for item in report["install"]}


def render_list(freeze_text: str, resolved: dict[str, str], source: str, date: str) -> str:
    """The shipped list: the resolved packages Colab has, at Colab's versions, with a header."""
    colab = read_freeze(freeze_text)
    builds = cpu_builds(freeze_text)
    lines = [
        "# Colab's preinstalled versions of the libraries the course touches. Generated by",
        "# `python3 tests/tools/colab_check.py --generate <Colab's pip-freeze.txt>`; do not edit.",
        f"# source: {source}",
        f"# date: {date}",
        "# Which packages: what course_lib's dependencies and the notebook kernel (ipykernel,",
        "# nbclient, ipywidgets, pip) resolve to under Colab's pins, kept where Colab has them.",
    ]
    if builds:
        shown = " and ".join(f"{n} {v}+cpu" for n, v in builds.items())
        lines += [f"# On Colab {shown} come from PyTorch's CPU wheel index.",
                  "# Only PyPI is reachable from the test machines, so `make colab-check` installs",
                  "# PyPI's build of the same versions (CUDA, with its nvidia-* and triton wheels)",
                  "# as a stand-in; those CUDA wheels are not listed."]
    body = []
    for key in sorted(resolved):
        if key in builds:
            body.append(f"{key}=={builds[key]}")
        elif key in colab and not is_cuda_only(key):
            body.append(f"{colab[key][0]}=={colab[key][1]}")
    return "\n".join(lines + body) + "\n"


def closure(python: str, roots: list[str], colab: dict[str, str]) -> dict[str, str]:
    """The Colab packages that installing ``roots`` can touch: name -> version resolved.

    First under all of Colab's pins (so the choices Colab can keep), then, until nothing new turns
    up, under the pins of only the packages found so far: as on Colab, where pip is free to pick
    the newest release of what Colab lacks, and that release may want other Colab packages.
    """
    everything = "".join(f"{n}=={v}\n" for n, v in colab.items())
    found = {n: v for n, v in resolve(python, roots, everything).items() if n in colab}
    while True:
        pins = "".join(f"{n}=={colab[n]}\n" for n in found)
        new = {n: v for n, v in resolve(python, roots, pins).items()
               if n in colab and n not in found}
        if not new:
            return found
        found.update(new)


def generate(freeze: Path, python: str) -> Path:
    """Write tests/colab/colab-<date>.txt from Colab's pip-freeze.txt (see the module docstring)."""
    import tomllib

    text = freeze.read_text(encoding="utf-8")
    head = " ".join(ln.lstrip("# ") for ln in text.splitlines() if ln.startswith("#"))
    date = re.search(r"(\d{4}-\d{2}-\d{2})", freeze.name) or re.search(r"(\d{4}-\d{2}-\d{2})", head)
    if date is None:
        raise ValueError(f"{freeze}: no YYYY-MM-DD date in its name or header")
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    roots = sorted({re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", d).group() for d in deps}
                   | set(KERNEL_STACK))
    colab = {k: v for k, (_, v) in read_freeze(text).items() if not is_cuda_only(k)}
    colab.update(cpu_builds(text))
    resolved = closure(python, roots, colab)
    commit = re.search(r"\('([^']+)'\)", head)
    runtime = re.search(r"Python \d+\.\d+\.\d+", head)
    source = ("googlecolab/backend-info, pip-freeze.txt, commit of " + date.group(1)
              + (f" ('{commit.group(1)}')" if commit else "")
              + ": Colab's CPU runtime" + (f", {runtime.group()}" if runtime else ""))
    out = LIST_DIR / f"colab-{date.group(1)}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_list(text, resolved, source, date.group(1)), encoding="utf-8")
    return out


# ---------------------------------------------------------------- the twin

def find_python(candidates: tuple[str, ...] = PYTHON_CANDIDATES, want: tuple[int, int] = (3, 13)):
    """The first candidate (name on PATH or path) that runs Python ``want``; None if none does."""
    code = "import sys; print('%d.%d' % sys.version_info[:2])"
    for cand in candidates:
        exe = shutil.which(cand) or (cand if os.path.isfile(cand) else None)
        if exe is None:
            continue
        try:
            out = subprocess.run([exe, "-c", code], capture_output=True, text=True, timeout=60)
        except OSError:
            continue
        if out.returncode == 0 and out.stdout.strip() == "{}.{}".format(*want):
            return exe
    return None


def stamp(list_text: str, python_version: str) -> str:
    """What a reusable twin was built from: the list's text and the exact Python version."""
    return hashlib.sha256(f"{python_version}\n{list_text}".encode()).hexdigest()[:16]


def versions(python: Path) -> dict[str, str]:
    """Normalised name -> version of every distribution installed for ``python``."""
    code = ("import json, importlib.metadata as m; print(json.dumps("
            "{d.metadata['Name']: d.version for d in m.distributions()}))")
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True,
                         cwd=tempfile.gettempdir())
    return {normalize(k): v for k, v in json.loads(out.stdout).items()}


def changes(before: dict[str, str], after: dict[str, str], watched) -> list[str]:
    """Each watched package whose version differs (or that vanished) between two snapshots."""
    out = []
    for name in sorted(watched):
        if name in before and after.get(name) != before[name]:
            now = after.get(name, "removed")
            out.append(f"{name} {before[name]} -> {now}")
    return out


def twin_environ(base: dict[str, str]) -> dict[str, str]:
    """The environment for the twin's processes: pip as on Colab, reading PyPI and no config file
    (this machine's pip.conf adds local indexes whose warnings would reach the notebooks)."""
    drop = ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    env = {k: v for k, v in base.items() if k not in drop}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def _pip(python: Path, *args: str) -> None:
    cmd = [str(python), "-m", "pip", "--disable-pip-version-check", *args]
    subprocess.run(cmd, check=True, env=twin_environ(dict(os.environ)))


def default_venv() -> Path:
    """The twin's folder: ``COLAB_VENV`` if set and not empty, else .colab-venv."""
    return Path(os.environ.get("COLAB_VENV") or VENV)


def check_replaceable(venv: Path) -> None:
    """Refuse to delete ``venv`` unless it is absent, empty or a virtual environment of its own.

    A wrong ``--venv`` (``COLAB_VENV=.``, the repository, a home folder) must fail, not be wiped.
    """
    path = venv.resolve()
    if not path.exists() or (path.is_dir() and not any(path.iterdir())):
        return
    inside_checkout = path == ROOT or path in ROOT.parents or (path / ".git").exists()
    if inside_checkout or not (path / "pyvenv.cfg").is_file():
        raise SystemExit(f"colab-check: {venv} is not a virtual environment it may replace; "
                         "point COLAB_VENV (or --venv) at a new or former twin folder")


def build_twin(venv: Path, colab: ColabList, list_text: str, python: str) -> Path:
    """A venv with exactly the list's versions; reused (and reset to them) while its stamp holds."""
    py = venv / "bin" / "python"
    version = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()
    want = stamp(list_text, version)
    stamp_file = venv / STAMP_NAME
    if py.exists() and stamp_file.exists() and stamp_file.read_text().strip() == want:
        baseline = json.loads((venv / "baseline.json").read_text())
        extra = sorted(set(versions(py)) - set(baseline))
        if extra:  # what an earlier run's set-up cells added: Colab does not have it
            _pip(py, "uninstall", "--quiet", "--yes", *extra)
        if changes(baseline, versions(py), baseline):
            _pip(py, "install", "--quiet", *colab.requirements())
        print(f"colab-check: reusing {venv} (Python {version}, stamp {want})")
        return py
    print(f"colab-check: building {venv} with Python {version} from {python} (a few minutes)")
    check_replaceable(venv)
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    pip_pin = [r for r in colab.requirements() if normalize(r.split("==")[0]) == "pip"]
    _pip(py, "install", "--quiet", *pip_pin)  # Colab's pip first: it does the rest, as there
    _pip(py, "install", "--quiet", *colab.requirements())
    (venv / "baseline.json").write_text(json.dumps(versions(py), indent=1, sort_keys=True))
    stamp_file.write_text(want + "\n")
    return py


def check_installed(colab: ColabList, found: dict[str, str]) -> list[str]:
    """Listed packages the twin does not have at the listed version (the install went wrong)."""
    return [f"{n}: listed {v}, installed {found.get(n, 'nothing')}"
            for n, v in colab.pins.items() if found.get(n) != v]


# ---------------------------------------------------------------- Colab's set-up cell

def bare_remote(workdir: Path) -> str:
    """A bare clone of this checkout whose file:// URL stands in for GitHub; its REF is HEAD."""
    import course_lib._launch as launch

    name = launch.repository_url().rstrip("/").rsplit("/", 1)[-1]
    remote = workdir / "github" / f"{name}.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(ROOT), str(remote)], check=True)
    ref = getattr(launch, "REF", getattr(launch, "BRANCH", "main"))
    is_tag = subprocess.run(["git", "-C", str(remote), "rev-parse", "--verify", "--quiet",
                             f"refs/tags/{ref}"], capture_output=True).returncode == 0
    if not is_tag and not re.fullmatch(r"[0-9a-f]{7,40}", ref):  # the branch the cell fetches
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], check=True,
                              capture_output=True, text=True).stdout.strip()
        subprocess.run(["git", "-C", str(remote), "update-ref", f"refs/heads/{ref}", head],
                       check=True)
    return remote.with_name(name).as_uri()  # git finds <name>.git, as GitHub does


def colab_source(source: str, url: str, clone_dir: str) -> str:
    """A set-up cell's source with GitHub's URL and Colab's /content clone folder replaced."""
    import course_lib._launch as launch

    guard = launch.colab_guard()
    if launch.repository_url() not in guard or launch.CLONE_DIR not in guard:
        raise ValueError("colab_guard() no longer names repository_url() and CLONE_DIR")
    if not source.startswith(guard):
        raise ValueError("the set-up cell does not start with course_lib._launch.colab_guard()")
    return source.replace(launch.repository_url(), url).replace(launch.CLONE_DIR, clone_dir)


def write_colab_stub(folder: Path) -> Path:
    """A stand-in ``google.colab`` package under ``folder`` (put it on the kernel's path)."""
    pkg = folder / "google" / "colab"
    pkg.mkdir(parents=True, exist_ok=True)
    (folder / "google" / "__init__.py").write_text(
        "# Merge with any other 'google' package installed (protobuf, ...).\n"
        "__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n")
    (pkg / "__init__.py").write_text(
        '"""Stand-in for Colab\'s google.colab (tests/tools/colab_check.py): its presence in\n'
        'sys.modules is what the set-up cell and course_lib.setup() look for."""\n')
    return folder


def setup_cell_install(py: Path, url: str, workdir: Path) -> None:
    """What the set-up cell does once: clone the repository and pip install it, without the lock."""
    clone = workdir / "content" / "responsible-deep-learning"
    subprocess.run(["git", "clone", "--quiet", url, str(clone)], check=True)
    _pip(py, "install", "--quiet", str(clone))


# ---------------------------------------------------------------- running notebooks (in the twin)

def problems(nb) -> list[str]:
    """What fails a notebook besides a cell error: any stderr output, with its cell number."""
    out = []
    for number, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), 1):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                out.append(f"code cell {number} wrote to stderr: {o.get('text', '').strip()[:800]}")
    return out


def count_expects(nb) -> int:
    """How many ``expect()`` checks printed their success line."""
    return sum(o.get("text", "").count(", as expected.") for c in nb.cells if c.cell_type == "code"
               for o in c.get("outputs", []) if o.get("output_type") == "stream")


def setup_seconds(nb) -> float:
    """How long the first code cell (the set-up cell: fetch, pip install, imports) ran, from
    nbclient's timing metadata; nan when it did not finish."""
    from datetime import datetime

    first = next(c for c in nb.cells if c.cell_type == "code")
    t = first.metadata.get("execution", {})
    if "iopub.execute_input" not in t or "shell.execute_reply" not in t:
        return float("nan")
    start, end = (datetime.fromisoformat(t[k].replace("Z", "+00:00"))
                  for k in ("iopub.execute_input", "shell.execute_reply"))
    return (end - start).total_seconds()


@dataclass(frozen=True)
class Result:
    """One notebook's run in the twin."""

    status: str  # ok, stderr or error
    seconds: float
    setup: float  # of which the set-up cell
    expects: int  # expect() checks that held
    detail: str


def colab_kernel_specs(stub: Path):
    """A kernel spec manager for the twin's ipykernel, with google.colab imported at start as
    Colab's kernel does (the stand-in package from ``stub`` on its path)."""
    import ipykernel.kernelspec
    from jupyter_client.kernelspec import KernelSpecManager

    env = {**os.environ, "PYTHONPATH": str(stub), "COURSE_THREADS": os.environ.get(
        "COURSE_THREADS", "1"),
           # debugpy's note on Python 3.13's frozen modules goes to the kernel's log, not the
           # notebook (as on Colab); keep it out of this table
           "PYDEVD_DISABLE_FILE_VALIDATION": "1"}

    class ColabKernelSpecs(KernelSpecManager):
        """The twin's ipykernel, with google.colab imported at start as Colab's kernel does."""

        def get_kernel_spec(self, kernel_name):  # noqa: ARG002 - one kernel for every name
            spec = ipykernel.kernelspec.get_kernel_dict(
                ["--IPKernelApp.exec_lines=['import google.colab']"])
            spec["env"] = env
            return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES, **spec)

    return ColabKernelSpecs()


def run_notebook(path: Path, url: str, workdir: Path, stub: Path) -> Result:
    """Execute one notebook as Colab would, from its set-up cell to its last cell."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    content = workdir / f"content-{path.stem}"
    content.mkdir()
    nb = nbformat.read(path, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = colab_source(first.source, url, str(content / "responsible-deep-learning"))
    client = NotebookClient(nb, kernel_name="python3", timeout=CELL_TIMEOUT_S, record_timing=True,
                            kernel_spec_manager=colab_kernel_specs(stub),
                            resources={"metadata": {"path": str(content)}})
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as exc:
        plain = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))  # IPython 7 colours its tracebacks
        lines = [ln for ln in plain.splitlines() if ln.strip()]
        return Result("error", time.perf_counter() - start, setup_seconds(nb), count_expects(nb),
                      "\n".join(problems(nb) + lines[-12:]))
    seconds = time.perf_counter() - start
    found = problems(nb)
    return Result("stderr" if found else "ok", seconds, setup_seconds(nb), count_expects(nb),
                  "\n".join(found))


def run_notebooks(paths: list[Path], url: str, workdir: Path) -> int:
    """Run each notebook in turn, print a table, return the number that failed."""
    stub = write_colab_stub(workdir / "colab-stub")
    results = []
    print(f"{'notebook':<40} {'seconds':>8} {'set-up':>7} {'expects':>8}  status", flush=True)
    for path in paths:
        r = run_notebook(path, url, workdir, stub)
        results.append(r)
        print(f"{path.name:<40} {r.seconds:8.1f} {r.setup:7.1f} {r.expects:8d}  {r.status}",
              flush=True)
        if r.detail:
            print("    " + r.detail.replace("\n", "\n    "), flush=True)
    print(f"{'total':<40} {sum(r.seconds for r in results):8.1f} "
          f"{sum(r.setup for r in results):7.1f} {sum(r.expects for r in results):8d}")
    failed = sum(r.status != "ok" for r in results)
    # Then each explorer's sliders moved and a progress bar shown, in the twin's kernel.
    import explorer_check  # beside this file

    content = workdir / "content-explorers"
    content.mkdir()
    clone = str(content / "responsible-deep-learning")
    bad = explorer_check.check_all(
        paths, log=lambda line: print(line, flush=True), km=colab_kernel_specs(stub),
        cwd=content, setup_source=lambda source: colab_source(source, url, clone))
    return failed + bad


# ---------------------------------------------------------------- main

def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook")
    parser.add_argument("--generate", type=Path, metavar="PIP_FREEZE",
                        help="write tests/colab/colab-<date>.txt from Colab's pip-freeze.txt")
    parser.add_argument("--venv", type=Path, default=default_venv())
    parser.add_argument("--in-twin", nargs=2, metavar=("URL", "WORKDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    names = [p.name for p in args.notebooks] or sorted(
        p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

    if args.in_twin:  # phase 2, under the twin's Python: notebooks from the clone of HEAD
        url, workdir = args.in_twin[0], Path(args.in_twin[1])
        sys.path.remove(str(ROOT))  # course_lib as the set-up cell installed it, not this checkout
        clone = workdir / "content" / "responsible-deep-learning" / "notebooks"
        return 1 if run_notebooks([clone / n for n in names], url, workdir) else 0

    python = os.environ.get("COLAB_PYTHON") or find_python()
    if args.generate:
        print(f"wrote {generate(args.generate, python or sys.executable)}")
        return 0
    if python is None:
        print("colab-check: no Python 3.13 found (tried " + ", ".join(PYTHON_CANDIDATES)
              + "); install it or run make colab-check COLAB_PYTHON=/path/to/python3.13")
        return 1
    path = list_path()
    text = path.read_text(encoding="utf-8")
    colab = parse_list(text)
    print(f"colab-check: Colab's versions from {path.relative_to(ROOT)} ({colab.source})")
    start = time.perf_counter()
    py = build_twin(args.venv.resolve(), colab, text, python)
    before = versions(py)
    wrong = check_installed(colab, before)
    if wrong:
        print("colab-check: FAILED, the twin does not hold Colab's versions:\n  "
              + "\n  ".join(wrong))
        return 1
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip()
    print(f"colab-check: twin ready in {time.perf_counter() - start:.0f} s; the set-up cell clones "
          f"HEAD {head}" + (" (uncommitted changes are not part of it)" if dirty else ""))
    with tempfile.TemporaryDirectory(prefix="colab-check-") as tmp:
        workdir = Path(tmp)
        url = bare_remote(workdir)
        setup_cell_install(py, url, workdir)
        after = versions(py)
        changed = changes(before, after, colab.pins)
        added = sorted(set(after) - set(before))
        print(f"colab-check: pip install <clone> added {len(added)} packages Colab lacks: "
              + ", ".join(f"{n} {after[n]}" for n in added))
        if changed:  # the notebooks still run, to show everything wrong in one go
            print("colab-check: FAILED, the set-up cell's pip install changed Colab's libraries: "
                  + "; ".join(changed) + ". Fix pyproject.toml's ranges so that Colab's pass.")
        else:
            print(f"colab-check: none of the {len(colab.pins)} listed Colab versions changed")
        env = twin_environ(dict(os.environ))
        rc = subprocess.run([str(py), str(Path(__file__).resolve()), "--in-twin", url, tmp, *names],
                            env=env, cwd=tmp).returncode
    ok = rc == 0 and not changed
    print(f"colab-check: {'passed' if ok else 'FAILED'} in {time.perf_counter() - start:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
