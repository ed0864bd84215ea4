"""Budget solve (SCENARIO.md "Version 1 additions (composite strategies and budget)").

For a budget of ``X`` USD a month and each strategy:

- ``max_requests_per_month``: the largest constant monthly volume ``V`` whose average monthly cost over
  the horizon fits, ``(one-off + sum over months of monthly cost at V) / H <= X``. Costs never fall when
  volume grows, so the answer is found by doubling an upper bound, then bisecting to a relative width
  of :data:`RELATIVE_TOLERANCE`. None when even zero volume does not fit; the volume ceiling
  (:data:`costmodel.core.numeric.MAX_MONTHLY_REQUESTS`) when every volume fits (no per-request cost).
- ``first_month_over_budget``: on the scenario's own growth path, the first month (1-based) whose
  recurring cost ``monthly_usd`` exceeds ``X``; None if none does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from costmodel.core.numeric import MAX_MONTHLY_REQUESTS
from costmodel.engine import RunResult, sweep_totals
from costmodel.strategies.common import PreparedStrategy

__all__ = ["RELATIVE_TOLERANCE", "BudgetResult", "BudgetRow", "average_monthly_usd", "solve_budget"]

RELATIVE_TOLERANCE = 1e-10
"""Bisection stops when the bracket is narrower than this share of the volume."""

MAX_STEPS = 400
"""Most doubling plus bisection steps (doubling from 1 reaches 1e15 in 50; bisection needs ~35)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BudgetRow:
    """One strategy's answer to "what fits in the budget"."""

    id: str
    kind: str
    available: bool
    max_requests_per_month: float | None
    average_monthly_usd_at_max: float | None
    average_monthly_usd_at_zero: float
    first_month_over_budget: int | None

    def to_dict(self) -> dict[str, Any]:
        """The contract's keys first, then extras."""
        return {
            "id": self.id,
            "max_requests_per_month": self.max_requests_per_month,
            "first_month_over_budget": self.first_month_over_budget,
            "kind": self.kind,
            "available": self.available,
            "average_monthly_usd_at_max": self.average_monthly_usd_at_max,
            "average_monthly_usd_at_zero": self.average_monthly_usd_at_zero,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class BudgetResult:
    """Every strategy's budget answer."""

    usd_per_month: float
    horizon_months: int
    strategies: tuple[BudgetRow, ...]

    def to_dict(self) -> dict[str, Any]:
        """``breakeven budget --format json``."""
        return {
            "usd_per_month": self.usd_per_month,
            "horizon_months": self.horizon_months,
            "strategies": [r.to_dict() for r in self.strategies],
        }


def average_monthly_usd(p: PreparedStrategy, volume: float, horizon_months: int) -> float:
    """Average monthly cost (USD) over the horizon at a constant ``volume`` (one-off spread over it)."""
    return float(sweep_totals(p, np.array([volume], dtype=np.float64), horizon_months)[0]) / horizon_months


def _largest_fitting(cost: Callable[[float], float], budget: float) -> float | None:
    """Largest volume with ``cost(volume) <= budget`` for a non-decreasing ``cost``."""
    if cost(0.0) > budget:
        return None
    lo, hi = 0.0, 1.0
    steps = 0
    while cost(hi) <= budget:
        lo, hi = hi, hi * 2.0
        steps += 1
        if hi > MAX_MONTHLY_REQUESTS:
            return MAX_MONTHLY_REQUESTS if cost(MAX_MONTHLY_REQUESTS) <= budget else _bisect(cost, budget, lo)
    return _bisect(cost, budget, lo, hi, steps)


def _bisect(
    cost: Callable[[float], float], budget: float, lo: float, hi: float = MAX_MONTHLY_REQUESTS, steps: int = 0
) -> float:
    while hi - lo > RELATIVE_TOLERANCE * hi and steps < MAX_STEPS:
        mid = (lo + hi) / 2.0
        if cost(mid) <= budget:
            lo = mid
        else:
            hi = mid
        steps += 1
    return lo


def solve_budget(result: RunResult, usd_per_month: float) -> BudgetResult:
    """Per strategy of a run: the largest constant volume that fits, and the first month over budget."""
    horizon = result.scenario.horizon_months
    rows = []
    for p, r in zip(result.prepared, result.strategies, strict=True):

        def cost(volume: float, p: PreparedStrategy = p) -> float:
            return average_monthly_usd(p, volume, horizon)

        best = _largest_fitting(cost, usd_per_month)
        over = np.flatnonzero(np.asarray(r.monthly_usd) > usd_per_month)
        rows.append(
            BudgetRow(
                id=r.id,
                kind=r.kind,
                available=r.available,
                max_requests_per_month=best,
                average_monthly_usd_at_max=cost(best) if best is not None else None,
                average_monthly_usd_at_zero=cost(0.0),
                first_month_over_budget=int(over[0]) + 1 if over.size else None,
            )
        )
    return BudgetResult(usd_per_month=usd_per_month, horizon_months=horizon, strategies=tuple(rows))
