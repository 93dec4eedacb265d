"""Exercises for notebook 05 (explaining vision models).

``ComputedValueProblem`` is a number whose right value depends on objects the notebook made (a
trained model, an image): the check recomputes it from those objects with course_lib, so the
same problem is exact in the notebook and in the tests (which use a small random model).
"""

from __future__ import annotations

import math

from course_lib.exercises._core import (
    ComputedValueProblem,
    Criterion,
    MatchingProblem,
    ReflectionProblem,
    register,
)

__all__ = ["q1", "q2", "q3", "q4"]


# -- q1: a completeness gap by hand --------------------------------------------------------------
_SMALL_SETUP = """\
import numpy as np
import torch
from course_lib.explain import completeness_gap, fgsm, integrated_gradients
from course_lib.models import CNN

torch.manual_seed(0)
model = CNN(channels=(4, 8), image_size=28, n_classes=10).eval()
x_one = torch.rand(1, 1, 28, 28, generator=torch.Generator().manual_seed(1))
with torch.no_grad():
    y_one = int(model(x_one).argmax(1))
"""


def _ig_parts(model, x_one, steps=32):
    """(Σ IG, Σ |IG|, f_c(x), f_c(0)) for the predicted class c, black baseline."""
    import torch

    from course_lib.explain import integrated_gradients

    ig = integrated_gradients(model, x_one, steps=steps)
    with torch.no_grad():
        out_x, out_0 = model(x_one), model(torch.zeros_like(x_one))
    c = int(out_x.argmax(1))
    return float(ig.sum()), float(ig.abs().sum()), float(out_x[0, c]), float(out_0[0, c])


def _gap(model, x_one, steps=32):
    s, _, fx, f0 = _ig_parts(model, x_one, steps)
    return s - (fx - f0)


q1 = ComputedValueProblem(
    id="explain_vision.q1",
    prompt=("Compute integrated gradients for `x_one` with `model`, a black (all-zero) baseline, "
            "the predicted class and 32 steps. How far is the sum of the attributions from "
            "f(x) − f(baseline)? Store Σ attributions − (f_c(x) − f_c(0)) in `gap`."),
    variables=("gap",),
    context=("model", "x_one"),
    hints=(
        "`integrated_gradients(model, x_one, steps=32)` uses a zero baseline and the predicted "
        "class by default. You need the logit of that class at x_one and at a black image.",
        "`with torch.no_grad(): out_x, out_0 = model(x_one), model(torch.zeros_like(x_one))`; "
        "c = out_x.argmax(1).item(); gap = attributions.sum() − (out_x[0, c] − out_0[0, c]). "
        "`completeness_gap(model, x_one, attributions)` computes the same: use it to check.",
    ),
    solution_code="""\
attributions = integrated_gradients(model, x_one, steps=32)
with torch.no_grad():
    out_x, out_0 = model(x_one), model(torch.zeros_like(x_one))
c = out_x.argmax(1).item()
gap = attributions.sum().item() - (out_x[0, c] - out_0[0, c]).item()""",
    wrong_code=(
        "gap = integrated_gradients(model, x_one, steps=32).sum().item()",
        """\
attributions = integrated_gradients(model, x_one, steps=32)
c = model(x_one).argmax(1).item()
gap = attributions.sum().item() - model(x_one)[0, c].item()""",
        """\
attributions = integrated_gradients(model, x_one, steps=32)
with torch.no_grad():
    out_x, out_0 = model(x_one), model(torch.zeros_like(x_one))
c = out_x.argmax(1).item()
gap = attributions.abs().sum().item() - (out_x[0, c] - out_0[0, c]).item()""",
        """\
attributions = integrated_gradients(model, x_one)
with torch.no_grad():
    out_x, out_0 = model(x_one), model(torch.zeros_like(x_one))
c = out_x.argmax(1).item()
gap = attributions.sum().item() - (out_x[0, c] - out_0[0, c]).item()""",
        "gap = 0.0",
        "gap = 'small'",
    ),
    setup_code=_SMALL_SETUP,
    expected=_gap,
    known_wrong=(
        (lambda model, x_one: _ig_parts(model, x_one)[0],
         "that is the sum of the attributions; completeness compares it with f(x) − f(baseline), "
         "so subtract that difference."),
        (lambda model, x_one: _ig_parts(model, x_one)[0] - _ig_parts(model, x_one)[2],
         "you subtracted f(x) only: the attributions explain the *change* from the baseline, "
         "f(x) − f(baseline); the black image's logit is not zero."),
        (lambda model, x_one: _ig_parts(model, x_one)[1] - _gap_rise(model, x_one),
         "sum the signed attributions: negative ones pull the logit down, and completeness "
         "counts them with their sign."),
        (lambda model, x_one: _gap(model, x_one, steps=64),
         "that is the gap with 64 steps, `integrated_gradients`' default; the question asks for "
         "32 (`steps=32`). The gap depends on the steps: it is the error of the quadrature rule."),
        (lambda model, x_one: 0.0,
         "completeness holds for the exact integral; `integrated_gradients` approximates it by "
         "a midpoint rule over 32 points, so the gap is small but not zero: compute it."),
    ),
    abs_tol=1e-5,  # the gap is small: 1e-4 would not tell 32 steps from 64 on a random model
)


def _gap_rise(model, x_one):
    _, _, fx, f0 = _ig_parts(model, x_one)
    return fx - f0


# -- q2: which maps pass the model-randomisation test --------------------------------------------
q2 = MatchingProblem(
    id="explain_vision.q2",
    prompt=("From the cascading-randomisation table: for each method, does it pass the sanity "
            "check (its |map| changes when the model's weights are randomised: mean rank "
            "correlation with the original below 0.5 once every layer is random) or fail it "
            "(the map stays the same although the model no longer knows anything)? Fill "
            "`verdict` with \"passes\" or \"fails\" for each method."),
    variables=("verdict",),
    hints=(
        "Look at the last column of the table (all layers randomised), |map| correlations: a "
        "map that barely changes cannot be explaining what the model learned.",
        "Gradient × input and integrated gradients (black baseline) multiply by the image, so "
        "wherever the digit is black their map is 0, whatever the model: their |map| keeps the "
        "digit's shape. Saliency and Grad-CAM change.",
    ),
    solution_code=('verdict = {"saliency": "passes", "gradient × input": "fails", '
                   '"integrated gradients": "fails", "Grad-CAM": "passes"}'),
    wrong_code=(
        'verdict = {"saliency": "passes", "gradient × input": "passes", '
        '"integrated gradients": "passes", "Grad-CAM": "passes"}',
        'verdict = {"saliency": "fails", "gradient × input": "fails", '
        '"integrated gradients": "fails", "Grad-CAM": "passes"}',
        'verdict = {"saliency": "passes", "gradient × input": "fails", '
        '"integrated gradients": "fails", "Grad-CAM": "fails"}',
        'verdict = {"saliency": "passes"}',
    ),
    choices=("passes", "fails"),
    answers={"saliency": "passes", "gradient × input": "fails",
             "integrated gradients": "fails", "Grad-CAM": "passes"},
    why={
        "saliency": "its |map| correlation falls well below 0.5 once the weights are random: "
                    "the map depends on what the model learned.",
        "gradient × input": "its |map| correlation stays near 1 with random weights: the map is "
                            "mostly the image itself (zero wherever the digit is black).",
        "integrated gradients": "with a black baseline IG is (x − 0) × the average gradient, so "
                                "its |map| keeps the digit's shape whatever the weights.",
        "Grad-CAM": "its correlation drops to about zero once the weights are random.",
    },
    confusions={
        ("integrated gradients", "passes"): "its *signed* map does decorrelate, but the |map| "
                                            "people look at keeps the digit's shape: multiplying "
                                            "by (x − baseline) imprints the image.",
        ("saliency", "fails"): "saliency's correlation does not drop to zero, but it falls far "
                               "below 0.5: the threshold the question uses. Partial "
                               "dependence is still dependence on the model.",
    },
)


# -- q3: the smallest ε that flips a prediction ------------------------------------------------
_EPSILONS = tuple(round(0.01 * k, 2) for k in range(31))


def _smallest_eps(model, x_one, y_one, epsilons=_EPSILONS):
    import torch

    from course_lib.explain import fgsm

    for eps in epsilons:
        with torch.no_grad():
            if int(model(fgsm(model, x_one, y_one, eps)).argmax(1)) != int(y_one):
                return eps
    return math.nan


q3 = ComputedValueProblem(
    id="explain_vision.q3",
    prompt=("With FGSM, find the smallest ε in `epsilons` (0, 0.01, ..., 0.30) whose adversarial "
            "version of `x_one` (true label `y_one`) is no longer classified as `y_one`. Store it "
            "in `smallest_eps`."),
    variables=("smallest_eps",),
    context=("model", "x_one", "y_one"),
    hints=(
        "Loop over `epsilons` in increasing order; for each, attack with "
        "`fgsm(model, x_one, y_one, eps)` (`from course_lib.explain import fgsm`) and look at "
        "the model's predicted class.",
        "`model(adv).argmax(1).item() != y_one` tells you the prediction flipped; stop at the "
        "first ε where it does.",
    ),
    solution_code="""\
from course_lib.explain import fgsm

epsilons = [round(0.01 * k, 2) for k in range(31)]
smallest_eps = None
for eps in epsilons:
    with torch.no_grad():
        if model(fgsm(model, x_one, y_one, eps)).argmax(1).item() != y_one:
            smallest_eps = eps
            break""",
    wrong_code=(
        """\
epsilons = [round(0.01 * k, 2) for k in range(31)]
smallest_eps = 0.0
for eps in epsilons:
    with torch.no_grad():
        if model(fgsm(model, x_one, y_one, eps)).argmax(1).item() == y_one:
            smallest_eps = eps""",
        """\
epsilons = [round(0.01 * k, 2) for k in range(31)]
flips = [eps for eps in epsilons
         if model(fgsm(model, x_one, y_one, eps)).argmax(1).item() != y_one]
smallest_eps = 255 * flips[0]""",
        "smallest_eps = 'tiny'",
    ),
    setup_code=_SMALL_SETUP,
    expected=_smallest_eps,
    known_wrong=(
        (lambda model, x_one, y_one: _smallest_eps(model, x_one, y_one) - 0.01,
         "that is the largest ε that still keeps the right class; the question asks for the "
         "first one that flips it."),
        (lambda model, x_one, y_one: 255 * _smallest_eps(model, x_one, y_one),
         "give ε on the images' scale (pixel values in [0, 1]), not in 0-255 grey levels."),
    ),
    abs_tol=1e-6,
)


# -- q4: reflection --------------------------------------------------------------------------------
q4 = ReflectionProblem(
    id="explain_vision.q4",
    prompt=("A vendor sells a chest X-ray classifier and shows Grad-CAM maps that highlight the "
            "lungs. Using what this notebook showed, why is that not enough to trust the model, "
            "and what would you ask for? Write a few sentences in `answer_q4`."),
    variables=("answer_q4",),
    hints=(
        "Recall the sanity checks, the adversarial images, and the scans with the scanner tag.",
        "Think of tests that change the model or the input and see whether the explanation and "
        "the accuracy follow: randomised weights, hidden shortcuts, other hospitals, attacks.",
    ),
    solution_code='''answer_q4 = """
    A heat map is a claim, not a proof: some methods (gradient x input, IG with a black
    baseline) produce the same picture for a model with random weights, so a plausible map can
    come from the image rather than from the model. Grad-CAM also lights up any bright patch,
    used or not. Tiny adversarial changes flip the prediction while the image looks the same, so
    the model's reasons are not the ones a radiologist would use. I would ask for the
    sanity checks (model and label randomisation), accuracy on data from other hospitals and
    with the scanner tags hidden, robustness under attack, and subgroup results.
    """''',
    wrong_code=(
        'answer_q4 = "Maps can be wrong."',
        'answer_q4 = ("Convolutional networks apply learned filters to images, pool the '
        'responses and pass them to a final linear layer that outputs a score for every class '
        'in the data set they were trained on.")',
    ),
    rubric=(
        Criterion("explanations must pass sanity checks: a map that looks the same for a random "
                  "model explains nothing"),
        Criterion("a shortcut (scanner tag, hospital) can drive the prediction; test with the "
                  "shortcut hidden or on other hospitals"),
        Criterion("adversarial fragility: imperceptible changes flip the prediction"),
        Criterion("ask for evidence beyond pictures: held-out validation, subgroup results, "
                  "behavioural tests"),
    ),
)

register(q1, q2, q3, q4)
