"""course_lib: the small, tested library behind the Responsible Deep Learning notebooks.

Importing it is cheap: heavy libraries (torch, pandas, shap, ...) load only inside the functions
that use them, and topic modules (``course_lib.data``, ``course_lib.fairness``, ...) load on
first access.
"""

from __future__ import annotations

import importlib
import os

# codecarbon prints timestamped log lines unless this is set before it is imported.
os.environ.setdefault("CODECARBON_LOG_LEVEL", "error")

from course_lib import _warnings  # noqa: E402
from course_lib._expect import ExpectationError, expect  # noqa: E402
from course_lib._setup import Environment, device, setup  # noqa: E402

_warnings.install()

__version__ = "0.1.0"

_SUBMODULES = (
    "data",
    "synth",
    "models",
    "fairness",
    "mitigation",
    "explain",
    "privacy",
    "energy",
    "reporting",
    "exercises",
    "plotting",
    "syllabus",
)

__all__ = ["Environment", "ExpectationError", "device", "expect", "setup", *_SUBMODULES]


def __getattr__(name: str):
    """Load a topic module on first access (``course_lib.data`` imports pandas only then)."""
    if name in _SUBMODULES:
        try:
            return importlib.import_module(f"course_lib.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"course_lib.{name}":
                raise AttributeError(
                    f"course_lib.{name} is not part of this version of the course yet"
                ) from None
            raise
    raise AttributeError(f"module 'course_lib' has no attribute {name!r}")
