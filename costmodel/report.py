"""Rows and words from a run result, shared by the command line and the app (UI-free: plain data and text).

One home for the summary of a :class:`~costmodel.engine.RunResult`: the per-strategy figures (the cost
table), the one-sentence verdict and the breakeven sentences. ``breakeven run`` prints them as a table,
CSV or text lines; the app's pages wrap the same rows in a DataFrame and the same sentences in markdown.
A strategy the engine could not cost shows ``None`` for every cost figure (never 0, never NaN).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from costmodel.engine import RunResult, StrategyResult

KIND_LABELS = {
    "prompting": "prompting",
    "rag": "retrieval-augmented generation",
    "finetune_hosted": "hosted fine-tuning",
    "finetune_selfhosted": "self-hosted fine-tuning",
    "rag_finetuned": "RAG on a fine-tuned model",
    "cascade": "cascade of strategies",
}
"""Strategy kind in words (sentences, legends, selectors)."""

SHORT_KIND = {
    "prompting": "prompting",
    "rag": "RAG",
    "finetune_hosted": "hosted FT",
    "finetune_selfhosted": "self-hosted FT",
    "rag_finetuned": "RAG + FT",
    "cascade": "cascade",
}
"""Strategy kind in a narrow table column."""

NOT_COSTED = "not costed: see notes"
"""Status of a strategy the engine could not cost (its reasons are in its notes)."""

PER_REQUEST_MARGINAL = "per request, marginal (USD)"
"""Column of ``usd_per_request``: month-1 variable cost of one more request (tokens, per-request infrastructure)."""

PER_REQUEST_ALL_IN = "per request, all-in (USD)"
"""Column of ``all_in_usd_per_request``: horizon total / requests served (one-off and fixed costs included)."""

PER_CORRECT_ALL_IN = "per correct answer, all-in (USD)"
"""Column of ``usd_per_correct_answer``: horizon total / correct answers."""

PER_REQUEST_HELP = {
    PER_REQUEST_MARGINAL: "usd_per_request: month-1 variable cost of one more request (tokens, per-request infrastructure)",
    PER_REQUEST_ALL_IN: "all_in_usd_per_request: horizon total (one-off, fixed and variable) / requests served",
    PER_CORRECT_ALL_IN: "horizon total (one-off, fixed and variable) / correct answers",
}
"""The one definition of each per-request figure, shown as the column's help on every page."""


def format_count(n: float) -> str:
    """Compact count: 950, 12.5k, 589k, 3.2M, 1.5B (three significant digits).

    >>> [format_count(v) for v in (950, 12_500, 589_172, 3_200_000, 1.5e9)]
    ['950', '12.5k', '589k', '3.2M', '1.5B']
    """
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= size:
            value = n / size
            return f"{value:.3g}{suffix}"
    return f"{n:.3g}"


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


@dataclass(frozen=True, slots=True, kw_only=True)
class SummaryRow:
    """One strategy's headline figures (USD over the horizon unless the name says otherwise).

    Cost figures are None when the strategy could not be costed (``available`` False); latency and
    accuracy are shown whenever the scenario gives them.
    """

    id: str
    kind: str
    available: bool
    cheapest: bool
    one_off_usd: float | None
    total_usd: float | None
    npv_usd: float | None
    usd_per_request: float | None
    usd_per_correct_answer: float | None
    all_in_usd_per_request: float | None
    time_to_first_token_ms: float | None
    end_to_end_ms: float | None
    accuracy_fraction: float | None
    net_value_usd: float | None
    stops_after_month: int | None = None
    """Last month a strategy stopped by a model retirement can serve (its costs cover those months only)."""
    model: str = ""
    """The model, offer or base model (and GPU) the strategy runs on."""


def _ref(value: object) -> str:
    return value if isinstance(value, str) else "inline price"


def model_label(strategy: object) -> str:
    """The model, offer or base model a strategy runs on ('inline price' for an inline entry).

    A cascade lists its tiers' strategy ids; a self-hosted strategy adds its serving GPU offer.
    """
    tiers = getattr(strategy, "tiers", None)
    if tiers:
        return " → ".join(str(getattr(t, "strategy", "?")) for t in tiers)
    for key in ("model", "offer", "base_model"):
        value = getattr(strategy, key, None)
        if value is not None:
            label = _ref(value)
            gpu = getattr(strategy, "serve_gpu_offer", None) if key == "base_model" else None
            return f"{label} on {_ref(gpu)}" if gpu is not None else label
    return ""


def _row(s: StrategyResult, cheapest_id: str | None, horizon_months: int, model: str = "") -> SummaryRow:
    stopped = (
        not s.available
        and s.available_months < horizon_months
        and any(e.kind != "deprecated" for e in s.lifecycle_events)
    )
    ok = s.available or stopped
    lat = s.latency
    return SummaryRow(
        id=s.id,
        kind=s.kind,
        available=ok,
        cheapest=s.available and s.id == cheapest_id,
        one_off_usd=s.one_off_usd if ok else None,
        total_usd=s.total_usd if ok else None,
        npv_usd=s.npv_usd if ok else None,
        usd_per_request=s.usd_per_request if ok else None,
        usd_per_correct_answer=s.usd_per_correct_answer if s.available else None,
        all_in_usd_per_request=s.all_in_usd_per_request if ok else None,
        time_to_first_token_ms=lat.time_to_first_token_ms if lat else None,
        end_to_end_ms=lat.end_to_end_ms if lat else None,
        accuracy_fraction=s.accuracy_fraction,
        net_value_usd=s.net_value_usd if s.available else None,
        stops_after_month=s.available_months if stopped else None,
        model=model,
    )


def strategy_summaries(result: RunResult) -> tuple[SummaryRow, ...]:
    """One :class:`SummaryRow` per strategy, in scenario order."""
    labels = {st.id: model_label(st) for st in result.scenario.strategies}
    horizon = result.scenario.horizon_months
    return tuple(_row(s, result.cheapest_id, horizon, labels.get(s.id, "")) for s in result.strategies)


def summary_rows(result: RunResult) -> list[dict[str, Any]]:
    """The cost table with machine keys (units in the names): ``breakeven run``'s table and CSV."""
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "one_off_usd": r.one_off_usd,
            "total_usd": r.total_usd,
            "npv_usd": r.npv_usd,
            "usd_per_request": r.usd_per_request,
            "ttft_ms": r.time_to_first_token_ms,
            "end_to_end_ms": r.end_to_end_ms,
            "accuracy_fraction": r.accuracy_fraction,
            "net_value_usd": r.net_value_usd,
            "all_in_usd_per_request": r.all_in_usd_per_request,
            "model": r.model,
        }
        for r in strategy_summaries(result)
    ]


def _status(r: SummaryRow) -> str:
    """'cheapest', 'stops after month N' (a model it uses retires, no migration), or not costed."""
    if r.stops_after_month is not None:
        n = r.stops_after_month
        return f"stops after month {n}" if n > 0 else "cannot start (retired)"
    return ("cheapest" if r.cheapest else "") if r.available else NOT_COSTED


def cost_column(result: RunResult) -> str:
    """Name of the cost column on the run's basis: 'NPV, 24 mo (USD)' when discounting, else 'total, 24 mo (USD)'."""
    horizon = result.scenario.horizon_months
    return f"{'NPV' if result.cost_basis == 'npv' else 'total'}, {horizon} mo (USD)"


def cost_table_rows(result: RunResult) -> list[dict[str, Any]]:
    """The decision table with words for column names (unit in brackets): the app's Overview table.

    The columns a decision needs: strategy, model or offer, cost on the run's basis (NPV when the
    scenario discounts), all-in cost per request, accuracy, net value, latency and status. Everything
    else is in :func:`cost_detail_rows`.
    """
    npv = result.cost_basis == "npv"
    return [
        {
            "strategy": r.id,
            "model / offer": r.model,
            cost_column(result): r.npv_usd if npv else r.total_usd,
            PER_REQUEST_ALL_IN: r.all_in_usd_per_request,
            "accuracy (fraction)": r.accuracy_fraction,
            "net value (USD)": r.net_value_usd,
            "end to end (ms)": r.end_to_end_ms,
            "status": _status(r),
        }
        for r in strategy_summaries(result)
    ]


def cost_detail_rows(result: RunResult) -> list[dict[str, Any]]:
    """The figures behind the decision table (the Overview's details expander, the HTML report).

    The NPV column is left out when the scenario is undiscounted (NPV then equals the total).
    """
    horizon = result.scenario.horizon_months
    discounted = result.cost_basis == "npv"
    rows = []
    for r in strategy_summaries(result):
        row: dict[str, Any] = {
            "strategy": r.id,
            "kind": SHORT_KIND.get(r.kind, r.kind),
            "one-off (USD)": r.one_off_usd,
            f"total, {horizon} mo (USD)": r.total_usd,
        }
        if discounted:
            row["NPV (USD)"] = r.npv_usd
        row.update(
            {
                PER_REQUEST_MARGINAL: r.usd_per_request,
                PER_REQUEST_ALL_IN: r.all_in_usd_per_request,
                PER_CORRECT_ALL_IN: r.usd_per_correct_answer,
                "first token (ms)": r.time_to_first_token_ms,
                "end to end (ms)": r.end_to_end_ms,
            }
        )
        rows.append(row)
    return rows


def scope_words(result: RunResult) -> str:
    """'Over 24 months at 200k requests/month, growing 5.0% a month' (the verdict's opening)."""
    sc = result.scenario
    w = sc.workload
    growth = f", growing {w.growth_fraction_per_month:.1%} a month" if w.growth_fraction_per_month else ""
    return f"Over {sc.horizon_months} months at {format_count(w.requests_per_month)} requests/month{growth}"


def basis_words(result: RunResult) -> str:
    """'in total', or 'NPV (discounted at 8%/year)' when the run compares discounted costs."""
    rate = result.scenario.discount_rate_annual_fraction
    return f"NPV (discounted at {rate:.0%}/year)" if result.cost_basis == "npv" else "in total"


def _basis_cost(s: StrategyResult, npv: bool) -> float:
    return s.npv_usd if npv else s.total_usd


def verdict(result: RunResult) -> str:
    """One sentence: which strategy is cheapest over the horizon (NPV when discounting), by how much, and when it pays off."""
    npv = result.cost_basis == "npv"
    strategies = sorted((s for s in result.strategies if s.available), key=lambda s: _basis_cost(s, npv))
    scope = scope_words(result)
    words = basis_words(result)
    if not strategies:
        return f"{scope}, no strategy could be costed: see the notes below the table."
    best = strategies[0]
    kind = KIND_LABELS.get(best.kind, best.kind)
    best_cost = _basis_cost(best, npv)
    if len(strategies) == 1:
        return (
            f"{scope}, {best.id} ({kind}) costs {format_usd(best_cost)} {words} (the only strategy costed)."
        )
    second = strategies[1]
    second_cost = _basis_cost(second, npv)
    saving = second_cost - best_cost
    share = saving / second_cost if second_cost > 0 else 0.0
    sentence = (
        f"{scope}, {best.id} ({kind}) is the cheapest at {format_usd(best_cost)} {words}, "
        f"{format_usd(saving)} ({share:.0%}) less than {second.id} ({format_usd(second_cost)})"
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


def breakeven_sentences(result: RunResult) -> list[str]:
    """Each pair's time and volume breakeven as a sentence (the app's wording)."""
    horizon = result.scenario.horizon_months
    npv = result.cost_basis == "npv"
    discounted = " on discounted costs" if npv else ""
    out = []
    for p in result.breakeven:
        when = (
            f"{p.b} pays off vs {p.a} in month {p.month}{discounted}"
            if p.month is not None
            else f"{p.b} does not pay off vs {p.a} within {horizon} months{discounted}"
        )
        volume = (
            f"; at a constant volume their {horizon}-month totals are equal at "
            f"{format_count(p.requests_per_month)} requests/month"
            if p.requests_per_month is not None
            else "; their totals are never equal at any constant volume"
        )
        out.append(when + volume + ".")
    return out


def breakeven_lines(result: RunResult) -> list[str]:
    """Each pair's time and volume breakeven as one terse line (``breakeven run``'s text output)."""
    horizon = result.scenario.horizon_months
    discounted = " (discounted)" if result.cost_basis == "npv" else ""
    out = []
    for p in result.breakeven:
        when = f"catches up in month {p.month}" if p.month else f"does not catch up within {horizon} months"
        when += discounted
        volume = (
            f"; totals equal at {p.requests_per_month:,.0f} requests/month"
            if p.requests_per_month is not None
            else "; totals never equal at any constant volume"
        )
        out.append(f"{p.b} vs {p.a}: {when}{volume}")
    return out


def breakeven_table_rows(result: RunResult) -> list[dict[str, str]]:
    """Each pair in words: who pays off against whom, in which month, above which constant volume."""
    horizon = result.scenario.horizon_months
    return [
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


def vs_budget(end_to_end_ms: float, budget_ms: float | None) -> str:
    """How a median end-to-end latency compares with the latency budget, in words.

    >>> [vs_budget(900.0, 1500.0), vs_budget(1555.0, 1500.0), vs_budget(900.0, None)]
    ['✓ within (600 ms to spare)', '✗ over by 55 ms', 'no budget set']
    """
    if budget_ms is None:
        return "no budget set"
    gap = end_to_end_ms - budget_ms
    return f"✓ within ({-gap:,.0f} ms to spare)" if gap <= 0 else f"✗ over by {gap:,.0f} ms"


def latency_rows(result: RunResult, budget_ms: float | None) -> list[dict[str, Any]]:
    """One row per strategy with a latency estimate: medians (ms), the budget check and the profile used."""
    return [
        {
            "strategy": s.id,
            "time to first token (ms)": s.latency.time_to_first_token_ms,
            "end to end (ms)": s.latency.end_to_end_ms,
            "vs budget": vs_budget(s.latency.end_to_end_ms, budget_ms),
            "latency profile": s.latency.profile_id + (" (an assumption)" if s.latency.assumption else ""),
        }
        for s in result.strategies
        if s.latency is not None
    ]


def notes(result: RunResult) -> list[str]:
    """Every strategy note as ``id: note`` (assumptions, excluded strategies, price tiers)."""
    return [f"{s.id}: {note}" for s in result.strategies for note in s.notes]
