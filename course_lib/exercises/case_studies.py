"""Exercises of notebook 02 (case studies):
``from course_lib.exercises.case_studies import q1, q2, q3, q4, q5, q6``.

q1 is the implement-the-core exercise (the learner writes the per-group false positive rate
ProPublica published, checked on hidden cases: a group with no negatives, zero_division), q4 a
decision about the county's threshold policy that accepts every defensible choice.
"""

from __future__ import annotations

import math

from course_lib.exercises._core import (
    Criterion,
    DecisionProblem,
    Option,
    ReflectionProblem,
    ValueProblem,
    register,
)
from course_lib.exercises._function import Case, FunctionProblem

# ProPublica's published glm coefficients ("Compas Analysis" notebook): intercept and female.
_INTERCEPT, _FEMALE, _BLACK = -1.52554, 0.22127, 0.47721


def _risk_ratio(b: float) -> float:
    """ProPublica's conversion of an odds ratio e^b to a ratio of probabilities at the control
    profile: e^b / (1 − p0 + p0·e^b), p0 = 1 / (1 + e^−intercept)."""
    p0 = 1 / (1 + math.exp(-_INTERCEPT))
    return math.exp(b) / (1 - p0 + p0 * math.exp(b))


def _compas_rates() -> dict[str, dict[str, float]]:
    """Base rate, PPV, FNR and FPR of "higher risk" (Medium/High) by race, all 7,214 rows."""
    import numpy as np

    from course_lib.data import load_compas
    from course_lib.fairness import group_report

    compas = load_compas()
    two = compas[compas["race"].isin(["African-American", "Caucasian"])]
    report = group_report(two["two_year_recid"], (two["score_text"] != "Low").astype(int),
                          two["race"].astype(str), zero_division=np.nan)
    return {g: report.loc[g, ["base_rate", "ppv", "fnr", "fpr"]].astype(float).to_dict()
            for g in ("African-American", "Caucasian")}


def _forced_fpr(base_group: str, ppv_group: str) -> float:
    from course_lib.fairness import chouldechova_fpr

    rates = _compas_rates()
    return chouldechova_fpr(rates[base_group]["base_rate"], rates[ppv_group]["ppv"],
                            rates[ppv_group]["fnr"])


def _gender_shades(system: str, skin: str, gender: str) -> float:
    from course_lib.data import load_gender_shades

    gs = load_gender_shades().set_index(["system", "skin", "gender"])["error_rate_pct"]
    return float(gs[(system, skin, gender)])


_COMPAS_SETUP = '''\
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from course_lib.data import load_compas, propublica_subset

compas = load_compas()
subset = propublica_subset(compas)
design = pd.DataFrame({
    "female": subset["sex"] == "Female",
    "age: greater than 45": subset["age_cat"] == "Greater than 45",
    "age: less than 25": subset["age_cat"] == "Less than 25",
    **{f"race: {r}": subset["race"] == r
       for r in ["African-American", "Asian", "Hispanic", "Native American", "Other"]},
    "priors_count": subset["priors_count"],
    "misdemeanor": subset["c_charge_degree"] == "M",
    "two_year_recid": subset["two_year_recid"],
}).astype(float)
higher = (subset["score_text"] != "Low").astype(int)
glm = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(design, higher)
coef = pd.Series(glm.coef_[0], index=design.columns)
intercept = glm.intercept_[0]
control = 1 / (1 + np.exp(-intercept))


def risk_ratio(b):
    return np.exp(b) / (1 - control + control * np.exp(b))
'''

# ---- q1: implement the core: ProPublica's false positive rate, by group ------------------------
def false_positive_rates(y_true, y_pred, groups, zero_division=0.0) -> dict:
    """The reference: {group: FP / (FP + TN)}, via group_report, a group with no negatives at
    zero_division."""
    from course_lib.fairness import group_report

    fpr = group_report(list(y_true), list(y_pred), list(groups),
                       zero_division=zero_division)["fpr"]
    return {g: float(v) for g, v in fpr.items()}


_FPR_TWO = ([0, 0, 1, 0, 0, 1], [1, 0, 1, 0, 0, 0], ["a", "a", "a", "b", "b", "b"])
_FPR_NO_NEGATIVES = ([0, 1, 0, 1, 1, 1], [1, 1, 0, 0, 1, 1], ["a", "a", "a", "c", "c", "c"])

q1 = FunctionProblem(
    id="case_studies.q1",
    prompt=("Write the false positive rate ProPublica published, per group: "
            "`false_positive_rates(y_true, y_pred, groups, zero_division=0.0)` returns a dict "
            "{group: FP / (FP + TN)}, counted among each group's rows with y_true = 0; a group "
            "with no such rows gets `zero_division`, as in scikit-learn."),
    variables=("false_positive_rates",),
    hints=(
        "A false positive is someone who did *not* reoffend (y_true = 0) but was labelled "
        "higher risk (y_pred = 1). Which rows form the denominator?",
        "For each group: keep its rows with y_true = 0 (FP + TN of them); the FPR is the share "
        "of those with y_pred = 1. When a group has no rows with y_true = 0, use "
        "`zero_division` instead of dividing by 0.",
        "A skeleton: `y, p, g = map(np.asarray, (y_true, y_pred, groups))`; for each `k` in "
        "`np.unique(g)`: `negatives = (g == k) & (y == 0)`; the rate is `p[negatives].mean()` "
        "if `negatives.any()`, else `zero_division`; collect them in a dict keyed by `k`.",
    ),
    solution_code='''\
import numpy as np


def false_positive_rates(y_true, y_pred, groups, zero_division=0.0):
    y, p, g = np.asarray(y_true), np.asarray(y_pred), np.asarray(groups)
    rates = {}
    for k in np.unique(g):
        negatives = (g == k) & (y == 0)
        rates[k] = float(p[negatives].mean()) if negatives.any() else zero_division
    return rates
''',
    wrong_code=(
        # FNR: counted among the positives
        "import numpy as np\n"
        "def false_positive_rates(y_true, y_pred, groups, zero_division=0.0):\n"
        "    y, p, g = map(np.asarray, (y_true, y_pred, groups))\n"
        "    return {k: float(1 - p[(g == k) & (y == 1)].mean()) for k in np.unique(g)}\n",
        # false positives over the whole group
        "import numpy as np\n"
        "def false_positive_rates(y_true, y_pred, groups, zero_division=0.0):\n"
        "    y, p, g = map(np.asarray, (y_true, y_pred, groups))\n"
        "    return {k: float(np.mean((p == 1) & (y == 0) & (g == k)) * len(g) / np.sum(g == k))"
        " for k in np.unique(g)}\n",
        # the share labelled higher risk (selection rate)
        "import numpy as np\n"
        "def false_positive_rates(y_true, y_pred, groups, zero_division=0.0):\n"
        "    p, g = np.asarray(y_pred), np.asarray(groups)\n"
        "    return {k: float(p[g == k].mean()) for k in np.unique(g)}\n",
        # no guard: a group without negatives gives NaN
        "import numpy as np\n"
        "def false_positive_rates(y_true, y_pred, groups, zero_division=0.0):\n"
        "    y, p, g = map(np.asarray, (y_true, y_pred, groups))\n"
        "    return {k: float(np.sum(p[(g == k) & (y == 0)]) / np.sum((g == k) & (y == 0)))"
        " for k in np.unique(g)}\n",
        # a fixed 0 instead of the zero_division argument
        "import numpy as np\n"
        "def false_positive_rates(y_true, y_pred, groups, zero_division=0.0):\n"
        "    y, p, g = map(np.asarray, (y_true, y_pred, groups))\n"
        "    n = {k: (g == k) & (y == 0) for k in np.unique(g)}\n"
        "    return {k: float(p[m].mean()) if m.any() else 0.0 for k, m in n.items()}\n",
        "from course_lib.exercises import ____\n"
        "def false_positive_rates(y_true, y_pred, groups, zero_division=0.0):\n"
        "    return ____\n",
    ),
    cases=(
        Case("two groups", _FPR_TWO,
             mistakes=(({"a": 0.0, "b": 1.0},
                        "that is the false negative rate: the FPR counts among the people "
                        "with y_true = 0 (who did not reoffend), not y_true = 1."),
                       ({"a": 1 / 3, "b": 0.0},
                        "that divides the false positives by the whole group; the FPR divides "
                        "by the group's negatives, FP + TN."),
                       ({"a": 2 / 3, "b": 0.0},
                        "that is the share labelled higher risk (the selection rate): keep "
                        "only the rows with y_true = 0 first."))),
        Case("a group with no negatives", _FPR_NO_NEGATIVES,
             mistakes=(({"a": 0.5, "c": float("nan")},
                        "group c has no rows with y_true = 0, so 0/0 gave NaN; the docstring's "
                        "convention gives it `zero_division` (0.0 here)."),
                       ({"a": 0.5},
                        "group c is missing: every group gets a rate, `zero_division` when it "
                        "has no negatives."))),
        Case("zero_division=1", _FPR_NO_NEGATIVES, {"zero_division": 1.0},
             mistakes=(({"a": 0.5, "c": 0.0},
                        "with zero_division=1 the group with no negatives has FPR 1.0: use the "
                        "argument, not a fixed 0."),)),
        Case("three groups", ([0, 0, 0, 1, 0, 0, 1, 0], [0, 1, 1, 1, 0, 0, 1, 1],
                              ["x", "y", "y", "y", "z", "x", "z", "z"])),
    ),
    reference=false_positive_rates,
    setup_code="from course_lib.exercises import ____\n",
)

q2 = ValueProblem(
    id="case_studies.q2",
    prompt=("ProPublica also reported how much more likely women were than men to get a higher "
            "score, with the same regression and the same formula. Compute that ratio and store "
            "it in `women_ratio` (a ratio such as 1.45, not a percentage)."),
    variables=("women_ratio",),
    hints=(
        "The regression's coefficient for women is `coef[\"female\"]`; men are the reference "
        "level, just as white defendants are for race.",
        "Use ProPublica's conversion from an odds ratio to a ratio of probabilities at the "
        "reference profile, the function defined above; e^b alone (the odds ratio) overstates "
        "it.",
        "Pass the women's coefficient to the function that converted the race coefficient: "
        "`risk_ratio(...)` of `coef[...]`. Keep the ratio (about 1.2), not the percentage "
        "increase.",
    ),
    solution_code='women_ratio = risk_ratio(coef["female"])',
    wrong_code=(
        'women_ratio = np.exp(coef["female"])',
        'women_ratio = risk_ratio(coef["female"]) - 1',
        'women_ratio = risk_ratio(coef["race: African-American"])',
        'women_ratio = 1 / risk_ratio(coef["female"])',
        'women_ratio = "19.5%"',
        'women_ratio = 100 * (risk_ratio(coef["female"]) - 1)',
        'women_ratio = 100 * risk_ratio(coef["female"])',
        "women_ratio = 1.19",
    ),
    setup_code=_COMPAS_SETUP,
    expected=lambda: _risk_ratio(_FEMALE),
    rel_tol=2e-4,
    known_wrong=(
        (lambda: math.exp(_FEMALE),
         "that is the odds ratio e^b. ProPublica converted it into a ratio of probabilities at "
         "the control profile, which is smaller: use `risk_ratio`."),
        (lambda: _risk_ratio(_FEMALE) - 1,
         "that is the increase (ratio − 1); store the ratio itself."),
        (lambda: _risk_ratio(_BLACK),
         "that is the ratio for Black versus white defendants; the question is about women "
         "versus men (`coef[\"female\"]`)."),
        (lambda: 1 / _risk_ratio(_FEMALE),
         "that compares men with women; the question asks how much more likely women are."),
        (lambda: 100 * _risk_ratio(_FEMALE),
         "that is the ratio times 100; store the ratio itself (about 1.2, not 119)."),
        (lambda: 100 * (_risk_ratio(_FEMALE) - 1),
         "that is the increase in percent (\"19.5% more likely\"); store the ratio itself, "
         "a number a little above 1."),
    ),
)

q3 = ValueProblem(
    id="case_studies.q3",
    prompt=("Suppose COMPAS had exactly the Black group's PPV and FNR for white defendants too. "
            "What false positive rate would Chouldechova's identity then force on white "
            "defendants, given their own base rate? Store it as a fraction in "
            "`forced_fpr_white`."),
    variables=("forced_fpr_white",),
    hints=(
        "The identity is FPR = p/(1−p) · (1−PPV)/PPV · (1−FNR): the base rate p is the group's "
        "own; PPV and FNR are the ones you fix.",
        "`chouldechova_fpr(base_rate, ppv, fnr)` computes the right-hand side; `report` has one "
        "row per group with the columns `base_rate`, `ppv` and `fnr`.",
        "`chouldechova_fpr(report.loc[\"Caucasian\", \"base_rate\"], <Black PPV>, <Black FNR>)`, "
        "with the two rates read from the `\"African-American\"` row of `report`.",
    ),
    solution_code=('forced_fpr_white = chouldechova_fpr(report.loc["Caucasian", "base_rate"],\n'
                   '                                    report.loc["African-American", "ppv"],\n'
                   '                                    report.loc["African-American", "fnr"])'),
    wrong_code=(
        'forced_fpr_white = chouldechova_fpr(report.loc["African-American", "base_rate"], '
        'report.loc["African-American", "ppv"], report.loc["African-American", "fnr"])',
        'forced_fpr_white = report.loc["Caucasian", "fpr"]',
        'forced_fpr_white = chouldechova_fpr(report.loc["Caucasian", "base_rate"], '
        'report.loc["Caucasian", "ppv"], report.loc["Caucasian", "fnr"])',
        'forced_fpr_white = 100 * chouldechova_fpr(report.loc["Caucasian", "base_rate"], '
        'report.loc["African-American", "ppv"], report.loc["African-American", "fnr"])',
    ),
    setup_code='''\
import numpy as np

from course_lib.data import load_compas
from course_lib.fairness import chouldechova_fpr, group_report

compas = load_compas()
two = compas[compas["race"].isin(["African-American", "Caucasian"])]
report = group_report(two["two_year_recid"], (two["score_text"] != "Low").astype(int),
                      two["race"].astype(str), zero_division=np.nan)
''',
    expected=lambda: _forced_fpr("Caucasian", "African-American"),
    known_wrong=(
        (lambda: _forced_fpr("African-American", "African-American"),
         "that uses the Black group's base rate, so it gives back the Black group's own FPR. "
         "Keep white defendants' base rate: only PPV and FNR are shared."),
        (lambda: _compas_rates()["Caucasian"]["fpr"],
         "that is the FPR white defendants actually have; the question asks what the identity "
         "would force if they had the Black group's PPV and FNR."),
        (lambda: 100 * _forced_fpr("Caucasian", "African-American"),
         "that is a percentage; store a fraction between 0 and 1."),
    ),
)

# ---- q4: the county's decision -------------------------------------------------------------
q4 = DecisionProblem(
    id="case_studies.q4",
    prompt=("The county asks you how to turn COMPAS deciles into a \"higher risk\" label. "
            "Store one of `\"one threshold\"` (decile 5 for everyone, as now), `\"group "
            "thresholds\"` (a cut-off per race that equalizes the error rates), `\"remove "
            "race\"` (drop race from the model's inputs) or `\"no score\"` (judges decide "
            "without it) in `policy`."),
    variables=("policy",),
    hints=(
        "For each option ask what it keeps and what it gives up: same score same decision, "
        "equal PPV, equal error rates, and who bears the false positives.",
        "The explorer above shows what one threshold and group thresholds do to FPR, FNR and "
        "PPV. For \"remove race\", ask what COMPAS takes as input in the first place.",
        "Three options are defensible with a stated cost; one changes nothing, because the "
        "gaps come from base rates and proxies, not from a race input.",
    ),
    solution_code='policy = "one threshold"  # or "group thresholds" or "no score": say the cost',
    wrong_code=('policy = "remove race"', 'policy = "threshold"', "policy = 5"),
    options={
        "one threshold": Option(True, (
            "the same decile leads to the same label for everyone and the label's PPV stays "
            "close between groups (Northpointe's criteria). It costs equal error rates: Black "
            "defendants who did not reoffend are labelled higher risk far more often "
            "(ProPublica's finding), and that must be said to the court.")),
        "group thresholds": Option(True, (
            "the error rates nearly match, so the harm of a false label is shared. It costs "
            "*same score, same decision* (race now changes the label at the same decile), the "
            "PPVs move apart, and using race in the decision may be unlawful disparate "
            "treatment.")),
        "no score": Option(True, (
            "no number can give false authority to a biased label. It costs the audit: judges' "
            "unaided decisions are also biased, and they are harder to measure and contest "
            "than a score whose error rates are published.")),
        "remove race": Option(False, (
            "COMPAS's questionnaire does not ask for race in the first place: the gaps come "
            "from different base rates and from inputs correlated with race (priors reflect "
            "policing), so dropping a race column changes nothing.")),
    },
)

q5 = ReflectionProblem(
    id="case_studies.q5",
    prompt=("Amazon's engineers edited their model to be neutral to words such as \"women's\". "
            "Using what you saw in the stand-in experiment, explain why that was not enough, and "
            "say what you would have done instead. Write a few sentences in `answer_q5`."),
    variables=("answer_q5",),
    hints=(
        "Look again at which tokens turned negative once \"women\" was removed, and at the "
        "gap in predicted scores with and without gendered proxies.",
        "Consider what the model was trained to predict: past hiring decisions. Can any "
        "edit of the model fix what the label records?",
        "Then say what you would do instead: what you would measure (by gender, on held-out "
        "résumés), how often, what you would change (the label, a constraint, an adversary), "
        "and when you would not deploy.",
    ),
    solution_code='''answer_q5 = """
    Deleting one word leaves every proxy of gender in the text: women's colleges, sports and
    clubs carry the same information, and the model shifts the penalty onto them, so the gap in
    scores between equally skilled women and men survives. The deeper problem is the label:
    the model learns to imitate past hiring decisions, which were biased. I would audit the
    model's outcomes by gender on held-out data before and after deployment, question or
    replace the historical label (for example with job performance measures checked for bias),
    add a fairness constraint or adversarial debiasing so the scores cannot encode gender, and
    re-evaluate regularly; if the gap cannot be closed, not deploy it.
    """''',
    wrong_code=(
        'answer_q5 = "Remove more words."',
        'answer_q5 = " ".join(["the word was removed"] * 10)',
        "answer_q5 = None",
    ),
    rubric=(
        Criterion("other words act as proxies for gender (colleges, sports, clubs), so the "
                  "model moves the penalty onto them"),
        Criterion("the labels are past (biased) hiring decisions, so the model learns the bias"),
        Criterion("audit outcomes by gender (and intersections) before and after deployment"),
        Criterion("change the data, the objective or the decision to deploy (constraints, "
                  "adversarial debiasing, better labels, not deploying)"),
    ),
    discussion=("In pairs: one plays Amazon's engineer defending the edit, the other the "
                "auditor; agree on one measurement that would have shown the edit was not "
                "enough, and who should have run it before the model was used."),
)

q6 = ValueProblem(
    id="case_studies.q6",
    prompt=("In the published Gender Shades table, how many times higher is IBM's error rate "
            "for darker-skinned women than for lighter-skinned men? Store the ratio in "
            "`ibm_ratio`."),
    variables=("ibm_ratio",),
    hints=(
        "Find IBM's two rows in `gender_shades` (columns `system`, `skin`, `gender`, "
        "`error_rate_pct`).",
        "\"How many times higher\" is a ratio, not a difference: one subgroup's error "
        "rate divided by the other's, both from IBM's rows.",
        "Index IBM's rows by skin and gender, e.g. `ibm = gender_shades[gender_shades[\"system\"] "
        "== \"IBM\"].set_index([\"skin\", \"gender\"])`, then divide the darker-female "
        "`error_rate_pct` by the lighter-male one.",
    ),
    solution_code='''\
ibm = gender_shades[gender_shades["system"] == "IBM"].set_index(["skin", "gender"])
ibm_ratio = (ibm.loc[("darker", "female"), "error_rate_pct"]
             / ibm.loc[("lighter", "male"), "error_rate_pct"])''',
    wrong_code=(
        "ibm_ratio = 34.7 - 0.3",
        "ibm_ratio = 34.5 / 0.8",
        "ibm_ratio = 0.3 / 34.7",
        "ibm_ratio = 116",
    ),
    setup_code=("from course_lib.data import load_gender_shades\n"
                "gender_shades = load_gender_shades()"),
    expected=lambda: (_gender_shades("IBM", "darker", "female")
                      / _gender_shades("IBM", "lighter", "male")),
    known_wrong=(
        (lambda: (_gender_shades("IBM", "darker", "female")
                  - _gender_shades("IBM", "lighter", "male")),
         "that is the difference in percentage points (the paper's 34.4-point gap); the "
         "question asks how many times higher: divide."),
        (lambda: (_gender_shades("Face++", "darker", "female")
                  / _gender_shades("Face++", "lighter", "male")),
         "those are Face++'s numbers; use IBM's rows."),
        (lambda: (_gender_shades("IBM", "lighter", "male")
                  / _gender_shades("IBM", "darker", "female")),
         "that is upside down: put darker-skinned women's error rate on top."),
    ),
)

register(q1, q2, q3, q4, q5, q6)

__all__ = ["false_positive_rates", "q1", "q2", "q3", "q4", "q5", "q6"]
