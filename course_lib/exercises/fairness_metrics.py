"""Exercises of notebook 03 (measuring fairness):
``from course_lib.exercises.fairness_metrics import q1, q2, q3, q4, q5, q6``.

q1 and q3 are numbers on COMPAS, q2 the implement-the-core exercise (the learner writes the
equal opportunity difference, checked on hidden cases: a group with no positives, three groups,
zero_division), q4 a reflection, q5 and q6 decisions that accept every defensible definition.
"""

from __future__ import annotations

from typing import Any

from course_lib.exercises._core import (
    Criterion,
    DecisionProblem,
    Option,
    ReflectionProblem,
    ValueProblem,
    register,
)
from course_lib.exercises._function import Case, FunctionProblem

__all__ = ["DEFINITIONS", "q1", "q2", "q3", "q4", "q5", "q6", "tpr_gap"]

DEFINITIONS = ("demographic parity", "equal opportunity", "equalized odds", "predictive parity",
               "calibration")


# ---- q1, q3: COMPAS numbers ---------------------------------------------------------------------
def _compas(flag: str = "higher") -> tuple[Any, Any, Any]:
    """(two-year recidivism, flag, race) for Black and white defendants; ``flag`` is "higher"
    (Medium or High, ProPublica's cut) or "high" (High only)."""
    from course_lib.data import load_compas

    compas = load_compas()
    two = compas[compas["race"].isin(["African-American", "Caucasian"])]
    flagged = (two["score_text"] == "High") if flag == "high" else (two["score_text"] != "Low")
    return (two["two_year_recid"].to_numpy(), flagged.astype(int).to_numpy(),
            two["race"].astype(str).to_numpy())


def _selection(favourable: bool) -> tuple[float, float]:
    """(lowest, highest) selection rate of low (favourable) or higher risk, by race."""
    import numpy as np

    from course_lib.fairness import group_report

    y, higher, race = _compas()
    decision = 1 - higher if favourable else higher
    sel = group_report(y, decision, race, zero_division=np.nan)["selection_rate"]
    return float(sel.min()), float(sel.max())


def _gap(rate: str, flag: str = "higher", advantaged: bool = False) -> float:
    """max − min over race of one group_report rate of the flag (or of its complement)."""
    import numpy as np

    from course_lib.fairness import group_report

    y, flagged, race = _compas(flag)
    if advantaged:
        y, flagged = 1 - y, 1 - flagged
    r = group_report(y, flagged, race, zero_division=np.nan)[rate]
    return float(r.max() - r.min())


_SETUP = '''\
import numpy as np

from course_lib.data import load_compas
from course_lib.fairness import (
    demographic_parity_difference,
    equal_opportunity_difference,
    equalized_odds_difference,
    four_fifths_rule,
    group_report,
    predictive_parity_difference,
)

compas = load_compas()
two = compas[compas["race"].isin(["African-American", "Caucasian"])]
race = two["race"].astype(str)
recid = two["two_year_recid"]
higher_risk = (two["score_text"] != "Low").astype(int)
'''

q1 = ValueProblem(
    id="fairness_metrics.q1",
    prompt=("Apply the four-fifths rule to COMPAS as if the *favourable* decision were being "
            "labelled low risk (for example, release before trial). Store the ratio of the "
            "lowest to the highest group's rate of being labelled low risk, Black and white "
            "defendants only, in `low_risk_ratio`."),
    variables=("low_risk_ratio",),
    hints=(
        "The four-fifths rule is about the *favourable* outcome: which decision is it here, and "
        "how do you get it from `higher_risk`?",
        "The rule divides the lowest group's selection rate by the highest group's, so the "
        "ratio is at most 1; `four_fifths_rule(decisions, groups)` returns it as `.ratio`.",
        "Low risk is `1 - higher_risk`: pass that and `race` to `four_fifths_rule(...)` and "
        "keep its `.ratio` (not the printed, rounded table value).",
    ),
    solution_code="low_risk_ratio = four_fifths_rule(1 - higher_risk, race).ratio",
    wrong_code=(
        "low_risk_ratio = four_fifths_rule(higher_risk, race).ratio",
        "low_risk_ratio = 1 / four_fifths_rule(1 - higher_risk, race).ratio",
        "low_risk_ratio = demographic_parity_difference(recid, 1 - higher_risk, race)",
        "low_risk_ratio = 100 * four_fifths_rule(1 - higher_risk, race).ratio",
        "low_risk_ratio = 0.63",
        "low_risk_ratio = four_fifths_rule(1 - recid, race).ratio",
    ),
    setup_code=_SETUP,
    expected=lambda: _selection(True)[0] / _selection(True)[1],
    rel_tol=1e-6,
    known_wrong=(
        (lambda: _selection(False)[0] / _selection(False)[1],
         "that is the ratio for being labelled *higher* risk, the unfavourable decision. The "
         "rule compares how often each group gets the favourable outcome: `1 - higher_risk`."),
        (lambda: _selection(True)[1] / _selection(True)[0],
         "that is highest / lowest, which is above 1. The rule divides the lowest rate by the "
         "highest, so the result is at most 1 and fails below 0.8."),
        (lambda: _selection(True)[1] - _selection(True)[0],
         "that is the demographic parity *difference* (highest − lowest). The four-fifths rule "
         "uses the *ratio* lowest / highest."),
        (lambda: _outcome_ratio(),
         "that is the ratio of the groups' rates of *not reoffending* (`1 - recid`), the "
         "outcome, not the decision. The rule compares decisions: `1 - higher_risk`."),
    ),
)


def _outcome_ratio() -> float:
    import numpy as np

    from course_lib.fairness import group_report

    y, _, race = _compas()
    sel = group_report(y, 1 - y, race, zero_division=np.nan)["selection_rate"]
    return float(sel.min() / sel.max())


# ---- q2: implement the core: the equal opportunity difference -----------------------------------
def tpr_gap(y_true, y_pred, groups, zero_division=0.0) -> float:
    """The reference: max_g TPR(g) − min_g TPR(g), a group with no positives at zero_division."""
    import numpy as np

    from course_lib.fairness import group_report

    tpr = group_report(list(y_true), list(y_pred), list(groups),
                       zero_division=zero_division)["tpr"]
    return float(np.max(tpr) - np.min(tpr))


_TWO = ([1, 1, 0, 1, 1, 0], [1, 0, 0, 1, 1, 1], ["a", "a", "a", "b", "b", "b"])
# three groups, TPRs a 2/3, b 1, c 1/3: the gap is b − c, not a − b (the first two listed)
_THREE = ([1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0],
          [1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0],
          ["a", "c", "c", "c", "b", "b", "a", "a", "c", "a", "b"])
_NO_POSITIVES = ([1, 1, 0, 1, 1, 0, 0, 0], [1, 0, 1, 1, 1, 0, 1, 0],
                 ["a", "a", "a", "b", "b", "b", "c", "c"])  # group c: nobody with y = 1

q2 = FunctionProblem(
    id="fairness_metrics.q2",
    prompt=("Write the equal opportunity difference yourself: `equal_opportunity_gap(y_true, "
            "y_pred, groups, zero_division=0.0)` returns max_g TPR(g) − min_g TPR(g), with "
            "TPR(g) = TP/(TP + FN) among group g's rows and a group with no positives "
            "(TP + FN = 0) at `zero_division`, as scikit-learn does."),
    variables=("equal_opportunity_gap",),
    hints=(
        "Work group by group: for each group, keep only its rows whose true label is 1, and "
        "ask how many of them were predicted 1.",
        "TPR(g) = (number of rows of g with y_pred = 1 and y_true = 1) / (number of rows of g "
        "with y_true = 1). Collect one TPR per group in a list, then return max − min. When a "
        "group has no y_true = 1 at all, its TPR is `zero_division`, not a division by 0.",
        "A skeleton: `y, p, g = map(np.asarray, (y_true, y_pred, groups))`, then for each `k` "
        "in `np.unique(g)`: `positives = (g == k) & (y == 1)`; the TPR is "
        "`p[positives].mean()` if `positives.any()` else `zero_division`; finally "
        "`max(tprs) - min(tprs)`.",
    ),
    solution_code='''\
import numpy as np


def equal_opportunity_gap(y_true, y_pred, groups, zero_division=0.0):
    y, p, g = np.asarray(y_true), np.asarray(y_pred), np.asarray(groups)
    tprs = []
    for k in np.unique(g):
        positives = (g == k) & (y == 1)
        tprs.append(p[positives].mean() if positives.any() else zero_division)
    return float(max(tprs) - min(tprs))
''',
    wrong_code=(
        # the FPR gap: counted among the negatives
        "import numpy as np\n"
        "def equal_opportunity_gap(y_true, y_pred, groups, zero_division=0.0):\n"
        "    y, p, g = map(np.asarray, (y_true, y_pred, groups))\n"
        "    r = [p[(g == k) & (y == 0)].mean() if ((g == k) & (y == 0)).any() else zero_division"
        " for k in np.unique(g)]\n"
        "    return float(max(r) - min(r))\n",
        # the selection-rate gap: ignores the label
        "import numpy as np\n"
        "def equal_opportunity_gap(y_true, y_pred, groups, zero_division=0.0):\n"
        "    p, g = np.asarray(y_pred), np.asarray(groups)\n"
        "    r = [p[g == k].mean() for k in np.unique(g)]\n"
        "    return float(max(r) - min(r))\n",
        # no guard: a group without positives gives NaN
        "import numpy as np\n"
        "def equal_opportunity_gap(y_true, y_pred, groups, zero_division=0.0):\n"
        "    y, p, g = map(np.asarray, (y_true, y_pred, groups))\n"
        "    r = [np.sum(p[(g == k) & (y == 1)]) / np.sum((g == k) & (y == 1)) "
        "for k in np.unique(g)]\n"
        "    return float(np.max(r) - np.min(r))\n",
        # skips the group without positives instead of giving it zero_division
        "import numpy as np\n"
        "def equal_opportunity_gap(y_true, y_pred, groups, zero_division=0.0):\n"
        "    y, p, g = map(np.asarray, (y_true, y_pred, groups))\n"
        "    r = [p[(g == k) & (y == 1)].mean() for k in np.unique(g) "
        "if ((g == k) & (y == 1)).any()]\n"
        "    return float(max(r) - min(r))\n",
        # the first two groups only
        "import numpy as np\n"
        "def equal_opportunity_gap(y_true, y_pred, groups, zero_division=0.0):\n"
        "    y, p, g = map(np.asarray, (y_true, y_pred, groups))\n"
        "    a, b = np.unique(g)[:2]\n"
        "    return float(abs(p[(g == a) & (y == 1)].mean() - p[(g == b) & (y == 1)].mean()))\n",
        # the starter, unchanged
        "from course_lib.exercises import ____\n"
        "def equal_opportunity_gap(y_true, y_pred, groups, zero_division=0.0):\n"
        "    return ____\n",
    ),
    cases=(
        Case("two groups", _TWO,
             mistakes=((1.0, "that is the FPR gap: equal opportunity counts among the rows "
                             "with y_true = 1 (TP / (TP + FN)), not y_true = 0."),
                       (2 / 3, "that is the gap in selection rates (demographic parity): "
                               "keep only the rows with y_true = 1 before averaging y_pred."),
                       (1 / 3, "that is the PPV gap: it conditions on the prediction. The TPR "
                               "conditions on the true label."))),
        Case("three groups", _THREE,
             mistakes=((1 / 3, "that is the gap between two of the groups only (a and b): "
                               "take max − min over *all* groups (here b and c), as "
                               "fairlearn's between_groups does."),)),
        Case("a group with no positives", _NO_POSITIVES,
             mistakes=((0.5, "that leaves out group c, which has no rows with y_true = 1. The "
                             "docstring's convention gives it TPR = zero_division (0.0 here), "
                             "so the gap is max − 0."),)),
        Case("zero_division=1", _NO_POSITIVES, {"zero_division": 1.0},
             mistakes=((1.0, "with zero_division=1 the group with no positives has TPR 1.0, "
                             "not 0.0: use the argument, not a fixed 0."),)),
        Case("one group", ([1, 0, 1], [1, 1, 0], ["a", "a", "a"]),
             mistakes=()),
    ),
    reference=tpr_gap,
    setup_code="from course_lib.exercises import ____\n",
)

# ---- q3: equal opportunity at another cut -------------------------------------------------------
q3 = ValueProblem(
    id="fairness_metrics.q3",
    prompt=("Suppose only `score_text == \"High\"` counted as flagged (the advantaged decision "
            "is then *not* rated High). Store COMPAS's equal opportunity difference between "
            "Black and white defendants at this cut, on the advantaged outcome (not "
            "reoffending), as a fraction, in `eo_gap_high`."),
    variables=("eo_gap_high",),
    hints=(
        "Equal opportunity is defined on the advantaged outcome: among defendants who did not "
        "reoffend, how often was each group *not* flagged? Only the flag changes from the "
        "table above.",
        "Build the new flag, `high = (two[\"score_text\"] == \"High\").astype(int)`; the "
        "advantaged decision is `1 - high` and the advantaged outcome `1 - recid`. Your "
        "`equal_opportunity_gap` or course_lib's `equal_opportunity_difference` gives max − "
        "min of the TPR.",
        "`equal_opportunity_difference(1 - recid, 1 - high, race)` with the `high` flag above "
        "(the same number as the gap in FPR of `high`).",
    ),
    solution_code=('high = (two["score_text"] == "High").astype(int)\n'
                   "eo_gap_high = equal_opportunity_difference(1 - recid, 1 - high, race)"),
    wrong_code=(
        'high = (two["score_text"] == "High").astype(int)\n'
        "eo_gap_high = equal_opportunity_difference(recid, high, race)",
        "eo_gap_high = equal_opportunity_difference(1 - recid, 1 - higher_risk, race)",
        'high = (two["score_text"] == "High").astype(int)\n'
        "eo_gap_high = demographic_parity_difference(recid, high, race)",
        'high = (two["score_text"] == "High").astype(int)\n'
        "eo_gap_high = 100 * equal_opportunity_difference(1 - recid, 1 - high, race)",
        'high = (two["score_text"] == "High").astype(int)\n'
        "r = group_report(1 - recid, 1 - high, race, zero_division=np.nan)\n"
        "eo_gap_high = r.loc['African-American', 'tpr'] - r.loc['Caucasian', 'tpr']",
        'high = (two["score_text"] == "High").astype(int)\n'
        "eo_gap_high = predictive_parity_difference(recid, high, race)",
    ),
    setup_code=_SETUP,
    expected=lambda: _gap("tpr", "high", advantaged=True),
    rel_tol=1e-6,
    known_wrong=(
        (lambda: _gap("tpr", "high"),
         "that is the TPR gap of the *harmful* label (flagged High among those who "
         "reoffended). Hardt et al. condition on the advantaged outcome: not rated High among "
         "those who did not reoffend, `1 - recid` and `1 - high`."),
        (lambda: _gap("tpr", "higher", advantaged=True),
         "that is the gap at the Medium-or-High cut of the table above. Build the flag from "
         "`score_text == \"High\"` only."),
        (lambda: _gap("selection_rate", "high"),
         "that is the gap in how often each group is rated High at all: demographic parity, "
         "which ignores whether people reoffended."),
        (lambda: _gap("ppv", "high"),
         "that is the PPV gap (predictive parity): it conditions on the *prediction*. Equal "
         "opportunity conditions on the *outcome*: here, not reoffending."),
    ),
)

# ---- q4: reflection on the impossibility -----------------------------------------------
q4 = ReflectionProblem(
    id="fairness_metrics.q4",
    prompt=("COMPAS's base rates differ between Black and white defendants, so the county "
            "cannot have both a calibrated score and equal error rates. Which would you give up, "
            "and what would you tell the people affected? (About 60-120 words.)"),
    variables=("my_choice",),
    hints=(
        "Start from who bears each error: who is detained although they would not have "
        "reoffended, and who is released although they would?",
        "Say what each option costs: equal error rates mean the same score carries a different "
        "risk by group (the judge must know); calibration leaves one group with more false "
        "positives.",
        "Then question the setup: are the base rates measured fairly (re-arrest, not crime)? "
        "Could the decision change instead of the score (supervision instead of detention)? "
        "End with one sentence to the people affected.",
    ),
    solution_code='''my_choice = """I would give up calibration within groups and equalize
false positive rates, because the false positive is the harm to liberty: a person detained
although they would not have reoffended, and at present Black defendants bear it twice as often.
Calibration matters to the judge reading the score, so I would say openly that a score of 7 no
longer means the same re-arrest risk in both groups. I would also tell people that the base rates
are re-arrest rates, shaped by policing, and push to reduce the cost of a false positive:
supervision or reminders instead of detention."""''',
    wrong_code=('my_choice = "calibration"',
                'my_choice = " ".join(["the model is fine"] * 10)',
                "my_choice = 0.214"),
    rubric=(
        Criterion("names the trade-off: calibration (or equal PPV) against equal error rates"),
        Criterion("says who bears each error (detained without cause, released and reoffends)"),
        Criterion("questions the labels or base rates (re-arrest reflects policing)"),
        Criterion("considers changing the decision or its cost, not only the score"),
    ),
    discussion=("In pairs: one argues for calibration as the judge's need, the other for equal "
                "false positive rates as the defendant's; then agree on what the court should "
                "be told either way, and whether the decision itself (detention) should change."),
)

# ---- q5, q6: choosing a definition for a use --------------------------------------------
_LABELS_TRUSTED = ("it measures errors against the label, which here is a past hiring "
                   "decision: a model that reproduces the old bias can pass it (Amazon's "
                   "recruiting model learned exactly that).")

q5 = DecisionProblem(
    id="fairness_metrics.q5",
    prompt=("A shortlisting model is trained on past hiring decisions (the label: was the "
            "applicant hired). Which definition from `DEFINITIONS` would you hold it to? Store "
            "it in `hiring`."),
    variables=("hiring",),
    hints=(
        "Ask whether the label is trustworthy: what does \"hired in the past\" measure?",
        "Equal opportunity, equalized odds, predictive parity and calibration all compare "
        "predictions with the label. If the label is itself a biased decision, which "
        "definition does not need it?",
        "The four-fifths rule of the US Uniform Guidelines compares selection rates between "
        "groups; pick the definition that rule is a ratio of.",
    ),
    solution_code='hiring = "demographic parity"',
    wrong_code=('hiring = "equal opportunity"', 'hiring = "calibration"',
                'hiring = "fairness"', "hiring = 1"),
    setup_code="from course_lib.exercises.fairness_metrics import DEFINITIONS",
    options={
        "demographic parity": Option(True, (
            "equal selection rates need no label, so the biased history cannot certify "
            "itself, and the four-fifths rule (29 CFR 1607.4(D)) is its ratio, a rule of "
            "thumb for evidence of adverse impact. It costs: it ignores who would do the job "
            "well, and can be met by shortlisting at random within a group; pair it with a "
            "check of the job-related criteria.")),
        "equal opportunity": Option(False, _LABELS_TRUSTED),
        "equalized odds": Option(False, _LABELS_TRUSTED),
        "predictive parity": Option(False, _LABELS_TRUSTED),
        "calibration": Option(False, "a score that is calibrated against past hiring "
                                     "decisions predicts who *was* hired, biases included; "
                                     + _LABELS_TRUSTED),
    },
)

q6 = DecisionProblem(
    id="fairness_metrics.q6",
    prompt=("This notebook's lending model approves applicants; its label (income above $50K) "
            "stands in for repaying. Which definition from `DEFINITIONS` would you hold it to? "
            "Store it in `lending`; more than one is defensible, and the check says what yours "
            "costs."),
    variables=("lending",),
    hints=(
        "Ask which error harms the applicant (a creditworthy applicant refused) and which the "
        "lender (a loan that is not repaid), and whether the label is trustworthy enough to "
        "measure errors against.",
        "Error-rate definitions protect the applicant who qualifies; calibration and "
        "predictive parity keep a score (or an approval) meaning the same risk in every "
        "group. With base rates this different you cannot have both (Section 4).",
        "Look at the group report of Section 2: which rate differs most between creditworthy "
        "women and men, and which definition asks for it to be equal? Or, if the lender's "
        "risk is your concern, which definition keeps the score's meaning?",
    ),
    solution_code='lending = "equal opportunity"  # or equalized odds, calibration ...',
    wrong_code=('lending = "demographic parity"', 'lending = "equal odds"',
                'lending = ["equal opportunity"]'),
    setup_code="from course_lib.exercises.fairness_metrics import DEFINITIONS",
    options={
        "equal opportunity": Option(True, (
            "creditworthy women are approved as often as creditworthy men (Hardt et al.'s FICO "
            "study). It costs calibration: with unequal base rates the same score then means a "
            "different risk by group, and it usually needs group-specific thresholds, which "
            "use sex in the decision.")),
        "equalized odds": Option(True, (
            "both errors shared equally (refusing the creditworthy, approving those who do not "
            "repay). It costs more than equal opportunity: usually some accuracy, and "
            "calibration.")),
        "calibration": Option(True, (
            "a score means the same chance of repaying for everyone, which lenders and "
            "regulators read. It costs equal error rates: creditworthy applicants of the group "
            "with the lower base rate are refused more often (Kleinberg et al.).")),
        "predictive parity": Option(True, (
            "an approval means the same chance of repaying in every group: the lender's view. "
            "It costs equal error rates, as calibration does, and says nothing about the "
            "refused.")),
        "demographic parity": Option(False, (
            "equal approval rates although the label's base rates differ this much means "
            "approving applicants the label says will not repay, or refusing ones who would; "
            "in credit an unaffordable loan harms the borrower too. (If you distrust the label "
            "itself, say so and fix the label first.)")),
    },
)

register(q1, q2, q3, q4, q5, q6)
