"""A datasheet a learner fills in for their own data (Gebru et al., 2021), rendered to Markdown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from course_lib.reporting import _render

__all__ = ["DATASHEET_QUESTIONS", "Datasheet"]

#: Gebru et al.'s seven sections, each with its key questions (id -> question).
DATASHEET_QUESTIONS: dict[str, dict[str, str]] = {
    "Motivation": {
        "motivation.purpose": "For what purpose was the dataset created? Was there a specific "
                              "task in mind?",
        "motivation.creators": "Who created the dataset, on behalf of whom, and who funded it?",
    },
    "Composition": {
        "composition.instances": "What do the instances represent, and how many are there?",
        "composition.label": "Is there a label or target for each instance? What is it?",
        "composition.sensitive": "Does it identify sub-populations (e.g. by age or sex), or "
                                 "contain data that might be considered sensitive?",
        "composition.gaps": "Is any information missing? Is it a sample of a larger set, and "
                            "is the sample representative?",
    },
    "Collection process": {
        "collection.how": "How was the data acquired, by whom, and over what timeframe?",
        "collection.consent": "Were the people concerned told about the collection, and did "
                              "they consent?",
    },
    "Preprocessing": {
        "preprocessing.steps": "What cleaning, labelling or other preprocessing was done?",
        "preprocessing.raw": "Was the raw data kept in addition to the processed data?",
    },
    "Uses": {
        "uses.tasks": "What has the dataset been used for, and what could it be used for?",
        "uses.avoid": "Are there tasks for which it should not be used? Could using it harm "
                      "people?",
    },
    "Distribution": {
        "distribution.how": "How is it distributed, and under what licence or terms of use?",
    },
    "Maintenance": {
        "maintenance.who": "Who maintains it, and how can they be contacted?",
        "maintenance.updates": "Will it be updated, and how will errata be communicated?",
    },
}

_OPEN = "(not yet answered)"
_ALL = {qid: q for qs in DATASHEET_QUESTIONS.values() for qid, q in qs.items()}


def _check_answer(qid: object, text: object) -> None:
    if qid not in _ALL:
        raise ValueError(f"question id must be one of {list(_ALL)}, got {qid!r}")
    if not isinstance(text, str):
        raise TypeError(f"the answer to {qid!r} must be a string, got {type(text).__name__}")


@dataclass
class Datasheet:
    """A dataset's datasheet: ``name`` and ``answers`` (question id -> text); blanks are allowed.

    ``Datasheet("Loans").answer("motivation.purpose", "...")``; ``unanswered()`` lists what is
    still open and ``to_markdown()`` renders it, marking open questions.
    """

    name: str
    answers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"name must be a non-empty string, got {self.name!r}")
        if not isinstance(self.answers, Mapping):
            raise TypeError("answers must be a dict of question id -> text")
        self.answers = dict(self.answers)
        for qid, text in self.answers.items():
            _check_answer(qid, text)

    @staticmethod
    def questions() -> dict[str, str]:
        """Every question by id, section by section."""
        return dict(_ALL)

    def answer(self, question_id: str, text: str) -> Datasheet:
        """Record the answer to one question (returns the datasheet, so calls can chain)."""
        _check_answer(question_id, text)
        self.answers[question_id] = text
        return self

    def unanswered(self, min_words: int = 3) -> list[str]:
        """Ids of the questions without an answer of at least ``min_words`` words."""
        return [qid for qid in _ALL if len(self.answers.get(qid, "").split()) < min_words]

    def sections(self) -> list[tuple[str, list[_render.Block]]]:
        """Each section's questions (as bullets) and answers."""
        out = []
        for title, qs in DATASHEET_QUESTIONS.items():
            items = [f"{q} Answer: {' '.join(self.answers.get(qid, '').split()) or _OPEN}"
                     for qid, q in qs.items()]
            out.append((title, [_render.bullets(items)]))
        return out

    def to_markdown(self) -> str:
        """The datasheet as Markdown, one ``##`` section per Gebru et al. section."""
        return _render.to_markdown(f"Datasheet: {self.name}", self.sections())

    def to_html(self) -> str:
        """The datasheet as a standalone, escaped HTML document."""
        return _render.to_html(f"Datasheet: {self.name}", self.sections())

    def summary(self) -> str:
        """One line: the purpose (or that it is not yet stated)."""
        purpose = " ".join(self.answers.get("motivation.purpose", "").split())
        return purpose or "(purpose not yet stated)"
