"""Synthetic data with one explicit knob per bias source, and stand-in images and texts.

Where no real data with group labels exists offline (faces, X-rays, résumés), the course generates
stand-ins here, and the notebooks say so. Every generator takes ``random_state``.

Public functions live in private modules (``_MODULES``: ``_tabular``, ``_feedback``, ``_images``,
``_text``, ..., and ``_explore``, the explorer of make_hiring's knobs) and are re-exported here on
first access, so importing ``course_lib.synth`` stays cheap.
"""

from __future__ import annotations

import importlib

_MODULES = ("_tabular", "_feedback", "_images", "_text", "_digits", "_lending", "_sequences",
            "_explore")


def __getattr__(name: str):
    """Find a public name in the private modules (they import numpy/torch only when used)."""
    if not name.startswith("_"):
        for mod in _MODULES:
            try:
                module = importlib.import_module(f"course_lib.synth.{mod}")
            except ModuleNotFoundError as exc:
                if exc.name == f"course_lib.synth.{mod}":
                    continue
                raise
            if name in getattr(module, "__all__", ()):
                return getattr(module, name)
    raise AttributeError(f"module 'course_lib.synth' has no attribute {name!r}")
