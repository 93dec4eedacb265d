"""Individual fairness: similar people, similar decisions; and the counterfactual flip test."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from course_lib._validate import check_binary as _binary

__all__ = ["consistency", "counterfactual_flip_rate"]


def consistency(X, y_pred, *, n_neighbors: int = 5) -> float:
    """Zemel et al. (2013): yNN = 1 − (1/n) Σ_i |ŷ_i − (1/k) Σ_{j ∈ kNN(i)} ŷ_j|.

    kNN(i) are the k nearest *other* rows of ``X`` (Euclidean, scikit-learn's NearestNeighbors;
    scale the features first). 1 means every decision agrees with its neighbours'. AIF360's
    version counts each row as its own neighbour; this one does not.

    A proxy for Dwork et al.'s (2012) individual fairness, which asks that D(f(x), f(x')) ≤
    d(x, x') under a *task-specific* similarity metric d: here d is the Euclidean distance on
    ``X``, so ``X`` should hold only the features that make two people similar for the task.
    Leave out the protected attribute and its obvious proxies, or a model that decides by group
    scores as consistent (neighbours then share the group).
    """
    import numpy as np
    from sklearn.neighbors import NearestNeighbors

    if hasattr(X, "detach"):
        X = X.detach().cpu().numpy()
    Xa = np.asarray(X)
    if Xa.ndim != 2 or Xa.dtype.kind not in "biuf":
        raise ValueError(f"X must be a 2-D numeric array (encode and scale features first), got "
                         f"shape {Xa.shape} and dtype {Xa.dtype}")
    yp = _binary(y_pred, "y_pred")
    if len(yp) != len(Xa):
        raise ValueError(f"X and y_pred must have the same length, got {len(Xa)} and {len(yp)}")
    if isinstance(n_neighbors, bool) or not isinstance(n_neighbors, int) or \
            not 1 <= n_neighbors < len(Xa):
        raise ValueError(f"n_neighbors must be an int in [1, len(X) - 1], got {n_neighbors!r}")
    neighbours = NearestNeighbors(n_neighbors=n_neighbors).fit(Xa).kneighbors(
        return_distance=False)  # without a query, each row is not its own neighbour
    return float(1 - np.abs(yp - yp[neighbours].mean(axis=1)).mean())


def counterfactual_flip_rate(predict_fn: Callable, X, column: str, values: Sequence) -> float:
    """Share of rows whose decision changes when only ``column`` is set to another of ``values``:
    (1/n) Σ_i 1[∃ v ∈ values: f(x_i with column=v) ≠ f(x_i)].

    ``predict_fn`` maps a DataFrame like ``X`` to 0/1 decisions (e.g. a scikit-learn pipeline's
    ``predict``). Every other feature is held fixed, including proxies of the attribute, so 0
    shows the model does not use the attribute *directly*, not that it is fair.
    """
    import numpy as np
    import pandas as pd

    if not callable(predict_fn):
        raise TypeError(f"predict_fn must be callable, got {type(predict_fn).__name__}")
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a pandas DataFrame, got {type(X).__name__}")
    if column not in X.columns:
        raise ValueError(f"column must be one of X's columns, got {column!r}")
    values = list(values)
    if len(values) < 2:
        raise ValueError(f"values must list at least two values of {column!r}, got {values!r}")
    if len(X) == 0:
        raise ValueError("X is empty")
    if isinstance(X[column].dtype, pd.CategoricalDtype):
        unknown = [v for v in values if v not in X[column].cat.categories]
        if unknown:
            raise ValueError(f"values {unknown!r} are not categories of {column!r}: "
                             f"{list(X[column].cat.categories)}")
    original = _binary(np.asarray(predict_fn(X)).reshape(-1), "predict_fn(X)")
    if len(original) != len(X):
        raise ValueError(f"predict_fn(X) returned {len(original)} decisions for {len(X)} rows")
    changed = np.zeros(len(X), dtype=bool)
    for v in values:
        flipped = X.copy()
        flipped[column] = pd.Series([v] * len(X), index=X.index).astype(X[column].dtype)
        changed |= _binary(np.asarray(predict_fn(flipped)).reshape(-1),
                           "predict_fn(X)") != original
    return float(changed.mean())
