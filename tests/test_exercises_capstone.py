"""Notebook 11's checkpoints follow the learner's choices: each is tested with at least two
defensible choices (every one passes, with its own expected value and its trade-off), the
learner-written functions against hidden cases and the field's library, and the notebook itself
on the reference path with other seeds and on a path of other choices."""

import json
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from course_lib.data import load_german_credit
from course_lib.exercises import ____
from course_lib.exercises._core import CORRECT, GENERIC, NOT_YET, SUBMITTED
from course_lib.exercises.capstone import (
    _AUDIT_SETUP,
    _cut,
    q1,
    q2,
    q3,
    q4,
    q5,
    q6,
    q7,
    q8,
    q9,
    q10,
    q11,
    q12,
    q13,
    reference_compare,
    reference_evaluate,
)
from course_lib.reporting import (
    approval_rate_for,
    audit_choice,
    audit_decisions,
    audit_groups,
    audited_group,
    decide,
    definition_gap,
)

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "11_capstone_audit.ipynb"
CHECKPOINTS = (q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13)
DECISIONS = {"capstone.q1": "attribute", "capstone.q4": "definition", "capstone.q8": "mitigation",
             "capstone.q9": "operating_point"}
DECIDE = (q1, q4, q8, q9)


def test_the_learner_decides_writes_and_computes():
    kinds = [type(p).__name__ for p in CHECKPOINTS]
    assert kinds == ["DecisionProblem", "ComputedValueProblem", "MatchingProblem",
                     "DecisionProblem", "FunctionProblem", "_YourGapProblem",
                     "ComputedValueProblem", "DecisionProblem", "DecisionProblem",
                     "FunctionProblem", "ComputedValueProblem", "ComputedValueProblem",
                     "ReflectionProblem"]
    assert [p.id for p in CHECKPOINTS] == [f"capstone.q{i}" for i in range(1, 14)]


def test_every_checkpoint_is_in_the_notebook_with_three_hints():
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"]]
    for i, p in enumerate(CHECKPOINTS, start=1):
        name = p.variables[0]
        assert any(f"q{i}.check()" in c and "____" in c
                   and (f"{name} = " in c or f"def {name}(" in c) for c in cells), i
        assert any(f"# q{i}.hint(3)" in c and f"# q{i}.solution()" in c for c in cells), i


@pytest.mark.parametrize("problem", DECIDE, ids=lambda p: p.id)
def test_every_defensible_choice_passes_with_its_own_trade_off(problem):
    defensible = [k for k, o in problem.options.items() if o.defensible]
    assert len(defensible) >= 2, "a decision has more than one defensible choice"
    messages = set()
    for choice in defensible:
        out = problem.evaluate({problem.variables[0]: choice})
        assert out.status == CORRECT and problem.options[choice].response in out.message
        messages.add(out.message)
        # and every defensible choice runs downstream
        assert audit_choice(choice.upper(), DECISIONS[problem.id]) == choice
    assert len(messages) == len(defensible)
    for choice in (k for k, o in problem.options.items() if not o.defensible):
        out = problem.evaluate({problem.variables[0]: choice})
        assert out.status == NOT_YET and problem.options[choice].response in out.message
        with pytest.raises(ValueError, match=DECISIONS[problem.id]):
            audit_choice(choice, DECISIONS[problem.id])


def test_an_unchosen_choice_runs_the_reference_and_says_so(capsys):
    assert audit_choice(____, "mitigation") == "fairness penalty"
    assert "not chosen yet" in capsys.readouterr().out
    with pytest.raises(ValueError, match="310 applicants"):
        audit_groups(load_german_credit(), "sex")
    with pytest.raises(ValueError, match="name must be one of"):
        audit_choice("x", "colour")


@pytest.fixture(scope="module")
def credit():
    return load_german_credit()


@pytest.mark.parametrize("attribute, young, n_young", [("age group", "under 25", 149),
                                                       ("age group (25 and under)",
                                                        "25 and under", 190)])
def test_q2_follows_the_chosen_attribute(credit, attribute, young, n_young):
    y = (credit["credit"] == "good").astype(int).to_numpy()
    groups = audit_groups(credit, attribute)
    assert audited_group(groups)[0] == young and (groups == young).sum() == n_young
    ns = {"y": y, "groups": groups}
    exec(q2.solution_code, ns)
    assert q2.evaluate(ns).status == CORRECT
    other = audit_groups(credit, "age group (25 and under)" if attribute == "age group"
                         else "age group")
    assert q2.evaluate(dict(ns, groups=other)).status == NOT_YET  # the other attribute's answer


def _audit_ns(**choices):
    ns: dict = {}
    exec(_AUDIT_SETUP, ns)
    ns.update(choices)
    return ns


@pytest.mark.parametrize("definition", ["equal opportunity", "demographic parity",
                                        "equalized odds"])
def test_q6_is_the_gap_under_the_chosen_definition(definition):
    ns = _audit_ns(chosen_definition=definition)
    exec(q6.solution_code, ns)
    assert q6.evaluate(ns).status == CORRECT
    assert ns["baseline_gap"] == pytest.approx(
        definition_gap(ns["y"], ns["approved"], ns["groups"], definition))
    other = "demographic parity" if definition != "demographic parity" else "equal opportunity"
    out = q6.evaluate(dict(ns, chosen_definition=other))
    assert out.status == NOT_YET and "gap; your definition is" in out.message


CHOICES = [("fairness penalty", "cautious", "equal opportunity"),
           ("group thresholds", "lending volume", "demographic parity"),
           ("reweighing", "generous", "equalized odds")]


@pytest.mark.parametrize("mitigation, point, definition", CHOICES)
def test_q11_is_the_cost_of_the_chosen_mitigation_at_the_chosen_point(mitigation, point,
                                                                     definition):
    ns = _audit_ns(chosen_mitigation=mitigation, chosen_point=point,
                   chosen_definition=definition)
    ns["approval_rate"] = approval_rate_for(point, ns["volume"])
    ns["decisions"] = audit_decisions(ns["y"], ns["scores"], ns["groups"], mitigation=mitigation,
                                      approval_rate=ns["approval_rate"], definition=definition)
    exec(q11.solution_code, ns)
    assert q11.evaluate(ns).status == CORRECT
    costs = set()
    for m, p, d in CHOICES:
        other = dict(ns, chosen_mitigation=m, chosen_point=p, chosen_definition=d)
        other["decisions"] = audit_decisions(ns["y"], ns["scores"], ns["groups"], mitigation=m,
                                             approval_rate=approval_rate_for(p, ns["volume"]),
                                             definition=d)
        exec(q11.solution_code, other)
        costs.add(round(other["accuracy_cost"], 6))
        if (m, p, d) != (mitigation, point, definition):
            # another path's number does not pass on this path
            assert q11.evaluate(dict(ns, accuracy_cost=other["accuracy_cost"])).status == NOT_YET
    assert len(costs) == len(CHOICES)


def test_decisions_keep_the_operating_point_and_group_thresholds_equalise():
    ns = _audit_ns()
    y, groups, s = ns["y"], ns["groups"].to_numpy(), ns["scores"]["baseline"]
    for rate in (0.6, 0.75):
        assert decide(y, s, groups, approval_rate=rate).mean() == pytest.approx(rate, abs=0.01)
    eo = decide(y, s, groups, approval_rate=0.7, per_group="equal opportunity")
    dp = decide(y, s, groups, approval_rate=0.7, per_group="demographic parity")
    assert eo.mean() == pytest.approx(0.7, abs=0.02) and dp.mean() == pytest.approx(0.7, abs=0.02)
    single = decide(y, s, groups, approval_rate=0.7)
    for d, per_group in (("equal opportunity", eo), ("demographic parity", dp)):
        assert definition_gap(y, per_group, groups, d) < definition_gap(y, single, groups, d)
        assert definition_gap(y, per_group, groups, d) < 0.03


def test_evaluate_reference_agrees_with_fairlearn_and_course_lib():
    from fairlearn.metrics import (
        MetricFrame,
        demographic_parity_difference,
        equalized_odds_difference,
        false_positive_rate,
        true_positive_rate,
    )

    ns = _audit_ns()
    y, p, g = ns["y"], ns["approved"], ns["groups"].to_numpy()
    out = reference_evaluate(y, p, g, "equal opportunity")
    frame = MetricFrame(metrics={"tpr": true_positive_rate, "fpr": false_positive_rate},
                        y_true=y, y_pred=p, sensitive_features=g)
    for group, row in frame.by_group.iterrows():
        assert out["rates"][group]["tpr"] == pytest.approx(row["tpr"])
        assert out["rates"][group]["fpr"] == pytest.approx(row["fpr"])
    assert out["gap"] == pytest.approx(frame.difference()["tpr"])
    assert reference_evaluate(y, p, g, "demographic parity")["gap"] == pytest.approx(
        demographic_parity_difference(y, p, sensitive_features=g))
    assert reference_evaluate(y, p, g, "equalized odds")["gap"] == pytest.approx(
        equalized_odds_difference(y, p, sensitive_features=g))
    for d in ("equal opportunity", "demographic parity", "equalized odds"):
        assert reference_evaluate(y, p, g, d)["gap"] == pytest.approx(definition_gap(y, p, g, d))


@pytest.mark.parametrize("problem", [q5, q10], ids=lambda p: p.id)
def test_learner_functions_pass_on_the_reference_and_name_the_failing_case(problem):
    assert problem.evaluate(problem.namespace_for(problem.solution_code)).status == CORRECT
    for code in problem.wrong_code:
        out = problem.evaluate(problem.namespace_for(code))
        assert out.status == NOT_YET and out.message.startswith("case '")
        assert GENERIC not in out.message, out.message
    labels = " ".join(c.label for c in q5.cases)
    assert "no creditworthy" in labels and "no defaulter" in labels  # the edge cases


def test_the_starter_cells_are_not_yet_and_a_blank_evaluate_blocks_the_comparison():
    ns = {"np": np, "____": ____}
    exec("def evaluate(y_true, y_pred, groups, definition):\n"
         "    return {'rates': {}, 'gap': ____}\n", ns)
    assert "still returns `____`" in q5.evaluate(ns).message
    exec(q10.solution_code, ns)  # a right comparison over a blank evaluate
    assert q10.evaluate(ns).status == NOT_YET


def test_compare_reference_on_a_mitigation_that_approves_everyone():
    y, g = [1, 0, 1, 0], ["a", "a", "b", "b"]
    out = reference_compare(y, [1, 0, 0, 0], [1, 1, 1, 1], g, "equal opportunity")
    assert out["gap"] == pytest.approx(-1.0) and out["accuracy"] == pytest.approx(-0.25)
    assert out["fpr"] == {"a": pytest.approx(1.0), "b": pytest.approx(1.0)}


def test_checks_follow_the_learners_objects():
    ns = q7.namespace_for(q7.solution_code)
    assert ns["duration_cut"] == 30.0  # 54 -> 24 months: where the score reaches 0.5
    assert q7.evaluate(dict(ns, applicant=ns["applicant"] + [0, 500])).status == NOT_YET
    ns = q12.namespace_for(q12.solution_code)
    assert q12.evaluate(ns).status == CORRECT


def _run_notebook(seed=0, choices=None):
    """Execute the notebook's code cells in one namespace, its seeds replaced by ``seed`` and
    its choices set to ``choices`` (name -> value)."""
    from IPython.core.inputtransformer2 import TransformerManager

    sources = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"]
               if c["cell_type"] == "code"]
    code = "\n\n".join(sources)
    seeded = (
        ("StratifiedKFold(5, shuffle=True, random_state=0)",
         "StratifiedKFold(5, shuffle=True, random_state={seed})"),
        ("fit_mlp(x, y[rows], random_state=k, progress=False",
         "fit_mlp(x, y[rows], random_state=k + 10 * {seed}, progress=False"),
        ("    torch.manual_seed(k)\n", "    torch.manual_seed(k + 10 * {seed})\n"),
        ("lr=RECIPE[\"lr\"], random_state=k)", "lr=RECIPE[\"lr\"], random_state=k + 10 * {seed})"),
        ("final_model = fit_mlp(x_all, y, random_state=0,",
         "final_model = fit_mlp(x_all, y, random_state={seed},"),
    )
    for old, new in seeded if seed else ():
        assert old in code, old
        code = code.replace(old, new.format(seed=seed))
    for name, value in (choices or {}).items():
        old = f"{name} = ____  # your choice"
        assert old in code, old
        code = code.replace(old, f"{name} = {value!r}")
    ns: dict = {"__name__": "__capstone__"}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="FigureCanvasAgg is non-interactive")
        exec(TransformerManager().transform_cell(code), ns)  # expect() raises out of range
    plt.close("all")
    return ns


def _answer_every_checkpoint(ns):
    for p in CHECKPOINTS:
        answered = dict(ns)
        if p.id in DECISIONS:
            assert p.evaluate(ns).status == CORRECT, p.id  # the choice made above
            continue
        assert p.evaluate(ns).status == NOT_YET, p.id  # the committed learner state
        exec(p.solution_code, answered)
        out = p.evaluate(answered)
        assert out.status in (CORRECT, SUBMITTED), (p.id, out.message)
        if p is q5:  # later checkpoints use the learner's evaluate
            ns["evaluate"] = answered["evaluate"]


@pytest.mark.slow
def test_another_path_of_choices_runs_holds_its_ranges_and_passes_every_checkpoint():
    choices = {"attribute": "age group (25 and under)", "definition": "equalized odds",
               "mitigation": "group thresholds", "operating_point": "cautious"}
    ns = _run_notebook(choices=choices)
    assert ns["young"] == "25 and under" and ns["chosen_mitigation"] == "group thresholds"
    assert ns["approval_rate"] == pytest.approx(ns["volume"] - 0.1)
    assert ns["card"].fairness_definition == "equalized odds"
    _answer_every_checkpoint(ns)
    assert np.isfinite(_cut(ns["approval_score"], ns["applicant"], ns["FEATURES"]))


@pytest.mark.slow
def test_reference_audit_on_another_seed_holds_its_ranges_and_passes_every_checkpoint():
    ns = _run_notebook(seed=1, choices={k: v for k, v in (
        ("attribute", "age group"), ("definition", "equal opportunity"),
        ("mitigation", "fairness penalty"), ("operating_point", "lending volume"))})
    _answer_every_checkpoint(ns)
    assert isinstance(ns["groups"], pd.Series)
