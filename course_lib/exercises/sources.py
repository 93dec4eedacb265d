"""Exercises of notebook 01 (sources of bias): ``from course_lib.exercises.sources import q1``."""

from __future__ import annotations

import functools

from course_lib.exercises._core import (
    ComputedValueProblem,
    Criterion,
    MatchingProblem,
    ReflectionProblem,
    ValueProblem,
    register,
)
from course_lib.exercises._function import Case, FunctionProblem

__all__ = ["MatchingProblem", "q1", "q2", "q3", "q4", "q5"]


# -- q1: the historical decisions' FNR for group B, on the training records ---------------------

def _b_rates(df) -> dict[str, float]:
    """Group B's historical rates in ``df``: q1's answer and its known wrong answers."""
    b = df[df["group"] == "B"]
    rejected, qualified = b["label"] == 0, b["qualified"] == 1
    return {"fnr": float(rejected[qualified].mean()),
            "rejected_of_b": float(rejected.mean()),
            "qualified_and_rejected_of_b": float((qualified & rejected).mean()),
            "qualified_of_rejected": float(qualified[rejected].mean()),
            # hired ⊂ qualified here, so FNR = 1 − hired/qualified: typed from the rounded table
            "from_table": 1 - round(float(b["label"].mean()), 2)
            / round(float(b["qualified"].mean()), 2)}


_HIST_SETUP = ("from course_lib.synth import make_hiring\n"
               "hist_train = make_hiring(5000, random_state=1, historical_penalty=0.5, "
               "proxy_strength=0.8)\n"
               "hist_test = make_hiring(5000, random_state=2, historical_penalty=0.5, "
               "proxy_strength=0.8)")

q1 = ComputedValueProblem(
    id="sources.q1",
    prompt=("In `hist_train`, what fraction of group B's *qualified* applicants did the "
            "historical decisions reject (their `label` is 0)? Store it in "
            "`missed_qualified_b`."),
    variables=("missed_qualified_b",),
    hints=(
        "Start from group B's qualified applicants only, in the training records: what share "
        "of them did the past decisions turn down? That is the records' false negative rate "
        "for group B.",
        "Filter the rows twice (group B, and `qualified` equal to 1), then average the boolean "
        "`label == 0` over what is left: the mean of a boolean is the share of True.",
        "`qualified_b = hist_train[(hist_train[\"group\"] == \"B\") & "
        "(hist_train[\"qualified\"] == 1)]`; then the mean of `qualified_b[\"label\"] == 0`.",
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
        'qualified_b = hist_test[(hist_test["group"] == "B") & (hist_test["qualified"] == 1)]\n'
        'missed_qualified_b = (qualified_b["label"] == 0).mean()',
        'qualified_b = hist_train[(hist_train["group"] == "B") '
        '& (hist_train["qualified"] == 1)]\n'
        'missed_qualified_b = (qualified_b["label"] == 1).mean()',
        "missed_qualified_b = 1 - 0.23 / 0.40",
        'qualified_b = hist_train[(hist_train["group"] == "B") '
        '& (hist_train["qualified"] == 1)]\n'
        'missed_qualified_b = 100 * (qualified_b["label"] == 0).mean()',
        'missed_qualified_b = "43%"',
    ),
    setup_code=_HIST_SETUP,
    context=("hist_train", "hist_test"),
    expected=lambda train, test: _b_rates(train)["fnr"],
    rel_tol=1e-3,
    abs_tol=1e-4,
    known_wrong=(
        (lambda train, test: _b_rates(test)["fnr"],
         "that is the right rate computed on `hist_test`, the held-out applicants. The question "
         "asks about the records the models learn from: use `hist_train`."),
        (lambda train, test: _b_rates(train)["rejected_of_b"],
         "that is the fraction of *all* of group B with label 0, most of whom were not "
         "qualified; keep only B's qualified applicants."),
        (lambda train, test: _b_rates(train)["qualified_and_rejected_of_b"],
         "you divided by all of group B; the question asks for a fraction *of B's qualified* "
         "applicants."),
        (lambda train, test: 0.0,
         "that is group A's rate (or nothing was filtered): the historical decisions never "
         "rejected a qualified applicant of group A. Filter for group B."),
        (lambda train, test: _b_rates(train)["qualified_of_rejected"],
         "that is the fraction of B's *rejected* who were qualified; the question starts from "
         "B's qualified applicants and asks how many were rejected."),
        (lambda train, test: _b_rates(train)["from_table"],
         "close, and the idea is right (here everyone hired was qualified, so the rate is 1 − "
         "hired/qualified), but the table's rates are rounded to two decimals: compute it from "
         "the rows of `hist_train`."),
    ),
)


# -- q2: implement the core: per-group FPR and FNR with zero_division=0 -------------------------

_FN = "fpr_fnr_by_group"
_Q2_SETUP = "import numpy as np\nimport pandas as pd"
_Q2_SOLUTION = '''def fpr_fnr_by_group(y_true, y_pred, group):
    y_true, y_pred, group = np.asarray(y_true), np.asarray(y_pred), np.asarray(group)
    rates = {}
    for g in np.unique(group).tolist():
        t, p = y_true[group == g], y_pred[group == g]
        negatives, positives = (t == 0).sum(), (t == 1).sum()
        fpr = ((t == 0) & (p == 1)).sum() / negatives if negatives else 0.0
        fnr = ((t == 1) & (p == 0)).sum() / positives if positives else 0.0
        rates[g] = (float(fpr), float(fnr))
    return rates'''

# Wrong implementations learners write; each is in wrong_code, and its result on each case is
# that case's catalogued mistake (so the feedback names what went wrong on the case it fails).
_Q2_WRONG = {
    "swapped": ('''def fpr_fnr_by_group(y_true, y_pred, group):
    y_true, y_pred, group = np.asarray(y_true), np.asarray(y_pred), np.asarray(group)
    rates = {}
    for g in np.unique(group).tolist():
        t, p = y_true[group == g], y_pred[group == g]
        fpr = ((t == 0) & (p == 1)).sum() / max((t == 0).sum(), 1)
        fnr = ((t == 1) & (p == 0)).sum() / max((t == 1).sum(), 1)
        rates[g] = (float(fnr), float(fpr))
    return rates''', "the two rates are swapped: return (FPR, FNR), the FPR first."),
    "per_group_size": ('''def fpr_fnr_by_group(y_true, y_pred, group):
    y_true, y_pred, group = np.asarray(y_true), np.asarray(y_pred), np.asarray(group)
    rates = {}
    for g in np.unique(group).tolist():
        t, p = y_true[group == g], y_pred[group == g]
        rates[g] = (float(((t == 0) & (p == 1)).mean()), float(((t == 1) & (p == 0)).mean()))
    return rates''', "you divided the errors by the whole group. The FPR is a share of the "
                      "group's *negatives* (y_true == 0), the FNR a share of its *positives*."),
    "by_prediction": ('''def fpr_fnr_by_group(y_true, y_pred, group):
    y_true, y_pred, group = np.asarray(y_true), np.asarray(y_pred), np.asarray(group)
    rates = {}
    for g in np.unique(group).tolist():
        t, p = y_true[group == g], y_pred[group == g]
        fp, fn = ((t == 0) & (p == 1)).sum(), ((t == 1) & (p == 0)).sum()
        fpr = fp / (p == 1).sum() if (p == 1).sum() else 0.0
        fnr = fn / (p == 0).sum() if (p == 0).sum() else 0.0
        rates[g] = (float(fpr), float(fnr))
    return rates''', "you divided by the *predictions* (FP over everyone predicted 1 is the "
                     "false discovery rate, FN over everyone predicted 0 the false omission "
                     "rate). Divide by the truth: the group's negatives for the FPR, its "
                     "positives for the FNR."),
    "nan": ('''def fpr_fnr_by_group(y_true, y_pred, group):
    rows = pd.DataFrame({"t": y_true, "p": y_pred, "g": group})
    rates = {}
    for g, d in rows.groupby("g"):
        fpr = (d["p"][d["t"] == 0] == 1).mean()
        fnr = (d["p"][d["t"] == 1] == 0).mean()
        rates[g] = (float(fpr), float(fnr))
    return rates''', "a rate with an empty denominator came out NaN: the mean of no rows. The "
                     "docstring's convention is scikit-learn's zero_division=0: return 0.0 "
                     "when the group has no negatives (for the FPR) or no positives (for the "
                     "FNR)."),
    "pooled": ('''def fpr_fnr_by_group(y_true, y_pred, group):
    t, p, group = np.asarray(y_true), np.asarray(y_pred), np.asarray(group)
    fpr = ((t == 0) & (p == 1)).sum() / max((t == 0).sum(), 1)
    fnr = ((t == 1) & (p == 0)).sum() / max((t == 1).sum(), 1)
    return {g: (float(fpr), float(fnr)) for g in np.unique(group).tolist()}''',
               "every group got the same rates, those of all rows pooled: compute each group's "
               "rates from its own rows (`y_true[group == g]`)."),
    "one_fill": ('''def fpr_fnr_by_group(y_true, y_pred, group):
    y_true, y_pred, group = np.asarray(y_true), np.asarray(y_pred), np.asarray(group)
    rates = {}
    for g in np.unique(group).tolist():
        t, p = y_true[group == g], y_pred[group == g]
        neg, pos = (t == 0).sum(), (t == 1).sum()
        fpr = ((t == 0) & (p == 1)).sum() / neg if neg else 1.0
        fnr = ((t == 1) & (p == 0)).sum() / pos if pos else 1.0
        rates[g] = (float(fpr), float(fnr))
    return rates''', "an undefined rate is 1.0 in your function; the docstring asks for "
                     "scikit-learn's zero_division=0, that is 0.0."),
}
_Q2_CASES = (
    ("two groups with positives and negatives",
     ([1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1], [1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 1],
      ["A"] * 5 + ["B"] * 6)),
    ("a group with no negatives (its FPR is 0/0)",
     ([1, 0, 1, 0, 1, 1, 1], [1, 1, 0, 0, 0, 1, 1], ["A", "A", "A", "A", "B", "B", "B"])),
    ("a group with no positives (its FNR is 0/0)",
     ([0, 1, 1, 0, 0, 0, 0], [1, 0, 1, 0, 1, 0, 0], ["men"] * 4 + ["women"] * 3)),
    ("three groups, as numpy arrays",
     ("np:1,0,1,1,0,0,1,0,1", "np:1,1,0,1,0,1,0,0,1", ["x", "y", "z", "x", "y", "z", "x", "y",
                                                       "z"])),
)


def _args(raw):
    """A case's arguments: "np:..." strings become numpy integer arrays."""
    import numpy as np

    return tuple(np.array([int(v) for v in a[3:].split(",")]) if isinstance(a, str) else a
                 for a in raw)


def _reference(y_true, y_pred, group):
    """{g: (FPR, FNR)} from course_lib's group_report (cross-checked against fairlearn)."""
    from course_lib.fairness import group_report

    r = group_report(y_true, y_pred, group, zero_division=0)
    return {g: (float(r.loc[g, "fpr"]), float(r.loc[g, "fnr"])) for g in r.index}


def _q2_cases() -> tuple[Case, ...]:
    import copy
    import warnings

    from course_lib.exercises._function import same

    wrong_fns = {}
    for key, (code, _) in _Q2_WRONG.items():
        ns: dict = {}
        exec(_Q2_SETUP + "\n" + code, ns)
        wrong_fns[key] = ns[_FN]
    cases = []
    for label, raw in _Q2_CASES:
        args = _args(raw)
        expected = _reference(*copy.deepcopy(args))
        mistakes = []
        for key, fn in wrong_fns.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got = fn(*copy.deepcopy(args))
            if not same(got, expected):
                mistakes.append((got, _Q2_WRONG[key][1]))
        cases.append(Case(label, args, expected=expected, mistakes=tuple(mistakes)))
    return tuple(cases)


q2 = FunctionProblem(
    id="sources.q2",
    prompt=("Write `fpr_fnr_by_group(y_true, y_pred, group)`: for each group, the false "
            "positive rate and the false negative rate of the decisions against the truth, "
            "with scikit-learn's zero_division=0 for a rate whose denominator is empty."),
    variables=(_FN,),
    hints=(
        "Within one group, the negatives are its rows with `t == 0` and the positives its rows "
        "with `t == 1`. Each error rate is a share of one of those, not of the whole group. And "
        "what should happen when a group has none of them?",
        "Count FP = negatives predicted 1 and FN = positives predicted 0 with boolean masks "
        "(`&` combines two). Divide FP by the number of negatives and FN by the number of "
        "positives, returning 0.0 instead when that number is 0.",
        "`negatives = (t == 0).sum()`; `fpr = ((t == 0) & (p == 1)).sum() / negatives if "
        "negatives else 0.0`; do the same for the FNR with `t == 1` and `p == 0`, then store "
        "the pair, FPR first, in `rates[g]`.",
    ),
    solution_code=_Q2_SOLUTION,
    wrong_code=tuple(code for code, _ in _Q2_WRONG.values()),
    setup_code=_Q2_SETUP,
    cases=_q2_cases(),
    reference=_reference,
)


# -- q3: the corrected urn, city by city --------------------------------------------------------

_URN = dict(steps=2000, n_runs=500)
_NEAR = 0.03


@functools.cache
def _urn_answers() -> dict[str, float]:
    """q3's answer and its known wrong answers (each urn run once, then cached)."""
    import numpy as np

    from course_lib.synth import policing_urn

    fair = 0.15 / 0.40
    right = policing_urn((0.15, 0.25), _URN["steps"], _URN["n_runs"], correction=True,
                         random_state=0)
    plain = policing_urn((0.15, 0.25), _URN["steps"], _URN["n_runs"], random_state=0)
    swapped = policing_urn((0.25, 0.15), _URN["steps"], _URN["n_runs"], correction=True,
                           random_state=0)
    notebook_c = policing_urn((0.3, 0.1), _URN["steps"], _URN["n_runs"], correction=True,
                              random_state=2)
    near = lambda s, target: float(np.mean(np.abs(s - target) <= _NEAR))  # noqa: E731
    return {"right": near(right[:, -1], fair), "plain": near(plain[:, -1], fair),
            "swapped_rates": near(swapped[:, -1], fair),
            "swapped_both": near(swapped[:, -1], 1 - fair),
            "every_day": near(right, fair), "mean_share": float(right[:, -1].mean()),
            "notebook_c": near(notebook_c[:, -1], 0.75)}


_SHARE_NOT_FRACTION = ("that is a share of patrols (the fair share λA/(λA+λB), or the mean "
                       "final share); the question asks what *fraction of the cities* end "
                       "within 0.03 of it.")

q3 = ValueProblem(
    id="sources.q3",
    prompt=("Two regions have discovery rates λA = 0.15 and λB = 0.25. Run the corrected urn "
            "(500 cities, 2,000 days, `random_state=0`) and store in `near_fair` the fraction "
            "of cities whose final share of region A is within 0.03 of the fair share "
            "λA/(λA+λB)."),
    variables=("near_fair",),
    hints=(
        "Three steps: the fair share from the two rates; one run of the urn with the "
        "correction; then, city by city, is its *last* day's share close to the fair one?",
        "`policing_urn(rates, days, cities, correction=True, random_state=0)` returns one row "
        "per city and one column per day, so `[:, -1]` is each city's final share. Compare "
        "`np.abs(final - fair) <= 0.03` and take its mean.",
        "`final = policing_urn((0.15, 0.25), 2000, 500, correction=True, random_state=0)"
        "[:, -1]`; `fair = 0.15 / (0.15 + 0.25)`; then the mean of the boolean test above.",
    ),
    solution_code=("final = policing_urn((0.15, 0.25), 2000, 500, correction=True, "
                   "random_state=0)[:, -1]\n"
                   "near_fair = np.mean(np.abs(final - 0.15 / 0.40) <= 0.03)"),
    wrong_code=(
        "final = policing_urn((0.15, 0.25), 2000, 500, random_state=0)[:, -1]\n"
        "near_fair = np.mean(np.abs(final - 0.15 / 0.40) <= 0.03)",
        "final = policing_urn((0.25, 0.15), 2000, 500, correction=True, random_state=0)[:, -1]\n"
        "near_fair = np.mean(np.abs(final - 0.15 / 0.40) <= 0.03)",
        "share = policing_urn((0.15, 0.25), 2000, 500, correction=True, random_state=0)\n"
        "near_fair = np.mean(np.abs(share - 0.15 / 0.40) <= 0.03)",
        "near_fair = 0.15 / 0.40",
        "near_fair = policing_urn((0.15, 0.25), 2000, 500, correction=True, "
        "random_state=0)[:, -1].mean()",
        "final = policing_urn((0.25, 0.15), 2000, 500, correction=True, random_state=0)[:, -1]\n"
        "near_fair = np.mean(np.abs(final - 0.25 / 0.40) <= 0.03)",
        "final = policing_urn((0.15, 0.25), 2000, 500, correction=True, random_state=0)[:, -1]\n"
        "near_fair = 100 * np.mean(np.abs(final - 0.15 / 0.40) <= 0.03)",
    ),
    setup_code="import numpy as np\nfrom course_lib.synth import policing_urn",
    expected=lambda: _urn_answers()["right"],
    rel_tol=0.0,
    abs_tol=1e-3,  # a fraction of 500 cities moves in steps of 0.002
    known_wrong=(
        (lambda: _urn_answers()["plain"],
         "that is the urn *without* the correction: it runs away from the fair share, so few "
         "cities end near it. Pass `correction=True`."),
        (lambda: _urn_answers()["swapped_rates"],
         "the rates are swapped: `policing_urn` takes (λA, λB) in that order, so with "
         "(0.25, 0.15) region A's share goes to 0.625 and no city ends near 0.375."),
        (lambda: _urn_answers()["swapped_both"],
         "close, but that urn ran with the rates in the order (λB, λA), and different random "
         "draws: pass `(0.15, 0.25)`, region A first, and compare with A's fair share."),
        (lambda: _urn_answers()["every_day"],
         "that counts every day of every city; the question asks about the *final* share, "
         "the last column (`[:, -1]`). Early days are far from the fair share."),
        (lambda: _urn_answers()["mean_share"], _SHARE_NOT_FRACTION),
        (0.15 / 0.40, _SHARE_NOT_FRACTION),
        (0.38, _SHARE_NOT_FRACTION),  # the fair share, or the mean share, typed rounded
        (0.37, _SHARE_NOT_FRACTION),
        (lambda: _urn_answers()["notebook_c"],
         "that is setting (c) of the notebook (rates 0.3 and 0.1); this question's rates are "
         "0.15 and 0.25: run the urn again with them."),
    ),
)

_SOURCES = ("historical", "representation", "measurement", "aggregation", "label", "feedback")

q4 = MatchingProblem(
    id="sources.q4",
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
        "Go scenario by scenario: a is about who the recogniser heard; b about what spending "
        "stands in for; c about whether the records were wrong or the decisions were; d about "
        "whether the marker means the same in every group; e about who judged each post; f "
        "about who decides where the next records are made.",
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


q5 = ReflectionProblem(
    id="sources.q5",
    prompt=("Your team is asked to train a hiring model on the company's past ten years of "
            "hiring decisions. Before training anything, what would you check about the data, "
            "and why? Write a few sentences in `answer_q5`."),
    variables=("answer_q5",),
    hints=(
        "Go through this notebook's sections: for each source of bias, what question about "
        "the data would reveal it?",
        "Think about what the label records (a decision, not job performance), who is in the "
        "data and how many of each group, whether removing the protected attribute is enough, "
        "and whom the company never hired, so never observed.",
        "Write one sentence per check, each with its reason: what the label records and how "
        "past decisions were made; how many of each group the data holds and how you will "
        "measure errors per group; which features could stand in for the group; and whose "
        "outcomes the records can never show.",
    ),
    solution_code='''answer_q5 = """
    The label is a past decision, not job performance, so I would ask how those decisions were
    made and compare hiring rates by group with qualifications (historical bias). I would count
    each group in the data and evaluate the model's errors per group on a held-out set, with
    enough examples of each (representation). I would check whether features like postcode or
    hobbies encode the group, since dropping the protected attribute does not remove proxies. And
    rejected applicants have no outcome at all, so the data cannot show the company's own past
    mistakes; deploying the model would keep it from ever learning them (a feedback loop).
    """''',
    wrong_code=(
        'answer_q5 = "Check for bias."',
        "answer_q5 = None",
        'answer_q5 = ("before training anything what would you check about the data and why, '
        'the data and why, what would you check before training anything about the data")',
        'answer_q5 = "bias data bias data bias data " * 6',
    ),
    rubric=(
        Criterion("the labels are past decisions that may encode discrimination "
                  "(historical bias), not job performance"),
        Criterion("how many of each group are in the data; evaluate errors per group"),
        Criterion("removing the protected attribute is not enough: proxies encode it"),
        Criterion("rejected applicants' outcomes were never observed (selective labels, "
                  "feedback)"),
        Criterion("each check comes with its reason: what it would reveal and what you "
                  "would do about it"),
    ),
    discussion=("In pairs, swap answers. Which check did your partner list that you did not, "
                "and which single check would you run first if you had one day? Then: the "
                "company says it removed gender from the data. What do you ask next?"),
)

register(q1, q2, q3, q4, q5)
