"""Exercises for notebook 05 (explaining vision models):
``from course_lib.exercises.explain_vision import q1, q2, q3, q4, q5``.

q1 is the completeness gap by hand, q2 the auditor's choice of a heat-map method (a decision),
q3 the implement-the-core exercise (one FGSM step, checked on hidden cases), q4 the smallest ε
that flips a digit, q5 a reflection.

``ComputedValueProblem`` is a number whose right value depends on objects the notebook made (a
trained model, an image): the check recomputes it from those objects with course_lib, so the
same problem is exact in the notebook and in the tests (which use a small random model).
"""

from __future__ import annotations

import math

import numpy as np

from course_lib.exercises._core import (
    ComputedValueProblem,
    Criterion,
    DecisionProblem,
    Option,
    ReflectionProblem,
    register,
)
from course_lib.exercises._function import Case, FunctionProblem

__all__ = ["q1", "q2", "q3", "q4", "q5", "fgsm_step_reference"]


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
        "Completeness says the attributions add up to the change of the class's logit between "
        "the baseline and the image: compare the two numbers.",
        "`integrated_gradients(model, x_one, steps=32)` uses a black baseline and the predicted "
        "class by default (its own default is 64 steps). You also need the logit of that class "
        "at `x_one` and at a black image, `torch.zeros_like(x_one)`.",
        "`with torch.no_grad(): out_x, out_0 = model(x_one), model(torch.zeros_like(x_one))`, "
        "`c = out_x.argmax(1).item()`; then gap = (sum of the attributions) − (out_x[0, c] − "
        "out_0[0, c]), each as a Python number with `.item()`. `completeness_gap(model, x_one, "
        "attributions)` computes the same: use it to check yourself.",
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


# -- q2: the auditor's choice of a heat-map method ----------------------------------------------
q2 = DecisionProblem(
    id="explain_vision.q2",
    prompt=("You write the audit report of a model like this one and may show one kind of heat "
            "map beside its predictions. Given the sanity checks above, which method do you "
            "choose? Set `method` to one of \"saliency\", \"SmoothGrad\", \"Grad-CAM\", "
            "\"gradient × input\" or \"integrated gradients\" (black baseline, as computed here)."),
    variables=("method",),
    hints=(
        "A map you show must at least depend on the model: look at which methods keep their "
        "picture when the weights or the labels are random.",
        "Methods whose |map| correlation stays near 1 with a random model or shuffled labels "
        "show the image, not the model. Among the others, weigh what each costs: noise, "
        "resolution, maps that are empty.",
        "Saliency, SmoothGrad and Grad-CAM fall below 0.5 in both tables; gradient × input and "
        "IG with a black baseline stay above 0.9. Pick one of the first three and be ready to "
        "say what its map cannot show.",
    ),
    solution_code='method = "SmoothGrad"',
    wrong_code=('method = "gradient × input"', 'method = "integrated gradients"',
                'method = "LIME"', "method = 2"),
    options={
        "saliency": Option(True, "it passes both randomisation checks, so its map depends on "
                                 "what the model learned; but it is speckled and spreads onto the "
                                 "background, and it shows where the score is *sensitive*, not "
                                 "what contributed."),
        "SmoothGrad": Option(True, "it passes both checks and is less noisy than saliency; but "
                                   "it costs one gradient per noisy copy, and the noise level σ is "
                                   "a choice the report must state (a larger σ smooths more)."),
        "Grad-CAM": Option(True, "it passes both checks and is class-specific; but its map has "
                                 "the layer's coarse resolution (14×14 here), is empty for a large "
                                 "share of the digits (section 4), and lights any bright patch "
                                 "(section 8)."),
        "gradient × input": Option(False, "its |map| keeps a rank correlation above 0.9 with the "
                                          "original for a random model and for shuffled labels: "
                                          "it multiplies by the image, so it shows the digit "
                                          "whatever the model knows."),
        "integrated gradients": Option(False, "with a black baseline it fails both checks like "
                                              "gradient × input (above 0.9): (x − 0) imprints "
                                              "the image. It would need another baseline, and "
                                              "the checks run again on it."),
    },
)


# -- q3: one FGSM step, implemented --------------------------------------------------------------
def fgsm_step_reference(x, grad, epsilon, low=0.0, high=1.0):
    """x' = clip(x + ε·sign(grad), low, high): course_lib's FGSM step (``fgsm``) on given arrays."""
    import torch

    xt = torch.as_tensor(np.asarray(x, dtype=float))
    step = epsilon * torch.sign(torch.as_tensor(np.asarray(grad, dtype=float)))
    return (xt + step).clamp(low, high).numpy()


def _wrong_fns():
    """The mistakes learners make in an FGSM step, as functions (their results on each case are
    the catalogued mistakes)."""
    return {
        "raw gradient": lambda x, g, e, low=0.0, high=1.0: np.clip(x + e * np.asarray(g), low,
                                                                   high),
        "descent": lambda x, g, e, low=0.0, high=1.0: np.clip(x - e * np.sign(g), low, high),
        "no clip": lambda x, g, e, low=0.0, high=1.0: x + e * np.sign(g),
        "perturbation only": lambda x, g, e, low=0.0, high=1.0: e * np.sign(g),
        "sign of zero": lambda x, g, e, low=0.0, high=1.0: np.clip(
            x + e * np.where(np.asarray(g) >= 0, 1.0, -1.0), low, high),
        "fixed range": lambda x, g, e, low=0.0, high=1.0: np.clip(x + e * np.sign(g), 0.0, 1.0),
    }


_WHY = {
    "raw gradient": "you stepped along the gradient itself (ε × grad); FGSM takes its *sign*, so "
                    "every pixel moves by exactly ε, the most an L∞ budget allows.",
    "descent": "you moved against the gradient, which *lowers* the loss and makes the model more "
               "sure of the true class; an attack adds ε·sign(grad) to climb the loss.",
    "no clip": "some pixels left the valid range: clip the result to [low, high], as an image "
               "cannot be darker than black or brighter than white.",
    "perturbation only": "that is the change ε·sign(grad) alone; return the attacked image, "
                         "x plus that change (clipped).",
    "sign of zero": "a pixel whose gradient is exactly 0 moved: sign(0) is 0 (`np.sign`), so "
                    "FGSM leaves it alone; a test like `grad >= 0` gives it +1.",
    "fixed range": "you clipped to [0, 1] whatever `low` and `high` say; these images live in "
                   "[−1, 1]: clip to the range the arguments give.",
}

_FGSM_CASES = (
    ("mixed signs", (np.array([[0.2, 0.5], [0.7, 0.4]]), np.array([[0.3, -2.0], [1e-4, -0.01]]),
                     0.1), {}),
    ("pixels at the edge of the range", (np.array([0.0, 1.0, 0.95, 0.02]),
                                         np.array([-1.0, 1.0, 1.0, -1.0]), 0.1), {}),
    ("a zero gradient", (np.array([0.5, 0.5, 0.5]), np.array([0.0, 2.0, -3.0]), 0.05), {}),
    ("ε = 0", (np.array([0.1, 0.9]), np.array([1.0, -1.0]), 0.0), {}),
    ("images in [−1, 1]", (np.array([-0.95, 0.0, 0.98]), np.array([-1.0, 1.0, 1.0]), 0.1),
     {"low": -1.0, "high": 1.0}),
    ("a batch of two 2×2 images", (np.linspace(0, 1, 8).reshape(2, 1, 2, 2),
                                   np.array([1, -1, 1, -1, -1, 1, 0, 1.0]).reshape(2, 1, 2, 2),
                                   0.2), {}),
)


def _fgsm_case(label, args, kwargs):
    """A hidden case, with the result of each catalogued mistake that differs on it."""
    expected = fgsm_step_reference(*args, **kwargs)
    mistakes = []
    for key, fn in _wrong_fns().items():
        got = fn(*args, **kwargs)
        if not np.allclose(got, expected):
            mistakes.append((got, _WHY[key]))
    return Case(label, args, kwargs, mistakes=tuple(mistakes))


def _fgsm_def(body):
    return ("import numpy as np\n\n\ndef fgsm_step(x, grad, epsilon, low=0.0, high=1.0):\n"
            f"    return {body}\n")


q3 = FunctionProblem(
    id="explain_vision.q3",
    prompt=("Write the core of FGSM yourself: `fgsm_step(x, grad, epsilon, low=0.0, high=1.0)` "
            "returns x + ε·sign(grad), clipped to [low, high], for numpy arrays of any shape. "
            "`q3.check()` runs it on cases you do not see: pixels at the edge of the range, a "
            "zero gradient, ε = 0, images in [−1, 1], a batch."),
    variables=("fgsm_step",),
    hints=(
        "Every pixel moves by the same amount ε, only the direction comes from the gradient: "
        "up where the gradient is positive, down where it is negative.",
        "`np.sign` gives +1, −1, or 0 for a zero gradient; `np.clip(a, low, high)` keeps values "
        "in the range. Use the arguments `low` and `high`, not 0 and 1.",
        "The body is one line: clip (x plus epsilon times the sign of grad) to [low, high], "
        "that is `np.clip(x + epsilon * ____, ____, ____)`.",
    ),
    solution_code=_fgsm_def("np.clip(x + epsilon * np.sign(grad), low, high)"),
    wrong_code=(
        _fgsm_def("np.clip(x + epsilon * grad, low, high)"),
        _fgsm_def("np.clip(x - epsilon * np.sign(grad), low, high)"),
        _fgsm_def("x + epsilon * np.sign(grad)"),
        _fgsm_def("epsilon * np.sign(grad)"),
        _fgsm_def("np.clip(x + epsilon * np.where(grad >= 0, 1, -1), low, high)"),
        _fgsm_def("np.clip(x + epsilon * np.sign(grad), 0, 1)"),
        "from course_lib.exercises import ____\n\n\n"
        "def fgsm_step(x, grad, epsilon, low=0.0, high=1.0):\n    return ____\n",
    ),
    setup_code="import numpy as np\n",
    cases=tuple(_fgsm_case(*c) for c in _FGSM_CASES),
    reference=fgsm_step_reference,
)


# -- q4: the smallest ε that flips a prediction ------------------------------------------------
_EPSILONS = tuple(round(0.002 * k, 3) for k in range(151))
_COARSE = tuple(round(0.01 * k, 2) for k in range(31))


_FLIP_CACHE: dict[tuple, float] = {}


def _smallest_eps(model, x_one, y_one, epsilons=_EPSILONS, attack="fgsm"):
    """The first ε of ``epsilons`` whose attack changes the prediction (NaN if none does).

    One check computes this for FGSM, PGD and two grids (the answer and its near misses), for
    the same model and image: results are kept, keyed by the weights' and the image's values, so
    a retrained model or another image is computed afresh.
    """
    import torch

    from course_lib.explain import fgsm, pgd

    with torch.no_grad():
        weights = tuple(float(p.double().sum()) for p in model.parameters())
    key = (weights, float(x_one.double().sum()), tuple(x_one.shape), int(y_one), attack,
           tuple(epsilons))
    if key in _FLIP_CACHE:
        return _FLIP_CACHE[key]
    found = math.nan
    if attack == "fgsm":  # one gradient serves every ε: fgsm(ε) = clamp(x + ε·sign(∇), 0, 1)
        sign = torch.sign(fgsm(model, x_one, y_one, 1.0, clamp=None) - x_one)
        eps_t = torch.tensor(epsilons, dtype=x_one.dtype).view(-1, *[1] * (x_one.ndim - 1))
        with torch.no_grad():
            flipped = (model((x_one + eps_t * sign).clamp(0, 1)).argmax(1) != int(y_one))
        hits = torch.nonzero(flipped).flatten()
        found = epsilons[int(hits[0])] if len(hits) else math.nan
    else:
        for eps in epsilons:
            adv = pgd(model, x_one, y_one, eps, step_size=eps / 4, steps=10, random_state=0)
            with torch.no_grad():
                if int(model(adv).argmax(1)) != int(y_one):
                    found = eps
                    break
    if len(_FLIP_CACHE) > 64:
        _FLIP_CACHE.clear()
    _FLIP_CACHE[key] = found
    return found


# a stand-in digit (not noise) for the random model of the tests: there PGD, the 0.01 grid and
# the grid point before the flip all give different answers, so each gets its own feedback
_DIGIT_SETUP = _SMALL_SETUP.split("x_one = ")[0] + """\
from course_lib.synth import make_digits

x_one = torch.from_numpy(make_digits(3, random_state=0).images[2:3])
with torch.no_grad():
    y_one = int(model(x_one).argmax(1))
"""

q4 = ComputedValueProblem(
    id="explain_vision.q4",
    prompt=("With FGSM, find the smallest ε in `epsilons` (0, 0.002, 0.004, ..., 0.3) whose "
            "adversarial version of `x_one` (true label `y_one`) is no longer classified as "
            "`y_one`. Store it in `smallest_eps`."),
    variables=("smallest_eps",),
    context=("model", "x_one", "y_one"),
    hints=(
        "Try the budgets in increasing order and stop at the first one that changes the "
        "model's answer.",
        "For each ε, attack with `fgsm(model, x_one, y_one, eps)` (one step: not `pgd`, which "
        "is a stronger attack and may flip the digit at a smaller ε) and compare the model's "
        "predicted class with `y_one`.",
        "`for eps in epsilons:` ... `if model(fgsm(model, x_one, y_one, eps)).argmax(1).item() "
        "!= y_one:` then keep `eps` in `smallest_eps` and `break`.",
    ),
    solution_code="""\
from course_lib.explain import fgsm

epsilons = [round(0.002 * k, 3) for k in range(151)]
smallest_eps = None
for eps in epsilons:
    with torch.no_grad():
        if model(fgsm(model, x_one, y_one, eps)).argmax(1).item() != y_one:
            smallest_eps = eps
            break""",
    wrong_code=(
        """\
epsilons = [round(0.002 * k, 3) for k in range(151)]
smallest_eps = 0.0
for eps in epsilons:
    with torch.no_grad():
        if model(fgsm(model, x_one, y_one, eps)).argmax(1).item() == y_one:
            smallest_eps = eps""",
        """\
epsilons = [round(0.002 * k, 3) for k in range(151)]
flips = [eps for eps in epsilons
         if model(fgsm(model, x_one, y_one, eps)).argmax(1).item() != y_one]
smallest_eps = 255 * flips[0]""",
        """\
from course_lib.explain import pgd

epsilons = [round(0.002 * k, 3) for k in range(151)]
for eps in epsilons:
    adv = pgd(model, x_one, y_one, eps, step_size=eps / 4, steps=10, random_state=0)
    if model(adv).argmax(1).item() != y_one:
        smallest_eps = eps
        break""",
        """\
for eps in [round(0.01 * k, 2) for k in range(31)]:
    if model(fgsm(model, x_one, y_one, eps)).argmax(1).item() != y_one:
        smallest_eps = eps
        break""",
        "smallest_eps = 'tiny'",
    ),
    setup_code=_DIGIT_SETUP,
    expected=_smallest_eps,
    known_wrong=(
        (lambda model, x_one, y_one: _smallest_eps(model, x_one, y_one) - 0.002,
         "that is the largest ε that still keeps the right class; the question asks for the "
         "first one that flips it."),
        (lambda model, x_one, y_one: 255 * _smallest_eps(model, x_one, y_one),
         "give ε on the images' scale (pixel values in [0, 1]), not in 0-255 grey levels."),
        (lambda model, x_one, y_one: _smallest_eps(model, x_one, y_one, attack="pgd"),
         "that is the smallest ε for PGD, the stronger attack of the figure above; the question "
         "asks for FGSM (`fgsm`), one step of ε. That PGD needs a smaller ε is the point of "
         "comparing them."),
        (lambda model, x_one, y_one: _smallest_eps(model, x_one, y_one, _COARSE),
         "that is the answer on a grid of 0.01 steps; `epsilons` goes in steps of 0.002 "
         "(`[round(0.002 * k, 3) for k in range(151)]`)."),
    ),
    abs_tol=1e-6,
)


# -- q5: reflection --------------------------------------------------------------------------------
q5 = ReflectionProblem(
    id="explain_vision.q5",
    prompt=("A vendor sells a chest X-ray classifier and shows Grad-CAM maps that highlight the "
            "lungs. Using what this notebook showed, why is that not enough to trust the model, "
            "and what would you ask for? Write a few sentences in `answer_q5`."),
    variables=("answer_q5",),
    hints=(
        "Recall the sanity checks, the adversarial images, and the scans with the scanner tag.",
        "Think of tests that change the model or the input and see whether the explanation and "
        "the accuracy follow: randomised weights, hidden shortcuts, other hospitals, attacks.",
        "Structure it in three parts: what a map can show although the model is wrong (two "
        "examples from this notebook); which behavioural tests would show it; what evidence, "
        "beyond pictures, you would ask the vendor for.",
    ),
    solution_code='''answer_q5 = """
    A heat map is a claim, not a proof: some methods (gradient x input, IG with a black
    baseline) produce the same picture for a model with random weights, so a plausible map can
    come from the image rather than from the model. Grad-CAM also lights up any bright patch,
    used or not. Tiny adversarial changes flip the prediction while the image looks the same, so
    the model's reasons are not the ones a radiologist would use. I would ask for the
    sanity checks (model and label randomisation), accuracy on data from other hospitals and
    with the scanner tags hidden, robustness under attack, and subgroup results.
    """''',
    wrong_code=(
        'answer_q5 = "Maps can be wrong."',
        'answer_q5 = "Grad-CAM maps lungs. " * 12',
        'answer_q5 = ("A vendor sells a chest X-ray classifier and shows Grad-CAM maps that '
        'highlight the lungs. Why is that not enough to trust the model, and what would you ask '
        'for? Grad-CAM maps highlight the lungs.")',
        "answer_q5 = 42",
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
    discussion=("In pairs: one plays the vendor and defends the Grad-CAM maps, the other asks "
                "for one test that could prove them wrong; then swap. Which request would the "
                "vendor find hardest to meet, and why does that make it the most useful?"),
)

register(q1, q2, q3, q4, q5)
