"""Notebook 09's exercises, beyond the generic checks tests/test_exercises.py runs on every module
in NOTEBOOK_MODULES: the kinds of its problems, the energy function's hidden cases, q3 computed
from the learner's own table and q4 from the shipped grid table, and the unit slips named."""

import pandas as pd
import pytest

from course_lib.energy import estimate_energy, grid_intensity
from course_lib.exercises import ____
from course_lib.exercises._core import CORRECT, GENERIC, NOT_YET, SUBMITTED, registry
from course_lib.exercises.energy import q1, q2, q3, q4, q5

PROBLEMS = {pid: p for pid, p in registry().items() if pid.startswith("energy.")}
GRID = grid_intensity()


def test_an_energy_function_three_numbers_and_a_reflection():
    assert sorted(PROBLEMS) == [f"energy.q{i}" for i in range(1, 6)]
    assert [PROBLEMS[f"energy.q{i}"] for i in range(1, 6)] == [q1, q2, q3, q4, q5]
    kinds = [type(p).__name__ for _, p in sorted(PROBLEMS.items())]
    assert kinds == ["FunctionProblem", "ValueProblem", "ComputedValueProblem",
                     "ComputedValueProblem", "ReflectionProblem"]


def _fn(body):
    return q1.evaluate(q1.namespace_for(f"def energy_kwh(devices, hours, watts, pue=1.0):\n"
                                        f"    return {body}"))


def test_q1_reference_is_course_libs_estimate_and_passes_every_hidden_case():
    assert q1.reference is estimate_energy
    out = q1.evaluate(q1.namespace_for(q1.solution_code))
    assert out.status == CORRECT
    assert "no hours yet" in out.message and "pue not given" in out.message


@pytest.mark.parametrize("body, words", [
    ("devices * hours * watts / 1000", "leaves out the PUE"),
    ("devices * hours * watts * pue", "Wh"),
    ("devices * hours * (watts / 1000) * pue / 1000", "kW *and* divided"),
    ("devices * hours * watts / 1000 + pue", "not added"),
    ("devices * hours * watts / pue / 1000", "divides by the PUE"),
    ("devices * hours * watts * (pue - 1) / 1000", "only the overhead"),
])
def test_q1_each_catalogued_mistake_names_the_case_and_the_slip(body, words):
    out = _fn(body)
    assert out.status == NOT_YET and words in out.message and "case '4 GPUs" in out.message
    assert GENERIC not in out.message


def test_q1_the_default_pue_and_an_empty_run_are_hidden_cases():
    # right on the first case, but ignores the default: fails on the case without a PUE
    out = q1.evaluate(q1.namespace_for(
        "def energy_kwh(devices, hours, watts, pue=1.5):\n"
        "    return devices * hours * watts * pue / 1000"))
    assert out.status == NOT_YET and "pue not given" in out.message
    out = q1.evaluate(q1.namespace_for(
        "def energy_kwh(devices, hours, watts, pue=1.0):\n"
        "    return devices * hours * watts * pue / 1000 if hours else float('nan')"))
    assert out.status == NOT_YET and "no hours yet" in out.message
    assert q1.evaluate({"energy_kwh": ____}).status == NOT_YET
    assert "still returns" in q1.evaluate(q1.namespace_for(
        "from course_lib.exercises import ____\n"
        "def energy_kwh(devices, hours, watts, pue=1.0):\n    return ____")).message


def test_q2_is_the_stated_run():
    # 8 GPUs × 72 h × 300 W × PUE 1.2 = 207.36 kWh; × 0.381 kg/kWh = 79.0 kg CO2e
    assert q2.evaluate({"run_kg_co2e": 79.0}).status == CORRECT
    assert "PUE" in q2.evaluate({"run_kg_co2e": 65.84}).message


def test_q3_expected_value_comes_from_the_learners_own_table():
    results = pd.DataFrame({"train Wh": [0.010, 0.004]},
                           index=["from scratch", "transfer (new head)"])
    assert q3.evaluate({"results": results, "wh_saved": 0.006}).status == CORRECT
    other = results * 2  # a slower machine: the answer follows the table
    assert q3.evaluate({"results": other, "wh_saved": 0.012}).status == CORRECT
    assert q3.evaluate({"results": other, "wh_saved": 0.006}).status == NOT_YET
    out = q3.evaluate({"results": results, "wh_saved": 0.4})
    assert out.status == NOT_YET and "ratio" in out.message
    out = q3.evaluate({"wh_saved": 0.006})  # section 3 not run
    assert out.status == NOT_YET and "cells above" in out.message
    for ns in ({"results": results, "wh_saved": ____}, {"wh_saved": ____}, {}):
        out = q3.evaluate(ns)
        assert out.status == NOT_YET and "`____`" in out.message


def test_q4_reads_the_grid_and_needs_the_run_energy():
    kwh = estimate_energy(8, 72, 300, 1.2)
    g = GRID.set_index("region")["g_co2e_per_kwh"] / 1000
    right = kwh * (g["Germany"] - g["Canada"])
    assert q4.evaluate({"grid": GRID, "kg_saved": right}).status == CORRECT
    assert "positive" not in q4.prompt and "381" not in q4.prompt and "2,000" not in q4.prompt
    assert "wrong sign" in q4.evaluate({"grid": GRID, "kg_saved": -right}).message
    assert "Norway" in q4.evaluate({"grid": GRID, "kg_saved": kwh * (g["Germany"] - g["Norway"])
                                    }).message
    # the old trivial answer, 2,000 kWh × 0.211, is no longer right
    assert q4.evaluate({"grid": GRID, "kg_saved": 2000 * 0.211}).status == NOT_YET


def test_q5_reflection_shows_the_rubric_and_a_discussion_prompt():
    text = ("I would report the energy in kWh, estimated from CPU load rather than measured, "
            "and the grid region with its carbon intensity; the numbers leave out embodied "
            "emissions and inference. First I would reuse a pretrained model by fine-tuning.")
    out = q5.evaluate({"answer_q5": text})
    assert out.status == SUBMITTED and out.message.count("- [ ]") == 4
    assert q5.discussion


def test_exercise_intensities_are_the_shipped_grid_table():
    # q2 states Germany's 2023 intensity: the same number as the dataset
    from course_lib.exercises import energy as ex

    g = GRID.set_index("iso_code")["g_co2e_per_kwh"] / 1000
    assert (ex._DEU, ex._CAN) == (g["DEU"], g["CAN"])
    assert "381 g" in q2.prompt


def test_unit_slips_get_their_own_feedback():
    # the learner review's unanticipated answers: kW for q2 (then q1), mWh for q3, tonnes for q4
    assert "kW" in q2.evaluate({"run_kg_co2e": 0.079}).message
    results = pd.DataFrame({"train Wh": [0.010, 0.004]},
                           index=["from scratch", "transfer (new head)"])
    assert "mWh" in q3.evaluate({"results": results, "wh_saved": 6.0}).message
    right = q4.evaluate({"grid": GRID, "kg_saved": 1.0})  # to get the expected value below
    assert right.status == NOT_YET
    kwh = estimate_energy(8, 72, 300, 1.2)
    g = GRID.set_index("region")["g_co2e_per_kwh"] / 1000
    tonnes = kwh * (g["Germany"] - g["Canada"]) / 1000
    assert " t " in q4.evaluate({"grid": GRID, "kg_saved": tonnes}).message or \
        "in t;" in q4.evaluate({"grid": GRID, "kg_saved": tonnes}).message
    assert "Wh" in _fn("devices * hours * watts * pue").message
