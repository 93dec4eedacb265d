"""Exercises, bound per notebook: ``from course_lib.exercises.welcome import q1, q2, q3``.

Answer cells start with the placeholder ``____``; ``q1.check()``, ``q1.hint()``, ``q1.hint(2)``
and ``q1.solution()`` give feedback. ``set_edition("student")`` (the student edition's setup
cell) makes ``solution()`` point to the instructor edition instead; see ``_core.EDITION_ENV``.
"""

from course_lib.exercises._core import (
    EDITION_ENV,
    HINT_TIERS,
    ComputedValueProblem,
    Criterion,
    DecisionProblem,
    MatchingProblem,
    NotYet,
    Option,
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
from course_lib.exercises._function import Case, FunctionProblem, same
from course_lib.exercises._nearmiss import near_miss

# one per notebook, in course order
NOTEBOOK_MODULES = ("welcome", "sources", "case_studies", "fairness_metrics",
                    "bias_mitigation", "explain_vision", "explain_tabular_text",
                    "privacy_attacks", "privacy_defences", "energy", "accountability",
                    "capstone")

__all__ = ["____", "HINT_TIERS", "Case", "ComputedValueProblem", "Criterion", "DecisionProblem",
           "EDITION_ENV", "FunctionProblem", "MatchingProblem", "NotYet", "Option", "Outcome",
           "Problem", "ReflectionProblem", "ValueProblem", "NOTEBOOK_MODULES", "edition",
           "near_miss", "register", "registry", "same", "set_edition"]
