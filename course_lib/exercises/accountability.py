"""Exercises of notebook 10 (accountability and regulation):
``from course_lib.exercises.accountability import q1, q2, q3, q4, q5``.

q3 is a ``FunctionProblem``: the learner writes the review band's workload by group, checked on
hidden cases (a score on the band's edge, a band of no width, an asymmetric band).
``DatasheetProblem`` checks a learner's ``Datasheet``: every question answered, and the facts a
datasheet must get right (size, label, that the data are synthetic) consistent with the data.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from course_lib.exercises._core import (
    CORRECT,
    NOT_YET,
    Criterion,
    DecisionProblem,
    MatchingProblem,
    NotYet,
    Option,
    Outcome,
    Problem,
    ReflectionProblem,
    register,
)
from course_lib.exercises._function import Case, FunctionProblem

__all__ = ["DatasheetProblem", "q1", "q2", "q3", "q4", "q5"]


def _missing_inputs(inputs: tuple[str, ...], namespace: Mapping[str, Any]) -> Outcome | None:
    missing = [n for n in inputs if n not in namespace]
    if missing:
        names = ", ".join(f"`{n}`" for n in missing)
        return Outcome(NOT_YET, f"{names} is not defined yet: run the notebook's cells above "
                                "this one first.")
    return None


# An answer that only defers the question ("not known yet", "TBD", "n/a") unless it says why.
_PLACEHOLDER = re.compile(r"\b(not (yet )?known( yet)?|unknown|n/?a|tb[acd]|to ?do|to be "
                          r"(decided|determined|confirmed|added)|not applicable|none|nothing|"
                          r"no idea|not sure|later|pending)\b", re.I)


def _placeholder(text: str) -> bool:
    """True for an answer that is a placeholder with fewer than four words of reason."""
    if not _PLACEHOLDER.search(text):
        return False
    return len(re.findall(r"[a-z']+", _PLACEHOLDER.sub(" ", text).lower())) < 4


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
        vague = [q for q, text in sheet.answers.items() if _placeholder(text)]
        if vague:
            shown = ", ".join(f"`{q}`" for q in vague[:3])
            more = f" and {len(vague) - 3} more" if len(vague) > 3 else ""
            raise NotYet(f"{len(vague)} answer(s) only say the answer is not known: {shown}{more}. "
                         "For synthetic data the creator knows almost everything; where something "
                         "really is unknown, say why and who could find out.")
        repeated = Counter(" ".join(t.lower().split()) for t in sheet.answers.values())
        text, times = repeated.most_common(1)[0]
        if times >= 3:
            raise NotYet(f"{times} questions have the same answer ({text[:40]!r}); each question "
                         "asks something different: answer each one for this data.")
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
        "Answer in the data creator's voice, one fact per question: e.g. "
        "`\"collection.how\": \"Generated by make_lending with a fixed seed, not collected\"`; "
        "an answer like \"not known yet\" is accepted only with the reason and who could find "
        "out.",
    ),
    solution_code=_SHEET,
    wrong_code=(
        'sheet = Datasheet("Synthetic loans")',
        _SHEET.replace("{len(lending)} rows", "5,000 rows"),
        _SHEET.replace('"default: 1 if', '"The outcome: 1 if'),
        _SHEET.replace("Synthetic (generated) loan", "Loan").replace(
            "synthetic loan application", "loan application"),
        "sheet = {'motivation.purpose': 'teaching'}",
        # the learner review: every answer "not known yet" passed once three words appeared
        "sheet = Datasheet('Synthetic loans', {q: 'not known yet' for q in Datasheet.questions()})",
        "sheet = Datasheet('Synthetic loans', {q: 'Synthetic loan data for teaching, 2000 rows, "
        "label default.' for q in Datasheet.questions()})",
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
        "Fill in `tiers` as `{\"credit_scoring\": \"high\", \"social_score\": "
        "\"unacceptable\", \"spam_filter\": \"minimal\", ...}`; for the remaining seven, check "
        "`card_fraud` against Annex III 5(b)'s exclusion and `call_centre_emotions` against "
        "Art. 5(1)(f) before you settle them.",
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

# ---- q3: the review band's workload, by group (implement the core) ------------------------------
def review_share_by_group(scores, groups, lower: float, upper: float) -> dict:
    """Per group, the share of its applicants a person reviews: those with lower < score < upper
    (``route_decisions`` with the band centred between the bounds); {group: share}."""
    import numpy as np

    p, g = np.asarray(scores, dtype=float), np.asarray(groups).astype(str)
    inside = (p > lower) & (p < upper)
    return {str(k): float(inside[g == k].mean()) for k in dict.fromkeys(g.tolist())}


_F, _M = "Female", "Male"
_ALL_SHARE = ("you divided by all applicants; each group's share is over that group's own "
              "applicants, so a small group is not made to look less reviewed.")
_COUNTS = "those are counts of reviewed applicants; return each group's share (between 0 and 1)."
_OF_REVIEWED = ("those are each group's share of the *reviewed* applicants (they sum to 1); the "
                "workload of a group is the share of *its* applicants sent to a person.")
_CENTRED = ("that is a band centred on 0.5; use the bounds you are given, lower < score < upper, "
            "which need not lie symmetrically around the threshold.")
_MISSING = ("a group with nobody in the band is missing: every group in `groups` gets a share, "
            "0.0 when none of its applicants is reviewed (the workload the auditor must see).")
_CLOSED = ("a score exactly on a bound is not reviewed: the band is open, lower < score < upper, "
           "as `route_decisions` uses |p − threshold| < band.")

q3 = FunctionProblem(
    id="accountability.q3",
    prompt=("Write the body of `review_share_by_group(scores, groups, lower, upper)`: for each "
            "group, the share of its applicants whose score lies strictly inside the review band "
            "(lower < score < upper), as a dict {group: share}."),
    variables=("review_share_by_group",),
    hints=(
        "For one group: pick its scores, count those inside the band, divide by how many "
        "scores the group has. Do that for every group that appears in `groups`.",
        "With numpy: `inside = (scores > lower) & (scores < upper)` marks the reviewed "
        "applicants; for a group `g`, `inside[groups == g].mean()` is its share. Both bounds are "
        "strict.",
        "`scores, groups = np.asarray(scores), np.asarray(groups)`, then "
        "`inside = (scores > lower) & (scores < upper)` and "
        "`return {g: float(inside[groups == g].mean()) for g in ____}`: fill in the groups, each "
        "once.",
    ),
    solution_code='''\
def review_share_by_group(scores, groups, lower, upper):
    scores, groups = np.asarray(scores), np.asarray(groups)
    inside = (scores > lower) & (scores < upper)
    return {g: float(inside[groups == g].mean()) for g in np.unique(groups)}''',
    wrong_code=(
        "def review_share_by_group(scores, groups, lower, upper):\n"
        "    scores, groups = np.asarray(scores), np.asarray(groups)\n"
        "    inside = (scores > lower) & (scores < upper)\n"
        "    return {g: inside[groups == g].sum() / len(scores) for g in np.unique(groups)}",
        "def review_share_by_group(scores, groups, lower, upper):\n"
        "    scores, groups = np.asarray(scores), np.asarray(groups)\n"
        "    inside = (scores > lower) & (scores < upper)\n"
        "    return {g: int(inside[groups == g].sum()) for g in np.unique(groups)}",
        "def review_share_by_group(scores, groups, lower, upper):\n"
        "    scores, groups = np.asarray(scores), np.asarray(groups)\n"
        "    inside = (scores >= lower) & (scores <= upper)\n"
        "    return {g: float(inside[groups == g].mean()) for g in np.unique(groups)}",
        "def review_share_by_group(scores, groups, lower, upper):\n"
        "    scores, groups = np.asarray(scores), np.asarray(groups)\n"
        "    inside = (scores > lower) & (scores < upper)\n"
        "    return {g: inside[groups == g].sum() / inside.sum() for g in np.unique(groups)}",
        "def review_share_by_group(scores, groups, lower, upper):\n"
        "    scores, groups = np.asarray(scores), np.asarray(groups)\n"
        "    inside = np.abs(scores - 0.5) < (upper - lower)\n"
        "    return {g: float(inside[groups == g].mean()) for g in np.unique(groups)}",
    ),
    setup_code="import numpy as np",
    cases=(
        Case("two groups and the band 0.4 to 0.6",
             ([0.1, 0.45, 0.55, 0.2, 0.9, 0.5, 0.8], [_F, _F, _F, _F, _M, _M, _M], 0.4, 0.6),
             expected={_F: 0.5, _M: 1 / 3},
             mistakes=(({_F: 2 / 7, _M: 1 / 7}, _ALL_SHARE), ({_F: 2, _M: 1}, _COUNTS),
                       ({_F: 2 / 3, _M: 1 / 3}, _OF_REVIEWED))),
        Case("a band below the threshold (0.2 to 0.5)",
             ([0.25, 0.45, 0.7, 0.1, 0.55], [_F, _F, _M, _M, _M], 0.2, 0.5),
             expected={_F: 1.0, _M: 0.0},
             mistakes=(({_F: 1.0, _M: 2 / 3}, _CENTRED), ({_F: 0.5, _M: 1 / 3}, _CENTRED),
                       ({_F: 1.0}, _MISSING))),
        Case("scores on the band's edges", ([0.4, 0.6, 0.5, 0.3], [_F, _F, _F, _M], 0.4, 0.6),
             expected={_F: 1 / 3, _M: 0.0},
             mistakes=(({_F: 1.0, _M: 0.0}, _CLOSED),)),
        Case("a band of no width", ([0.5, 0.3, 0.5], [_M, _F, _F], 0.5, 0.5),
             expected={_M: 0.0, _F: 0.0},
             mistakes=(({_M: 1.0, _F: 0.5}, _CLOSED), ({}, _MISSING))),
        Case("numpy arrays with one group",
             (__import__("numpy").array([0.45, 0.52, 0.9]), __import__("numpy").array([_F] * 3),
              0.4, 0.6),
             expected={_F: 2 / 3}),
    ),
    reference=review_share_by_group,
)

# ---- q4: which band to propose (a decision) ---------------------------------------------------
q4 = DecisionProblem(
    id="accountability.q4",
    prompt=("You advise the deployer on the review band. Which would you propose: \"keep "
            "0.4-0.6\", \"0.2-0.5\" (declines only), \"0.3-0.7\" (wider, symmetric) or "
            "\"appeals only\" (no routine review)? Store your choice in `band_choice`."),
    variables=("band_choice",),
    hints=(
        "Start from the card's failure mode: which applicants does it concern, and where do "
        "their scores lie?",
        "In the explorer, with the always-right reviewer, set each option's bounds and compare "
        "two columns by sex: the share of false declines reached and the share sent to a person "
        "(the workload). Then think about what the rubber stamp does to each.",
        "`explorer.set(lower=0.2, upper=0.5)`, then `explorer.set(lower=0.3, upper=0.7)`; choose "
        "the option whose cost you would defend and write `band_choice = \"____\"` with its "
        "name.",
    ),
    solution_code='band_choice = "0.2-0.5"',
    wrong_code=('band_choice = "keep 0.4-0.6"', "band_choice = 0.2", 'band_choice = "0.1"'),
    options={
        "keep 0.4-0.6": Option(False, "it reviews the uncertain scores, more of them men's, and "
                                      "reaches a smaller share of the women's false declines "
                                      "than of the men's: the card's named failure mode is left "
                                      "to the model."),
        "0.2-0.5": Option(True, "it reviews only applications the model would decline, so it "
                                "reaches most of the false declines, women's included, and a "
                                "reviewer who can overturn lifts the women's TPR. The cost: a "
                                "larger workload (the explorer counts it), and false approvals "
                                "stay automated."),
        "0.3-0.7": Option(True, "symmetric and easy to explain; it reaches more false declines "
                                "of both groups and checks risky approvals too, but at the "
                                "largest workload of the four, much of it spent on approvals "
                                "the failure mode does not concern."),
        "appeals only": Option(True, "the cheapest, and GDPR Art. 22(3)'s minimum for a "
                                     "contract or consent ground: human intervention on request. "
                                     "But it reaches only those who appeal, every decline is "
                                     "solely automated (an Art. 22(2) ground is needed for each), "
                                     "and who appeals must be monitored by group."),
    },
)

# ---- q5: reflection on the appeal path --------------------------------------------------------
q5 = ReflectionProblem(
    id="accountability.q5",
    prompt=("The loan model now sends uncertain scores to a person and lets declined applicants "
            "ask for a review. What could still make this human oversight ineffective or "
            "unfair, and how would you check for it? Write a few sentences in `answer_q5`."),
    variables=("answer_q5",),
    hints=(
        "Think about the reviewer (what they see, how much time they have, whether they can "
        "overrule), the applicants (who knows how to appeal), and what the logs would show.",
        "Automation bias (rubber-stamping the score), reviewers' own biases, capacity when the "
        "band is wide, applicants who never appeal, and overturn rates by group are all fair "
        "game.",
        "Write one sentence per risk, each followed by the log or measure that would reveal it "
        "(overturn rates by group, time per review, appeals by group, the explorer's share of "
        "false declines reached).",
    ),
    discussion=("In pairs: one of you designs the reviewer's screen and rules, the other tries "
                "to find how it could still rubber-stamp or discriminate. Which measure from the "
                "logs would settle each disagreement?"),
    solution_code='''answer_q5 = """
    A reviewer who sees the score first, has two minutes per file and is judged on speed will
    rubber-stamp it (automation bias), so oversight exists on paper only. I would give reviewers
    the authority and time to overturn, show the reasons but the score only after their own
    first judgement, and log every review. Reviewers have biases of their own, so I would compare
    overturn rates and final approval rates by group. The band decides the workload: if too many
    cases are referred, reviews get rushed. And an appeal helps only those who know about it and
    can use it, so I would track who appeals by group and make the notice plain and accessible.
    """''',
    wrong_code=(
        'answer_q5 = "A human checks it, so it is fine."',
        'answer_q5 = " ".join(["The reviewer checks the score."] * 8)',
        "answer_q5 = 42",
    ),
    rubric=(
        Criterion("automation bias: reviewers may defer to the score (rubber-stamping)"),
        Criterion("reviewers need authority, time and information (reasons) to overturn"),
        Criterion("reviewers can be biased too: compare outcomes by group"),
        Criterion("capacity: the band sets the workload and the cost"),
        Criterion("not everyone appeals: access and awareness; log and monitor"),
    ),
)

register(q1, q2, q3, q4, q5)
