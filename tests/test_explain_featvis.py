import pytest
import torch

from course_lib.explain import visualize_class
from course_lib.models import CNN


@pytest.fixture
def cnn():
    torch.manual_seed(0)
    return CNN(in_channels=1, n_classes=3, image_size=16, channels=(4, 8)).eval()


def test_objective_increases_and_image_is_valid(cnn):
    vis = visualize_class(cnn, 1, shape=(1, 16, 16), steps=60, lr=0.05, random_state=0)
    assert vis.image.shape == (1, 16, 16) and len(vis.objective) == 60
    assert vis.image.min() >= 0 and vis.image.max() <= 1
    assert vis.objective[-1] > vis.objective[0] + 0.1
    with torch.no_grad():
        start = cnn(torch.full((1, 1, 16, 16), 0.5))[0, 1]
        end = cnn(vis.image[None])[0, 1]
    assert end > start
    assert not vis.image.requires_grad
    assert all(p.grad is None for p in cnn.parameters())  # the model is left alone


def test_deterministic_given_random_state(cnn):
    a = visualize_class(cnn, 2, shape=(1, 16, 16), steps=10, random_state=3)
    b = visualize_class(cnn, 2, shape=(1, 16, 16), steps=10, random_state=3)
    c = visualize_class(cnn, 2, shape=(1, 16, 16), steps=10, random_state=4)
    assert torch.equal(a.image, b.image) and a.objective == b.objective
    assert not torch.equal(a.image, c.image)


def test_a_batch_of_targets_is_optimised_independently(cnn):
    vis = visualize_class(cnn, [0, 1, 2], shape=(1, 16, 16), steps=30, random_state=0)
    assert vis.image.shape == (3, 1, 16, 16)
    with torch.no_grad():
        logits = cnn(vis.image)
        start = cnn(torch.full((1, 1, 16, 16), 0.5))[0]
    for k in range(3):
        assert logits[k, k] > start[k]
    assert vis.objective[-1] > vis.objective[0]


def test_channel_of_a_layer(cnn):
    layer = cnn.features[1]
    vis = visualize_class(cnn, 3, shape=(1, 16, 16), steps=40, layer=layer, decay=0.0)
    assert vis.objective[-1] > vis.objective[0]
    assert not layer._forward_hooks


def test_decay_shrinks_the_image(cnn):
    kw = {"shape": (1, 16, 16), "steps": 40, "random_state": 0, "clamp": None}
    free = visualize_class(cnn, 0, decay=0.0, **kw)
    held = visualize_class(cnn, 0, decay=0.5, **kw)
    assert held.image.norm() < free.image.norm()


def test_bad_input(cnn):
    with pytest.raises(ValueError, match=r"target must be in \[0, 3\)"):
        visualize_class(cnn, 3, shape=(1, 16, 16), steps=1)
    with pytest.raises(ValueError, match="shape must be"):
        visualize_class(cnn, 0, shape=(16, 16), steps=1)
    with pytest.raises(ValueError, match="lr must be in"):
        visualize_class(cnn, 0, shape=(1, 16, 16), lr=0)
    with pytest.raises(ValueError, match="layer must be a module inside model"):
        visualize_class(cnn, 0, shape=(1, 16, 16), layer=torch.nn.ReLU())
    with pytest.raises(TypeError, match="target must be an int"):
        visualize_class(cnn, 1.0, shape=(1, 16, 16))
    with pytest.raises(ValueError, match="non-empty list"):
        visualize_class(cnn, [], shape=(1, 16, 16))
    with pytest.raises(ValueError, match="channel"):
        visualize_class(cnn, 9, shape=(1, 16, 16), steps=1, layer=cnn.features[1])
    with pytest.raises(TypeError, match="shape must be a"):  # was an unnamed "not iterable"
        visualize_class(cnn, 0, shape=None, steps=1)
