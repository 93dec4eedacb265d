"""Human oversight of automated decisions: route uncertain scores to a person, and measure it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from course_lib._validate import check_real, to_numpy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["ROUTES", "review_summary", "route_decisions"]

#: What happens to an application: decided automatically either way, or sent to a person.
ROUTES: tuple[str, ...] = ("approve", "decline", "human review")


def _proba(proba: object) -> np.ndarray:
    import numpy as np

    p = to_numpy(proba)
    if p.ndim != 1 or p.dtype.kind not in "iuf":
        raise ValueError(f"proba must be a 1-D array of probabilities, got shape {p.shape}")
    if len(p) == 0 or np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("proba must be non-empty, without NaN, and in [0, 1]")
    return p.astype(float)


def route_decisions(proba, *, threshold: float = 0.5, band: float = 0.1) -> np.ndarray:
    """Per applicant: "human review" if |p − threshold| < band, else "approve" (p ≥ threshold)
    or "decline"; ``proba`` is the model's probability of the favourable outcome."""
    import numpy as np

    p = _proba(proba)
    t = check_real(threshold, "threshold", 0.0, 1.0)
    b = check_real(band, "band", 0.0, 0.5)
    routes = np.where(p >= t, "approve", "decline").astype(object)
    routes[np.abs(p - t) < b] = "human review"
    return routes


def review_summary(y_true, proba, sensitive, *, threshold: float = 0.5,
                   band: float = 0.1) -> pd.DataFrame:
    """Per group and overall: n, ``share_reviewed``, and the model's accuracy on the
    applications it decides alone (``accuracy_automated``) and on those it sends to a person, had
    it decided them (``accuracy_on_reviewed``); NaN where there are none."""
    import numpy as np
    import pandas as pd

    from course_lib._validate import check_binary

    y = check_binary(y_true, "y_true")
    p = _proba(proba)
    s = to_numpy(sensitive)
    if not len(y) == len(p) == len(s) or s.ndim != 1:
        raise ValueError(f"y_true, proba and sensitive must be 1-D and of one length, got "
                         f"{len(y)}, {len(p)} and {len(s)}")
    if pd.isna(s).any():
        raise ValueError("sensitive contains missing values (NaN/None); label them explicitly")
    routes = route_decisions(p, threshold=threshold, band=band)
    correct = (p >= threshold).astype(int) == y
    review = routes == "human review"

    def row(mask: np.ndarray) -> dict[str, float]:
        auto, rev = mask & ~review, mask & review
        return {"n": int(mask.sum()), "share_reviewed": float(rev.sum() / mask.sum()),
                "accuracy_automated": float(correct[auto].mean()) if auto.any() else np.nan,
                "accuracy_on_reviewed": float(correct[rev].mean()) if rev.any() else np.nan}

    groups = sorted(pd.unique(s).tolist(), key=str)
    out = {str(g): row(s == g) for g in groups}
    out["all"] = row(np.ones(len(y), bool))
    return pd.DataFrame(out).T.astype({"n": int})
