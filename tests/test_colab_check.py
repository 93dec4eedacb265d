"""The Colab twin's pieces (tests/tools/colab_check.py) and the shipped list of Colab's versions.

`make colab-check` runs the twin itself (it needs PyPI to build it); these tests run offline.
"""

import math
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from course_lib import _launch, _lock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "tools"))
import colab_check  # noqa: E402

# What issue 17 quotes from Colab's pip-freeze.txt of 2026-08-19.
COLAB = {"torch": "2.11.0", "torchvision": "0.26.0", "numpy": "2.1.3", "pandas": "2.2.3",
         "scikit-learn": "1.6.1", "matplotlib": "3.10.0", "shap": "0.52.0",
         "ipykernel": "6.17.1", "ipython": "7.34.0", "ipywidgets": "7.7.1"}
FREEZE = """# Colab's published 'pip freeze' of its CPU runtime (Python 3.13.15), from backend-info,
# commit of 2026-08-19 ('Upgrade to Python 3.13'); torch 2.11.0+cpu and
# torchvision 0.26.0+cpu there are installed from PyTorch's CPU wheel index.
ImageIO==2.37.4
nvidia-nccl-cu13==2.31.2
nvidia-ml-py==13.0.0
numpy==2.1.3
tensorflow==2.20.0
"""


def _shipped() -> colab_check.ColabList:
    return colab_check.parse_list(colab_check.list_path().read_text(encoding="utf-8"))


def _dependencies() -> list[str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]


def test_the_shipped_list_names_its_source_and_date_and_holds_colabs_versions():
    path = colab_check.list_path()
    shipped = _shipped()
    assert path.name == f"colab-{shipped.date}.txt" and shipped.date == "2026-08-19"
    assert "googlecolab/backend-info" in shipped.source and "pip-freeze.txt" in shipped.source
    assert {n: shipped.pins.get(n) for n in COLAB} == COLAB
    text = path.read_text(encoding="utf-8")
    assert "torch 2.11.0+cpu" in text and "stand-in" in text  # PyPI's CUDA build stands in
    assert not [n for n in shipped.pins if colab_check.is_cuda_only(n)]


def test_pyproject_admits_every_colab_version_so_pip_install_changes_none():
    shipped = _shipped()
    assert colab_check.unsatisfied(_dependencies(), shipped.pins) == []
    # not vacuous: every dependency Colab preinstalls is in the list
    names = {colab_check.normalize(Requirement(d).name) for d in _dependencies()}
    on_colab = {"numpy", "scipy", "pandas", "scikit-learn", "matplotlib", "torch", "torchvision",
                "shap", "scikit-image", "tabulate", "tqdm", "ipywidgets"}
    assert on_colab <= names and on_colab <= set(shipped.pins)


def test_lower_bounds_are_versions_actually_tested():
    """A Colab package's lower bound is Colab's version (the twin's), or the lock's if older."""
    shipped = _shipped()
    lock = _lock.find_lock()
    locked = _lock.read_pins(lock.read_text()) if lock else {}
    for spec in _dependencies():
        req = Requirement(spec)
        lows = [Version(s.version) for s in req.specifier if s.operator == ">="]
        assert len(lows) == 1, f"{spec}: one >= lower bound"
        name = colab_check.normalize(req.name)
        if name in shipped.pins:
            tested = [Version(shipped.pins[name])]
            if name in locked:
                tested.append(Version(_lock.public_version(locked[name])))
            assert lows[0] == min(tested), f"{spec}: lower bound is not the oldest tested {tested}"


def test_unsatisfied_names_each_range_that_rejects_a_pinned_version():
    pins = {"numpy": "2.1.3", "psutil": "5.9.5", "torch": "2.11.0"}
    deps = ["numpy>=2.0", "psutil>=6.0", "torch>=2.11.0,<2.12", "lime>=0.2"]
    assert colab_check.unsatisfied(deps, pins) == ["psutil>=6.0 rejects Colab's psutil 5.9.5"]
    assert colab_check.unsatisfied(["Scikit_Learn>=1.7"], {"scikit-learn": "1.6.1"}) == [
        "Scikit_Learn>=1.7 rejects Colab's Scikit_Learn 1.6.1"]


def test_parse_list_round_trips_render_list_and_keeps_only_colabs_non_cuda_packages():
    resolved = {"imageio": "2.37.4", "numpy": "2.1.3", "nvidia-nccl-cu13": "2.28.9",
                "nvidia-ml-py": "13.0.0", "torch": "2.11.0", "fairlearn": "0.15.0"}
    text = colab_check.render_list(FREEZE, resolved, "backend-info, pip-freeze.txt", "2026-08-19")
    parsed = colab_check.parse_list(text)
    assert parsed.pins == {"imageio": "2.37.4", "numpy": "2.1.3", "nvidia-ml-py": "13.0.0",
                           "torch": "2.11.0"}  # fairlearn: not on Colab; nccl: CUDA stand-in
    assert parsed.spelled["imageio"] == "ImageIO" and "ImageIO==2.37.4" in parsed.requirements()
    assert (parsed.source, parsed.date) == ("backend-info, pip-freeze.txt", "2026-08-19")
    assert colab_check.cpu_builds(FREEZE) == {"torch": "2.11.0", "torchvision": "0.26.0"}
    assert colab_check.read_freeze(FREEZE)["imageio"] == ("ImageIO", "2.37.4")


@pytest.mark.parametrize(("text", "error"), [
    ("# source: x\nnumpy==2.1.3\n", "no '# date:'"),
    ("# date: 2026-08-19\nnumpy==2.1.3\n", "no '# source:'"),
    ("# source: x\n# date: 19 Aug 2026\nnumpy==2.1.3\n", "YYYY-MM-DD"),
    ("# source: x\n# date: 2026-08-19\nnumpy>=2.1\n", "line 3: expected name==version"),
    ("# source: x\n# date: 2026-08-19\nnumpy==2.1.3\nNumPy==2.1.4\n", "line 4: NumPy is listed"),
    ("# source: x\n# date: 2026-08-19\n", "pins no package"),
])
def test_parse_list_rejects_a_bad_list_saying_where(text, error):
    with pytest.raises(ValueError, match=error):
        colab_check.parse_list(text)


def test_closure_adds_what_a_free_pick_of_colab_missing_packages_pulls_in(monkeypatch):
    colab = {"psutil": "5.9.5", "httpx": "0.28.1", "numpy": "2.1.3", "jax": "0.7.0"}
    calls = []

    def fake_resolve(python, roots, constraints):
        calls.append(constraints)
        if "jax" in constraints:  # under all of Colab's pins: an old codecarbon
            return {"codecarbon": "2.7.1", "psutil": "5.9.5", "numpy": "2.1.3"}
        if "httpx" not in constraints:  # free to pick httpx: a newer codecarbon wants it
            return {"codecarbon": "2.8.4", "psutil": "5.9.5", "httpx": "0.27.2"}
        return {"codecarbon": "2.7.1", "psutil": "5.9.5", "numpy": "2.1.3"}

    monkeypatch.setattr(colab_check, "resolve", fake_resolve)
    found = colab_check.closure("python", ["codecarbon"], colab)
    assert set(found) == {"psutil", "numpy", "httpx"} and len(calls) == 3


def test_changes_reports_changed_and_removed_watched_packages_only():
    before = {"numpy": "2.1.3", "psutil": "5.9.5", "httpx": "0.28.1", "pip": "24.1.2"}
    after = {"numpy": "2.1.3", "psutil": "7.2.2", "pip": "24.1.2", "fairlearn": "0.15.0"}
    assert colab_check.changes(before, after, {"numpy", "psutil", "httpx"}) == [
        "httpx 0.28.1 -> removed", "psutil 5.9.5 -> 7.2.2"]
    assert colab_check.changes(before, before, before) == []


def test_check_installed_names_what_the_twin_lacks():
    listed = colab_check.ColabList("s", "2026-08-19", {"numpy": "2.1.3", "shap": "0.52.0"},
                                   {"numpy": "numpy", "shap": "shap"})
    assert colab_check.check_installed(listed, {"numpy": "2.1.3", "shap": "0.52.0"}) == []
    assert colab_check.check_installed(listed, {"numpy": "2.4.6"}) == [
        "numpy: listed 2.1.3, installed 2.4.6", "shap: listed 0.52.0, installed nothing"]


def test_find_python_runs_each_candidate_and_checks_its_version():
    want = sys.version_info[:2]
    assert colab_check.find_python(("no-such-python-3.99", sys.executable), want) == sys.executable
    assert colab_check.find_python(("no-such-python-3.99", sys.executable), (2, 0)) is None


def test_stamp_changes_with_the_list_or_the_python():
    a = colab_check.stamp("numpy==2.1.3\n", "3.13.0")
    assert a == colab_check.stamp("numpy==2.1.3\n", "3.13.0")
    assert a != colab_check.stamp("numpy==2.1.4\n", "3.13.0")
    assert a != colab_check.stamp("numpy==2.1.3\n", "3.13.1")


def test_colab_source_points_the_set_up_cell_at_the_local_clone():
    guard = _launch.colab_guard()
    cell = guard + "\nfrom course_lib import setup\n"
    out = colab_check.colab_source(cell, "file:///tmp/gh/kit", "/tmp/content/kit")
    assert "github.com" not in out and _launch.CLONE_DIR not in out
    assert "file:///tmp/gh/kit" in out and "/tmp/content/kit" in out
    assert out.endswith("\nfrom course_lib import setup\n")
    with pytest.raises(ValueError, match="does not start with"):
        colab_check.colab_source("import sys\n", "file:///x", "/y")


def test_the_stub_makes_the_kernel_look_like_colab_to_the_guard_and_setup(tmp_path):
    stub = colab_check.write_colab_stub(tmp_path / "stub")
    code = ("import google.colab, sys\n"
            "from course_lib._setup import where\n"
            "print('google.colab' in sys.modules, where())\n")
    env = {"PYTHONPATH": f"{stub}:{ROOT}", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=tmp_path, check=True)
    assert out.stdout.split() == ["True", "Colab"], out.stderr


def test_bare_remote_serves_this_checkouts_head_at_the_cells_ref(tmp_path):
    url = colab_check.bare_remote(tmp_path)
    assert url.startswith("file://") and not url.endswith(".git")
    ref = getattr(_launch, "REF", getattr(_launch, "BRANCH", "main"))
    subprocess.run(["git", "init", "--quiet", str(tmp_path / "kit")], check=True)
    subprocess.run(["git", "-C", str(tmp_path / "kit"), "fetch", "--quiet", "--depth", "1", url,
                    ref], check=True)
    got = subprocess.run(["git", "-C", str(tmp_path / "kit"), "rev-parse", "FETCH_HEAD"],
                         capture_output=True, text=True, check=True).stdout.strip()
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    assert got == head


def test_problems_and_expects_read_a_run_notebooks_outputs():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# t"),
                nbformat.v4.new_code_cell("print(1)", outputs=[nbformat.v4.new_output(
                    "stream", name="stdout",
                    text="✓ the gap is between 0 and 1, as expected.\n")]),
                nbformat.v4.new_code_cell("warn()", outputs=[nbformat.v4.new_output(
                    "stream", name="stderr", text="UserWarning: careful\n")])]
    assert colab_check.problems(nb) == ["code cell 2 wrote to stderr: UserWarning: careful"]
    assert colab_check.count_expects(nb) == 1
    nb.cells.pop()
    assert colab_check.problems(nb) == []


def test_twin_environ_reads_no_pip_config_and_drops_local_paths():
    base = {"PATH": "/bin", "PIP_FIND_LINKS": "/opt/wheels", "PYTHONPATH": "/x",
            "PIP_DEFAULT_TIMEOUT": "180", "PIP_CONFIG_FILE": "/etc/pip.conf"}
    env = colab_check.twin_environ(base)
    assert env == {"PATH": "/bin", "PIP_DEFAULT_TIMEOUT": "180", "PIP_CONFIG_FILE": os.devnull}
    assert base["PIP_FIND_LINKS"] == "/opt/wheels"  # the caller's copy is left alone


def test_setup_seconds_reads_the_first_code_cells_timing():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("import sys")
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), cell, nbformat.v4.new_code_cell("1")]
    assert math.isnan(colab_check.setup_seconds(nb))  # not run (or did not finish)
    cell.metadata["execution"] = {"iopub.execute_input": "2026-12-03T11:00:00.250000Z",
                                  "shell.execute_reply": "2026-12-03T11:00:12.750000Z"}
    assert colab_check.setup_seconds(nb) == 12.5


def test_versions_lists_what_a_python_has_installed():
    from importlib.metadata import version

    found = colab_check.versions(Path(sys.executable))
    assert found["pytest"] == version("pytest") and found["nbformat"] == version("nbformat")


def test_a_reused_twin_drops_what_set_up_cells_added_and_restores_colabs_versions(
        tmp_path, monkeypatch):
    venv = tmp_path / "twin"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    text = "# source: s\n# date: 2026-08-19\nnumpy==2.1.3\nhttpx==0.28.1\n"
    listed = colab_check.parse_list(text)
    version = subprocess.run([sys.executable, "-c", "import platform; "
                              "print(platform.python_version())"], capture_output=True,
                             text=True, check=True).stdout.strip()
    (venv / colab_check.STAMP_NAME).write_text(colab_check.stamp(text, version) + "\n")
    (venv / "baseline.json").write_text('{"numpy": "2.1.3", "httpx": "0.28.1"}')
    installed = {"numpy": "2.1.3", "httpx": "0.27.2", "codecarbon": "2.7.4"}  # a run's leftovers
    calls = []

    def fake_pip(python, *args):
        calls.append(args[:1] + tuple(a for a in args[1:] if not a.startswith("-")))
        if args[0] == "uninstall":
            for name in args[3:]:
                installed.pop(name)
        else:
            installed.update(listed.pins)

    monkeypatch.setattr(colab_check, "_pip", fake_pip)
    monkeypatch.setattr(colab_check, "versions", lambda python: dict(installed))
    py = colab_check.build_twin(venv, listed, text, sys.executable)
    assert py == venv / "bin" / "python"
    assert calls == [("uninstall", "codecarbon"), ("install", "numpy==2.1.3", "httpx==0.28.1")]
    assert installed == {"numpy": "2.1.3", "httpx": "0.28.1"}


def test_without_python_3_13_the_check_fails_saying_what_to_do(monkeypatch, capsys):
    monkeypatch.delenv("COLAB_PYTHON", raising=False)
    monkeypatch.setattr(colab_check, "find_python", lambda: None)
    assert colab_check.main([]) == 1
    out = capsys.readouterr().out
    assert "no Python 3.13 found" in out and "COLAB_PYTHON=/path/to/python3.13" in out


def test_run_notebooks_then_drives_the_explorers_in_the_twins_kernel_and_counts_a_failure(
        tmp_path, monkeypatch, capsys):
    import explorer_check

    seen = {}

    def fake_check_all(paths, log, km, cwd, setup_source):
        seen.update(paths=paths, km=km, cwd=cwd, cell=setup_source(_launch.colab_guard()))
        log("explorers and progress bar, 04_bias_mitigation.ipynb: FAILED in 1.0 s")
        return 1

    monkeypatch.setattr(colab_check, "run_notebook", lambda *a: colab_check.Result(
        "ok", 1.0, 0.5, 2, ""))
    monkeypatch.setattr(explorer_check, "check_all", fake_check_all)
    paths = [tmp_path / "04_bias_mitigation.ipynb"]
    assert colab_check.run_notebooks(paths, "file:///tmp/gh/kit", tmp_path) == 1
    assert seen["paths"] == paths and seen["cwd"] == tmp_path / "content-explorers"
    assert "file:///tmp/gh/kit" in seen["cell"] and _launch.CLONE_DIR not in seen["cell"]
    spec = seen["km"].get_kernel_spec("python3")
    assert "--IPKernelApp.exec_lines=['import google.colab']" in spec.argv
    assert spec.env["PYTHONPATH"] == str(tmp_path / "colab-stub")
    assert "04_bias_mitigation.ipynb: FAILED" in capsys.readouterr().out


def test_the_twin_never_replaces_a_folder_that_is_not_a_twin(tmp_path):
    for wrong in (colab_check.ROOT, colab_check.ROOT.parent, Path.home()):
        with pytest.raises(SystemExit, match="not a virtual environment it may replace"):
            colab_check.check_replaceable(wrong)
    project = tmp_path / "project"
    (project / "notes").mkdir(parents=True)
    with pytest.raises(SystemExit, match="not a virtual environment"):
        colab_check.check_replaceable(project)
    assert project.exists()
    colab_check.check_replaceable(tmp_path / "new")  # absent: fine
    (tmp_path / "empty").mkdir()
    colab_check.check_replaceable(tmp_path / "empty")
    twin = tmp_path / "twin"
    twin.mkdir()
    (twin / "pyvenv.cfg").write_text("home = /usr/bin\n")
    colab_check.check_replaceable(twin)


def test_an_empty_colab_venv_means_the_default(monkeypatch):
    monkeypatch.setenv("COLAB_VENV", "")
    assert colab_check.default_venv() == colab_check.VENV
    monkeypatch.setenv("COLAB_VENV", "/somewhere/twin")
    assert colab_check.default_venv() == Path("/somewhere/twin")
    monkeypatch.delenv("COLAB_VENV")
    assert colab_check.default_venv() == colab_check.VENV
