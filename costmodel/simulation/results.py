"""What a simulation returns: percentiles, bands, chances of winning and breakeven-month distributions.

Plain frozen dataclasses (filled by :func:`costmodel.simulation.monte_carlo.simulate`) and the
summary table the CLI and the Simulator page both print.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from costmodel.engine import RunResult
from costmodel.scenario.uncertain import UncertainInput

Array = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class Quantiles:
    """10th, 50th and 90th percentile of a quantity over the draws."""

    p10: float
    p50: float
    p90: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Bands:
    """Percentiles month by month, each of shape (H,)."""

    p10: Array
    p50: Array
    p90: Array


@dataclass(frozen=True, slots=True, kw_only=True)
class StrategySimulation:
    """One strategy's distribution of outcomes (USD)."""

    id: str
    kind: str
    available: bool
    mode: str
    """How sampled inputs reached its costs: central, vectorised, loop or fixed (see :mod:`costmodel.simulation.costs`)."""
    total_usd: Quantiles | None
    net_value_usd: Quantiles | None
    monthly_usd: Bands | None
    cumulative_usd: Bands | None
    cumulative_net_value_usd: Bands | None
    p_cheapest: float
    """Share of draws in which it has the lowest horizon total (ties go to the first in the scenario)."""
    p_best_value: float | None
    """Share of draws in which it has the highest net value; None without a value block."""
    latency_end_to_end_ms: Quantiles | None = None
    """One request's end-to-end latency over the draws (ms); None without a latency estimate."""
    latency_ttft_ms: Quantiles | None = None
    """Time to first token over the draws (ms)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakevenDistribution:
    """When ``b`` catches up with ``a`` (the engine's orientation) across the draws.

    Each draw's month is the engine's time breakeven for that draw: the first month at which the
    strategy dearer at the start has cost no more in total than the other.
    """

    a: str
    b: str
    n_by_month: NDArray[np.int64]
    """Draws whose breakeven is month m, at index m - 1 (shape (H,))."""
    n_never: int
    p_never: float
    p10: int | None
    p50: int | None
    p90: int | None
    """Percentiles with "never" counted as later than the horizon (None when they fall there)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulationResult:
    """Everything a simulation produces."""

    draws: int
    band_draws: int
    """Draws used for the month-by-month bands (totals and probabilities use all draws)."""
    inputs: tuple[UncertainInput, ...]
    strategies: tuple[StrategySimulation, ...]
    breakeven: tuple[BreakevenDistribution, ...]
    notes: tuple[str, ...]
    deterministic: RunResult

    def strategy(self, strategy_id: str) -> StrategySimulation:
        """The result of one strategy (KeyError if absent)."""
        for s in self.strategies:
            if s.id == strategy_id:
                return s
        raise KeyError(strategy_id)


def strategy_summary_rows(result: SimulationResult) -> list[dict[str, Any]]:
    """Per strategy: total and net-value p10/p50/p90 (USD) and the chances of winning."""
    rows = []
    for s in result.strategies:
        total, net = s.total_usd, s.net_value_usd
        rows.append(
            {
                "id": s.id,
                "total_usd_p10": total.p10 if total else None,
                "total_usd_p50": total.p50 if total else None,
                "total_usd_p90": total.p90 if total else None,
                "net_value_usd_p10": net.p10 if net else None,
                "net_value_usd_p50": net.p50 if net else None,
                "net_value_usd_p90": net.p90 if net else None,
                "p_cheapest": s.p_cheapest,
                "p_best_value": s.p_best_value,
            }
        )
    return rows
