"""Notebook 11's checkpoints: the reference audit's answers pass them on the notebook's own objects,
and the notebook's pinned ranges hold when every seed changes."""

import json
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.exercises._core import CORRECT, NOT_YET, SUBMITTED
from course_lib.exercises.capstone import _cut, q1, q2, q3, q4, q5, q6, q7

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "11_capstone_audit.ipynb"
CHECKPOINTS = (q1, q2, q3, q4, q5, q6, q7)
# the notebook's seeds, and what they become in a run with another seed
SEEDED = (
    ("StratifiedKFold(5, shuffle=True, random_state=0)",
     "StratifiedKFold(5, shuffle=True, random_state={seed})"),
    ("fit_mlp(x, y[rows], random_state=k, progress=False, **RECIPE)",
     "fit_mlp(x, y[rows], random_state=k + 10 * {seed}, progress=False, **RECIPE)"),
    ("fit_mlp(x, y[rows], random_state=k, progress=False,\n",
     "fit_mlp(x, y[rows], random_state=k + 10 * {seed}, progress=False,\n"),
    ("    torch.manual_seed(k)\n", "    torch.manual_seed(k + 10 * {seed})\n"),
    ("lr=RECIPE[\"lr\"], random_state=k)", "lr=RECIPE[\"lr\"], random_state=k + 10 * {seed})"),
    ("final_model = fit_mlp(x_all, y, random_state=0,",
     "final_model = fit_mlp(x_all, y, random_state={seed},"),
    ("np.random.default_rng(0).choice(len(y), 100,",
     "np.random.default_rng({seed}).choice(len(y), 100,"),
)


def test_six_auto_checked_checkpoints_and_a_reflection():
    kinds = [type(p).__name__ for p in CHECKPOINTS]
    assert kinds == ["MatchingProblem", "ComputedValueProblem", "MatchingProblem",
                     "ComputedValueProblem", "ComputedValueProblem", "ComputedValueProblem",
                     "ReflectionProblem"]
    assert [p.id for p in CHECKPOINTS] == [f"capstone.q{i}" for i in range(1, 8)]


def test_every_checkpoint_is_in_the_notebook_with_its_hints():
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"]]
    for i, p in enumerate(CHECKPOINTS, start=1):
        assert any(f"q{i}.check()" in c and f"{p.variables[0]} = " in c and "____" in c
                   for c in cells), i
        assert any(f"# q{i}.hint()" in c and f"# q{i}.solution()" in c for c in cells), i


def test_checks_follow_the_learners_objects():
    ns = q4.namespace_for(q4.solution_code)
    assert q4.evaluate(ns).status == CORRECT
    flipped = dict(ns, approved=1 - ns["approved"])  # another run's decisions
    assert q4.evaluate(flipped).status == NOT_YET
    ns = q5.namespace_for(q5.solution_code)
    assert ns["duration_cut"] == 30.0  # 54 -> 24 months: where the score reaches 0.5
    assert q5.evaluate(dict(ns, applicant=ns["applicant"] + [0, 500])).status == NOT_YET


def _run_notebook(seed):
    """Execute the notebook's code cells in one namespace, its seeds replaced by ``seed``."""
    from IPython.core.inputtransformer2 import TransformerManager

    sources = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"]
               if c["cell_type"] == "code"]
    code = "\n\n".join(sources)
    for old, new in SEEDED:
        assert old in code, old
        code = code.replace(old, new.format(seed=seed))
    ns: dict = {"__name__": "__capstone__"}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="FigureCanvasAgg is non-interactive")
        exec(TransformerManager().transform_cell(code), ns)  # expect() raises out of range
    plt.close("all")
    return ns


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_reference_audit_on_another_seed_holds_its_ranges_and_passes_every_checkpoint(seed):
    ns = _run_notebook(seed)
    for p in CHECKPOINTS:
        blank = p.evaluate(ns)
        assert blank.status == NOT_YET, p.id  # the committed learner state
        answered = dict(ns)
        exec(p.solution_code, answered)
        out = p.evaluate(answered)
        assert out.status in (CORRECT, SUBMITTED), (p.id, out.message)
    # the one-column counterfactual of checkpoint 5 exists for the notebook's applicant
    assert np.isfinite(_cut(ns["approval_score"], ns["applicant"], ns["FEATURES"]))
