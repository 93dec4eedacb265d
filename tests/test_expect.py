import math

import numpy as np
import pytest
import torch

from course_lib import ExpectationError, expect


def test_inside_prints_friendly_line_without_the_value(capsys):
    expect(0.734521, 0.6, 0.8, "test accuracy")
    out = capsys.readouterr().out
    assert out == "✓ test accuracy is between 0.6 and 0.8, as expected.\n"
    assert "0.7345" not in out  # the line must not change from run to run


@pytest.mark.parametrize("value", [0.5, 0.81, math.inf, -math.inf])
def test_outside_raises_naming_the_value(value):
    with pytest.raises(ExpectationError, match=r"accuracy = .* outside the expected range"):
        expect(value, 0.6, 0.8, "accuracy")


def test_nan_is_never_inside():
    with pytest.raises(ExpectationError, match="nan"):
        expect(float("nan"), 0.0, 1.0)


def test_bounds_are_inclusive(capsys):
    expect(0.6, 0.6, 0.8)
    expect(0.8, 0.6, 0.8)
    assert capsys.readouterr().out.count("✓") == 2


@pytest.mark.parametrize("value", [np.float32(0.7), np.array(0.7), torch.tensor(0.7),
                                   torch.tensor([0.7]), 1])
def test_accepts_scalars_of_every_library(value, capsys):
    expect(value, 0.5, 1.0)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("value, match", [
    ("0.7", "value must be a number"),
    (True, "value must be a number, got a bool"),
    (torch.tensor([0.7, 0.8]), "single number"),
    (None, "value must be a number"),
])
def test_rejects_non_numbers(value, match):
    with pytest.raises(TypeError, match=match):
        expect(value, 0.0, 1.0)


def test_rejects_bad_bounds():
    with pytest.raises(ValueError, match="lo must be <= hi"):
        expect(0.5, 0.8, 0.6)
    with pytest.raises(ValueError, match="finite"):
        expect(0.5, 0.0, math.inf)
    with pytest.raises(TypeError, match="what"):
        expect(0.5, 0.0, 1.0, "")
