"""Tests for course_lib.synth._digits: rendered stand-in digits."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.synth import DIGIT_FONTS, make_digits


def test_shapes_types_range_and_balance():
    d = make_digits(1003, random_state=0)
    assert d.images.shape == (1003, 1, 28, 28) and d.images.dtype == np.float32
    assert d.label.dtype == np.int64 and len(d) == 1003
    assert d.images.min() >= 0.0 and d.images.max() <= 1.0
    counts = np.bincount(d.label, minlength=10)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 1003
    assert set(d.font) <= set(DIGIT_FONTS) and len(set(d.font)) > len(DIGIT_FONTS) // 2
    # ink on a dark background, roughly centred, like MNIST
    ink = d.images.mean(axis=(0, 1))
    assert d.images[:, :, :, :2].mean() < 0.02 and ink[10:18, 10:18].mean() > 0.2


def test_deterministic_given_random_state():
    a, b = make_digits(200, random_state=3), make_digits(200, random_state=3)
    assert np.array_equal(a.images, b.images) and np.array_equal(a.label, b.label)
    c = make_digits(200, random_state=4)
    assert not np.array_equal(a.images, c.images)


def test_other_image_sizes():
    d = make_digits(20, image_size=16, random_state=0)
    assert d.images.shape == (20, 1, 16, 16)


def test_the_classes_are_learnable_by_a_simple_proxy():
    # nearest class mean on pixels: far above chance (0.1) although the digits vary a lot
    train, test = make_digits(2000, random_state=0), make_digits(500, random_state=1)
    means = np.stack([train.images[train.label == k].reshape(-1, 784).mean(0)
                      for k in range(10)])
    dist = ((test.images.reshape(-1, 1, 784) - means[None]) ** 2).sum(-1)
    assert (dist.argmin(1) == test.label).mean() > 0.5


@pytest.mark.slow
def test_a_small_cnn_learns_them():
    import torch

    from course_lib.models import CNN, predict, train

    tr, te = make_digits(3000, random_state=0), make_digits(1000, random_state=1)
    torch.manual_seed(0)
    model = train(CNN(channels=(16, 32), image_size=28, n_classes=10), tr.images, tr.label,
                  epochs=3, lr=3e-3, progress=False).model
    assert (predict(model, te.images) == te.label).mean() > 0.9


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"n": 0}, ValueError, "n must be >= 1"),
    ({"n": 10.0}, TypeError, "n must be an int"),
    ({"image_size": 4}, ValueError, "image_size must be >= 8"),
    ({"random_state": -1}, ValueError, "random_state must be >= 0"),
    ({"random_state": None}, TypeError, "random_state must be an int"),
])
def test_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make_digits(**{"n": 10, **kwargs})
