"""Exercises of notebook 04 (mitigating bias):
``from course_lib.exercises.bias_mitigation import q1, q2, q3``."""

from __future__ import annotations

from course_lib.exercises._core import (
    Criterion,
    MatchingProblem,
    ReflectionProblem,
    ValueProblem,
    register,
)

# the notebook's data: historical bias against group B, with proxies of the group
_SETUP = '''\
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from course_lib.synth import HIRING_FEATURES, make_hiring

BIAS = dict(historical_penalty=0.5, proxy_strength=0.8)
FEATURES = list(HIRING_FEATURES)
train_df = make_hiring(4000, random_state=1, **BIAS)
audit_df = make_hiring(2000, random_state=3, **BIAS)
'''
_SCORER = '''
scorer = LogisticRegression(max_iter=1000).fit(train_df[FEATURES], train_df["label"])
audit_scores = scorer.predict_proba(audit_df[FEATURES])[:, 1]
'''


def _data() -> dict:
    ns: dict = {}
    exec(_SETUP + _SCORER, ns)
    return ns


def _weight(group: str, label: int, how: str = "right") -> float:
    """w(s, y) = P(S=s)·P(Y=y) / P(S=s, Y=y) on train_df, or a known mistake."""
    df = _data()["train_df"]
    p_s = (df["group"] == group).mean()
    p_y = (df["label"] == label).mean()
    p_sy = ((df["group"] == group) & (df["label"] == label)).mean()
    if how == "inverse":
        return p_sy / (p_s * p_y)
    if how == "conditional":
        return p_sy / p_s
    return p_s * p_y / p_sy


def _threshold_b(truth: str = "qualified", how: str = "tpr") -> float:
    """Group B's threshold matching group A's rate at 0.5 on the audit sample."""
    import numpy as np

    ns = _data()
    df, scores = ns["audit_df"], ns["audit_scores"]
    pos = (df[truth] == 1).to_numpy()
    is_a, is_b = (df["group"] == "A").to_numpy(), (df["group"] == "B").to_numpy()
    if how == "selection":
        rate = (scores[is_a] >= 0.5).mean()
        return float(np.quantile(scores[is_b], 1 - rate))
    rate = (scores[pos & is_a] >= 0.5).mean()
    q = rate if how == "wrong_tail" else 1 - rate
    return float(np.quantile(scores[pos & is_b], q))


q1 = ValueProblem(
    id="bias_mitigation.q1",
    prompt=("Compute by hand the reweighing weight Kamiran and Calders give to a *hired* "
            "applicant of group B in `train_df` (group \"B\", label 1): "
            "w(s, y) = P(S=s)·P(Y=y) / P(S=s, Y=y). Store it in `w_b_hired`."),
    variables=("w_b_hired",),
    hints=(
        "Three fractions of the rows of `train_df`: those in group B, those with label 1, and "
        "those that are both. The mean of a boolean column is a fraction.",
        "`p_b = (train_df[\"group\"] == \"B\").mean()`, `p_hired = (train_df[\"label\"] == 1)"
        ".mean()`, `p_both = ((train_df[\"group\"] == \"B\") & (train_df[\"label\"] == 1))"
        ".mean()`; then `w_b_hired = p_b * p_hired / p_both`.",
    ),
    solution_code='''p_b = (train_df["group"] == "B").mean()
p_hired = (train_df["label"] == 1).mean()
p_both = ((train_df["group"] == "B") & (train_df["label"] == 1)).mean()
w_b_hired = p_b * p_hired / p_both''',
    wrong_code=(
        '''w_b_hired = ((train_df["group"] == "B") & (train_df["label"] == 1)).mean() / (
    (train_df["group"] == "B").mean() * (train_df["label"] == 1).mean())''',
        '''w_b_hired = train_df.loc[train_df["group"] == "B", "label"].mean()''',
        '''p_a = (train_df["group"] == "A").mean()
p_hired = (train_df["label"] == 1).mean()
p_both = ((train_df["group"] == "A") & (train_df["label"] == 1)).mean()
w_b_hired = p_a * p_hired / p_both''',
        'w_b_hired = "2.7"',
    ),
    setup_code=_SETUP,
    expected=lambda: _weight("B", 1),
    rel_tol=1e-6,
    known_wrong=(
        (lambda: _weight("B", 1, "inverse"),
         "that is the formula upside down: observed over expected. Hired B applicants are rarer "
         "than independence predicts, so their weight must be above 1."),
        (lambda: _weight("B", 1, "conditional"),
         "that is P(Y=1 | S=B), group B's hiring rate; the weight compares P(S)·P(Y) with "
         "P(S, Y)."),
        (lambda: _weight("A", 1),
         "that is the weight of group A's hires; the question asks about group B."),
    ),
)

q2 = ValueProblem(
    id="bias_mitigation.q2",
    prompt=("Post-processing by hand. Keep group A's threshold at 0.5 on `audit_scores`. Which "
            "threshold for group B gives B's *truly qualified* applicants in `audit_df` the same "
            "true positive rate as A's (equal opportunity, Hardt et al.)? Store it in `thr_b`."),
    variables=("thr_b",),
    hints=(
        "First compute group A's TPR at 0.5: among A's rows with `qualified == 1`, the fraction "
        "whose score is at least 0.5. Group B must select the same fraction of its qualified.",
        "Selecting the top fraction r of B's qualified scores means a threshold at their "
        "(1 − r) quantile: `np.quantile(audit_scores[qual & is_b], 1 - tpr_a)`.",
    ),
    solution_code='''qual = (audit_df["qualified"] == 1).to_numpy()
is_a = (audit_df["group"] == "A").to_numpy()
is_b = (audit_df["group"] == "B").to_numpy()
tpr_a = (audit_scores[qual & is_a] >= 0.5).mean()
thr_b = np.quantile(audit_scores[qual & is_b], 1 - tpr_a)''',
    wrong_code=(
        '''qual = (audit_df["qualified"] == 1).to_numpy()
is_a = (audit_df["group"] == "A").to_numpy()
is_b = (audit_df["group"] == "B").to_numpy()
tpr_a = (audit_scores[qual & is_a] >= 0.5).mean()
thr_b = np.quantile(audit_scores[qual & is_b], tpr_a)''',
        '''hired = (audit_df["label"] == 1).to_numpy()
is_a = (audit_df["group"] == "A").to_numpy()
is_b = (audit_df["group"] == "B").to_numpy()
tpr_a = (audit_scores[hired & is_a] >= 0.5).mean()
thr_b = np.quantile(audit_scores[hired & is_b], 1 - tpr_a)''',
        '''is_a = (audit_df["group"] == "A").to_numpy()
is_b = (audit_df["group"] == "B").to_numpy()
rate_a = (audit_scores[is_a] >= 0.5).mean()
thr_b = np.quantile(audit_scores[is_b], 1 - rate_a)''',
        "thr_b = 0.5",
    ),
    setup_code=_SETUP + _SCORER,
    expected=_threshold_b,
    abs_tol=0.01,
    rel_tol=0.0,
    known_wrong=(
        (lambda: _threshold_b(how="wrong_tail"),
         "that threshold lets through only the bottom fraction's complement: to select the top "
         "fraction r of scores, take the (1 − r) quantile, not the r quantile."),
        (lambda: _threshold_b(truth="label"),
         "that equalises TPR against the historical `label`, which already encodes the bias; "
         "use `qualified`, what the audit measured."),
        (lambda: _threshold_b(how="selection"),
         "that equalises selection rates over all of B's applicants (demographic parity); equal "
         "opportunity compares only the truly qualified."),
        (0.5, "that is group A's threshold; at 0.5 group B's qualified applicants are selected "
              "less often than A's. Lower B's threshold until the TPRs match."),
    ),
)

q3 = ReflectionProblem(
    id="bias_mitigation.q3",
    prompt=("In this notebook, the model trained with an equalized-odds adversary on the "
            "historical labels kept the selection gap at 0.14 (0.15 without mitigation), while "
            "the demographic-parity adversary narrowed it to 0.04. A colleague concludes that "
            "equalized odds is the weaker criterion. What would you answer? Write a few "
            "sentences in `answer_q3`."),
    variables=("answer_q3",),
    hints=(
        "Equalized odds compares error rates *against the labels*. What do these labels record?",
        "Consider which criterion fits when the labels are trustworthy, which when they encode "
        "past discrimination, and what you would need (an audit, the ground truth) to tell.",
    ),
    solution_code='''answer_q3 = """
    Equalized odds is measured against the labels, and here the labels are past hiring decisions
    that held group B to a higher bar. A model that reproduces them already has an equalized odds
    gap of 0.01 against those labels, so equalized odds certifies the historical bias rather than
    removing it. It is not weaker in general: when the labels are a trustworthy ground truth it is
    the right criterion, and demographic parity would then force errors. The choice depends on
    whether the labels are biased, which needs evidence such as an audit of true qualification;
    here we know the groups are equally qualified, so parity of selection is justified.
    """''',
    wrong_code=(
        'answer_q3 = "Equalized odds is fine."',
        'answer_q3 = ("Adversarial training pits two neural networks against each other in a '
        'minimax game, and the gradients are projected so that the predictor never helps the '
        'adversary, with a weight alpha on the adversary term.")',
        "answer_q3 = None",
    ),
    setup_code="",
    rubric=(
        Criterion("equalized odds is judged against the labels, which here record biased past "
                  "decisions"),
        Criterion("a model that reproduces biased labels can satisfy equalized odds "
                  "(it certifies the bias)"),
        Criterion("with trustworthy labels equalized odds is the right criterion and parity can "
                  "force errors"),
        Criterion("deciding needs evidence about the labels: an audit or the true outcome"),
    ),
)

_STAGES = ("pre-processing", "in-processing", "post-processing", "monitoring")

q4 = MatchingProblem(
    id="bias_mitigation.q4",
    prompt=("Match each situation to the stage where a mitigation fits best. Set `stages` to a "
            "dict mapping each letter to one of: " + ", ".join(_STAGES) + "."),
    variables=("stages",),
    hints=(
        "Ask what you control in each situation: the data (pre-), the training (in-), only the "
        "decisions made from a model's scores (post-), or nothing yet but time (monitoring).",
        "A vendor's model you cannot retrain leaves you its scores; a model that passed its "
        "audit last year needs its disparity measured again on this year's applicants.",
    ),
    solution_code='''stages = {
    "a": "post-processing",  # a vendor's model: only its scores and your cut-offs are yours
    "b": "pre-processing",   # you own the data pipeline: reweigh or resample it
    "c": "in-processing",    # you train it and can change its objective
    "d": "monitoring",       # fair once does not mean fair now: re-evaluate
}''',
    wrong_code=(
        'stages = {"a": "in-processing", "b": "pre-processing", "c": "in-processing", '
        '"d": "monitoring"}',
        'stages = {"a": "post-processing", "b": "pre-processing", "c": "in-processing", '
        '"d": "post-processing"}',
        'stages = {"a": "post-processing", "b": "in-processing", "c": "in-processing", '
        '"d": "monitoring"}',
    ),
    setup_code="from course_lib.exercises import ____",
    choices=_STAGES,
    answers={"a": "post-processing", "b": "pre-processing", "c": "in-processing",
             "d": "monitoring"},
    why={
        "a": "you cannot retrain a vendor's model or see its training data; what you control is "
             "how its scores become decisions (group thresholds).",
        "b": "the problem is in the training data (too few hires of one group recorded), and you "
             "control that data: reweighing or resampling fixes it before training.",
        "c": "you train the model and can change what it optimises: a fairness penalty, a "
             "constraint (ExponentiatedGradient) or an adversary.",
        "d": "nothing is known to be wrong yet: the world it scores may have drifted, so measure "
             "its disparity again on fresh outcomes, against a tolerance set in advance.",
    },
    confusions={
        ("a", "in-processing"): "in-processing needs the training itself, which a vendor's "
                                 "model does not give you; you control only its scores.",
        ("d", "post-processing"): "adjusting thresholds is a fix; first you must find out "
                                   "whether anything needs fixing: that is re-evaluation.",
        ("b", "in-processing"): "you could, but the issue names the data and you control the "
                                "pipeline: fix it where it enters, before any training.",
    },
)

register(q1, q2, q3, q4)

__all__ = ["q1", "q2", "q3", "q4"]
