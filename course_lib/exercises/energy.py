"""Exercises of notebook 09 (energy and carbon):
``from course_lib.exercises.energy import q1, q2, q3, q4, q5``.

q1 is a ``FunctionProblem``: the learner writes the energy estimate itself, checked on hidden
cases (the default PUE, no hours yet, GPT-3's inputs) with the unit slips named. q3 and q4 are
``ComputedValueProblem``s: q3's answer comes from the learner's own measured ``results`` table,
q4's from the shipped ``grid`` table the notebook loads.
"""

from __future__ import annotations

from typing import Any

from course_lib.energy import estimate_energy
from course_lib.exercises._core import (
    ComputedValueProblem,
    Criterion,
    ReflectionProblem,
    ValueProblem,
    register,
)
from course_lib.exercises._function import Case, FunctionProblem

# q2: a fine-tuning run (stated inputs) on Germany's 2023 grid (Ember: 381 g CO2e/kWh).
_GPUS, _HOURS, _WATTS, _PUE, _DEU = 8, 72, 300, 1.2, 0.381
# q4: the same run in Germany or Canada (170 g CO2e/kWh, Ember 2023), read from `grid`.
_CAN = 0.170


def _kwh(gpus: float, hours: float, watts: float, pue: float) -> float:
    return gpus * hours * watts * pue / 1000


_PUE_ADDED = ("the PUE multiplies the chips' energy (1.5 means half as much again on top), it is "
              "not added to it.")
_NO_PUE = ("that leaves out the PUE: the data centre's cooling and power conversion multiply "
           "what the chips draw.")
_KW_TWICE = ("that is 1,000 times too small: you turned watts into kW *and* divided by 1,000 "
             "again, which gives MWh. Divide by 1,000 once: W × h = Wh, and Wh / 1000 = kWh.")

q1 = FunctionProblem(
    id="energy.q1",
    prompt=("Write the body of `energy_kwh(devices, hours, watts, pue=1.0)`: the energy in kWh "
            "of `devices` chips, each drawing `watts` W on average, for `hours` hours, in a data "
            "centre with the given PUE."),
    variables=("energy_kwh",),
    hints=(
        "Energy is power × time: one device drawing `watts` W for `hours` h uses watts × hours "
        "watt-hours (Wh). Then count the devices and the data centre's overhead.",
        "Multiply the four inputs (the PUE multiplies: 1.2 means a fifth more than the chips "
        "draw), then convert: 1 kWh = 1,000 Wh. `watts` is in W, not kW: convert only once.",
        "`return devices * hours * watts * pue / ____`: fill in the number that turns Wh into "
        "kWh.",
    ),
    solution_code=("def energy_kwh(devices, hours, watts, pue=1.0):\n"
                   "    return devices * hours * watts * pue / 1000"),
    wrong_code=(
        "def energy_kwh(devices, hours, watts, pue=1.0):\n"
        "    return devices * hours * watts / 1000",
        "def energy_kwh(devices, hours, watts, pue=1.0):\n"
        "    return devices * hours * watts * pue",
        "def energy_kwh(devices, hours, watts, pue=1.0):\n"
        "    return devices * hours * (watts / 1000) * pue / 1000",
        "def energy_kwh(devices, hours, watts, pue=1.0):\n"
        "    return devices * hours * watts / 1000 + pue",
        "def energy_kwh(devices, hours, watts, pue=1.0):\n"
        "    return devices * hours * watts / pue / 1000",
    ),
    cases=(
        Case("4 GPUs x 10 h x 250 W, PUE 1.5", (4, 10, 250, 1.5), mistakes=(
            (10.0, _NO_PUE), (11.5, _PUE_ADDED), (0.015, _KW_TWICE),
            (15_000.0, "that is in Wh (W × h); the function returns kWh: divide by 1,000."),
            (10 / 1.5, "that divides by the PUE; a PUE above 1 adds energy, so multiply."),
            (5.0, "that is only the overhead (PUE − 1); the energy includes the chips' own "
                  "draw too: multiply by the whole PUE."))),
        Case("GPT-3's published inputs", (10_000, 14.8 * 24, 330, 1.10)),
        Case("one laptop core for half an hour, pue not given", (1, 0.5, 5.0), mistakes=(
            (1.0025, _PUE_ADDED),)),
        Case("no hours yet", (4, 0, 300, 1.2), mistakes=((1.2, _PUE_ADDED),)),
    ),
    reference=estimate_energy,
    units="kWh",
    rel_tol=1e-9,
)

q2 = ValueProblem(
    id="energy.q2",
    prompt=("A team fine-tunes a model on 8 GPUs, each drawing about 300 W on average, for "
            "72 hours, in a data centre with a PUE of 1.2 on Germany's grid (381 g CO2e/kWh in "
            "2023, Ember). Compute the run's emissions in kg CO2e and store them in "
            "`run_kg_co2e`."),
    variables=("run_kg_co2e",),
    hints=(
        "Two steps: the energy in kWh from the inputs, then the emissions from the energy and "
        "the grid's intensity. Mind the units of each.",
        "Your `energy_kwh` (or `estimate_energy`, the same formula) gives kWh; `emissions(kwh, "
        "kg_co2e_per_kwh)` wants the intensity in kg CO2e per kWh, so 381 g is 0.381.",
        "`emissions(estimate_energy(chips=8, hours=72, watts=300, pue=1.2), ____)`: fill in "
        "Germany's intensity in kg CO2e/kWh.",
    ),
    solution_code=("run_kg_co2e = emissions(estimate_energy(chips=8, hours=72, watts=300, "
                   "pue=1.2), 0.381)"),
    wrong_code=(
        "run_kg_co2e = emissions(estimate_energy(chips=8, hours=72, watts=300), 0.381)",
        "run_kg_co2e = estimate_energy(chips=8, hours=72, watts=300, pue=1.2) * 381",
        "run_kg_co2e = emissions(estimate_energy(chips=8, hours=3, watts=300, pue=1.2), 0.381)",
        "run_kg_co2e = estimate_energy(chips=8, hours=72, watts=300, pue=1.2)",
        "run_kg_co2e = emissions(estimate_energy(chips=8, hours=72, watts=0.3, pue=1.2), 0.381)",
    ),
    setup_code="from course_lib.energy import emissions, estimate_energy",
    expected=_kwh(_GPUS, _HOURS, _WATTS, _PUE) * _DEU,
    rel_tol=1e-3,
    units="kg CO2e",
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
         "that is 1,000 times too small: either the watts went in as kW (`watts=0.3`; the "
         "formula takes W, 300) or the result is in tonnes; the question asks for kg CO2e."),
    ),
)

_SCRATCH, _TRANSFER = "from scratch", "transfer (new head)"


def _wh(results: Any, row: str) -> float:
    return float(results.loc[row, "train Wh"])


q3 = ComputedValueProblem(
    id="energy.q3",
    prompt=("Using your `results` table, how many Wh of estimated training energy did reusing "
            "the pretrained model (a new head) save, compared with training the same CNN from "
            "scratch? Store the number in `wh_saved`."),
    variables=("wh_saved",),
    hints=(
        "The column `\"train Wh\"` of `results` holds each run's estimated training energy; "
        "the rows are named as in the printed table.",
        "A saving is the from-scratch run's energy minus the new-head run's, read with "
        "`results.loc[row, column]` (not typed from the printed table, which rounds).",
        f"`results.loc[\"{_SCRATCH}\", \"train Wh\"] - results.loc[____, \"train Wh\"]`: fill "
        "in the new-head row's name.",
    ),
    solution_code=(f'wh_saved = results.loc["{_SCRATCH}", "train Wh"] - '
                   f'results.loc["{_TRANSFER}", "train Wh"]'),
    wrong_code=(
        f'wh_saved = results.loc["{_TRANSFER}", "train Wh"] / '
        f'results.loc["{_SCRATCH}", "train Wh"]',
        f'wh_saved = results.loc["{_TRANSFER}", "train Wh"]',
        f'wh_saved = (results.loc["{_SCRATCH}", "train Wh"] - '
        f'results.loc["{_TRANSFER}", "train Wh"]) / 1000',
        f'wh_saved = 1000 * (results.loc["{_SCRATCH}", "train Wh"] - '
        f'results.loc["{_TRANSFER}", "train Wh"])',
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
    units="Wh",
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


def _g(grid: Any, region: str) -> float:
    """A region's intensity in kg CO2e/kWh, from the notebook's ``grid`` table (g CO2e/kWh)."""
    return float(grid.set_index("region").loc[region, "g_co2e_per_kwh"]) / 1000


_RUN = _kwh(_GPUS, _HOURS, _WATTS, _PUE)
_RUN_NO_PUE = _kwh(_GPUS, _HOURS, _WATTS, 1.0)

q4 = ComputedValueProblem(
    id="energy.q4",
    prompt=("The fine-tuning run of Exercise 2 could run in Germany or in Canada instead. "
            "Using the intensities in `grid`, pick the greener of the two and store how many kg "
            "CO2e that choice saves, compared with the other, in `kg_saved`."),
    variables=("kg_saved",),
    hints=(
        "Two numbers of the notebook meet here: the run's energy (Exercise 2's inputs, through "
        "your `energy_kwh`) and each region's intensity in `grid` (in g CO2e/kWh).",
        "Compute the run's emissions in each region (kWh × kg CO2e per kWh), then the "
        "difference: the greener region emits less, so the saving is positive. "
        "`grid.set_index(\"region\")[\"g_co2e_per_kwh\"]` reads the intensities by name.",
        "`g = grid.set_index(\"region\")[\"g_co2e_per_kwh\"] / 1000` gives kg CO2e/kWh; then "
        "`run_kwh * (g[____] - g[____])`, the dirtier region first.",
    ),
    solution_code='''\
g = grid.set_index("region")["g_co2e_per_kwh"] / 1000  # kg CO2e per kWh
run_kwh = estimate_energy(chips=8, hours=72, watts=300, pue=1.2)
kg_saved = emissions(run_kwh, g["Germany"]) - emissions(run_kwh, g["Canada"])''',
    wrong_code=(
        "kg_saved = estimate_energy(8, 72, 300, 1.2) * (170 - 381) / 1000",
        "kg_saved = estimate_energy(8, 72, 300, 1.2) * 0.170",
        "kg_saved = estimate_energy(8, 72, 300) * (381 - 170) / 1000",
        "kg_saved = estimate_energy(8, 72, 300, 1.2) * (381 - 170)",
        "kg_saved = estimate_energy(8, 72, 300, 1.2) * (381 - 170) / 1e6",
        "kg_saved = estimate_energy(8, 72, 300, 1.2) * (381 - 30) / 1000",
    ),
    setup_code=("from course_lib.energy import emissions, estimate_energy, grid_intensity\n"
                "grid = grid_intensity()"),
    units="kg CO2e",
    rel_tol=1e-3,
    context=("grid",),
    expected=lambda grid: _RUN * (_g(grid, "Germany") - _g(grid, "Canada")),
    known_wrong=(
        (lambda grid: _RUN * _g(grid, "Canada"),
         "that is what the run emits in Canada; the question asks how much less than in "
         "Germany."),
        (lambda grid: _RUN_NO_PUE * (_g(grid, "Germany") - _g(grid, "Canada")),
         "that leaves out the PUE: Exercise 2's run draws its energy through a data centre "
         "with PUE 1.2."),
        (lambda grid: _RUN * (_g(grid, "Germany") - _g(grid, "Norway")),
         "that compares Germany with Norway, the cleanest grid in the table; the choice here "
         "is between Germany and Canada."),
        (lambda grid: _RUN * (_g(grid, "World") - _g(grid, "Canada")),
         "that compares Canada with the world average; the other option is Germany."),
    ),
)

q5 = ReflectionProblem(
    id="energy.q5",
    prompt=("Your organisation asks you to report the carbon footprint of a model it is about "
            "to train and deploy, and to cut it. What would you report (and with what caveats), "
            "and which two measures would you take first? Write a few sentences in "
            "`answer_q5`."),
    variables=("answer_q5",),
    hints=(
        "Think of what the estimates in this notebook leave out: how energy was obtained "
        "(measured or estimated), where and when it ran, and what happens after training.",
        "Consider: FLOPs and hardware time, kWh with PUE, the grid's intensity, inference over "
        "the model's life, embodied emissions of the hardware, and the mitigations you measured "
        "(reuse, smaller or distilled models, quantisation, region).",
        "Write it as a report: one sentence per number (what, how obtained, where and when), "
        "one naming what the boundary leaves out, then your two measures, each with the "
        "saving this notebook measured for it and what it costs.",
    ),
    discussion=("In pairs: swap reports and mark each number with how it was obtained "
                "(counted, measured, assumed). Which number would an outsider challenge first, "
                "and which of your two measures would your partner drop, and why?"),
    solution_code='''answer_q5 = """
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
    wrong_code=('answer_q5 = "Use less energy."',
                'answer_q5 = " ".join(["The weather was pleasant and the meeting ran long."] * 5)'),
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

register(q1, q2, q3, q4, q5)
