"""Numerics behind the distributions' CDFs and quantiles: the regularised incomplete beta function
and the inversion of any monotone CDF by bisection."""

from __future__ import annotations

import math
from collections.abc import Callable

BETA_FRACTION_TINY = 1e-300
"""Floor on the Lentz denominators, so a zero never divides (Numerical Recipes, 3rd ed., §5.2)."""

BETA_FRACTION_EPS = 1e-16
"""The continued fraction stops when a step changes it by less than this (about one ulp of a double)."""

BETA_FRACTION_MAX_TERMS = 100_000
"""Safety bound on the continued fraction's terms; it converges in O(sqrt(max(a, b))) of them."""

BISECTION_MAX_STEPS = 200
"""More halvings than a double's range needs: bisection stops earlier, at the last representable digit."""


def beta_cdf(x: float, a: float, b: float) -> float:
    """Regularised incomplete beta function ``I_x(a, b)``: the CDF of Beta(a, b) at ``x``.

    Continued fraction evaluated with the modified Lentz method (Press et al., Numerical Recipes,
    3rd ed., §6.4), converging in O(sqrt(max(a, b))) terms.

    >>> round(beta_cdf(0.5, 2.0, 3.0), 12)  # 11/16, by integrating 12 x (1 - x)^2
    0.6875
    """
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(b, a, 1.0 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    tiny, eps = BETA_FRACTION_TINY, BETA_FRACTION_EPS
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, BETA_FRACTION_MAX_TERMS):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < eps:
            break
    return h


def invert_cdf(cdf: Callable[[float], float], q: float, lo: float, hi: float) -> float:
    """``x`` in ``[lo, hi]`` with ``cdf(x) = q``, by bisection to the last representable digit.

    >>> invert_cdf(lambda x: x * x, 0.25, 0.0, 1.0)
    0.5
    """
    for _ in range(BISECTION_MAX_STEPS):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if cdf(mid) < q:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
