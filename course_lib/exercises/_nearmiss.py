"""The near-miss layer: name the slip behind a wrong number before saying "not what we expected".

Every numeric check (``ValueProblem``, ``ComputedValueProblem``, ``FunctionProblem``) asks
``near_miss(got, expected)`` once the answer is neither right nor a catalogued wrong answer. It
recognises the mistakes learners make with numbers that are otherwise right: a percentage where
a fraction was asked (x100) or the reverse, a value typed rounded from a printed table, a sibling
unit (g/kg/t, Wh/kWh/MWh, W/kW, s/min/h), a flipped sign (groups swapped in a difference), the
complement (1 - x: FNR for TPR) and the reciprocal (a ratio upside down). Pure Python, no numpy.
"""

from __future__ import annotations

import math
import numbers

# Each family: unit -> size in the family's base unit. Names are matched case-sensitively after
# dropping a trailing " CO2e"/"CO2" (so "kg CO2e" is a mass), since mW and MW differ by 10**9.
UNIT_FAMILIES: dict[str, dict[str, float]] = {
    "energy": {"J": 1 / 3600, "kJ": 1 / 3.6, "MJ": 1e3 / 3.6, "mWh": 1e-3, "Wh": 1.0,
               "kWh": 1e3, "MWh": 1e6, "GWh": 1e9, "TWh": 1e12},
    "mass": {"mg": 1e-3, "g": 1.0, "kg": 1e3, "t": 1e6, "kt": 1e9, "Mt": 1e12},
    "power": {"mW": 1e-3, "W": 1.0, "kW": 1e3, "MW": 1e6, "GW": 1e9},
    "time": {"ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0, "day": 86400.0},
    "flops": {"FLOP": 1.0, "kFLOP": 1e3, "MFLOP": 1e6, "GFLOP": 1e9, "TFLOP": 1e12,
              "PFLOP": 1e15},
}


def _unit_family(units: str) -> tuple[str, dict[str, float]]:
    """The bare unit of ``units`` ("kg CO2e" -> "kg") and its family."""
    bare = units.replace("CO2e", "").replace("CO2", "").strip()
    for family in UNIT_FAMILIES.values():
        if bare in family:
            return bare, family
    known = sorted({u for f in UNIT_FAMILIES.values() for u in f})
    raise ValueError(f"units must be one of {', '.join(known)} (optionally followed by CO2e), "
                     f"got {units!r}")


def check_units(units: str | None) -> None:
    """Raise ValueError for a unit the near-miss layer does not know (problem definitions)."""
    if units is not None:
        _unit_family(units)


def _close(a: float, b: float, rel_tol: float, abs_tol: float) -> bool:
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)


def _decimals(x: float) -> int | None:
    """How many decimals ``x`` was typed with (0-4), or None for a full-precision float."""
    for d in range(5):
        if math.isclose(x, round(x, d), rel_tol=0, abs_tol=1e-12):
            return d
    return None


def near_miss(got: float, expected: float, *, units: str | None = None,
              rel_tol: float = 1e-3, abs_tol: float = 0.0) -> str | None:
    """Feedback naming the slip that turns ``expected`` into ``got``, or None if none fits."""
    for name, value in (("got", got), ("expected", expected)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    if units is not None and not isinstance(units, str):
        raise TypeError(f"units must be a unit name (str) or None, got {type(units).__name__}")
    got, expected = float(got), float(expected)
    if not (math.isfinite(got) and math.isfinite(expected)) or expected == 0:
        return None
    close = lambda a, b: _close(a, b, rel_tol, abs_tol)  # noqa: E731
    if units is not None:
        bare, family = _unit_family(units)
        for other, size in family.items():
            if other != bare and close(got, expected * family[bare] / size):
                return (f"that is the right amount in {other}; the question asks for {units} "
                        f"(1 {bare} = {family[bare] / size:g} {other}).")
    if close(got, expected * 100):
        return ("that looks like a percentage (100 times the answer); give a fraction between "
                "0 and 1, e.g. 0.45 rather than 45.")
    if close(got, expected / 100):
        return ("that is a fraction where the question asks for a percentage: multiply by 100 "
                "(or, if the answer is a count or amount, check the scale).")
    if close(got, -expected):
        return ("the right size with the wrong sign: check the order of the difference (which "
                "group minus which) against the question.")
    if 0 < expected < 1 and close(got, 1 - expected):
        return ("that is 1 minus the answer: the complementary rate (the FNR for the TPR, the "
                "share not selected for the share selected). Check which outcome is counted.")
    if abs(expected) != 1 and close(got, 1 / expected):
        return "that is the reciprocal of the answer: the ratio is upside down."
    d = _decimals(got)
    if d is not None and abs(got - expected) <= 0.5 * 10 ** -d * (1 + 1e-9) + abs_tol:
        return (f"close: that is the answer rounded to {d} decimal{'s' if d != 1 else ''}, as a "
                "table prints it. Compute it in code rather than typing it, so it keeps its full "
                "precision.")
    return None
