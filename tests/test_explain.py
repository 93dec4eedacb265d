import pytest
import torch
from captum.attr import Saliency

from course_lib.explain import saliency
from course_lib.models import CNN, MLP


@pytest.fixture
def cnn():
    torch.manual_seed(0)
    return CNN(in_channels=1, n_classes=3, image_size=16, channels=(4, 8)).eval()


@pytest.mark.parametrize("abs_", [True, False])
def test_saliency_equals_captum(cnn, abs_):
    x = torch.randn(6, 1, 16, 16)
    target = torch.tensor([0, 1, 2, 0, 1, 2])
    ours = saliency(cnn, x, target, abs=abs_)
    theirs = Saliency(cnn).attribute(x.clone().requires_grad_(True), target=target, abs=abs_)
    assert ours.shape == x.shape
    torch.testing.assert_close(ours, theirs, rtol=0, atol=0)


def test_saliency_of_a_linear_model_is_its_weights():
    model = MLP(3, hidden=(), n_classes=2)
    x = torch.randn(4, 3)
    grads = saliency(model, x, target=1, abs=False)
    torch.testing.assert_close(grads, model.net[0].weight[1].detach().expand(4, 3))


def test_saliency_leaves_model_mode_and_inputs_alone(cnn):
    cnn.train()
    x = torch.randn(2, 1, 16, 16)
    saliency(cnn, x, 0)
    assert cnn.training and not x.requires_grad and x.grad is None


@pytest.mark.parametrize("inputs, target, exc, match", [
    (torch.zeros(2, 1, 16, 16, dtype=torch.long), 0, TypeError, "floating-point"),
    ("image", 0, TypeError, "floating-point"),
    (torch.zeros(2, 1, 16, 16), 3, ValueError, r"target must be in \[0, 3\)"),
    (torch.zeros(2, 1, 16, 16), [0, 1, 2], ValueError, "one index per example"),
    (torch.zeros(2, 1, 16, 16), True, TypeError, "bool"),
])
def test_saliency_bad_input(cnn, inputs, target, exc, match):
    with pytest.raises(exc, match=match):
        saliency(cnn, inputs, target)
