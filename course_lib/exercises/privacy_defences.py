"""Exercises for notebook 08 (privacy defences): an ε by the accountant, group privacy, k."""

from __future__ import annotations

from course_lib.exercises._core import Criterion, ReflectionProblem, ValueProblem, register

__all__ = ["q1", "q2", "q3", "q4"]


# -- q1: the ε of a DP-SGD run -------------------------------------------------------------------
def _eps(sample_rate: float, sigma: float, steps: int, delta: float,
         accountant: str = "rdp") -> float:
    from course_lib.privacy import dp_epsilon

    return dp_epsilon(sample_rate, sigma, steps, delta, accountant=accountant)


q1 = ValueProblem(
    id="privacy_defences.q1",
    prompt=("A hospital trains with DP-SGD on 5,000 records: batches of 100 (sample rate "
            "q = 100/5000), noise multiplier σ = 1.0, 20 epochs, δ = 10⁻⁵. Store the ε the RDP "
            "accountant reports in `epsilon`."),
    variables=("epsilon",),
    hints=(
        "`dp_epsilon(sample_rate, noise_multiplier, steps, delta)` needs the number of STEPS "
        "(noisy gradient updates), not epochs.",
        "One epoch is 5000/100 = 50 steps, so 20 epochs are 1000 steps: "
        "`dp_epsilon(100 / 5000, 1.0, 1000, 1e-5)`.",
    ),
    solution_code="""\
from course_lib.privacy import dp_epsilon

epsilon = dp_epsilon(100 / 5000, 1.0, 20 * 5000 // 100, 1e-5)""",
    wrong_code=(
        """\
from course_lib.privacy import dp_epsilon

epsilon = dp_epsilon(100 / 5000, 1.0, 20, 1e-5)""",
        """\
from course_lib.privacy import dp_epsilon

epsilon = dp_epsilon(100 / 5000, 1.0, 1000, 1e-3)""",
        """\
from course_lib.privacy import dp_epsilon

epsilon = dp_epsilon(1.0, 1.0, 1000, 1e-5)""",
        """\
from course_lib.privacy import dp_epsilon

epsilon = dp_epsilon(100 / 5000, 1.0, 1000, 1e-5, accountant="prv")""",
    ),
    expected=lambda: _eps(0.02, 1.0, 1000, 1e-5),
    known_wrong=(
        (lambda: _eps(0.02, 1.0, 20, 1e-5),
         "that is the ε of 20 steps. The accountant composes every noisy update: 20 epochs of "
         "50 batches are 1000 steps."),
        (lambda: _eps(0.02, 1.0, 1000, 1e-3),
         "check δ: the run uses δ = 10⁻⁵ (1e-5). A larger δ buys a smaller ε, and δ should stay "
         "well below 1/n."),
        (lambda: _eps(1.0, 1.0, 1000, 1e-5),
         "the sample rate is the batch's share of the data, 100/5000 = 0.02, not 1: "
         "subsampling is what makes each step cheap in privacy."),
        (lambda: _eps(0.02, 1.0, 1000, 1e-5, accountant="prv"),
         "that is the PRV accountant's ε (Opacus's default): a valid and tighter bound, but the "
         "question asks for the RDP accountant, `dp_epsilon`'s default. Always say which "
         "accountant an ε comes from."),
    ),
    rel_tol=1e-6,
)


# -- q2: group privacy ---------------------------------------------------------------------------
def _group(epsilon: float, k: int) -> float:
    from course_lib.privacy import group_privacy

    return group_privacy(epsilon, 1e-5, k)[0]


q2 = ValueProblem(
    id="privacy_defences.q2",
    prompt=("A model was trained at (ε = 1.5, δ = 10⁻⁵)-DP, the privacy unit being one record. "
            "One patient's record appears 6 times in the training data (six visits copied in "
            "full). Store the ε that the group-privacy bound gives for that patient in "
            "`patient_epsilon`."),
    variables=("patient_epsilon",),
    hints=(
        "DP protects one record. A person with k records is a group of k: see `group_privacy`.",
        "`group_privacy(1.5, 1e-5, 6)` returns (k·ε, δ'): the first element is the answer.",
    ),
    solution_code="""\
from course_lib.privacy import group_privacy

patient_epsilon = group_privacy(1.5, 1e-5, 6)[0]""",
    wrong_code=("patient_epsilon = 1.5", "patient_epsilon = 1.5 / 6",
                "patient_epsilon = 1.5 ** 6"),
    expected=lambda: _group(1.5, 6),
    known_wrong=(
        (1.5, "1.5 protects ONE record. Six copies of the patient's data are six records: the "
              "guarantee for all of them together is weaker."),
        (0.25, "repetition does not spread the risk: each copy adds its own ε, so it grows."),
        (1.5 ** 6, "ε adds up over the group (k·ε); it is e^ε, the bound on the probability "
                   "ratio, that multiplies."),
    ),
)


# -- q3: k of a generalised release -------------------------------------------------------------
_POP_SETUP = """\
from course_lib.privacy import (apply_generalization, k_anonymity, make_population,
                                population_hierarchies)

small_town = make_population(2000, n_zips=10, random_state=3)
QI = ["zip", "sex", "birth_date"]
"""


def _generalised():
    from course_lib.privacy import apply_generalization, make_population, population_hierarchies

    town = make_population(2000, n_zips=10, random_state=3)
    return apply_generalization(town, population_hierarchies(), {"zip": 2, "birth_date": 3})


def _k_generalised() -> float:
    from course_lib.privacy import k_anonymity

    return k_anonymity(_generalised(), ["zip", "sex", "birth_date"])


def _k_raw() -> float:
    from course_lib.privacy import k_anonymity, make_population

    return k_anonymity(make_population(2000, n_zips=10, random_state=3),
                       ["zip", "sex", "birth_date"])


def _largest_class() -> float:
    from course_lib.privacy import equivalence_class_sizes

    return float(equivalence_class_sizes(_generalised(), ["zip", "sex", "birth_date"]).max())


q3 = ValueProblem(
    id="privacy_defences.q3",
    prompt=("`small_town` is a population of 2,000 and `QI = ['zip', 'sex', 'birth_date']`. "
            "Release it with ZIP codes cut to 3 digits (level 2 of "
            "`population_hierarchies()['zip']`) and birth dates as decades (level 3 of "
            "`['birth_date']`), sex kept. What k-anonymity does the release reach? "
            "Store it in `k_release`."),
    variables=("k_release",),
    hints=(
        "`apply_generalization(small_town, population_hierarchies(), "
        "{'zip': 2, 'birth_date': 3})` makes the release; levels you do not name stay as they are.",
        "k is the size of the SMALLEST equivalence class: `k_anonymity(release, QI)`.",
    ),
    solution_code="""\
release = apply_generalization(small_town, population_hierarchies(),
                               {"zip": 2, "birth_date": 3})
k_release = k_anonymity(release, QI)""",
    wrong_code=(
        "k_release = k_anonymity(small_town, QI)",
        """\
from course_lib.privacy import equivalence_class_sizes

release = apply_generalization(small_town, population_hierarchies(),
                               {"zip": 2, "birth_date": 3})
k_release = equivalence_class_sizes(release, QI).max()""",
    ),
    setup_code=_POP_SETUP,
    expected=_k_generalised,
    known_wrong=(
        (_k_raw, "that is k of the raw table (every person is unique): generalise ZIP and "
                 "birth date first, then measure."),
        (_largest_class, "that is the LARGEST class. k-anonymity is a guarantee for everybody, "
                         "so it is set by the smallest class."),
    ),
    rel_tol=0.0,
    abs_tol=1e-9,
)


# -- q4: reflection ------------------------------------------------------------------------------
q4 = ReflectionProblem(
    id="privacy_defences.q4",
    prompt=("Three hospitals want to build a readmission model together from their patient "
            "records. One proposes federated learning 'so no data leaves the hospital', another "
            "a shared table with names removed. Using what you measured in this notebook, what "
            "does each proposal protect and what does it not, and what would you add? Write a "
            "few sentences in `answer_q4`."),
    variables=("answer_q4",),
    hints=(
        "Recall what the server received in section 5, and what the voter roll did to the "
        "table without names in section 6.",
        "For each proposal name an attack that still works (gradient leak, linkage on "
        "quasi-identifiers), then a defence measured against it (DP-SGD's ε, k-anonymity, "
        "secure aggregation) and its cost or limit (accuracy, records repeated, homogeneity).",
    ),
    solution_code='''answer_q4 = """
    Federated learning keeps the raw records in each hospital, but the updates it sends are
    functions of them: one example's gradient on a linear layer gave back the input exactly, so
    the server (or anyone who sees the updates) can still learn about patients. It needs secure
    aggregation and DP-SGD on top, with the epsilon reported per record and patients with many
    visits counted as a group (k times epsilon, by the group-privacy bound). Removing names is
    not anonymisation: ZIP, sex and birth date made almost everyone unique and a voter roll
    linked them back. The table would need generalisation to k-anonymity, checked for
    homogeneous groups, or better a DP release; and under GDPR it remains personal data, so a
    legal basis and agreements are needed.
    """''',
    wrong_code=(
        'answer_q4 = "Federated learning is private."',
        'answer_q4 = ("Readmission models predict whether a patient returns to hospital within '
        'thirty days of discharge, usually from the length of stay, the diagnosis codes and '
        'the number of earlier admissions in the previous year.")',
    ),
    rubric=(
        Criterion("federated updates still leak: a gradient can reveal an input; add secure "
                  "aggregation or DP"),
        Criterion("removing names is not anonymisation: quasi-identifiers link to other tables"),
        Criterion("a measured defence with its parameter: DP-SGD's ε (per record; repeated "
                  "records ≈ kε) or k-anonymity's k"),
        Criterion("the cost or limit of the defence, or the legal context (utility, homogeneity, "
                  "GDPR/consent)"),
    ),
)

register(q1, q2, q3, q4)
