"""Property-based bad-input tests for course_lib.models and course_lib.data (tests/_properties.py):
wrong lengths, NaN/inf, fractional or out-of-range class labels, strings, meta tensors, bad
scalars each get a ValueError/TypeError naming the argument."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pytest
import torch
from _properties import (
    TENSOR,
    Case,
    property_tests,
    public_functions,
)

from course_lib import data, models

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@st.composite
def _xy(draw, as_tensor=True):
    n = draw(st.integers(4, 12))
    seed = draw(st.integers(0, 99))
    g = np.random.default_rng(seed)
    x, y = g.normal(size=(n, 3)).astype(np.float32), np.r_[0, 1, g.integers(0, 2, n - 2)]
    if as_tensor:
        return torch.from_numpy(x), torch.from_numpy(y)
    return x, y


def _model():
    torch.manual_seed(0)
    return models.MLP(3, hidden=(4,))


_TRAIN = _xy().map(lambda t: dict(model=_model(), inputs=t[0], target=t[1], epochs=1,
                                  batch_size=8, progress=False, lr=0.01, weight_decay=0.0,
                                  random_state=0))
_TARGET = ("nonfinite", "length", "nonbinary", "strings", "empty", "meta")
_INPUTS = (*TENSOR, "strings", "empty")

CASES = {
    "train": Case(models.train, _TRAIN,
                  {"inputs": (*TENSOR, "strings", "length", "empty"), "target": _TARGET,
                   "epochs": ("int",), "batch_size": ("int",), "lr": ("real",),
                   "weight_decay": ("real",), "random_state": ("int",)}, slow=True),
    "fit_mlp": Case(models.fit_mlp, _xy().map(lambda t: dict(inputs=t[0], target=t[1], epochs=1,
                                                             random_state=0)),
                    {"inputs": (*TENSOR, "strings", "length"), "target": _TARGET,
                     "random_state": ("int",)}, slow=True),
    "predict_proba": Case(models.predict_proba, _xy().map(
        lambda t: dict(model=_model(), inputs=t[0], batch_size=4)),
        {"inputs": _INPUTS, "batch_size": ("int",)}),
    "predict": Case(models.predict, _xy().map(
        lambda t: dict(model=_model(), inputs=t[0], threshold=0.5)),
        {"inputs": _INPUTS, "threshold": ("real",)}),
    "datasheet": Case(data.datasheet, st.sampled_from(sorted(data.REGISTRY)).map(
        lambda n: dict(name=n, section=None)), {"name": ("str",)}),
    "verify": Case(data.verify, st.sampled_from(sorted(data.REGISTRY)).map(
        lambda n: dict(name=n)), {"name": ("str",)}),
    "propublica_subset": Case(data.propublica_subset, st.just(None).map(
        lambda _: dict(df=data.load_compas().head(50))), {"df": ("frame",)}),
}
EXEMPT = {
    "datasets_dir": "no arguments",
    "load_adult": "no arguments", "load_compas": "no arguments",
    "load_gender_shades": "no arguments", "load_german_credit": "no arguments",
    "load_grid_intensity": "no arguments", "verify_all": "no arguments",
}


def test_every_public_function_is_covered():
    assert public_functions(models, {}) + public_functions(data, EXEMPT) == sorted(
        n for n in CASES if hasattr(models, n)) + sorted(n for n in CASES if hasattr(data, n))


(test_valid_input_is_accepted, test_bad_input_is_rejected_naming_the_argument,
 test_bad_input_is_rejected_naming_the_argument_slow) = property_tests(CASES)


# ---------------------------------------------------------------- regressions (bugs found here)
def test_train_rejects_a_label_the_model_has_no_output_for():
    """Before: target 2 for a 2-output model crashed inside cross-entropy (IndexError)."""
    x, y = torch.randn(6, 3), torch.tensor([0, 1, 2, 0, 1, 0])
    with pytest.raises(ValueError, match=r"target must hold class indices 0\.\.1"):
        models.train(_model(), x, y, epochs=1, progress=False)


def test_fractional_or_nan_targets_are_not_truncated_to_labels():
    """Before: target 0.5 was cast to 0 silently, NaN to a huge negative int."""
    x = torch.randn(4, 3)
    with pytest.raises(ValueError, match="target must hold whole numbers"):
        models.train(_model(), x, torch.tensor([0.5, 1.0, 0.0, 1.0]), epochs=1, progress=False)
    with pytest.raises(ValueError, match="target contains NaN"):
        models.train(_model(), x, torch.tensor([np.nan, 1.0, 0.0, 1.0]), epochs=1,
                     progress=False)


def test_meta_tensors_are_rejected_by_name():
    """Before: a meta tensor reached torch.isfinite(...).all() and raised a RuntimeError."""
    with pytest.raises(ValueError, match="inputs is a tensor on the 'meta' device"):
        models.predict_proba(_model(), torch.empty(3, 3, device="meta"))


def test_scalars_are_checked_by_name():
    """Before: predict(threshold="0.5") and train(lr="0.1") raised a bare comparison TypeError;
    predict_proba(batch_size=0) a ValueError from range() naming nothing."""
    x, y = torch.randn(4, 3), torch.tensor([0, 1, 0, 1])
    with pytest.raises(TypeError, match="threshold must be a real number"):
        models.predict(_model(), x, threshold="0.5")
    with pytest.raises(TypeError, match="lr must be a real number"):
        models.train(_model(), x, y, lr="0.1", progress=False)
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        models.predict_proba(_model(), x, batch_size=0)
