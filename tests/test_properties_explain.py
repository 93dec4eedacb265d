"""Property-based bad-input tests for course_lib.explain (tests/_properties.py): gradient methods,
Grad-CAM, adversarial examples, sanity checks, feature visualisation, attention, LIME, exact
Shapley values, reason codes, counterfactuals and the explorers of notebooks 05 and 06 each reject
NaN/inf, wrong shapes, strings, meta tensors, empty input, out-of-range classes and bad scalars
with a ValueError/TypeError naming the argument."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
import torch
from _properties import (
    KINDS,
    TENSOR,
    Case,
    package_api,
    property_tests,
    public_functions,
)
from torch import nn

from course_lib import explain as E
from course_lib.models import CNN, MLP, TinyTransformer

pytestmark = pytest.mark.usefixtures("one_torch_thread")


# ---------------------------------------------------------------- corruptions used only here
def _bad_class(value):
    """A class index outside the model's two outputs, a fraction, a string or a bool (as an int,
    or in one position of a tensor of indices)."""
    outs: list = [2, -1, 1.5, "1", True]
    if isinstance(value, torch.Tensor):
        hi, lo = value.clone(), value.clone()
        hi[0], lo[-1] = 2, -1
        outs += [hi, lo]
    return st.sampled_from(outs)


def _bad_features(value):
    """A batch with one feature / channel more than the model takes."""
    return st.just(torch.zeros(value.shape[0], value.shape[1] + 1, *value.shape[2:]))


def _bad_bool(value):
    """Not a bool."""
    return st.sampled_from(["yes", None, 2])


def _bad_baseline(value):
    """A baseline that is NaN, infinite, a string, a bool, an integer tensor or of a shape that
    does not broadcast to the inputs."""
    return st.sampled_from([float("nan"), float("inf"), "zero", True, torch.zeros(3),
                            torch.tensor(float("nan")), torch.zeros(4, dtype=torch.long)])


def _bad_layer(value):
    """Not a module inside the model."""
    return st.sampled_from(["layer", 3, nn.Conv2d(1, 2, 3)])


def _bad_clamp(value):
    """Not a (low, high) pair of reals with low < high."""
    return st.sampled_from([(1.0, 0.0), (float("nan"), 1.0), "01", (0.0,), (0.0, "1"), 0.5])


def _bad_epsilons(value):
    """Not a non-empty sequence of finite budgets >= 0."""
    return st.sampled_from([[], 0.1, [float("nan")], ["a"], [-0.1], None, [float("inf")]])


def _bad_tokens(value):
    """Token ids that are fractional, outside the vocabulary, negative, 3-D, strings, longer than
    the model's max_len, or on the meta device."""
    return st.sampled_from([value.float() + 0.5, value + 100, value - 100, value[None],
                            value.numpy().astype(str), value.repeat(1, 7),
                            torch.empty(tuple(value.shape), dtype=torch.long, device="meta")])


def _bad_maps(value):
    """Not (N, layers, heads, T, T) attention weights."""
    return st.sampled_from([value[0], "maps", value[..., :-1], value.to(torch.complex64)])


def _bad_image_shape(value):
    """Not a (C, H, W) shape of positive ints."""
    return st.sampled_from([(1, 4), (0, 4, 4), (1, 4.5, 4), "144", None, (1, -4, 4)])


def _bad_vis_target(value):
    """Not a class of the model, or a list of them."""
    return st.sampled_from([-1, 2, 1.5, "0", [], [0, "1"], True])


def _bad_labels(value):
    """Labels that are fractional, strings, 2-D or all one class."""
    arr = value.numpy()
    return st.sampled_from([arr + 0.5, arr.astype(str), arr[:, None], np.zeros_like(arr),
                            arr[:1]])


def _bad_names(value):
    """Not one distinct str per feature: a str, None, numbers, one too few or too many, repeats."""
    names = list(value)
    return st.sampled_from(["abc", None, list(range(len(names))), names[:-1],
                            [*names, "extra"], [names[0]] * len(names)])


def _bad_columns(value):
    """Not one str per encoded column: a str, None, numbers, one too few, an unknown feature."""
    names = list(value)
    return st.sampled_from(["abc", None, list(range(len(names))), names[:-1],
                            [*names[:-1], "unknown"]])


def _bad_feature_list(value):
    """Not the distinct features the columns encode: a str, None, numbers, one missing,
    repeats."""
    names = list(value)
    return st.sampled_from(["abc", None, list(range(len(names))), names[:-1],
                            [names[0]] * len(names)])


def _one_d(value):
    """One column (1-D) where a table belongs."""
    return st.just(np.asarray(value)[:, 0])


def _bad_specs(value):
    """Not a FeatureSpec for every feature."""
    some = next(iter(value))
    return st.sampled_from([{}, None, "specs", {**value, some: "spec"}])


def _bad_weights(value):
    """Sample weights with a negative entry, or all zero."""
    w = np.asarray(value, dtype=float)
    neg = w.copy()
    neg[0] = -1.0
    return st.sampled_from([neg, np.zeros_like(w)])


def _bad_codes(value):
    """Codes with a column too few, a category code out of range or fractional, a fractional
    integer, or a boolean that is not 0/1."""
    arr = np.asarray(value, dtype=float)
    out = [arr[:, :-1]]
    for col, v in ((1, 7.0), (1, 0.5), (1, -1.0), (2, 0.5), (3, 2.5)):
        bad = arr.copy()
        bad[0, col] = v
        out.append(bad)
    return st.sampled_from(out)


def _bad_positive(value):
    """Not the index 0 or 1."""
    return st.sampled_from([2, -1, 0.5, "1", True, None])


def _bad_distances(value):
    """Negative distances."""
    return st.just(-np.abs(np.asarray(value, dtype=float)) - 1.0)


def _two_images(value):
    """Two images where the explorer takes one."""
    return st.just(value.repeat(2, *([1] * (value.ndim - 1))))


def _bad_goals(value):
    """Not a non-empty sequence of classes of the model or -1 (untargeted)."""
    return st.sampled_from([0.1, "01", [], [2], [-2], [1.5], [True], [0, "1"]])


def _bad_stops(value):
    """Budgets that do not increase (a slider's stops must)."""
    return st.sampled_from([[0.1, 0.0], [0.0, 0.1, 0.1]])


def _bad_max_changes(value):
    """More changes than the exhaustive counterfactual search allows."""
    return st.just(4)


def _one_column_less(value):
    """A table with one feature too few."""
    return st.just(np.asarray(value)[:, :-1])


_LOCAL = {"class": _bad_class, "features": _bad_features, "bool": _bad_bool,
          "baseline": _bad_baseline, "layer": _bad_layer, "clamp": _bad_clamp,
          "epsilons": _bad_epsilons, "tokens": _bad_tokens, "maps": _bad_maps,
          "image_shape": _bad_image_shape, "vis_target": _bad_vis_target,
          "labels": _bad_labels, "names": _bad_names, "columns": _bad_columns,
          "feature_list": _bad_feature_list, "one_d": _one_d, "specs": _bad_specs,
          "weights": _bad_weights, "codes": _bad_codes, "positive": _bad_positive,
          "distances": _bad_distances, "two_images": _two_images, "goals": _bad_goals,
          "stops": _bad_stops, "max_changes": _bad_max_changes,
          "one_column_less": _one_column_less}
for _name, _kind in _LOCAL.items():
    assert KINDS.setdefault(f"explain_{_name}", _kind) is _kind
_E = {name: f"explain_{name}" for name in _LOCAL}

# ---------------------------------------------------------------- valid data
_INPUTS = (*TENSOR, "strings", "empty", "int_tensor", _E["features"])
_TARGET = (_E["class"], "length", "float_tensor", "strings", "meta")
_MATRIX = ("nonfinite", "strings", "empty")
_SEED = st.integers(0, 3)


def _mlp(seed: int = 0) -> MLP:
    torch.manual_seed(seed)
    return MLP(4, hidden=(4,))


def _cnn() -> CNN:
    torch.manual_seed(0)
    return CNN(1, 2, image_size=4, channels=(2,))


def _transformer() -> TinyTransformer:
    torch.manual_seed(0)
    return TinyTransformer(10, d_model=8, n_heads=2, n_layers=1, max_len=6)


@st.composite
def _xy(draw, n_min=2, n_max=6, shape=(4,)):
    n = draw(st.integers(n_min, n_max))
    g = np.random.default_rng(draw(_SEED))
    x = torch.from_numpy(g.random((n, *shape)).astype(np.float32))
    y = torch.from_numpy(np.r_[0, 1, g.integers(0, 2, n - 2)])
    return x, y


def _model_xy(**extra):
    return _xy().map(lambda t: dict(model=_mlp(), inputs=t[0], target=t[1], **extra))


def _cam(**extra):
    def build(t):
        model = _cnn()
        return dict(model=model, layer=model.features[0], x=t[0], target=t[1], **extra)

    return _xy(shape=(1, 4, 4)).map(build)


@st.composite
def _tokens(draw, **extra):
    n, length = draw(st.integers(1, 3)), draw(st.integers(1, 6))
    g = torch.Generator().manual_seed(draw(_SEED))
    return dict(model=_transformer(), tokens=torch.randint(0, 10, (n, length), generator=g),
                **extra)


@st.composite
def _table(draw, n_min=3, n_max=8, d=3):
    n = draw(st.integers(n_min, n_max))
    return np.random.default_rng(draw(_SEED)).normal(size=(n, d))


def _sum(z):
    return np.asarray(z).sum(axis=1)


def _proba(z):
    p = 1 / (1 + np.exp(-np.asarray(z).sum(axis=1)))
    return np.stack([1 - p, p], axis=1)


def _score(z):
    return 1 / (1 + np.exp(-np.asarray(z).sum(axis=1)))


_NAMES = ["income", "debt", "age"]
_SPECS = {"income": E.FeatureSpec("Income", change="up", max_change=3),
          "debt": E.FeatureSpec("Debt", change="down", max_change=3),
          "age": E.FeatureSpec("Age")}


@st.composite
def _reasons(draw):
    g = np.random.default_rng(draw(_SEED))
    return dict(attributions=g.normal(size=3), x=g.normal(size=3), feature_names=list(_NAMES),
                specs=dict(_SPECS), reference=np.zeros(3), n=draw(st.integers(1, 4)))


@st.composite
def _frame(draw):
    n = draw(st.integers(1, 6))
    g = np.random.default_rng(draw(_SEED))
    return pd.DataFrame({
        "amount": g.normal(size=n),
        "housing": pd.Categorical(g.choice(["own", "rent", "free"], n),
                                  categories=["free", "own", "rent"]),
        "phone": g.random(n) < 0.5,
        "duration": g.integers(1, 60, n),
    })


@st.composite
def _attacked(draw, **extra):
    """One 4x4 image for the two-class CNN, its class, two budgets and two PGD steps."""
    g = np.random.default_rng(draw(_SEED))
    return dict(model=_cnn(), inputs=torch.from_numpy(g.random((1, 1, 4, 4)).astype(np.float32)),
                target=draw(st.integers(0, 1)), epsilons=[0.0, 0.1], pgd_steps=2, **extra)


@st.composite
def _applicant(draw, **extra):
    """An applicant and a table of applicants on the three features of _SPECS."""
    data = draw(_table(3, 8))
    applicant = np.random.default_rng(draw(_SEED)).normal(size=3)
    return dict(applicant=applicant, data=data, feature_names=list(_NAMES), specs=dict(_SPECS),
                **extra)


def _maps(t):
    return E.attention_maps(t["model"], t["tokens"])


def _train_fresh(labels):
    return _mlp(1)


_APPLICANT = {"applicant": ("nonfinite", "length", "strings", "2d", "empty"),
              "data": ("nonfinite", "strings", "empty", _E["one_d"], _E["one_column_less"]),
              "feature_names": (_E["names"],), "specs": (_E["specs"],)}

CASES = {
    # gradients
    "saliency": Case(E.saliency, _model_xy(abs=True),
                     {"model": ("module",), "inputs": _INPUTS, "target": _TARGET,
                      "abs": (_E["bool"],)}),
    "gradient_x_input": Case(E.gradient_x_input, _model_xy(),
                             {"model": ("module",), "inputs": _INPUTS, "target": _TARGET}),
    "smoothgrad": Case(E.smoothgrad, _model_xy(n_samples=2, stdev=0.1, random_state=0),
                       {"model": ("module",), "inputs": _INPUTS, "target": _TARGET,
                        "n_samples": ("int",), "stdev": ("real_inf",), "abs": (_E["bool"],),
                        "random_state": ("int",)}),
    "integrated_gradients": Case(E.integrated_gradients, st.builds(
        lambda t, b: dict(model=_mlp(), x=t[0], baseline=b, target=t[1], steps=4), _xy(),
        st.sampled_from([None, 0.0, torch.zeros(4)])),
        {"model": ("module",), "x": _INPUTS, "baseline": (_E["baseline"],),
         "target": _TARGET, "steps": ("int",)}),
    "completeness_gap": Case(E.completeness_gap, _xy().map(lambda t: dict(
        model=_mlp(), x=t[0], attributions=E.integrated_gradients(_mlp(), t[0], target=t[1],
                                                                  steps=4),
        target=t[1])),
        {"model": ("module",), "x": _INPUTS, "attributions": (*TENSOR, "length", "strings"),
         "baseline": (_E["baseline"],), "target": _TARGET}),
    "grad_cam": Case(E.grad_cam, _cam(upsample=True),
                     {"model": ("module",), "layer": (_E["layer"],),
                      "x": (*TENSOR, "strings", "empty", "int_tensor", _E["features"]),
                      "target": _TARGET, "upsample": (_E["bool"],)}),
    # adversarial examples
    "fgsm": Case(E.fgsm, _model_xy(epsilon=0.1),
                 {"model": ("module",), "inputs": _INPUTS, "target": _TARGET,
                  "epsilon": ("real_inf",), "clamp": (_E["clamp"],)}),
    "pgd": Case(E.pgd, _model_xy(epsilon=0.1, step_size=0.05, steps=2),
                {"model": ("module",), "inputs": _INPUTS, "target": _TARGET,
                 "epsilon": ("real_inf",), "step_size": ("real_inf",), "steps": ("int",),
                 "random_start": (_E["bool"],), "random_state": ("int",),
                 "clamp": (_E["clamp"],)}),
    "accuracy_under_attack": Case(E.accuracy_under_attack, st.builds(
        lambda d, a: dict(d, attack=a), _model_xy(epsilons=[0.0, 0.1], steps=2, batch_size=4),
        st.sampled_from(["fgsm", "pgd"])),
        {"model": ("module",), "inputs": _INPUTS, "target": _TARGET,
         "epsilons": (_E["epsilons"],), "attack": ("str",), "steps": ("int",),
         "step_size": ("real_inf",), "random_state": ("int",), "batch_size": ("int",),
         "clamp": (_E["clamp"],)}),
    # sanity checks
    "parameter_layers": Case(E.parameter_layers, st.just(dict(model=_mlp())),
                             {"model": ("module",)}),
    "cascading_randomization": Case(E.cascading_randomization, _xy().map(lambda t: dict(
        model=_mlp(), explain_fn=E.saliency, inputs=t[0], target=t[1], random_state=0)),
        {"model": ("module",), "explain_fn": ("callable",), "inputs": _INPUTS,
         "target": _TARGET, "random_state": ("int",)}),
    "rank_correlation": Case(E.rank_correlation, _table().map(
        lambda a: dict(a=a, b=a + np.arange(a.size).reshape(a.shape))) | _table().map(
        lambda a: dict(a=torch.from_numpy(a), b=torch.from_numpy(a ** 2), abs=True)),
        {"a": (*_MATRIX, "length"), "b": (*_MATRIX, "length"), "abs": (_E["bool"],)}),
    "label_randomization": Case(E.label_randomization, _xy().map(lambda t: dict(
        model=_mlp(), explain_fn=E.saliency, inputs=t[0], target=t[1], train_fn=_train_fresh,
        labels=t[1], random_state=0)),
        {"model": ("module",), "explain_fn": ("callable",), "inputs": _INPUTS,
         "target": _TARGET, "train_fn": ("callable",), "labels": (_E["labels"],),
         "abs": (_E["bool"],), "random_state": ("int",)}),
    # feature visualisation
    "visualize_class": Case(E.visualize_class, st.builds(
        lambda t, layer: (lambda m: dict(model=m, target=t, shape=(1, 4, 4), steps=2, jitter=1,
                                         layer=m.features[0] if layer else None))(_cnn()),
        st.sampled_from([0, 1, [0, 1]]), st.booleans()),
        {"model": ("module",), "target": (_E["vis_target"],), "shape": (_E["image_shape"],),
         "steps": ("int",), "lr": ("real_inf",), "jitter": ("int",), "decay": ("real_inf",),
         "random_state": ("int",), "layer": (_E["layer"],), "clamp": (_E["clamp"],)}),
    # attention
    "attention_maps": Case(E.attention_maps, _tokens(),
                           {"model": ("module",), "tokens": (_E["tokens"], "empty")}),
    "attention_rollout": Case(E.attention_rollout, _tokens().map(
        lambda t: dict(maps=_maps(t), residual=0.5)),
        {"maps": ("nonfinite", "meta", _E["maps"]), "residual": ("real_inf",)}),
    "token_integrated_gradients": Case(E.token_integrated_gradients, _tokens(
        steps=4, batch_size=2).map(lambda t: dict(t, target=torch.arange(len(t["tokens"])) % 2)),
        {"model": ("module",), "tokens": (_E["tokens"], "empty"), "target": _TARGET,
         "steps": ("int",),
         "batch_size": ("int",)}),
    # LIME
    "lime_kernel": Case(E.lime_kernel, st.builds(
        lambda d, w: dict(distances=np.abs(d[:, 0]), kernel_width=w), _table(),
        st.floats(0.1, 5)),
        {"distances": ("nonfinite", "strings", "2d", _E["distances"]),
         "kernel_width": ("real_inf",)}),
    "weighted_ridge": Case(E.weighted_ridge, st.builds(
        lambda z, s: dict(z=z, y=z.sum(axis=1) + s, w=np.ones(len(z)), alpha=1.0),
        _table(4, 8), st.floats(-1, 1)),
        {"z": ("nonfinite", "strings", "length", "empty"),
         "y": ("nonfinite", "strings", "length", "2d"),
         "w": ("nonfinite", "strings", "length", "2d", _E["weights"]),
         "alpha": ("real_inf",)}),
    "lime_tabular": Case(E.lime_tabular, _table(3, 8).map(lambda t: dict(
        predict_fn=_proba, x=t[0], training_data=t, num_samples=20, random_state=0)),
        {"predict_fn": ("callable",), "x": ("nonfinite", "strings", "length", "2d"),
         "training_data": _MATRIX, "label": ("int",), "num_samples": ("int",),
         "kernel_width": ("real_inf",), "sample_around_instance": (_E["bool"],),
         "random_state": ("int",)}),
    # Shapley values
    "coalition_values": Case(E.coalition_values, _table(2, 4).map(lambda t: dict(
        f=_sum, x=t[:1], background=t[1:], batch_size=8)),
        {"f": ("callable",), "x": _MATRIX, "background": _MATRIX, "batch_size": ("int",)}),
    "exact_shapley": Case(E.exact_shapley, _table(2, 4).map(lambda t: dict(
        f=_sum, x=t[:2], background=t[2:] if len(t) > 2 else t[:1])),
        {"f": ("callable",), "x": _MATRIX, "background": _MATRIX, "batch_size": ("int",)}),
    "logit_margin": Case(E.logit_margin, st.sampled_from([0, 1]).map(
        lambda p: dict(model=_mlp(), positive=p)),
        {"model": ("module",), "positive": (_E["positive"],)}),
    # reason codes and counterfactuals
    "reason_codes": Case(E.reason_codes, _reasons(),
                         {"attributions": ("nonfinite", "length", "strings", "2d"),
                          "x": ("nonfinite", "length", "strings", "2d"),
                          "feature_names": (_E["names"],), "specs": (_E["specs"],),
                          "reference": ("nonfinite", "length", "strings", "2d"),
                          "n": ("int",)}),
    "spread": Case(E.spread, _table().map(lambda t: dict(data=t)),
                   {"data": ("nonfinite", "strings", "empty", _E["one_d"])}),
    "counterfactual": Case(E.counterfactual, st.builds(
        lambda x, th: dict(predict_fn=_score, x=x, feature_names=list(_NAMES),
                           specs=dict(_SPECS), scale=np.ones(3), threshold=th, max_changes=2),
        st.lists(st.floats(-2, 2), min_size=3, max_size=3).map(np.array),
        st.floats(0.1, 0.9)),
        {"predict_fn": ("callable",), "x": ("nonfinite", "length", "strings", "2d"),
         "feature_names": (_E["names"],), "specs": (_E["specs"],),
         "scale": ("nonfinite", "length", "strings", "2d"), "threshold": ("real_inf",),
         "max_changes": ("int",)}),
    "frame_to_codes": Case(E.frame_to_codes, _frame().map(lambda f: dict(frame=f)),
                           {"frame": ("frame", "nonfinite")}),
    "codes_to_frame": Case(E.codes_to_frame, _frame().map(lambda f: dict(
        values=E.frame_to_codes(f), like=f)),
        {"values": ("nonfinite", "strings", _E["codes"]), "like": ("frame",)}),
    "attributions_by_feature": Case(E.attributions_by_feature, _table().map(lambda t: dict(
        attributions=t, column_features=["a", "b", "b"], features=["a", "b"])),
        {"attributions": ("nonfinite", "strings"), "column_features": (_E["columns"],),
         "features": (_E["feature_list"],)}),
    # the explorers (notebooks 05 and 06) and their precomputation
    "adversarial_grid": Case(E.adversarial_grid, st.builds(
        lambda d, goals: dict(d, goals=goals), _attacked(),
        st.sampled_from([None, [-1], [-1, 0, 1]])),
        {"model": ("module",), "inputs": (*_INPUTS, _E["two_images"]), "target": (_E["class"],),
         "epsilons": (_E["epsilons"],), "goals": (_E["goals"],), "pgd_steps": ("int",)}),
    "explore_adversarial": Case(E.explore_adversarial, st.builds(
        lambda d, eps: dict(d, epsilon=eps), _attacked(), st.sampled_from([0.0, 0.05, 0.1])),
        {"model": ("module",), "inputs": (*_INPUTS, _E["two_images"]), "target": (_E["class"],),
         "epsilons": (_E["epsilons"], _E["stops"]), "epsilon": ("real_inf",),
         "pgd_steps": ("int",)}),
    "applicant_controls": Case(E.applicant_controls, _applicant(), _APPLICANT),
    "explore_applicant": Case(E.explore_applicant, st.builds(
        lambda d, th, b, r, m: dict(d, model=_score, threshold=th, background_size=b,
                                    n_reasons=r, max_changes=m),
        _applicant(), st.floats(0.1, 0.9), st.integers(1, 5), st.integers(1, 3),
        st.integers(1, 2)),
        {**_APPLICANT, "model": ("callable",), "threshold": ("real_inf",),
         "background_size": ("int",), "n_reasons": ("int",),
         "max_changes": ("int", _E["max_changes"])}),
}
EXEMPT: dict[str, str] = {}


def test_every_public_function_is_covered():
    """A new public function must get a Case here (or an exemption with a reason)."""
    assert public_functions(package_api(E), EXEMPT) == sorted(CASES)


(test_valid_input_is_accepted, test_bad_input_is_rejected_naming_the_argument,
 test_bad_input_is_rejected_naming_the_argument_slow) = property_tests(CASES)



# ---------------------------------------------------------------- regressions: once silent
def test_once_silently_wrong_inputs_now_raise():
    """Before: a fractional target was truncated to a class, NaN inputs gave NaN maps, a
    fractional category code was rounded to a category, NaN spread and infinite budgets passed."""
    model, x = _mlp(), torch.rand(3, 4)
    with pytest.raises(TypeError, match="target must hold integer class indices"):
        E.saliency(model, x, 1.5)
    with pytest.raises(ValueError, match="inputs contains NaN"):
        E.saliency(model, torch.full((3, 4), float("nan")))
    with pytest.raises(ValueError, match="epsilon must be finite"):
        E.fgsm(model, x, 0, float("inf"), clamp=None)
    frame = pd.DataFrame({"housing": pd.Categorical(["own", "rent"])})
    with pytest.raises(ValueError, match="category codes 0..1"):
        E.codes_to_frame(np.array([[0.6], [1.0]]), frame)
    with pytest.raises(ValueError, match="data contains NaN"):
        E.spread(np.array([[1.0, 2.0], [np.nan, 3.0], [4.0, 5.0]]))
    with pytest.raises(ValueError, match="tokens has sequences of 7 tokens"):
        E.attention_maps(_transformer(), torch.zeros(1, 7, dtype=torch.long))


def test_explorer_inputs_once_accepted_now_raise():
    """Before: a NaN or string ε silently snapped to a budget of the grid (or failed in a
    subtraction), a bare number of budgets failed to iterate, and an applicant of strings was
    converted to numbers and a repeated feature name collapsed two controls into one."""
    model, x = _cnn(), torch.rand(1, 1, 4, 4)
    with pytest.raises(ValueError, match="epsilon must be in"):
        E.explore_adversarial(model, x, 0, epsilons=[0.0, 0.1], epsilon=float("nan"),
                              pgd_steps=2)
    with pytest.raises(TypeError, match="epsilons must be a sequence"):
        E.adversarial_grid(model, x, 0, epsilons=0.1, pgd_steps=2)
    data = np.random.default_rng(0).normal(size=(5, 3))
    with pytest.raises(ValueError, match="applicant must be a 1-D numeric array"):
        E.applicant_controls(np.array(["0.1", "0.2", "0.3"]), data, list(_NAMES), dict(_SPECS))
    with pytest.raises(ValueError, match="feature_names must be distinct"):
        E.applicant_controls(data[0], data, ["income", "income", "age"], dict(_SPECS))


def test_weighted_ridge_on_a_constant_target_follows_scikit_learn():
    """R² of a constant y is scikit-learn's force_finite value (1 for a perfect fit), not 0/0."""
    from sklearn.linear_model import Ridge

    z = np.random.default_rng(0).normal(size=(6, 2))
    y, w = np.full(6, 0.3), np.linspace(0.5, 1.0, 6)
    beta, b, r2 = E.weighted_ridge(z, y, w)
    ridge = Ridge(alpha=1.0).fit(z, y, sample_weight=w)
    assert np.allclose(beta, 0) and b == pytest.approx(0.3)
    assert r2 == ridge.score(z, y, sample_weight=w) == 1.0
