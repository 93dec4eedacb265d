"""The Colab path: every notebook's guarded set-up cell, run as Colab runs it, without the lock.

Colab has its own preinstalled libraries and no `make`: the set-up cell clones the repository,
`pip install`s course_lib (whose requirements are loose ranges, so Colab's libraries are kept)
and changes into the clone's notebooks/ folder. Here a fresh virtual environment stands in for
Colab: its "preinstalled" libraries are this environment's (a path to them, with none of their
.pth hooks, so course_lib is not importable until the cell installs it), and the clone comes from
this repository instead of GitHub. Nothing is downloaded (pip runs with --no-index).
"""

import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from course_lib import _launch

ROOT = Path(__file__).resolve().parents[1]


def _guard_commands() -> dict[str, str]:
    """The set-up cell's shell (!) and magic (%) lines, by command."""
    lines = [ln.strip() for ln in _launch.colab_guard().splitlines()]
    commands = {}
    for ln in lines:
        m = re.match(r"^(!git clone|%pip install|%cd) (.+)$", ln)
        if m:
            commands[m.group(1)] = m.group(2)
    return commands


def _run(args, **kw):
    out = subprocess.run(args, capture_output=True, text=True, timeout=300, **kw)
    assert out.returncode == 0, f"{args}\n{out.stdout}\n{out.stderr}"
    return out.stdout


def test_the_guard_runs_only_on_colab_and_has_the_three_steps():
    guard = _launch.colab_guard()
    assert 'if "google.colab" in sys.modules:' in guard
    commands = _guard_commands()
    assert set(commands) == {"!git clone", "%pip install", "%cd"}
    assert _launch.repository_url() in commands["!git clone"]
    assert commands["%cd"] == f"{_launch.CLONE_DIR}/notebooks"


@pytest.mark.slow
def test_colab_setup_cell_installs_course_lib_without_the_lock_and_loads_a_dataset(tmp_path):
    commands = _guard_commands()
    clone = tmp_path / "content" / Path(_launch.CLONE_DIR).name
    # 1. `!git clone --quiet --depth 1 <url> <dir> 2> /dev/null || true`, from this repository
    flags = commands["!git clone"].split(_launch.repository_url())[0].split()
    _run(["git", "clone", *flags, ROOT.as_uri(), str(clone)])
    # 2. a fresh environment whose preinstalled libraries are this one's
    venv = tmp_path / "colab-venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(_run([str(python), "-c", purelib]).strip())
    (site / "preinstalled.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    absent = subprocess.run([str(python), "-c", "import course_lib"], capture_output=True,
                            text=True, cwd=tmp_path)
    assert absent.returncode != 0, "course_lib must not be importable before the cell installs it"
    # 3. `%pip install --quiet <clone>`: offline, so nothing beyond course_lib may be needed
    pip_args = commands["%pip install"].replace(_launch.CLONE_DIR, str(clone)).split()
    _run([str(python), "-m", "pip", "install", "--no-index", "--no-build-isolation",
          "--disable-pip-version-check", *pip_args])
    # 4. `%cd <clone>/notebooks`, then what a notebook's set-up cell does next
    check = (
        "import course_lib, pathlib\n"
        "from course_lib import setup\n"
        "from course_lib.data import load_german_credit\n"
        "from course_lib.energy import course_footprint\n"
        "print('course_lib from', pathlib.Path(course_lib.__file__).parent.parent)\n"
        "setup()\n"
        "print('rows', len(load_german_credit()))\n"
        "print('footprint rows', len(course_footprint()))\n"
    )
    out = _run([str(python), "-c", check], cwd=clone / "notebooks")
    assert f"course_lib from {site}" in out, out  # the installed copy, not the repository
    assert "course_lib ready" in out and "rows 1000" in out, out
    assert re.search(r"footprint rows \d+", out), out
