"""Property-based bad-input tests for course_lib.energy (see tests/_properties.py)."""

from __future__ import annotations

import contextlib

import hypothesis.strategies as st
import numpy as np
import pytest
import torch
from _properties import KINDS, TENSOR, Case, property_tests, public_functions

from course_lib import energy as E
from course_lib.models import MLP

pytestmark = pytest.mark.usefixtures("one_torch_thread")

_POS = st.floats(0.0, 1e4)


def _model():
    torch.manual_seed(0)
    return MLP(3, hidden=(4,))


def _track(name, flops):
    with E.track(name, flops):
        pass


@contextlib.contextmanager
def _no_runs():
    before = E.recorded_runs()
    yield
    E.reset_runs()
    for r in before:
        E.record_run(r.name, r.seconds, r.cpu_seconds, r.flops)


def _record(**kw):
    with _no_runs():
        return E.record_run(**kw)


def _tracked(**kw):
    with _no_runs():
        return _track(**kw)


# ---------------------------------------------------------------- corruptions used only here
def _off_slider(value):
    """A count outside its slider's range (none below 1; 512 devices, 720 hours at most)."""
    return st.sampled_from([0, 100_000])


def _bad_pue(value):
    """A PUE below 1 (no data centre uses less than its IT load) or above the slider's 2."""
    return st.sampled_from([0.0, 0.9, 2.5])


def _bad_watts(value):
    """A draw that is not positive, NaN, infinite, a string or a bool."""
    return st.sampled_from([0.0, -100.0, float("nan"), float("inf"), "300", True])


_LOCAL = {"off_slider": _off_slider, "pue": _bad_pue, "watts": _bad_watts}
for _name, _kind in _LOCAL.items():
    assert KINDS.setdefault(f"energy_{_name}", _kind) is _kind
_P = {name: f"energy_{name}" for name in _LOCAL}

def _maybe_numpy(strategy):
    """Python or numpy scalars (rule 9: both are accepted)."""
    return st.one_of(strategy, strategy.map(lambda v: np.asarray(v)[()]))


_CARBON = st.fixed_dictionaries({
    "devices": _maybe_numpy(st.integers(1, 512)), "hours": _maybe_numpy(st.integers(1, 720)),
    "watts": st.one_of(st.none(), st.sampled_from(sorted(E.hardware_watts().values())),
                       st.floats(0.5, 2000)),
    "pue": _maybe_numpy(st.floats(1.0, 2.0)),
    "region": st.sampled_from(list(E.grid_intensity()["region"]))})

_BATCH = st.integers(1, 6).map(lambda n: torch.randn(n, 3))
_LOGITS = st.integers(1, 6).map(lambda n: dict(student_logits=torch.randn(n, 2),
                                               teacher_logits=torch.randn(n, 2),
                                               target=torch.randint(0, 2, (n,)),
                                               temperature=4.0, alpha=0.5))

CASES = {
    "estimate_energy": Case(E.estimate_energy, st.fixed_dictionaries(
        {"chips": _POS, "hours": _POS, "watts": _POS, "pue": st.floats(1, 3)}),
        {"chips": ("real_inf",), "hours": ("real_inf",), "watts": ("real_inf",),
         "pue": ("real_inf",)}),
    "emissions": Case(E.emissions, st.fixed_dictionaries(
        {"kwh": _POS, "kg_co2e_per_kwh": st.floats(0, 1)}),
        {"kwh": ("real_inf",), "kg_co2e_per_kwh": ("real_inf",)}),
    "emissions_by_region": Case(E.emissions_by_region, st.fixed_dictionaries({"kwh": _POS}),
                                {"kwh": ("real_inf",), "grid": ("frame",)}),
    "footprint": Case(E.footprint, st.fixed_dictionaries(
        {"watts_per_core": st.floats(0, 50), "pue": st.floats(1, 2),
         "kg_co2e_per_kwh": st.floats(0, 1)}),
        {"watts_per_core": ("real_inf",), "pue": ("real_inf",), "kg_co2e_per_kwh": ("real_inf",)}),
    "course_estimates": Case(E.course_estimates, st.fixed_dictionaries(
        {"table": st.just(None).map(lambda _: E.course_footprint(missing="empty"))}),
        {"table": ("frame",), "watts_per_core": ("real_inf",), "pue": ("real_inf",),
         "kg_co2e_per_kwh": ("real_inf",)}),
    "course_footprint": Case(E.course_footprint, st.just({"missing": "empty"}),
                             {"missing": ("str",)}),
    "record_run": Case(_record, st.fixed_dictionaries(
        {"name": st.just("run"), "seconds": _POS, "cpu_seconds": _POS,
         "flops": st.integers(0, 10**9)}),
        {"name": ("name",), "seconds": ("real_inf",), "cpu_seconds": ("real_inf",),
         "flops": ("int",)}),
    "track": Case(_tracked, st.fixed_dictionaries({"name": st.just("run"),
                                                   "flops": st.integers(0, 99)}),
                  {"name": ("name",), "flops": ("int",)}),
    "count_flops": Case(E.count_flops, _BATCH.map(lambda x: dict(
        model=_model(), inputs=x, target=torch.zeros(len(x), dtype=torch.long))),
        {"inputs": ("meta", "complex", "int_tensor", "strings", "empty"),
         "target": ("length", "meta", "float_tensor")}),
    "distillation_loss": Case(E.distillation_loss, _LOGITS,
                              {"student_logits": (*TENSOR, "length"),
                               "teacher_logits": (*TENSOR, "length"),
                               "target": ("length", "meta", "float_tensor", "nonbinary"),
                               "temperature": ("real_inf",), "alpha": ("real_inf",)}),
    "distill": Case(E.distill, _BATCH.map(lambda x: dict(
        teacher=_model(), student=_model(), inputs=x, target=torch.zeros(len(x), dtype=int),
        epochs=1, progress=False)),
        {"inputs": (*TENSOR, "strings", "length"), "target": ("length", "nonfinite", "meta"),
         "temperature": ("real_inf",), "alpha": ("real_inf",), "epochs": ("int",),
         "lr": ("real",), "random_state": ("int",)}, slow=True),
    "latency": Case(E.latency, _BATCH.map(lambda x: dict(model=_model(), inputs=x, repeats=1,
                                                         warmup=0)),
                    {"inputs": ("meta", "complex", "strings", "empty"), "repeats": ("int",),
                     "warmup": ("int",), "min_seconds": ("real",)}),
    "new_head": Case(E.new_head, st.just(None).map(lambda _: dict(model=_model(), n_classes=3)),
                     {"model": ("module",), "n_classes": ("int",), "random_state": ("int",)}),
    "quantize_int8": Case(E.quantize_int8, st.just(None).map(lambda _: dict(model=_model())),
                          {"model": ("module",)}),
    "model_bytes": Case(E.model_bytes, st.just(None).map(lambda _: dict(model=_model())),
                        {"model": ("module",)}),
    "explore_carbon": Case(E.explore_carbon, _CARBON,
                           {"devices": ("int", _P["off_slider"]),
                            "hours": ("int", _P["off_slider"]), "watts": (_P["watts"],),
                            "pue": ("real_inf", _P["pue"]), "region": ("str",)}),
}
EXEMPT = {"show_footprint": "footprint()'s arguments, validated there (its Case)",
          "recorded_runs": "no arguments", "reset_runs": "no arguments",
          "published_runs": "no arguments", "grid_intensity": "no arguments",
          "hardware_watts": "no arguments",
          "measure_emissions": "codecarbon measurement of the machine, not of data; its two "
                               "scalars are checked in tests/test_energy.py"}

(test_valid_input_is_accepted, test_bad_input_is_rejected_naming_the_argument,
 test_bad_input_is_rejected_naming_the_argument_slow) = property_tests(CASES)


def test_every_public_function_is_covered():
    assert public_functions(E, EXEMPT) == sorted(CASES)


# ---------------------------------------------------------------- regressions (bugs found here)
def test_an_infinite_input_is_not_hidden_by_a_zero():
    """Before: estimate_energy(0, 1, inf) returned NaN (0 × inf) instead of an error."""
    with pytest.raises(ValueError, match="watts must be finite"):
        E.estimate_energy(0.0, 1.0, float("inf"))
    with pytest.raises(ValueError, match=r"seconds must be in \[0, inf\)"):
        E.record_run("run", float("inf"), 1.0)


def test_tensors_are_checked_by_name():
    """Before: meta, complex or misplaced tensors raised torch's RuntimeError (device mismatch,
    'not implemented for ComplexFloat'), NaN logits gave a NaN loss, a float or out-of-range
    target crashed inside cross_entropy, and temperature=inf returned NaN."""
    s, t, y = torch.randn(3, 2), torch.randn(3, 2), torch.tensor([0, 1, 1])
    with pytest.raises(ValueError, match="student_logits contains NaN"):
        E.distillation_loss(torch.full((3, 2), float("nan")), t, y)
    with pytest.raises(ValueError, match="teacher_logits is a tensor on the 'meta' device"):
        E.distillation_loss(s, torch.empty(3, 2, device="meta"), y)
    with pytest.raises(TypeError, match="target must have an integer dtype"):
        E.distillation_loss(s, t, y.float())
    with pytest.raises(ValueError, match=r"target must hold class indices in \[0, 2\)"):
        E.distillation_loss(s, t, torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="temperature must be in"):
        E.distillation_loss(s, t, y, temperature=float("inf"))
    with pytest.raises(ValueError, match="inputs is a tensor on the 'meta' device"):
        E.count_flops(_model(), torch.empty(2, 3, device="meta"))
    with pytest.raises(TypeError, match="inputs must have a real dtype"):
        E.latency(_model(), torch.zeros(2, 3, dtype=torch.complex64), repeats=1, warmup=0)


def test_the_carbon_explorers_knobs_are_checked_by_name():
    """Before: devices=1000, hours=0 and pue=0.5 were clamped to the sliders' ends without a
    word, devices=1.5 was truncated to 1, watts="300" or True was taken as a number, a NaN
    watts failed inside ipywidgets with a TraitError naming no argument, and a NaN pue or an
    infinite watts built an explorer whose view raised (its view was None)."""
    with pytest.raises(ValueError, match=r"devices must be in \[1, 512\], got 1000"):
        E.explore_carbon(devices=1000)
    with pytest.raises(TypeError, match="devices must be an int"):
        E.explore_carbon(devices=1.5)
    with pytest.raises(ValueError, match=r"pue must be in \[1, 2\], got 0.5"):
        E.explore_carbon(pue=0.5)
    with pytest.raises(TypeError, match="watts must be a real number"):
        E.explore_carbon(watts="300")
    with pytest.raises(ValueError, match="watts must be in"):
        E.explore_carbon(watts=float("nan"))
    view = E.explore_carbon(devices=np.int64(4), hours=np.int64(10), pue=np.float64(1.5)).view
    assert view.values["devices"] == 4 and "4 devices × 10 h" in view.note
