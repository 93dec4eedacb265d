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
    monkeypatch.delenv("COURSE_THREADS")
    assert setup(verbose=False).threads == 2  # the course default


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


def test_device_is_cpu_without_cuda():
    assert course_lib.device().type == ("cuda" if torch.cuda.is_available() else "cpu")
