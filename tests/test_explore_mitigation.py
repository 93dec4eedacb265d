"""Notebook 04's explorer (course_lib.mitigation.explore_mitigation), driven without a browser."""

import time

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from course_lib.mitigation import disparity, explore_mitigation, threshold_report
from course_lib.synth import HIRING_FEATURES, make_hiring

BIAS = dict(historical_penalty=0.5, proxy_strength=0.8)


@pytest.fixture(scope="module")
def data():
    """Test scores of a plain logistic regression and of one trained on reweighed-like weights."""
    train, test = make_hiring(1500, random_state=1, **BIAS), make_hiring(1500, random_state=2,
                                                                           **BIAS)
    x, xt = train[list(HIRING_FEATURES)].to_numpy(), test[list(HIRING_FEATURES)].to_numpy()
    weak = np.where((train["group"] == "B") & (train["label"] == 1), 2.0, 1.0)
    scores = {"plain": LogisticRegression(max_iter=1000).fit(x, train["label"])
              .predict_proba(xt)[:, 1],
              "weighted": LogisticRegression(max_iter=1000).fit(x, train["label"],
                                                                sample_weight=weak)
              .predict_proba(xt)[:, 1]}
    return scores, test["label"].to_numpy(), test["group"].to_numpy(), \
        test["qualified"].to_numpy()


@pytest.fixture
def ex(data):
    scores, y, s, q = data
    return explore_mitigation(scores, y, s, truth=q)


def _report(data, model, ta, tb):
    scores, _, s, q = data
    return threshold_report(q, scores[model], s, {"A": ta, "B": tb})


def test_the_default_view_is_threshold_report_at_one_half(ex, data):
    view = ex.view
    assert view.values == {"model": "plain", "thr_a": 0.5, "thr_b": 0.5}
    rep = _report(data, "plain", 0.5, 0.5)
    for col in ("selection_rate", "tpr", "fpr", "accuracy"):
        assert np.allclose(view.table[col], rep[col].astype(float), atol=0.005)
    assert list(view.table.index) == ["A", "B"] and view.figure is not None
    assert view._repr_png_().startswith(b"\x89PNG")


def test_lowering_group_bs_threshold_raises_its_rates_and_leaves_as_alone(ex, data):
    before = ex.view.table.copy()
    after = ex.set(thr_b=0.3).table
    assert after.loc["B", "selection_rate"] > before.loc["B", "selection_rate"]
    assert after.loc["B", "tpr"] > before.loc["B", "tpr"]
    assert after.loc["A"].equals(before.loc["A"])
    rep = _report(data, "plain", 0.5, 0.3)
    assert after.loc["B", "tpr"] == pytest.approx(rep.loc["B", "tpr"], abs=0.005)


def test_the_note_gives_accuracy_and_the_selection_gap_as_course_lib_computes_them(ex, data):
    scores, y, s, q = data
    view = ex.set(model="weighted", thr_a=0.6, thr_b=0.35)
    pred = np.where(s == "A", scores["weighted"] >= 0.6, scores["weighted"] >= 0.35).astype(int)
    assert f"accuracy {(pred == y).mean():.2f} against the labels" in view.note
    assert f"{(pred == q).mean():.2f} against the truth" in view.note
    assert f"selection gap {disparity(y, pred, s):.2f}" in view.note
    rep = _report(data, "weighted", 0.6, 0.35)
    assert f"TPR gap (A − B) {rep.loc['A', 'tpr'] - rep.loc['B', 'tpr']:+.2f}" in view.note


def test_a_threshold_for_b_can_close_the_selection_gap(ex, data):
    _, y, s, _ = data
    gaps = []
    for tb in (0.5, 0.4, 0.3, 0.2):
        note = ex.set(thr_b=tb).note
        gaps.append(float(note.split("selection gap ")[1].split(";")[0]))
    assert gaps[0] > 0.05 and min(gaps) < gaps[0] / 2


def test_switching_the_model_shows_that_models_rates(ex, data):
    plain = ex.view.table.copy()
    weighted = ex.set(model="weighted").table
    rep = _report(data, "weighted", 0.5, 0.5)
    assert np.allclose(weighted["tpr"], rep["tpr"].astype(float), atol=0.005)
    assert not weighted.equals(plain)


def test_an_update_is_fast(ex):
    """Not asserted (the machine may be busy): printed, for the report."""
    wall, cpu = [], []
    for tb in (0.31, 0.42, 0.27):
        start, start_cpu = time.perf_counter(), time.process_time()
        ex.set(thr_b=tb)._repr_png_()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(f"\nexplore_mitigation update with its PNG: median {sorted(wall)[1]:.3f} s wall, "
          f"{sorted(cpu)[1]:.3f} s CPU")


@pytest.mark.parametrize("kwargs, match", [
    (dict(sensitive="one"), "exactly two groups"),
    (dict(scores={}), "non-empty mapping"),
    (dict(scores={"short": np.zeros(3)}), "has 3 rows"),
    (dict(truth="short"), "truth and y_true must have the same length"),
    (dict(model="nope"), "model must be one of"),
])
def test_bad_input_is_refused_naming_the_argument(data, kwargs, match):
    scores, y, s, q = data
    args = dict(scores=scores, y_true=y, sensitive=s, truth=q)
    if kwargs.get("sensitive") == "one":
        kwargs = dict(sensitive=np.array(["A"] * len(y)))
    if kwargs.get("truth") == "short":
        kwargs = dict(truth=q[:10])
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=match):
        explore_mitigation(**args)
