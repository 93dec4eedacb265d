"""Exercises, bound per notebook: ``from course_lib.exercises.welcome import q1, q2, q3``.

Answer cells start with the placeholder ``____``; ``q1.check()``, ``q1.hint()``, ``q1.hint(2)``
and ``q1.solution()`` give feedback. ``set_edition("student")`` (the student edition's setup
cell) makes ``solution()`` point to the instructor edition instead; see ``_core.EDITION_ENV``.
"""

from course_lib.exercises._core import (
    EDITION_ENV,
    ComputedValueProblem,
    Criterion,
    MatchingProblem,
    NotYet,
    Outcome,
    Problem,
    ReflectionProblem,
    ValueProblem,
    ____,
    edition,
    register,
    registry,
    set_edition,
)

# one per notebook, in course order
NOTEBOOK_MODULES = ("welcome", "sources", "case_studies", "fairness_metrics",
                    "bias_mitigation", "explain_vision", "explain_tabular_text",
                    "privacy_attacks", "privacy_defences", "energy", "accountability",
                    "capstone")

__all__ = ["____", "ComputedValueProblem", "Criterion", "EDITION_ENV", "MatchingProblem",
           "NotYet", "Outcome", "Problem", "ReflectionProblem", "ValueProblem", "NOTEBOOK_MODULES",
           "edition", "register", "registry", "set_edition"]
