"""The predictive-policing urn of Ensign et al. (2018), *Runaway Feedback Loops in Predictive
Policing* (FAT* 2018), vectorised over many runs.

Two regions, A and B. The urn holds one colour of ball per region; each day the patrol goes to a
region drawn with probability proportional to its balls, i.e. to its past discovered incidents.
There it discovers an incident with that region's rate λ, and a discovered incident adds a ball
of the region's colour. With λA ≠ λB the urn runs away to the region with the higher rate; with
λA = λB it is a Pólya urn (slowed by the misses) whose share converges to a random limit,
Beta(a, b) for an initial (a, b) balls. The paper's correction records a discovered incident only
with probability p_other / max(pA, pB), where p are the current patrol probabilities: the
expected increments become λA·pA·pB/max and λB·pA·pB/max, so the share converges to λA/(λA+λB).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

from course_lib._validate import check_int as _int
from course_lib._validate import check_real

__all__ = ["policing_urn"]



def _pair(value: object, name: str, lo: float, hi: float, *, lo_open: bool) -> tuple[float, float]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise ValueError(f"{name} must be a pair (region A, region B), got {value!r}")
    out = [check_real(v, f"{name}[{i}]", lo, hi, lo_open=lo_open) for i, v in enumerate(value)]
    return out[0], out[1]


def policing_urn(rates: Sequence[float], steps: int, n_runs: int = 1, *, correction: bool = False,
                 initial: Sequence[float] = (1.0, 1.0), random_state: int) -> np.ndarray:
    """Region A's share of the urn, pA = nA/(nA+nB), for ``n_runs`` runs of ``steps`` days.

    ``rates`` = (λA, λB) are the probabilities that a patrol discovers an incident in each region;
    ``initial`` the starting balls (prior incident counts, > 0). Each day the patrol goes to A
    with probability pA; a discovery there adds a ball to A (with ``correction``, only with
    probability pB/max(pA, pB); symmetrically for B). Returns an array of shape
    (n_runs, steps + 1): column t is each run's pA after t days (the probability of patrolling A
    on day t + 1), column 0 the initial share.
    """
    import numpy as np

    lam_a, lam_b = _pair(rates, "rates", 0.0, 1.0, lo_open=False)
    steps = _int(steps, "steps", 1)
    n_runs = _int(n_runs, "n_runs", 1)
    if not isinstance(correction, bool):
        raise TypeError(f"correction must be True or False, got {correction!r}")
    a0, b0 = _pair(initial, "initial", 0.0, math.inf, lo_open=True)
    if math.isinf(a0) or math.isinf(b0):
        raise ValueError(f"initial must hold finite numbers of balls, got {initial!r}")
    rng = np.random.default_rng(_int(random_state, "random_state", 0))

    a = np.full(n_runs, a0)
    b = np.full(n_runs, b0)
    share = np.empty((n_runs, steps + 1))
    share[:, 0] = a / (a + b)
    for t in range(steps):
        p = share[:, t]
        u = rng.random((3, n_runs))  # always three draws a day, so runs stay comparable
        to_a = u[0] < p
        found = u[1] < np.where(to_a, lam_a, lam_b)
        if correction:
            p_other = np.where(to_a, 1.0 - p, p)
            found &= u[2] < p_other / np.maximum(p, 1.0 - p)
        a += found & to_a
        b += found & ~to_a
        share[:, t + 1] = a / (a + b)
    return share
