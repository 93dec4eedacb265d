"""Exercises of notebook 03 (measuring fairness):
``from course_lib.exercises.fairness_metrics import q1, q2, q3, q4``.

``ChoiceProblem`` (new here) checks answers picked from a fixed list of options, one variable per
scenario, and explains each wrong pick with what that option requires.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from course_lib.exercises._core import (
    CORRECT,
    Criterion,
    NotYet,
    Outcome,
    Problem,
    ReflectionProblem,
    ValueProblem,
    register,
)

__all__ = ["DEFINITIONS", "ChoiceProblem", "q1", "q2", "q3", "q4"]


@dataclass
class ChoiceProblem(Problem):
    """Each variable is one pick from ``options``; ``accepted[var]`` lists the defensible picks.

    A wrong pick gets ``explain[option]`` (what that option requires) and ``why[var]`` (what
    matters in that scenario); ``praise[var]`` is shown once everything is right.
    """

    options: tuple[str, ...] = ()
    accepted: Mapping[str, frozenset[str]] = field(default_factory=dict)
    explain: Mapping[str, str] = field(default_factory=dict)
    why: Mapping[str, str] = field(default_factory=dict)
    praise: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        for var in self.variables:
            if var not in self.accepted or not self.accepted[var] <= set(self.options):
                raise ValueError(f"{self.id}: accepted[{var!r}] must be a subset of the options")
            if var not in self.why or var not in self.praise:
                raise ValueError(f"{self.id}: {var!r} needs a `why` and a `praise` text")
        if set(self.explain) != set(self.options):
            raise ValueError(f"{self.id}: explain every option")

    def _normalise(self, name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise NotYet(f"`{name}` should be one of the options as text, e.g. "
                         f"{self.options[0]!r}; it is a {type(value).__name__}.")
        pick = " ".join(value.lower().replace("-", " ").replace("_", " ").split())
        if pick not in self.options:
            listed = ", ".join(repr(o) for o in self.options)
            raise NotYet(f"`{name}` = {value!r} is not one of the options: {listed}.")
        return pick

    def _judge(self, values: dict[str, Any]) -> Outcome:
        picks = {name: self._normalise(name, v) for name, v in values.items()}
        wrong = [name for name, pick in picks.items() if pick not in self.accepted[name]]
        if wrong:
            name = wrong[0]
            raise NotYet(f"{len(picks) - len(wrong)} of {len(picks)} are defensible. "
                         f"`{name}` = {picks[name]!r}: {self.explain[picks[name]]} "
                         f"{self.why[name]}")
        reasons = " ".join(f"**{name}:** {self.praise[name]}" for name in picks)
        return Outcome(CORRECT, f"all {len(picks)} are defensible choices. {reasons}")


# ---- q1, q2: COMPAS numbers ---------------------------------------------------------------------
def _compas() -> tuple[Any, Any, Any]:
    from course_lib.data import load_compas

    compas = load_compas()
    two = compas[compas["race"].isin(["African-American", "Caucasian"])]
    higher = (two["score_text"] != "Low").astype(int).to_numpy()
    return two["two_year_recid"].to_numpy(), higher, two["race"].astype(str).to_numpy()


def _selection(favourable: bool) -> tuple[float, float]:
    """(lowest, highest) selection rate of low (favourable) or higher risk, by race."""
    import numpy as np

    from course_lib.fairness import group_report

    y, higher, race = _compas()
    decision = 1 - higher if favourable else higher
    sel = group_report(y, decision, race, zero_division=np.nan)["selection_rate"]
    return float(sel.min()), float(sel.max())


def _gap(rate: str) -> float:
    import numpy as np

    from course_lib.fairness import group_report

    r = group_report(*_compas(), zero_division=np.nan)[rate]
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
        "The four-fifths rule is about the *favourable* outcome: here that is `score_text == "
        "\"Low\"`, i.e. `1 - higher_risk`.",
        "`four_fifths_rule(1 - higher_risk, race).ratio`: the lowest selection rate divided by "
        "the highest.",
    ),
    solution_code="low_risk_ratio = four_fifths_rule(1 - higher_risk, race).ratio",
    wrong_code=(
        "low_risk_ratio = four_fifths_rule(higher_risk, race).ratio",
        "low_risk_ratio = 1 / four_fifths_rule(1 - higher_risk, race).ratio",
        "low_risk_ratio = demographic_parity_difference(recid, 1 - higher_risk, race)",
        "low_risk_ratio = 100 * four_fifths_rule(1 - higher_risk, race).ratio",
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
        (lambda: 100 * _selection(True)[0] / _selection(True)[1],
         "that is the ratio in percent; store it as a fraction (0.8 is the threshold)."),
    ),
)

q2 = ValueProblem(
    id="fairness_metrics.q2",
    prompt=("A critic says COMPAS violates *equal opportunity*. Hardt et al. (2016) define it on "
            "the *advantaged* outcome: here, being rated low risk (`1 - higher_risk`) among the "
            "defendants who did not reoffend (`1 - recid`). Store the equal opportunity "
            "difference between Black and white defendants, as a fraction, in `eo_gap`."),
    variables=("eo_gap",),
    hints=(
        "Equal opportunity compares the true positive rate, P(ŷ=1 | y=1), with y = 1 the outcome "
        "that merits the favourable decision: among people who did *not* reoffend, how often "
        "was each group rated low risk?",
        "`equal_opportunity_difference(1 - recid, 1 - higher_risk, race)`. It equals the gap "
        "in false positive rates of \"higher risk\", since P(low | no reoffence) = 1 − FPR.",
    ),
    solution_code="eo_gap = equal_opportunity_difference(1 - recid, 1 - higher_risk, race)",
    wrong_code=(
        "eo_gap = equal_opportunity_difference(recid, higher_risk, race)",
        "eo_gap = demographic_parity_difference(recid, higher_risk, race)",
        "eo_gap = predictive_parity_difference(recid, higher_risk, race)",
        "eo_gap = 100 * equal_opportunity_difference(1 - recid, 1 - higher_risk, race)",
        "r = group_report(1 - recid, 1 - higher_risk, race, zero_division=np.nan)\n"
        "eo_gap = r.loc['African-American', 'tpr'] - r.loc['Caucasian', 'tpr']",
    ),
    setup_code=_SETUP,
    expected=lambda: _gap("fpr"),
    rel_tol=1e-6,
    known_wrong=(
        (lambda: _gap("tpr"),
         "that is the true positive rate gap of \"higher risk\": equal opportunity on the "
         "*harmful* label (flagged among those who reoffended). Hardt et al. condition on the "
         "advantaged outcome: being rated low risk among those who did not reoffend, "
         "`equal_opportunity_difference(1 - recid, 1 - higher_risk, race)`."),
        (lambda: _gap("selection_rate"),
         "that is the gap in how often each group is labelled higher risk at all: demographic "
         "parity, which ignores whether people reoffended."),
        (lambda: _gap("ppv"),
         "that is the PPV gap (predictive parity): it conditions on the *prediction*. Equal "
         "opportunity conditions on the *outcome*: here, not reoffending."),
        (lambda: 100 * _gap("fpr"), "that is in percentage points; store a fraction."),
        (lambda: -_gap("fpr"),
         "the size is right but the sign is not: a difference between groups is reported as "
         "max − min, a non-negative number."),
    ),
)

# ---- q3: reflection on the impossibility -----------------------------------------------
q3 = register(ReflectionProblem(
    id="fairness_metrics.q3",
    prompt=("COMPAS's base rates differ between Black and white defendants, so the county "
            "cannot have both a calibrated score and equal error rates. Which would you give up, "
            "and what would you tell the people affected? (About 60-120 words.)"),
    variables=("my_choice",),
    hints=(
        "Start from who bears each error: who is detained although they would not have "
        "reoffended, and who is released although they would?",
        "Also question the setup: are the base rates themselves measured fairly (re-arrest, "
        "not crime)? Could the decision change instead of the score (supervision instead of "
        "detention)?",
    ),
    solution_code='''my_choice = """I would give up calibration within groups and equalize
false positive rates, because the false positive is the harm to liberty: a person detained
although they would not have reoffended, and at present Black defendants bear it twice as often.
Calibration matters to the judge reading the score, so I would say openly that a score of 7 no
longer means the same re-arrest risk in both groups. I would also tell people that the base rates
are re-arrest rates, shaped by policing, and push to reduce the cost of a false positive:
supervision or reminders instead of detention."""''',
    wrong_code=('my_choice = "calibration"',
                'my_choice = " ".join(["the model is fine"] * 10)'),
    rubric=(
        Criterion("names the trade-off: calibration (or equal PPV) against equal error rates"),
        Criterion("says who bears each error (detained without cause, released and reoffends)"),
        Criterion("questions the labels or base rates (re-arrest reflects policing)"),
        Criterion("considers changing the decision or its cost, not only the score"),
    ),
))[0]

# ---- q4: choosing a definition by context ---------------------------------------------
DEFINITIONS = ("demographic parity", "equal opportunity", "equalized odds", "predictive parity",
               "calibration")

q4 = register(ChoiceProblem(
    id="fairness_metrics.q4",
    prompt=("For each scenario pick the definition you would hold the system to, from "
            "`DEFINITIONS`: `screening` (a medical test deciding who gets a follow-up scan), "
            "`sentencing` (a risk score used in detention or sentencing), `hiring` (shortlisting "
            "applicants, labels from past hiring decisions), `lending` (approving loans, "
            "labels = repaid or not) and `advertising` (who is shown a job or housing ad)."),
    variables=("screening", "sentencing", "hiring", "lending", "advertising"),
    hints=(
        "Ask two questions per scenario: which error hurts whom (a missed case, a wrongful "
        "flag, a missed opportunity)? And is the label trustworthy, or itself a product of past "
        "bias?",
        "Label trustworthy + missing a true case is the harm → equal opportunity. Both errors "
        "harm people (liberty, safety) → equalized odds. Labels biased or no label at all, and "
        "the benefit is exposure or selection itself → demographic parity. Scores read by a "
        "decision-maker as risk → calibration. Where two are defensible, say what each gives "
        "up.",
    ),
    solution_code=('screening = "equal opportunity"\n'
                   'sentencing = "equalized odds"  # or "calibration": say which you give up\n'
                   'hiring = "demographic parity"\n'
                   'lending = "equal opportunity"  # or "calibration"\n'
                   'advertising = "demographic parity"'),
    wrong_code=(
        'screening = sentencing = hiring = lending = advertising = "demographic parity"',
        'screening = "equal opportunity"\nsentencing = "demographic parity"\n'
        'hiring = "demographic parity"\nlending = "equal opportunity"\n'
        'advertising = "demographic parity"',
        'screening = "equal opportunity"\nsentencing = "equalized odds"\n'
        'hiring = "equal opportunity"\nlending = "equal opportunity"\n'
        'advertising = "demographic parity"',
        'screening = "equal opportunity"\nsentencing = "equalized odds"\n'
        'hiring = "demographic parity"\nlending = "equal opportunity"\n'
        'advertising = "fairness"',
        'screening = "equal opportunity"\nsentencing = "equalized odds"\n'
        'hiring = "demographic parity"\nlending = "demographic parity"\n'
        'advertising = "demographic parity"',
    ),
    setup_code="from course_lib.exercises.fairness_metrics import DEFINITIONS",
    options=DEFINITIONS,
    accepted={
        "screening": frozenset({"equal opportunity"}),
        "sentencing": frozenset({"equalized odds", "calibration", "predictive parity"}),
        "hiring": frozenset({"demographic parity"}),
        "lending": frozenset({"equal opportunity", "calibration"}),
        "advertising": frozenset({"demographic parity"}),
    },
    explain={
        "demographic parity": "it asks every group to be selected at the same rate, whatever "
                              "the outcome.",
        "equal opportunity": "it asks for the same true positive rate: people with y = 1 are "
                             "found equally often in every group; it trusts the label.",
        "equalized odds": "it asks for equal true *and* false positive rates: both kinds of "
                          "error shared equally; it trusts the label.",
        "predictive parity": "it asks that a positive prediction mean the same chance of y = 1 "
                             "in every group (equal PPV); with different base rates it forces "
                             "unequal error rates.",
        "calibration": "it asks that a score of s mean a chance s of y = 1 in every group; with "
                       "different base rates it forces unequal error rates.",
    },
    why={
        "screening": "In screening, prevalence really differs between groups and a missed "
                     "disease is the serious harm (a false alarm costs a follow-up scan).",
        "sentencing": "In sentencing, a false positive costs a person liberty and a false "
                      "negative costs public safety, and the judge reads the score as a risk. "
                      "Defensible: equalized odds (share both errors) or calibration (a score "
                      "means the same risk in every group; predictive parity is its version "
                      "for the \"higher risk\" flag); by Chouldechova's identity, with unequal "
                      "base rates you cannot have both.",
        "hiring": "In hiring, the labels are past hiring decisions, biased by history (think of "
                  "Amazon's model), so metrics that trust the label inherit the bias. The US "
                  "Uniform Guidelines' four-fifths rule (29 CFR 1607.4(D)) compares selection "
                  "rates: a rule of thumb for evidence of adverse impact, not a legal "
                  "threshold.",
        "lending": "In lending, the label (repaid) is observed for approved loans and the "
                   "harm is a creditworthy applicant refused; lenders also need the score to "
                   "mean the same risk for everyone.",
        "advertising": "In advertising, there is no trustworthy label (past clicks reflect who "
                       "was shown what): the benefit is being shown the opportunity at all.",
    },
    praise={
        "screening": "equal TPR means sick people are found equally often in every group.",
        "sentencing": "equalized odds shares both errors equally but gives up calibration "
                      "when base rates differ (the same score then means a different risk by "
                      "group); calibration (or predictive parity, for the flag) keeps the "
                      "score's meaning for the judge but leaves the group with the higher base "
                      "rate more false positives (ProPublica's finding). Both are defended "
                      "(notebook 02, the COMPAS case pack): say which you give up and why.",
        "hiring": "equal selection rates (the four-fifths rule is their ratio) do not trust "
                  "biased labels.",
        "lending": "equal opportunity (Hardt et al.'s FICO study) protects creditworthy "
                   "applicants; calibration keeps risk comparable: both are defended.",
        "advertising": "equal exposure to opportunities, with no label needed.",
    },
))[0]

register(q1, q2)
