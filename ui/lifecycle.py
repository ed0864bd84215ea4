"""Model lifecycles in words for the app: the chart markers, the Overview's note, month 1's date, the price data.

Plain text (no streamlit, no plotly): callers escape for where the text goes (``md_literal`` for
markdown, ``for_plotly`` for charts, ``for_html`` for the report), since model ids can come from an
uploaded catalog.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from costmodel.catalog.lifecycle import LifecycleEvent
from costmodel.catalog.price_data import PriceDataInfo
from costmodel.engine import RunResult, StrategyResult

DRAWN_KINDS = ("shutdown", "new_jobs_end")
"""Event kinds drawn on the charts; ``deprecated`` notices (no cost) are listed in the text only."""

FINETUNED_KINDS = ("finetune_hosted", "rag_finetuned")
"""Strategy kinds whose migration includes retraining on the replacement offer."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChartMarker:
    """One lifecycle marker on a month chart: one per strategy and month."""

    strategy_id: str
    month: int
    label: str
    """Short words on the chart, e.g. ``prompt: gpt-4.1 retired → gpt-6-luna (month 2)``."""
    detail: tuple[str, ...]
    """The events of that month as full sentences (hover text)."""
    stops: bool
    """True when the strategy stops serving in this month."""


def format_date(day: dt.date) -> str:
    """A date in words.

    >>> format_date(dt.date(2027, 1, 14))
    '14 Jan 2027'
    """
    return f"{day.day} {day:%b %Y}"


def format_one_off(usd: float) -> str:
    """Whole dollars with thousands separators.

    >>> format_one_off(4802.772)
    '$4,803'
    """
    return f"${usd:,.0f}"


def month_one_line(result: RunResult) -> str:
    """Which calendar month month 1 of the run is."""
    return month_one_text(result.start_date)


def month_one_text(start: dt.date) -> str:
    """Month 1 in words.

    >>> month_one_text(dt.date(2026, 12, 1))
    'Month 1 = December 2026'
    """
    return f"Month 1 = {start:%B %Y}"


def price_data_line(result: RunResult) -> str:
    """Which genai-prices data the run priced with (bundled snapshot or refreshed), and why a refresh was not used."""
    if result.price_data is None:
        return "Prices: source of the API price data not recorded"
    return price_data_text(result.price_data)


def price_data_text(info: PriceDataInfo) -> str:
    """A price-data description in words.

    >>> bundled = "genai-prices 0.2.5 bundled snapshot"
    >>> price_data_text(PriceDataInfo(source=bundled, as_of=dt.date(2026, 11, 19), refreshed=False))
    'Prices: genai-prices 0.2.5 bundled snapshot (as of 19 Nov 2026)'
    """
    line = f"Prices: {info.source} (as of {format_date(info.as_of)})"
    if info.problem:
        line += f"; refreshed price data not used: {info.problem}"
    return line


def stops(s: StrategyResult, horizon_months: int) -> bool:
    """True when a retirement ends the strategy before the horizon (``available_months`` < horizon)."""
    return (
        not s.available
        and s.available_months < horizon_months
        and any(e.kind in DRAWN_KINDS for e in s.lifecycle_events)
    )


def months_served(n: int) -> str:
    """``available_months`` in words.

    >>> [months_served(n) for n in (0, 1, 5)]
    ['no month', 'month 1 only', 'months 1-5 only']
    """
    return "no month" if n <= 0 else ("month 1 only" if n == 1 else f"months 1-{n} only")


def _short(ref: str, provider: str | None = None) -> str:
    """A model id without its provider (``openai/gpt-4.1`` -> ``gpt-4.1``), unless the provider differs."""
    head, sep, tail = ref.partition("/")
    if not sep:
        return ref
    return tail if provider is None or head == provider else ref


def _provider(ref: str) -> str | None:
    head, sep, _ = ref.partition("/")
    return head if sep else None


def _set_to_stop(result: RunResult, strategy_id: str) -> bool:
    spec = next((s for s in result.scenario.strategies if s.id == strategy_id), None)
    return getattr(spec, "on_model_retirement", "migrate") == "stop"


def _label(result: RunResult, s: StrategyResult, month: int, events: Sequence[LifecycleEvent]) -> str:
    kinds: dict[str, set[str]] = {}
    for e in events:
        kinds.setdefault(e.subject, set()).add(e.kind)
    parts = []
    stopping = month > s.available_months
    for subject, found in kinds.items():
        name = _short(subject)
        if "new_jobs_end" in found and "shutdown" in found and not stopping:
            parts.append(f"{name}: no new training jobs, retired")
        elif "new_jobs_end" in found and "shutdown" not in found:
            parts.append(f"{name} takes no new training jobs")
        else:
            parts.append(f"{name} retired")
    words = "; ".join(parts)
    replacement = next((e.replacement for e in reversed(events) if e.replacement), None)
    if stopping:
        if replacement is None or not _set_to_stop(result, s.id):
            return f"{s.id}: {words}, no replacement: strategy stops (month {month})"
        return f"{s.id}: {words}, strategy set to stop (month {month})"
    if replacement is None:
        return f"{s.id}: {words} (month {month})"
    return f"{s.id}: {words} → {_short(replacement, _provider(events[0].subject))} (month {month})"


def chart_markers(result: RunResult) -> list[ChartMarker]:
    """One marker per strategy and month with a shutdown or end of new fine-tuning jobs (scenario order)."""
    out = []
    for s in result.strategies:
        sentences = _strategy_sentences(result, s)
        drawn = [
            (e, text) for e, text in zip(s.lifecycle_events, sentences, strict=True) if e.kind in DRAWN_KINDS
        ]
        for month in sorted({e.month for e, _ in drawn}):
            events = [e for e, _ in drawn if e.month == month]
            out.append(
                ChartMarker(
                    strategy_id=s.id,
                    month=month,
                    label=_label(result, s, month, events),
                    detail=tuple(text for e, text in drawn if e.month == month),
                    stops=month > s.available_months,
                )
            )
    return out


def lifecycle_sentences(result: RunResult) -> list[str]:
    """Every lifecycle event inside the horizon in plain words, with date, month and one-off cost."""
    return [text for s in result.strategies for text in _strategy_sentences(result, s)]


def _strategy_sentences(result: RunResult, s: StrategyResult) -> list[str]:
    """One sentence per event of ``s`` (same order as ``s.lifecycle_events``)."""
    out = []
    migrated: set[tuple[str, str | None]] = set()
    stopped = False
    for e in s.lifecycle_events:
        if stopped and e.kind in DRAWN_KINDS:
            out.append(f"{s.id}: {_what(e)}")  # the stop is already explained
            continue
        out.append(_sentence(result, s, e, migrated))
        if e.kind in DRAWN_KINDS and e.one_off_usd > 0:
            migrated.add((e.subject, e.replacement))
        stopped = stopped or (e.kind in DRAWN_KINDS and e.month > s.available_months)
    return out


def _what(e: LifecycleEvent) -> str:
    when = f"{format_date(e.date)} (month {e.month})"
    if e.kind == "new_jobs_end":
        return f"{e.subject} takes no new training jobs after {when}"
    return f"{e.subject} shuts down on {when}"


def _sentence(
    result: RunResult, s: StrategyResult, e: LifecycleEvent, migrated: set[tuple[str, str | None]]
) -> str:
    when = f"{format_date(e.date)} (month {e.month})"
    if e.kind == "deprecated":
        named = f"; named replacement {e.replacement}" if e.replacement else ""
        return f"{s.id}: {e.subject} is deprecated from {when}{named}; a notice only, no cost"
    what = _what(e)
    if e.month > s.available_months:
        why = (
            f"the strategy is set to stop rather than move to {e.replacement}"
            if e.replacement and _set_to_stop(result, s.id)
            else "no replacement is known"
        )
        horizon = result.scenario.horizon_months
        return (
            f"{s.id}: {what}; {why}, so {s.id} serves {months_served(s.available_months)} "
            f"and cannot be the cheapest over {horizon} months"
        )
    if e.replacement is None:
        return f"{s.id}: {what}; no replacement is known"
    if e.one_off_usd <= 0 and (e.subject, e.replacement) in migrated:
        return f"{s.id}: {what}; already moved to {e.replacement}, no further cost"
    cost = "migration and retraining" if s.kind in FINETUNED_KINDS else "migration"
    return f"{s.id}: {what} → {e.replacement}; {cost} {format_one_off(e.one_off_usd)}"
