"""Exercises of notebook 06 (explaining tabular and text models).

``from course_lib.exercises.explain_tabular_text import q1, q2, q3, q4``
"""

from __future__ import annotations

import math

from course_lib.exercises._core import (
    Criterion,
    MatchingProblem,
    ReflectionProblem,
    ValueProblem,
    register,
)

# What the notebook has run when q1 is answered: the lending data, a logistic regression of
# default, and the exact Shapley values of the rejected applicant's log-odds of repayment.
_SETUP_Q1 = """
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from course_lib.explain import exact_shapley
from course_lib.synth import LENDING_FEATURES, make_lending

lending = make_lending(6000, random_state=0)
features = list(LENDING_FEATURES)
train_df, test_df = lending.iloc[:4000], lending.iloc[4000:]
X_train, X_test = train_df[features].to_numpy(), test_df[features].to_numpy()
background = X_train[:50]
is_applicant = (test_df["debt_to_income"] >= 0.45) & (test_df["recent_late_payments"] >= 2)
applicant = X_test[np.flatnonzero(is_applicant)[0]]
logreg = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
logreg.fit(X_train, train_df["default"])


def repay_log_odds(rows):
    return -logreg.decision_function(rows)


phi_lr, base_lr = exact_shapley(repay_log_odds, applicant, background)
phi_lr = phi_lr[0]
"""

_SETUP_Q2 = """
from course_lib.explain import spread
from course_lib.synth import LENDING_FEATURES, make_lending

lending = make_lending(6000, random_state=0)
features = list(LENDING_FEATURES)
X_train = lending.iloc[:4000][features].to_numpy()
scale = spread(X_train)
"""


def _namespace(setup: str) -> dict:
    ns: dict = {}
    exec(setup, ns)
    return ns


def _q1(kind: str) -> float:
    ns = _namespace(_SETUP_Q1)
    total = float(ns["base_lr"] + ns["phi_lr"].sum())
    if kind == "log_odds":
        return total
    if kind == "no_base":
        return 1 / (1 + math.exp(-float(ns["phi_lr"].sum())))
    if kind == "default":
        return 1 / (1 + math.exp(total))
    return 1 / (1 + math.exp(-total))


def _q2(kind: str) -> float:
    ns = _namespace(_SETUP_Q2)
    i = ns["features"].index("debt_to_income")
    j = ns["features"].index("credit_history_years")
    s = ns["scale"]
    if kind == "unscaled":
        return 0.10 + 1.0
    if kind == "percent":
        return 10 / s[i] + 1.0 / s[j]
    if kind == "euclid":
        return math.hypot(0.10 / s[i], 1.0 / s[j])
    return 0.10 / s[i] + 1.0 / s[j]


q1 = ValueProblem(
    id="explain_tabular_text.q1",
    prompt=("Local accuracy. `phi_lr` holds the exact Shapley values of the applicant's log-odds "
            "of repayment under the logistic regression, and `base_lr` the base value (the mean "
            "log-odds over the background). Without calling the model, compute the model's "
            "probability that this applicant repays, and store it in `p_repay`."),
    variables=("p_repay",),
    hints=(
        "Efficiency (local accuracy): base value + the sum of the Shapley values = the model's "
        "output for this applicant. Here the output is a log-odds, not a probability.",
        "Add `base_lr` and `phi_lr.sum()`, then turn log-odds into a probability with the "
        "logistic function 1 / (1 + exp(−z)).",
    ),
    solution_code="p_repay = 1 / (1 + np.exp(-(base_lr + phi_lr.sum())))",
    wrong_code=(
        "p_repay = base_lr + phi_lr.sum()",
        "p_repay = 1 / (1 + np.exp(-phi_lr.sum()))",
        "p_repay = 1 / (1 + np.exp(base_lr + phi_lr.sum()))",
    ),
    setup_code=_SETUP_Q1,
    expected=lambda: _q1("repay"),
    rel_tol=1e-4,
    known_wrong=(
        (lambda: _q1("log_odds"), "that is the log-odds of repayment (the model's raw output); "
                                  "turn it into a probability with 1 / (1 + exp(−z))."),
        (lambda: _q1("no_base"), "the Shapley values explain the difference from the base "
                                 "value: add `base_lr` before converting."),
        (lambda: _q1("default"), "that is the probability of default, 1 − P(repay): check the "
                                 "sign inside exp."),
    ),
)

q3 = ValueProblem(
    id="explain_tabular_text.q3",
    prompt=("A loan officer proposes another way to approval: lower the debt-to-income ratio by "
            "10 percentage points (0.10) and wait one year (credit history + 1 year). Using the "
            "counterfactual search's cost, Σ |change_i| / scale_i with `scale` the spread of "
            "each feature in `features` order, compute this plan's cost and store it in "
            "`plan_cost`."),
    variables=("plan_cost",),
    hints=(
        "Each change is divided by its feature's spread, so a change of one spread costs 1 "
        "whatever the unit. Find the positions of the two features in `features`.",
        "`i, j = features.index(\"debt_to_income\"), features.index(\"credit_history_years\")`, "
        "then `0.10 / scale[i] + 1.0 / scale[j]`.",
    ),
    solution_code=("i = features.index(\"debt_to_income\")\n"
                   "j = features.index(\"credit_history_years\")\n"
                   "plan_cost = 0.10 / scale[i] + 1.0 / scale[j]"),
    wrong_code=(
        "plan_cost = 0.10 + 1.0",
        ("i, j = features.index(\"debt_to_income\"), features.index(\"credit_history_years\")\n"
         "plan_cost = 10 / scale[i] + 1.0 / scale[j]"),
        ("i, j = features.index(\"debt_to_income\"), features.index(\"credit_history_years\")\n"
         "plan_cost = ((0.10 / scale[i]) ** 2 + (1.0 / scale[j]) ** 2) ** 0.5"),
    ),
    setup_code=_SETUP_Q2,
    expected=lambda: _q2("cost"),
    rel_tol=1e-6,
    known_wrong=(
        (lambda: _q2("unscaled"), "the changes are in different units (a ratio and years): "
                                  "divide each by its feature's spread in `scale`."),
        (lambda: _q2("percent"), "the ratio is stored as a fraction: 10 percentage points is "
                                 "0.10, not 10."),
        (lambda: _q2("euclid"), "the cost adds the scaled changes (an L1 cost), it does not "
                                "take the Euclidean length."),
    ),
)

q2 = MatchingProblem(
    id="explain_tabular_text.q2",
    prompt=("Which method is each statement true of? Answer with a dict mapping each statement "
            "to \"KernelExplainer\" (shap's), \"LIME\", \"both\" or \"neither\"."),
    variables=("matches",),
    hints=(
        "Go back to how each was computed in this notebook: what did `lime_tabular` fit, and "
        "what property did the Shapley values satisfy that LIME's coefficients did not?",
        "Kernel SHAP is LIME's recipe with a particular kernel and a constraint: both fit a "
        "weighted linear model to perturbed samples; only Shapley values add up to the "
        "prediction; only LIME has a kernel width to choose; neither proposes a change.",
    ),
    solution_code=("matches = {\"adds up to the prediction\": \"KernelExplainer\", "
                   "\"kernel width is a choice\": \"LIME\", "
                   "\"fits a weighted linear model\": \"both\", "
                   "\"says what change flips the decision\": \"neither\"}"),
    wrong_code=(
        ("matches = {\"adds up to the prediction\": \"both\", "
         "\"kernel width is a choice\": \"LIME\", "
         "\"fits a weighted linear model\": \"both\", "
         "\"says what change flips the decision\": \"neither\"}"),
        ("matches = {\"adds up to the prediction\": \"KernelExplainer\", "
         "\"kernel width is a choice\": \"LIME\", "
         "\"fits a weighted linear model\": \"LIME\", "
         "\"says what change flips the decision\": \"neither\"}"),
        ("matches = {\"adds up to the prediction\": \"KernelExplainer\", "
         "\"kernel width is a choice\": \"LIME\", "
         "\"fits a weighted linear model\": \"both\", "
         "\"says what change flips the decision\": \"LIME\"}"),
    ),
    choices=("KernelExplainer", "LIME", "both", "neither"),
    answers={"adds up to the prediction": "KernelExplainer",
             "kernel width is a choice": "LIME",
             "fits a weighted linear model": "both",
             "says what change flips the decision": "neither"},
    why={"adds up to the prediction": "only Shapley values satisfy local accuracy "
                                      "(efficiency): base value + Σ φ = f(x) exactly; LIME's "
                                      "surrogate only approximates f near x (see its R²).",
         "kernel width is a choice": "LIME weights samples by exp(−d²/w²) with a width w you "
                                     "pick; Kernel SHAP's weights are fixed by the Shapley "
                                     "formula.",
         "fits a weighted linear model": "Kernel SHAP is a weighted linear regression on "
                                         "coalitions (Lundberg & Lee 2017) and LIME a weighted "
                                         "ridge on perturbed samples: the same template.",
         "says what change flips the decision": "attributions say what pushed the score, not "
                                                "what change would flip it: that is a "
                                                "counterfactual search."},
    confusions={("adds up to the prediction", "both"):
                "LIME's intercept + Σ coefficient·value is the surrogate's prediction, which "
                "differs from the model's (compare `local_pred` with the model).",
                ("fits a weighted linear model", "LIME"):
                "KernelExplainer also fits a weighted linear regression, over coalitions, with "
                "the Shapley kernel as weights."},
)

q4 = ReflectionProblem(
    id="explain_tabular_text.q4",
    prompt=("The applicant was told \"0.44, rejected\". Using what this notebook computed, what "
            "should the lender tell them instead, and what are the limits of that explanation? "
            "Write a few sentences in `answer_q4`."),
    variables=("answer_q4",),
    hints=(
        "Think of three things: the reasons (which features, in words), what they could change, "
        "and how they could challenge a decision they think is wrong.",
        "Then the limits: attributions depend on the background and the method (SHAP and LIME "
        "disagreed); correlated features can be changed only together; a counterfactual is "
        "about the model, not about the world.",
    ),
    solution_code='''answer_q4 = """
    Give the main reasons in plain language, from the attributions: debt-to-income ratio too
    high, too many recent late payments. Add an actionable
    counterfactual: the smallest realistic change that would flip the decision, touching only
    things the applicant can change, and say how to appeal and ask for human review. Limits:
    attributions depend on the method and the background (SHAP and LIME disagreed), they
    describe the model, not causes in the world, and the counterfactual treats correlated
    features as independent; the lender must not present them as more certain than they are.
    """''',
    wrong_code=(
        'answer_q4 = "Explain it better."',
        'answer_q4 = ("The weather was lovely and we walked along the river past the old mill '
        'until the light faded and the shops closed for the evening while the birds '
        'sang quietly above the water.")',
        "answer_q4 = 0.44",
    ),
    rubric=(
        Criterion("name the main reasons in plain language (reason codes)"),
        Criterion("say what would change the decision (an actionable counterfactual)"),
        Criterion("offer a way to contest it (appeal, human review, correct the data)"),
        Criterion("the limits: explanations depend on the method/background, are not causal, "
                  "or treat correlated features as independent"),
    ),
)

register(q1, q2, q3, q4)

__all__ = ["q1", "q2", "q3", "q4"]
