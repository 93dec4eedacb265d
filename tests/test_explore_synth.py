"""explore_hiring (notebook 01): make_hiring's knobs move each group's errors as they should."""

import subprocess
import sys
import time

import numpy as np
import pytest

from course_lib.fairness import group_report
from course_lib.synth import HIRING_FEATURES, JOB_FEATURES, explore_hiring, make_hiring
from course_lib.synth._explore import hiring_audit

NO_BIAS = dict(minority_share=0.5, historical_penalty=0.0, observation_b=1.0,
               label_flip_rate=0.0, proxy_strength=0.8, relation="shared", inputs="proxies")


@pytest.fixture(scope="module")
def explorer():
    return explore_hiring()


def _table(explorer, **moves):
    explorer.set(**{**NO_BIAS, **moves})
    return explorer.view.table


def test_the_default_view_has_a_table_per_group_a_figure_and_a_note(explorer):
    view = _table(explorer) is not None and explorer.view
    assert list(view.table.index) == ["A", "B"]
    assert {"selected", "FNR truth", "FPR truth", "FNR audit", "FPR audit"} <= set(view.table)
    assert view.figure is not None and view._repr_png_()[:4] == b"\x89PNG"
    assert "FNR gap B - A" in view.note


def test_without_bias_the_audit_sees_the_truth(explorer):
    table = _table(explorer)
    for rate in ("FNR", "FPR"):
        assert table[f"{rate} truth"].tolist() == table[f"{rate} audit"].tolist()
    assert table["qualified"].tolist() == table["recorded 1"].tolist()


def test_the_table_is_group_report_on_an_independent_refit(explorer):
    from sklearn.linear_model import LogisticRegression

    knobs = dict(historical_penalty=0.5, label_flip_rate=0.2)
    table = _table(explorer, **knobs)
    bias = dict(historical_penalty=0.5, label_flip_rate=0.2, proxy_strength=0.8,
                observation_rate=(1.0, 1.0))
    train = make_hiring(4000, random_state=0, minority_share=0.5, **bias)
    test = make_hiring(4000, random_state=1, minority_share=0.5, **bias)
    model = LogisticRegression(solver="newton-cholesky").fit(train[list(HIRING_FEATURES)],
                                                             train["label"])
    pred = model.predict(test[list(HIRING_FEATURES)])
    truth = group_report(test["qualified"], pred, test["group"], zero_division=0)
    audit = group_report(test["label"], pred, test["group"], zero_division=0)
    for g in ("A", "B"):
        assert table.loc[g, "FNR truth"] == pytest.approx(truth.loc[g, "fnr"], abs=0.005)
        assert table.loc[g, "FPR audit"] == pytest.approx(audit.loc[g, "fpr"], abs=0.005)
        assert table.loc[g, "selected"] == pytest.approx(truth.loc[g, "selection_rate"],
                                                         abs=0.005)


def test_label_flips_raise_bs_true_fnr_while_the_audit_blames_its_fpr(explorer):
    clean = _table(explorer)
    flipped = _table(explorer, label_flip_rate=0.3)
    assert flipped.loc["B", "FNR truth"] > clean.loc["B", "FNR truth"] + 0.1
    assert flipped.loc["B", "FPR audit"] > flipped.loc["B", "FPR truth"] + 0.05
    # the knob flips only group B's labels (A's decisions move with the refitted model)
    assert flipped.loc["A", "recorded 1"] == clean.loc["A", "recorded 1"]


def test_historical_penalty_hides_most_of_the_gap_from_an_audit_of_the_records(explorer):
    table = _table(explorer, historical_penalty=0.5)
    gap_truth = table.loc["B", "FNR truth"] - table.loc["A", "FNR truth"]
    gap_audit = table.loc["B", "FNR audit"] - table.loc["A", "FNR audit"]
    assert gap_truth > 0.15 and gap_audit < gap_truth / 2
    assert table.loc["B", "recorded 1"] < table.loc["B", "qualified"] - 0.1


def test_measurement_bias_lowers_bs_recorded_rate_and_selection(explorer):
    clean, low = _table(explorer), _table(explorer, observation_b=0.5)
    assert low.loc["B", "recorded 1"] < clean.loc["B", "recorded 1"] - 0.15
    assert low.loc["B", "selected"] < clean.loc["B", "selected"] - 0.1


def test_removing_the_proxies_shrinks_the_historical_gap(explorer):
    def gap(table):
        return table.loc["B", "FNR truth"] - table.loc["A", "FNR truth"]

    with_proxies = gap(_table(explorer, historical_penalty=0.5))
    job_only = gap(_table(explorer, historical_penalty=0.5, inputs="job"))
    weak_proxies = gap(_table(explorer, historical_penalty=0.5, proxy_strength=0.0))
    assert job_only < with_proxies - 0.1 and weak_proxies < with_proxies - 0.1


def test_a_rare_group_that_differs_is_served_worse(explorer):
    share = _table(explorer, relation="group_specific", minority_share=0.04)
    assert share.loc["B", "n train"] < 0.06 * 4000
    equal = _table(explorer, relation="group_specific", minority_share=0.5)
    err = lambda t: t.loc["B", "FNR truth"] + t.loc["B", "FPR truth"]  # noqa: E731
    assert err(share) > err(equal)


def test_hiring_audit_uses_a_balanced_test_set_whatever_the_training_share():
    _, test, pred = hiring_audit(**{**NO_BIAS, "minority_share": 0.1})
    assert abs((test["group"] == "B").mean() - 0.5) < 0.05 and len(pred) == len(test)


def test_the_group_input_and_job_features_choose_the_columns():
    from course_lib.synth._explore import _inputs

    df = make_hiring(10, random_state=0)
    assert _inputs(df, "job").shape == (10, len(JOB_FEATURES))
    assert _inputs(df, "group").shape == (10, len(HIRING_FEATURES) + 1)


@pytest.mark.parametrize("kw, match", [
    (dict(inputs="everything"), "inputs must be one of"),
    (dict(relation="reversed"), "relation must be one of"),
    (dict(minority_share=0.9), "minority_share must be in"),
    (dict(label_flip_rate=-0.1), "label_flip_rate must be in"),
])
def test_bad_starting_values_are_named(kw, match):
    with pytest.raises(ValueError, match=match):
        explore_hiring(**kw)


def test_importing_synth_loads_neither_ipywidgets_nor_sklearn():
    code = ("import sys, course_lib.synth\n"
            "print('ipywidgets' in sys.modules, 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_update_time_is_measured(explorer, capsys):
    """Each move refits the model; the figure is rendered as the notebook shows it (no assert)."""
    times = []
    for rate in (0.1, 0.2, 0.3, 0.4):
        start = time.perf_counter()
        view = explorer.set(**{**NO_BIAS, "label_flip_rate": rate})
        view._repr_png_()
        times.append(time.perf_counter() - start)
    with capsys.disabled():
        print(f"\nexplore_hiring update (refit + figure + PNG): median {np.median(times):.3f} s, "
              f"max {max(times):.3f} s")
