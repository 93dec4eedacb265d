"""Exercises of notebook 02 (case studies):
``from course_lib.exercises.case_studies import q1, q2, q3, q4``."""

from __future__ import annotations

import math

from course_lib.exercises._core import Criterion, ReflectionProblem, ValueProblem, register

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

q1 = ValueProblem(
    id="case_studies.q1",
    prompt=("ProPublica also reported how much more likely women were than men to get a higher "
            "score, with the same regression and the same formula. Compute that ratio and store "
            "it in `women_ratio` (a ratio such as 1.45, not a percentage)."),
    variables=("women_ratio",),
    hints=(
        "The regression's coefficient for women is `coef[\"female\"]`; men are the reference "
        "level, just as white defendants are for race.",
        "Apply the same conversion as for race: `risk_ratio(coef[\"female\"])`. The odds ratio "
        "`np.exp(coef[\"female\"])` alone overstates it.",
    ),
    solution_code='women_ratio = risk_ratio(coef["female"])',
    wrong_code=(
        'women_ratio = np.exp(coef["female"])',
        'women_ratio = risk_ratio(coef["female"]) - 1',
        'women_ratio = risk_ratio(coef["race: African-American"])',
        'women_ratio = 1 / risk_ratio(coef["female"])',
        'women_ratio = "19.5%"',
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
    ),
)

q2 = ValueProblem(
    id="case_studies.q2",
    prompt=("Suppose COMPAS had exactly the Black group's PPV and FNR for white defendants too. "
            "What false positive rate would Chouldechova's identity then force on white "
            "defendants, given their own base rate? Store it as a fraction in "
            "`forced_fpr_white`."),
    variables=("forced_fpr_white",),
    hints=(
        "The identity is FPR = p/(1−p) · (1−PPV)/PPV · (1−FNR): the base rate p is the group's "
        "own; PPV and FNR are the ones you fix.",
        "`chouldechova_fpr(report.loc[\"Caucasian\", \"base_rate\"], "
        "report.loc[\"African-American\", \"ppv\"], report.loc[\"African-American\", \"fnr\"])`.",
    ),
    solution_code=('forced_fpr_white = chouldechova_fpr(report.loc["Caucasian", "base_rate"],\n'
                   '                                    report.loc["African-American", "ppv"],\n'
                   '                                    report.loc["African-American", "fnr"])'),
    wrong_code=(
        'forced_fpr_white = chouldechova_fpr(report.loc["African-American", "base_rate"], '
        'report.loc["African-American", "ppv"], report.loc["African-American", "fnr"])',
        'forced_fpr_white = report.loc["Caucasian", "fpr"]',
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

q3 = ReflectionProblem(
    id="case_studies.q3",
    prompt=("Amazon's engineers edited their model to be neutral to words such as \"women's\". "
            "Using what you saw in the stand-in experiment, explain why that was not enough, and "
            "say what you would have done instead. Write a few sentences in `answer_q3`."),
    variables=("answer_q3",),
    hints=(
        "Look again at which tokens turned negative once \"women\" was removed, and at the "
        "gap in predicted scores with and without gendered proxies.",
        "Consider also what the model was trained to predict: past hiring decisions. What "
        "would you measure, and how often?",
    ),
    solution_code='''answer_q3 = """
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
        'answer_q3 = "Remove more words."',
        'answer_q3 = ("Bag-of-words models count how often each word occurs in a document and '
        'learn one weight per word with gradient descent, which is fast and easy to train on a '
        'laptop CPU in a few seconds even with thousands of documents.")',
        "answer_q3 = None",
    ),
    rubric=(
        Criterion("other words act as proxies for gender (colleges, sports, clubs), so the "
                  "model moves the penalty onto them"),
        Criterion("the labels are past (biased) hiring decisions, so the model learns the bias"),
        Criterion("audit outcomes by gender (and intersections) before and after deployment"),
        Criterion("change the data, the objective or the decision to deploy (constraints, "
                  "adversarial debiasing, better labels, not deploying)"),
    ),
)

q4 = ValueProblem(
    id="case_studies.q4",
    prompt=("In the published Gender Shades table, how many times higher is IBM's error rate "
            "for darker-skinned women than for lighter-skinned men? Store the ratio in "
            "`ibm_ratio`."),
    variables=("ibm_ratio",),
    hints=(
        "Find IBM's two rows in `gender_shades` (columns `system`, `skin`, `gender`, "
        "`error_rate_pct`).",
        "Divide IBM's darker-female error rate (34.7) by its lighter-male error rate: "
        "a ratio, not a difference.",
    ),
    solution_code='''\
ibm = gender_shades[gender_shades["system"] == "IBM"].set_index(["skin", "gender"])
ibm_ratio = (ibm.loc[("darker", "female"), "error_rate_pct"]
             / ibm.loc[("lighter", "male"), "error_rate_pct"])''',
    wrong_code=(
        "ibm_ratio = 34.7 - 0.3",
        "ibm_ratio = 34.5 / 0.8",
        "ibm_ratio = 0.3 / 34.7",
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

register(q1, q2, q3, q4)

__all__ = ["q1", "q2", "q3", "q4"]
