"""Notebook 09's exercises, beyond the generic checks tests/test_exercises.py runs on every module
in NOTEBOOK_MODULES: the kinds of its problems, and q2 computed from the learner's own table."""

import pandas as pd

from course_lib.exercises import ____
from course_lib.exercises._core import CORRECT, NOT_YET, SUBMITTED, registry
from course_lib.exercises.energy import q1, q2, q3, q4

PROBLEMS = {pid: p for pid, p in registry().items() if pid.startswith("energy.")}


def test_three_auto_checked_exercises_and_a_reflection():
    assert sorted(PROBLEMS) == ["energy.q1", "energy.q2", "energy.q3", "energy.q4"]
    assert [PROBLEMS[f"energy.q{i}"] for i in range(1, 5)] == [q1, q2, q3, q4]
    kinds = [type(p).__name__ for _, p in sorted(PROBLEMS.items())]
    assert kinds == ["ValueProblem", "ComputedValueProblem", "ValueProblem", "ReflectionProblem"]


def test_q1_is_the_stated_run():
    # 8 GPUs × 72 h × 300 W × PUE 1.2 = 207.36 kWh; × 0.381 kg/kWh = 79.0 kg CO2e
    assert q1.evaluate({"run_kg_co2e": 79.0}).status == CORRECT
    assert "PUE" in q1.evaluate({"run_kg_co2e": 65.84}).message


def test_q2_expected_value_comes_from_the_learners_own_table():
    results = pd.DataFrame({"train Wh": [0.010, 0.004]},
                           index=["from scratch", "transfer (new head)"])
    assert q2.evaluate({"results": results, "wh_saved": 0.006}).status == CORRECT
    other = results * 2  # a slower machine: the answer follows the table
    assert q2.evaluate({"results": other, "wh_saved": 0.012}).status == CORRECT
    assert q2.evaluate({"results": other, "wh_saved": 0.006}).status == NOT_YET
    out = q2.evaluate({"results": results, "wh_saved": 0.4})
    assert out.status == NOT_YET and "ratio" in out.message
    out = q2.evaluate({"wh_saved": 0.006})  # section 3 not run
    assert out.status == NOT_YET and "cells above" in out.message
    for ns in ({"results": results, "wh_saved": ____}, {"wh_saved": ____}, {}):
        out = q2.evaluate(ns)
        assert out.status == NOT_YET and "`____`" in out.message


def test_q3_greener_region():
    assert q3.evaluate({"kg_saved": 422.0}).status == CORRECT
    assert "positive" in q3.evaluate({"kg_saved": -422.0}).message


def test_q4_reflection_shows_the_rubric_for_an_on_topic_answer():
    text = ("I would report the energy in kWh, estimated from CPU load rather than measured, "
            "and the grid region with its carbon intensity; the numbers leave out embodied "
            "emissions and inference. First I would reuse a pretrained model by fine-tuning.")
    out = q4.evaluate({"answer_q4": text})
    assert out.status == SUBMITTED and out.message.count("- [x]") == 4


def test_exercise_intensities_are_the_shipped_grid_table():
    # q1 and q3 state Germany's and Canada's 2023 intensities: the same numbers as the dataset
    from course_lib.energy import grid_intensity
    from course_lib.exercises import energy as ex

    g = grid_intensity().set_index("iso_code")["g_co2e_per_kwh"] / 1000
    assert (ex._DEU, ex._CAN) == (g["DEU"], g["CAN"])
    assert "381 g" in q1.prompt and "381 g" in q3.prompt and "170 g" in q3.prompt


def test_unit_slips_get_their_own_feedback():
    # the learner review's unanticipated answers: tonnes for q1 and q3, mWh for q2
    assert "tonnes" in q1.evaluate({"run_kg_co2e": 0.079}).message
    assert "tonnes" in q3.evaluate({"kg_saved": 0.422}).message
    results = pd.DataFrame({"train Wh": [0.010, 0.004]},
                           index=["from scratch", "transfer (new head)"])
    assert "mWh" in q2.evaluate({"results": results, "wh_saved": 6.0}).message
