import pytest
import torch
import torch.nn.functional as F
from captum.attr import LayerGradCam

from course_lib.explain import grad_cam
from course_lib.models import CNN


@pytest.fixture
def cnn():
    torch.manual_seed(0)
    return CNN(in_channels=1, n_classes=3, image_size=16, channels=(4, 8)).double().eval()


@pytest.mark.parametrize("layer_index", [1, 3, 4, 5])
def test_grad_cam_equals_captum_before_upsampling(cnn, layer_index):
    layer = cnn.features[layer_index]
    x = torch.rand(5, 1, 16, 16, dtype=torch.float64)
    target = torch.tensor([0, 1, 2, 1, 0])
    ours = grad_cam(cnn, layer, x, target, upsample=False)
    theirs = LayerGradCam(cnn, layer).attribute(x, target=target, relu_attributions=True)
    assert ours.shape == theirs.shape[:1] + theirs.shape[2:]
    torch.testing.assert_close(ours, theirs[:, 0], rtol=0, atol=1e-10)
    assert (ours >= 0).all() and ours.sum() > 0


def test_grad_cam_upsampled_is_bilinear_resize_of_the_layer_map(cnn):
    x = torch.rand(3, 1, 16, 16, dtype=torch.float64)
    small = grad_cam(cnn, cnn.features[4], x, 1, upsample=False)
    big = grad_cam(cnn, cnn.features[4], x, 1)
    assert small.shape == (3, 8, 8) and big.shape == (3, 16, 16)
    torch.testing.assert_close(big, F.interpolate(small[:, None], size=(16, 16),
                                                  mode="bilinear")[:, 0])


def test_grad_cam_by_hand_for_one_example(cnn):
    # α_k = mean of ∂y/∂A_k, map = ReLU(Σ_k α_k A_k), computed without hooks
    x = torch.rand(1, 1, 16, 16, dtype=torch.float64)
    acts = cnn.features[:3](x).detach().requires_grad_(True)
    y = cnn.classifier(cnn.features[3:](acts))[0, 2]
    (g,) = torch.autograd.grad(y, acts)
    expected = torch.relu((g.mean(dim=(2, 3), keepdim=True) * acts).sum(1)).detach()
    torch.testing.assert_close(grad_cam(cnn, cnn.features[2], x, 2, upsample=False), expected)


def test_grad_cam_target_none_is_prediction_and_model_untouched(cnn):
    cnn.train()
    x = torch.rand(4, 1, 16, 16, dtype=torch.float64)
    with torch.no_grad():
        pred = cnn.eval()(x).argmax(1)
    cnn.train()
    torch.testing.assert_close(grad_cam(cnn, cnn.features[4], x, None),
                               grad_cam(cnn, cnn.features[4], x, pred))
    assert cnn.training and not x.requires_grad
    assert not cnn.features[4]._forward_hooks


def test_grad_cam_bad_input(cnn):
    x = torch.rand(2, 1, 16, 16, dtype=torch.float64)
    with pytest.raises(ValueError, match="layer must be a module inside model"):
        grad_cam(cnn, torch.nn.Conv2d(1, 4, 3), x, 0)
    with pytest.raises(ValueError, match="layer must be a module inside model"):
        grad_cam(cnn, "features.3", x, 0)
    with pytest.raises(ValueError, match=r"target must be in \[0, 3\)"):
        grad_cam(cnn, cnn.features[4], x, 3)
    with pytest.raises(ValueError, match="one index per example"):
        grad_cam(cnn, cnn.features[4], x, [0, 1, 2])
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        grad_cam(cnn, cnn.features[4], x[0], 0)
    with pytest.raises(TypeError, match="x must be a floating"):
        grad_cam(cnn, cnn.features[4], x.long(), 0)
    with pytest.raises(ValueError, match=r"\(N, K, h, w\)"):
        grad_cam(cnn, cnn.classifier[1], x, 0)
