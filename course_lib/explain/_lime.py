"""LIME for tabular data, written out (Ribeiro, Singh & Guestrin 2016).

The same recipe as ``lime.lime_tabular.LimeTabularExplainer(training_data,
discretize_continuous=False)`` with its defaults: perturb, weight by an exponential kernel, fit a
weighted ridge regression. Drawn from ``np.random.RandomState(random_state)`` in lime's order, so
with the same integer seed the samples, and hence the coefficients, are lime's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from course_lib._validate import check_array, check_bool, check_int, check_real, to_numpy

__all__ = ["LimeExplanation", "lime_tabular", "lime_kernel", "weighted_ridge"]


@dataclass(frozen=True)
class LimeExplanation:
    """LIME's local surrogate: coefficients per standardised feature, intercept, weighted R²."""

    coef: np.ndarray
    intercept: float
    score: float
    local_pred: float


def lime_kernel(distances: np.ndarray, kernel_width: float) -> np.ndarray:
    """LIME's exponential kernel: π(d) = sqrt(exp(−d²/w²))."""
    d = check_array(distances, "distances", 1)
    if (d < 0).any():
        raise ValueError("distances must be >= 0")
    width = check_real(kernel_width, "kernel_width", 0.0, lo_open=True, finite=True)
    return np.sqrt(np.exp(-(d ** 2) / width ** 2))


def weighted_ridge(z: np.ndarray, y: np.ndarray, w: np.ndarray,
                   alpha: float = 1.0) -> tuple[np.ndarray, float, float]:
    """Minimise Σ w_i (y_i − b − z_iβ)² + α|β|² (intercept unpenalised); returns β, b, R²_w."""
    z = check_array(z, "z", 2)
    y = check_array(y, "y", 1, rows=z.shape[0], rows_of="z")
    w = check_array(w, "w", 1, rows=z.shape[0], rows_of="z")
    if (w < 0).any() or not w.sum() > 0:
        raise ValueError("w must be >= 0 with a positive sum")
    alpha = check_real(alpha, "alpha", 0.0, finite=True)
    zm = np.average(z, axis=0, weights=w)
    ym = np.average(y, weights=w)
    zc, yc = z - zm, y - ym
    gram = (zc * w[:, None]).T @ zc
    beta = np.linalg.solve(gram + alpha * np.eye(z.shape[1]), (zc * w[:, None]).T @ yc)
    b = ym - zm @ beta
    resid = y - b - z @ beta
    num, den = (w * resid ** 2).sum(), (w * yc ** 2).sum()
    # a constant y: scikit-learn's r2_score convention (force_finite), which lime's score uses
    r2 = 1 - num / den if den > 0 else (1.0 if num == 0 else 0.0)
    return beta, float(b), float(r2)


def lime_tabular(predict_fn: Callable[[np.ndarray], np.ndarray], x, training_data, *,
                 label: int = 1, num_samples: int = 5000, kernel_width: float | None = None,
                 sample_around_instance: bool = False, random_state: int = 0) -> LimeExplanation:
    """LIME's local linear explanation of ``predict_fn`` at x (lime's tabular defaults).

    1. Standardise with the training mean μ and std σ; draw z ~ N(0, I) (num_samples rows, the
       first replaced by x) and map back: x' = zσ + μ (or + x with ``sample_around_instance``).
    2. Weight each sample by π = sqrt(exp(−‖(x' − μ)/σ − (x − μ)/σ‖² / w²)), w = 0.75·√d.
    3. Fit ridge (α = 1) of predict_fn(x')[:, label] on the standardised x' with weights π.
    ``coef`` is per standard deviation of each feature.
    """
    if not callable(predict_fn):
        raise TypeError("predict_fn must be callable: (m, d) array -> (m,) or (m, k) outputs")
    train = to_numpy(training_data)
    if train.ndim != 2 or train.shape[0] < 2 or train.dtype.kind not in "iuf":
        raise ValueError(f"training_data must be a numeric 2-D array with >= 2 rows, got "
                         f"shape {train.shape} and dtype {train.dtype}")
    train = train.astype(float)
    if not np.isfinite(train).all():
        raise ValueError("training_data contains NaN or infinite values")
    d = train.shape[1]
    row = to_numpy(x)
    if row.ndim != 1 or row.shape[0] != d or row.dtype.kind not in "iuf":
        raise ValueError(f"x must be one row of {d} numeric features, got shape {row.shape}")
    row = row.astype(float)
    if not np.isfinite(row).all():
        raise ValueError("x contains NaN or infinite values")
    num_samples = check_int(num_samples, "num_samples", 2)
    check_int(label, "label", 0)
    width = 0.75 * np.sqrt(d) if kernel_width is None else check_real(
        kernel_width, "kernel_width", 0.0, lo_open=True, finite=True)
    check_bool(sample_around_instance, "sample_around_instance")
    mean = train.mean(axis=0)
    scale = train.std(axis=0)
    scale = np.where(scale == 0, 1.0, scale)  # as sklearn's StandardScaler
    rng = np.random.RandomState(check_int(random_state, "random_state", 0))
    z = rng.normal(0, 1, num_samples * d).reshape(num_samples, d)
    samples = z * scale + (row if sample_around_instance else mean)
    samples[0] = row
    scaled = (samples - mean) / scale
    distances = np.sqrt(((scaled - scaled[0]) ** 2).sum(axis=1))
    weights = lime_kernel(distances, width)
    out = np.asarray(to_numpy(predict_fn(samples)), dtype=float)
    if out.ndim == 2:
        if not 0 <= label < out.shape[1]:
            raise ValueError(f"label must be in [0, {out.shape[1]}) for predict_fn's "
                             f"{out.shape[1]} outputs, got {label}")
        out = out[:, label]
    if out.shape != (num_samples,):
        raise ValueError(f"predict_fn must return (m,) or (m, k) outputs, got {out.shape}")
    beta, b, r2 = weighted_ridge(scaled, out, weights, alpha=1.0)
    return LimeExplanation(beta, b, r2, float(b + scaled[0] @ beta))
