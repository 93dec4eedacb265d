"""Shared pieces of the property-based bad-input tests (tests/test_properties_*.py).

Each public function that takes data is described by a :class:`Case`: a hypothesis strategy for a
*valid* call (keyword arguments) and, per argument, the kinds of corruption it must reject with a
ValueError or TypeError whose message names the argument. A corruption is drawn from a valid call,
so it tests one bad thing at a time. ``valid`` calls are checked to succeed, so a rejection is
never an artefact of a bad base.
"""

from __future__ import annotations

import importlib
import inspect
import types
from collections.abc import Callable
from dataclasses import dataclass, field

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

ERRORS = (ValueError, TypeError)
# deterministic (derandomize) and database-free, so CI runs the same examples every time
FAST = settings(max_examples=6, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(FAST, max_examples=2)


@dataclass
class Case:
    """A public function, a strategy for valid keyword arguments, and each argument's kinds."""

    fn: Callable
    valid: st.SearchStrategy  # of dict(name -> value)
    bad: dict[str, tuple[str, ...]] = field(default_factory=dict)
    slow: bool = False
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # other names a message may use

    def call(self, kwargs: dict):
        return self.fn(**kwargs)


def assert_rejects(case: Case, kwargs: dict, arg: str) -> None:
    """``case`` raises ValueError/TypeError naming ``arg`` (nothing deeper, no silent result)."""
    try:
        result = case.call(kwargs)
    except ERRORS as exc:
        message = str(exc)
        names = (arg, *case.names.get(arg, ()))
        assert any(n in message for n in names), (
            f"{type(exc).__name__} does not name {arg!r}: {message!r}")
        return
    pytest.fail(f"{case.fn.__name__} accepted a bad {arg!r} and returned {type(result).__name__}")


# ---------------------------------------------------------------- corruptions of a valid value
def _float_copy(value):
    if hasattr(value, "detach"):
        return value.detach().clone().float()
    return np.asarray(value, dtype=float).copy()


@st.composite
def nonfinite(draw, value):
    """``value`` (an array, tensor or DataFrame) with NaN, inf or -inf at one drawn position."""
    import pandas as pd

    if isinstance(value, pd.DataFrame):  # in a numeric column
        out = value.copy()
        col = draw(st.sampled_from([c for c in out.columns
                                    if pd.api.types.is_float_dtype(out[c])]))
        out.iloc[draw(st.integers(0, len(out) - 1)), out.columns.get_loc(col)] = draw(
            st.sampled_from([np.nan, np.inf, -np.inf]))
        return out
    out = _float_copy(value)
    flat = out.reshape(-1)
    i = draw(st.integers(0, flat.shape[0] - 1))
    flat[i] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    return out


@st.composite
def wrong_length(draw, value):
    """``value`` with rows dropped or repeated, so its length differs."""
    n = len(value)
    m = draw(st.integers(0, n + 3).filter(lambda m: m != n))
    if hasattr(value, "detach"):
        import torch

        idx = torch.arange(m) % n
        return value[idx]
    arr = np.asarray(value)
    return arr[np.arange(m) % n]


@st.composite
def non_binary(draw, value):
    """0/1 labels with one drawn position set to a value outside {0, 1}."""
    bad = draw(st.sampled_from([2, -1, 0.5, 3]))
    if hasattr(value, "detach"):
        out = value.detach().clone().float()
    else:
        out = np.asarray(value, dtype=float).copy()
    out[draw(st.integers(0, len(out) - 1))] = bad
    return out


@st.composite
def strings(draw, value):
    """The values as strings (numbers where text does not belong)."""
    arr = value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)
    return arr.astype(str) if draw(st.booleans()) else arr.astype(str).tolist()


def empty(value):
    """No rows."""
    return st.just(value[:0])


def two_d(value):
    """A column stacked twice (2-D where 1-D belongs)."""
    arr = np.asarray(value)
    return st.just(np.stack([arr, arr], axis=1))


@st.composite
def missing(draw, value):
    """Group labels with one None (a missing group)."""
    out = np.asarray(value, dtype=object).copy()
    out[draw(st.integers(0, len(out) - 1))] = draw(st.sampled_from([None, np.nan]))
    return out


def single_group(value):
    """Every row in one group."""
    arr = np.asarray(value)
    return st.just(np.full(arr.shape, arr[0], dtype=arr.dtype))


def out_of_unit(value):
    """Probabilities with one value outside [0, 1]."""
    return non_binary(value).map(lambda a: np.where(a == 0.5, 1.5, a))


def meta(value):
    """The tensor's shape on the ``meta`` device (stands in for a tensor on another device)."""
    import torch

    return st.just(torch.empty(tuple(value.shape), dtype=value.dtype, device="meta"))


def complex_tensor(value):
    """A complex tensor where real numbers belong."""
    import torch

    return st.just(torch.zeros(tuple(value.shape), dtype=torch.complex64))


def int_tensor(value):
    """An integer tensor where floats belong."""
    import torch

    return st.just(torch.zeros(tuple(value.shape), dtype=torch.int64))


def float_tensor(value):
    """A float tensor where integer class labels / token ids belong."""
    import torch

    return st.just(torch.as_tensor(np.asarray(value)).float() + 0.5)


# scalars
def bad_int(value):
    """Not an int: a float, a string, a bool, or a negative / zero int."""
    return st.sampled_from([1.5, "3", True, None, -1])


def bad_real(value):
    """Not a real: NaN, a string, a bool."""
    return st.sampled_from([float("nan"), "0.5", True])


def bad_real_inf(value):
    """NaN, ±inf, a string."""
    return st.sampled_from([float("nan"), float("inf"), float("-inf"), "0.5"])


def bad_str(value):
    """An unknown option, or a number where a string belongs."""
    return st.sampled_from(["no-such-option", 3, None])


def bad_frame(value):
    """A numpy array or a string where a DataFrame belongs."""
    return st.sampled_from([np.asarray(value), "table"])


def bad_name(value):
    """Not a non-empty string."""
    return st.sampled_from(["", 3, None])


@st.composite
def bad_thresholds(draw, value):
    """A mapping group -> threshold with one NaN or string threshold."""
    out = dict(value)
    out[draw(st.sampled_from(sorted(out)))] = draw(st.sampled_from([float("nan"), "0.5", None]))
    return out


def bad_callable(value):
    """Not callable."""
    return st.sampled_from([None, 3, "f"])


def bad_module(value):
    """Not an nn.Module."""
    return st.sampled_from([None, "model", 3])


KINDS: dict[str, Callable] = {
    "nonfinite": nonfinite, "length": wrong_length, "nonbinary": non_binary,
    "strings": strings, "empty": empty, "2d": two_d, "missing": missing,
    "single": single_group, "unit": out_of_unit, "meta": meta, "int_tensor": int_tensor,
    "float_tensor": float_tensor, "complex": complex_tensor, "int": bad_int, "real": bad_real,
    "real_inf": bad_real_inf, "str": bad_str, "name": bad_name, "frame": bad_frame,
    "callable": bad_callable, "thresholds": bad_thresholds, "module": bad_module,
}
LABELS = ("nonfinite", "length", "nonbinary", "strings", "empty", "2d")
SCORES = ("nonfinite", "length", "strings", "empty", "2d")
PROBS = (*SCORES, "unit")
GROUPS = ("length", "missing", "2d")
TENSOR = ("nonfinite", "meta", "complex")


def params(cases: dict[str, Case], slow: bool) -> list:
    """pytest params (case name, argument, kind) for every corruption of every (slow) case."""
    return [pytest.param(name, arg, kind, id=f"{name}-{arg}-{kind}")
            for name, case in cases.items() if case.slow == slow
            for arg, kinds in case.bad.items() for kind in kinds]


def property_tests(cases: dict[str, Case]):
    """The three tests of a file: valid calls succeed, and bad ones are rejected by name (cases
    that train a model run fewer examples)."""

    @pytest.mark.parametrize("name", sorted(cases))
    @FAST
    @given(data=st.data())
    def test_valid_input_is_accepted(name, data):
        case = cases[name]
        case.call(dict(data.draw(case.valid, label="valid")))

    @pytest.mark.parametrize(("name", "arg", "kind"), params(cases, slow=False))
    @FAST
    @given(data=st.data())
    def test_bad_input_is_rejected_naming_the_argument(name, arg, kind, data):
        run_bad(cases[name], arg, kind, data)

    @pytest.mark.parametrize(("name", "arg", "kind"), params(cases, slow=True) or [
        pytest.param("", "", "", marks=pytest.mark.skip(reason="no slow cases"))])
    @SLOW
    @given(data=st.data())
    def test_bad_input_is_rejected_naming_the_argument_slow(name, arg, kind, data):
        run_bad(cases[name], arg, kind, data)

    return (test_valid_input_is_accepted, test_bad_input_is_rejected_naming_the_argument,
            test_bad_input_is_rejected_naming_the_argument_slow)


def run_bad(case: Case, arg: str, kind: str, data) -> None:
    """Draw a valid call, corrupt ``arg`` with ``kind``, and check the rejection."""
    kwargs = dict(data.draw(case.valid, label="valid"))
    kwargs[arg] = data.draw(KINDS[kind](kwargs.get(arg)), label=f"{arg} ({kind})")
    assert_rejects(case, kwargs, arg)


def public_functions(module, exempt: dict[str, str]) -> list[str]:
    """Names in ``module``'s public API that are functions (not classes or constants), less the
    documented exemptions."""
    names = getattr(module, "__all__", None) or dir(module)
    out = []
    for name in names:
        obj = getattr(module, name)
        if inspect.isfunction(obj) and name not in exempt:
            out.append(name)
    return sorted(out)


def package_api(package) -> types.SimpleNamespace:
    """A lazily re-exporting package's public API: every name in each ``_MODULES`` entry's
    ``__all__`` (so a coverage test sees names not yet imported)."""
    names = [n for mod in package._MODULES
             for n in importlib.import_module(f"{package.__name__}.{mod}").__all__]
    return types.SimpleNamespace(__all__=names, **{n: getattr(package, n) for n in names})


# ---------------------------------------------------------------- valid data
@st.composite
def labelled(draw, min_groups: int = 2, max_groups: int = 3, groups_as=str):
    """(y_true, y_pred, sensitive) where every group has all four (y, ŷ) cells."""
    k = draw(st.integers(min_groups, max_groups))
    yt, yp, s = [], [], []
    for g in range(k):
        extra = draw(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), max_size=6))
        for a, b in [(0, 0), (0, 1), (1, 0), (1, 1), *extra]:
            yt.append(a)
            yp.append(b)
            s.append(groups_as("ABC"[g]) if groups_as is str else g)
    order = np.random.default_rng(draw(st.integers(0, 2**16))).permutation(len(yt))
    return (np.array(yt)[order], np.array(yp)[order], np.array(s)[order])
