"""Tornado data: one-at-a-time swings of a horizon total (or of a difference of two) over each input's range.

Every uncertain input in turn is set to its 10th and then its 90th percentile while all the others
stay at their central values; the metric is recomputed for both, and inputs are ranked by the size of
the swing. The percentiles (rather than a three-point estimate's low and high) put every kind of
distribution on the same footing, lognormal tails included. All rows are evaluated in one vectorised
batch (:class:`costmodel.simulation.costs.CostModel`).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from costmodel.catalog.entry import Catalogs
from costmodel.core.errors import InputError
from costmodel.engine import RunResult
from costmodel.scenario.types import Scenario
from costmodel.scenario.uncertain import UncertainInput, round_half_up
from costmodel.simulation.costs import MAX_LOOP_DRAWS, CostModel

LOW_QUANTILE = 0.1
HIGH_QUANTILE = 0.9
"""Where each input is set for its low and high bar (its p10 and p90)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TornadoBar:
    """The metric with one input at its low and at its high value, the rest at their central values."""

    input: str
    low_value: float
    high_value: float
    low_usd: float
    high_usd: float

    @property
    def swing_usd(self) -> float:
        """Width of the bar, ``|high_usd - low_usd|``."""
        return abs(self.high_usd - self.low_usd)


@dataclass(frozen=True, slots=True, kw_only=True)
class Tornado:
    """Bars ranked by swing, largest first, around the metric at central values."""

    metric: str
    strategy_id: str
    versus_id: str | None
    base_usd: float
    bars: tuple[TornadoBar, ...]


def default_pair(result: RunResult) -> tuple[str, str | None]:
    """The runner-up and the cheapest strategy of a deterministic run (the runner-up alone if it is the only one).

    Their difference is what decides "which one wins"; a bar crossing zero flips the answer.
    """
    ranked = sorted((s for s in result.strategies if s.available), key=lambda s: s.total_usd)
    if not ranked:
        raise InputError.single(result.scenario.source, "strategies", "no strategy is available to analyse")
    if len(ranked) == 1:
        return ranked[0].id, None
    return ranked[1].id, ranked[0].id


def _index(result: RunResult, strategy_id: str, flag: str) -> int:
    ids = [s.id for s in result.strategies]
    if strategy_id not in ids:
        hint = difflib.get_close_matches(strategy_id, ids, n=1)
        extra = f" (did you mean {hint[0]!r}?)" if hint else f" (strategies: {', '.join(ids)})"
        raise InputError.single("<tornado>", flag, f"unknown strategy {strategy_id!r}{extra}")
    k = ids.index(strategy_id)
    if not result.strategies[k].available:
        raise InputError.single(
            "<tornado>", flag, f"strategy {strategy_id!r} is not available in this version"
        )
    return k


def tornado(
    model: CostModel,
    *,
    strategy_id: str,
    versus_id: str | None = None,
) -> Tornado:
    """Swings of ``total(strategy) - total(versus)`` (or of ``total(strategy)``) for every input of ``model``."""
    base = model.base
    k = _index(base, strategy_id, "strategy")
    kv = _index(base, versus_id, "versus") if versus_id is not None else None
    inputs = model.inputs
    rows = 1 + 2 * len(inputs)
    lows, highs = [], []
    values: dict[str, NDArray[np.float64]] = {}
    for j, inp in enumerate(inputs):
        low, high = inp.dist.ppf(LOW_QUANTILE), inp.dist.ppf(HIGH_QUANTILE)
        if inp.integer:
            low, high = round_half_up(low), round_half_up(high)
        column = np.full(rows, inp.central())
        column[1 + 2 * j], column[2 + 2 * j] = low, high
        values[inp.path] = column
        lows.append(low)
        highs.append(high)
    costs = model.evaluate(values, rows)
    slot = {plan_index: pos for pos, plan_index in enumerate(model.strategy_indices)}
    metric = costs[slot[k]].total_usd
    if kv is not None:
        metric = metric - costs[slot[kv]].total_usd
    base_usd = base.strategies[k].total_usd - (base.strategies[kv].total_usd if kv is not None else 0.0)
    bars = [
        TornadoBar(
            input=inp.path,
            low_value=lows[j],
            high_value=highs[j],
            low_usd=float(metric[1 + 2 * j]),
            high_usd=float(metric[2 + 2 * j]),
        )
        for j, inp in enumerate(inputs)
    ]
    bars.sort(key=lambda b: -b.swing_usd)
    name = f"total_usd of {strategy_id}" + (f" minus total_usd of {versus_id}" if versus_id else "")
    return Tornado(
        metric=name, strategy_id=strategy_id, versus_id=versus_id, base_usd=base_usd, bars=tuple(bars)
    )


def tornado_for(
    scenario: Scenario,
    inputs: Sequence[UncertainInput],
    *,
    strategy_id: str | None = None,
    versus_id: str | None = None,
    catalogs: Catalogs,
    at: dt.datetime | None = None,
) -> Tornado:
    """Tornado of a scenario over ``inputs``; with no strategy given, the runner-up minus the cheapest.

    Rows are few (two per input), so a strategy whose preparer cannot take arrays is prepared row by
    row rather than held fixed.
    """
    rows = 1 + 2 * len(inputs)
    model = CostModel(
        scenario,
        tuple(inputs),
        catalogs=catalogs,
        at=at,
        total_draws=rows,
        max_loop_draws=max(rows, MAX_LOOP_DRAWS),
    )
    if strategy_id is None:
        strategy_id, versus_id = default_pair(model.base)
    return tornado(model, strategy_id=strategy_id, versus_id=versus_id)
