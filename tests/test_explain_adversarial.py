import numpy as np
import pytest
import torch
import torch.nn.functional as F
from captum.robust import FGSM, PGD

from course_lib.explain import accuracy_under_attack, fgsm, pgd
from course_lib.models import CNN, MLP, train


@pytest.fixture
def cnn():
    torch.manual_seed(0)
    return CNN(in_channels=1, n_classes=3, image_size=16, channels=(4, 8)).double().eval()


def _ce(out, y):
    return F.cross_entropy(out, y, reduction="none")


# captum warns that it switched on requires_grad for the inputs it was given
_CAPTUM_GRAD = pytest.mark.filterwarnings(
    "ignore:Input Tensor 0 did not already require gradients:UserWarning")


@_CAPTUM_GRAD
def test_fgsm_equals_captum(cnn):
    x = torch.rand(6, 1, 16, 16, dtype=torch.float64)
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    ours = fgsm(cnn, x, y, 0.03)
    attack = FGSM(cnn, loss_func=_ce, lower_bound=0.0, upper_bound=1.0)
    attack.zero_thresh = 0.0  # captum leaves pixels with |grad| <= 1e-6 alone; sign() does not
    theirs = attack.perturb(x, 0.03, y)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-12)
    assert (ours - x).abs().max() <= 0.03 + 1e-12 and ours.min() >= 0 and ours.max() <= 1


@_CAPTUM_GRAD
def test_pgd_without_random_start_equals_captum(cnn):
    x = torch.rand(4, 1, 16, 16, dtype=torch.float64)
    y = torch.tensor([2, 1, 0, 1])
    ours = pgd(cnn, x, y, 0.05, 0.02, 5, random_start=False)
    attack = PGD(cnn, loss_func=_ce, lower_bound=0.0, upper_bound=1.0)
    attack.fgsm.zero_thresh = 0.0
    theirs = attack.perturb(
        x, radius=0.05, step_size=0.02, step_num=5, target=y, random_start=False, norm="Linf")
    torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-12)


def test_pgd_random_start_stays_in_the_ball_and_raises_the_loss(cnn):
    x = torch.rand(8, 1, 16, 16, dtype=torch.float64)
    y = torch.zeros(8, dtype=torch.long)
    adv = pgd(cnn, x, y, 0.1, 0.03, 10, random_state=1)
    assert (adv - x).abs().max() <= 0.1 + 1e-12 and adv.min() >= 0 and adv.max() <= 1
    with torch.no_grad():
        assert F.cross_entropy(cnn(adv), y) > F.cross_entropy(cnn(x), y)
        assert F.cross_entropy(cnn(adv), y) >= F.cross_entropy(cnn(fgsm(cnn, x, y, 0.1)), y) - 1e-9
    assert torch.equal(adv, pgd(cnn, x, y, 0.1, 0.03, 10, random_state=1))
    assert not torch.equal(adv, pgd(cnn, x, y, 0.1, 0.03, 10, random_state=2))


def test_accuracy_under_attack_falls_with_epsilon():
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(400, 2, generator=gen)
    y = (x[:, 0] > x[:, 1]).long()
    torch.manual_seed(0)
    # a linear model: FGSM's sign step is optimal, so ε = 0.5 flips every point
    model = train(MLP(2, hidden=()), x, y, epochs=60, lr=0.05, progress=False).model
    for attack in ("fgsm", "pgd"):
        acc = accuracy_under_attack(model, x, y, [0.0, 0.02, 0.1, 0.5], attack=attack,
                                    batch_size=128)
        assert acc[0] > 0.9
        assert np.all(np.diff(acc) <= 1e-9) and acc[-1] < 0.1
    clean = (model(x).argmax(1) == y).float().mean().item()
    assert accuracy_under_attack(model, x, y, [0.0])[0] == pytest.approx(clean)


def test_attacks_bad_input(cnn):
    x = torch.rand(2, 1, 16, 16, dtype=torch.float64)
    with pytest.raises(ValueError, match="epsilon must be in"):
        fgsm(cnn, x, 0, -0.1)
    with pytest.raises(ValueError, match=r"target must be in \[0, 3\)"):
        fgsm(cnn, x, 5, 0.1)
    with pytest.raises(TypeError, match="inputs must be a floating"):
        pgd(cnn, x.long(), 0, 0.1, 0.01, 3)
    with pytest.raises(ValueError, match="steps must be >= 1"):
        pgd(cnn, x, 0, 0.1, 0.01, 0)
    with pytest.raises(ValueError, match="clamp must have low < high"):
        fgsm(cnn, x, 0, 0.1, clamp=(1.0, 0.0))
    with pytest.raises(ValueError, match="attack must be"):
        accuracy_under_attack(cnn, x, [0, 1], [0.1], attack="cw")
    with pytest.raises(TypeError, match="epsilons must be a non-empty sequence"):
        accuracy_under_attack(cnn, x, [0, 1], 0.1)
    with pytest.raises(ValueError, match=r"target must be in \[0, 3\)"):
        accuracy_under_attack(cnn, x, [0, 4], [0.1])
    with pytest.raises(ValueError, match="one index per example"):
        accuracy_under_attack(cnn, x, [0, 1, 2], [0.1])
    with pytest.raises(ValueError, match="true labels"):
        accuracy_under_attack(cnn, x, None, [0.1])
