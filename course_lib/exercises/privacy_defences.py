"""Exercises for notebook 08 (privacy defences): one DP-SGD step, an ε by the accountant, k.

q1 is implement-the-core: the learner writes DP-SGD's clip-sum-noise-divide step, checked on
hidden cases against ``course_lib.privacy.clip_gradients`` (itself checked against Opacus)."""

from __future__ import annotations

import math

from course_lib.exercises._core import Criterion, ReflectionProblem, ValueProblem, register
from course_lib.exercises._function import Case, FunctionProblem

__all__ = ["q1", "q2", "q3", "q4"]


# -- q2: the ε of a DP-SGD run -------------------------------------------------------------------
def _eps(sample_rate: float, sigma: float, steps: int, delta: float,
         accountant: str = "rdp") -> float:
    from course_lib.privacy import dp_epsilon

    return dp_epsilon(sample_rate, sigma, steps, delta, accountant=accountant)


q2 = ValueProblem(
    id="privacy_defences.q2",
    prompt=("A hospital trains with DP-SGD on 5,000 records: batches of 100 (sample rate "
            "q = 100/5000), noise multiplier σ = 1.0, 20 epochs, δ = 10⁻⁵. Store the ε the RDP "
            "accountant reports in `epsilon`."),
    variables=("epsilon",),
    hints=(
        "The accountant composes every noisy update: count the updates, not the passes.",
        "`dp_epsilon(sample_rate, noise_multiplier, steps, delta)` needs the number of STEPS "
        "(noisy gradient updates); one epoch is 5000/100 = 50 of them.",
        "20 epochs of 50 steps are 1000 steps; q = 100/5000 and δ = 1e-5: pass these four "
        "numbers to `dp_epsilon` in that order.",
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


# -- q1: one DP-SGD step: clip, sum, add noise, divide (implement the core) ------------------
_Q1_SETUP = """\
import numpy as np
"""


def _dp_step_reference(per_example_grads, max_grad_norm, noise_multiplier, noise,
                       expected_batch_size):
    """course_lib's clip_gradients (checked against Opacus), then the sum, noise and division."""
    import numpy as np
    import torch

    from course_lib.privacy import clip_gradients

    g = np.asarray(per_example_grads, dtype=np.float64)
    z = np.asarray(noise, dtype=np.float64)
    if g.shape[0] == 0:
        summed = np.zeros_like(z)
    else:
        clipped, _ = clip_gradients({"w": torch.from_numpy(g)}, max_grad_norm)
        summed = clipped["w"].sum(0).numpy()
    return ((summed + noise_multiplier * max_grad_norm * z) / expected_batch_size).tolist()


_G3 = [[3.0, 4.0], [0.3, 0.4], [0.0, -2.0]]  # norms 5, 0.5, 2
_Z = [0.5, -1.0]


def _wrong(g, c, sigma, z, b, *, clip=True, actual=False, noise_scale=None, per_coord=False,
           normalise=False):
    """What a known mistake returns (for the cases' feedback)."""
    import numpy as np

    g = np.asarray(g, dtype=float).reshape(-1, len(z))
    z = np.asarray(z, dtype=float)
    if per_coord:
        rows = np.clip(g, -c, c)
    elif normalise:
        rows = g * c / np.linalg.norm(g, axis=1)[:, None]
    elif clip:
        norms = np.linalg.norm(g, axis=1) if len(g) else np.zeros(0)
        rows = g * np.minimum(1.0, c / (norms + 1e-6))[:, None]
    else:
        rows = g
    scale = sigma * c if noise_scale is None else noise_scale
    denom = len(g) if actual else b
    return ((rows.sum(0) + scale * z) / denom).tolist()


q1 = FunctionProblem(
    id="privacy_defences.q1",
    prompt=("Write `dp_sgd_gradient(per_example_grads, max_grad_norm, noise_multiplier, noise, "
            "expected_batch_size)`: DP-SGD's gradient for one batch. Clip each example's "
            "gradient (a row) to L2 norm at most C = `max_grad_norm`, sum the rows, add "
            "σ·C·`noise` (`noise` is a standard normal draw, one value per coordinate), and "
            "divide by the EXPECTED batch size. Return a list, one value per coordinate."),
    variables=("dp_sgd_gradient",),
    hints=(
        "Clipping bounds what one example can do to the sum; the noise must be scaled to that "
        "bound, and the divisor must not depend on who was sampled.",
        "Scale each row g by min(1, C / (‖g‖ + 1e-6)), as Opacus does (a zero gradient stays "
        "zero); sum over rows (axis 0); add σ·C·noise; divide by `expected_batch_size`, not "
        "by the number of rows (an empty batch is then pure noise).",
        "With `g = np.asarray(per_example_grads, dtype=float).reshape(-1, len(noise))` and "
        "`norms = np.linalg.norm(g, axis=1)`: `clipped = g * np.minimum(1, C / (norms + 1e-6))"
        "[:, None]`, then `(clipped.sum(0) + σ * C * np.asarray(noise)) / B`, `.tolist()`.",
    ),
    solution_code="""\
def dp_sgd_gradient(per_example_grads, max_grad_norm, noise_multiplier, noise,
                    expected_batch_size):
    noise = np.asarray(noise, dtype=float)
    g = np.asarray(per_example_grads, dtype=float).reshape(-1, len(noise))
    norms = np.linalg.norm(g, axis=1)
    clipped = g * np.minimum(1.0, max_grad_norm / (norms + 1e-6))[:, None]
    total = clipped.sum(axis=0) + noise_multiplier * max_grad_norm * noise
    return (total / expected_batch_size).tolist()""",
    wrong_code=(
        """\
def dp_sgd_gradient(per_example_grads, max_grad_norm, noise_multiplier, noise,
                    expected_batch_size):
    noise = np.asarray(noise, dtype=float)
    g = np.asarray(per_example_grads, dtype=float).reshape(-1, len(noise))
    total = g.sum(axis=0) + noise_multiplier * max_grad_norm * noise
    return (total / expected_batch_size).tolist()""",
        """\
def dp_sgd_gradient(per_example_grads, max_grad_norm, noise_multiplier, noise,
                    expected_batch_size):
    noise = np.asarray(noise, dtype=float)
    g = np.asarray(per_example_grads, dtype=float).reshape(-1, len(noise))
    norms = np.linalg.norm(g, axis=1)
    clipped = g * np.minimum(1.0, max_grad_norm / (norms + 1e-6))[:, None]
    return ((clipped.sum(axis=0) + noise_multiplier * noise) / expected_batch_size).tolist()""",
        """\
def dp_sgd_gradient(per_example_grads, max_grad_norm, noise_multiplier, noise,
                    expected_batch_size):
    noise = np.asarray(noise, dtype=float)
    g = np.asarray(per_example_grads, dtype=float).reshape(-1, len(noise))
    norms = np.linalg.norm(g, axis=1)
    clipped = g * np.minimum(1.0, max_grad_norm / (norms + 1e-6))[:, None]
    total = clipped.sum(axis=0) + noise_multiplier * max_grad_norm * noise
    return (total / len(g)).tolist()""",
        """\
def dp_sgd_gradient(per_example_grads, max_grad_norm, noise_multiplier, noise,
                    expected_batch_size):
    noise = np.asarray(noise, dtype=float)
    g = np.asarray(per_example_grads, dtype=float).reshape(-1, len(noise))
    clipped = np.clip(g, -max_grad_norm, max_grad_norm)
    total = clipped.sum(axis=0) + noise_multiplier * max_grad_norm * noise
    return (total / expected_batch_size).tolist()""",
        """\
def dp_sgd_gradient(per_example_grads, max_grad_norm, noise_multiplier, noise,
                    expected_batch_size):
    noise = np.asarray(noise, dtype=float)
    g = np.asarray(per_example_grads, dtype=float).reshape(-1, len(noise))
    clipped = g * max_grad_norm / np.linalg.norm(g, axis=1)[:, None]
    total = clipped.sum(axis=0) + noise_multiplier * max_grad_norm * noise
    return (total / expected_batch_size).tolist()""",
    ),
    setup_code=_Q1_SETUP,
    cases=(
        Case("three examples, one clipped, no noise", (_G3, 1.0, 0.0, _Z, 3),
             mistakes=((_wrong(_G3, 1.0, 0.0, _Z, 3, clip=False),
                        "the big gradient (norm 5) was not clipped: scale each row by "
                        "min(1, C / ‖g‖) before summing."),
                       (_wrong(_G3, 1.0, 0.0, _Z, 3, per_coord=True),
                        "you clipped each coordinate to [−C, C]; DP-SGD clips each example's "
                        "whole gradient to L2 norm C (the direction is kept)."),
                       (_wrong(_G3, 1.0, 0.0, _Z, 3, normalise=True),
                        "you scaled every gradient to norm C, the small ones up too; clipping only "
                        "shrinks those above C: multiply by min(1, C / ‖g‖)."))),
        Case("noise σ = 2 on top, C = 1", (_G3, 1.0, 2.0, _Z, 3),
             mistakes=((_wrong(_G3, 1.0, 2.0, _Z, 3, noise_scale=2.0),
                        "with C = 1 that looks right, but check the next case: the noise's "
                        "standard deviation is σ·C."),)),
        Case("C = 0.5: noise scales with C", (_G3, 0.5, 2.0, _Z, 3),
             mistakes=((_wrong(_G3, 0.5, 2.0, _Z, 3, noise_scale=2.0),
                        "the noise must be σ·C·noise: its scale follows the clipping norm, "
                        "which is what bounds one example's influence."),)),
        Case("a zero gradient", ([[0.0, 0.0], [3.0, 4.0]], 1.0, 0.0, _Z, 2),
             mistakes=(([math.nan, math.nan], "a zero gradient gave NaN (0/0 where you divide by "
                                              "its norm): with min(1, C / (‖g‖ + 1e-6)) it "
                                              "stays zero."),)),
        Case("a small gradient stays as it is", ([[0.3, 0.4]], 1.0, 0.0, _Z, 1),
             mistakes=(([0.6, 0.8], "you scaled every gradient to norm C; clipping only shrinks "
                                    "those above C: multiply by min(1, C / ‖g‖)."),)),
        Case("Poisson sampling drew 2 examples, B expected 4", (_G3[:2], 1.0, 1.0, _Z, 4),
             mistakes=((_wrong(_G3[:2], 1.0, 1.0, _Z, 4, actual=True),
                        "you divided by the number of examples drawn; divide by the EXPECTED "
                        "batch size, so the sensitivity stays C/B whoever was sampled."),)),
        Case("an empty batch: pure noise", ([], 1.0, 1.0, _Z, 4)),
        Case("nothing needs clipping", ([[0.1, 0.2], [-0.3, 0.1]], 1.0, 0.5, _Z, 2)),
    ),
    reference=_dp_step_reference,
    rel_tol=1e-5,
    abs_tol=1e-7,
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


def _mean_class() -> float:
    from course_lib.privacy import equivalence_class_sizes

    return float(equivalence_class_sizes(_generalised(), ["zip", "sex", "birth_date"]).mean())


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
        "Generalise first, then measure: k is a property of the released table.",
        "`apply_generalization(small_town, population_hierarchies(), "
        "{'zip': 2, 'birth_date': 3})` makes the release; levels you do not name stay as they are.",
        "k is the size of the SMALLEST equivalence class on the quasi-identifiers: pass the "
        "release and `QI` to `k_anonymity`.",
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
k_release = equivalence_class_sizes(release, QI).mean()""",
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
        (_mean_class, "that is the AVERAGE class size; k is a guarantee for everybody, so it is "
                      "set by the smallest class."),
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
        "Ask of each proposal: what does an attacker still see, and who is the attacker?",
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
        'answer_q4 = " ".join(["federated learning protects data"] * 10)',
        "answer_q4 = None",
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
    discussion=("In threes, one per hospital: agree on one combined design, and on the one "
                "number (an ε, a k, an attack's advantage) each hospital's data-protection "
                "officer would want reported before signing."),
)

register(q1, q2, q3, q4)
