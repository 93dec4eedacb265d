"""Exercises of notebook 09 (energy and carbon):
``from course_lib.exercises.energy import q1, q2, q3, q4``.

q2 is a ``ComputedValueProblem``: its expected answer is computed from the learner's own measured
``results`` table, because measured energy differs from machine to machine.
"""

from __future__ import annotations

from typing import Any

from course_lib.exercises._core import (
    ComputedValueProblem,
    Criterion,
    ReflectionProblem,
    ValueProblem,
    register,
)

# q1: a fine-tuning run (stated inputs) on Germany's 2023 grid (Ember: 381 g CO2e/kWh).
_GPUS, _HOURS, _WATTS, _PUE, _DEU = 8, 72, 300, 1.2, 0.381
# q3: 2,000 kWh in Germany (381 g/kWh) or Canada (170 g/kWh), Ember 2023.
_KWH, _CAN = 2000, 0.170


def _kwh(gpus: float, hours: float, watts: float, pue: float) -> float:
    return gpus * hours * watts * pue / 1000


q1 = ValueProblem(
    id="energy.q1",
    prompt=("A team fine-tunes a model on 8 GPUs, each drawing about 300 W on average, for "
            "72 hours, in a data centre with a PUE of 1.2 on Germany's grid (381 g CO2e/kWh in "
            "2023, Ember). Compute the run's emissions in kg CO2e and store them in "
            "`run_kg_co2e`."),
    variables=("run_kg_co2e",),
    hints=(
        "Two steps: the energy in kWh from the inputs (`estimate_energy`), then the emissions "
        "from the energy and the grid's intensity (`emissions`). Mind the units of each.",
        "`estimate_energy(chips=8, hours=72, watts=300, pue=1.2)` gives kWh; `emissions` wants "
        "the intensity in kg CO2e per kWh, so 381 g is 0.381.",
    ),
    solution_code=("run_kg_co2e = emissions(estimate_energy(chips=8, hours=72, watts=300, "
                   "pue=1.2), 0.381)"),
    wrong_code=(
        "run_kg_co2e = emissions(estimate_energy(chips=8, hours=72, watts=300), 0.381)",
        "run_kg_co2e = estimate_energy(chips=8, hours=72, watts=300, pue=1.2) * 381",
        "run_kg_co2e = emissions(estimate_energy(chips=8, hours=3, watts=300, pue=1.2), 0.381)",
        "run_kg_co2e = estimate_energy(chips=8, hours=72, watts=300, pue=1.2)",
    ),
    setup_code="from course_lib.energy import emissions, estimate_energy",
    expected=_kwh(_GPUS, _HOURS, _WATTS, _PUE) * _DEU,
    rel_tol=1e-3,
    known_wrong=(
        (_kwh(_GPUS, _HOURS, _WATTS, 1.0) * _DEU,
         "that leaves out the PUE: the data centre's cooling and power losses add 20% to what "
         "the GPUs draw."),
        (_kwh(_GPUS, _HOURS, _WATTS, _PUE) * 381,
         "that is in grams: 381 g CO2e/kWh is 0.381 kg CO2e/kWh."),
        (_kwh(_GPUS, 3, _WATTS, _PUE) * _DEU,
         "72 hours is already in hours: `hours=72`, not the 3 days."),
        (_kwh(_GPUS, _HOURS, _WATTS, _PUE),
         "that is the energy in kWh; multiply by the grid's intensity to get kg CO2e."),
        (_kwh(_GPUS, _HOURS, _WATTS, _PUE) * _DEU / 1000,
         "that is in tonnes: the question asks for kg CO2e (multiply by 1,000)."),
    ),
)

q3 = ValueProblem(
    id="energy.q3",
    prompt=("A training run needs 2,000 kWh. Your cloud provider offers it in Germany "
            "(381 g CO2e/kWh) or in Canada (170 g CO2e/kWh). Pick the greener region and store "
            "how many kg CO2e that choice saves, compared with the other, in `kg_saved`."),
    variables=("kg_saved",),
    hints=(
        "Compute the run's emissions in each region (kWh × kg CO2e per kWh), then the "
        "difference. You can read both intensities from `grid`, or use `emissions_by_region`.",
        "`emissions(2000, 0.381) - emissions(2000, 0.170)`: a saving is a positive number.",
    ),
    solution_code="kg_saved = emissions(2000, 0.381) - emissions(2000, 0.170)",
    wrong_code=(
        "kg_saved = emissions(2000, 0.170) - emissions(2000, 0.381)",
        "kg_saved = emissions(2000, 0.170)",
        "kg_saved = 2000 * (381 - 170)",
    ),
    setup_code="from course_lib.energy import emissions",
    expected=_KWH * (_DEU - _CAN),
    rel_tol=1e-3,
    known_wrong=(
        (_KWH * (_CAN - _DEU),
         "the saving should be positive: the greener region is the one with the lower "
         "intensity, and you save what the other would have emitted beyond it."),
        (_KWH * _CAN,
         "that is what the run emits in Canada; the question asks how much less than in "
         "Germany."),
        (_KWH * (381 - 170),
         "that is in grams: divide by 1,000 for kg (or use intensities in kg CO2e/kWh)."),
        (_KWH * (_DEU - _CAN) / 1000,
         "that is in tonnes: the question asks for kg CO2e (multiply by 1,000)."),
    ),
)

_SCRATCH, _TRANSFER = "from scratch", "transfer (new head)"


def _wh(results: Any, row: str) -> float:
    return float(results.loc[row, "train Wh"])


q2 = ComputedValueProblem(
    id="energy.q2",
    prompt=("Using your `results` table, how many Wh of estimated training energy did reusing "
            "the pretrained model (a new head) save, compared with training the same CNN from "
            "scratch? Store the number in `wh_saved`."),
    variables=("wh_saved",),
    hints=(
        "The column `\"train Wh\"` of `results` holds each run's estimated training energy; "
        "the rows are named as in the printed table.",
        f"`results.loc[\"{_SCRATCH}\", \"train Wh\"] - results.loc[\"{_TRANSFER}\", "
        f"\"train Wh\"]`.",
    ),
    solution_code=(f'wh_saved = results.loc["{_SCRATCH}", "train Wh"] - '
                   f'results.loc["{_TRANSFER}", "train Wh"]'),
    wrong_code=(
        f'wh_saved = results.loc["{_TRANSFER}", "train Wh"] / '
        f'results.loc["{_SCRATCH}", "train Wh"]',
        f'wh_saved = results.loc["{_TRANSFER}", "train Wh"]',
        f'wh_saved = (results.loc["{_SCRATCH}", "train Wh"] - '
        f'results.loc["{_TRANSFER}", "train Wh"]) / 1000',
    ),
    setup_code='''\
import pandas as pd

results = pd.DataFrame(
    {"train GFLOP": [16.04, 16.04, 5.80, 5.07, 6.50, 6.50],
     "infer MFLOP/image": [0.57, 0.57, 0.57, 0.10, 0.10, 0.10],
     "size kB": [20.69, 8.95, 20.69, 202.26, 202.26, 51.05],
     "accuracy": [0.980, 0.980, 0.982, 0.966, 0.958, 0.956],
     "train CPU-s": [1.40, 1.40, 0.80, 0.49, 1.01, 1.01],
     "train Wh": [0.00194, 0.00194, 0.00111, 0.00068, 0.00140, 0.00140],
     "latency ms": [50.3, 50.4, 50.4, 0.61, 0.60, 0.52]},
    index=["from scratch", "from scratch, int8", "transfer (new head)", "small MLP",
           "distilled MLP", "distilled MLP, int8"])
''',
    rel_tol=1e-6,
    context=("results",),
    expected=lambda results: _wh(results, _SCRATCH) - _wh(results, _TRANSFER),
    known_wrong=(
        (lambda results: _wh(results, _TRANSFER) / _wh(results, _SCRATCH),
         "that is the ratio of the two energies; the question asks for the difference, in Wh."),
        (lambda results: _wh(results, _TRANSFER),
         "that is what the transfer run used; subtract it from the from-scratch run's energy."),
        (lambda results: (_wh(results, _SCRATCH) - _wh(results, _TRANSFER)) / 1000,
         "that is in kWh; the table's column is already in Wh."),
        (lambda results: (_wh(results, _SCRATCH) - _wh(results, _TRANSFER)) * 1000,
         "that is in mWh (the figure's middle panel); the table's column is in Wh."),
    ),
)

q4 = ReflectionProblem(
    id="energy.q4",
    prompt=("Your organisation asks you to report the carbon footprint of a model it is about "
            "to train and deploy, and to cut it. What would you report (and with what caveats), "
            "and which two measures would you take first? Write a few sentences in "
            "`answer_q4`."),
    variables=("answer_q4",),
    hints=(
        "Think of what the estimates in this notebook leave out: how energy was obtained "
        "(measured or estimated), where and when it ran, and what happens after training.",
        "Consider: FLOPs and hardware time, kWh with PUE, the grid's intensity, inference over "
        "the model's life, embodied emissions of the hardware, and the mitigations you measured "
        "(reuse, smaller or distilled models, quantisation, region).",
    ),
    solution_code='''answer_q4 = """
    I would report the training's counted FLOPs and hardware hours, the energy in kWh with the
    PUE and how it was obtained (measured by power counters or estimated from load and rated
    power, as codecarbon does on a laptop), the region and the grid's carbon intensity with its
    year and source, and the resulting kg CO2e, stating that idle power, the network and the
    embodied emissions of the hardware are not included (for BLOOM they doubled the total). I
    would also estimate inference over the model's lifetime, which for a widely used model can
    exceed training. First measures: reuse a pretrained model and fine-tune it instead of
    training from scratch, and train in a low-carbon region (or hour); then distil or quantise
    the deployed model, checking accuracy on every group so efficiency does not cost fairness.
    """''',
    wrong_code=('answer_q4 = "Use less energy."',
                'answer_q4 = " ".join(["The weather was pleasant and the meeting ran long."] * 5)'),
    rubric=(
        Criterion("Reports energy with its method: FLOPs or hardware time, kWh, PUE, measured "
                  "or estimated"),
        Criterion("Says where and when: the grid's carbon intensity, region, year"),
        Criterion("Names what is left out: embodied emissions, idle, inference over the "
                  "model's life"),
        Criterion("Chooses mitigations that were measured: reuse/fine-tuning, smaller, distilled "
                  "or quantised models, a cleaner region"),
    ),
)

register(q1, q2, q3, q4)
