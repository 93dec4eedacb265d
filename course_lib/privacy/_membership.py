"""Membership inference: was this record in the training set?

Scores are "higher means more likely a member". The loss-threshold attack (Yeom et al. 2018)
scores a record by −loss: a model fits its training records better than unseen ones. The
shadow-model attack (Shokri et al. 2017) trains shadow models on data like the target's, where
membership is known, and learns from their outputs (per true class) what members look like. The
attack's success is its advantage TPR − FPR (0 = guessing; Yeom et al.), its ROC curve, and its
TPR at a low FPR such as 1% (Carlini et al. 2022: an attack must be judged where it is confident).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from course_lib._validate import check_int, check_real, to_numpy

__all__ = ["adult_features", "membership_splits", "per_example_loss", "attack_roc",
           "membership_advantage", "advantage_chance_level", "tpr_at_fpr",
           "AttackResult", "evaluate_attack", "loss_threshold_attack", "shadow_attack"]


def _scores(values: object, name: str) -> np.ndarray:
    arr = to_numpy(values)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of scores, got shape {arr.shape}")
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}")
    arr = arr.astype(float)
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    if not np.isfinite(arr).all():  # sklearn's ROC would fail on it, naming nothing
        raise ValueError(f"{name} contains infinite values")
    return arr


def per_example_loss(model, inputs, target) -> np.ndarray:
    """Each record's cross-entropy −log p(yᵢ | xᵢ) under the model (numpy, shape (N,))."""
    return _per_example_loss(model, inputs, target, "inputs", "target")


def _per_example_loss(model, inputs, target, inputs_name: str, target_name: str) -> np.ndarray:
    """per_example_loss, with errors naming the caller's arguments."""
    import torch

    from course_lib.models import _as_tensor, predict_proba

    x = _as_tensor(inputs, inputs_name, torch.float32)
    y = to_numpy(_as_tensor(target, target_name, torch.long))
    try:
        proba = predict_proba(model, x)
    except (TypeError, ValueError) as exc:  # predict_proba names its own argument "inputs"
        raise type(exc)(str(exc).replace("inputs", inputs_name, 1)) from exc
    if y.ndim != 1 or y.shape[0] != proba.shape[0]:
        raise ValueError(f"{target_name} must be 1-D with one label per row of {inputs_name}, "
                         f"got shape {y.shape} for {proba.shape[0]} rows")
    if y.min(initial=0) < 0 or y.max(initial=0) >= proba.shape[1]:
        raise ValueError(f"{target_name} must hold class indices 0..{proba.shape[1] - 1}")
    return -np.log(np.clip(proba[np.arange(len(y)), y], 1e-12, None))


def attack_roc(member_scores, nonmember_scores) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fpr, tpr, thresholds) of "member if score ≥ t", members the positive class (sklearn)."""
    from sklearn.metrics import roc_curve

    s_in = _scores(member_scores, "member_scores")
    s_out = _scores(nonmember_scores, "nonmember_scores")
    labels = np.r_[np.ones(len(s_in)), np.zeros(len(s_out))]
    return roc_curve(labels, np.r_[s_in, s_out], drop_intermediate=False)


def membership_advantage(member_scores, nonmember_scores, threshold: float | None = None
                         ) -> float:
    """Advantage TPR − FPR of "member if score ≥ threshold"; the best threshold when None."""
    s_in = _scores(member_scores, "member_scores")
    s_out = _scores(nonmember_scores, "nonmember_scores")
    if threshold is not None:
        t = check_real(threshold, "threshold")
        return float(np.mean(s_in >= t) - np.mean(s_out >= t))
    fpr, tpr, _ = attack_roc(s_in, s_out)
    return float(np.max(tpr - fpr))


def advantage_chance_level(n_members: int, n_nonmembers: int, *, quantile: float = 0.95,
                           n_draws: int = 200, random_state: int = 0) -> float:
    """The best-threshold advantage a USELESS attack reaches by luck (its ``quantile``).

    Maximising TPR − FPR over thresholds overfits the evaluation set: with 200 members and 200
    non-members, random scores reach about 0.1. An attack is only shown to work above this.
    """
    m = check_int(n_members, "n_members", 1)
    k = check_int(n_nonmembers, "n_nonmembers", 1)
    qt = check_real(quantile, "quantile", 0.0, 1.0)
    draws = check_int(n_draws, "n_draws", 1)
    rng = np.random.default_rng(check_int(random_state, "random_state", 0))
    values = [membership_advantage(rng.random(m), rng.random(k)) for _ in range(draws)]
    return float(np.quantile(values, qt))


def tpr_at_fpr(member_scores, nonmember_scores, fpr: float = 0.01) -> float:
    """The highest TPR among thresholds whose FPR is at most ``fpr`` (default 1%)."""
    target = check_real(fpr, "fpr", 0.0, 1.0)
    f, t, _ = attack_roc(member_scores, nonmember_scores)
    return float(t[f <= target].max())


@dataclass
class AttackResult:
    """An attack's scores on members and non-members, and its measured success."""

    member_scores: np.ndarray
    nonmember_scores: np.ndarray
    advantage: float
    auc: float
    tpr_at_1pct_fpr: float

    def roc(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(fpr, tpr, thresholds), for plotting."""
        return attack_roc(self.member_scores, self.nonmember_scores)


def evaluate_attack(member_scores, nonmember_scores) -> AttackResult:
    """Advantage (best threshold), ROC AUC and TPR at 1% FPR of a membership score."""
    from sklearn.metrics import roc_auc_score

    s_in = _scores(member_scores, "member_scores")
    s_out = _scores(nonmember_scores, "nonmember_scores")
    auc = roc_auc_score(np.r_[np.ones(len(s_in)), np.zeros(len(s_out))], np.r_[s_in, s_out])
    return AttackResult(s_in, s_out, membership_advantage(s_in, s_out), float(auc),
                        tpr_at_fpr(s_in, s_out, 0.01))


def loss_threshold_attack(model, member_inputs, member_target, nonmember_inputs,
                          nonmember_target) -> AttackResult:
    """Yeom et al.'s attack: score = −loss(xᵢ, yᵢ); evaluated on known members/non-members.

    Yeom's own threshold is the average training loss: ``membership_advantage(res.member_scores,
    res.nonmember_scores, threshold=res.member_scores.mean())`` gives its advantage.
    """
    return evaluate_attack(
        -_per_example_loss(model, member_inputs, member_target, "member_inputs",
                           "member_target"),
        -_per_example_loss(model, nonmember_inputs, nonmember_target, "nonmember_inputs",
                           "nonmember_target"))


def _attack_features(proba: np.ndarray) -> np.ndarray:
    """The attack model's view of one output: log-probabilities, clipped away from log 0."""
    return np.log(np.clip(proba, 1e-12, None))


def shadow_attack(model, member_inputs, member_target, nonmember_inputs, nonmember_target,
                  shadow_inputs, shadow_target, *, n_shadows: int = 4,
                  hidden: Sequence[int] = (64,), random_state: int = 0,
                  **train_kwargs) -> AttackResult:
    """Shokri et al.'s attack with ``n_shadows`` shadow MLPs and one attack model per class.

    For binary tasks (the shadows are ``fit_mlp``'s two-class MLPs), such as Adult's income.
    Each shadow is ``course_lib.models.fit_mlp`` (``hidden``, ``train_kwargs``: train it like
    the target) on a random half of its own disjoint slice of the shadow data (which must not
    overlap the target's training data); the other half are its known non-members. Per true
    class, a gradient-boosted classifier learns member vs non-member from the shadows'
    log-probability vectors, then scores the target model's outputs.
    """
    import torch
    from sklearn.ensemble import HistGradientBoostingClassifier

    from course_lib.models import _as_tensor, fit_mlp, predict_proba

    k = check_int(n_shadows, "n_shadows", 1)
    seed = check_int(random_state, "random_state", 0)
    sx = _as_tensor(shadow_inputs, "shadow_inputs", torch.float32)
    sy = _as_tensor(shadow_target, "shadow_target", torch.long)
    if sx.ndim != 2 or sy.ndim != 1 or sx.shape[0] != sy.shape[0]:
        raise ValueError(f"shadow_inputs must be 2-D with one label per row in shadow_target, "
                         f"got {tuple(sx.shape)} and {tuple(sy.shape)}")
    if sy.numel() and (sy.min() < 0 or sy.max() > 1):
        raise ValueError("shadow_target must be binary (0/1): the shadows are fit_mlp's "
                         "two-class MLPs")
    if sx.shape[0] < 4 * k:
        raise ValueError(f"shadow_inputs has {sx.shape[0]} rows: too few for {k} shadows "
                         f"(need at least 4 per shadow)")
    rng = np.random.default_rng(seed)
    slices = np.array_split(rng.permutation(sx.shape[0]), k)
    feats, labels, classes = [], [], []
    for i, idx in enumerate(slices):
        idx = rng.permutation(idx)
        half = len(idx) // 2
        inside, outside = idx[:half], idx[half:]
        shadow = fit_mlp(sx[inside], sy[inside], hidden=hidden, random_state=seed + 1 + i,
                         **train_kwargs)
        for part, is_member in ((inside, 1), (outside, 0)):
            feats.append(_attack_features(predict_proba(shadow, sx[part])))
            labels.append(np.full(len(part), is_member))
            classes.append(sy[part].numpy())
    feats_all, labels_all, classes_all = np.vstack(feats), np.concatenate(labels), \
        np.concatenate(classes)

    attackers = {}
    for c in np.unique(classes_all):
        train = classes_all == c
        if len(np.unique(labels_all[train])) == 2:
            clf = HistGradientBoostingClassifier(max_iter=100, random_state=seed)
            attackers[int(c)] = clf.fit(feats_all[train], labels_all[train])

    def score(inputs, target, name):
        x_name = name.replace("target", "inputs")
        x = _as_tensor(inputs, x_name, torch.float32)
        y = to_numpy(_as_tensor(target, name, torch.long))
        try:
            proba = predict_proba(model, x)
        except (TypeError, ValueError) as exc:  # predict_proba names its argument "inputs"
            raise type(exc)(str(exc).replace("inputs", x_name, 1)) from exc
        f = _attack_features(proba)
        if y.ndim != 1 or len(y) != len(f):
            raise ValueError(f"{name} must be 1-D with one label per input row")
        if y.min(initial=0) < 0 or y.max(initial=0) >= f.shape[1]:
            raise ValueError(f"{name} must hold class indices 0..{f.shape[1] - 1}")
        out = np.full(len(y), 0.5)  # a class the shadows never saw: no information
        for c, clf in attackers.items():
            if (y == c).any():
                out[y == c] = clf.predict_proba(f[y == c])[:, 1]
        return out

    return evaluate_attack(score(member_inputs, member_target, "member_target"),
                           score(nonmember_inputs, nonmember_target, "nonmember_target"))


ADULT_NUMERIC = ("age", "education_num", "hours_per_week", "capital_gain", "capital_loss")
ADULT_CATEGORICAL = ("workclass", "marital_status", "occupation", "relationship", "race", "sex")


def adult_features(df=None) -> tuple[np.ndarray, np.ndarray]:
    """Adult as arrays: (X float32: standardised numeric + one-hot categorical, y: income >50K).

    ``df`` defaults to ``course_lib.data.load_adult()`` (both splits, 48,842 rows). Numeric
    columns are log1p'd (capital gain/loss are heavy-tailed) and standardised over all rows:
    the attacks below need comparable rows, not a held-out preprocessing.
    """
    import pandas as pd

    if df is None:
        from course_lib.data import load_adult

        df = load_adult()
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame (load_adult()), got {type(df).__name__}")
    missing = [c for c in (*ADULT_NUMERIC, *ADULT_CATEGORICAL, "income") if c not in df.columns]
    if missing:
        raise ValueError(f"df must have the Adult columns; missing {missing}")
    if len(df) == 0:
        raise ValueError("df is empty")
    num = np.log1p(df[list(ADULT_NUMERIC)].to_numpy(dtype=float).clip(min=0))
    if not np.isfinite(num).all():
        raise ValueError("df has missing or infinite values in its numeric columns")
    sd = num.std(0)
    num = (num - num.mean(0)) / np.where(sd > 0, sd, 1.0)  # a constant column becomes 0, not NaN
    cat = pd.get_dummies(df[list(ADULT_CATEGORICAL)].astype(str), dtype=float).to_numpy()
    x = np.hstack([num, cat]).astype(np.float32)
    y = (df["income"].astype(str) == ">50K").to_numpy().astype(np.int64)
    return x, y


def membership_splits(n_rows: int, n_target: int, *, random_state: int = 0
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Disjoint row indices: (target's members, as many non-members, the shadow pool: the rest)."""
    n = check_int(n_rows, "n_rows", 3)
    m = check_int(n_target, "n_target", 1)
    if 2 * m >= n:
        raise ValueError(f"n_target ({m}) must be less than half of n_rows ({n}) so that "
                         f"non-members and a shadow pool remain")
    order = np.random.default_rng(check_int(random_state, "random_state", 0)).permutation(n)
    return np.sort(order[:m]), np.sort(order[m:2 * m]), np.sort(order[2 * m:])
