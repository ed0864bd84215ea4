"""The engine figures the advisor weighs, taken from a run or re-evaluated at another volume.

A :class:`Snapshot` holds, per strategy, the horizon cost, month-1 cost, net value, latency and
prompt make-up; scoring reads nothing else from the engine, so re-scoring at a scaled volume only
needs a new snapshot (one numpy pass per strategy, no catalog look-ups).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from costmodel.engine import BreakevenPair, RunResult, StrategyResult
from costmodel.formulas.costs import monthly_discount_factors
from costmodel.formulas.value import net_value_usd
from costmodel.scenario.types import PromptingStrategy, RagStrategy, Scenario

USD_PER_MILLION = 1_000_000
"""Dollars in a million dollars (for writing large amounts as '$1.2 million')."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Figures:
    """One strategy's figures (USD, ms, tokens); None where the engine could not estimate them."""

    id: str
    kind: str
    available: bool
    total_usd: float | None
    month1_usd: float | None
    net_value_usd: float | None
    accuracy_fraction: float | None
    end_to_end_ms: float | None
    ttft_ms: float | None
    input_tokens_per_request: float | None
    n_shots: int
    shot_tokens_per_request: float
    unavailable_note: str | None
    basis_usd: float | None = None
    """The cost the economics criterion compares: NPV when the scenario discounts, else ``total_usd``."""

    @property
    def shot_fraction(self) -> float:
        """Share of the input tokens that are few-shot examples (0 when unknown)."""
        if not self.input_tokens_per_request or self.shot_tokens_per_request <= 0:
            return 0.0
        return min(1.0, self.shot_tokens_per_request / self.input_tokens_per_request)


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """What the advisor reads from one engine run, possibly re-evaluated at a scaled volume."""

    scenario: Scenario
    requests_month1: float
    figures: tuple[Figures, ...]
    breakeven: tuple[BreakevenPair, ...]
    volume_factor: float = 1.0
    requests_final_month: float = 0.0
    """Requests in the last month of the horizon (the growth path's end)."""
    npv_basis: bool = False
    """True when the scenario discounts: costs are compared as NPVs (SCENARIO.md ``cost_basis``)."""

    @property
    def horizon_months(self) -> int:
        """The scenario's horizon in months."""
        return self.scenario.horizon_months

    def priced(self) -> list[Figures]:
        """Strategies the engine could price."""
        return [f for f in self.figures if f.available and f.total_usd is not None]


def _shots(scenario: Scenario, strategy_id: str) -> tuple[int, float]:
    s = scenario.strategy(strategy_id)
    if isinstance(s, PromptingStrategy | RagStrategy):
        return s.n_shots, s.n_shots * s.tokens_per_shot
    return 0, 0.0


def snapshot(result: RunResult, volume_factor: float = 1.0) -> Snapshot:
    """Figures of every strategy; ``volume_factor`` scales every month's requests (1 = the run itself).

    At a factor other than 1 the horizon total, month-1 cost and net value are re-evaluated from the
    prepared strategies with the same formulas as the engine (net value:
    :func:`costmodel.formulas.value.net_value_usd`); latency does not depend on volume.
    Breakeven pairs are only kept at factor 1.
    """
    scenario = result.scenario
    requests = result.requests_per_month * volume_factor
    value = scenario.value
    npv_basis = result.cost_basis == "npv"
    discount = monthly_discount_factors(scenario.discount_rate_annual_fraction, scenario.horizon_months)
    figures = []
    for prepared, r in zip(result.prepared, result.strategies, strict=True):
        n_shots, shot_tokens = _shots(scenario, r.id)
        total: float | None = r.total_usd
        month1: float | None = float(r.monthly_usd[0])
        net = r.net_value_usd
        npv: float | None = r.npv_usd
        if not r.available:
            total = month1 = net = npv = None
        elif volume_factor != 1.0:
            monthly = np.zeros_like(requests)
            for arr in prepared.monthly_usd(requests).values():
                monthly = monthly + arr
            total = r.one_off_usd + float(monthly.sum())
            npv = r.one_off_usd + float(np.dot(monthly, discount))
            month1 = float(monthly[0])
            if value is not None and r.accuracy_fraction is not None:
                net = net_value_usd(
                    n_requests=float(requests.sum()),
                    accuracy_fraction=r.accuracy_fraction,
                    usd_per_correct_answer=value.usd_per_correct_answer,
                    usd_per_wrong_answer=value.usd_per_wrong_answer,
                    cost_usd=total,
                )
        inp = r.details.get("input_tokens_per_request")
        figures.append(
            Figures(
                id=r.id,
                kind=r.kind,
                available=r.available,
                total_usd=total,
                month1_usd=month1,
                net_value_usd=net,
                accuracy_fraction=r.accuracy_fraction,
                end_to_end_ms=r.latency.end_to_end_ms if r.latency and r.available else None,
                ttft_ms=r.latency.time_to_first_token_ms if r.latency and r.available else None,
                input_tokens_per_request=float(inp) if inp is not None else None,
                n_shots=n_shots,
                shot_tokens_per_request=shot_tokens,
                unavailable_note=None if r.available else _unavailable_note(r, scenario.horizon_months),
                basis_usd=npv if npv_basis else total,
            )
        )
    return Snapshot(
        scenario=scenario,
        requests_month1=float(requests[0]),
        figures=tuple(figures),
        breakeven=result.breakeven if volume_factor == 1.0 else (),
        volume_factor=volume_factor,
        requests_final_month=float(requests[-1]),
        npv_basis=npv_basis,
    )


def significant(x: float, digits: int = 3) -> float:
    """``x`` rounded to ``digits`` significant figures.

    >>> significant(3612.4), significant(0.012345, 2), significant(287, 2)
    (3610.0, 0.012, 290.0)
    """
    if x == 0 or not math.isfinite(x):
        return float(x)
    return float(round(x, digits - 1 - math.floor(math.log10(abs(x)))))


def usd(x: float) -> str:
    """Money for a sentence: 3 significant figures, millions spelled out.

    >>> usd(3612.4), usd(8.404), usd(1_234_567), usd(-45_210)
    ('$3,610', '$8.40', '$1.23 million', '-$45,200')
    """
    sign = "-" if x < 0 else ""
    x = significant(abs(x))
    if x >= USD_PER_MILLION:
        return f"{sign}${x / USD_PER_MILLION:,.3g} million"
    if x >= 100:
        return f"{sign}${x:,.0f}"
    return f"{sign}${x:,.2f}"


def count(x: float) -> str:
    """A count for a sentence, 3 significant figures with thousands separators.

    >>> count(201_234.5), count(7)
    ('201,000', '7')
    """
    return f"{significant(x):,.0f}"


def _unavailable_note(r: StrategyResult, horizon_months: int) -> str:
    """Why a strategy has no cost over the horizon: it stops at a retirement, or the engine's notes."""
    stops = [e for e in r.lifecycle_events if e.kind != "deprecated"]
    if r.available_months < horizon_months and stops:
        e = stops[0]
        n = r.available_months
        served = "no month" if n <= 0 else ("month 1" if n == 1 else f"months 1-{n}")
        return (
            f"{e.subject} {lifecycle_phrase(e.kind)} {e.date.isoformat()} (month {e.month}) and no "
            f"migration is planned, so it can serve only {served} of {horizon_months}"
        )
    return "; ".join(r.notes) or "not estimated"


def lifecycle_phrase(kind: str) -> str:
    """Plain words for a lifecycle event kind."""
    return {
        "shutdown": "shuts down on",
        "new_jobs_end": "takes no new fine-tuning jobs after",
        "deprecated": "is deprecated from",
    }.get(kind, kind)
