"""Hiring-style tabular data with one explicit knob per source of bias.

``make_hiring`` draws applicants from two groups, "A" and "B", who are equally qualified by
construction: their job-relevant features have the same distribution, and with the default
arguments their true target has the same rate. Each keyword then adds one source of bias and
changes nothing else: every random quantity comes from its own stream (a child of
``np.random.SeedSequence(random_state)``) and is drawn whatever the knobs are, so with the same
``random_state`` turning one knob leaves every other column bit-identical.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from course_lib._validate import check_int as _int
from course_lib._validate import check_real as _real
from course_lib._validate import rng_streams as _streams

__all__ = ["HIRING_FEATURES", "JOB_FEATURES", "PROXY_FEATURES", "RELATIONS", "make_hiring"]

JOB_FEATURES: tuple[str, ...] = ("test_score", "experience", "interview")
PROXY_FEATURES: tuple[str, ...] = ("postcode", "hobby")
HIRING_FEATURES: tuple[str, ...] = JOB_FEATURES + PROXY_FEATURES
RELATIONS: tuple[str, ...] = ("shared", "group_specific")

# merit = (w·x)/|w| · sqrt(1 − NOISE²) + NOISE · ε has standard deviation 1; qualified = merit > T
_WEIGHTS = {"A": (1.0, 0.8, 0.6), "B_shared": (1.0, 0.8, 0.6), "B_specific": (1.0, -0.8, 0.6)}
_NOISE = 0.4
_THRESHOLD = 0.25  # P(merit > 0.25) ≈ 0.40 in both groups
_POSTCODE_SHIFT = 1.5  # postcode mean is ±1.5·proxy_strength (B +, A −); its noise has sd 1
_HOBBY_SHIFT = 0.4  # P(hobby = 1) = 0.5 ± 0.4·proxy_strength (B +, A −)
# independent random streams, one per quantity (the order is part of the generator's contract)
_STREAMS = ("group", "job_features", "proxies", "merit_noise", "observation", "flips")




def _rates(value: object, name: str) -> tuple[float, float]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise ValueError(f"{name} must be a pair (rate for group A, rate for group B), "
                         f"got {value!r}")
    return (_real(value[0], f"{name}[0]", 0.0, 1.0), _real(value[1], f"{name}[1]", 0.0, 1.0))


def make_hiring(n: int, *, random_state: int, minority_share: float = 0.5,
                historical_penalty: float = 0.0,
                observation_rate: Sequence[float] = (1.0, 1.0),
                relation: str = "shared", label_flip_rate: float = 0.0,
                proxy_strength: float = 0.0) -> pd.DataFrame:
    """Applicants with job features, proxies of the group, the true target and a recorded label.

    Columns: ``group`` ("A" or "B"); the job features ``test_score``, ``experience``,
    ``interview`` (standard normal in both groups); the proxies ``postcode`` (a number) and
    ``hobby`` (0/1), which carry information about the group and none about the job;
    ``qualified``, the true target: merit > 0.25, where
    merit = (w·x)/|w|·√(1 − 0.4²) + 0.4·ε with x the job features, w = (1, 0.8, 0.6) and
    ε ~ N(0, 1); and ``label``, what the historical records say. ``df.attrs["feature_names"]``
    lists the model inputs (job features and proxies; the group is left out on purpose).

    The knobs (defaults: no bias), each changing only what it names:

    - ``minority_share``: P(group = "B"). Row i is in B when its own uniform draw is below the
      share, so raising it only moves rows from A to B (and their proxies, and anything else
      that depends on the group, with them).
    - ``historical_penalty`` (≥ 0, in standard deviations of merit): past decisions hired group B
      only when merit − penalty > 0.25, so ``label`` is 0 for B's marginally qualified.
    - ``observation_rate`` (rate for A, rate for B): a positive outcome is recorded only with
      this probability per group (the label is a proxy that sees one group's successes less).
    - ``relation``: "shared", or "group_specific", where in group B ``experience`` relates to the
      target with the opposite sign (w = (1, −0.8, 0.6)): ``qualified`` and ``label`` change.
    - ``label_flip_rate``: annotators record each positive label of group B as 0 at this rate.
    - ``proxy_strength`` in [0, 1]: postcode ~ N(±1.5·s, 1) and P(hobby) = 0.5 ± 0.4·s, with +
      for B and − for A; at 0 both are noise, at 1 postcode alone tells the group 93% of the time.
    """
    import numpy as np
    import pandas as pd

    n = _int(n, "n", 1)
    seed = _int(random_state, "random_state", 0)
    share = _real(minority_share, "minority_share", 0.0, 1.0)
    penalty = _real(historical_penalty, "historical_penalty", 0.0, math.inf, hi_open=True)
    rate_a, rate_b = _rates(observation_rate, "observation_rate")
    if not isinstance(relation, str) or relation not in RELATIONS:
        raise ValueError(f"relation must be one of {RELATIONS}, got {relation!r}")
    flip = _real(label_flip_rate, "label_flip_rate", 0.0, 1.0)
    strength = _real(proxy_strength, "proxy_strength", 0.0, 1.0)

    rng = _streams(seed, _STREAMS)
    # every stream draws the same arrays whatever the knobs, so knobs never shift other draws
    is_b = rng["group"].random(n) < share
    x = rng["job_features"].standard_normal((n, len(JOB_FEATURES)))
    postcode_noise = rng["proxies"].standard_normal(n)
    hobby_u = rng["proxies"].random(n)
    eps = rng["merit_noise"].standard_normal(n)
    observe_u = rng["observation"].random(n)
    flip_u = rng["flips"].random(n)

    sign = np.where(is_b, 1.0, -1.0)
    postcode = _POSTCODE_SHIFT * strength * sign + postcode_noise
    hobby = (hobby_u < 0.5 + _HOBBY_SHIFT * strength * sign).astype(np.int64)

    w_a = np.asarray(_WEIGHTS["A"])
    w_b = np.asarray(_WEIGHTS["B_specific" if relation == "group_specific" else "B_shared"])
    signal = np.where(is_b, x @ w_b / np.linalg.norm(w_b), x @ w_a / np.linalg.norm(w_a))
    merit = signal * math.sqrt(1 - _NOISE**2) + _NOISE * eps
    qualified = merit > _THRESHOLD

    hired = merit - penalty * is_b > _THRESHOLD  # historical decisions
    observed = observe_u < np.where(is_b, rate_b, rate_a)
    flipped = is_b & (flip_u < flip)
    label = hired & observed & ~flipped

    df = pd.DataFrame({"group": np.where(is_b, "B", "A")})
    for j, name in enumerate(JOB_FEATURES):
        df[name] = x[:, j]
    df["postcode"] = postcode
    df["hobby"] = hobby
    df["qualified"] = qualified.astype(np.int64)
    df["label"] = label.astype(np.int64)
    df.attrs["feature_names"] = list(HIRING_FEATURES)
    return df
