"""The learner-visible range check that pins a volatile result (DEVELOPERS.md rule 4)."""

from __future__ import annotations

import math
import numbers


class ExpectationError(AssertionError):
    """A pinned result fell outside the range the course expects."""


def _as_float(value: object, name: str) -> float:
    """Convert a Python/numpy/torch scalar to float, or raise TypeError naming ``name``."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got a bool ({value!r})")
    if hasattr(value, "numel") and hasattr(value, "item"):  # a torch tensor
        if value.numel() != 1:
            raise TypeError(f"{name} must be a single number, got a tensor of shape "
                            f"{tuple(value.shape)}")
        value = value.item()
    elif hasattr(value, "shape") and hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()  # a numpy scalar or 0-d array
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    return float(value)


def expect(value: object, lo: float, hi: float, what: str = "the result") -> None:
    """Check lo <= value <= hi; print a friendly line when it holds, raise ExpectationError if not.

    Used right after a cell whose output is volatile (marked ``# NBVAL_IGNORE_OUTPUT``): the line
    printed here never shows the value itself, so it is identical on every run and every machine.
    """
    if not isinstance(what, str) or not what:
        raise TypeError(f"what must be a non-empty string, got {what!r}")
    v = _as_float(value, "value")
    lo_f, hi_f = _as_float(lo, "lo"), _as_float(hi, "hi")
    if not (math.isfinite(lo_f) and math.isfinite(hi_f)):
        raise ValueError(f"lo and hi must be finite, got lo={lo_f!r}, hi={hi_f!r}")
    if lo_f > hi_f:
        raise ValueError(f"lo must be <= hi, got lo={lo_f:g} > hi={hi_f:g}")
    if math.isnan(v) or not lo_f <= v <= hi_f:
        raise ExpectationError(
            f"{what} = {v:.6g} is outside the expected range [{lo_f:g}, {hi_f:g}]. "
            "If you changed the code above, that change is the likely cause; otherwise restart "
            "the kernel and run the notebook from the top (Kernel > Restart Kernel and Run All)."
        )
    print(f"✓ {what} is between {lo_f:g} and {hi_f:g}, as expected.")
