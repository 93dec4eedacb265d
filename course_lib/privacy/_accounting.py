"""Privacy accounting for DP-SGD: Rényi DP of the subsampled Gaussian mechanism, written out.

The subsampled Gaussian mechanism (each record kept with probability q, Gaussian noise of standard
deviation σ times the sensitivity) has RDP ε_α = log(A_α) / (α − 1) at order α (Mironov, Talwar &
Zhang 2019, section 3.3); ``steps`` compositions add up; the (ε, δ) conversion takes the best order
(Balle et al. 2020, Theorem 21). This is the computation of Opacus's ``RDPAccountant`` with its
default orders, which the unit tests check it against.

``dp_epsilon(..., accountant="prv")`` asks Opacus's ``PRVAccountant`` instead (Gopi, Lee &
Wutschitz 2021; Opacus 1.6's default): it composes the privacy loss distribution numerically and
reads ε off it, where RDP bounds a Rényi divergence and converts it to (ε, δ) by an inequality
that is not tight. PRV's ε is therefore smaller for the same run (q 0.02, σ 1, 250 steps,
δ 1e-5: RDP 2.40, PRV 2.04). The course writes RDP out because it is a few lines of closed-form
sums; PRV needs a discretised distribution and FFT convolutions, so it is called, not rewritten.
"""

from __future__ import annotations

import math

import numpy as np

from course_lib._validate import check_int, check_real

__all__ = ["ACCOUNTANTS", "DEFAULT_ORDERS", "rdp_subsampled_gaussian", "rdp_to_epsilon",
           "dp_epsilon", "noise_multiplier_for", "group_privacy"]

#: The accountants ``dp_epsilon`` offers: RDP (written out here) and PRV (Opacus's).
ACCOUNTANTS: tuple[str, ...] = ("rdp", "prv")

#: Opacus's ``RDPAccountant.DEFAULT_ALPHAS``: 1.1, 1.2, ..., 10.9, then 12, 13, ..., 63.
DEFAULT_ORDERS: tuple[float, ...] = tuple([1 + x / 10.0 for x in range(1, 100)]
                                          + [float(a) for a in range(12, 64)])


def _log_add(a: float, b: float) -> float:
    """log(eᵃ + eᵇ) without overflow."""
    lo, hi = min(a, b), max(a, b)
    if lo == -math.inf:
        return hi
    return math.log1p(math.exp(lo - hi)) + hi


def _log_sub(a: float, b: float) -> float:
    """log(eᵃ − eᵇ) for a ≥ b."""
    if b == -math.inf:
        return a
    if a == b:
        return -math.inf
    try:
        return math.log(math.expm1(a - b)) + b
    except OverflowError:
        return a


def _log_erfc(x: float) -> float:
    """log(erfc(x)), accurate for large x."""
    from scipy import special

    return math.log(2) + float(special.log_ndtr(-x * 2 ** 0.5))


def _log_a_int(q: float, sigma: float, alpha: int) -> float:
    """log A_α for integer α: log Σᵢ C(α,i) qⁱ (1−q)^(α−i) exp((i² − i) / 2σ²)."""
    from scipy import special

    log_a = -math.inf
    for i in range(alpha + 1):
        term = (math.log(special.binom(alpha, i)) + i * math.log(q)
                + (alpha - i) * math.log(1 - q) + (i * i - i) / (2 * sigma ** 2))
        log_a = _log_add(log_a, term)
    return log_a


def _log_a_frac(q: float, sigma: float, alpha: float) -> float:
    """log A_α for fractional α: the two half-line integrals as series, summed until negligible."""
    from scipy import special

    log_a0, log_a1 = -math.inf, -math.inf
    z0 = sigma ** 2 * math.log(1 / q - 1) + 0.5
    i = 0
    while True:
        coef = special.binom(alpha, i)
        log_coef = math.log(abs(coef))
        j = alpha - i
        log_t0 = log_coef + i * math.log(q) + j * math.log(1 - q)
        log_t1 = log_coef + j * math.log(q) + i * math.log(1 - q)
        log_e0 = math.log(0.5) + _log_erfc((i - z0) / (math.sqrt(2) * sigma))
        log_e1 = math.log(0.5) + _log_erfc((z0 - j) / (math.sqrt(2) * sigma))
        log_s0 = log_t0 + (i * i - i) / (2 * sigma ** 2) + log_e0
        log_s1 = log_t1 + (j * j - j) / (2 * sigma ** 2) + log_e1
        if coef > 0:
            log_a0, log_a1 = _log_add(log_a0, log_s0), _log_add(log_a1, log_s1)
        else:
            log_a0, log_a1 = _log_sub(log_a0, log_s0), _log_sub(log_a1, log_s1)
        i += 1
        if max(log_s0, log_s1) < -30:
            return _log_add(log_a0, log_a1)


def _rdp_one(q: float, sigma: float, alpha: float) -> float:
    """RDP of one subsampled Gaussian step at order α: log(A_α) / (α − 1)."""
    if q == 0:
        return 0.0
    if sigma == 0:
        return math.inf
    if q == 1.0:
        return alpha / (2 * sigma ** 2)  # the plain Gaussian mechanism
    log_a = (_log_a_int(q, sigma, int(alpha)) if float(alpha).is_integer()
             else _log_a_frac(q, sigma, alpha))
    return log_a / (alpha - 1)


def _check_orders(orders) -> np.ndarray:
    arr = np.asarray(DEFAULT_ORDERS if orders is None else orders)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"orders must be numbers, got {orders!r}")
    arr = arr.astype(float)
    if arr.ndim != 1 or arr.size == 0 or not np.isfinite(arr).all() or (arr <= 1).any():
        raise ValueError("orders must be a non-empty 1-D sequence of finite numbers > 1")
    return arr


def rdp_subsampled_gaussian(sample_rate: float, noise_multiplier: float, steps: int,
                            orders=None) -> np.ndarray:
    """RDP after ``steps`` subsampled Gaussian steps at each order: steps · log(A_α) / (α − 1)."""
    q = check_real(sample_rate, "sample_rate", 0.0, 1.0)
    sigma = check_real(noise_multiplier, "noise_multiplier", 0.0)
    n = check_int(steps, "steps", 0)
    alphas = _check_orders(orders)
    return np.array([_rdp_one(q, sigma, float(a)) for a in alphas]) * n


def rdp_to_epsilon(orders, rdp, delta: float) -> tuple[float, float]:
    """(ε, best order): ε = min_α [RDP_α − (log δ + log α)/(α − 1) + log((α − 1)/α)]."""
    alphas = _check_orders(orders)
    values = np.asarray(rdp)
    if values.dtype.kind not in "iuf":
        raise TypeError(f"rdp must be numbers (one RDP value per order), got dtype {values.dtype}")
    values = values.astype(float)
    if values.shape != alphas.shape:
        raise ValueError(f"rdp must have one value per order ({alphas.size}), got shape "
                         f"{values.shape}")
    d = check_real(delta, "delta", 0.0, 1.0, lo_open=True, hi_open=True)
    if np.isnan(values).any() or (values < 0).any():  # RDP is >= 0; +inf (no noise) is allowed
        raise ValueError("rdp must be >= 0 and not NaN")
    eps = values - (math.log(d) + np.log(alphas)) / (alphas - 1) + np.log((alphas - 1) / alphas)
    if np.isnan(eps).all():
        return math.inf, math.nan
    best = int(np.nanargmin(eps))
    return float(eps[best]), float(alphas[best])


def _check_accountant(accountant: object) -> str:
    if not isinstance(accountant, str):
        raise TypeError(f"accountant must be one of {ACCOUNTANTS}, got {accountant!r}")
    if accountant not in ACCOUNTANTS:
        raise ValueError(f"accountant must be one of {ACCOUNTANTS}, got {accountant!r}")
    return accountant


def _prv_epsilon(q: float, sigma: float, steps: int, delta: float) -> float:
    """ε of ``steps`` subsampled Gaussian steps by Opacus's PRVAccountant (its upper bound),
    without the domain-sizing warning (course_lib._warnings.SCOPED["prv-domain"] says why)."""
    from opacus.accountants import PRVAccountant

    from course_lib import _warnings

    acc = PRVAccountant()
    acc.history = [(sigma, q, steps)]  # what ``steps`` calls of acc.step(...) would record
    with _warnings.scoped("prv-domain"):
        return float(acc.get_epsilon(delta))


def dp_epsilon(sample_rate: float, noise_multiplier: float, steps: int, delta: float, *,
               accountant: str = "rdp") -> float:
    """ε of DP-SGD (Poisson rate q, noise σ, ``steps`` steps) at δ, by the chosen accountant.

    ``accountant="rdp"`` (the default): Opacus's ``RDPAccountant`` with its default orders and ε
    conversion, written out here; unlike Opacus it does not warn when the best order is at the
    end of the range (ε is then only a looser upper bound). ``accountant="prv"``: Opacus's
    ``PRVAccountant`` (numerical composition of the privacy loss distribution; a smaller, still
    valid ε; needs q < 1).
    """
    q = check_real(sample_rate, "sample_rate", 0.0, 1.0)
    sigma = check_real(noise_multiplier, "noise_multiplier", 0.0)
    n = check_int(steps, "steps", 0)
    d = check_real(delta, "delta", 0.0, 1.0, lo_open=True, hi_open=True)
    how = _check_accountant(accountant)
    if n == 0 or q == 0:
        return 0.0
    if how == "prv":
        if sigma == 0:
            return math.inf
        if q == 1:
            raise ValueError("sample_rate must be < 1 for accountant='prv' (Opacus's PRV "
                             "accountant is for subsampled steps); use accountant='rdp'")
        return _prv_epsilon(q, sigma, n, d)
    return rdp_to_epsilon(DEFAULT_ORDERS, rdp_subsampled_gaussian(q, sigma, n), d)[0]


def noise_multiplier_for(target_epsilon: float, sample_rate: float, steps: int, delta: float,
                         tolerance: float = 0.01) -> float:
    """The smallest σ (to ``tolerance`` in ε) with dp_epsilon(q, σ, steps, δ) ≤ target ε.

    Opacus's ``get_noise_multiplier`` bisection (RDP accountant): double σ from 20 until ε is
    under target, then bisect until ε is within ``tolerance`` below it.
    """
    target = check_real(target_epsilon, "target_epsilon", 0.0, lo_open=True)
    q = check_real(sample_rate, "sample_rate", 0.0, 1.0, lo_open=True)
    n = check_int(steps, "steps", 1)
    d = check_real(delta, "delta", 0.0, 1.0, lo_open=True, hi_open=True)
    tol = check_real(tolerance, "tolerance", 0.0, math.inf, lo_open=True, hi_open=True)
    lo, hi, eps_hi = 0.0, 10.0, math.inf
    while eps_hi > target:
        hi *= 2
        eps_hi = dp_epsilon(q, hi, n, d)
        if hi > 1e6:
            raise ValueError(f"target_epsilon={target} is out of reach (σ > 10⁶)")
    while target - eps_hi > tol:
        mid = (lo + hi) / 2
        eps = dp_epsilon(q, mid, n, d)
        if eps < target:
            hi, eps_hi = mid, eps
        else:
            lo = mid
    return hi


def group_privacy(epsilon: float, delta: float, k: int) -> tuple[float, float]:
    """The guarantee for k records of one person (or one record repeated k times).

    An (ε, δ)-DP mechanism is (kε, k·e^((k−1)ε)·δ)-DP for groups of k: Dwork & Roth (2014),
    Theorem 2.2, prove kε for (ε, 0)-DP by a chain of k neighbouring data sets; along the same
    chain each step adds δ, and the sum δ·Σᵢ e^(iε) (i < k) is at most k·e^((k−1)ε)·δ. The
    privacy unit is one record, and duplicates multiply ε.
    """
    e = check_real(epsilon, "epsilon", 0.0)
    d = check_real(delta, "delta", 0.0, 1.0)
    g = check_int(k, "k", 1)
    if math.isinf(e):
        return math.inf, 1.0
    return g * e, min(1.0, g * math.exp((g - 1) * e) * d)
