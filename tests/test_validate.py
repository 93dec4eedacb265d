import math

import numpy as np
import pytest

from course_lib._validate import check_array, check_bool, check_int, check_real, rng_streams


def test_check_int():
    assert check_int(np.int64(3), "n", 1) == 3 and isinstance(check_int(np.int64(3), "n"), int)
    with pytest.raises(TypeError, match="n must be an int, got bool"):
        check_int(True, "n")
    with pytest.raises(TypeError, match="n must be an int, got float"):
        check_int(2.0, "n")
    with pytest.raises(ValueError, match="n must be >= 1, got 0"):
        check_int(0, "n", 1)


def test_check_real():
    assert check_real(np.float32(0.5), "p", 0, 1) == 0.5
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\), got 1"):
        check_real(1, "p", 0, 1, hi_open=True)
    with pytest.raises(ValueError, match="p must be in"):
        check_real(math.nan, "p")
    with pytest.raises(TypeError, match="p must be a real number, got str"):
        check_real("0.5", "p")
    with pytest.raises(ValueError, match="p must be finite, got inf"):
        check_real(math.inf, "p", 0.0, finite=True)
    assert check_real(math.inf, "p", 0.0) == math.inf  # allowed unless finite=True


def test_check_bool():
    assert check_bool(np.bool_(True), "flag") is True
    with pytest.raises(TypeError, match="flag must be True or False, got 1"):
        check_bool(1, "flag")


def test_check_array():
    out = check_array([[1, 2], [True, 0]], "z", 2)
    assert out.dtype == float and out.tolist() == [[1.0, 2.0], [1.0, 0.0]]
    with pytest.raises(ValueError, match=r"w must have one entry per row of z \(3\), got 2"):
        check_array([1.0, 2.0], "w", 1, rows=3, rows_of="z")
    with pytest.raises(ValueError, match="z must be a non-empty 2-D array"):
        check_array(np.empty((0, 2)), "z", 2)
    with pytest.raises(ValueError, match="y contains NaN or infinite values"):
        check_array([1.0, math.inf], "y", 1)
    with pytest.raises(TypeError, match="y must be numeric, got dtype <U1"):
        check_array(["a"], "y", 1)


def test_rng_streams_are_independent_and_repeatable():
    a, b = rng_streams(0, ("x", "y")), rng_streams(0, ("x", "y", "z"))
    assert a["x"].random() == b["x"].random()  # adding a stream does not change the others
    assert rng_streams(1, ("x",))["x"].random() != rng_streams(0, ("x",))["x"].random()
    with pytest.raises(ValueError, match="random_state must be >= 0"):
        rng_streams(-1, ("x",))
