"""Privacy attacks and defences, each attack measured and each defence measured against it.

Canaries and exposure, membership inference, model inversion, DP-SGD written out and its
accounting (checked against Opacus), federated averaging and k-anonymity. Public functions live in
private modules and are re-exported here on first access."""

from __future__ import annotations

import importlib

_MODULES = ("_accounting", "_dpsgd", "_canaries", "_membership", "_inversion", "_federated",
            "_anonymity", "_explore")


def __getattr__(name: str):
    """Find a public name in the private modules (they import torch, shap, ... only when used)."""
    if not name.startswith("_"):
        for mod in _MODULES:
            try:
                module = importlib.import_module(f"course_lib.privacy.{mod}")
            except ModuleNotFoundError as exc:
                if exc.name == f"course_lib.privacy.{mod}":
                    continue
                raise
            if name in getattr(module, "__all__", ()):
                return getattr(module, name)
    raise AttributeError(f"module 'course_lib.privacy' has no attribute {name!r}")


def __dir__() -> list[str]:
    names = []
    for mod in _MODULES:
        try:
            names += getattr(importlib.import_module(f"course_lib.privacy.{mod}"), "__all__", [])
        except ModuleNotFoundError:
            continue
    return sorted(names)
