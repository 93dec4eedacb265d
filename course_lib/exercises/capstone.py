"""Checkpoints for notebook 11 (the capstone audit of a credit model).

Numbers are checked against the learner's own run (``ComputedValueProblem``: the expected value
is computed from the notebook's objects), choices against the audit's reasons, and the written
fairness rationale against a rubric.
"""

from __future__ import annotations

from course_lib.exercises._core import (
    ComputedValueProblem,
    Criterion,
    MatchingProblem,
    ReflectionProblem,
    register,
)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]

OLDER, YOUNG = "25 and over", "under 25"

# A small stand-in for the notebook's objects, so tests can run every answer (the checks compute
# their expected values from whatever objects they are given).
_GROUPS_SETUP = """\
import numpy as np
import pandas as pd

rng = np.random.default_rng(0)
age_group = pd.Series(np.where(rng.random(400) < 0.2, "under 25", "25 and over"),
                      name="age group")
y = rng.binomial(1, np.where(age_group == "under 25", 0.6, 0.72))
approved = np.where(rng.random(400) < np.where(age_group == "under 25", 0.7, 0.85), y, 1 - y)
"""


def _rate(values, mask) -> float:
    import numpy as np

    return float(np.mean(np.asarray(values)[np.asarray(mask)]))


# -- q1: which attributes can be audited ---------------------------------------------------------
q1 = MatchingProblem(
    id="capstone.q1",
    prompt=("Before measuring anything, decide what each protected attribute can support. For "
            "each of 'age group', 'sex' and 'foreign worker', choose 'reliable', 'unreliable "
            "coding' or 'too few people', using the datasheet and the counts above. Store the "
            "dict in `auditable`."),
    variables=("auditable",),
    hints=(
        "Read the datasheet's 'Known harms and misuse' section printed above, then the group "
        "counts.",
        "Decoded by Grömping's (2019) corrected code table, sex is unknown for 310 applicants and "
        "the 92 known women are all single; 37 of 1,000 applicants are foreign workers; 149 "
        "applicants are under 25.",
    ),
    solution_code="""\
auditable = {"age group": "reliable", "sex": "unreliable coding",
             "foreign worker": "too few people"}""",
    wrong_code=(
        """\
auditable = {"age group": "reliable", "sex": "reliable", "foreign worker": "too few people"}""",
        """\
auditable = {"age group": "too few people", "sex": "unreliable coding",
             "foreign worker": "too few people"}""",
        """\
auditable = {"age group": "reliable", "sex": "unreliable coding", "foreign worker": "reliable"}""",
    ),
    choices=("reliable", "unreliable coding", "too few people"),
    answers={"age group": "reliable", "sex": "unreliable coding",
             "foreign worker": "too few people"},
    why={"age group": "age is recorded in years for every applicant, and 149 of them are under "
                      "25: few enough for wide intervals, enough to measure.",
         "sex": "one code holds both women who are not single and single men (Grömping, 2019): "
                "sex is unknown for 310 applicants and the 92 known women are all single, so "
                "results by this column mix sex with marital status.",
         "foreign worker": "only 37 of the 1,000 applicants are foreign workers: any rate of "
                           "that group rests on a handful of people."},
    confusions={("sex", "reliable"): "598 men and 92 women look usable, but the 92 are all "
                                     "single and 310 applicants have no recorded sex (see the "
                                     "datasheet's warning): the groups mix sex with marital "
                                     "status.",
                ("age group", "too few people"): "149 people is few, and the intervals will show "
                                                 "it, but it is enough to measure; 37 is not."},
)


# -- q2: the base-rate gap -----------------------------------------------------------------------
def _base_gap(y, age_group) -> float:
    import numpy as np

    g = np.asarray(age_group)
    return _rate(y, g == OLDER) - _rate(y, g == YOUNG)


def _base_ratio(y, age_group) -> float:
    import numpy as np

    g = np.asarray(age_group)
    return _rate(y, g == YOUNG) / _rate(y, g == OLDER)


q2 = ComputedValueProblem(
    id="capstone.q2",
    prompt=("How much more often did applicants aged 25 and over repay than applicants under "
            "25? Store the difference of the good-credit rates, rate(25 and over) − rate(under "
            "25), as a fraction, in `base_rate_gap`."),
    variables=("base_rate_gap",),
    context=("y", "age_group"),
    hints=(
        "`y` is 1 for a good credit; the good-credit rate of a group is the mean of `y` over its "
        "rows.",
        "`y[age_group == '25 and over'].mean() - y[age_group == 'under 25'].mean()`",
    ),
    solution_code="""\
base_rate_gap = y[age_group == "25 and over"].mean() - y[age_group == "under 25"].mean()""",
    wrong_code=(
        """\
base_rate_gap = y[age_group == "under 25"].mean() - y[age_group == "25 and over"].mean()""",
        """\
base_rate_gap = y[age_group == "under 25"].mean() / y[age_group == "25 and over"].mean()""",
    ),
    setup_code=_GROUPS_SETUP,
    expected=_base_gap,
    known_wrong=(
        (lambda y, g: -_base_gap(y, g),
         "check the order: the question asks for 25 and over minus under 25, a positive number "
         "when the older group repaid more often."),
        (_base_ratio, "that is a ratio; the question asks for the difference of the two rates."),
    ),
)


# -- q3: which definition answers which concern -------------------------------------------------
q3 = MatchingProblem(
    id="capstone.q3",
    prompt=("Three people state what 'fair' means to them for this lender. Match each concern to "
            "the definition that measures it: 'demographic parity', 'equal opportunity' or "
            "'predictive parity'. Store the dict in `definition_for`."),
    variables=("definition_for",),
    hints=(
        "Ask of each concern: equal *what*, among *whom*? Everyone (selection rate), the "
        "creditworthy (TPR), or those approved (PPV)?",
        "Demographic parity compares P(approved | group); equal opportunity P(approved | good "
        "credit, group); predictive parity P(good credit | approved, group).",
    ),
    solution_code="""\
definition_for = {"applicant": "equal opportunity", "regulator": "demographic parity",
                  "lender": "predictive parity"}""",
    wrong_code=(
        """\
definition_for = {"applicant": "demographic parity", "regulator": "demographic parity",
                  "lender": "predictive parity"}""",
        """\
definition_for = {"applicant": "equal opportunity", "regulator": "demographic parity",
                  "lender": "equal opportunity"}""",
    ),
    choices=("demographic parity", "equal opportunity", "predictive parity"),
    answers={"applicant": "equal opportunity", "regulator": "demographic parity",
             "lender": "predictive parity"},
    why={"applicant": "'someone who would repay should have the same chance of approval whatever "
                      "their age' conditions on repaying: equal TPR, equal opportunity.",
         "regulator": "'each age group should be approved at the same rate' compares approval "
                      "rates of everyone: demographic parity.",
         "lender": "'an approved loan should be as safe in every age group' compares the "
                   "repayment rate among the approved: PPV, predictive parity."},
    confusions={("applicant", "demographic parity"): "the applicant speaks of people who *would "
                                                     "repay*: that conditions on the label, "
                                                     "which demographic parity ignores."},
)


# -- q4: the model's TPR gap ---------------------------------------------------------------------
def _tpr_gap(y, approved, age_group) -> float:
    import numpy as np

    yv, g = np.asarray(y), np.asarray(age_group)
    return _rate(approved, (g == OLDER) & (yv == 1)) - _rate(approved, (g == YOUNG) & (yv == 1))


def _selection_gap(y, approved, age_group) -> float:  # noqa: ARG001 (same signature)
    import numpy as np

    g = np.asarray(age_group)
    return _rate(approved, g == OLDER) - _rate(approved, g == YOUNG)


def _fpr_gap(y, approved, age_group) -> float:
    import numpy as np

    yv, g = np.asarray(y), np.asarray(age_group)
    return _rate(approved, (g == OLDER) & (yv == 0)) - _rate(approved, (g == YOUNG) & (yv == 0))


q4 = ComputedValueProblem(
    id="capstone.q4",
    prompt=("Equal opportunity asks whether applicants who repaid were approved at the same rate "
            "in both age groups. From `y`, `approved` and `age_group`, compute TPR(25 and over) "
            "− TPR(under 25) and store it in `tpr_gap`."),
    variables=("tpr_gap",),
    context=("y", "approved", "age_group"),
    hints=(
        "A group's TPR is the share approved among its applicants with a good credit (`y == 1`).",
        "`good = y == 1`, then `approved[good & (age_group == '25 and over')].mean()` minus the "
        "same for 'under 25'. Or read the `tpr` column of `group_report(y, approved, age_group)`.",
    ),
    solution_code="""\
good = y == 1
older, young = (age_group == "25 and over").to_numpy(), (age_group == "under 25").to_numpy()
tpr_gap = approved[good & older].mean() - approved[good & young].mean()""",
    wrong_code=(
        """\
older, young = (age_group == "25 and over").to_numpy(), (age_group == "under 25").to_numpy()
tpr_gap = approved[older].mean() - approved[young].mean()""",
        """\
bad = y == 0
older, young = (age_group == "25 and over").to_numpy(), (age_group == "under 25").to_numpy()
tpr_gap = approved[bad & older].mean() - approved[bad & young].mean()""",
        """\
good = y == 1
older, young = (age_group == "25 and over").to_numpy(), (age_group == "under 25").to_numpy()
tpr_gap = approved[good & young].mean() - approved[good & older].mean()""",
    ),
    setup_code=_GROUPS_SETUP,
    expected=_tpr_gap,
    known_wrong=(
        (_selection_gap, "that is the gap in approval rates among everyone (demographic "
                         "parity); equal opportunity looks only at applicants who repaid "
                         "(`y == 1`)."),
        (_fpr_gap, "that compares applicants who did *not* repay (the FPR): equal opportunity "
                   "is about those who did, `y == 1`."),
        (lambda y, a, g: -_tpr_gap(y, a, g),
         "check the order: 25 and over minus under 25."),
    ),
)


# -- q5: a one-feature counterfactual ------------------------------------------------------------
_CF_SETUP = """\
import numpy as np

from course_lib.explain import FeatureSpec

FEATURES = ["duration", "credit_amount"]
SPECS = {"duration": FeatureSpec("Duration", "{:.0f} months"),
         "credit_amount": FeatureSpec("Credit amount", "{:,.0f} DM")}


def approval_score(points):
    points = np.atleast_2d(points)
    return 1 / (1 + np.exp((points[:, 1] - 4000) / 800 + (points[:, 0] - 24) / 12))


applicant = np.array([54.0, 4000.0])
"""
STEP_MONTHS, MIN_MONTHS = 6, 6


def _cut(approval_score, applicant, FEATURES) -> float:  # noqa: N803 (the notebook's name)
    """Months the duration must fall, in steps of 6 and to at least 6, for a score >= 0.5."""
    import numpy as np

    j = list(FEATURES).index("duration")
    steps = np.arange(1, int((applicant[j] - MIN_MONTHS) // STEP_MONTHS) + 1)
    points = np.repeat(np.asarray(applicant, dtype=float)[None], len(steps), axis=0)
    points[:, j] = applicant[j] - STEP_MONTHS * steps
    ok = np.flatnonzero(np.asarray(approval_score(points)) >= 0.5) if len(steps) else []
    return float(STEP_MONTHS * steps[ok[0]]) if len(ok) else float("nan")


def _new_duration(approval_score, applicant, FEATURES) -> float:  # noqa: N803
    j = list(FEATURES).index("duration")
    return float(applicant[j]) - _cut(approval_score, applicant, FEATURES)


q5 = ComputedValueProblem(
    id="capstone.q5",
    prompt=("Suppose the applicant can change only the duration of the credit, in steps of 6 "
            "months downwards and to at least 6 months. By how many months must it fall for the "
            "model to approve (score ≥ 0.5)? Use `counterfactual` with a spec dict in which only "
            "`duration` may change, and store the reduction in months in `duration_cut`."),
    variables=("duration_cut",),
    context=("approval_score", "applicant", "FEATURES"),
    hints=(
        "Copy `SPECS` with every column fixed, then give `duration` a spec with "
        "`change=\"down\"`, `step=6` and `lo=6`.",
        "`counterfactual(approval_score, applicant, FEATURES, only_duration, "
        "np.ones(len(FEATURES)), max_changes=1)` returns a `Counterfactual`; its "
        "`changes['duration']` is (old, new): the reduction is old − new.",
    ),
    solution_code="""\
from course_lib.explain import FeatureSpec, counterfactual

only_duration = {name: FeatureSpec(spec.label, spec.fmt, categories=spec.categories)
                 for name, spec in SPECS.items()}
only_duration["duration"] = FeatureSpec("Duration", "{:.0f} months", change="down", step=6,
                                        lo=6)
cf = counterfactual(approval_score, applicant, FEATURES, only_duration,
                    np.ones(len(FEATURES)), max_changes=1)
old, new = cf.changes["duration"]
duration_cut = old - new""",
    wrong_code=(
        """\
from course_lib.explain import FeatureSpec, counterfactual

only_duration = {name: FeatureSpec(spec.label, spec.fmt, categories=spec.categories)
                 for name, spec in SPECS.items()}
only_duration["duration"] = FeatureSpec("Duration", "{:.0f} months", change="down", step=6,
                                        lo=6)
cf = counterfactual(approval_score, applicant, FEATURES, only_duration,
                    np.ones(len(FEATURES)), max_changes=1)
duration_cut = cf.changes["duration"][1]""",
    ),
    setup_code=_CF_SETUP,
    expected=_cut,
    known_wrong=(
        (_new_duration, "that is the new duration; the question asks for the reduction, old "
                        "duration minus new."),
    ),
    rel_tol=0.0,
    abs_tol=1e-6,
)


# -- q6: the generalisation gap behind membership leakage ----------------------------------------
_MEMBERS_SETUP = """\
import numpy as np

from course_lib.models import fit_mlp

rng = np.random.default_rng(0)
x = rng.normal(size=(300, 6)).astype(np.float32)
t = (x[:, 0] + rng.normal(size=300) > 0).astype(int)
x_members, y_members, x_nonmembers, y_nonmembers = x[:200], t[:200], x[200:], t[200:]
fold_model = fit_mlp(x_members, y_members, hidden=(32,), epochs=30, random_state=0,
                     progress=False)
"""


def _accuracy(model, x, y) -> float:
    import numpy as np

    from course_lib.models import predict

    return float(np.mean(predict(model, x) == np.asarray(y)))


def _gen_gap(fold_model, x_members, y_members, x_nonmembers, y_nonmembers) -> float:
    return (_accuracy(fold_model, x_members, y_members)
            - _accuracy(fold_model, x_nonmembers, y_nonmembers))


q6 = ComputedValueProblem(
    id="capstone.q6",
    prompt=("Membership leakage follows the generalisation gap (Yeom et al., 2018). Compute the "
            "fold model's accuracy on its training rows (`x_members`, `y_members`) minus its "
            "accuracy on the rows it never saw (`x_nonmembers`, `y_nonmembers`), and store it in "
            "`generalisation_gap`."),
    variables=("generalisation_gap",),
    context=("fold_model", "x_members", "y_members", "x_nonmembers", "y_nonmembers"),
    hints=(
        "`predict(fold_model, x)` gives the predicted labels; accuracy is the share equal to "
        "the true labels.",
        "`(predict(fold_model, x_members) == y_members).mean() - "
        "(predict(fold_model, x_nonmembers) == y_nonmembers).mean()`",
    ),
    solution_code="""\
from course_lib.models import predict

generalisation_gap = ((predict(fold_model, x_members) == y_members).mean()
                      - (predict(fold_model, x_nonmembers) == y_nonmembers).mean())""",
    wrong_code=(
        """\
from course_lib.models import predict

generalisation_gap = ((predict(fold_model, x_nonmembers) == y_nonmembers).mean()
                      - (predict(fold_model, x_members) == y_members).mean())""",
        """\
from course_lib.models import predict

generalisation_gap = (predict(fold_model, x_members) == y_members).mean()""",
    ),
    setup_code=_MEMBERS_SETUP,
    expected=_gen_gap,
    known_wrong=(
        (lambda m, xm, ym, xn, yn: -_gen_gap(m, xm, ym, xn, yn),
         "check the order: training rows minus unseen rows (positive when the model fits its "
         "own data better)."),
        (lambda m, xm, ym, xn, yn: _accuracy(m, xm, ym),
         "that is the training accuracy alone; subtract the accuracy on the rows it never saw."),
    ),
)


# -- q7: the card's fairness rationale -----------------------------------------------------------
q7 = ReflectionProblem(
    id="capstone.q7",
    prompt=("Write the 'Fairness definition' rationale of the model card as you would sign it: "
            "which definition you chose for this credit model and why, what the audit measured "
            "(with its uncertainty), what the mitigation cost, and what an applicant who "
            "disagrees can do. A few sentences in `answer_q7`."),
    variables=("answer_q7",),
    hints=(
        "Use your answers to checkpoints 3 and 4 and the table of section 4: the definition, "
        "the gap with its interval, and what changed when the penalty was applied.",
        "A strong rationale names the definition and whom it protects, gives the numbers with "
        "their intervals and the group's size, states the trade-off (accuracy, and the operating "
        "point it was measured at), keeps age out of the decision rule, and points to human "
        "review and appeal.",
    ),
    solution_code='''answer_q7 = """
    We chose equal opportunity: an applicant who would repay should have the same chance of
    approval whatever their age, because a wrongly declined young applicant is the harm the
    audit found. Measured on out-of-fold predictions, creditworthy applicants under 25 were
    approved several points less often than older ones, with a wide bootstrap interval: only
    149 applicants are under 25. Training with a fairness penalty, compared at the same approval
    rate, changed that gap by between -5 and 15 points across seeds, for at most 3 points of
    accuracy, so its benefit is not established (at the default threshold it would have approved
    almost everyone, defaults included, so the threshold is set for the bank's lending volume);
    age is used only in training, never in the decision rule. The intervals are too wide to
    promise parity, so we monitor the gap monthly, and every declined applicant gets the main
    reasons and can ask for a human review.
    """''',
    wrong_code=(
        'answer_q7 = "The model is fair."',
        'answer_q7 = ("German credit has one thousand rows and twenty attributes collected by a '
        'bank in southern Germany between nineteen seventy three and nineteen seventy five, '
        'with bad credits over-sampled to thirty percent of the rows.")',
    ),
    rubric=(
        Criterion("names the definition and whom it protects (equal opportunity: creditworthy "
                  "applicants of every age)"),
        Criterion("reports the measured gap with its uncertainty (interval, small group)"),
        Criterion("states what the mitigation cost and at which operating point (accuracy, FPR, "
                  "the approval rate)"),
        Criterion("keeps age out of the decision, and gives a path to contest it (human review, "
                  "appeal, monitoring)"),
    ),
)

register(q1, q2, q3, q4, q5, q6, q7)
