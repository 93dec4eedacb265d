"""Explanations written out for teaching, each checked against the field's library in tests.

Gradient methods (saliency, integrated gradients), Grad-CAM, feature visualisation, sanity checks
and adversarial examples for vision; LIME, exact Shapley values, reason codes, counterfactuals and
attention maps for tabular data and text. Public functions live in private modules and are
re-exported here on first access, so importing ``course_lib.explain`` stays cheap.
"""

from __future__ import annotations

import importlib

_MODULES = ("_gradients", "_gradcam", "_featvis", "_sanity", "_adversarial", "_explore_vision",
            "_lime", "_shapley", "_reasons", "_attention", "_explore_tabular")


def __getattr__(name: str):
    """Find a public name in the private modules (they import torch, shap, ... only when used)."""
    if not name.startswith("_"):
        for mod in _MODULES:
            try:
                module = importlib.import_module(f"course_lib.explain.{mod}")
            except ModuleNotFoundError as exc:
                if exc.name == f"course_lib.explain.{mod}":
                    continue
                raise
            if name in getattr(module, "__all__", ()):
                return getattr(module, name)
    raise AttributeError(f"module 'course_lib.explain' has no attribute {name!r}")


def __dir__() -> list[str]:
    names = []
    for mod in _MODULES:
        try:
            names += getattr(importlib.import_module(f"course_lib.explain.{mod}"), "__all__", [])
        except ModuleNotFoundError:
            continue
    return sorted(names)
