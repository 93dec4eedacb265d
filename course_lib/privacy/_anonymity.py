"""Anonymisation: k-anonymity, generalisation, and the linkage attack it is meant to stop.

Removing names is not anonymisation: a released table still carries quasi-identifiers (ZIP code,
sex, birth date) that another table (a voter roll) links to names; from 1990 census data,
Sweeney (2000) estimated that 87% of the US population was likely unique on (5-digit ZIP, sex,
full birth date), and Golle (2006) 63% from the 2000 census. A table is k-anonymous over its
quasi-identifiers when every combination of their values is shared by at least k rows (Sweeney
2002); generalising values (ZIP 02139 → 021**, a birth date → its year) makes the groups larger
until k is reached, at a cost in detail. k-anonymity does not protect a group whose k rows share
one sensitive value (homogeneity); distinct l-diversity (Machanavajjhala et al. 2007), the
weakest of its forms, asks for at least l different values per group.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence

import numpy as np
import pandas as pd

from course_lib._validate import check_int, rng_streams

__all__ = ["equivalence_class_sizes", "k_anonymity", "uniqueness", "generalize_zip",
           "generalize_age", "generalize_date", "population_hierarchies", "apply_generalization",
           "generalize_to_k", "make_population", "linkage_attack"]

Hierarchy = Sequence[Callable[[pd.Series], pd.Series]]


def _check_df(df: object, cols: Sequence[str], name: str = "df",
              cols_name: str = "quasi_identifiers") -> list[str]:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
    if (isinstance(cols, str) or not isinstance(cols, Sequence) or len(cols) == 0
            or not all(isinstance(c, Hashable) for c in cols)):
        raise TypeError(f"{cols_name} must be a non-empty list of column names")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{cols_name} not in {name}'s columns: {missing}")
    return list(cols)


def equivalence_class_sizes(df: pd.DataFrame, quasi_identifiers: Sequence[str]) -> pd.Series:
    """For each row, how many rows share its quasi-identifier values (its class size)."""
    cols = _check_df(df, quasi_identifiers)
    sizes = df.groupby(cols, dropna=False, sort=False, observed=True)[cols[0]].transform("size")
    return sizes.astype(np.int64).rename("class_size")


def k_anonymity(df: pd.DataFrame, quasi_identifiers: Sequence[str]) -> int:
    """k = the smallest equivalence class: min over QI value combinations of their row count."""
    if isinstance(df, pd.DataFrame) and len(df) == 0:
        raise ValueError("df is empty: k-anonymity is undefined")
    return int(equivalence_class_sizes(df, quasi_identifiers).min())


def uniqueness(df: pd.DataFrame, quasi_identifiers: Sequence[str]) -> float:
    """The fraction of rows whose QI combination no other row shares (class size 1)."""
    if isinstance(df, pd.DataFrame) and len(df) == 0:
        raise ValueError("df is empty: uniqueness is undefined")
    return float((equivalence_class_sizes(df, quasi_identifiers) == 1).mean())


def generalize_zip(zips: pd.Series, digits: int) -> pd.Series:
    """Keep the first ``digits`` characters of each ZIP code and star the rest (02139 → 021**)."""
    d = check_int(digits, "digits", 0)
    s = pd.Series(zips).astype(str)
    return s.str[:d] + s.str[d:].str.replace(r".", "*", regex=True)


def generalize_age(ages: pd.Series, width: int) -> pd.Series:
    """Age bands of ``width`` years as strings: 37 → "30-39" for width 10."""
    w = check_int(width, "width", 1)
    a = pd.Series(ages)
    if a.dtype.kind not in "iuf" or a.isna().any():
        raise TypeError("ages must be numbers without missing values")
    if not np.isfinite(a.to_numpy(dtype=float)).all():
        raise ValueError("ages contains infinite values")
    lo = (a // w * w).astype(int)
    return lo.astype(str) + "-" + (lo + w - 1).astype(str)


def generalize_date(dates: pd.Series, level: str) -> pd.Series:
    """A date as its "month" (1987-05), "year" (1987) or "decade" (1980s), as strings."""
    d = pd.to_datetime(pd.Series(dates))
    if level == "month":
        return d.dt.strftime("%Y-%m")
    if level == "year":
        return d.dt.year.astype(str)
    if level == "decade":
        return (d.dt.year // 10 * 10).astype(str) + "s"
    raise ValueError(f"level must be 'month', 'year' or 'decade', got {level!r}")


def _suppress(s: pd.Series) -> pd.Series:
    return pd.Series("*", index=s.index)


def population_hierarchies() -> dict[str, list[Callable[[pd.Series], pd.Series]]]:
    """Generalisation levels for ``make_population``'s QIs (level 0 = as is, last = "*")."""
    def keep(s: pd.Series) -> pd.Series:
        return s.astype(str)

    return {
        "zip": [keep] + [lambda s, d=d: generalize_zip(s, d) for d in (4, 3, 2)] + [_suppress],
        "sex": [keep, _suppress],
        "birth_date": [keep, lambda s: generalize_date(s, "month"),
                       lambda s: generalize_date(s, "year"),
                       lambda s: generalize_date(s, "decade"), _suppress],
    }


def _check_hierarchies(hierarchies: object) -> Mapping[str, Hierarchy]:
    """A dict {column: non-empty list of functions Series -> Series}, level 0 first."""
    if not isinstance(hierarchies, Mapping):
        raise TypeError(f"hierarchies must be a dict {{column: list of functions}}, got "
                        f"{type(hierarchies).__name__}")
    for col, steps in hierarchies.items():
        if isinstance(steps, str) or not isinstance(steps, Sequence):
            raise TypeError(f"hierarchies[{col!r}] must be a list of functions (Series -> "
                            f"Series, level 0 first), got {type(steps).__name__}")
        if len(steps) == 0:
            raise ValueError(f"hierarchies[{col!r}] has no levels")
        for i, fn in enumerate(steps):
            if not callable(fn):
                raise TypeError(f"hierarchies[{col!r}][{i}] must be a function (Series -> "
                                f"Series), got {type(fn).__name__}")
    return hierarchies


def apply_generalization(df: pd.DataFrame, hierarchies: dict[str, Hierarchy],
                         levels: dict[str, int]) -> pd.DataFrame:
    """A copy of ``df`` with each column in ``levels`` replaced by its hierarchy's level."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    _check_hierarchies(hierarchies)
    if not isinstance(levels, Mapping):
        raise TypeError(f"levels must be a dict {{column: level}}, got {type(levels).__name__}")
    checked = {}
    for col, level in levels.items():
        if col not in df.columns:
            raise ValueError(f"levels names {col!r}, which is not a column of df")
        if col not in hierarchies:
            raise ValueError(f"levels names {col!r}, which hierarchies has no levels for")
        lv = check_int(level, f"levels[{col!r}]", 0)
        if lv >= len(hierarchies[col]):
            raise ValueError(f"levels[{col!r}] must be < {len(hierarchies[col])}, got {lv}")
        checked[col] = lv
    out = df.copy()
    for col, lv in checked.items():
        out[col] = hierarchies[col][lv](df[col])
    return out


def generalize_to_k(df: pd.DataFrame, quasi_identifiers: Sequence[str], k: int,
                    hierarchies: dict[str, Hierarchy]) -> tuple[pd.DataFrame, dict[str, int]]:
    """Generalise until k-anonymous, Datafly-style (Sweeney 2002), without suppression.

    While some equivalence class has fewer than k rows, raise by one level the QI that has the
    most distinct values (ties: the first in ``quasi_identifiers``) among those not yet fully
    generalised. Returns the generalised copy and the levels used; a ValueError if full
    generalisation cannot reach k.
    """
    cols = _check_df(df, quasi_identifiers)
    target = check_int(k, "k", 1)
    if target > len(df):
        raise ValueError(f"k ({target}) cannot exceed the number of rows ({len(df)})")
    _check_hierarchies(hierarchies)
    missing = [c for c in cols if c not in hierarchies]
    if missing:
        raise ValueError(f"hierarchies has no levels for quasi_identifiers {missing}")
    levels = dict.fromkeys(cols, 0)
    current = apply_generalization(df, hierarchies, levels)
    while k_anonymity(current, cols) < target:
        open_cols = [c for c in cols if levels[c] + 1 < len(hierarchies[c])]
        if not open_cols:
            raise ValueError(f"cannot reach k={target}: every quasi-identifier is fully "
                             f"generalised (add levels or suppress rows)")
        col = max(open_cols, key=lambda c: (current[c].nunique(dropna=False), -cols.index(c)))
        levels[col] += 1
        current[col] = hierarchies[col][levels[col]](df[col])
    return current, levels


def make_population(n: int, *, n_zips: int = 20, random_state: int = 0) -> pd.DataFrame:
    """A synthetic town: name, zip (``n_zips`` codes), sex, birth_date (ages 0–90), diagnosis."""
    size = check_int(n, "n", 1)
    z = check_int(n_zips, "n_zips", 1)
    if z > 200:
        raise ValueError(f"n_zips must be at most 200, got {z}")
    rng = rng_streams(random_state, ("zips", "zip", "sex", "birth", "diagnosis"))
    codes = np.sort(rng["zips"].choice(np.arange(2100, 2300), size=z, replace=False))
    weights = rng["zips"].dirichlet(np.full(len(codes), 5.0))
    zips = np.array([f"{c:05d}" for c in codes])[rng["zip"].choice(len(codes), size, p=weights)]
    start = np.datetime64("1935-01-01")
    days = rng["birth"].integers(0, 91 * 365, size)
    diagnoses = np.array(["none", "asthma", "diabetes", "hypertension", "depression", "cancer"])
    return pd.DataFrame({
        "name": [f"person_{i:06d}" for i in range(size)],
        "zip": zips,
        "sex": np.array(["F", "M"])[rng["sex"].integers(0, 2, size)],
        "birth_date": (start + days.astype("timedelta64[D]")).astype("datetime64[ns]"),
        "diagnosis": diagnoses[rng["diagnosis"].choice(6, size,
                                                       p=[0.5, 0.12, 0.1, 0.15, 0.1, 0.03])],
    })


def linkage_attack(released: pd.DataFrame, auxiliary: pd.DataFrame,
                   on: Sequence[str]) -> pd.DataFrame:
    """Re-identify released rows by joining on ``on``: rows whose QI values are unique in both.

    A released row whose QI combination occurs once in ``released`` and once in ``auxiliary``
    (e.g. a voter roll with names) is linked to that person with certainty. Returns the joined
    rows (auxiliary columns, then released columns suffixed "_released" where names clash).
    """
    cols = _check_df(released, on, "released", "on")
    _check_df(auxiliary, on, "auxiliary", "on")
    r = released[equivalence_class_sizes(released, cols) == 1]
    a = auxiliary[equivalence_class_sizes(auxiliary, cols) == 1]
    return a.merge(r, on=cols, how="inner", suffixes=("", "_released"))
