"""Notebook 05's explorer: an attacked digit as ε, the attack and its goal move (no browser)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.explain import explore_adversarial, fgsm, pgd, saliency
from course_lib.explain._explore_vision import UNTARGETED, adversarial_grid
from course_lib.models import CNN
from course_lib.synth import make_digits


@pytest.fixture(scope="module")
def digit_model():
    """A small untrained CNN (training one takes too long for a unit test: the attacks need only
    gradients), a stand-in digit, and the class the model gives it as its true label."""
    torch.manual_seed(0)
    model = CNN(channels=(4, 8), image_size=28, n_classes=10).eval()
    x = torch.from_numpy(make_digits(3, random_state=0).images[2:3])
    with torch.no_grad():
        y = int(model(x).argmax(1))
    return model, x, y


@pytest.fixture(scope="module")
def explorer(digit_model):
    return explore_adversarial(*digit_model)


def test_default_view_shows_the_clean_and_attacked_probabilities(explorer, digit_model):
    model, x, y = digit_model
    view = explorer.set(epsilon=0.0, attack="FGSM", goal=UNTARGETED)
    with torch.no_grad():
        clean = torch.softmax(model(x), 1)[0].numpy()
    assert list(view.table.columns) == ["clean", "attacked"] and len(view.table) == 10
    np.testing.assert_allclose(view.table["clean"], clean.round(2))
    np.testing.assert_allclose(view.table["attacked"], clean.round(2))  # ε = 0: no change
    assert "the prediction holds" in view.note and view.figure is not None


def test_moving_epsilon_up_lowers_the_true_class_and_the_attack_succeeds(explorer, digit_model):
    _, _, y = digit_model
    p_true, flipped = [], []
    for eps in (0.0, 0.05, 0.1, 0.15, 0.2):
        view = explorer.set(epsilon=eps, attack="FGSM", goal=UNTARGETED)
        p_true.append(view.table.loc[y, "attacked"])
        flipped.append(view.table["attacked"].idxmax() != y)
    assert p_true[-1] <= p_true[1] <= p_true[0] and p_true[-1] < p_true[0]
    assert not flipped[0] and any(flipped), (p_true, flipped)
    assert "the attack succeeds" in explorer.set(epsilon=0.2).note


def test_the_view_equals_course_libs_fgsm_and_saliency_at_that_setting(explorer, digit_model):
    model, x, y = digit_model
    view = explorer.set(epsilon=0.08, attack="FGSM", goal=UNTARGETED)
    adv = fgsm(model, x, y, 0.08)
    with torch.no_grad():
        probs = torch.softmax(model(adv), 1)[0]
    pred = int(probs.argmax())
    np.testing.assert_allclose(view.table["attacked"], probs.numpy().round(2), atol=1e-6)
    shown = view.figure.axes[1].images[0].get_array()
    np.testing.assert_allclose(shown, adv[0, 0].numpy(), atol=1e-6)
    heat = view.figure.axes[3].images[0].get_array()
    np.testing.assert_allclose(heat, saliency(model, adv, pred)[0, 0].numpy(), rtol=1e-4,
                               atol=1e-6)
    assert f"predicted {pred}" in view.note


def test_pgd_untargeted_is_course_libs_pgd_from_x(digit_model):
    model, x, y = digit_model
    grid = adversarial_grid(model, x, y, epsilons=(0.0, 0.05, 0.1), pgd_steps=10)
    for e, eps in enumerate((0.0, 0.05, 0.1)):
        ours = grid["images"][1, e, 0]
        theirs = pgd(model, x, y, eps, 2.5 * eps / 10, 10, random_start=False)[0]
        torch.testing.assert_close(ours, theirs, atol=1e-6, rtol=0)


@pytest.mark.filterwarnings("ignore:Input Tensor 0 did not already require gradients")
def test_targeted_attacks_agree_with_captum(digit_model):
    from captum.robust import FGSM, PGD

    def ce(out, t):
        return F.cross_entropy(out, t, reduction="none")

    model, x, y = digit_model
    goal = (y + 3) % 10
    grid = adversarial_grid(model, x, y, epsilons=(0.05, 0.15), goals=(goal,), pgd_steps=5)
    for e, eps in enumerate((0.05, 0.15)):
        fgsm_attack = FGSM(model, loss_func=ce, lower_bound=0.0, upper_bound=1.0)
        fgsm_attack.zero_thresh = 0.0  # captum leaves |grad| <= 1e-6 alone; sign() does not
        theirs = fgsm_attack.perturb(x, eps, torch.tensor([goal]), targeted=True)
        torch.testing.assert_close(grid["images"][0, e, 0], theirs[0], atol=1e-6, rtol=0)
        pgd_attack = PGD(model, loss_func=ce, lower_bound=0.0, upper_bound=1.0)
        pgd_attack.fgsm.zero_thresh = 0.0
        theirs = pgd_attack.perturb(x, radius=eps, step_size=2.5 * eps / 5, step_num=5,
                                    target=torch.tensor([goal]), targeted=True,
                                    random_start=False, norm="Linf")
        torch.testing.assert_close(grid["images"][1, e, 0], theirs[0], atol=1e-6, rtol=0)


def test_moving_the_goal_pushes_towards_that_class(explorer, digit_model):
    _, _, y = digit_model
    goal = (y + 3) % 10
    low = explorer.set(epsilon=0.0, attack="PGD", goal=goal).table.loc[goal, "attacked"]
    view = explorer.set(epsilon=0.2, attack="PGD", goal=goal)
    assert view.table.loc[goal, "attacked"] > low
    assert view.table["attacked"].idxmax() == goal and "reaches its goal" in view.note


def test_bad_input_names_the_argument(digit_model):
    model, x, y = digit_model
    with pytest.raises(ValueError, match="inputs must hold one image"):
        adversarial_grid(model, x.repeat(2, 1, 1, 1), y)
    with pytest.raises(ValueError, match="target must be a class"):
        adversarial_grid(model, x, 10)
    with pytest.raises(TypeError, match="inputs"):
        explore_adversarial(model, x.numpy(), y)
