"""Notebook 08's exercises beyond tests/test_exercises.py's generic checks."""

import pytest

from course_lib.exercises._core import CORRECT, NOT_YET, SUBMITTED, registry
from course_lib.exercises.privacy_defences import q1, q2, q3, q4  # noqa: F401 (registers)

PROBLEMS = {pid: p for pid, p in registry().items() if pid.startswith("privacy_defences.")}


def test_the_notebook_has_a_dp_step_to_write_two_values_and_a_reflection():
    assert sorted(PROBLEMS) == [f"privacy_defences.q{i}" for i in range(1, 5)]
    kinds = [type(p).__name__ for _, p in sorted(PROBLEMS.items())]
    assert kinds == ["FunctionProblem", "ValueProblem", "ValueProblem", "ReflectionProblem"]
    assert all(len(p.hints) == 3 for p in PROBLEMS.values()) and q4.discussion


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


def test_q1_reference_agrees_with_noisy_gradient_on_a_linear_model():
    """The exercise's reference (clip_gradients + sum + noise) is course_lib's DP-SGD gradient."""
    import numpy as np
    import torch

    from course_lib.exercises.privacy_defences import _dp_step_reference
    from course_lib.privacy import noisy_gradient, per_example_gradients

    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2, bias=False)
    x, y = torch.randn(5, 3), torch.tensor([0, 1, 1, 0, 1])
    grads = per_example_gradients(model, x, y)["weight"].reshape(5, -1).double().numpy()
    sigma, c, b = 1.5, 0.3, 4.0
    noise = torch.normal(0.0, sigma * c, size=(2, 3), generator=torch.Generator().manual_seed(1))
    z = (noise / (sigma * c)).reshape(-1).double().numpy()
    got = _dp_step_reference(grads * 10, c, sigma, z, b)  # * 10: every example is clipped
    want = noisy_gradient(model, x, y, max_grad_norm=c, noise_multiplier=sigma,
                          expected_batch_size=b, generator=torch.Generator().manual_seed(1))
    clipped_only = _dp_step_reference(grads, c, 0.0, z, b)
    assert np.allclose(_dp_step_reference(grads, c, sigma, z, b),
                       want["weight"].reshape(-1).double().numpy(), atol=1e-6)
    assert np.linalg.norm(np.asarray(got) * b - sigma * c * z) <= 5 * c + 1e-6
    assert np.linalg.norm(np.asarray(clipped_only) * b) <= 5 * c + 1e-6


def test_q1_edge_cases_and_mistakes_name_the_case():
    ns = q1.namespace_for(q1.solution_code)
    fn = ns["dp_sgd_gradient"]
    assert fn([], 1.0, 2.0, [1.0, -1.0], 4) == [0.5, -0.5]  # an empty batch is pure noise
    assert fn([[0.0, 0.0]], 1.0, 0.0, [1.0, 1.0], 1) == [0.0, 0.0]  # a zero gradient stays 0
    messages = [q1.evaluate(q1.namespace_for(code)).message for code in q1.wrong_code]
    assert all(m.startswith("case '") for m in messages)
    assert "not clipped" in messages[0] and "σ·C" in messages[1]
    assert "EXPECTED" in messages[2] and "each coordinate" in messages[3]
    assert "small ones up" in messages[4]

    def nan_on_zero(g, c, s, z, b):  # divides by the norm unguarded
        return [float("nan")] * len(z) if any(not any(row) for row in g) else fn(g, c, s, z, b)

    out = q1.evaluate({"dp_sgd_gradient": nan_on_zero})
    assert out.status == NOT_YET and "a zero gradient" in out.message and "NaN" in out.message


def test_q2_is_the_accountants_epsilon_for_1000_steps():
    from course_lib.privacy import dp_epsilon

    eps = dp_epsilon(0.02, 1.0, 1000, 1e-5)
    assert 3.0 < eps < 6.0
    assert q2.evaluate({"epsilon": eps}).status == CORRECT
    assert "1000 steps" in q2.evaluate({"epsilon": dp_epsilon(0.02, 1.0, 20, 1e-5)}).message
    assert q2.evaluate({"epsilon": eps * 1.01}).status == NOT_YET


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


def test_q4_shows_the_rubric_to_tick_and_refuses_an_empty_answer():
    text = ("Federated learning still sends gradient updates, and one gradient can reconstruct "
            "an input, so the server learns about patients. Removing names leaves ZIP code, sex "
            "and birth date, which a voter roll can link back to people. I would use DP-SGD with "
            "a reported epsilon per record.")
    out = q4.evaluate({"answer_q4": text})
    assert out.status == SUBMITTED
    assert out.message.count("- [ ]") == len(q4.rubric) and "- [x]" not in out.message
    assert q4.evaluate({"answer_q4": "Federated learning is private."}).status == NOT_YET
