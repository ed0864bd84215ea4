"""Words and tables from a run result: the one-sentence verdict, the cost table, the notes."""

from __future__ import annotations

import pandas as pd

from costmodel.engine import RunResult
from ui.figures.breakeven import format_count
from ui.figures.common import KIND_LABELS, available


def format_usd(value: float) -> str:
    """Compact dollars: $950, $74.2k, $1.23M.

    >>> [format_usd(v) for v in (950.4, 74_171.75, 1_234_567.0, -2_500.0)]
    ['$950', '$74.2k', '$1.23M', '-$2.5k']
    """
    sign = "-" if value < 0 else ""
    v = abs(value)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= size:
            return f"{sign}${v / size:.3g}{suffix}"
    return f"{sign}${v:,.0f}"


def verdict(result: RunResult) -> str:
    """One sentence: which strategy is cheapest over the horizon, by how much, and when it pays off."""
    sc = result.scenario
    w = sc.workload
    strategies = sorted(available(result), key=lambda s: s.total_usd)
    growth = f", growing {w.growth_fraction_per_month:.1%} a month" if w.growth_fraction_per_month else ""
    scope = f"Over {sc.horizon_months} months at {format_count(w.requests_per_month)} requests/month{growth}"
    if not strategies:
        return f"{scope}, no strategy could be costed: see the notes below the table."
    best = strategies[0]
    kind = KIND_LABELS.get(best.kind, best.kind)
    if len(strategies) == 1:
        return f"{scope}, {best.id} ({kind}) costs {format_usd(best.total_usd)} in total (the only strategy costed)."
    second = strategies[1]
    saving = second.total_usd - best.total_usd
    share = saving / second.total_usd if second.total_usd > 0 else 0.0
    sentence = (
        f"{scope}, {best.id} ({kind}) is the cheapest at {format_usd(best.total_usd)} in total, "
        f"{format_usd(saving)} ({share:.0%}) less than {second.id} ({format_usd(second.total_usd)})"
    )
    paid_off = [p for p in result.breakeven if p.b == best.id and p.month is not None]
    if paid_off:
        first = min(paid_off, key=lambda p: p.month or 0)
        sentence += f"; it pays off vs {first.a} in month {first.month}"
    else:
        cheaper_from_start = [p for p in result.breakeven if p.a == best.id]
        if cheaper_from_start and len(cheaper_from_start) == len(strategies) - 1:
            sentence += "; it is cheaper from the start"
    return sentence + "."


SHORT_KIND = {
    "prompting": "prompting",
    "rag": "RAG",
    "finetune_hosted": "hosted FT",
    "finetune_selfhosted": "self-hosted FT",
}


def cost_table(result: RunResult) -> pd.DataFrame:
    """One row per strategy with the figures a decision memo needs (units in the column names)."""
    horizon = result.scenario.horizon_months
    rows = []
    for s in result.strategies:
        lat = s.latency
        ok = s.available
        status = ("cheapest" if s.id == result.cheapest_id else "") if ok else "not costed: see notes"
        row = {
            "strategy": s.id,
            "kind": SHORT_KIND.get(s.kind, s.kind),
            "status": status,
            "one-off (USD)": s.one_off_usd if ok else None,
            f"total, {horizon} mo (USD)": s.total_usd if ok else None,
            "per request (USD)": s.usd_per_request if ok else None,
            "per correct answer (USD)": s.usd_per_correct_answer if ok else None,
            "first token (ms)": lat.time_to_first_token_ms if lat else None,
            "end to end (ms)": lat.end_to_end_ms if lat else None,
            "accuracy (fraction)": s.accuracy_fraction,
            "net value (USD)": s.net_value_usd if ok else None,
        }
        if result.scenario.discount_rate_annual_fraction:  # NPV equals the total when undiscounted
            row["NPV (USD)"] = s.npv_usd if ok else None
        rows.append(row)
    return pd.DataFrame(rows)


def notes(result: RunResult) -> list[str]:
    """Every strategy note as ``id: note`` (assumptions, excluded strategies, price tiers)."""
    return [f"{s.id}: {note}" for s in result.strategies for note in s.notes]


def breakeven_sentences(result: RunResult) -> list[str]:
    """Each pair's time and volume breakeven in words."""
    horizon = result.scenario.horizon_months
    out = []
    for p in result.breakeven:
        when = (
            f"{p.b} pays off vs {p.a} in month {p.month}"
            if p.month is not None
            else f"{p.b} does not pay off vs {p.a} within {horizon} months"
        )
        volume = (
            f"; at a constant volume their {horizon}-month totals are equal at "
            f"{format_count(p.requests_per_month)} requests/month"
            if p.requests_per_month is not None
            else "; their totals are never equal at any constant volume"
        )
        out.append(when + volume + ".")
    return out


def breakeven_table(result: RunResult) -> pd.DataFrame:
    """Each pair in words: who pays off against whom, in which month, above which constant volume."""
    horizon = result.scenario.horizon_months
    rows = [
        {
            "dearer at the start": p.b,
            "cheaper at the start": p.a,
            "pays off (time)": f"month {p.month}" if p.month is not None else f"not within {horizon} months",
            f"equal {horizon}-month totals at (volume)": (
                f"{format_count(p.requests_per_month)} requests/month"
                if p.requests_per_month is not None
                else "never"
            ),
        }
        for p in result.breakeven
    ]
    return pd.DataFrame(rows)
