"""Property-based bad-input tests for course_lib.synth (tests/_properties.py): sizes, seeds, rates
and shares that are not numbers, out of range, NaN/inf, bad option strings and malformed pairs each
get a ValueError/TypeError naming the argument; image and token inputs reject NaN, strings, wrong
shapes and ids outside the vocabulary."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
from _properties import (
    KINDS,
    Case,
    package_api,
    property_tests,
    public_functions,
)

from course_lib import synth


# ---------------------------------------------------------------- corruptions used only here
def _bad_pair(value):
    """Not a pair of rates: a string, one number, three numbers, a NaN or string entry."""
    return st.sampled_from(["0.5", 0.5, (0.5, 0.5, 0.5), (float("nan"), 0.5), (0.5, "1"),
                            None])


def _bad_rate(value):
    """A rate outside [0, 1], NaN, a string or a bool."""
    return st.sampled_from([-0.1, 1.5, float("nan"), "0.5", True])


def _bad_scale(value):
    """A noise level / contrast that is negative, NaN, infinite or a string."""
    return st.sampled_from([-0.1, float("nan"), float("inf"), "0.1"])


def _bad_images(value):
    """Images that are NaN, strings, 3-D, or too small to hold the marker box."""
    arr = np.asarray(value)
    nan = arr.copy()
    nan.reshape(-1)[0] = np.nan
    return st.sampled_from([nan, arr.astype(str), arr[:, 0], arr[..., :2, :2], "images"])


def _bad_tokens(value):
    """Token ids that are fractional, negative, past the vocabulary, 2-D or strings."""
    arr = np.asarray(value)
    return st.sampled_from([arr + 0.5, np.r_[arr, -1], np.r_[arr, len(synth.SEQUENCE_VOCAB)],
                            arr[None], arr.astype(str), np.r_[arr.astype(float), np.nan]])


def _bad_shares(value):
    """Subgroup shares that do not sum to 1, name an unknown subgroup, or are not a mapping."""
    good = dict(_SHARES if value is None else value)
    first = next(iter(good))
    return st.sampled_from([{first: 0.5}, {**good, ("green", "x"): 0.0}, [0.25] * 4, "shares",
                            {k: float("nan") for k in good}, {k: -1.0 for k in good},
                            {k: "0.25" for k in good}])


_LOCAL = {"pair": _bad_pair, "rate": _bad_rate, "scale": _bad_scale, "images": _bad_images,
          "tokens": _bad_tokens, "shares": _bad_shares}
for _name, _kind in _LOCAL.items():
    assert KINDS.setdefault(f"synth_{_name}", _kind) is _kind
_P = {name: f"synth_{name}" for name in _LOCAL}

_SEED = st.integers(0, 3)
_SHARES = {(s, g): 0.25 for s in ("darker", "lighter") for g in ("female", "male")}

CASES = {
    "make_hiring": Case(synth.make_hiring, st.fixed_dictionaries({
        "n": st.integers(4, 30), "random_state": _SEED, "minority_share": st.floats(0.1, 0.9),
        "historical_penalty": st.floats(0, 1), "observation_rate": st.just((1.0, 0.8)),
        "relation": st.sampled_from(["shared", "group_specific"]),
        "label_flip_rate": st.floats(0, 0.3), "proxy_strength": st.floats(0, 1)}),
        {"n": ("int",), "random_state": ("int",), "minority_share": (_P["rate"],),
         "historical_penalty": ("real_inf",), "observation_rate": (_P["pair"],),
         "relation": ("str",), "label_flip_rate": (_P["rate"],),
         "proxy_strength": ("real_inf",)}),
    "policing_urn": Case(synth.policing_urn, st.fixed_dictionaries({
        "rates": st.tuples(st.floats(0, 1), st.floats(0, 1)), "steps": st.integers(1, 20),
        "n_runs": st.integers(1, 3), "correction": st.booleans(),
        "initial": st.just((1.0, 2.0)), "random_state": _SEED}),
        {"rates": (_P["pair"],), "steps": ("int",), "n_runs": ("int",),
         "initial": (_P["pair"],), "random_state": ("int",)},
        names={"rates": ("rates[",), "initial": ("initial[",)}),
    "make_faces": Case(synth.make_faces, st.fixed_dictionaries({
        "n": st.integers(4, 20), "shares": st.sampled_from([None, _SHARES]),
        "noise": st.floats(0, 0.3), "image_size": st.sampled_from([16, 24]),
        "random_state": _SEED}),
        {"n": ("int",), "shares": (_P["shares"],), "noise": (_P["scale"],),
         "image_size": ("int",), "random_state": ("int",)}),
    "make_scans": Case(synth.make_scans, st.fixed_dictionaries({
        "n": st.integers(4, 20), "prevalence": st.floats(0.1, 0.9),
        "marker_rate_pos": st.floats(0, 1), "marker_rate_neg": st.floats(0, 1),
        "lesion_contrast": st.floats(0, 0.5), "noise": st.floats(0, 0.2),
        "image_size": st.sampled_from([16, 24]), "random_state": _SEED}),
        {"n": ("int",), "prevalence": (_P["rate"],), "marker_rate_pos": (_P["rate"],),
         "marker_rate_neg": (_P["rate"],), "lesion_contrast": (_P["scale"],),
         "noise": (_P["scale"],), "image_size": ("int",), "random_state": ("int",)}),
    "hide_marker": Case(synth.hide_marker, st.builds(
        lambda n, seed: dict(images=synth.make_scans(n, image_size=16, random_state=seed).images),
        st.integers(1, 6), _SEED), {"images": (_P["images"],)}),
    "make_resumes": Case(synth.make_resumes, st.fixed_dictionaries({
        "n": st.integers(4, 30), "penalty": st.floats(0, 3), "proxy_strength": st.floats(0, 1),
        "random_state": _SEED}),
        {"n": ("int",), "penalty": ("real_inf",), "proxy_strength": (_P["rate"],),
         "random_state": ("int",)}),
    "make_digits": Case(synth.make_digits, st.fixed_dictionaries({
        "n": st.integers(1, 12), "image_size": st.sampled_from([16, 28]),
        "random_state": _SEED}), {"n": ("int",), "image_size": ("int",),
                                  "random_state": ("int",)}),
    "make_lending": Case(synth.make_lending, st.fixed_dictionaries({
        "n": st.integers(4, 40), "random_state": _SEED}),
        {"n": ("int",), "random_state": ("int",)}),
    "make_sequences": Case(synth.make_sequences, st.fixed_dictionaries({
        "n": st.integers(1, 12), "length": st.integers(3, 12), "random_state": _SEED}),
        {"n": ("int",), "length": ("int",), "random_state": ("int",)}),
    "explore_hiring": Case(synth.explore_hiring, st.fixed_dictionaries({
        "minority_share": st.floats(0.02, 0.5), "historical_penalty": st.floats(0, 1),
        "observation_b": st.floats(0.2, 1), "label_flip_rate": st.floats(0, 0.6),
        "proxy_strength": st.floats(0, 1), "relation": st.sampled_from(["shared",
                                                                         "group_specific"]),
        "inputs": st.sampled_from(list(synth.HIRING_INPUTS.values())),
        "n_train": st.integers(50, 80), "n_test": st.integers(50, 80), "random_state": _SEED}),
        {"minority_share": (_P["rate"],), "historical_penalty": (_P["rate"],),
         "observation_b": (_P["rate"],), "label_flip_rate": (_P["rate"],),
         "proxy_strength": (_P["rate"],), "relation": ("str",), "inputs": ("str",),
         "n_train": ("int",), "n_test": ("int",), "random_state": ("int",)}),
    "decode": Case(synth.decode, st.builds(
        lambda n, seed: dict(tokens=synth.make_sequences(1, length=n, random_state=seed).tokens[0]),
        st.integers(3, 8), _SEED), {"tokens": (_P["tokens"],)}),
}
EXEMPT: dict[str, str] = {}


def test_every_public_function_is_covered():
    """A new public function must get a Case here (or an exemption with a reason)."""
    assert public_functions(package_api(synth), EXEMPT) == sorted(CASES)


(test_valid_input_is_accepted, test_bad_input_is_rejected_naming_the_argument,
 test_bad_input_is_rejected_naming_the_argument_slow) = property_tests(CASES)
