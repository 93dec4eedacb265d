"""Exercises of notebook 00 (welcome): ``from course_lib.exercises.welcome import q1, q2, q3``."""

from __future__ import annotations

from course_lib.exercises._core import Criterion, ReflectionProblem, ValueProblem, register


def _compas_column(column: str, how: str) -> float:
    from course_lib.data import load_compas

    col = load_compas()[column]
    return float(col.mean() if how == "mean" else col.sum())


q1 = ValueProblem(
    id="welcome.q1",
    prompt=("A bank's model decides 50,000 loan applications a day, 30% of them from group B. "
            "It wrongly rejects 15% of group B's creditworthy applicants and 7% of group A's. "
            "Over a year of 250 working days, how many extra wrongful rejections does group B "
            "suffer because of the gap? Store the number in `extra_rejections_per_year`."),
    variables=("extra_rejections_per_year",),
    hints=(
        "Start from one day: how many of the 50,000 decisions are about group B, and what "
        "fraction of those does the gap (not the whole error rate) add as wrongful rejections?",
        "`excess_harm(decisions, error_rate_gap, group_share)` computes one day's extra harm: "
        "decisions × group share × gap. A year is that, times the working days.",
        "One day is `excess_harm(50_000, 0.15 - 0.07, group_share=0.3)`; the year has 250 "
        "working days.",
    ),
    solution_code=("extra_rejections_per_year = "
                   "excess_harm(50_000, 0.15 - 0.07, group_share=0.3) * 250"),
    wrong_code=(
        "extra_rejections_per_year = excess_harm(50_000, 0.15 - 0.07, group_share=0.3)",
        "extra_rejections_per_year = excess_harm(50_000, 0.15, group_share=0.3) * 250",
        "extra_rejections_per_year = 50_000 * 0.08 * 250",
        "extra_rejections_per_year = '300,000'",
    ),
    setup_code="from course_lib.reporting import excess_harm",
    expected=300_000,
    known_wrong=(
        (1_200, "that is one day's extra harm; the question asks for a year of 250 working days."),
        (562_500, "that counts all of group B's wrongful rejections (15%); only the gap to "
                  "group A's 7% is extra."),
        (1_000_000, "that counts every applicant; only group B's 30% of them bears the gap."),
        (30_000_000, "the gap is 8 percentage points, which is 0.08 as a fraction, not 8."),
    ),
)

q2 = ValueProblem(
    id="welcome.q2",
    prompt=("Load ProPublica's COMPAS data with `load_compas()`. What fraction of the defendants "
            "were recorded as reoffending within two years (`two_year_recid` is 1)? Store it in "
            "`recid_rate`."),
    variables=("recid_rate",),
    hints=(
        "`two_year_recid` holds 1 for a recorded reoffence within two years and 0 otherwise.",
        "The mean of a 0/1 column is the fraction of ones; a fraction is between 0 and 1, not a "
        "percentage.",
        "Select the column `compas[\"two_year_recid\"]` and take its `.mean()`.",
    ),
    solution_code='recid_rate = compas["two_year_recid"].mean()',
    wrong_code=(
        'recid_rate = compas["two_year_recid"].sum()',
        'recid_rate = compas["is_recid"].mean()',
        'recid_rate = compas["two_year_recid"].mean() * 100',
        "recid_rate = 0.45",
        'recid_rate = compas["two_year_recid"].value_counts(normalize=True)[0]',
        "recid_rate = compas",
    ),
    setup_code="from course_lib.data import load_compas\ncompas = load_compas()",
    expected=lambda: _compas_column("two_year_recid", "mean"),
    known_wrong=(
        (lambda: _compas_column("two_year_recid", "sum"),
         "that is a count of people; divide by the number of defendants to get a fraction."),
        (lambda: _compas_column("is_recid", "mean"),
         "`is_recid` records any reoffence, with no two-year window; use `two_year_recid`."),
    ),
)

_Q3_PROMPT = ("A loan officer and a model make the same error-rate gap. Apart from the number "
              "of people affected, how do the model's errors differ for the people it rejects? "
              "Write a few sentences in `answer_q3`.")

q3 = ReflectionProblem(
    id="welcome.q3",
    prompt=_Q3_PROMPT,
    variables=("answer_q3",),
    hints=(
        "Think of a rejected applicant who tries another bank that licenses the same model.",
        "Follow the rejected applicant: can they find out why, and can they appeal to someone "
        "who decided?",
        "Follow the lender too: does it ever learn whether a rejected applicant would have "
        "repaid, and so can the model's error ever be corrected? Who answers for it?",
    ),
    solution_code='''answer_q3 = """
    A model applies the same rule to everyone, everywhere it is deployed: if several lenders
    license it, a wrongly rejected applicant meets the same mistake at every bank, with no second
    opinion. Its reasons are hard to see, so the applicant cannot easily contest the decision.
    Rejected applicants never get the loan, so the model never learns they would have repaid and
    the error can persist in a feedback loop; and when no person decided, accountability blurs.
    """''',
    wrong_code=(
        'answer_q3 = "It is unfair."',
        f"answer_q3 = {_Q3_PROMPT!r}",
        'answer_q3 = "the model is unfair to people " * 8',
        "answer_q3 = 42",
    ),
    rubric=(
        Criterion("the same error repeats for everyone, at every lender using the model "
                  "(no second opinion)"),
        Criterion("the applicant can hardly learn why, or contest the decision"),
        Criterion("rejected applicants' outcomes are never observed, so errors persist "
                  "(feedback loop)"),
        Criterion("who is accountable when no person decided"),
    ),
    discussion=("In pairs: swap answers and find the point in your partner's answer that yours "
                "missed. Which of the differences would matter most to a rejected applicant, "
                "and which to a regulator?"),
)

register(q1, q2, q3)

__all__ = ["q1", "q2", "q3"]
