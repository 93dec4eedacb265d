"""Reason codes and counterfactuals for a rejected applicant.

A lender who rejects an applicant owes them reasons: in the US the adverse-action notice of the
Equal Credit Opportunity Act and Regulation B (12 CFR 1002.9); in the EU, the information duties
of GDPR Arts 13-15 (meaningful information about the logic involved; CJEU C-203/22, 2025), the
Consumer Credit Directive (EU) 2023/2225 and, for Annex III high-risk systems, the AI Act's
Art. 86. GDPR Art. 22 itself is the right not to be subject to a solely automated decision.
``reason_codes`` turns the most negative attributions of one decision into plain language, and
``counterfactual`` finds the smallest realistic change that flips it, by an exact search over a
small grid of one or two feature changes. Tables with categorical columns take part as codes:
``frame_to_codes`` turns a DataFrame into numbers (a category is its code), ``codes_to_frame``
turns them back for the model's own preprocessing, a ``FeatureSpec`` with ``categories`` words a
code as its category, and ``attributions_by_feature`` adds one-hot columns' attributions up to
their feature (exact for additive attributions such as SHAP values).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from course_lib._validate import check_int, check_real, to_numpy

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FeatureSpec", "Counterfactual", "reason_codes", "counterfactual", "spread",
           "frame_to_codes", "codes_to_frame", "attributions_by_feature"]

_DIRECTIONS = ("none", "up", "down", "both")
_MAX_GRID = 2_000_000  # points scored per combination of features


@dataclass(frozen=True)
class FeatureSpec:
    """How to word a feature in a reason code and how it may change in a counterfactual.

    ``fmt`` formats the value (e.g. "{:.0%}"); ``high``/``low`` say what is wrong when the
    feature's value is above/below the reference ("too high", "too short"). ``change`` is
    "none" (immutable), "up", "down" or "both"; a change moves in multiples of ``step``, by at
    most ``max_change``, and stays within [``lo``, ``hi``]. A categorical feature, held as its
    category code, gives its ``categories`` (in code order): the value is then worded as its
    category, and a change moves between codes (ordered categories only make sense to change).
    """

    label: str
    fmt: str = "{:g}"
    high: str = "too high"
    low: str = "too low"
    change: str = "none"
    step: float = 1.0
    max_change: float = math.inf
    lo: float = -math.inf
    hi: float = math.inf
    categories: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.categories, tuple) or not all(
                isinstance(c, str) for c in self.categories):
            raise TypeError("categories must be a tuple of str (the category of each code)")
        if self.change not in _DIRECTIONS:
            raise ValueError(f"change must be one of {_DIRECTIONS}, got {self.change!r}")
        check_real(self.step, "step", 0.0, lo_open=True)
        check_real(self.max_change, "max_change", 0.0, lo_open=True)
        if not self.lo <= self.hi:
            raise ValueError(f"lo must be <= hi, got lo={self.lo!r}, hi={self.hi!r}")

    def describe(self, value: float) -> str:
        """The value with its unit, as the applicant would read it (its category, if coded)."""
        if self.categories:
            code = int(round(value))
            if not 0 <= code < len(self.categories) or not math.isclose(code, value):
                raise ValueError(f"{self.label}: {value!r} is not a category code "
                                 f"0..{len(self.categories) - 1}")
            return self.categories[code]
        return self.fmt.format(value)

    def candidates(self, value: float) -> np.ndarray:
        """Every value this feature may take in a counterfactual, excluding the current one."""
        if self.change == "none":
            return np.empty(0)
        k = np.arange(1, int(math.floor(min(self.max_change, 1e6 * self.step) / self.step
                                        + 1e-9)) + 1)
        ups = value + k * self.step if self.change in ("up", "both") else np.empty(0)
        downs = value - k * self.step if self.change in ("down", "both") else np.empty(0)
        out = np.concatenate([downs[::-1], ups])
        lo, hi = self.lo, self.hi
        if self.categories:
            lo, hi = max(lo, 0.0), min(hi, len(self.categories) - 1.0)
        return out[(out >= lo - 1e-12) & (out <= hi + 1e-12)]


def _vector(x: object, name: str, d: int | None = None) -> np.ndarray:
    arr = to_numpy(x)
    if arr.dtype.kind not in "iuf" or arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D numeric array (one value per feature), "
                         f"got shape {arr.shape} and dtype {arr.dtype}")
    arr = arr.astype(float)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    if d is not None and arr.shape[0] != d:
        raise ValueError(f"{name} must have {d} values (one per entry of feature_names), got "
                         f"{arr.shape[0]}")
    return arr


def _names(feature_names: object, name: str = "feature_names") -> list[str]:
    """A list of distinct str, or a TypeError/ValueError naming ``name``."""
    if isinstance(feature_names, str) or not isinstance(feature_names, Sequence):
        raise TypeError(f"{name} must be a sequence of names, got {type(feature_names).__name__}")
    names = list(feature_names)
    if not names:
        raise ValueError(f"{name} is empty")
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise TypeError(f"{name} must hold str names, got {bad[:3]!r}")
    return names


def _distinct(names: list[str], name: str = "feature_names") -> list[str]:
    if len(set(names)) != len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"{name} must be distinct, got {repeated[:5]} more than once")
    return names


def _specs_for(feature_names: Sequence[str], specs: Mapping[str, FeatureSpec]) -> list:
    if not isinstance(specs, Mapping):
        raise TypeError(f"specs must be a dict of name -> FeatureSpec, got "
                        f"{type(specs).__name__}")
    missing = [f for f in feature_names if f not in specs]
    if missing:
        raise ValueError(f"specs has no FeatureSpec for {missing}")
    bad = [f for f in feature_names if not isinstance(specs[f], FeatureSpec)]
    if bad:
        raise TypeError(f"specs must map names to FeatureSpec, not for {bad}")
    return [specs[f] for f in feature_names]


def reason_codes(attributions, x, feature_names: Sequence[str],
                 specs: Mapping[str, FeatureSpec], reference, n: int = 4) -> list[str]:
    """Plain-language reasons: the ``n`` most negative attributions, worst first.

    Reason i reads "<label> <value>: <high or low>", "high" when x_i > reference_i (e.g. the
    training median); a categorical value is quoted ("Housing “rent”: counts against"). Only
    features whose attribution is < 0 (pushing towards rejection) are named, so fewer than ``n``
    reasons may come back.
    """
    names = _distinct(_names(feature_names))
    d = len(names)
    phi = _vector(attributions, "attributions", d)
    xv = _vector(x, "x", d)
    ref = _vector(reference, "reference", d)
    check_int(n, "n", 1)
    spec_list = _specs_for(names, specs)
    order = np.argsort(phi, kind="stable")
    out = []
    for i in order[:n]:
        if phi[i] >= 0:
            break
        s = spec_list[i]
        word = s.high if xv[i] > ref[i] else s.low
        value = f"“{s.describe(xv[i])}”" if s.categories else s.describe(xv[i])
        out.append(f"{s.label} {value}: {word}")
    return out


def spread(data) -> np.ndarray:
    """Each column's spread for counterfactual costs: 1.4826·MAD, or the std where MAD is 0."""
    arr = to_numpy(data)
    if arr.ndim != 2 or arr.shape[0] < 2 or arr.dtype.kind not in "iuf":
        raise ValueError(f"data must be a numeric 2-D table with >= 2 rows, got shape "
                         f"{arr.shape} and dtype {arr.dtype}")
    arr = arr.astype(float)
    if not np.isfinite(arr).all():
        raise ValueError("data contains NaN or infinite values")
    mad = 1.4826 * np.median(np.abs(arr - np.median(arr, axis=0)), axis=0)
    std = arr.std(axis=0)
    out = np.where(mad > 0, mad, std)
    if (out <= 0).any():
        raise ValueError("data has a constant column: its spread is 0")
    return out


@dataclass(frozen=True)
class Counterfactual:
    """The cheapest change found: the new point, what changed, its cost and new score."""

    x: np.ndarray
    changes: dict[str, tuple[float, float]]
    cost: float
    score: float

    def describe(self, specs: Mapping[str, FeatureSpec]) -> list[str]:
        """Each change in words: "<label>: <old> → <new>"."""
        return [f"{specs[k].label}: {specs[k].describe(a)} → {specs[k].describe(b)}"
                for k, (a, b) in self.changes.items()]


def counterfactual(predict_fn: Callable[[np.ndarray], np.ndarray], x,
                   feature_names: Sequence[str], specs: Mapping[str, FeatureSpec], scale, *,
                   threshold: float = 0.5, max_changes: int = 2) -> Counterfactual | None:
    """The cheapest change of at most ``max_changes`` actionable features with score ≥ threshold.

    Exact on the grid: every combination of 1..max_changes features, each over its candidate
    values (``FeatureSpec.candidates``), is scored with ``predict_fn`` ((m, d) → (m,) scores of
    the favourable outcome). cost = Σ |x'_i − x_i| / scale_i. Ties go to fewer changes, then to the
    first found. Returns None when no candidate reaches the threshold.
    """
    if not callable(predict_fn):
        raise TypeError("predict_fn must be callable: (m, d) array -> (m,) scores")
    names = _distinct(_names(feature_names))
    d = len(names)
    xv = _vector(x, "x", d)
    sc = _vector(scale, "scale", d)
    if (sc <= 0).any():
        raise ValueError("scale must be > 0 for every feature")
    check_real(threshold, "threshold", finite=True)
    check_int(max_changes, "max_changes", 1)
    if max_changes > 3:
        raise ValueError(f"max_changes must be <= 3 (the search is exhaustive), got {max_changes}")
    spec_list = _specs_for(names, specs)
    cands = {i: s.candidates(xv[i]) for i, s in enumerate(spec_list)}
    movable = [i for i in range(d) if cands[i].size]
    best: tuple[float, int, np.ndarray, float] | None = None
    for k in range(1, max_changes + 1):
        for combo in itertools.combinations(movable, k):
            size = math.prod(cands[i].size for i in combo)
            if size > _MAX_GRID:
                raise ValueError(f"the grid for {[names[i] for i in combo]} has {size:,} points "
                                 f"(limit {_MAX_GRID:,}): use larger steps, smaller max_change or "
                                 "a smaller max_changes")
            grids = np.meshgrid(*[cands[i] for i in combo], indexing="ij")
            values = np.stack([g.ravel() for g in grids], axis=1)
            points = np.repeat(xv[None], len(values), axis=0)
            points[:, combo] = values
            scores = np.asarray(predict_fn(points), dtype=float).reshape(-1)
            if scores.shape[0] != len(points):
                raise ValueError(f"predict_fn must return one score per row: got "
                                 f"{scores.shape[0]} for {len(points)} rows")
            costs = (np.abs(values - xv[list(combo)]) / sc[list(combo)]).sum(axis=1)
            ok = np.flatnonzero(scores >= threshold)
            if ok.size == 0:
                continue
            j = ok[np.argmin(costs[ok])]
            if best is None or costs[j] < best[0] - 1e-12:
                best = (float(costs[j]), k, points[j], float(scores[j]))
    if best is None:
        return None
    cost, _, point, score = best
    changes = {names[i]: (float(xv[i]), float(point[i])) for i in range(d)
               if not math.isclose(point[i], xv[i], abs_tol=1e-12)}
    return Counterfactual(point, changes, cost, score)


def frame_to_codes(frame) -> np.ndarray:
    """A table as numbers (n, columns): numeric columns as they are, a categorical or boolean
    column as its category codes (pandas' ``cat.codes``; False/True as 0/1). Missing values are
    refused."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if frame.isna().any().any():
        raise ValueError("frame has missing values: impute or drop them first")
    numeric = frame.select_dtypes("number")
    if numeric.shape[1] and not np.isfinite(numeric.to_numpy(dtype=float)).all():
        raise ValueError("frame has infinite values")
    out = np.empty(frame.shape, dtype=float)
    for j, col in enumerate(frame.columns):
        series = frame[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            out[:, j] = series.cat.codes.to_numpy()
        elif pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            out[:, j] = series.to_numpy(dtype=float)
        else:
            raise TypeError(f"column {col!r} must be numeric, boolean or categorical, got "
                            f"{series.dtype} (convert strings with astype('category'))")
    return out


def codes_to_frame(values, like) -> pd.DataFrame:
    """The inverse of ``frame_to_codes``: rows of numbers back to a table with ``like``'s
    columns and dtypes (codes become their categories; 0/1 become False/True)."""
    import pandas as pd

    if not isinstance(like, pd.DataFrame):
        raise TypeError(f"like must be a pandas DataFrame, got {type(like).__name__}")
    arr = to_numpy(values)
    if arr.ndim == 1:
        arr = arr[None]
    if arr.ndim != 2 or arr.shape[1] != like.shape[1] or arr.dtype.kind not in "iuf":
        raise ValueError(f"values must be numeric with {like.shape[1]} columns (one per column "
                         f"of like), got shape {arr.shape} and dtype {arr.dtype}")
    arr = arr.astype(float)
    if not np.isfinite(arr).all():
        raise ValueError("values contains NaN or infinite values")
    columns = {}
    for j, col in enumerate(like.columns):
        dtype, v = like[col].dtype, arr[:, j]
        whole = np.rint(v)
        if isinstance(dtype, pd.CategoricalDtype):
            k = len(dtype.categories)
            if not np.allclose(v, whole, rtol=0, atol=1e-9) or whole.min() < 0 or \
                    whole.max() >= k:
                raise ValueError(f"values in column {col!r} must be category codes 0..{k - 1}, "
                                 f"got {v[(v != whole) | (whole < 0) | (whole >= k)][:3]}")
            columns[col] = pd.Categorical.from_codes(whole.astype(int), dtype=dtype)
        elif pd.api.types.is_bool_dtype(dtype):
            if not np.isin(v, (0.0, 1.0)).all():
                raise ValueError(f"values in boolean column {col!r} must be 0 or 1")
            columns[col] = v == 1.0
        elif pd.api.types.is_integer_dtype(dtype):
            if not np.allclose(v, whole, rtol=0, atol=1e-9):
                raise ValueError(f"values in integer column {col!r} must be whole numbers, got "
                                 f"{v[v != whole][:3]}")
            columns[col] = whole.astype(dtype)
        else:
            columns[col] = v.astype(dtype)
    return pd.DataFrame(columns)


def attributions_by_feature(attributions, column_features: Sequence[str],
                            features: Sequence[str]) -> np.ndarray:
    """Sum each feature's columns' attributions: φ_f = Σ_{c: column c encodes f} φ_c.

    ``attributions`` is (n, m) or (m,) over the m encoded columns; ``column_features[c]`` names
    the feature column c encodes (e.g. every one-hot column of a category); the result has one
    column per name in ``features``, in that order. Additive attributions stay additive: the
    row sums are unchanged.
    """
    arr = to_numpy(attributions)
    one = arr.ndim == 1
    arr = arr[None] if one else arr
    cols = _names(column_features, "column_features")
    feats = _distinct(_names(features, "features"), "features")
    if arr.ndim != 2 or arr.dtype.kind not in "iuf" or arr.shape[1] != len(cols):
        raise ValueError(f"attributions must be numeric with one column per entry of "
                         f"column_features ({len(cols)}), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError("attributions contains NaN or infinite values")
    unknown = sorted(set(cols) - set(feats))
    if unknown:
        raise ValueError(f"column_features names features not in features: {unknown[:5]}")
    index = {f: i for i, f in enumerate(feats)}
    out = np.zeros((arr.shape[0], len(feats)))
    np.add.at(out.T, [index[c] for c in cols], arr.astype(float).T)
    return out[0] if one else out
