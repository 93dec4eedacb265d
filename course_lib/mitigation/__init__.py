"""Bias mitigation before, during and after training, and the checks that keep it honest.

- pre-processing: ``reweighing_weights`` (Kamiran & Calders 2012), ``resample_indices``;
- in-processing: ``train_fair_penalty`` (a fairness penalty with weight λ) and
  ``train_adversarial`` (adversarial debiasing, Zhang, Lemoine & Mitchell 2018);
- post-processing: ``group_thresholds`` / ``apply_thresholds`` (Hardt, Price & Srebro 2016);
- evaluation: ``disparity``, ``tradeoff_point`` (bootstrap CIs on the test set) and
  ``drift_monitor`` (regular re-evaluation of a deployed model);
- the explorer: ``explore_mitigation`` (notebook 04: a model of the grid, a threshold per group).

Heavy libraries (numpy, pandas, torch) are imported inside the functions that use them.
"""

from course_lib.mitigation._evaluate import (
    DISPARITY_METRICS,
    disparity,
    drift_monitor,
    tradeoff_point,
)
from course_lib.mitigation._explore import explore_mitigation
from course_lib.mitigation._inprocess import (
    CONSTRAINTS,
    AdversarialResult,
    train_adversarial,
    train_fair_penalty,
)
from course_lib.mitigation._post import apply_thresholds, group_thresholds, threshold_report
from course_lib.mitigation._pre import resample_indices, reweighing_weights

__all__ = [
    "CONSTRAINTS",
    "DISPARITY_METRICS",
    "AdversarialResult",
    "apply_thresholds",
    "disparity",
    "drift_monitor",
    "explore_mitigation",
    "group_thresholds",
    "resample_indices",
    "reweighing_weights",
    "threshold_report",
    "tradeoff_point",
    "train_adversarial",
    "train_fair_penalty",
]
