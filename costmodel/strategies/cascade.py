"""The ``cascade`` strategy: tiers of other strategies; each answers or escalates to the next.

SCENARIO.md "Version 1 additions (composite strategies and budget)". With escalation fractions
``e_1 .. e_{n-1}`` (the last tier answers everything that reaches it), tier ``i`` sees
``r_i = e_1 x ... x e_{i-1}`` of the requests (``r_1 = 1``) and answers ``a_i = r_i x (1 - e_i)``
(``a_n = r_n``).

- Costs: each tier's variable costs (per request, and non-linear ones such as vector-DB reads or GPU
  replicas) at ``r_i x requests``; each tier's one-off and fixed monthly costs once; plus the router's
  ``usd_per_request`` on every request (category ``infrastructure``) and the cascade's own people hours.
- Accuracy: ``accuracy_fraction`` when given, else ``sum a_i x accuracy_i`` (None when a tier has none).
- Latency (mean over requests): end-to-end ``router + sum r_i x e2e_i``; time to first token
  ``router + sum a_i x (sum_{j<i} e2e_j + ttft_i)`` (an escalated request waits for the tiers before).
- Availability: a cascade is available only while all its tiers are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from costmodel.formulas import costs as f
from costmodel.formulas.latency import LatencyEstimate
from costmodel.scenario.types import CascadeStrategy, Strategy
from costmodel.strategies.common import (
    CATEGORIES,
    Array,
    Context,
    NonLinear,
    PreparedStrategy,
    TierShare,
    people_costs,
    typical,
)

__all__ = ["prepare_cascade", "tier_fractions"]

Preparer = Callable[[Strategy, Context], PreparedStrategy]


def tier_fractions(s: CascadeStrategy) -> list[tuple[Any, Any]]:
    """(requests fraction, answered fraction) of each tier, in order (array-safe for simulation draws).

    >>> from costmodel.scenario.types import CascadeTier
    >>> c = CascadeStrategy(id="c", kind="cascade", tiers=(CascadeTier(strategy="a", escalate_fraction=0.2),
    ...     CascadeTier(strategy="b", escalate_fraction=0.5), CascadeTier(strategy="d")))
    >>> [(round(r, 3), round(a, 3)) for r, a in tier_fractions(c)]
    [(1.0, 0.8), (0.2, 0.1), (0.1, 0.1)]
    """
    out: list[tuple[Any, Any]] = []
    reach: Any = 1.0
    last = len(s.tiers) - 1
    for k, tier in enumerate(s.tiers):
        e = tier.escalate_fraction if (k < last and tier.escalate_fraction is not None) else 0.0
        out.append((reach, reach * (1.0 - e)))
        reach = reach * e
    return out


def _latency(parts: list[tuple[PreparedStrategy, Any, Any]], router_ms: float) -> LatencyEstimate | None:
    if any(p.latency is None for p, _, _ in parts):
        return None
    stages: dict[str, float] = {"router": router_ms} if router_ms else {}
    ttft, before = router_ms, 0.0
    for p, reach, answered in parts:
        lat = p.latency
        assert lat is not None
        stages[f"tier {p.id}"] = typical(reach) * lat.end_to_end_ms
        ttft += typical(answered) * (before + lat.time_to_first_token_ms)
        before += lat.end_to_end_ms
    return LatencyEstimate(
        time_to_first_token_ms=ttft,
        end_to_end_ms=sum(stages.values()),
        stages_ms=stages,
        profile_id="cascade",
        assumption=any(p.latency.assumption for p, _, _ in parts if p.latency is not None),
        notes=("cascade latency: the mean over requests of the router plus every tier a request passes",),
    )


def _accuracy(s: CascadeStrategy, parts: list[tuple[PreparedStrategy, Any, Any]]) -> Any:
    if s.accuracy_fraction is not None:
        return s.accuracy_fraction
    if any(p.accuracy_fraction is None for p, _, _ in parts):
        return None
    return sum(answered * p.accuracy_fraction for p, _, answered in parts)


def _nonlinear(parts: list[tuple[PreparedStrategy, Any, Any]]) -> NonLinear | None:
    scaled = [(p.nonlinear, reach) for p, reach, _ in parts if p.nonlinear is not None]
    if not scaled:
        return None

    def tiers_at_their_share(requests: Array) -> dict[str, Array]:
        out: dict[str, Array] = {}
        for fn, reach in scaled:
            assert fn is not None
            for cat, v in fn(np.asarray(reach * requests, dtype=np.float64)).items():
                out[cat] = out.get(cat, 0.0) + v
        return out

    return tiers_at_their_share


def _variable(p: PreparedStrategy) -> Any:
    if p.variable_usd_per_request is not None:
        return p.variable_usd_per_request
    return sum(np.asarray(v, dtype=np.float64).reshape(-1)[0] for v in p.per_request_usd.values())


def prepare_cascade(s: Strategy, ctx: Context, prepare_tier: Preparer) -> PreparedStrategy:
    """Cascade: the tiers' costs at the requests that reach each, plus the router and the cascade's people."""
    if not isinstance(s, CascadeStrategy):
        raise TypeError(f"not a cascade strategy: {s.kind}")
    parts = [
        (prepare_tier(ctx.scenario.strategy(t.strategy), ctx), reach, answered)
        for t, (reach, answered) in zip(s.tiers, tier_fractions(s), strict=True)
    ]
    router_usd = s.router.usd_per_request if s.router is not None else 0.0
    router_ms = s.router.latency_ms if s.router is not None else 0.0
    setup, maintenance = people_costs(s, ctx)
    one_off: dict[str, Any] = {"people": setup}
    fixed: dict[str, Any] = {"people": maintenance}
    per_request: dict[str, Any] = {"infrastructure": router_usd}
    for p, reach, _ in parts:
        for cat in CATEGORIES:
            one_off[cat] = one_off.get(cat, 0.0) + p.one_off_usd.get(cat, 0.0)
            fixed[cat] = fixed.get(cat, 0.0) + np.asarray(p.fixed_monthly_usd.get(cat, 0.0), dtype=np.float64)
            per_request[cat] = per_request.get(cat, 0.0) + reach * p.per_request_usd.get(cat, 0.0)
    w = ctx.scenario.workload
    requests = f.monthly_requests(
        w.requests_per_month, w.growth_fraction_per_month, ctx.scenario.horizon_months
    )
    tiers = tuple(
        TierShare(
            strategy=p.id,
            requests_fraction=typical(reach),
            answered_fraction=typical(answered),
            usd=typical(sum(p.one_off_usd.values()))
            + typical(sum(np.sum(v, axis=-1) for v in p.monthly_usd(reach * requests).values())),
        )
        for p, reach, answered in parts
    )
    months = [p.available_months for p, _, _ in parts if p.available_months is not None]
    dates = [p.prices_as_of for p, _, _ in parts if p.prices_as_of is not None]
    events = {e for p, _, _ in parts for e in p.lifecycle_events}
    shares = ", ".join(f"{t.strategy} answers {t.answered_fraction:.1%}" for t in tiers)
    return PreparedStrategy(
        id=s.id,
        kind=s.kind,
        one_off_usd=one_off,
        fixed_monthly_usd=fixed,
        per_request_usd=per_request,
        nonlinear=_nonlinear(parts),
        variable_usd_per_request=router_usd + sum(reach * _variable(p) for p, reach, _ in parts),
        latency=_latency(parts, router_ms),
        accuracy_fraction=_accuracy(s, parts),
        prices_as_of=min(dates) if dates else None,
        notes=(f"cascade: {shares}",),
        available=all(p.available for p, _, _ in parts),
        available_months=min(months) if months else None,
        lifecycle_events=tuple(sorted(events, key=lambda e: (e.month, e.date, e.kind, e.subject))),
        details={"router_usd_per_request": router_usd},
        tiers=tiers,
    )
