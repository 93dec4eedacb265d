"""Exercises of notebook 01 (sources of bias): ``from course_lib.exercises.sources import q1``."""

from __future__ import annotations

import functools

from course_lib.exercises._core import (
    Criterion,
    MatchingProblem,
    ReflectionProblem,
    ValueProblem,
    register,
)

__all__ = ["MatchingProblem", "q1", "q2", "q3", "q4"]


@functools.cache
def _hist_rates() -> dict[str, float]:
    """q1's answer and its known wrong answers, from the notebook's historical-bias data."""
    from course_lib.synth import make_hiring

    df = make_hiring(5000, random_state=1, historical_penalty=0.5, proxy_strength=0.8)
    b = df[df["group"] == "B"]
    rejected, qualified = b["label"] == 0, b["qualified"] == 1
    return {"fnr": float(rejected[qualified].mean()),
            "rejected_of_b": float(rejected.mean()),
            "qualified_and_rejected_of_b": float((qualified & rejected).mean()),
            "qualified_of_rejected": float(qualified[rejected].mean())}


_HIST_SETUP = ("from course_lib.synth import make_hiring\n"
               "hist_train = make_hiring(5000, random_state=1, historical_penalty=0.5, "
               "proxy_strength=0.8)")

q1 = ValueProblem(
    id="sources.q1",
    prompt=("In `hist_train`, what fraction of group B's *qualified* applicants did the "
            "historical decisions reject (their `label` is 0)? Store it in "
            "`missed_qualified_b`."),
    variables=("missed_qualified_b",),
    hints=(
        "Keep only the rows of group B whose `qualified` is 1; then ask what fraction of them "
        "have `label` 0. That is the historical decisions' false negative rate for group B.",
        "Filter with `hist_train[(hist_train[\"group\"] == \"B\") & "
        "(hist_train[\"qualified\"] == 1)]`, then take the mean of `label == 0`.",
    ),
    solution_code=('qualified_b = hist_train[(hist_train["group"] == "B") '
                   '& (hist_train["qualified"] == 1)]\n'
                   'missed_qualified_b = (qualified_b["label"] == 0).mean()'),
    wrong_code=(
        'b = hist_train[hist_train["group"] == "B"]\n'
        'missed_qualified_b = (b["label"] == 0).mean()',
        'b = hist_train[hist_train["group"] == "B"]\n'
        'missed_qualified_b = ((b["qualified"] == 1) & (b["label"] == 0)).mean()',
        'qualified_a = hist_train[(hist_train["group"] == "A") '
        '& (hist_train["qualified"] == 1)]\n'
        'missed_qualified_b = (qualified_a["label"] == 0).mean()',
        'b = hist_train[hist_train["group"] == "B"]\n'
        'missed_qualified_b = (b[b["label"] == 0]["qualified"] == 1).mean()',
        'missed_qualified_b = "43%"',
    ),
    setup_code=_HIST_SETUP,
    expected=lambda: _hist_rates()["fnr"],
    rel_tol=1e-3,
    known_wrong=(
        (lambda: _hist_rates()["rejected_of_b"],
         "that is the fraction of *all* of group B with label 0, most of whom were not "
         "qualified; keep only B's qualified applicants."),
        (lambda: _hist_rates()["qualified_and_rejected_of_b"],
         "you divided by all of group B; the question asks for a fraction *of B's qualified* "
         "applicants."),
        (0.0, "that is group A's rate (or nothing was filtered): the historical decisions never "
              "rejected a qualified applicant of group A. Filter for group B."),
        (lambda: _hist_rates()["qualified_of_rejected"],
         "that is the fraction of B's *rejected* who were qualified; the question starts from "
         "B's qualified applicants and asks how many were rejected."),
    ),
)

def _corrected_share(correction: bool) -> float:
    from course_lib.synth import policing_urn

    s = policing_urn((0.15, 0.25), 2000, 500, correction=correction, random_state=0)
    return float(s[:, -1].mean())


q2 = ValueProblem(
    id="sources.q2",
    prompt=("Two regions have discovery rates λA = 0.15 and λB = 0.25. Run the urn with Ensign "
            "et al.'s correction (500 runs, 2,000 days, `random_state=0`) and store the mean, "
            "over runs, of region A's final share in `corrected_share`."),
    variables=("corrected_share",),
    hints=(
        "`policing_urn(rates, steps, n_runs, correction=True, random_state=0)` returns one row "
        "per run and one column per day; the last column is the final share.",
        "`policing_urn((0.15, 0.25), 2000, 500, correction=True, random_state=0)[:, -1].mean()`"
        ". Compare it with λA / (λA + λB).",
    ),
    solution_code=("corrected_share = policing_urn((0.15, 0.25), 2000, 500, correction=True, "
                   "random_state=0)[:, -1].mean()"),
    wrong_code=(
        "corrected_share = policing_urn((0.15, 0.25), 2000, 500, random_state=0)[:, -1].mean()",
        "corrected_share = policing_urn((0.25, 0.15), 2000, 500, correction=True, "
        "random_state=0)[:, -1].mean()",
        "corrected_share = 0.5",
        "corrected_share = policing_urn((0.15, 0.25), 2000, 500, correction=True, "
        "random_state=0)[:, -1]",
    ),
    setup_code="from course_lib.synth import policing_urn",
    expected=lambda: _corrected_share(True),
    rel_tol=0.0,
    abs_tol=0.02,  # the fixed point 0.15/0.40 = 0.375 passes too
    known_wrong=(
        (lambda: _corrected_share(False),
         "that is the urn without the correction (it runs away towards region B); pass "
         "`correction=True`."),
        (0.625, "that is region B's share: the rates are (λA, λB) in that order."),
        (0.5, "one half is where the corrected urn goes only when the rates are equal."),
    ),
)

_SOURCES = ("historical", "representation", "measurement", "aggregation", "label", "feedback")

q3 = MatchingProblem(
    id="sources.q3",
    prompt=("Match each scenario to the source of bias it shows best. Set `sources` to a dict "
            "mapping each letter to one of: " + ", ".join(_SOURCES) + "."),
    variables=("sources",),
    hints=(
        "For each scenario ask *where* the problem enters: in what the past decided "
        "(historical), in who is in the data (representation), in what a recorded value stands "
        "for (measurement), in who assigned the labels (label), in one model for groups that "
        "differ (aggregation), or in the model's own decisions shaping its next data (feedback).",
        "Two tempting mix-ups: a record can be *accurate* and still encode past discrimination "
        "(historical, not label); and a proxy target such as spending or arrests is measurement "
        "bias even when nobody made an error recording it.",
    ),
    solution_code='''sources = {
    "a": "representation",  # few recordings of accented speech
    "b": "measurement",     # spending stands in for health need
    "c": "historical",      # past hiring decisions favoured men
    "d": "aggregation",     # one HbA1c model for groups where it means different things
    "e": "label",           # annotators misjudge a dialect
    "f": "feedback",        # inspections find violations where inspectors are sent
}''',
    wrong_code=(
        'sources = {"a": "representation", "b": "measurement", "c": "label", '
        '"d": "aggregation", "e": "label", "f": "feedback"}',
        'sources = {"a": "representation", "b": "historical", "c": "historical", '
        '"d": "aggregation", "e": "label", "f": "feedback"}',
        'sources = {"a": "aggregation", "b": "measurement", "c": "historical", '
        '"d": "representation", "e": "label", "f": "feedback"}',
        'sources = {"a": "representation", "b": "measurement", "c": "historical", '
        '"d": "aggregation", "e": "measurement", "f": "feedback"}',
        'sources = {"a": "representation", "b": "measurement", "c": "historical", '
        '"d": "aggregation", "e": "label", "f": "measurement"}',
        'sources = {"a": "representation", "b": "measurement", "c": "historical"}',
        'sources = {"a": "representation", "b": "measurement", "c": "historical", '
        '"d": "aggregation", "e": "label", "f": "loop"}',
        'sources = ["representation", "measurement", "historical", "aggregation", "label", '
        '"feedback"]',
    ),
    setup_code="from course_lib.exercises import ____",
    choices=_SOURCES,
    answers={"a": "representation", "b": "measurement", "c": "historical",
             "d": "aggregation", "e": "label", "f": "feedback"},
    why={
        "a": "the recogniser works for the people it heard often and fails for a group that is "
             "rare in its training data: representation bias.",
        "b": "spending is a proxy for health need, and the proxy is lower for patients with "
             "less access to care at the same level of sickness: measurement bias.",
        "c": "the past decisions are recorded correctly; what they record is discrimination, "
             "which the model learns to repeat: historical bias.",
        "d": "the marker relates to the outcome differently in different groups, so one model "
             "for everyone fits none of them well: aggregation bias.",
        "e": "people assigning the labels judge one group's examples differently: label bias.",
        "f": "where inspectors are sent decides where violations are found, which decides where "
             "they are sent next: a feedback loop.",
    },
    confusions={
        ("c", "label"): "the labels are accurate records of what the company decided; the "
                        "decisions themselves were discriminatory. That is historical bias.",
        ("b", "historical"): "the bias is in what the target *measures*: spending stands in "
                             "for need and undercounts patients with less access to care. "
                             "That is measurement bias.",
        ("e", "measurement"): "close: label bias is a kind of measurement bias. Here, though, "
                              "the labels come from people judging each example, so call it "
                              "label bias.",
        ("f", "measurement"): "each record may be accurate, but the system's own decisions "
                              "choose where records are made, which then steer its next "
                              "decisions: that loop is feedback.",
        ("a", "aggregation"): "the speech model's problem is that accented speech is rare in "
                              "its data; aggregation is about one model for groups whose "
                              "relation between inputs and outcome differs.",
        ("d", "representation"): "every group can be well represented and the problem stays: "
                                 "HbA1c means something different across groups, so one model "
                                 "for all is aggregation bias.",
    },
)


q4 = ReflectionProblem(
    id="sources.q4",
    prompt=("Your team is asked to train a hiring model on the company's past ten years of "
            "hiring decisions. Before training anything, what would you check about the data, "
            "and why? Write a few sentences in `answer_q4`."),
    variables=("answer_q4",),
    hints=(
        "Go through this notebook's sections: for each source of bias, what question about "
        "the data would reveal it?",
        "Think about what the label records (a decision, not job performance), who is in the "
        "data and how many of each group, whether removing the protected attribute is enough, "
        "and whom the company never hired, so never observed.",
    ),
    solution_code='''answer_q4 = """
    The label is a past decision, not job performance, so I would ask how those decisions were
    made and compare hiring rates by group with qualifications (historical bias). I would count
    each group in the data and evaluate the model's errors per group on a held-out set, with
    enough examples of each (representation). I would check whether features like postcode or
    hobbies encode the group, since dropping the protected attribute does not remove proxies. And
    rejected applicants have no outcome at all, so the data cannot show the company's own past
    mistakes; deploying the model would keep it from ever learning them (a feedback loop).
    """''',
    wrong_code=(
        'answer_q4 = "Check for bias."',
        'answer_q4 = ("I would normalise every numeric column, one-hot encode the categories, '
        'split the rows into training, validation and test sets, tune the learning rate and '
        'the number of epochs, and report the accuracy on the test set at the end of it.")',
        "answer_q4 = None",
    ),
    rubric=(
        Criterion("the labels are past decisions that may encode discrimination "
                  "(historical bias), not job performance"),
        Criterion("how many of each group are in the data; evaluate errors per group"),
        Criterion("removing the protected attribute is not enough: proxies encode it"),
        Criterion("rejected applicants' outcomes were never observed (selective labels, "
                  "feedback)"),
    ),
)

register(q1, q2, q3, q4)
