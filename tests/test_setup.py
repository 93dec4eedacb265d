import os
import random
import subprocess
import sys

import numpy as np
import pytest
import torch

import course_lib
from course_lib import _lock, _setup, plotting, setup


def _draws():
    return random.random(), float(np.random.rand()), float(torch.rand(1))


def test_setup_seeds_python_numpy_and_torch():
    setup(seed=3, verbose=False)
    first = _draws()
    setup(seed=3, verbose=False)
    assert _draws() == first
    setup(seed=4, verbose=False)
    assert _draws() != first


def test_threads_come_from_course_threads(monkeypatch):
    monkeypatch.setenv("COURSE_THREADS", "1")
    assert setup(verbose=False).threads == 1
    assert torch.get_num_threads() == 1
    monkeypatch.setenv("COURSE_THREADS", "3")  # explicit: honoured even above the 2 cores here
    assert setup(verbose=False).threads == 3
    assert torch.get_num_threads() == 3
    monkeypatch.delenv("COURSE_THREADS")
    assert setup(verbose=False).threads == 1  # the course default: one thread for small models
    assert torch.get_num_threads() == 1


def test_default_threads_is_one_and_never_more_than_the_cpus(monkeypatch):
    assert _setup.SMALL_MODEL_THREADS == 1
    assert _setup.default_threads(1) == 1
    assert _setup.default_threads(64) == _setup.SMALL_MODEL_THREADS
    monkeypatch.setattr(_setup, "SMALL_MODEL_THREADS", 4)  # were a measurement to raise it
    assert _setup.default_threads(2) == 2
    assert _setup.default_threads(8) == 4
    monkeypatch.setattr(_setup, "available_cpus", lambda: 3)
    assert _setup.default_threads() == 3
    monkeypatch.delenv("COURSE_THREADS", raising=False)
    assert _setup.threads_from_env() == 3


def _cgroup(tmp_path, v2=None, quota=None, period=None):
    """Paths for available_cpus: cgroup files holding the given text (None: no such file)."""
    paths = {"cpu_max": tmp_path / "cpu.max", "cfs_quota": tmp_path / "cpu.cfs_quota_us",
             "cfs_period": tmp_path / "cpu.cfs_period_us"}
    for key, text in (("cpu_max", v2), ("cfs_quota", quota), ("cfs_period", period)):
        if text is not None:
            paths[key].write_text(text + "\n")
    return paths


@pytest.mark.parametrize("files, affinity, cpus", [
    ({"v2": "150000 100000"}, 8, 1),  # 1.5 CPUs: floor
    ({"v2": "50000 100000"}, 8, 1),  # half a CPU: still one
    ({"v2": "400000 100000"}, 8, 4),
    ({"v2": "400000 100000"}, 2, 2),  # the affinity is tighter than the quota
    ({"v2": "max 100000"}, 8, 8),  # no limit
    ({"quota": "150000", "period": "100000"}, 8, 1),  # cgroup v1
    ({"quota": "300000", "period": "100000"}, 8, 3),
    ({"quota": "-1", "period": "100000"}, 8, 8),  # v1's no limit
    ({"quota": "200000"}, 8, 8),  # a quota without its period says nothing
    ({"v2": "garbage"}, 8, 8),
    ({"v2": "lots 100000"}, 8, 8),
    ({"v2": "100000 0"}, 8, 8),
    ({}, 8, 8),  # no cgroup files (macOS, Windows, no container)
    ({}, 1, 1),  # pinned to one CPU (taskset -c 0)
    ({"v2": "max 100000"}, 1, 1),
])
def test_available_cpus(tmp_path, files, affinity, cpus):
    assert _setup.available_cpus(affinity=affinity, **_cgroup(tmp_path, **files)) == cpus


def test_available_cpus_default_affinity(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3}, raising=False)
    assert _setup.affinity_cpus() == 1
    assert _setup.available_cpus(**_cgroup(tmp_path, v2="max 100000")) == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert _setup.available_cpus(**_cgroup(tmp_path, v2="250000 100000")) == 2
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)  # as on macOS and Windows
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert _setup.affinity_cpus() == 6
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # "cannot tell"
    assert _setup.affinity_cpus() == 1


def test_available_cpus_here_is_within_the_machine():
    assert 1 <= _setup.available_cpus() <= (os.cpu_count() or 1)


@pytest.mark.parametrize("quota, period, cpus", [("150000", "100000", 1), ("100000", "100000", 1),
                                                 ("250000", "100000", 2), ("max", "100000", None),
                                                 ("-1", "100000", None), ("0", "100000", None),
                                                 ("1.5", "1", None)])
def test_quota_cpus(quota, period, cpus):
    assert _setup.quota_cpus(quota, period) == cpus


@pytest.mark.parametrize("raw", ["0", "-2", "two", "1.5"])
def test_bad_course_threads_is_a_clear_error(monkeypatch, raw):
    monkeypatch.setenv("COURSE_THREADS", raw)
    with pytest.raises(ValueError, match="COURSE_THREADS must be a whole number"):
        setup(verbose=False)


@pytest.mark.parametrize("seed, exc", [(-1, ValueError), (2**32, ValueError), (1.0, TypeError),
                                       ("0", TypeError), (True, TypeError)])
def test_bad_seed(seed, exc):
    with pytest.raises(exc, match="seed"):
        setup(seed=seed, verbose=False)


def test_prints_one_line_and_matches_the_lock(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_THREADS", "1")
    env = setup()
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert out.startswith("course_lib ready: local · CPU · 1 torch thread · seed 0")
    # make test runs in .venv built from requirements.lock: anything else is a set-up bug
    assert env.mismatches == (), env.summary()
    assert out.rstrip().endswith("packages match the course lock")


def test_summary_names_the_fix_for_mismatches():
    found = (_lock.Mismatch("numpy", "2.4.6", "2.3.0"), _lock.Mismatch("fairlearn", "0.15.0", None))
    line = _setup.Environment("local", "CPU", 2, 0, found).summary()
    assert "numpy 2.3.0 (lock 2.4.6)" in line and "fairlearn missing (lock 0.15.0)" in line
    assert '%pip install "numpy==2.4.6" "fairlearn==0.15.0"' in line
    assert "\n" not in line


@pytest.mark.parametrize("var, place", [("BINDER_REQUEST", "Binder"),
                                        ("COLAB_RELEASE_TAG", "Colab")])
def test_where(monkeypatch, var, place):
    assert _setup.where() == "local"
    monkeypatch.setenv(var, "x")
    assert _setup.where() == place


def test_setup_applies_the_plot_style():
    import matplotlib as mpl

    setup(verbose=False)
    assert mpl.rcParams["figure.dpi"] == 80
    assert [c.upper() for c in mpl.rcParams["axes.prop_cycle"].by_key()["color"]] == \
        [c.upper() for c in plotting.COLORS]


def test_codecarbon_is_told_to_be_quiet_before_it_is_imported():
    assert os.environ["CODECARBON_LOG_LEVEL"] == "error"


def test_importing_course_lib_is_cheap():
    code = ("import sys, course_lib; heavy = [m for m in ('torch', 'pandas', 'matplotlib', "
            "'sklearn', 'shap', 'numpy') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_topic_module_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(course_lib, "_SUBMODULES", (*course_lib._SUBMODULES, "notyet"))
    with pytest.raises(AttributeError, match="not part of this version"):
        course_lib.notyet  # noqa: B018 - a topic whose module has not landed
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        course_lib.nonsense  # noqa: B018


def test_every_topic_module_that_exists_loads_lazily():
    import importlib.util

    for name in course_lib._SUBMODULES:
        if importlib.util.find_spec(f"course_lib.{name}") is not None:
            assert getattr(course_lib, name).__name__ == f"course_lib.{name}"


def test_the_course_runs_on_the_cpu_without_a_gpu():
    assert course_lib.device() == torch.device("cpu")
    if not torch.cuda.is_available():
        assert _setup.gpu_name() is None
        assert _setup.device_label(None) == "CPU"  # the line the committed notebooks show


def _fake_gpu(monkeypatch, name="NVIDIA A100-SXM4-40GB"):
    """torch as on a machine with one CUDA GPU (this one has none)."""
    def get_device_name(index=0):
        if isinstance(name, Exception):
            raise name
        return name

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "get_device_name", get_device_name)


def test_a_gpu_is_reported_and_left_unused(monkeypatch, capsys):
    _fake_gpu(monkeypatch)
    monkeypatch.setenv("COURSE_THREADS", "1")
    env = setup()
    assert env.device == ("CPU (CUDA GPU NVIDIA A100-SXM4-40GB found; the course's small models "
                          "run on the CPU)")
    assert capsys.readouterr().out.startswith(
        "course_lib ready: local · CPU (CUDA GPU NVIDIA A100-SXM4-40GB found; the course's small "
        "models run on the CPU) · 1 torch thread · seed 0 ·")
    assert course_lib.device() == torch.device("cpu")


def test_with_a_gpu_course_models_train_and_predict_on_the_cpu(monkeypatch):
    from course_lib import models

    _fake_gpu(monkeypatch)
    setup(verbose=False, threads=1)
    dev = course_lib.device()
    # undo the fake before training: torch's optimizer itself queries a CUDA device it reports
    monkeypatch.undo()
    x = torch.randn(64, 4, generator=torch.Generator().manual_seed(0))
    y = (x[:, 0] > 0).long()
    model = models.fit_mlp(x, y, epochs=2)
    assert {p.device for p in model.parameters()} == {dev} == {torch.device("cpu")}
    assert models.predict_proba(model, x).shape == (64, 2)


def test_a_gpu_that_cannot_be_queried_is_still_reported(monkeypatch):
    _fake_gpu(monkeypatch, RuntimeError("CUDA driver initialization failed"))
    assert _setup.gpu_name() == "(name unavailable)"
    env = setup(verbose=False, threads=1)
    assert env.device.startswith("CPU (CUDA GPU (name unavailable) found")
