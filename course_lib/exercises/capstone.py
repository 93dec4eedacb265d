"""Checkpoints for notebook 11: a capstone audit of a credit model that the learner drives.

The learner chooses the attribute to audit, the fairness definition, the mitigation and the
operating point (``DecisionProblem``: every defensible choice passes, with its trade-off); each
later checkpoint's expected value is computed from *those* choices and the notebook's objects
(``ComputedValueProblem``), so any defensible path passes and is told what it costs. The learner
writes the evaluation and the mitigation comparison (``FunctionProblem``, hidden cases with edge
cases); the written rationale is self-assessed against a rubric.
"""

from __future__ import annotations

from course_lib.exercises._core import (
    ComputedValueProblem,
    Criterion,
    DecisionProblem,
    MatchingProblem,
    Option,
    ReflectionProblem,
    register,
)
from course_lib.exercises._function import Case, FunctionProblem

__all__ = [f"q{i}" for i in range(1, 14)]

# A small stand-in for the notebook's objects, so tests can run every answer (the checks compute
# their expected values from whatever objects, and whatever choices, they are given).
_AUDIT_SETUP = """\
import numpy as np
import pandas as pd

from course_lib.reporting import audit_choice, decide

rng = np.random.default_rng(0)
groups = pd.Series(np.where(rng.random(400) < 0.2, "under 25", "25 and over"), name="group")
y = rng.binomial(1, np.where(groups == "under 25", 0.6, 0.72))
noise = rng.normal(size=(3, 400))
scores = {"baseline": 1 / (1 + np.exp(-(2 * y - 1 + noise[0] - 0.4 * (groups == "under 25")))),
          "reweighing": 1 / (1 + np.exp(-(2 * y - 1 + noise[1] - 0.2 * (groups == "under 25")))),
          "fairness penalty": 1 / (1 + np.exp(-(2 * y - 0.6 + noise[2])))}
approved = (scores["baseline"] >= 0.5).astype(int)
volume = approved.mean()
chosen_attribute, chosen_definition = "age group", "equal opportunity"
chosen_mitigation, chosen_point = "fairness penalty", "cautious"
"""


def _arrays(*xs):
    import numpy as np

    return [np.asarray(x) for x in xs]


def _rate(values, mask) -> float:
    values, mask = _arrays(values, mask)
    return float(values[mask].mean()) if mask.any() else 0.0


def _groups_of(groups) -> tuple[str, str]:
    from course_lib.reporting import audited_group

    return audited_group(groups)


# -- q1: which attribute to audit ----------------------------------------------------------------
q1 = DecisionProblem(
    id="capstone.q1",
    prompt=("Choose the attribute this audit compares groups by, from the datasheet and the "
            "counts above: 'age group' (under 25 against 25 and over, responsibly's split), "
            "'age group (25 and under)' (AIF360's split), 'sex' or 'foreign worker'. Store it "
            "in `attribute`."),
    variables=("attribute",),
    hints=(
        "An attribute can be audited when it is recorded reliably for everyone and its groups "
        "are large enough to measure an error rate on.",
        "Read the datasheet's 'Known harms and misuse' section, then the table: how many "
        "applicants have an unknown sex, how many are foreign workers, and how many of those "
        "had a bad credit (the FPR's denominator)?",
        "Sex is unknown for 310 applicants and every known woman is single; 37 foreign workers "
        "are about 4% of the data. The two age splits differ only for the 41 applicants aged "
        "exactly 25: pick one and say which.",
    ),
    solution_code='attribute = "age group"',
    wrong_code=('attribute = "sex"', 'attribute = "foreign worker"', 'attribute = "income"'),
    options={
        "age group": Option(True, "age is recorded for everyone and 149 applicants are under "
                                  "25: enough to measure, few enough that every rate of that "
                                  "group needs its interval. The cut at 25 is a convention of "
                                  "the literature, not of the law."),
        "age group (25 and under)": Option(True, "AIF360's split moves the 41 applicants aged "
                                                 "exactly 25 into the younger group: a larger "
                                                 "group and narrower intervals, but results "
                                                 "differ from those of papers using the other "
                                                 "split, so say which one you used."),
        "sex": Option(False, "decoded by the corrected code table (Grömping, 2019), sex is "
                             "unknown for 310 applicants and every known woman is single: a "
                             "comparison by this column mixes sex with marital status."),
        "foreign worker": Option(False, "37 foreign workers, 4 of them with a bad credit: an "
                                        "FPR over 4 people says nothing, and the interval of "
                                        "any rate spans tens of points."),
    },
)


# -- q2: the base-rate gap of the learner's groups -----------------------------------------------
def _base_gap(y, groups) -> float:
    audited, reference = _groups_of(groups)
    g = _arrays(groups)[0]
    return _rate(y, g == reference) - _rate(y, g == audited)


def _base_ratio(y, groups) -> float:
    audited, reference = _groups_of(groups)
    g = _arrays(groups)[0]
    return _rate(y, g == audited) / _rate(y, g == reference)


def _overall_minus_audited(y, groups) -> float:
    audited, _ = _groups_of(groups)
    g, yv = _arrays(groups, y)
    return float(yv.mean()) - _rate(y, g == audited)


q2 = ComputedValueProblem(
    id="capstone.q2",
    prompt=("For the groups of your `attribute` (`groups`), how much more often did the older "
            "group repay? Store rate(older group) − rate(younger group), as a fraction, in "
            "`base_rate_gap`."),
    variables=("base_rate_gap",),
    context=("y", "groups"),
    hints=(
        "`y` is 1 for a good credit, so a group's good-credit rate is the mean of `y` over its "
        "rows.",
        "Select each group's rows with a boolean mask on `groups` (`audited_group(groups)` "
        "gives the labels: younger first), take the mean of `y` in each, and subtract.",
        "`young, older = audited_group(groups)`, then `y[groups == older].mean()` minus the same "
        "for `young`.",
    ),
    solution_code="""\
from course_lib.reporting import audited_group

young, older = audited_group(groups)
base_rate_gap = y[groups == older].mean() - y[groups == young].mean()""",
    wrong_code=(
        """\
base_rate_gap = y[groups == "under 25"].mean() / y[groups == "25 and over"].mean()""",
        """\
base_rate_gap = 100 * (y[groups == "25 and over"].mean() - y[groups == "under 25"].mean())""",
        """\
base_rate_gap = y.mean() - y[groups == "under 25"].mean()""",
        """\
base_rate_gap = y[groups == "under 25"].mean() - y[groups == "25 and over"].mean()""",
    ),
    setup_code=_AUDIT_SETUP,
    expected=_base_gap,
    known_wrong=(
        (_base_ratio, "that is a ratio of the two rates; the question asks for their "
                      "difference."),
        (_overall_minus_audited, "that subtracts from the rate of *all* applicants; compare the "
                                 "two groups with each other."),
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
        "Ask of each concern: equal *what*, among *whom*? Everyone, the creditworthy, or those "
        "approved?",
        "Demographic parity compares P(approved | group); equal opportunity P(approved | good "
        "credit, group); predictive parity P(good credit | approved, group).",
        "The applicant conditions on 'would repay', the regulator on nothing, the lender on "
        "'approved': map each condition to the definition above that has it.",
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
        """\
definition_for = {"applicant": "predictive parity", "regulator": "demographic parity",
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
                                                     "which demographic parity ignores.",
                ("applicant", "predictive parity"): "predictive parity conditions on being "
                                                    "approved; the applicant speaks of those "
                                                    "who would repay, approved or not."},
)


# -- q4: which definition the audit adopts -------------------------------------------------------
q4 = DecisionProblem(
    id="capstone.q4",
    prompt=("Choose the fairness definition this audit holds the model to: 'equal opportunity', "
            "'equalized odds', 'demographic parity' or 'predictive parity'. Store it in "
            "`definition`."),
    variables=("definition",),
    hints=(
        "Whose harm does the audit guard against, and what does each definition compare?",
        "A wrongly declined creditworthy applicant is measured by the TPR; an approved "
        "defaulter by the FPR; the approval rate of everyone by the selection rate. The bank "
        "already watches the repayment rate of the approved (PPV).",
        "Pick the one whose compared rate matches the harm you name, and be ready to say what "
        "it leaves out (the base rates of section 1 differ by group).",
    ),
    solution_code='definition = "equal opportunity"',
    wrong_code=('definition = "predictive parity"', 'definition = "accuracy"',
                "definition = 1"),
    options={
        "equal opportunity": Option(True, "it protects the creditworthy applicant declined for "
                                          "their age group (equal TPR), and trusts the label as "
                                          "the record of creditworthiness; it says nothing about "
                                          "approved defaulters (the FPR), whose cost falls on "
                                          "them and on the lender."),
        "equalized odds": Option(True, "equal TPR *and* equal FPR: it also guards young "
                                       "applicants against being approved into loans they cannot "
                                       "repay, but it is harder to meet and on 149 people the "
                                       "FPR gap rests on about 60 defaulters."),
        "demographic parity": Option(True, "equal approval rates: defensible if the 1970s labels "
                                           "themselves carry the bias (label bias, notebook 01), "
                                           "but with different base rates it approves a larger "
                                           "share of the younger group's defaulters or declines "
                                           "more of the older group's good payers."),
        "predictive parity": Option(False, "it is the lender's own interest, an approved loan "
                                           "equally safe in every group, which the bank looks "
                                           "after anyway; with different base rates it can hold "
                                           "while creditworthy young applicants are declined "
                                           "more often."),
    },
)


# -- q5: the learner writes the evaluation -------------------------------------------------------
def _evaluate(y_true, y_pred, groups, definition, variant: str | None = None) -> dict:
    """Per-group rates and the gap; ``variant`` names a known mistake (for the catalogue)."""
    import numpy as np

    yt, yp, g = (np.asarray(v) for v in (y_true, y_pred, groups))
    rates = {}
    for label in sorted(set(g.tolist())):
        rows = g == label
        pos, neg = rows & (yt == 1), rows & (yt == 0)
        nan = float("nan")
        tpr = float(yp[pos].mean()) if pos.any() else (nan if variant == "nan" else 0.0)
        fpr = float(yp[neg].mean()) if neg.any() else (nan if variant == "nan" else 0.0)
        if variant == "swapped":
            tpr, fpr = fpr, tpr
        rates[label] = {"selection_rate": float(yp[rows].mean()), "tpr": tpr, "fpr": fpr}

    def spread(key):
        values = [r[key] for r in rates.values()]
        if variant == "signed":
            return values[-1] - values[0]
        return max(values) - min(values)

    d = " ".join(str(definition).lower().replace("_", " ").split())
    if d == "demographic parity":
        gap = spread("selection_rate")
    elif d == "equal opportunity" or variant == "tpr only":
        gap = spread("tpr")
    else:
        gap = max(spread("tpr"), spread("fpr"))
    return {"rates": rates, "gap": float(gap)}


def reference_evaluate(y_true, y_pred, groups, definition) -> dict:
    """The reference ``evaluate``, from course_lib's ``group_report`` (zero_division=0)."""
    import numpy as np

    from course_lib.fairness import group_report

    report = group_report(np.asarray(y_true), np.asarray(y_pred), np.asarray(groups),
                          zero_division=0.0)
    rates = {str(label): {"selection_rate": float(r["selection_rate"]), "tpr": float(r["tpr"]),
                          "fpr": float(r["fpr"])} for label, r in report.iterrows()}
    d = " ".join(str(definition).lower().replace("_", " ").split())
    keys = {"demographic parity": ("selection_rate",), "equal opportunity": ("tpr",),
            "equalized odds": ("tpr", "fpr")}[d]
    gap = max(report[k].max() - report[k].min() for k in keys)
    return {"rates": rates, "gap": float(gap)}


_Y = [1, 1, 0, 0, 1, 1, 1, 0, 0, 0]
_P = [1, 0, 1, 0, 1, 1, 1, 0, 0, 1]
_G = ["older"] * 4 + ["young"] * 6


def _case(label, y, p, g, definition, *mistakes):
    """A hidden case of ``evaluate``, with the results the named mistakes return on it."""
    feedback = {
        "nan": "a group with no one in a rate's denominator must get 0.0 (scikit-learn's "
               "zero_division=0), not NaN: guard the division.",
        "swapped": "TPR and FPR are swapped: the TPR is the approval rate among those who "
                   "repaid (y == 1), the FPR among those who did not (y == 0).",
        "signed": "the gap is the largest rate minus the smallest, never negative: a gap has "
                  "no direction until you name the groups.",
        "tpr only": "equalized odds compares both TPR and FPR: the gap is the larger of the two "
                    "gaps.",
    }
    found = []
    for m in mistakes:
        out = _evaluate(y, p, g, definition, variant=m)
        found.append((out, feedback[m]))
    return Case(label, (y, p, g, definition), mistakes=tuple(found))


_Y3 = [1, 0, 1, 0, 1, 0, 1, 1, 0]
_P3 = [1, 0, 1, 1, 0, 0, 1, 1, 1]
_G3 = ["a", "a", "b", "b", "b", "c", "c", "c", "c"]

q5 = FunctionProblem(
    id="capstone.q5",
    prompt=("Write the audit's evaluation: `evaluate(y_true, y_pred, groups, definition)` returns "
            "each group's selection rate, TPR and FPR, and the gap under `definition`, as the "
            "docstring of the starter cell says."),
    variables=("evaluate",),
    hints=(
        "Loop over the groups; in each, the selection rate is the mean of `y_pred`, the TPR its "
        "mean among `y_true == 1`, the FPR among `y_true == 0`.",
        "Guard each division: when a group has no one with `y_true == 1` (or `== 0`) that rate "
        "is 0.0. The gap of a rate is its largest minus its smallest value across the groups; "
        "equalized odds takes the larger of the TPR and FPR gaps.",
        "Inside the loop: `pos = rows & (y_true == 1)`, `tpr = y_pred[pos].mean() if pos.any() "
        "else 0.0` (the FPR likewise with `== 0`); after it, pick the keys of `definition` and "
        "take `max(values) - min(values)` of each.",
    ),
    solution_code='''\
import numpy as np


def evaluate(y_true, y_pred, groups, definition):
    y_true, y_pred, groups = np.asarray(y_true), np.asarray(y_pred), np.asarray(groups)
    rates = {}
    for group in sorted(set(groups.tolist())):
        rows = groups == group
        pos, neg = rows & (y_true == 1), rows & (y_true == 0)
        rates[group] = {"selection_rate": y_pred[rows].mean(),
                        "tpr": y_pred[pos].mean() if pos.any() else 0.0,
                        "fpr": y_pred[neg].mean() if neg.any() else 0.0}
    keys = {"demographic parity": ["selection_rate"], "equal opportunity": ["tpr"],
            "equalized odds": ["tpr", "fpr"]}[definition.replace("_", " ")]
    gap = max(max(r[k] for r in rates.values()) - min(r[k] for r in rates.values())
              for k in keys)
    return {"rates": rates, "gap": gap}''',
    wrong_code=(
        '''\
import numpy as np


def evaluate(y_true, y_pred, groups, definition):
    y_true, y_pred, groups = np.asarray(y_true), np.asarray(y_pred), np.asarray(groups)
    rates = {}
    for group in sorted(set(groups.tolist())):
        rows = groups == group
        rates[group] = {"selection_rate": y_pred[rows].mean(),
                        "tpr": y_pred[rows & (y_true == 0)].mean(),
                        "fpr": y_pred[rows & (y_true == 1)].mean()}
    key = {"demographic parity": "selection_rate"}.get(definition, "tpr")
    return {"rates": rates, "gap": max(r[key] for r in rates.values())
            - min(r[key] for r in rates.values())}''',
        '''\
import numpy as np


def evaluate(y_true, y_pred, groups, definition):
    y_true, y_pred, groups = np.asarray(y_true), np.asarray(y_pred), np.asarray(groups)
    rates = {}
    for group in sorted(set(groups.tolist())):
        rows = groups == group
        pos, neg = rows & (y_true == 1), rows & (y_true == 0)
        rates[group] = {"selection_rate": y_pred[rows].mean(),
                        "tpr": y_pred[pos].mean() if pos.any() else 0.0,
                        "fpr": y_pred[neg].mean() if neg.any() else 0.0}
    key = "selection_rate" if definition == "demographic parity" else "tpr"
    values = [r[key] for r in rates.values()]
    return {"rates": rates, "gap": values[-1] - values[0]}''',
        '''\
import numpy as np


def evaluate(y_true, y_pred, groups, definition):
    y_true, y_pred, groups = np.asarray(y_true), np.asarray(y_pred), np.asarray(groups)
    rates = {}
    for group in sorted(set(groups.tolist())):
        rows = groups == group
        pos, neg = rows & (y_true == 1), rows & (y_true == 0)
        rates[group] = {"selection_rate": y_pred[rows].mean(),
                        "tpr": y_pred[pos].mean() if pos.any() else 0.0,
                        "fpr": y_pred[neg].mean() if neg.any() else 0.0}
    key = "selection_rate" if definition == "demographic parity" else "tpr"
    values = [r[key] for r in rates.values()]
    return {"rates": rates, "gap": max(values) - min(values)}''',
    ),
    cases=(
        _case("two groups, equal opportunity", _Y, _P, _G, "equal opportunity",
              "swapped", "signed"),
        _case("two groups, demographic parity", _Y, _P, _G, "demographic parity", "signed"),
        _case("equalized odds, where the FPR gap is the larger", _Y, _P, _G, "equalized odds",
              "tpr only", "swapped"),
        _case("a group with no creditworthy applicant", [0, 0, 1, 0, 1], [1, 0, 1, 0, 0],
              ["young", "young", "older", "older", "older"], "equal opportunity", "nan",
              "signed"),
        _case("a group with no defaulter", [1, 1, 1, 0, 1], [1, 0, 1, 1, 1],
              ["young", "young", "older", "older", "older"], "equalized odds", "nan",
              "tpr only"),
        _case("three groups", _Y3, _P3, _G3, "equal opportunity", "signed"),
    ),
    reference=reference_evaluate,
)


# -- q6: the baseline's gap under the learner's definition --------------------------------------
def _gap_under(definition):
    def gap(y, approved, groups, chosen_definition):  # noqa: ARG001 (same signature)
        from course_lib.reporting import definition_gap

        return definition_gap(y, approved, groups, definition)

    return gap


def _your_gap(y, approved, groups, chosen_definition) -> float:
    from course_lib.reporting import definition_gap

    return definition_gap(y, approved, groups, chosen_definition)


def _other_gaps():
    from course_lib.reporting import DEFINITIONS

    return tuple((_gap_under(d), f"that is the {d} gap; your definition is the one in "
                                 "`chosen_definition`: compare the rates it names.")
                 for d in DEFINITIONS)


class _YourGapProblem(ComputedValueProblem):
    """The other definitions' gaps are wrong answers unless they equal the chosen one's."""

    def evaluate(self, namespace):
        from course_lib.reporting import audit_choice

        chosen = namespace.get("chosen_definition")
        if isinstance(chosen, str):
            chosen = audit_choice(chosen, "definition", quiet=True)
            self.known_wrong = tuple(w for w in _other_gaps() if f"the {chosen} gap" not in w[1])
        return super().evaluate(namespace)


q6 = _YourGapProblem(
    id="capstone.q6",
    prompt=("Apply your `evaluate` to the baseline's out-of-fold decisions (`y`, `approved`, "
            "`groups`) under your definition (`chosen_definition`) and store the gap in "
            "`baseline_gap`."),
    variables=("baseline_gap",),
    context=("y", "approved", "groups", "chosen_definition"),
    hints=(
        "Your `evaluate` from checkpoint 5 returns a dict; one of its keys is the gap.",
        "Call it on the notebook's objects, with the definition you chose, and take the `gap` "
        "entry; compute it, do not type it from the table.",
        "`evaluate(y, approved, groups, chosen_definition)` is the call; its result holds the "
        "gap under the key the docstring names.",
    ),
    solution_code="""\
from course_lib.exercises.capstone import reference_evaluate as evaluate

baseline_gap = evaluate(y, approved, groups, chosen_definition)["gap"]""",
    wrong_code=(
        """\
from course_lib.exercises.capstone import reference_evaluate as evaluate

baseline_gap = evaluate(y, approved, groups, "demographic parity")["gap"]""",
        """\
from course_lib.exercises.capstone import reference_evaluate as evaluate

baseline_gap = 100 * evaluate(y, approved, groups, chosen_definition)["gap"]""",
        """\
from course_lib.exercises.capstone import reference_evaluate as evaluate

baseline_gap = -evaluate(y, approved, groups, chosen_definition)["gap"]""",
        """\
from course_lib.exercises.capstone import reference_evaluate as evaluate

baseline_gap = round(evaluate(y, approved, groups, chosen_definition)["gap"], 2)""",
    ),
    setup_code=_AUDIT_SETUP,
    expected=_your_gap,
    abs_tol=1e-6,
)
# -- q7: a one-feature counterfactual ------------------------------------------------------------
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


q7 = ComputedValueProblem(
    id="capstone.q7",
    prompt=("Suppose the applicant can change only the duration of the credit, in steps of 6 "
            "months downwards and to at least 6 months. By how many months must it fall for the "
            "model to approve (score ≥ 0.5)? Use `counterfactual` with a spec dict in which only "
            "`duration` may change, and store the reduction in months in `duration_cut`."),
    variables=("duration_cut",),
    context=("approval_score", "applicant", "FEATURES"),
    hints=(
        "Only one column may move: build a spec dict in which every other column is fixed.",
        "Copy `SPECS` with every column fixed (a `FeatureSpec` without `change`), then give "
        "`duration` a spec with `change=\"down\"`, `step=6` and `lo=6`, and run `counterfactual` "
        "with `max_changes=1`.",
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
        """\
duration_cut = 5""",
        """\
duration_cut = 2.5""",
    ),
    setup_code=_CF_SETUP,
    expected=_cut,
    known_wrong=(
        (_new_duration, "that is the new duration; the question asks for the reduction, old "
                        "duration minus new."),
        (lambda s, a, f: _cut(s, a, f) / STEP_MONTHS,
         "that is the number of 6-month steps; the question asks for the reduction in months."),
        (lambda s, a, f: _cut(s, a, f) / 12,
         "that is the reduction in years; the question asks for months."),
    ),
    rel_tol=0.0,
    abs_tol=1e-6,
)


# -- q12: the generalisation gap behind membership leakage ----------------------------------------
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


q12 = ComputedValueProblem(
    id="capstone.q12",
    prompt=("Membership leakage follows the generalisation gap (Yeom et al., 2018). Compute the "
            "fold model's accuracy on its training rows (`x_members`, `y_members`) minus its "
            "accuracy on the rows it never saw (`x_nonmembers`, `y_nonmembers`), and store it in "
            "`generalisation_gap`."),
    variables=("generalisation_gap",),
    context=("fold_model", "x_members", "y_members", "x_nonmembers", "y_nonmembers"),
    hints=(
        "The attack reads how much better the model fits the rows it was trained on.",
        "`predict(fold_model, x)` gives the predicted labels; accuracy is the share equal to "
        "the true labels. Compute it on the members and on the non-members.",
        "`(predict(fold_model, x_members) == y_members).mean()` is the first accuracy; subtract "
        "the same for the non-members.",
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
        """\
from course_lib.models import predict

generalisation_gap = (predict(fold_model, x_nonmembers) != y_nonmembers).mean()""",
    ),
    setup_code=_MEMBERS_SETUP,
    expected=_gen_gap,
    known_wrong=(
        (lambda m, xm, ym, xn, yn: -_gen_gap(m, xm, ym, xn, yn),
         "check the order: training rows minus unseen rows (positive when the model fits its "
         "own data better)."),
        (lambda m, xm, ym, xn, yn: _accuracy(m, xm, ym),
         "that is the training accuracy alone; subtract the accuracy on the rows it never saw."),
        (lambda m, xm, ym, xn, yn: 1 - _accuracy(m, xn, yn),
         "that is the error rate on the unseen rows; the gap is the training accuracy minus "
         "the accuracy on the rows it never saw."),
    ),
)




# -- q8: which mitigation ------------------------------------------------------------------------
q8 = DecisionProblem(
    id="capstone.q8",
    prompt=("Choose the mitigation to measure against the baseline: 'reweighing', 'fairness "
            "penalty', 'group thresholds' or 'drop the proxies'. Store it in `mitigation`."),
    variables=("mitigation",),
    hints=(
        "Ask of each: where does it use the age group (in training, or in the decision rule "
        "itself), and which rate does it target?",
        "Reweighing (pre-processing) and the penalty (in-processing) use age only in training; "
        "group thresholds (post-processing) put it into the decision; dropping columns relies "
        "on the proxy figure of section 1.",
        "Compare the proxy figure's 'all columns together' line with its single bars, then "
        "pick the stage whose use of age you could defend to a regulator.",
    ),
    solution_code='mitigation = "fairness penalty"',
    wrong_code=('mitigation = "drop the proxies"', 'mitigation = "remove age"',
                'mitigation = ["reweighing"]'),
    options={
        "reweighing": Option(True, "cheap and age is used only to weight the training rows; "
                                   "but it targets the independence of label and group, not "
                                   "the TPR, so it may move your gap little."),
        "fairness penalty": Option(True, "it targets the error rates directly with age used in "
                                         "training only; it costs a second training, shifts the "
                                         "scores (compare at the same operating point) and may "
                                         "raise the FPR of the younger group."),
        "group thresholds": Option(True, "it closes your gap on the data it is fitted on, at no "
                                         "training cost; but it puts age into the decision rule "
                                         "itself, an age-based rule that anti-discrimination and "
                                         "consumer-credit law make hard to defend, and it is "
                                         "fitted on the same applicants it is judged on."),
        "drop the proxies": Option(False, "no single column is a strong proxy; the columns "
                                          "together predict the age group (section 1), so "
                                          "dropping the strongest ones leaves the rest to carry "
                                          "it and throws information away."),
    },
)


# -- q9: the operating point ---------------------------------------------------------------------
q9 = DecisionProblem(
    id="capstone.q9",
    prompt=("Choose the operating point every model is compared at: 'lending volume' (approve "
            "the share the baseline approves), 'cautious' (10 points fewer), 'generous' (10 "
            "points more) or 'threshold 0.5' (each model's default). Store it in "
            "`operating_point`."),
    variables=("operating_point",),
    hints=(
        "A fair comparison holds everything fixed but the model: what should stay fixed here?",
        "Move the explorer's threshold for the fairness penalty's model and watch its approval "
        "rate: at which threshold does it approve what the baseline approves?",
        "An approval rate is a business decision the bank can state; a threshold of 0.5 means a "
        "different approval rate for every model. Pick a rate and say what it costs.",
    ),
    solution_code='operating_point = "lending volume"',
    wrong_code=('operating_point = "threshold 0.5"', 'operating_point = 0.5',
                'operating_point = "best accuracy"'),
    options={
        "lending volume": Option(True, "every model approves as many applicants as the bank "
                                       "lends to now, so a change in the gap is the model's, "
                                       "not the volume's."),
        "cautious": Option(True, "fewer approvals, fewer defaults (a lower FPR), but more "
                                 "creditworthy applicants declined in every group, and the "
                                 "bank lends less."),
        "generous": Option(True, "more creditworthy applicants approved (a higher TPR, gaps "
                                 "narrow as everyone's TPR nears 1), but more approved "
                                 "defaulters: a cost to the bank and to those who cannot "
                                 "repay."),
        "threshold 0.5": Option(False, "a default, not a decision: a penalised model's scores "
                                       "shift, and at 0.5 it may approve nearly everyone, which "
                                       "'closes' any TPR gap while approving most defaulters."),
    },
)


# -- q10: the learner writes the mitigation comparison ------------------------------------------
def reference_compare(y_true, baseline, mitigated, groups, definition) -> dict:
    """The reference comparison: ``reference_evaluate`` before and after."""
    before = reference_evaluate(y_true, baseline, groups, definition)
    after = reference_evaluate(y_true, mitigated, groups, definition)
    return {"gap": after["gap"] - before["gap"],
            "accuracy": _accuracy_of(y_true, mitigated) - _accuracy_of(y_true, baseline),
            "fpr": {g: after["rates"][g]["fpr"] - before["rates"][g]["fpr"]
                    for g in after["rates"]}}


def _accuracy_of(y_true, y_pred) -> float:
    yt, yp = _arrays(y_true, y_pred)
    return float((yt == yp).mean())


def _compare_mistake(y, base, mit, g, definition, kind: str) -> dict:
    right = reference_compare(y, base, mit, g, definition)
    if kind == "reversed":
        return {"gap": -right["gap"], "accuracy": -right["accuracy"],
                "fpr": {k: -v for k, v in right["fpr"].items()}}
    if kind == "approvals":
        yp, yb = _arrays(mit, base)
        return dict(right, accuracy=float(yp.mean() - yb.mean()))
    if kind == "levels":
        after = reference_evaluate(y, mit, g, definition)
        return dict(right, fpr={k: r["fpr"] for k, r in after["rates"].items()})
    raise ValueError(kind)


def _compare_case(label, y, base, mit, g, definition, *kinds):
    feedback = {"reversed": "every change has the wrong sign: the mitigated model minus the "
                            "baseline (a negative gap change means fairer).",
                "levels": "the 'fpr' entry holds the mitigated model's FPRs; the question asks "
                          "how much each group's FPR *changed* (after − before).",
                "approvals": "that 'accuracy' is the change in the approval rate; accuracy is "
                             "the share of decisions equal to `y_true`."}
    return Case(label, (y, base, mit, g, definition),
                mistakes=tuple((_compare_mistake(y, base, mit, g, definition, k), feedback[k])
                               for k in kinds))


_CY = [1, 1, 1, 0, 0, 1, 1, 1, 0, 0]
_CG = ["older"] * 5 + ["young"] * 5
_CB = [1, 1, 1, 1, 0, 1, 0, 0, 0, 0]

q10 = FunctionProblem(
    id="capstone.q10",
    prompt=("Write the mitigation comparison: `compare_mitigation(y_true, baseline, mitigated, "
            "groups, definition)` returns what the mitigation changes against the baseline, on "
            "the same applicants, as the starter's docstring says."),
    variables=("compare_mitigation",),
    hints=(
        "Evaluate both decisions with your `evaluate`, then subtract: mitigated minus baseline.",
        "The gap change is the difference of the two `gap` entries; the accuracy is the share "
        "of decisions equal to `y_true`; each group's FPR change is the difference of its two "
        "`fpr` rates.",
        "`before = evaluate(y_true, baseline, groups, definition)` and likewise `after`; then "
        "`after['gap'] - before['gap']`, and for each group `after['rates'][g]['fpr']` minus "
        "the same of `before`.",
    ),
    solution_code='''\
import numpy as np


def compare_mitigation(y_true, baseline, mitigated, groups, definition):
    y_true, baseline, mitigated = np.asarray(y_true), np.asarray(baseline), np.asarray(mitigated)
    before = evaluate(y_true, baseline, groups, definition)
    after = evaluate(y_true, mitigated, groups, definition)
    return {"gap": after["gap"] - before["gap"],
            "accuracy": (mitigated == y_true).mean() - (baseline == y_true).mean(),
            "fpr": {g: after["rates"][g]["fpr"] - before["rates"][g]["fpr"]
                    for g in after["rates"]}}''',
    wrong_code=(
        '''\
import numpy as np


def compare_mitigation(y_true, baseline, mitigated, groups, definition):
    y_true, baseline, mitigated = np.asarray(y_true), np.asarray(baseline), np.asarray(mitigated)
    before = evaluate(y_true, baseline, groups, definition)
    after = evaluate(y_true, mitigated, groups, definition)
    return {"gap": before["gap"] - after["gap"],
            "accuracy": (baseline == y_true).mean() - (mitigated == y_true).mean(),
            "fpr": {g: before["rates"][g]["fpr"] - after["rates"][g]["fpr"]
                    for g in after["rates"]}}''',
        '''\
import numpy as np


def compare_mitigation(y_true, baseline, mitigated, groups, definition):
    y_true, baseline, mitigated = np.asarray(y_true), np.asarray(baseline), np.asarray(mitigated)
    before = evaluate(y_true, baseline, groups, definition)
    after = evaluate(y_true, mitigated, groups, definition)
    return {"gap": after["gap"] - before["gap"],
            "accuracy": (mitigated == y_true).mean() - (baseline == y_true).mean(),
            "fpr": {g: after["rates"][g]["fpr"] for g in after["rates"]}}''',
        '''\
import numpy as np


def compare_mitigation(y_true, baseline, mitigated, groups, definition):
    baseline, mitigated = np.asarray(baseline), np.asarray(mitigated)
    before = evaluate(y_true, baseline, groups, definition)
    after = evaluate(y_true, mitigated, groups, definition)
    return {"gap": after["gap"] - before["gap"], "accuracy": mitigated.mean() - baseline.mean(),
            "fpr": {g: after["rates"][g]["fpr"] - before["rates"][g]["fpr"]
                    for g in after["rates"]}}''',
    ),
    setup_code="from course_lib.exercises.capstone import reference_evaluate as evaluate\n",
    cases=(
        _compare_case("a mitigation that narrows the gap", _CY, _CB,
                      [1, 1, 0, 1, 0, 1, 1, 0, 0, 1], _CG, "equal opportunity",
                      "reversed", "levels", "approvals"),
        _compare_case("the same decisions (nothing changes)", _CY, _CB, _CB, _CG,
                      "equalized odds", "levels"),
        _compare_case("approving everyone", _CY, _CB, [1] * 10, _CG, "equal opportunity",
                      "reversed", "levels"),
        _compare_case("demographic parity", _CY, _CB, [1, 1, 0, 0, 0, 1, 1, 0, 0, 0], _CG,
                      "demographic parity", "reversed"),
        _compare_case("decisions as lists, three groups", [1, 0, 1, 0, 1, 0],
                      [1, 1, 0, 0, 1, 0], [1, 0, 1, 1, 1, 0], ["a", "a", "b", "b", "c", "c"],
                      "equalized odds", "reversed", "levels"),
    ),
    reference=reference_compare,
)


# -- q11: what the learner's mitigation costs at the learner's operating point ------------------
def _decisions(y, scores, groups, mitigation, point, definition, volume, model=None,
               at_half=False):
    import numpy as np

    from course_lib.reporting import approval_rate_for, audit_decisions

    if at_half:
        name = model or mitigation
        source = scores["baseline" if name == "group thresholds" else name]
        return (np.asarray(source) >= 0.5).astype(int)
    made = audit_decisions(y, scores, groups, mitigation=mitigation, definition=definition,
                           approval_rate=approval_rate_for(point, volume))
    return made[model or mitigation]


def _accuracy_cost(y, scores, groups, chosen_mitigation, chosen_point, chosen_definition,
                   volume) -> float:
    args = (y, scores, groups, chosen_mitigation, chosen_point, chosen_definition, volume)
    return (_accuracy_of(y, _decisions(*args, model="baseline"))
            - _accuracy_of(y, _decisions(*args)))


def _cost_against_default(y, scores, groups, m, p, d, volume) -> float:
    args = (y, scores, groups, m, p, d, volume)
    return (_accuracy_of(y, _decisions(*args, model="baseline", at_half=True))
            - _accuracy_of(y, _decisions(*args)))


def _cost_at_half(y, scores, groups, m, p, d, volume) -> float:
    args = (y, scores, groups, m, p, d, volume)
    return (_accuracy_of(y, _decisions(*args, model="baseline", at_half=True))
            - _accuracy_of(y, _decisions(*args, at_half=True)))


def _gap_change(y, scores, groups, m, p, d, volume) -> float:
    from course_lib.reporting import definition_gap

    args = (y, scores, groups, m, p, d, volume)
    return (definition_gap(y, _decisions(*args), groups, d)
            - definition_gap(y, _decisions(*args, model="baseline"), groups, d))


q11 = ComputedValueProblem(
    id="capstone.q11",
    prompt=("What does your mitigation cost in accuracy at your operating point? Store "
            "accuracy(baseline) − accuracy(your mitigation), both at `approval_rate`, in "
            "`accuracy_cost` (a fraction; negative if the mitigation is more accurate)."),
    variables=("accuracy_cost",),
    context=("y", "scores", "groups", "chosen_mitigation", "chosen_point", "chosen_definition",
             "volume"),
    hints=(
        "Compare both models at the same operating point: the baseline too must approve "
        "`approval_rate` of the applicants.",
        "`decisions` holds both at your operating point; accuracy is the share of decisions "
        "equal to `y`. Your `compare_mitigation` already returns the difference, with the "
        "other sign.",
        "`compare_mitigation(y, decisions['baseline'], decisions[chosen_mitigation], groups, "
        "chosen_definition)` gives the change in accuracy (mitigated − baseline): the cost is "
        "its negative.",
    ),
    solution_code="""\
accuracy_cost = ((decisions["baseline"] == y).mean()
                 - (decisions[chosen_mitigation] == y).mean())""",
    wrong_code=(
        """\
accuracy_cost = (approved == y).mean() - (decisions[chosen_mitigation] == y).mean()""",
        """\
accuracy_cost = ((approved == y).mean()
                 - ((scores[chosen_mitigation] >= 0.5) == y).mean())""",
        """\
from course_lib.reporting import definition_gap

accuracy_cost = (definition_gap(y, decisions[chosen_mitigation], groups, chosen_definition)
                 - definition_gap(y, decisions["baseline"], groups, chosen_definition))""",
        """\
accuracy_cost = 100 * ((decisions["baseline"] == y).mean()
                       - (decisions[chosen_mitigation] == y).mean())""",
    ),
    setup_code=_AUDIT_SETUP + """\
from course_lib.reporting import approval_rate_for, audit_decisions

approval_rate = approval_rate_for(chosen_point, volume)
decisions = audit_decisions(y, scores, groups, mitigation=chosen_mitigation,
                            approval_rate=approval_rate, definition=chosen_definition)
""",
    expected=_accuracy_cost,
    known_wrong=(
        (_cost_against_default, "the baseline is taken at its default threshold 0.5 "
                                "(`approved`); compare both models at your operating point."),
        (_cost_at_half, "both models at the threshold 0.5: that is not your operating point, "
                        "and a penalised model's scores shift (the trap of this section)."),
        (_gap_change, "that is the change in the gap; the question asks for the accuracy."),
    ),
)


# -- q13: the card's fairness rationale ----------------------------------------------------------
q13 = ReflectionProblem(
    id="capstone.q13",
    prompt=("Write the 'Fairness definition' rationale of the model card as you would sign it, "
            "for the choices you made: the attribute and the definition and why, what the audit "
            "measured (with its uncertainty), what your mitigation cost at your operating point "
            "and who bears its errors, and what an applicant who disagrees can do. A few "
            "sentences in `answer_q13`."),
    variables=("answer_q13",),
    hints=(
        "Use your own checkpoints: the attribute (q1), the definition (q4), the gap (q6) and "
        "the comparison table of section 4 at your operating point.",
        "A rationale a reader can check gives each number with its interval and the group's "
        "size, and names the cost (accuracy, approvals, whose FPR rose).",
        "Write four sentences: the definition and whom it protects; the measured gap and its "
        "interval; the mitigation's effect and cost at your operating point; age kept out of "
        "the decision (or why not), monitoring, and the appeal path.",
    ),
    solution_code='''answer_q13 = """
    We audit by age group (under 25 against 25 and over) and chose equal opportunity: an
    applicant who would repay should have the same chance of approval whatever their age,
    because a wrongly declined young applicant is the harm the audit found. Measured on
    out-of-fold predictions, creditworthy applicants under 25 were approved several points less
    often than older ones, with a wide bootstrap interval: only 149 applicants are under 25.
    Training with a fairness penalty, compared at the bank's lending volume, narrowed that gap
    in this run, within the range the notebook checks across seeds, for a small loss of
    accuracy, and the younger group's FPR may rise: more young applicants approved into loans
    they then could not repay. Its benefit is not established on these data. Age is used only
    in training, never in the decision rule; we monitor the gap monthly, and every declined
    applicant gets the main reasons and can ask for a human review.
    """''',
    wrong_code=(
        'answer_q13 = "The model is fair."',
        'answer_q13 = "fair fair fair model model model gap gap gap " * 5',
        "answer_q13 = 0.084",
        'answer_q13 = ("Write the fairness definition rationale of the model card as you would '
        'sign it for the choices you made the attribute and the definition and why what the '
        'audit measured")',
    ),
    rubric=(
        Criterion("names the attribute and the definition, and whom the definition protects"),
        Criterion("reports the measured gap with its uncertainty (interval, group size)"),
        Criterion("states what the mitigation cost at which operating point, and which group "
                  "bears the errors (accuracy, FPR, approvals)"),
        Criterion("says where age enters the decision (or does not), and gives a path to "
                  "contest it (human review, appeal, monitoring)"),
    ),
    discussion=("Swap rationales with a partner who made different choices. Could you sign "
                "theirs? Which of your numbers would change your partner's mind, and which "
                "cost did each of you accept that the other would not?"),
)

register(q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13)
