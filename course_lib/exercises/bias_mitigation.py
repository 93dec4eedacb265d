"""Exercises of notebook 04 (mitigating bias):
``from course_lib.exercises.bias_mitigation import q1, q2, q3, q4``."""

from __future__ import annotations

from course_lib.exercises._core import (
    ComputedValueProblem,
    Criterion,
    MatchingProblem,
    ReflectionProblem,
    register,
)
from course_lib.exercises._function import Case, FunctionProblem

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
test_df = make_hiring(4000, random_state=2, **BIAS)
'''
_SCORER = '''
logreg = LogisticRegression(max_iter=1000).fit(train_df[FEATURES].to_numpy(np.float64),
                                               train_df["label"])
audit_scores = logreg.predict_proba(audit_df[FEATURES].to_numpy(np.float64))[:, 1]
test_scores = logreg.predict_proba(test_df[FEATURES].to_numpy(np.float64))[:, 1]
'''


# -- q1: the reweighing weight, implemented ------------------------------------------------------
def reweighing_weight_reference(groups, labels, a, y) -> float:
    """w(a, y) from course_lib's ``reweighing_weights``; 0.0 for an empty (a, y) cell."""
    import numpy as np

    from course_lib.mitigation import reweighing_weights

    g, lab = np.asarray(groups), np.asarray(labels)
    in_cell = (g == a) & (lab == y)
    if not in_cell.any():
        return 0.0
    with np.errstate(divide="ignore"):  # other empty cells' weights are never used
        return float(reweighing_weights(lab, g)[in_cell][0])


_W_STARTER = '''\
def reweighing_weight(groups, labels, s, y):
    """w(s, y) = P(S=s)·P(Y=y) / P(S=s, Y=y) over rows (groups[i], labels[i]) (numpy arrays).

    An empty cell (no row has group s and label y) gets 0.0: no row carries its weight.
    """
'''


def _w_function(body: str) -> str:
    return _W_STARTER + "".join(f"    {ln}\n" for ln in body.strip().splitlines())


_W_SOLUTION = _w_function('''
p_cell = ((groups == s) & (labels == y)).mean()
if p_cell == 0:
    return 0.0
return float((groups == s).mean() * (labels == y).mean() / p_cell)''')


def _arrays(groups: str, labels: str):
    import numpy as np

    return np.array(list(groups)), np.array([int(c) for c in labels])


# A: 6 rows, 4 hired; B: 4 rows, 1 hired. P(B)=0.4, P(Y=1)=0.5, P(B, 1)=0.1.
_HIRING = _arrays("AAAAAABBBB", "1111001000")

q1 = FunctionProblem(
    id="bias_mitigation.q1",
    prompt=("Write the body of `reweighing_weight(groups, labels, s, y)`: Kamiran and Calders' "
            "weight w(s, y) = P(S=s)·P(Y=y) / P(S=s, Y=y) for the rows of group s with label y; "
            "an empty cell gets 0.0. Hidden cases check it, an empty cell among them."),
    variables=("reweighing_weight",),
    hints=(
        "Each P is a fraction of the rows, and the mean of a boolean array is a fraction: "
        "`(groups == s).mean()` is P(S=s).",
        "Compute the three fractions P(S=s), P(Y=y) and P(S=s, Y=y) (both conditions at once, "
        "with `&`), then expected over observed. Check the joint one first: when it is 0 the "
        "cell is empty and the docstring asks for 0.0.",
        "`p_cell = ((groups == s) & (labels == y)).mean()`; `if p_cell == 0: return 0.0`; then "
        "return P(S=s) times P(Y=y), divided by `p_cell`.",
    ),
    solution_code=_W_SOLUTION,
    wrong_code=(
        _w_function('''
return ((groups == s) & (labels == y)).mean() / ((groups == s).mean() * (labels == y).mean())'''),
        _w_function('''
return float(((groups == s) & (labels == y)).mean() / (groups == s).mean())'''),
        _w_function('''
p_cell = float(((groups == s) & (labels == y)).mean())
return float((groups == s).mean()) * float((labels == y).mean()) / p_cell'''),
        _w_function('''
n_cell = ((groups == s) & (labels == y)).sum()
if n_cell == 0:
    return 0.0
return float((groups == s).sum() * (labels == y).sum() / n_cell)'''),
        _w_function('''
p_cell = ((groups == y) & (labels == s)).mean()
if p_cell == 0:
    return 0.0
return float((groups == s).mean() * (labels == y).mean() / p_cell)'''),
    ),
    setup_code="import numpy as np\nfrom course_lib.exercises import ____",
    reference=reweighing_weight_reference,
    cases=(
        Case("group B's hires, a rare cell", (*_HIRING, "B", 1), mistakes=(
            (0.5, "that is observed over expected, the formula upside down: a cell rarer than "
                  "independence predicts (B's hires) must weigh more than 1."),
            (0.25, "that is P(Y=y | S=s), group B's hiring rate; the weight divides "
                   "P(S=s)·P(Y=y) by the joint P(S=s, Y=y)."),
            (20.0, "that is 10 times the weight, the number of rows: you divided counts, not "
                   "fractions. Divide each count by the number of rows (or take means)."),
            (0.0, "0.0 is for an empty cell, and this one has a row: check that the joint "
                  "fraction compares `groups` with `s` and `labels` with `y`, not swapped."),
        )),
        Case("group A's hires, a common cell", (*_HIRING, "A", 1), mistakes=(
            (4 / 3, "that is observed over expected, upside down: group A's hires are more "
                    "common than independence predicts, so they weigh less than 1."),
            (7.5, "that is 10 times the weight: you divided counts, not fractions."),
        )),
        Case("independent group and label: weight 1", (*_arrays("AABB", "1010"), "A", 0)),
        Case("an empty cell: group B has no hires", (*_arrays("AAABB", "10100"), "B", 1),
             mistakes=(
            (float("inf"), "you divided by P(S=s, Y=y) = 0: no row is in this cell, and the "
                           "docstring asks for 0.0 there."),
            (float("nan"), "NaN: the cell is empty, and the docstring asks for 0.0 there."),
        )),
        Case("labels 0 of group x, unequal groups", (*_arrays("xyxx", "0010"), "x", 0)),
        Case("a group with no rows at all", (*_arrays("AABB", "1010"), "C", 1), mistakes=(
            (float("nan"), "NaN from 0/0: group C has no rows, so the cell is empty and the "
                           "docstring asks for 0.0."),
        )),
    ),
)

# -- q2: reflection on equalized odds against biased labels ---------------------------------------
_Q2_PROMPT = ("In this notebook, the model trained with an equalized-odds adversary on the "
              "historical labels kept the selection gap at 0.14 (0.15 without mitigation), while "
              "the demographic-parity adversary narrowed it to 0.04. A colleague concludes that "
              "equalized odds is the weaker criterion. What would you answer? Write a few "
              "sentences in `answer_q2`.")

q2 = ReflectionProblem(
    id="bias_mitigation.q2",
    prompt=_Q2_PROMPT,
    variables=("answer_q2",),
    hints=(
        "Equalized odds compares error rates *against the labels*. What do these labels record?",
        "Look back at the unmitigated network's EO gap in section 1: how far from equalized odds "
        "was it before any adversary started, and why?",
        "Say when each criterion is the right one: with trustworthy labels, and with labels that "
        "encode past discrimination; then what evidence (an audit of the truth) tells you which "
        "case you are in.",
    ),
    solution_code='''answer_q2 = """
    Equalized odds is measured against the labels, and here the labels are past hiring decisions
    that held group B to a higher bar. A model that reproduces them already has an equalized odds
    gap of 0.01 against those labels, so equalized odds certifies the historical bias rather than
    removing it. It is not weaker in general: when the labels are a trustworthy ground truth it is
    the right criterion, and demographic parity would then force errors. The choice depends on
    whether the labels are biased, which needs evidence such as an audit of true qualification;
    here we know the groups are equally qualified, so parity of selection is justified.
    """''',
    wrong_code=(
        'answer_q2 = "Equalized odds is fine."',
        f"answer_q2 = {_Q2_PROMPT!r}",
        'answer_q2 = "equalized odds is weaker " * 10',
        "answer_q2 = None",
    ),
    rubric=(
        Criterion("equalized odds is judged against the labels, which here record biased past "
                  "decisions"),
        Criterion("a model that reproduces biased labels can satisfy equalized odds "
                  "(it certifies the bias)"),
        Criterion("with trustworthy labels equalized odds is the right criterion and parity can "
                  "force errors"),
        Criterion("deciding needs evidence about the labels: an audit or the true outcome"),
    ),
    discussion=("In pairs: one argues for equalized odds, one for demographic parity, for this "
                "hiring model. What evidence about the labels would make each of you change "
                "your mind, and who could collect it?"),
)


# -- q3: a threshold for group B, on the audit sample -------------------------------------------
def _threshold_b(df, scores, truth: str = "qualified", how: str = "tpr") -> float:
    """Group B's threshold matching group A's rate at 0.5, or a known mistake's."""
    import numpy as np

    scores = np.asarray(scores)
    pos = (df[truth] == 1).to_numpy()
    is_a, is_b = (df["group"] == "A").to_numpy(), (df["group"] == "B").to_numpy()
    if how == "selection":
        rate = (scores[is_a] >= 0.5).mean()
        return float(np.quantile(scores[is_b], 1 - rate))
    if how == "swapped":  # A's threshold that matches B's TPR at 0.5
        rate = (scores[pos & is_b] >= 0.5).mean()
        return float(np.quantile(scores[pos & is_a], 1 - rate))
    rate = (scores[pos & is_a] >= 0.5).mean()
    q = rate if how == "wrong_tail" else 1 - rate
    return float(np.quantile(scores[pos & is_b], q))


q3 = ComputedValueProblem(
    id="bias_mitigation.q3",
    prompt=("Post-processing by hand. Keep group A's threshold at 0.5 on `audit_scores`. Which "
            "threshold for group B gives B's *truly qualified* applicants in `audit_df` the same "
            "true positive rate as A's (equal opportunity, Hardt et al.)? Store it in `thr_b`."),
    variables=("thr_b",),
    hints=(
        "First find group A's TPR at 0.5 on the audit sample: among A's rows with "
        "`qualified == 1`, the fraction whose score is at least 0.5. Group B must select the "
        "same fraction of its qualified applicants.",
        "Selecting the top fraction r of some scores means a threshold at their (1 − r) "
        "quantile. Use `audit_df` and `audit_scores` (the sample whose truth an audit "
        "established), not the test set, which is kept for evaluation.",
        "With boolean arrays `qual`, `is_a`, `is_b` from `audit_df`: "
        "`tpr_a = (audit_scores[qual & is_a] >= 0.5).mean()`, then take `np.quantile` of "
        "`audit_scores[qual & is_b]` at 1 − tpr_a.",
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
        '''qual = (test_df["qualified"] == 1).to_numpy()
is_a = (test_df["group"] == "A").to_numpy()
is_b = (test_df["group"] == "B").to_numpy()
tpr_a = (test_scores[qual & is_a] >= 0.5).mean()
thr_b = np.quantile(test_scores[qual & is_b], 1 - tpr_a)''',
        '''qual = (audit_df["qualified"] == 1).to_numpy()
is_a = (audit_df["group"] == "A").to_numpy()
is_b = (audit_df["group"] == "B").to_numpy()
tpr_b = (audit_scores[qual & is_b] >= 0.5).mean()
thr_b = np.quantile(audit_scores[qual & is_a], 1 - tpr_b)''',
        "thr_b = 0.5",
        "thr_b = 0.19",
    ),
    setup_code=_SETUP + _SCORER,
    context=("audit_df", "audit_scores", "test_df", "test_scores"),
    expected=lambda audit_df, audit_scores, test_df, test_scores: _threshold_b(
        audit_df, audit_scores),
    # Any threshold between two neighbouring scores of B's qualified gives the same decisions;
    # 0.0005 admits each quantile method, and not the test set's threshold (0.0013 away).
    abs_tol=5e-4,
    rel_tol=0.0,
    known_wrong=(
        (lambda audit_df, audit_scores, *_: _threshold_b(audit_df, audit_scores,
                                                         how="wrong_tail"),
         "that threshold keeps the bottom fraction: to select the top fraction r of scores, "
         "take the (1 − r) quantile, not the r quantile."),
        (lambda audit_df, audit_scores, *_: _threshold_b(audit_df, audit_scores, truth="label"),
         "that equalises TPR against the historical `label`, which already encodes the bias; "
         "use `qualified`, what the audit measured."),
        (lambda audit_df, audit_scores, *_: _threshold_b(audit_df, audit_scores,
                                                         how="selection"),
         "that equalises selection rates over all of B's applicants (demographic parity); equal "
         "opportunity compares only the truly qualified."),
        (lambda _a, _s, test_df, test_scores: _threshold_b(test_df, test_scores),
         "that is computed on the test set (`test_df`, `test_scores`): thresholds are fitted on "
         "the audit sample, whose truth was established for this; the test set stays untouched "
         "to evaluate them."),
        (lambda audit_df, audit_scores, *_: _threshold_b(audit_df, audit_scores, how="swapped"),
         "the groups are swapped: that is the threshold for group A that matches B's TPR at 0.5; "
         "the question keeps A at 0.5 and moves B."),
        (lambda *_: 0.5,
         "that is group A's threshold; at 0.5 group B's qualified applicants are selected less "
         "often than A's. Lower B's threshold until the TPRs match."),
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
        "For each letter, name what is yours to change: a vendor's scores, your data pipeline, "
        "your training objective, or only the passage of time since an audit.",
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
