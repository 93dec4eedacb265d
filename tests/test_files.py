"""course_lib/_files.py: the one rule for where the repository's run-time folders are, and the
wheel configuration (pyproject.toml) that makes it hold for an installed copy."""

import tomllib
from pathlib import Path

import pytest

from course_lib import _files, syllabus

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def test_a_checkout_reads_its_own_top_level_folders():
    for name in _files.PACKAGED:
        assert _files.repo_folder(name) == ROOT / name
        assert (ROOT / name).is_dir()


def test_an_installed_wheel_reads_its_copy_inside_the_package_not_a_sibling(tmp_path):
    # site-packages/datasets is an unrelated package (Colab has Hugging Face `datasets`)
    package = tmp_path / "site-packages" / "course_lib"
    (package / "_datasets").mkdir(parents=True)
    (tmp_path / "site-packages" / "datasets").mkdir()
    assert _files.repo_folder("datasets", package) == package / "_datasets"
    # no copy inside, as in a checkout: the sibling folder, whether or not it exists
    assert _files.repo_folder("benchmarks", package) == tmp_path / "site-packages" / "benchmarks"


def test_the_working_folder_plays_no_part(tmp_path, monkeypatch):
    (tmp_path / "datasets").mkdir()
    monkeypatch.chdir(tmp_path)
    assert _files.repo_folder("datasets") == ROOT / "datasets"
    elsewhere = tmp_path / "pkg" / "course_lib"
    elsewhere.mkdir(parents=True)
    assert _files.repo_folder("datasets", elsewhere) == tmp_path / "pkg" / "datasets"


def test_unknown_folder_is_named():
    with pytest.raises(ValueError, match="name must be one of"):
        _files.repo_folder("tests")


def test_the_wheel_maps_each_packaged_folder_to_its_top_level_folder():
    mapping = SETUPTOOLS["package-dir"]
    assert mapping == {f"course_lib.{inside}": name for name, inside in _files.PACKAGED.items()}


def _folders(top: Path) -> list[Path]:
    """``top`` and its subfolders, without caches (``__pycache__``, ``.ipynb_checkpoints``)."""
    return [top, *(d for d in sorted(top.rglob("*")) if d.is_dir() and not any(
        part.startswith((".", "__")) for part in d.relative_to(top).parts))]


def test_the_wheel_lists_every_package_and_data_folder():
    """packages is explicit (package-dir needs it): a new subpackage or dataset must be added."""
    code = {".".join(p.parent.relative_to(ROOT).parts)
            for p in (ROOT / "course_lib").rglob("__init__.py")}
    data = {".".join(("course_lib", inside, *d.relative_to(ROOT / name).parts))
            for name, inside in _files.PACKAGED.items() for d in _folders(ROOT / name)}
    assert sorted(SETUPTOOLS["packages"]) == sorted(code | data)


def test_package_data_covers_every_file_course_lib_reads():
    from course_lib.data import REGISTRY

    patterns = SETUPTOOLS["package-data"]
    datasets = patterns["course_lib._datasets"]
    for name, dataset in REGISTRY.items():
        for filename in [*dataset.files, "DATASHEET.md", "LICENSE", "SHA256SUMS"]:
            assert any(Path(f"{name}/{filename}").match(p) for p in datasets), filename
    assert patterns["course_lib._benchmarks"] == ["footprint.csv"]
    notebooks = patterns["course_lib._notebooks"]
    assert all(any(Path(e.filename).match(p) for p in notebooks)
               for e in syllabus.load())
