"""The locks resolve to wheels that exist on every platform x Python the course supports.

Needs the package index, so `make test` (offline) skips it; `make platforms` runs it, and .ci/run
calls that. Each case is a resolver dry run by uv against the index for the target platform and
Python (``uv pip compile --python-platform P --python-version V --only-binary :all:``): it
fails, naming the package, when a pinned version has no wheel there. lime is an sdist only
(pure Python, built on install), so it alone may come as source.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UV = Path(sys.executable).with_name("uv")
NETWORK = os.environ.get("COURSE_NETWORK_TESTS") == "1"
SOURCE_ONLY = ("lime",)
# uv's target triples; torch 2.14 publishes macOS wheels for macOS 14 and later only.
PLATFORMS = {
    "linux-x86_64": ("x86_64-manylinux_2_28", {}),
    "linux-aarch64": ("aarch64-manylinux_2_28", {}),
    "macos-arm64": ("aarch64-apple-darwin", {"MACOSX_DEPLOYMENT_TARGET": "14.0"}),
    "windows-x86_64": ("x86_64-pc-windows-msvc", {}),
}
PYTHONS = ("3.11", "3.12", "3.13")

pytestmark = pytest.mark.skipif(not NETWORK, reason="needs the package index: run `make platforms`")


def dry_run(lock: Path, platform: str, python: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """uv's resolution of ``lock`` for one platform and Python, wheels only (but SOURCE_ONLY)."""
    triple, env = PLATFORMS[platform]
    args = [str(UV), "pip", "compile", str(lock), "--python-platform", triple,
            "--python-version", python, "--only-binary", ":all:", "--no-deps", "--no-header",
            "--quiet", "--output-file", str(tmp_path / "resolved.txt")]
    for name in SOURCE_ONLY:
        args += ["--no-binary", name]
    # run outside the repository, so no pyproject.toml there adds settings of its own
    return subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, timeout=600,
                          env={**os.environ, **env})


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("platform", sorted(PLATFORMS))
@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_the_lock_resolves_to_wheels(lock, platform, python, tmp_path):
    out = dry_run(ROOT / lock, platform, python, tmp_path)
    assert out.returncode == 0, f"{lock} on {platform} Python {python}:\n{out.stderr}"
    resolved = (tmp_path / "resolved.txt").read_text()
    assert "torch==2." in resolved and "numpy==" in resolved


def test_a_pin_without_a_wheel_fails_and_is_named(tmp_path):
    bad = tmp_path / "bad.lock"
    bad.write_text("numpy==1.26.4\n")  # no wheel for Python 3.13 anywhere
    out = dry_run(bad, "linux-x86_64", "3.13", tmp_path)
    assert out.returncode != 0 and "numpy" in out.stderr


def test_the_locks_are_what_uv_writes_from_requirements_pyproject():
    out = subprocess.run([sys.executable, str(ROOT / "tests" / "tools" / "lock.py"), "--check"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
