"""Breakeven points between two strategies: in time (months) and in volume (requests per month).

Time: the first month at which the strategy that started more expensive (higher one-off cost) has
spent no more in total than the other. Volume: the constant monthly volume at which both horizon
totals are equal. Costs need not be linear in volume (GPU replicas step, vector-DB minimums), so
the crossing is bracketed on a log grid and refined numerically, never assumed linear.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

VOLUME_GRID_MAX_REQUESTS_PER_MONTH = 1e12
"""Largest volume searched: far beyond any single application (a trillion requests a month)."""

VOLUME_GRID = np.concatenate([[0.0], np.logspace(0.0, np.log10(VOLUME_GRID_MAX_REQUESTS_PER_MONTH), 241)])
"""Volumes (requests/month) where horizon totals are compared to bracket a crossing: 0, then 20 per decade."""

RELATIVE_TOLERANCE = 1e-12
"""Refinement stops when totals agree to this relative tolerance (or the bracket cannot shrink)."""


def orient(series_a: Array, series_b: Array) -> tuple[bool, Array]:
    """Whether to swap so that ``a`` is the one cheaper at the start; and the difference b - a.

    Series are ``[one_off, cumulative month 1, ..., cumulative month H]``.
    """
    diff = series_b - series_a
    nonzero = np.flatnonzero(diff)
    if nonzero.size and diff[nonzero[0]] < 0:
        return True, -diff
    return False, diff


def breakeven_month(series_low: Array, series_high: Array) -> int | None:
    """First month m >= 1 at which ``high`` has cost no more than ``low`` after having cost more.

    >>> low = np.array([0.0, 100.0, 200.0, 300.0])   # one-off 0, then 100 per month
    >>> high = np.array([150.0, 200.0, 250.0, 300.0])  # one-off 150, then 50 per month
    >>> breakeven_month(low, high)
    3
    >>> breakeven_month(low, high + 1.0) is None
    True
    """
    diff = series_high - series_low
    above = np.flatnonzero(diff > 0)
    if above.size == 0:
        return None
    first_above = int(above[0])
    later = np.flatnonzero(diff[first_above + 1 :] <= 0)
    if later.size == 0:
        return None
    month = first_above + 1 + int(later[0])
    return month if month >= 1 else None


def breakeven_volume(
    total_a: Callable[[Array], Array],
    total_b: Callable[[Array], Array],
    *,
    grid: Array = VOLUME_GRID,
    max_iterations: int = 200,
) -> float | None:
    """Constant monthly volume where the two horizon totals are equal, or None if they never cross.

    ``total_x(volumes)`` returns the horizon total (USD) at each constant monthly volume. The first
    sign change on ``grid`` is refined by regula falsi (Illinois variant), which is exact in one step
    for linear costs, with a bisection fallback for step functions.

    >>> a = lambda q: 1000.0 + 0.01 * q     # fixed 1000, 1 cent per request
    >>> b = lambda q: 5000.0 + 0.002 * q
    >>> breakeven_volume(a, b)
    500000.0
    >>> breakeven_volume(lambda q: 10.0 + 0.02 * q, lambda q: 10.0 + 0.01 * q) is None  # equal only at 0
    True
    """
    d = total_a(grid) - total_b(grid)
    if not np.all(np.isfinite(d)):
        return None
    if d.size > 1 and d[0] == 0 and grid[0] == 0:
        # Equal at zero volume (same fixed costs) is not a breakeven: look at positive volumes only.
        grid, d = grid[1:], d[1:]
    sign = np.sign(d)
    zeros = np.flatnonzero(sign == 0)
    if sign.size and np.all(sign == 0):
        return None
    change = np.flatnonzero(sign[:-1] * sign[1:] < 0)
    if zeros.size and (change.size == 0 or zeros[0] <= change[0]):
        return float(grid[zeros[0]])
    if change.size == 0:
        return None
    i = int(change[0])
    lo, hi = float(grid[i]), float(grid[i + 1])
    d_lo, d_hi = float(d[i]), float(d[i + 1])
    side = 0
    for _ in range(max_iterations):
        q = hi - d_hi * (hi - lo) / (d_hi - d_lo)
        if not lo < q < hi:
            q = 0.5 * (lo + hi)
        point = np.array([q])
        ta, tb = float(total_a(point)[0]), float(total_b(point)[0])
        d_q = ta - tb
        if abs(d_q) <= RELATIVE_TOLERANCE * max(abs(ta), abs(tb), 1.0) or hi - lo <= RELATIVE_TOLERANCE * hi:
            return q
        if np.sign(d_q) == np.sign(d_lo):
            lo, d_lo = q, d_q
            if side == -1:
                d_hi *= 0.5
            side = -1
        else:
            hi, d_hi = q, d_q
            if side == 1:
                d_lo *= 0.5
            side = 1
    return 0.5 * (lo + hi)
