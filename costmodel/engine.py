"""The cost engine: a scenario in, every strategy's costs, value, latency and breakeven points out.

Vectorised over months and over volume sweeps: each strategy is prepared once (catalog and price
look-ups), then evaluated for any request array of shape (..., H) in one numpy pass.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.lifecycle import LifecycleEvent
from costmodel.catalog.price_data import PriceDataInfo, current_price_data
from costmodel.core.numeric import gate_costs, quiet_overflow
from costmodel.formulas import costs as f
from costmodel.formulas.breakeven import breakeven_month, breakeven_volume, orient
from costmodel.formulas.latency import LatencyEstimate
from costmodel.formulas.value import net_value_usd
from costmodel.scenario.calendar import default_start_date
from costmodel.scenario.types import Scenario
from costmodel.strategies.common import CATEGORIES, Context, PreparedStrategy, TierShare
from costmodel.strategies.registry import prepare

Array = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class StrategyResult:
    """Costs, value and latency of one strategy over the horizon (USD unless the name says otherwise)."""

    id: str
    kind: str
    available: bool
    one_off_usd: float
    monthly_usd: Array
    cumulative_usd: Array
    total_usd: float
    npv_usd: float
    usd_per_request: float
    breakdown_usd: Mapping[str, float]
    monthly_breakdown_usd: Mapping[str, Array]
    latency: LatencyEstimate | None
    accuracy_fraction: float | None
    net_value_usd: float | None
    usd_per_correct_answer: float | None
    n_requests_total: float
    prices_as_of: dt.date | None
    notes: tuple[str, ...]
    details: Mapping[str, float] = field(default_factory=dict)
    available_months: int = 0
    """Months the strategy can serve (the horizon unless a retirement stops it)."""
    lifecycle_events: tuple[LifecycleEvent, ...] = ()
    batch_fraction: float = 0.0
    """Share of requests sent through a batch API (answered within the completion window, not interactively)."""
    batch_completion_window_hours: float | None = None
    all_in_usd_per_request: float | None = None
    """``total_usd`` / requests served over the horizon (one-off, fixed and variable costs); None at zero requests."""
    discounted_cumulative_usd: Array | None = None
    """``one_off_usd`` + discounted monthly costs up to month m (the NPV basis's cumulative series)."""
    tiers: tuple[TierShare, ...] = ()
    """A cascade's tiers: shares of requests seen and answered, and cost (empty for other kinds)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakevenPair:
    """When and at what volume strategy ``b`` (dearer at the start) catches up with ``a``."""

    a: str
    b: str
    month: int | None
    requests_per_month: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RunResult:
    """The full result of one scenario run (SCENARIO.md "JSON output of breakeven run")."""

    scenario: Scenario
    requests_per_month: Array
    strategies: tuple[StrategyResult, ...]
    cheapest_id: str | None
    breakeven: tuple[BreakevenPair, ...]
    prices_as_of: dt.date | None
    prepared: tuple[PreparedStrategy, ...] = field(repr=False)
    start_date: dt.date = field(default_factory=default_start_date)
    price_data: PriceDataInfo | None = None

    @property
    def cost_basis(self) -> str:
        """``npv`` when the scenario discounts (cheapest and breakeven months compare NPVs), else ``total``."""
        return "npv" if self.scenario.discount_rate_annual_fraction > 0 else "total"

    def strategy(self, strategy_id: str) -> StrategyResult:
        """The result of one strategy (KeyError if absent)."""
        for s in self.strategies:
            if s.id == strategy_id:
                return s
        raise KeyError(strategy_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain data exactly in the JSON contract's shape (plus optional extra keys)."""
        return {
            "schema_version": 1,
            "scenario": self.scenario.name,
            "horizon_months": self.scenario.horizon_months,
            "start_date": self.start_date.isoformat(),
            "prices_as_of": self.prices_as_of.isoformat() if self.prices_as_of else None,
            "price_data": self.price_data.to_dict() if self.price_data else None,
            "requests_per_month": self.requests_per_month.tolist(),
            "cost_basis": self.cost_basis,
            "strategies": [_strategy_dict(s) for s in self.strategies],
            "cheapest_id": self.cheapest_id,
            "breakeven": [
                {"a": p.a, "b": p.b, "month": p.month, "requests_per_month": p.requests_per_month}
                for p in self.breakeven
            ],
        }


def _strategy_dict(s: StrategyResult) -> dict[str, Any]:
    latency = (
        {
            "time_to_first_token": s.latency.time_to_first_token_ms,
            "end_to_end": s.latency.end_to_end_ms,
        }
        if s.latency
        else None
    )
    return {
        "id": s.id,
        "kind": s.kind,
        "available": s.available,
        "one_off_usd": s.one_off_usd,
        "monthly_usd": s.monthly_usd.tolist(),
        "cumulative_usd": s.cumulative_usd.tolist(),
        "total_usd": s.total_usd,
        "npv_usd": s.npv_usd,
        "usd_per_request": s.usd_per_request,
        "all_in_usd_per_request": s.all_in_usd_per_request,
        "breakdown_usd": dict(s.breakdown_usd),
        "latency_ms": latency,
        "latency_stages_ms": dict(s.latency.stages_ms) if s.latency else None,
        "accuracy_fraction": s.accuracy_fraction,
        "net_value_usd": s.net_value_usd,
        "usd_per_correct_answer": s.usd_per_correct_answer,
        "prices_as_of": s.prices_as_of.isoformat() if s.prices_as_of else None,
        "notes": list(s.notes),
        "available_months": s.available_months,
        "lifecycle_events": [e.to_dict() for e in s.lifecycle_events],
        "batch": (
            {"fraction": s.batch_fraction, "completion_window_hours": s.batch_completion_window_hours}
            if s.batch_fraction > 0
            else None
        ),
        **({"tiers": [asdict(t) for t in s.tiers]} if s.kind == "cascade" else {}),
    }


def prepare_all(
    scenario: Scenario, catalogs: Catalogs, *, at: dt.datetime | None = None
) -> tuple[PreparedStrategy, ...]:
    """Resolve every strategy's catalog references and prices once (in ``catalogs``, at time ``at``)."""
    ctx = Context(scenario=scenario, catalogs=catalogs, at=at)
    return tuple(prepare(s, ctx) for s in scenario.strategies)


def _sum_last(monthly: Mapping[str, Array], requests: Array) -> Array:
    acc = np.zeros(requests.shape)
    for arr in monthly.values():
        acc = acc + arr
    return np.asarray(acc.sum(axis=-1), dtype=np.float64)


def sweep_totals(p: PreparedStrategy, volumes: Array, horizon_months: int) -> Array:
    """Horizon total (USD) at each constant monthly volume in ``volumes`` (shape (n,))."""
    requests = np.repeat(np.asarray(volumes, dtype=np.float64)[:, None], horizon_months, axis=1)
    return _sum_last(p.monthly_usd(requests), requests) + sum(p.one_off_usd.values())


def _result(p: PreparedStrategy, scenario: Scenario, requests: Array) -> StrategyResult:
    monthly_by_cat = p.monthly_usd(requests)
    monthly = np.zeros_like(requests)
    for arr in monthly_by_cat.values():
        monthly = monthly + arr
    one_off = float(sum(p.one_off_usd.values()))
    cumulative = one_off + np.cumsum(monthly)
    total = float(cumulative[-1])
    discount = f.monthly_discount_factors(scenario.discount_rate_annual_fraction, scenario.horizon_months)
    npv = one_off + float(np.dot(monthly, discount))
    breakdown = {cat: float(p.one_off_usd.get(cat, 0.0) + monthly_by_cat[cat].sum()) for cat in CATEGORIES}
    usd_per_request = (
        p.variable_usd_per_request
        if p.variable_usd_per_request is not None
        else float(sum(_month_one(v) for v in p.per_request_usd.values()))
    )
    n_total = float(requests.sum())
    months_served = p.available_months if p.available_months is not None else scenario.horizon_months
    n_served = float(requests[: max(0, months_served)].sum())
    net_value: float | None = None
    per_correct: float | None = None
    if p.accuracy_fraction is not None and p.available:
        correct = n_total * p.accuracy_fraction
        per_correct = total / correct if correct > 0 else None
        if scenario.value is not None:
            net_value = net_value_usd(
                n_requests=n_total,
                accuracy_fraction=p.accuracy_fraction,
                usd_per_correct_answer=scenario.value.usd_per_correct_answer,
                usd_per_wrong_answer=scenario.value.usd_per_wrong_answer,
                cost_usd=total,
            )
    return StrategyResult(
        id=p.id,
        kind=p.kind,
        available=p.available,
        one_off_usd=one_off,
        monthly_usd=monthly,
        cumulative_usd=cumulative,
        total_usd=total,
        npv_usd=npv,
        usd_per_request=usd_per_request,
        breakdown_usd=breakdown,
        monthly_breakdown_usd={cat: np.asarray(v, dtype=np.float64) for cat, v in monthly_by_cat.items()},
        latency=p.latency,
        accuracy_fraction=p.accuracy_fraction,
        net_value_usd=net_value,
        usd_per_correct_answer=per_correct,
        n_requests_total=n_total,
        prices_as_of=p.prices_as_of,
        notes=p.notes,
        details=p.details,
        available_months=p.available_months if p.available_months is not None else scenario.horizon_months,
        lifecycle_events=p.lifecycle_events,
        batch_fraction=p.batch_fraction,
        batch_completion_window_hours=p.batch_completion_window_hours,
        all_in_usd_per_request=total / n_served if n_served > 0 else None,
        discounted_cumulative_usd=one_off + np.cumsum(monthly * discount),
        tiers=p.tiers,
    )


def _month_one(value: object) -> float:
    """Month-1 value of a per-request cost that is a number or an array over months."""
    return float(np.asarray(value, dtype=np.float64).reshape(-1)[0])


def _totals_at(p: PreparedStrategy, horizon_months: int) -> Callable[[Array], Array]:
    def totals(volumes: Array) -> Array:
        return sweep_totals(p, volumes, horizon_months)

    return totals


def breakeven_pairs(
    prepared: tuple[PreparedStrategy, ...],
    results: tuple[StrategyResult, ...],
    horizon_months: int,
    *,
    discount: Array | None = None,
) -> tuple[BreakevenPair, ...]:
    """Time and volume breakeven for every pair of available strategies (scenario order).

    With ``discount`` (monthly discount factors, the NPV basis) the month compares discounted cumulative
    costs; the volume is always where the undiscounted horizon totals are equal (SCENARIO.md).
    """
    pairs: list[BreakevenPair] = []
    usable = [(p, r) for p, r in zip(prepared, results, strict=True) if r.available]
    for (pa, ra), (pb, rb) in itertools.combinations(usable, 2):
        cum_a, cum_b = ra.cumulative_usd, rb.cumulative_usd
        if discount is not None and ra.discounted_cumulative_usd is not None:
            cum_a = ra.discounted_cumulative_usd
        if discount is not None and rb.discounted_cumulative_usd is not None:
            cum_b = rb.discounted_cumulative_usd
        series_a = np.concatenate([[ra.one_off_usd], cum_a])
        series_b = np.concatenate([[rb.one_off_usd], cum_b])
        swapped, _ = orient(series_a, series_b)
        if swapped:
            (pa, ra, series_a), (pb, rb, series_b) = (pb, rb, series_b), (pa, ra, series_a)
        month = breakeven_month(series_a, series_b)
        volume = breakeven_volume(_totals_at(pa, horizon_months), _totals_at(pb, horizon_months))
        pairs.append(BreakevenPair(a=ra.id, b=rb.id, month=month, requests_per_month=volume))
    return tuple(pairs)


def _gate_rows(
    scenario: Scenario, results: tuple[StrategyResult, ...]
) -> list[tuple[str, str, Mapping[str, Any]]]:
    """(field path, id, costs by category) of each strategy, for the numeric gate."""
    index = {s.id: i for i, s in enumerate(scenario.strategies)}
    return [
        (f"strategies[{index.get(r.id, 0)}]", r.id, {**r.monthly_breakdown_usd, "one-off": r.one_off_usd})
        for r in results
        if r.available
    ]


def run(scenario: Scenario, catalogs: Catalogs, *, at: dt.datetime | None = None) -> RunResult:
    """Evaluate a scenario with ``catalogs``: every strategy month by month, cheapest, and breakeven points.

    ``at`` picks the prices in force at that time (default: now). The catalogs are always given, never
    assumed: the CLI passes ``default_catalogs()``, the app the session's catalogs (uploads, overrides).
    """
    with quiet_overflow():  # the numeric gate refuses overflow below, with the strategy named
        prepared = prepare_all(scenario, catalogs, at=at)
        w = scenario.workload
        requests = f.monthly_requests(
            w.requests_per_month, w.growth_fraction_per_month, scenario.horizon_months
        )
        results = tuple(_result(p, scenario, requests) for p in prepared)
    gate_costs(scenario.source, scenario.line, _gate_rows(scenario, results))
    available = [r for r in results if r.available]
    npv_basis = scenario.discount_rate_annual_fraction > 0
    cheapest = min(available, key=lambda r: r.npv_usd if npv_basis else r.total_usd).id if available else None
    discount = (
        f.monthly_discount_factors(scenario.discount_rate_annual_fraction, scenario.horizon_months)
        if npv_basis
        else None
    )
    dates = [r.prices_as_of for r in results if r.prices_as_of is not None]
    return RunResult(
        scenario=scenario,
        requests_per_month=requests,
        strategies=results,
        cheapest_id=cheapest,
        breakeven=breakeven_pairs(prepared, results, scenario.horizon_months, discount=discount),
        prices_as_of=min(dates) if dates else None,
        prepared=prepared,
        start_date=scenario.start_date or default_start_date(),
        price_data=current_price_data()[1],
    )
