"""Reading requirements.lock, the course's runtime lock, and comparing it with what is installed.

The lock is generated (``make lock``, by uv, for several platforms and Pythons): a line is
``name==version ; marker \\`` followed by ``--hash`` lines, and a pin applies only where its
environment marker holds (``sys_platform == 'win32'`` and so on).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

LOCK_NAME = "requirements.lock"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#\\]+)\s*(?:;([^#\\]*))?")


def is_cuda_only(name: str) -> bool:
    """True for the CUDA runtime packages that only the CUDA build of torch pulls in."""
    n = normalize(name)
    nvidia_runtime = n.startswith("nvidia-") and n != "nvidia-ml-py"  # codecarbon needs ml-py
    return n == "triton" or n.startswith("cuda-") or nvidia_runtime


def normalize(name: str) -> str:
    """PEP 503 normalised distribution name (``Scikit_Learn`` -> ``scikit-learn``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def public_version(version: str) -> str:
    """The version without its local label (``2.14.1+cpu`` -> ``2.14.1``)."""
    return version.split("+", 1)[0]


def _applies(marker: str | None, environment: dict[str, str] | None) -> bool:
    """True when a pin's environment marker holds here (or in ``environment``), or it has none."""
    if not marker or not marker.strip():
        return True
    try:
        from packaging.markers import Marker
    except ImportError:  # pragma: no cover - matplotlib needs packaging; pip vendors a copy
        from pip._vendor.packaging.markers import Marker
    return Marker(marker.strip()).evaluate(environment)


def read_pins(text: str, environment: dict[str, str] | None = None) -> dict[str, str]:
    """Map normalised name -> exact version for every ``name==version`` line that applies here.

    ``environment`` overrides marker variables (``{"sys_platform": "win32", ...}``) to read the
    pins of another platform or Python; by default the running interpreter's.
    """
    pins: dict[str, str] = {}
    for line in text.splitlines():
        m = _PIN.match(line.strip())
        if m and _applies(m.group(3), environment):
            pins[normalize(m.group(1))] = m.group(2)
    return pins


def find_lock() -> Path | None:
    """The checkout's requirements.lock beside the package (``make`` installs it editable), or None.

    An installed copy (Colab's ``pip install <clone>``) has no lock beside it and needs none: the
    working folder is never searched, so a lock there cannot be mistaken for this course's.
    """
    here = Path(__file__).resolve().parents[1] / LOCK_NAME
    return here if here.is_file() else None


@dataclass(frozen=True)
class Mismatch:
    """An installed distribution whose version differs from the lock (installed None: missing)."""

    name: str
    locked: str
    installed: str | None

    def describe(self) -> str:
        """``numpy 2.3.0 (lock 2.4.6)`` or ``fairlearn missing (lock 0.15.0)``."""
        have = self.installed if self.installed is not None else "missing"
        return f"{self.name} {have} (lock {self.locked})"


def mismatches(pins: dict[str, str], *, skip_cuda: bool = True) -> list[Mismatch]:
    """Every pinned distribution whose installed public version differs, in the lock's order."""
    out = []
    for name, locked in pins.items():
        if skip_cuda and is_cuda_only(name):
            continue  # CPU-only torch builds (Binder) do not have them, and need not
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            have = None
        if have is None or public_version(have) != public_version(locked):
            out.append(Mismatch(name, locked, have))
    return out


def fix_command(found: list[Mismatch]) -> str:
    """The notebook command that installs the locked versions of ``found``."""
    return "%pip install " + " ".join(f'"{m.name}=={m.locked}"' for m in found)
