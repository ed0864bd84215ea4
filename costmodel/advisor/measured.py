"""Advisor criteria computed from the engine's figures: prompt overhead, budget, latency, cost.

Each returns an :class:`Applied` criterion (strength, per-strategy fit and reason texts) for
:func:`costmodel.advisor.score.score`; weights and reasoning are in :mod:`costmodel.advisor.criteria`.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

from costmodel.advisor.criteria import BY_ID, Criterion
from costmodel.advisor.figures import Figures, Snapshot, count, usd
from costmodel.scenario.types import Needs

MIN_REFERENCE_USD = 1.0
"""Floor of the economics reference amount, so a scenario whose cheapest strategy is free still scores."""

FINETUNE_KINDS = ("finetune_hosted", "finetune_selfhosted")


@dataclass(frozen=True, slots=True, kw_only=True)
class Applied:
    """A criterion as it applies to one snapshot: strength, fit and reason texts per strategy id."""

    criterion: Criterion
    strength: float
    fits: dict[str, float]
    texts: dict[str, tuple[str, ...]]

    @property
    def weight(self) -> float:
        """weight x strength: how much the criterion counts in this ranking."""
        return self.criterion.weight * self.strength


def _not_estimated(label: str, f: Figures) -> str:
    return f"{label}: not estimated for {f.id} ({f.unavailable_note}), so it scores 0 here"


def prompt_overhead(snap: Snapshot) -> Applied | None:
    """Few-shot examples repeated in every request; strength = the largest share of input tokens."""
    carriers = [f for f in snap.figures if f.shot_fraction > 0]
    if not carriers:
        return None
    worst = max(carriers, key=lambda f: f.shot_fraction)
    c = BY_ID["prompt_overhead"]
    fits: dict[str, float] = {}
    texts: dict[str, tuple[str, ...]] = {}
    for f in snap.figures:
        if f.kind in FINETUNE_KINDS:
            fits[f.id] = 1.0
            own = f" ({count(f.input_tokens_per_request)} input tokens)" if f.input_tokens_per_request else ""
            texts[f.id] = (
                f"{c.label}: a fine-tuned model learns the examples once instead of reading them with every "
                f"request{own}; {worst.id} sends {count(worst.shot_tokens_per_request)} tokens of examples "
                "each time",
            )
        else:
            fits[f.id] = 1.0 - f.shot_fraction
            if f.shot_fraction > 0:
                texts[f.id] = (
                    f"{c.label}: {f.n_shots} examples ({count(f.shot_tokens_per_request)} tokens, "
                    f"{f.shot_fraction:.0%} of its {count(f.input_tokens_per_request or 0)} input tokens) "
                    "travel with every request",
                )
            else:
                texts[f.id] = (
                    f"{c.label}: none of its {count(f.input_tokens_per_request or 0)} input tokens are "
                    "few-shot examples",
                )
    return Applied(criterion=c, strength=worst.shot_fraction, fits=fits, texts=texts)


def _over_budget_fit(budget: float, actual: float) -> float:
    """``min(1, budget / actual)^2``: 1 within budget, about 0.6 at 30% over."""
    return 1.0 if actual <= budget else (budget / actual) ** 2


def budget(needs: Needs, snap: Snapshot) -> Applied | None:
    """Average monthly cost (one-off costs spread over the horizon) against the answered budget."""
    budget = needs.budget_usd_per_month
    if budget is None:
        return None
    c = BY_ID["budget"]
    head = f"{c.label} ({usd(budget)}/month)"
    months = snap.horizon_months
    fits: dict[str, float] = {}
    texts: dict[str, tuple[str, ...]] = {}
    over = False
    for f in snap.figures:
        if f.total_usd is None:
            fits[f.id], texts[f.id] = 0.0, (_not_estimated(head, f),)
            continue
        average = f.total_usd / months
        fits[f.id] = _over_budget_fit(budget, average) if budget > 0 else (1.0 if average == 0 else 0.0)
        if average <= budget:
            verdict = "within budget"
        elif budget > 0:
            verdict = f"{average / budget - 1:.0%} over budget"
        else:
            verdict = "over a zero budget"
        over = over or average > budget
        texts[f.id] = (
            f"{head}: averages {usd(average)}/month over {months} months with one-off costs spread, {verdict}",
        )
    return Applied(criterion=c, strength=1.0 if over else 0.0, fits=fits, texts=texts)


def latency(needs: Needs, snap: Snapshot) -> Applied | None:
    """End-to-end latency estimate against the answered latency budget."""
    budget = needs.latency_budget_ms
    if budget is None:
        return None
    c = BY_ID["latency"]
    head = f"{c.label} ({count(budget)} ms)"
    fits: dict[str, float] = {}
    texts: dict[str, tuple[str, ...]] = {}
    over = False
    for f in snap.figures:
        if f.end_to_end_ms is None:
            fits[f.id], texts[f.id] = 0.0, (_not_estimated(head, f),)
            continue
        fits[f.id] = _over_budget_fit(budget, f.end_to_end_ms)
        over = over or f.end_to_end_ms > budget
        verdict = (
            "within budget"
            if f.end_to_end_ms <= budget
            else f"{f.end_to_end_ms / budget - 1:.0%} over budget"
        )
        first = f" (first token after {count(f.ttft_ms)} ms)" if f.ttft_ms is not None else ""
        texts[f.id] = (f"{head}: about {count(f.end_to_end_ms)} ms end to end{first}, {verdict}",)
    return Applied(criterion=c, strength=1.0 if over else 0.0, fits=fits, texts=texts)


def uses_net_value(snap: Snapshot) -> bool:
    """True when the economics criterion compares net value (the scenario prices the answers)."""
    priced = snap.priced()
    return (
        snap.scenario.value is not None and bool(priced) and all(f.net_value_usd is not None for f in priced)
    )


def _cost_text(f: Figures, ref: Figures, cheapest: Figures, snap: Snapshot, among: str) -> str:
    assert f.basis_usd is not None and f.month1_usd is not None
    assert ref.basis_usd is not None and ref.month1_usd is not None and cheapest.basis_usd is not None
    months = f"{snap.horizon_months} months" + (" (NPV, discounted)" if snap.npv_basis else "")
    at = f"at {count(snap.requests_month1)} requests a month"
    if ref is f:
        return f"Cost: {usd(f.basis_usd)} over {months}; {usd(f.month1_usd)}/month in month 1 {at}"
    if f is cheapest:
        return (
            f"Cost: the cheapest{among} over {months}, {usd(f.basis_usd)} against "
            f"{usd(ref.basis_usd)} for {ref.id}; {usd(f.month1_usd)}/month in month 1 {at}"
        )
    ratio = f.basis_usd / cheapest.basis_usd if cheapest.basis_usd > 0 else math.inf
    return (
        f"Cost: {at} {f.id} costs {usd(f.month1_usd)}/month against {usd(ref.month1_usd)} for {ref.id}; "
        f"over {months} {usd(f.basis_usd)} against {usd(ref.basis_usd)} ({ratio:.1f}x the cheapest{among})"
    )


def _value_text(f: Figures, best: Figures, runner_up: Figures | None, months: int, among: str) -> str:
    assert f.net_value_usd is not None and best.net_value_usd is not None
    acc = f" at {f.accuracy_fraction:.0%} accuracy" if f.accuracy_fraction is not None else ""
    if f is best:
        if runner_up is None or runner_up.net_value_usd is None:
            return f"Net value: {usd(f.net_value_usd)} over {months} months{acc}"
        gap = f", {usd(f.net_value_usd - runner_up.net_value_usd)} more than {runner_up.id}"
        return f"Net value: the highest{among}, {usd(f.net_value_usd)} over {months} months{acc}{gap}"
    best_acc = f" ({best.accuracy_fraction:.0%})" if best.accuracy_fraction is not None else ""
    return (
        f"Net value: {usd(f.net_value_usd)} over {months} months{acc}, "
        f"{usd(best.net_value_usd - f.net_value_usd)} less than {best.id}{best_acc}"
    )


def _breakeven_text(f: Figures, best: Figures, snap: Snapshot) -> str | None:
    """The engine's breakeven of ``f`` against ``best``: the month, and the constant volume next to the real path."""
    months = snap.horizon_months
    discounted = " on discounted costs" if snap.npv_basis else ""
    for pair in snap.breakeven:
        if {pair.a, pair.b} != {f.id, best.id}:
            continue
        if pair.month is not None:
            text = f"Breakeven: {pair.b} catches up with {pair.a} in month {pair.month}{discounted}"
        else:
            text = f"Breakeven: {pair.b} does not catch up with {pair.a} within {months} months{discounted}"
        first, last = count(snap.requests_month1), count(snap.requests_final_month)
        path = f"yours grows from {first} to {last}" if last != first else f"yours stays at {first}"
        if pair.requests_per_month is not None:
            text += (
                f"; their {months}-month totals are equal at a constant {count(pair.requests_per_month)} "
                f"requests a month ({path})"
            )
        else:
            text += f"; their {months}-month totals are not equal at any constant volume ({path})"
        return text
    return None


def _outside_text(f: Figures, snap: Snapshot, pool: Collection[str] | None) -> str:
    """What the cheapest strategy left out by a hard constraint would cost: the price of the constraint."""
    if pool is None or f.id not in pool:
        return ""
    outside = [g for g in snap.priced() if g.id not in pool]
    if not outside:
        return ""
    g = min(outside, key=lambda x: x.basis_usd or 0.0)
    assert g.basis_usd is not None
    return f"; the cheapest excluded strategy, {g.id}, would cost {usd(g.basis_usd)}"


def _basis(f: Figures) -> float:
    """The cost compared (NPV when discounting); the horizon total for figures built without a basis."""
    value = f.basis_usd if f.basis_usd is not None else f.total_usd
    return value if value is not None else 0.0


def economics(snap: Snapshot, pool: Collection[str] | None = None) -> Applied:
    """Horizon cost, or net value when answers are priced; fit = 1 / (1 + shortfall / cheapest total).

    ``pool``: ids of the strategies to compare with each other (those a hard constraint leaves in the
    running); None compares all of them.
    """
    c = BY_ID["economics"]
    priced = [f for f in snap.priced() if pool is None or f.id in pool]
    among = "" if pool is None else " of those that qualify"
    fits: dict[str, float] = {}
    texts: dict[str, tuple[str, ...]] = {}
    if not priced:
        for f in snap.figures:
            fits[f.id], texts[f.id] = 0.0, (_not_estimated(c.label, f),)
        return Applied(criterion=c, strength=0.0, fits=fits, texts=texts)
    by_cost = sorted(priced, key=lambda f: f.basis_usd if f.basis_usd is not None else f.total_usd or 0.0)
    cheapest = by_cost[0]
    cheapest_usd = _basis(cheapest)
    reference = max(cheapest_usd, MIN_REFERENCE_USD)
    net = uses_net_value(snap)
    by_value = sorted(priced, key=lambda f: -(f.net_value_usd or 0.0)) if net else by_cost
    best = by_value[0]
    for f in snap.figures:
        if f.total_usd is None:
            fits[f.id], texts[f.id] = 0.0, (_not_estimated(c.label, f),)
            continue
        if net:
            assert f.net_value_usd is not None and best.net_value_usd is not None
            shortfall = best.net_value_usd - f.net_value_usd
        else:
            shortfall = _basis(f) - cheapest_usd
        fits[f.id] = 1.0 / (1.0 + max(0.0, shortfall) / reference)
        others = [g for g in by_cost if g is not f]
        ref = cheapest if f is not cheapest else (others[0] if others else f)
        lines = [_cost_text(f, ref, cheapest, snap, among) + _outside_text(f, snap, pool)]
        if net:
            runner_up = next((g for g in by_value if g is not f), None)
            lines.insert(0, _value_text(f, best, runner_up, snap.horizon_months, among))
        if f is not best:
            be = _breakeven_text(f, best, snap)
            if be:
                lines.append(be)
        texts[f.id] = tuple(lines)
    return Applied(criterion=c, strength=1.0, fits=fits, texts=texts)
