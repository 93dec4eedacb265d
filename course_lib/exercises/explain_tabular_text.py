"""Exercises of notebook 06 (explaining tabular and text models).

``from course_lib.exercises.explain_tabular_text import q1, q2, q3, q4, q5``
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
from course_lib.exercises._function import Case, FunctionProblem, same

# What the notebook has run when q2 is answered: the lending data, a logistic regression of
# default, and the exact Shapley values of the rejected applicant's log-odds of repayment.
_SETUP_P_REPAY = """
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

_SETUP_PLAN = """
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


def _p_repay(kind: str) -> float:
    ns = _namespace(_SETUP_P_REPAY)
    total = float(ns["base_lr"] + ns["phi_lr"].sum())
    if kind == "log_odds":
        return total
    if kind == "no_base":
        return 1 / (1 + math.exp(-float(ns["phi_lr"].sum())))
    if kind == "default":
        return 1 / (1 + math.exp(total))
    return 1 / (1 + math.exp(-total))


def _plan(kind: str) -> float:
    ns = _namespace(_SETUP_PLAN)
    i = ns["features"].index("debt_to_income")
    j = ns["features"].index("credit_history_years")
    s = ns["scale"]
    if kind == "unscaled":
        return 0.10 + 1.0
    if kind == "percent":
        return 10 / s[i] + 1.0 / s[j]
    if kind == "swapped":
        return 0.10 / s[j] + 1.0 / s[i]
    if kind == "euclid":
        return math.hypot(0.10 / s[i], 1.0 / s[j])
    return 0.10 / s[i] + 1.0 / s[j]


# -- q1: exact Shapley values by enumerating coalitions (implement the core) -------------------

_SHAPLEY_SETUP = "from itertools import combinations\nfrom math import factorial\n"

_SHAPLEY_SOLUTION = '''
def shapley_values(f, x, baseline):
    d = len(x)

    def v(S):
        return f([x[j] if j in S else baseline[j] for j in range(d)])

    phi = []
    for i in range(d):
        others = [j for j in range(d) if j != i]
        total = 0.0
        for k in range(d):
            for S in combinations(others, k):
                weight = factorial(k) * factorial(d - k - 1) / factorial(d)
                total += weight * (v(set(S) | {i}) - v(set(S)))
        phi.append(total)
    return phi
'''

# The mistakes learners make writing the enumeration, each as the learner's code and its feedback.
_SHAPLEY_MISTAKES: tuple[tuple[str, str], ...] = (
    (_SHAPLEY_SOLUTION.replace("(v(set(S) | {i}) - v(set(S)))", "(v(set(S)) - v(set(S) | {i}))"),
     "The right sizes with the wrong sign: a marginal contribution is v(S ∪ {i}) − v(S), what "
     "adding feature i to the coalition changes."),
    (_SHAPLEY_SOLUTION.replace("factorial(k) * factorial(d - k - 1) / factorial(d)",
                               "1 / 2 ** (d - 1)"),
     "That is an unweighted mean over the coalitions. Shapley weights a coalition S by "
     "|S|!·(d − |S| − 1)!/d!, so for d = 3 the empty and the largest coalitions count 1/3 each "
     "and the two middle ones 1/6: every coalition size gets the same total weight."),
    (_SHAPLEY_SOLUTION.replace("for k in range(d):", "for k in range(1, d):"),
     "A coalition size is missing: k runs over 0, 1, ..., d − 1, and k = 0 (feature i alone "
     "against the baseline, S = ∅) counts too. Check: your values add up to less than "
     "f(x) − f(baseline)."),
    ('''
def shapley_values(f, x, baseline):
    d = len(x)
    full = f(list(x))
    return [full - f([baseline[j] if j == i else x[j] for j in range(d)]) for i in range(d)]
''',
     "That is leave-one-out: f(x) minus f with feature i reset to the baseline, only what i "
     "adds to all the others. Shapley averages what i adds over every coalition; check that "
     "your values add up to f(x) − f(baseline)."),
    ('''
def shapley_values(f, x, baseline):
    d = len(x)
    base = f(list(baseline))
    return [f([x[j] if j == i else baseline[j] for j in range(d)]) - base for i in range(d)]
''',
     "That switches feature i on alone against the baseline (the empty coalition only). "
     "Shapley averages what i adds over every coalition, so an interaction is shared out; "
     "check that your values add up to f(x) − f(baseline)."),
)


class Game:
    """A small model f of a few features, shown by its formula in feedback."""

    def __init__(self, formula: str, fn):
        self.formula, self.fn = formula, fn

    def __call__(self, z):
        return float(self.fn(z))

    def __repr__(self) -> str:
        return self.formula


def reference_shapley(f, x, baseline) -> list[float]:
    """course_lib's exact_shapley (checked against shap) against a one-row background."""
    import numpy as np

    from course_lib.explain import exact_shapley

    def rows_fn(rows):
        return np.array([f(list(r)) for r in rows])

    result = exact_shapley(rows_fn, np.asarray(x, dtype=float),
                           np.atleast_2d(np.asarray(baseline, dtype=float)))
    return result.values[0].tolist()


def _mistake_fns() -> list:
    fns = []
    for code, _ in _SHAPLEY_MISTAKES:
        ns: dict = {}
        exec(_SHAPLEY_SETUP + code, ns)
        fns.append(ns["shapley_values"])
    return fns


def _shapley_case(label: str, f: Game, x: list, baseline: list) -> Case:
    """A hidden case with the result of each catalogued mistake on it, and its feedback."""
    expected = reference_shapley(f, x, baseline)
    mistakes = []
    for fn, (_, why) in zip(_mistake_fns(), _SHAPLEY_MISTAKES, strict=True):
        got = fn(f, list(x), list(baseline))
        if not same(got, expected):
            mistakes.append((got, why))
    return Case(label, (f, x, baseline), expected=expected, mistakes=tuple(mistakes))


_SHAPLEY_CASES = (
    _shapley_case("additive: f = 2·x0 + 3·x1 − x2", Game("2·x0 + 3·x1 − x2",
                  lambda z: 2 * z[0] + 3 * z[1] - z[2]), [1.0, 2.0, 3.0], [0.0, 0.0, 0.0]),
    _shapley_case("three-way interaction: f = x0·x1·x2", Game("x0·x1·x2",
                  lambda z: z[0] * z[1] * z[2]), [1.0, 2.0, 3.0], [0.0, 0.0, 0.0]),
    _shapley_case("x at the baseline: every value is 0", Game("x0·x1 + x2",
                  lambda z: z[0] * z[1] + z[2]), [1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
    _shapley_case("one feature (d = 1): only the empty coalition", Game("3·x0 + 1",
                  lambda z: 3 * z[0] + 1), [2.0], [0.0]),
    _shapley_case("non-linear: f = max(x0, x1, x2), baseline not zero",
                  Game("max(x0, x1, x2)", lambda z: max(z)), [3.0, 1.0, 2.0], [0.5, 0.5, 0.5]),
    _shapley_case("a feature the model ignores gets 0 (dummy)", Game("x0·x1 (x2 unused)",
                  lambda z: z[0] * z[1]), [2.0, 3.0, 5.0], [1.0, 1.0, 1.0]),
)

q1 = FunctionProblem(
    id="explain_tabular_text.q1",
    prompt=("Write `shapley_values(f, x, baseline)`: the exact Shapley values of f at x against "
            "one baseline row, by enumerating every coalition, as `exact_shapley` does. The "
            "value of a coalition S is v(S) = f(z) with z_j = x_j for j in S and baseline_j "
            "otherwise; φ_i = Σ over S ⊆ N∖{i} of |S|!·(d − |S| − 1)!/d! · (v(S ∪ {i}) − v(S)). "
            "Return a list with one value per feature."),
    variables=("shapley_values",),
    hints=(
        "Start with a small inner function `v(S)` that builds the row (x where j is in S, the "
        "baseline elsewhere) and calls f. Then, for each feature i, loop over the coalitions of "
        "the other features.",
        "`combinations(others, k)` lists the coalitions of size k of the other features, for "
        "k = 0, 1, ..., d − 1 (the empty one included). Weight each marginal contribution "
        "v(S ∪ {i}) − v(S) by factorial(k)·factorial(d − k − 1)/factorial(d) and add them up.",
        "For one feature i: `others = [j for j in range(d) if j != i]`, then `for k in "
        "range(d): for S in combinations(others, k):` add `weight * (v(set(S) | {i}) - "
        "v(set(S)))` to a running total, and append the total to a list you return. Check: the "
        "values add up to f(x) − f(baseline).",
    ),
    solution_code=_SHAPLEY_SOLUTION,
    wrong_code=tuple(code for code, _ in _SHAPLEY_MISTAKES),
    setup_code=_SHAPLEY_SETUP,
    cases=_SHAPLEY_CASES,
    reference=reference_shapley,
)

q2 = ValueProblem(
    id="explain_tabular_text.q2",
    prompt=("Local accuracy. `phi_lr` holds the exact Shapley values of the applicant's log-odds "
            "of repayment under the logistic regression, and `base_lr` the base value (the mean "
            "log-odds over the background). Without calling the model, compute the model's "
            "probability that this applicant repays, and store it in `p_repay`."),
    variables=("p_repay",),
    hints=(
        "Efficiency (local accuracy): base value + the sum of the Shapley values = the model's "
        "output for this applicant. Which output did `phi_lr` explain: a probability or a "
        "log-odds?",
        "The output is the log-odds of repayment z. A log-odds becomes a probability with the "
        "logistic function 1 / (1 + exp(−z)); the base value belongs inside z.",
        "`z = base_lr + phi_lr.sum()` is the model's log-odds for the applicant; apply the "
        "logistic function to z (with `np.exp`) and store the result.",
    ),
    solution_code="p_repay = 1 / (1 + np.exp(-(base_lr + phi_lr.sum())))",
    wrong_code=(
        "p_repay = base_lr + phi_lr.sum()",
        "p_repay = 1 / (1 + np.exp(-phi_lr.sum()))",
        "p_repay = 1 / (1 + np.exp(base_lr + phi_lr.sum()))",
        "p_repay = round(1 / (1 + np.exp(-(base_lr + phi_lr.sum()))), 2)",
    ),
    setup_code=_SETUP_P_REPAY,
    expected=lambda: _p_repay("repay"),
    rel_tol=1e-4,
    known_wrong=(
        (lambda: _p_repay("log_odds"), "that is the log-odds of repayment (the model's raw "
                                       "output); turn it into a probability with "
                                       "1 / (1 + exp(−z))."),
        (lambda: _p_repay("no_base"), "the Shapley values explain the difference from the base "
                                 "value: add `base_lr` before converting."),
        (lambda: _p_repay("default"), "that is the probability of default, 1 − P(repay): check the "
                                 "sign inside exp."),
    ),
)

q4 = ValueProblem(
    id="explain_tabular_text.q4",
    prompt=("A loan officer proposes another way to approval: lower the debt-to-income ratio by "
            "10 percentage points (0.10) and wait one year (credit history + 1 year). Using the "
            "counterfactual search's cost, Σ |change_i| / scale_i with `scale` the spread of "
            "each feature in `features` order, compute this plan's cost and store it in "
            "`plan_cost`."),
    variables=("plan_cost",),
    hints=(
        "Each change is divided by its feature's spread, so a change of one spread costs 1 "
        "whatever the unit. Which two features change, and by how much?",
        "Find each feature's position in `features` with `features.index(...)`. The changes "
        "are 0.10 (the ratio is a fraction) and 1.0 year; divide each by `scale` at its "
        "position, then add them (an L1 cost, not a Euclidean length).",
        "`i, j = features.index(\"debt_to_income\"), features.index(\"credit_history_years\")`; "
        "then add the two changes, each divided by `scale` at its own position.",
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
        ("i, j = features.index(\"debt_to_income\"), features.index(\"credit_history_years\")\n"
         "plan_cost = 0.10 / scale[j] + 1.0 / scale[i]"),
    ),
    setup_code=_SETUP_PLAN,
    expected=lambda: _plan("cost"),
    rel_tol=1e-6,
    known_wrong=(
        (lambda: _plan("unscaled"), "the changes are in different units (a ratio and years): "
                                  "divide each by its feature's spread in `scale`."),
        (lambda: _plan("percent"), "the ratio is stored as a fraction: 10 percentage points is "
                                 "0.10, not 10."),
        (lambda: _plan("swapped"), "each change is divided by the other feature's spread: "
                                   "divide the ratio's change by the ratio's spread and the "
                                   "years by the history's."),
        (lambda: _plan("euclid"), "the cost adds the scaled changes (an L1 cost), it does not "
                                "take the Euclidean length."),
    ),
)

q3 = MatchingProblem(
    id="explain_tabular_text.q3",
    prompt=("Which method is each statement true of? Answer with a dict mapping each statement "
            "to \"KernelExplainer\" (shap's), \"LIME\", \"both\" or \"neither\"."),
    variables=("matches",),
    hints=(
        "Go back to how each was computed in this notebook: what did `lime_tabular` fit, and "
        "what property did the Shapley values satisfy that LIME's coefficients did not?",
        "Kernel SHAP is LIME's recipe with a particular kernel and a constraint. Ask of each "
        "statement whether it is about the recipe (then both share it), about a knob one of "
        "them has, about the constraint (local accuracy), or about something neither does.",
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

q5 = ReflectionProblem(
    id="explain_tabular_text.q5",
    prompt=("The applicant was told \"0.44, rejected\". Using what this notebook computed, what "
            "should the lender tell them instead, and what are the limits of that explanation? "
            "Write a few sentences in `answer_q5`."),
    variables=("answer_q5",),
    hints=(
        "Put yourself in the applicant's place: what would you want to know, beyond a number?",
        "Think of three things: the reasons (which features, in words), what they could change, "
        "and how they could challenge a decision they think is wrong.",
        "Then the limits: attributions depend on the background and the method (SHAP and LIME "
        "disagreed); correlated features can be changed only together; a counterfactual is "
        "about the model, not about the world.",
    ),
    solution_code='''answer_q5 = """
    Give the main reasons in plain language, from the attributions: debt-to-income ratio too
    high, too many recent late payments. Add an actionable
    counterfactual: the smallest realistic change that would flip the decision, touching only
    things the applicant can change, and say how to appeal and ask for human review. Limits:
    attributions depend on the method and the background (SHAP and LIME disagreed), they
    describe the model, not causes in the world, and the counterfactual treats correlated
    features as independent; the lender must not present them as more certain than they are.
    """''',
    wrong_code=(
        'answer_q5 = "Explain it better."',
        'answer_q5 = "reasons reasons model model score score " * 6',
        ('answer_q5 = ("The applicant was told 0.44, rejected. Using what this notebook '
         'computed, what should the lender tell them instead, and what are the limits of that '
         'explanation? Write a few sentences.")'),
        "answer_q5 = 0.44",
    ),
    rubric=(
        Criterion("name the main reasons in plain language (reason codes)"),
        Criterion("say what would change the decision (an actionable counterfactual)"),
        Criterion("offer a way to contest it (appeal, human review, correct the data)"),
        Criterion("the limits: explanations depend on the method/background, are not causal, "
                  "or treat correlated features as independent"),
    ),
    discussion=("In pairs: read each other's notice as the applicant would. Could you act on it, "
                "check it, and contest it? Which limit would you put in the notice itself, and "
                "which only in the lender's documentation?"),
)

register(q1, q2, q3, q4, q5)

__all__ = ["Game", "q1", "q2", "q3", "q4", "q5", "reference_shapley"]
