"""Where course_lib finds the repository's folders it reads at run time, by one rule.

``datasets/``, ``benchmarks/`` (its footprint.csv) and ``notebooks/`` sit at the repository's top
level. A checkout (the repository itself, or an editable install of it: ``make venv``) has them
beside the package, at ``course_lib/../<folder>``. A wheel (``pip install <clone>``, as the Colab
set-up cell does, or ``pip install git+<url>``) carries them inside the package, at
``course_lib/_<folder>`` (pyproject.toml's ``[tool.setuptools]`` package-dir mapping). The working
folder is never searched: where a notebook runs does not change which files it reads.
"""

from __future__ import annotations

from pathlib import Path

#: Each top-level folder course_lib reads, and its name inside an installed wheel.
PACKAGED = {"datasets": "_datasets", "benchmarks": "_benchmarks", "notebooks": "_notebooks"}


def repo_folder(name: str, package: Path | None = None) -> Path:
    """Folder ``name``: ``<package>/_<name>`` (a wheel) if it exists, else ``<package>/../<name>``.

    ``package`` is course_lib's folder (default: this one). The path returned may not exist.
    """
    if name not in PACKAGED:
        raise ValueError(f"name must be one of {sorted(PACKAGED)}, got {name!r}")
    package = Path(__file__).resolve().parent if package is None else Path(package)
    inside = package / PACKAGED[name]
    return inside if inside.is_dir() else package.parent / name
