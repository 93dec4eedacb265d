"""Exercises of notebook 10 (accountability and regulation):
``from course_lib.exercises.accountability import q1, q2, q3, q4``.

q3 is a ``ComputedValueProblem``: its expected value (and known wrong values) are computed from
the notebook's own ``approval_prob``, so tests run it on cheap synthetic stand-ins.
``DatasheetProblem`` checks a learner's ``Datasheet``: every question answered, and the facts a
datasheet must get right (size, label, that the data are synthetic) consistent with the data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from course_lib.exercises._core import (
    CORRECT,
    NOT_YET,
    ComputedValueProblem,
    Criterion,
    MatchingProblem,
    NotYet,
    Outcome,
    Problem,
    ReflectionProblem,
    register,
)

__all__ = ["DatasheetProblem", "q1", "q2", "q3", "q4"]


def _missing_inputs(inputs: tuple[str, ...], namespace: Mapping[str, Any]) -> Outcome | None:
    missing = [n for n in inputs if n not in namespace]
    if missing:
        names = ", ".join(f"`{n}`" for n in missing)
        return Outcome(NOT_YET, f"{names} is not defined yet: run the notebook's cells above "
                                "this one first.")
    return None


@dataclass
class DatasheetProblem(Problem):
    """The answer is a ``Datasheet`` for the data in ``inputs[0]`` (a DataFrame).

    Correct when every question has an answer of at least ``min_words`` words, the instances
    answer states the number of rows, the label answer names ``label``, and the motivation or
    composition says the data are synthetic (``synthetic=True``).
    """

    inputs: tuple[str, ...] = ()
    label: str = ""
    synthetic: bool = True
    min_words: int = 3

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.variables) != 1 or len(self.inputs) != 1 or not self.label:
            raise ValueError(f"{self.id}: a DatasheetProblem needs one variable, one input "
                             "(the data) and the label's name")

    def evaluate(self, namespace: Mapping[str, Any]) -> Outcome:
        """Check the learner's datasheet against the data in the notebook."""
        missing = _missing_inputs(self.inputs, namespace)
        if missing is not None:
            return missing
        self._data = namespace[self.inputs[0]]
        return super().evaluate(namespace)

    def _judge(self, values: dict[str, Any]) -> Outcome:
        from course_lib.reporting import Datasheet

        (name, sheet), = values.items()
        if not isinstance(sheet, Datasheet):
            raise NotYet(f"`{name}` should be a Datasheet, e.g. `Datasheet(\"Synthetic loans\", "
                         f"{{\"motivation.purpose\": \"...\", ...}})`; it is a "
                         f"{type(sheet).__name__}.")
        open_ids = sheet.unanswered(self.min_words)
        if open_ids:
            shown = ", ".join(f"`{q}`" for q in open_ids[:3])
            more = f" and {len(open_ids) - 3} more" if len(open_ids) > 3 else ""
            raise NotYet(f"{len(open_ids)} question(s) still have no answer of at least "
                         f"{self.min_words} words: {shown}{more}. `sheet.unanswered()` lists "
                         "them; \"unknown\" is an answer only if you say why.")
        n = len(self._data)
        said = sheet.answers["composition.instances"]
        numbers = {int(x.replace(",", "").replace("_", ""))
                   for x in re.findall(r"\d[\d,_]*", said)}
        if n not in numbers:
            raise NotYet(f"the answer to `composition.instances` should state how many rows "
                         f"there are: count them with `len({self.inputs[0]})`.")
        if not re.search(rf"\b{re.escape(self.label)}\b", sheet.answers["composition.label"], re.I):
            raise NotYet(f"the answer to `composition.label` should name the target column "
                         f"(look at `{self.inputs[0]}.columns`).")
        about = sheet.answers["motivation.purpose"] + " " + sheet.answers["composition.instances"]
        if self.synthetic and not re.search(r"synthetic|simulat|generated|made.up|fictional",
                                            about, re.I):
            raise NotYet("a reader must learn early that no row describes a real person: say "
                         "that the data are synthetic (generated) in `motivation.purpose` or "
                         "`composition.instances`.")
        return Outcome(CORRECT, f"every question is answered and the facts match the data "
                                f"({n:,} rows, label `{self.label}`, synthetic). Compare yours "
                                "with `q1.solution()`: the questions about consent and uses "
                                "have no single right answer.")


# ---- q1: a datasheet for the synthetic lending data ---------------------------------------------
_SHEET = '''sheet = Datasheet("Synthetic loan applications", {
    "motivation.purpose": "Synthetic (generated) loan applications for teaching how a lender's "
                          "model is documented, explained and audited, with known true drivers.",
    "motivation.creators": "The course team, with course_lib.synth.make_lending; no funding "
                           "beyond the course.",
    "composition.instances": f"Each row is one synthetic loan application; there are "
                             f"{len(lending)} rows and no real person is described.",
    "composition.label": "default: 1 if the loan defaulted within two years, drawn from a "
                         "documented logistic model.",
    "composition.sensitive": "No protected attribute is included; income and employment "
                             "could still act as proxies for age or sex.",
    "composition.gaps": "Nothing is missing; it is not a sample of any real population, so "
                        "it represents no one.",
    "collection.how": "Generated by a seeded random process (make_lending), not collected.",
    "collection.consent": "Not applicable: no person was observed, so no consent was needed.",
    "preprocessing.steps": "None: values are rounded as generated (money in thousands).",
    "preprocessing.raw": "The generator and its seed reproduce every row exactly.",
    "uses.tasks": "Teaching: training, explaining and auditing a default model.",
    "uses.avoid": "Any real credit decision, or any claim about real borrowers.",
    "distribution.how": "Generated on demand inside the course; same licence as the course.",
    "maintenance.who": "The course maintainers, through the course's issue tracker.",
    "maintenance.updates": "A change to the generator is announced in the course changelog.",
})'''

q1 = DatasheetProblem(
    id="accountability.q1",
    prompt=("Write a datasheet for `lending`, the synthetic loan data: a `Datasheet` with an "
            "answer to every question in `Datasheet.questions()`. Store it in `sheet`."),
    variables=("sheet",),
    hints=(
        "Start from `Datasheet(\"Synthetic loans\", {\"motivation.purpose\": \"...\", ...})` "
        "with one entry per id of `Datasheet.questions()`; `sheet.unanswered()` lists what is "
        "left. Look at `lending.shape`, `lending.columns` and `help(make_lending)` for facts.",
        "State the number of rows (`len(lending)`) in `composition.instances`, name the label "
        "column `default` in `composition.label`, and say the data are synthetic in "
        "`motivation.purpose`. For consent: nobody was observed.",
    ),
    solution_code=_SHEET,
    wrong_code=(
        'sheet = Datasheet("Synthetic loans")',
        _SHEET.replace("{len(lending)} rows", "5,000 rows"),
        _SHEET.replace('"default: 1 if', '"The outcome: 1 if'),
        _SHEET.replace("Synthetic (generated) loan", "Loan").replace(
            "synthetic loan application", "loan application"),
        "sheet = {'motivation.purpose': 'teaching'}",
    ),
    setup_code=("from course_lib.reporting import Datasheet\n"
                "from course_lib.synth import make_lending\n"
                "lending = make_lending(2000, random_state=1)"),
    inputs=("lending",),
    label="default",
)

# ---- q2: ten scenarios, four tiers -----------------------------------------------------------
_TIER_ANSWERS = {
    "credit_scoring": "high", "cv_ranking": "high", "social_score": "unacceptable",
    "call_centre_emotions": "unacceptable", "face_scraping": "unacceptable",
    "shop_chatbot": "limited", "synthetic_politician": "limited", "spam_filter": "minimal",
    "exam_admission": "high", "card_fraud": "minimal",
}

q2 = MatchingProblem(
    id="accountability.q2",
    prompt=("Classify each scenario of `scenarios()` into an EU AI Act risk tier: "
            "\"unacceptable\", \"high\", \"limited\" or \"minimal\". Store a dict "
            "scenario id -> tier in `tiers`."),
    variables=("tiers",),
    hints=(
        "Work from the strictest tier down: is the practice in Art. 5's list of prohibitions? "
        "If not, is the use case in Annex III (credit, employment, education, essential "
        "services, law enforcement...)? If not, does Art. 50 require telling people?",
        "Three are prohibited (social scoring, emotion recognition at work, untargeted face "
        "scraping), three are Annex III high-risk (credit scoring, recruitment, admissions), "
        "two carry transparency duties, two are minimal; read Annex III 5(b) on fraud closely.",
    ),
    solution_code="tiers = " + repr(_TIER_ANSWERS),
    wrong_code=(
        "tiers = " + repr({**_TIER_ANSWERS, "card_fraud": "high"}),
        "tiers = " + repr({**_TIER_ANSWERS, "call_centre_emotions": "high"}),
        "tiers = " + repr({**_TIER_ANSWERS, "shop_chatbot": "minimal"}),
        "tiers = " + repr({k: v for k, v in _TIER_ANSWERS.items() if k != "spam_filter"}),
        "tiers = ['high'] * 10",
    ),
    setup_code="from course_lib.reporting import scenarios",
    choices=("unacceptable", "high", "limited", "minimal"),
    answers=_TIER_ANSWERS,
    why={
        "credit_scoring": "creditworthiness assessment of natural persons is Annex III 5(b): "
                          "high-risk, and since scoring a person is profiling, the exemption "
                          "of Art. 6(3) cannot apply.",
        "cv_ranking": "recruitment and filtering applications is Annex III 4(a): high-risk.",
        "social_score": "social scoring leading to detrimental treatment is prohibited "
                        "(Art. 5(1)(c)).",
        "call_centre_emotions": "emotion recognition in the workplace is prohibited "
                                "(Art. 5(1)(f)), except for medical or safety reasons.",
        "face_scraping": "untargeted scraping of facial images to build face-recognition "
                         "databases is prohibited (Art. 5(1)(e)).",
        "shop_chatbot": "a chatbot must tell people they are interacting with an AI "
                        "(Art. 50(1)): a transparency (limited-risk) duty.",
        "synthetic_politician": "a deepfake must be disclosed as generated or manipulated "
                                "(Art. 50(4)): a transparency (limited-risk) duty.",
        "spam_filter": "a spam filter is the textbook minimal-risk system: no new obligations.",
        "exam_admission": "deciding admission to education is Annex III 3(a): high-risk.",
        "card_fraud": "Annex III 5(b) covers creditworthiness but explicitly excludes systems "
                      "used to detect financial fraud, and no other tier lists it: minimal.",
    },
    confusions={
        ("card_fraud", "high"): "it is a bank's model, but Annex III 5(b) excludes fraud "
                                "detection from the credit-scoring use case.",
        ("call_centre_emotions", "high"): "emotion recognition is high-risk in general "
                                          "(Annex III 1(c)), but at work and in education "
                                          "Art. 5(1)(f) prohibits it outright.",
        ("shop_chatbot", "minimal"): "a chatbot has one duty: Art. 50(1) requires telling "
                                     "people they are talking to an AI.",
        ("credit_scoring", "limited"): "credit scoring decides access to an essential "
                                       "service: it is listed in Annex III 5(b).",
    },
)

# ---- q3: the share of applicants sent to a person -----------------------------------------------
def _share(prob, band: float) -> float:
    import numpy as np

    from course_lib.reporting import route_decisions

    return float(np.mean(route_decisions(prob, band=band) == "human review"))


def _count(prob, band: float) -> float:
    import numpy as np

    return float(np.sum(np.abs(np.asarray(prob) - 0.5) < band))


def _one_sided(prob, band: float) -> float:
    import numpy as np

    p = np.asarray(prob)
    return float(np.mean((p >= 0.5) & (p < 0.5 + band)))


q3 = ComputedValueProblem(
    id="accountability.q3",
    prompt=("Widen the review band to |p − 0.5| < 0.2 (scores from 0.3 to 0.7). What fraction of "
            "the test applicants would a person then review? Store it in `review_share`."),
    variables=("review_share",),
    hints=(
        "`route_decisions(approval_prob, band=...)` labels each applicant \"approve\", "
        "\"decline\" or \"human review\"; you want the fraction labelled \"human review\".",
        "`np.mean(route_decisions(approval_prob, band=0.2) == \"human review\")`.",
    ),
    solution_code=('review_share = np.mean(route_decisions(approval_prob, band=0.2) '
                   '== "human review")'),
    wrong_code=(
        "review_share = np.sum(np.abs(approval_prob - 0.5) < 0.2)",
        "review_share = np.mean(np.abs(approval_prob - 0.5) < 0.1)",
        "review_share = 100 * np.mean(np.abs(approval_prob - 0.5) < 0.2)",
        "review_share = np.mean((approval_prob >= 0.5) & (approval_prob < 0.7))",
        "review_share = 'about a quarter'",
    ),
    setup_code=("import numpy as np\n"
                "from course_lib.reporting import route_decisions\n"
                "approval_prob = np.random.default_rng(0).beta(0.8, 1.6, 3000)"),
    context=("approval_prob",),
    expected=lambda prob: _share(prob, 0.2),
    known_wrong=(
        (lambda prob: _count(prob, 0.2),
         "that is the number of applicants reviewed; the question asks for the fraction."),
        (lambda prob: _share(prob, 0.1),
         "that is the share for the band of 0.1 used above; widen it to 0.2."),
        (lambda prob: 100 * _share(prob, 0.2),
         "that is a percentage; give the fraction (between 0 and 1)."),
        (lambda prob: _one_sided(prob, 0.2),
         "that counts only scores just above 0.5; the band runs from 0.3 to 0.7, both sides."),
    ),
    rel_tol=1e-6,
)

# ---- q4: reflection on the appeal path --------------------------------------------------------
q4 = ReflectionProblem(
    id="accountability.q4",
    prompt=("The loan model now sends uncertain scores to a person and lets declined applicants "
            "ask for a review. What could still make this human oversight ineffective or "
            "unfair, and how would you check for it? Write a few sentences in `answer_q4`."),
    variables=("answer_q4",),
    hints=(
        "Think about the reviewer (what they see, how much time they have, whether they can "
        "overrule), the applicants (who knows how to appeal), and what the logs would show.",
        "Automation bias (rubber-stamping the score), reviewers' own biases, capacity when the "
        "band is wide, applicants who never appeal, and overturn rates by group are all fair "
        "game.",
    ),
    solution_code='''answer_q4 = """
    A reviewer who sees the score first, has two minutes per file and is judged on speed will
    rubber-stamp it (automation bias), so oversight exists on paper only. I would give reviewers
    the authority and time to overturn, show the reasons but the score only after their own
    first judgement, and log every review. Reviewers have biases of their own, so I would compare
    overturn rates and final approval rates by group. The band decides the workload: if too many
    cases are referred, reviews get rushed. And an appeal helps only those who know about it and
    can use it, so I would track who appeals by group and make the notice plain and accessible.
    """''',
    wrong_code=(
        'answer_q4 = "A human checks it, so it is fine."',
        'answer_q4 = ("The model is trained with Adam for ten epochs on eight thousand rows and '
        'its accuracy on the held-out test set is printed above, which shows that it works well '
        'enough to be deployed in the bank tomorrow morning.")',
        "answer_q4 = 42",
    ),
    rubric=(
        Criterion("automation bias: reviewers may defer to the score (rubber-stamping)"),
        Criterion("reviewers need authority, time and information (reasons) to overturn"),
        Criterion("reviewers can be biased too: compare outcomes by group"),
        Criterion("capacity: the band sets the workload and the cost"),
        Criterion("not everyone appeals: access and awareness; log and monitor"),
    ),
)

register(q1, q2, q3, q4)
