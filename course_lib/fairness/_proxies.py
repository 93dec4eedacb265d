"""Proxies: how well the other features predict a protected attribute (part of a data audit).

Dropping a protected attribute from a model's inputs removes nothing if other columns carry it
(a postcode for ethnicity, years of employment for age). ``proxy_strength`` scores each column
alone by the ROC AUC with which it separates the two groups; ``proxy_auc_all`` scores all
columns together with a cross-validated logistic regression. 0.5 is no information, 1 a perfect
proxy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_lib._validate import check_int, to_numpy

__all__ = ["proxy_strength", "proxy_auc_all"]


def _check_inputs(features: object, sensitive: object) -> tuple[pd.DataFrame, np.ndarray, list]:
    if not isinstance(features, pd.DataFrame):
        raise TypeError(f"features must be a pandas DataFrame, got {type(features).__name__}")
    if features.shape[1] == 0 or features.shape[0] < 10:
        raise ValueError(f"features must have at least one column and 10 rows, got shape "
                         f"{features.shape}")
    s = to_numpy(sensitive)
    if s.ndim != 1 or s.shape[0] != features.shape[0]:
        raise ValueError(f"sensitive must be 1-D with one value per row of features "
                         f"({features.shape[0]}), got shape {s.shape}")
    if pd.isna(s).any():
        raise ValueError("sensitive contains missing values")
    groups = sorted(pd.unique(s).tolist(), key=str)
    if len(groups) != 2:
        raise ValueError(f"sensitive must take exactly 2 values (two groups), got {len(groups)}: "
                         f"{groups[:5]}")
    numeric = [c for c in features.columns
               if pd.api.types.is_numeric_dtype(features[c])
               and not pd.api.types.is_bool_dtype(features[c])]
    if features[numeric].isna().any().any():
        raise ValueError("features has missing numeric values: impute or drop them first")
    if not np.isfinite(features[numeric].to_numpy(dtype=float)).all():
        raise ValueError("features has infinite numeric values: clip or drop them first")
    return features, (s == groups[1]).astype(np.int64), groups


def _folds(n: int, n_splits: int, random_state: int) -> np.ndarray:
    """A fold number per row, balanced, from a seeded permutation."""
    order = np.random.default_rng(random_state).permutation(n)
    fold = np.empty(n, dtype=np.int64)
    fold[order] = np.arange(n) % n_splits
    return fold


def _target_encoded(values: pd.Series, y: np.ndarray, fold: np.ndarray, n_splits: int
                    ) -> np.ndarray:
    """Each row's category's rate of y = 1, estimated on the other folds (prior for unseen)."""
    keys = values.astype(str).to_numpy()
    out = np.empty(len(y), dtype=float)
    for k in range(n_splits):
        test, train = fold == k, fold != k
        rates = pd.Series(y[train]).groupby(keys[train]).mean()
        out[test] = pd.Series(keys[test]).map(rates).fillna(y[train].mean()).to_numpy()
    return out


def proxy_strength(features: pd.DataFrame, sensitive, *, n_splits: int = 5,
                   random_state: int = 0) -> pd.DataFrame:
    """Per column, the ROC AUC with which that column alone tells the two groups apart.

    A numeric column is scored by its value: max(AUC, 1 − AUC), since either direction makes a
    proxy. A categorical or boolean column is scored by each category's share of the second
    group (``sorted`` order), estimated out of fold over ``n_splits`` seeded folds, so a column
    with a value per row cannot score by memorising. Index: the columns, strongest first; columns
    ``auc`` and ``kind`` ("numeric" or "categorical").
    """
    from sklearn.metrics import roc_auc_score

    df, y, _ = _check_inputs(features, sensitive)
    k = check_int(n_splits, "n_splits", 2)
    fold = _folds(len(y), k, check_int(random_state, "random_state", 0))
    rows = []
    for col in df.columns:
        series = df[col]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            auc = roc_auc_score(y, series.to_numpy(dtype=float))
            rows.append((col, max(auc, 1.0 - auc), "numeric"))
        else:
            rows.append((col, roc_auc_score(y, _target_encoded(series, y, fold, k)),
                         "categorical"))
    out = pd.DataFrame(rows, columns=["column", "auc", "kind"]).set_index("column")
    return out.sort_values("auc", ascending=False, kind="stable")


def proxy_auc_all(features: pd.DataFrame, sensitive, *, n_splits: int = 5,
                  random_state: int = 0) -> float:
    """Out-of-fold ROC AUC of a logistic regression predicting the group from every column.

    Numeric columns are standardised, the others one-hot encoded (unseen categories ignored);
    the folds are stratified and seeded by ``random_state``.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    df, y, _ = _check_inputs(features, sensitive)
    k = check_int(n_splits, "n_splits", 2)
    seed = check_int(random_state, "random_state", 0)
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])
               and not pd.api.types.is_bool_dtype(df[c])]
    other = [c for c in df.columns if c not in numeric]
    encode = ColumnTransformer([("numeric", StandardScaler(), numeric),
                                ("categorical", OneHotEncoder(handle_unknown="ignore"),
                                 other)])
    model = make_pipeline(encode, LogisticRegression(max_iter=2000))
    cv = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    data = df.copy()
    data[other] = data[other].astype(str)
    proba = cross_val_predict(model, data, y, cv=cv, method="predict_proba")[:, 1]
    return float(roc_auc_score(y, proba))
