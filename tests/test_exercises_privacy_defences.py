"""Notebook 08's exercises beyond tests/test_exercises.py's generic checks."""

import pytest

from course_lib.exercises._core import CORRECT, NOT_YET, SUBMITTED, registry
from course_lib.exercises.privacy_defences import q1, q2, q3, q4  # noqa: F401 (registers)

PROBLEMS = {pid: p for pid, p in registry().items() if pid.startswith("privacy_defences.")}


def test_the_notebook_has_three_auto_checked_exercises_and_a_reflection():
    assert sorted(PROBLEMS) == [f"privacy_defences.q{i}" for i in range(1, 5)]
    kinds = [type(p).__name__ for _, p in sorted(PROBLEMS.items())]
    assert kinds == ["ValueProblem", "ValueProblem", "ValueProblem", "ReflectionProblem"]


@pytest.mark.parametrize("pid", sorted(PROBLEMS))
def test_solution_passes_and_each_wrong_answer_gets_its_own_feedback(pid):
    p = PROBLEMS[pid]
    assert p.evaluate(p.namespace_for(p.solution_code)).status in (CORRECT, SUBMITTED)
    messages = []
    for code in p.wrong_code:
        out = p.evaluate(p.namespace_for(code))
        assert out.status == NOT_YET and "not what we expected" not in out.message, code
        messages.append(out.message)
    assert len(set(messages)) == len(messages)


def test_q1_is_the_accountants_epsilon_for_1000_steps():
    from course_lib.privacy import dp_epsilon

    eps = dp_epsilon(0.02, 1.0, 1000, 1e-5)
    assert 3.0 < eps < 6.0
    assert q1.evaluate({"epsilon": eps}).status == CORRECT
    assert "1000 steps" in q1.evaluate({"epsilon": dp_epsilon(0.02, 1.0, 20, 1e-5)}).message
    assert q1.evaluate({"epsilon": eps * 1.01}).status == NOT_YET


def test_q2_group_privacy_is_k_times_epsilon():
    assert q2.evaluate({"patient_epsilon": 9.0}).status == CORRECT
    assert "ONE record" in q2.evaluate({"patient_epsilon": 1.5}).message


def test_q3_k_of_the_release_is_its_smallest_class():
    import numpy as np

    from course_lib.privacy import apply_generalization, equivalence_class_sizes, make_population
    from course_lib.privacy import population_hierarchies as hier

    town = make_population(2000, n_zips=10, random_state=3)
    release = apply_generalization(town, hier(), {"zip": 2, "birth_date": 3})
    sizes = equivalence_class_sizes(release, ["zip", "sex", "birth_date"])
    k = int(np.min(sizes))
    assert 1 < k < int(np.max(sizes))
    assert q3.evaluate({"k_release": k}).status == CORRECT
    assert "LARGEST" in q3.evaluate({"k_release": int(np.max(sizes))}).message
    assert "raw table" in q3.evaluate({"k_release": 1}).message


def test_q4_rubric_ticks_the_points_an_answer_covers():
    text = ("Federated learning still sends gradient updates, and one gradient can reconstruct "
            "an input, so the server learns about patients. Removing names leaves ZIP code, sex "
            "and birth date, which a voter roll can link back to people. I would use DP-SGD with "
            "a reported epsilon per record.")
    out = q4.evaluate({"answer_q4": text})
    assert out.status == SUBMITTED
    assert out.message.count("- [x]") == 3 and out.message.count("- [ ]") == 1
