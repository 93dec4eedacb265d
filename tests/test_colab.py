"""The Colab path: every notebook's guarded set-up cell, run as Colab runs it, without the lock.

Colab has its own preinstalled libraries and no `make`: the set-up cell fetches the notebook's
version (``_launch.REF``) of the repository into a clone (updating the one a reused runtime kept),
`pip install`s course_lib from it (whose requirements are loose ranges, so Colab's libraries are
kept) and changes into the clone's notebooks/ folder; a failed step raises. Here a fresh virtual
environment stands in for Colab: its "preinstalled" libraries are this environment's (a path to
them, with none of their .pth hooks, so course_lib is not importable until the cell installs it),
a stand-in ``google.colab`` module is imported first, and the cell's GitHub URL and /content
folder are replaced by a local repository (this work tree, committed) and a temporary folder.
Nothing is downloaded (pip runs with --no-index).
"""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from course_lib import _launch

ROOT = Path(__file__).resolve().parents[1]
GIT_ID = ["-c", "user.name=test", "-c", "user.email=test@example.invalid"]
FAKE_COLAB = "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n"


def _run(args, **kw):
    out = subprocess.run(args, capture_output=True, text=True, timeout=600, **kw)
    assert out.returncode == 0, f"{args}\n{out.stdout}\n{out.stderr}"
    return out.stdout.strip()


def _guard(url: str, clone: Path, ref: str | None = None) -> str:
    """The set-up cell's guard pointed at ``url`` and ``clone`` (and ``ref``, default REF)."""
    guard = _launch.colab_guard()
    assert guard.count(_launch.repository_url()) == 1 and guard.count(_launch.CLONE_DIR) == 1
    guard = guard.replace(_launch.repository_url(), url).replace(_launch.CLONE_DIR, str(clone))
    if ref is not None:
        fetch = f'url, "{_launch.REF}")'
        assert guard.count(fetch) == 1
        guard = guard.replace(fetch, f'url, "{ref}")')
    return guard


def test_the_guard_is_plain_python_that_runs_only_on_colab(tmp_path, monkeypatch):
    guard = _launch.colab_guard()
    assert 'if "google.colab" in sys.modules:' in guard
    assert not any(ln.lstrip().startswith(("!", "%")) for ln in guard.splitlines()), "no magics"
    assert "|| true" not in guard and "/dev/null" not in guard, "failures must not be swallowed"
    assert f'url = "{_launch.repository_url()}"' in guard
    assert f'kit = "{_launch.CLONE_DIR}"' in guard
    assert f'url, "{_launch.REF}")' in guard
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(guard, "guard", "exec"), namespace)  # not on Colab: nothing happens
    assert Path.cwd() == tmp_path and "kit" not in namespace


def test_badges_and_the_clone_follow_the_one_ref(monkeypatch):
    assert _launch.REF == "main"  # a release sets its tag here and regenerates the notebooks
    monkeypatch.setattr(_launch, "REF", "v1.2.0")
    assert "/responsible-deep-learning/v1.2.0?urlpath=" in _launch.binder_url("00_welcome.ipynb")
    assert "/blob/v1.2.0/notebooks/00_welcome.ipynb" in _launch.colab_url("00_welcome.ipynb")
    assert _launch.binder_url("x.ipynb") in _launch.badges("x.ipynb")
    assert 'url, "v1.2.0")' in _launch.colab_guard()


@pytest.fixture(scope="module")
def origin(tmp_path_factory):
    """A repository of this work tree as it is now (tracked and new files), on branch main."""
    repo = tmp_path_factory.mktemp("origin")
    listed = _run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                  cwd=ROOT)
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    _run(["git", "init", "--quiet", "--initial-branch", "main", str(repo)])
    _run(["git", "-C", str(repo), "config", "uploadpack.allowAnySHA1InWant", "true"])  # as GitHub
    _run(["git", "-C", str(repo), "add", "--all"])
    _run(["git", *GIT_ID, "-C", str(repo), "commit", "--quiet", "-m", "the work tree"])
    return repo


@pytest.fixture(scope="module")
def colab_python(tmp_path_factory):
    """A fresh environment whose preinstalled libraries are this one's; course_lib absent."""
    venv = tmp_path_factory.mktemp("colab") / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(_run([str(python), "-c", purelib]))
    (site / "preinstalled.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    absent = subprocess.run([str(python), "-c", "import course_lib"], capture_output=True,
                            text=True, cwd=venv)
    assert absent.returncode != 0, "course_lib must not be importable before the cell installs it"
    return python, site


def _cell(python: Path, guard: str, before: str = "", after: str = "", cwd: Path | None = None):
    """Run ``before``, the guard (on a stand-in Colab) and ``after`` in a new Python process."""
    env = {k: v for k, v in os.environ.items() if k != "COURSE_DATASETS"}
    # offline: pip may install course_lib only, building it with this environment's setuptools
    env |= {"PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    return subprocess.run([str(python), "-c", FAKE_COLAB + before + guard + after],
                          capture_output=True, text=True, timeout=600, cwd=cwd, env=env)


def _commit(repo: Path, path: str, text: str, message: str) -> str:
    (repo / path).write_text(text, encoding="utf-8")
    _run(["git", *GIT_ID, "-C", str(repo), "commit", "--quiet", "-am", message])
    return _run(["git", "-C", str(repo), "rev-parse", "HEAD"])


AFTER = """
import os, pathlib, subprocess
import course_lib
print("cwd", os.getcwd())
print("course_lib from", pathlib.Path(course_lib.__file__).parent.parent)
print("head", subprocess.run(["git", "-C", kit, "rev-parse", "HEAD"], capture_output=True,
                             text=True).stdout.strip())
print("marker", getattr(course_lib, "MARKER", None))
"""

# What a notebook does next, from a working folder outside the clone: nothing is found from it.
LOADS = """
os.chdir(os.environ["ELSEWHERE"])
from course_lib import setup, syllabus
from course_lib.data import datasets_dir, load_german_credit, verify_all
from course_lib.energy import FOOTPRINT_CSV, course_footprint
setup()
print("datasets", datasets_dir())
print("verified", (verify_all()["status"] == "ok").all())
print("rows", len(load_german_credit()))
print("footprint", FOOTPRINT_CSV, len(course_footprint()))
print("notebooks", all(syllabus.available(e) for e in syllabus.load()))
"""


@pytest.mark.slow
def test_colab_setup_cell_clones_updates_installs_and_fails_loudly(origin, colab_python,
                                                                     tmp_path, monkeypatch):
    python, site = colab_python
    url, clone = origin.as_uri(), tmp_path / "content" / Path(_launch.CLONE_DIR).name
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("ELSEWHERE", str(elsewhere))
    main = _run(["git", "-C", str(origin), "rev-parse", "HEAD"])

    # 1. a new runtime: the cell clones REF, installs course_lib (not the lock), changes folder
    done = _cell(python, _guard(url, clone), after=AFTER + LOADS)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"cwd {clone / 'notebooks'}" in out and f"head {main}" in out, out
    assert f"course_lib from {site}" in out, out  # the installed copy, not the clone
    assert "course_lib ready" in out and "rows 1000" in out and "verified True" in out, out
    assert f"datasets {site / 'course_lib' / '_datasets'}" in out, out  # the wheel's own copy
    assert f"footprint {site / 'course_lib' / '_benchmarks' / 'footprint.csv'}" in out, out
    assert "notebooks True" in out, out

    # 2. a reused runtime, after a new release: the clone is updated to it, here by a tag
    init = (origin / "course_lib" / "__init__.py").read_text(encoding="utf-8")
    second = _commit(origin, "course_lib/__init__.py", init + 'MARKER = "second"\n', "second")
    _run(["git", *GIT_ID, "-C", str(origin), "tag", "-a", "-m", "release", "v-test"])
    done = _cell(python, _guard(url, clone, ref="v-test"), after=AFTER)
    assert done.returncode == 0, done.stderr
    assert f"head {second}" in done.stdout and "marker second" in done.stdout, done.stdout

    # 3. re-running the cell in a session that imported course_lib: fine while nothing changed,
    #    told to restart once the kit changed under it (here fetched by commit id)
    assert _cell(python, _guard(url, clone, ref="v-test"), before="import course_lib\n")\
        .returncode == 0
    third = _commit(origin, "course_lib/__init__.py", init + 'MARKER = "third"\n', "third")
    done = _cell(python, _guard(url, clone, ref=third), before="import course_lib\n")
    assert done.returncode != 0
    assert "RuntimeError: The kit changed after course_lib was imported" in done.stderr
    assert "Runtime > Restart session, then run this cell again" in done.stderr
    done = _cell(python, _guard(url, clone, ref=third), after=AFTER)  # after the restart
    assert done.returncode == 0, done.stderr
    assert f"head {third}" in done.stdout and "marker third" in done.stdout, done.stdout

    # 4. failures stop the cell with the command, its error and what to try
    bad = tmp_path / "no-such-repository"
    done = _cell(python, _guard(bad.as_uri(), tmp_path / "fresh"))
    assert done.returncode != 0
    assert f"RuntimeError: Course set-up failed: git -C {tmp_path / 'fresh'} fetch" in done.stderr
    assert "does not appear to be a git repository" in done.stderr, done.stderr
    assert "Try: Runtime > Restart session, then run this cell again." in done.stderr
    pyproject = (origin / "pyproject.toml").read_text(encoding="utf-8")
    needs = pyproject.replace("dependencies = [\n", 'dependencies = [\n    "no-such-lib>=1",\n', 1)
    broken = _commit(origin, "pyproject.toml", needs, "a requirement pip cannot meet")
    done = _cell(python, _guard(url, clone, ref=broken))
    assert done.returncode != 0
    assert f"RuntimeError: Course set-up failed: {python} -m pip install --quiet {clone}" \
        in done.stderr, done.stderr
    assert "no-such-lib" in done.stderr.split("RuntimeError")[-1], done.stderr
    assert done.stderr.rstrip().endswith("Try: Runtime > Restart session, then run this cell "
                                         "again.")
