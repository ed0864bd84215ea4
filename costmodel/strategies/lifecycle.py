"""Calendar effects on a prepared strategy: model retirements, migrations and the API price trend.

SCENARIO.md "Version 1 additions (lifecycle)": month 1 is the month containing ``start_date``. A
model, embedding model or fine-tuning offer retired on or before the start is an input error. A
shutdown inside the horizon (or, for a fine-tuning offer with retrains planned after it, the end of
new training jobs) is an event in the month containing the date: with ``on_model_retirement:
migrate`` and a replacement, the replacement's prices apply from that month, ``migration_hours x
engineer rate`` is paid then, a tuned model is retrained on all examples collected so far on the
replacement offer and a RAG index is re-embedded with a replacement embedding model. Otherwise the
strategy stops: later months cost nothing and it is unavailable (never cheapest, never recommended).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from costmodel.catalog.lifecycle import LifecycleEvent, LifecycleStatus, Subject, lifecycle_status
from costmodel.core.errors import InputError
from costmodel.core.units import MONTHS_PER_YEAR, TOKENS_PER_MTOK
from costmodel.formulas import costs as f
from costmodel.scenario.calendar import default_start_date, month_of
from costmodel.scenario.types import (
    FinetuneHostedStrategy,
    PromptingStrategy,
    RagFinetunedStrategy,
    RagStrategy,
    Strategy,
)
from costmodel.strategies.common import CATEGORIES, Array, Context, PreparedStrategy, field_path
from costmodel.strategies.hosted_api import finetune_offer
from costmodel.strategies.rag_finetuned import hosted_tuned_in_place

MAX_MIGRATIONS = 4
"""Most replacements followed in one horizon (a chain longer than this is reported as an input error)."""

API_KINDS = ("prompting", "rag", "finetune_hosted", "rag_finetuned")
"""Kinds priced per token by a hosted API: the price trend applies to their ``tokens`` costs."""


Preparer = Callable[[Strategy, Context], PreparedStrategy]


def start_date(ctx: Context) -> dt.date:
    """The scenario's start date (default: the first day of the current month)."""
    return ctx.scenario.start_date or default_start_date()


def _subjects(s: Strategy) -> list[tuple[Subject, str, str]]:
    """(lifecycle subject, strategy field, catalog id) of every catalog-named hosted dependency."""
    out: list[tuple[Subject, str, str]] = []
    if isinstance(s, PromptingStrategy | RagStrategy) and isinstance(s.model, str):
        out.append(("model", "model", s.model))
    if isinstance(s, RagStrategy | RagFinetunedStrategy) and isinstance(s.embedding_model, str):
        out.append(("embedding_model", "embedding_model", s.embedding_model))
    if isinstance(s, FinetuneHostedStrategy | RagFinetunedStrategy) and isinstance(s.offer, str):
        out.append(("finetune_offer", "offer", s.offer))
    return out


def _as_hosted(s: Strategy, ctx: Context) -> tuple[FinetuneHostedStrategy, Context] | None:
    """A strategy that calls a hosted fine-tuned model, as ``finetune_hosted`` (with its context)."""
    if isinstance(s, FinetuneHostedStrategy):
        return s, ctx
    if isinstance(s, RagFinetunedStrategy):
        return hosted_tuned_in_place(s, ctx)
    return None


def _retired_error(
    s: Strategy, ctx: Context, name: str, st: LifecycleStatus, what: str, when: dt.date
) -> InputError:
    p, ln = field_path(ctx, s, name)
    repl = f"; its replacement is {st.replacement}" if st.replacement else "; no replacement is named"
    return InputError.single(
        ctx.scenario.source,
        p,
        f"{st.id} {what} on {when.isoformat()}, before the scenario starts ({start_date(ctx).isoformat()}){repl}"
        " (see `breakeven models` / `breakeven offers`)",
        ln,
    )


def _check_start(s: Strategy, ctx: Context) -> list[str]:
    start = start_date(ctx)
    notes: list[str] = []
    for subject, name, ref in _subjects(s):
        st = lifecycle_status(ctx.catalogs, subject, ref, start)
        if st.shutdown_on is not None and st.shutdown_on <= start:
            raise _retired_error(s, ctx, name, st, "was shut down", st.shutdown_on)
        if st.new_jobs_until is not None and st.new_jobs_until < start:
            raise _retired_error(s, ctx, name, st, "stopped taking new fine-tuning jobs", st.new_jobs_until)
        if st.status == "deprecated":
            since = f" since {st.deprecated_on.isoformat()}" if st.deprecated_on else ""
            until = f"; it shuts down on {st.shutdown_on.isoformat()}" if st.shutdown_on else ""
            notes.append(f"{ref} is deprecated{since}{until}")
    return notes


def _retrain_after(s: Strategy, ctx: Context, last_day: dt.date) -> bool:
    if not isinstance(s, FinetuneHostedStrategy | RagFinetunedStrategy) or s.retrain_every_months <= 0:
        return False
    start, horizon = start_date(ctx), ctx.scenario.horizon_months
    k = month_of(last_day, start)
    return any(m > k for m in range(s.retrain_every_months, horizon + 1, s.retrain_every_months))


def _next_event(
    s: Strategy, ctx: Context, from_month: int
) -> tuple[int, list[LifecycleEvent], tuple[Subject, str, LifecycleStatus] | None]:
    """Earliest month >= ``from_month`` with a shutdown or end of new jobs, its events, and its subject."""
    start, horizon = start_date(ctx), ctx.scenario.horizon_months
    found: list[tuple[int, int, str, dt.date, Subject, str, LifecycleStatus]] = []
    notices: list[LifecycleEvent] = []
    for order, (subject, name, ref) in enumerate(_subjects(s)):
        st = lifecycle_status(ctx.catalogs, subject, ref, start)
        if st.deprecated_on is not None and st.deprecated_on > start:
            m = month_of(st.deprecated_on, start)
            if from_month <= m <= horizon:
                notices.append(
                    LifecycleEvent(
                        month=m,
                        date=st.deprecated_on,
                        kind="deprecated",
                        subject=ref,
                        replacement=st.replacement,
                        one_off_usd=0.0,
                        source_url=st.source_url,
                    )
                )
        if st.shutdown_on is not None:
            found.append(
                (month_of(st.shutdown_on, start), order, "shutdown", st.shutdown_on, subject, name, st)
            )
        if st.new_jobs_until is not None and _retrain_after(s, ctx, st.new_jobs_until):
            found.append(
                (
                    month_of(st.new_jobs_until, start),
                    order,
                    "new_jobs_end",
                    st.new_jobs_until,
                    subject,
                    name,
                    st,
                )
            )
    inside = [c for c in found if from_month <= c[0] <= horizon]
    if not inside:
        return 0, notices, None
    m, order, _, _, subject, name, st = min(inside, key=lambda c: (c[0], c[1], c[3]))
    events = [
        LifecycleEvent(
            month=m,
            date=day,
            kind=kind,
            subject=st_.id,
            replacement=None,
            one_off_usd=0.0,
            source_url=st_.source_url,
        )
        for m_, o_, kind, day, _, _, st_ in sorted(inside, key=lambda c: (c[3], c[2]))
        if m_ == m and o_ == order
    ]
    return m, notices + events, (subject, name, st)


_PHRASE = {"shutdown": "shuts down on", "new_jobs_end": "takes no new training jobs after"}


def _months_text(n: int) -> str:
    return "no month" if n <= 0 else ("month 1" if n == 1 else f"months 1-{n}")


def _where(before: Array, a: Any, b: Any) -> Array:
    return np.asarray(np.where(before, a, b), dtype=np.float64)


def _compose(
    p1: PreparedStrategy, p2: PreparedStrategy, before: Array, extra_at: Mapping[str, Array]
) -> PreparedStrategy:
    """Months where ``before`` is true from ``p1``, the rest from ``p2``, plus one-off costs ``extra_at``."""
    fixed = {
        cat: _where(before, p1.fixed_monthly_usd.get(cat, 0.0), p2.fixed_monthly_usd.get(cat, 0.0))
        + extra_at.get(cat, 0.0)
        for cat in CATEGORIES
    }
    per_request = {
        cat: _where(before, p1.per_request_usd.get(cat, 0.0), p2.per_request_usd.get(cat, 0.0))
        for cat in CATEGORIES
    }
    n1, n2 = p1.nonlinear, p2.nonlinear

    def nonlinear(requests: Array) -> dict[str, Array]:
        a = n1(requests) if n1 is not None else {}
        b = n2(requests) if n2 is not None else {}
        return {cat: _where(before, a.get(cat, 0.0), b.get(cat, 0.0)) for cat in {*a, *b}}

    dates = [d for d in (p1.prices_as_of, p2.prices_as_of) if d is not None]
    return dataclasses.replace(
        p1,
        fixed_monthly_usd=fixed,
        per_request_usd=per_request,
        nonlinear=nonlinear if (n1 is not None or n2 is not None) else None,
        prices_as_of=min(dates) if dates else None,
    )


def _stopped(p: PreparedStrategy, before: Array, months_served: int) -> PreparedStrategy:
    inner = p.nonlinear

    def nonlinear(requests: Array) -> dict[str, Array]:
        return {cat: v * before for cat, v in inner(requests).items()} if inner is not None else {}

    return dataclasses.replace(
        p,
        fixed_monthly_usd={
            cat: np.asarray(v, dtype=np.float64) * before for cat, v in p.fixed_monthly_usd.items()
        },
        per_request_usd={
            cat: np.asarray(v, dtype=np.float64) * before for cat, v in p.per_request_usd.items()
        },
        nonlinear=nonlinear if inner is not None else None,
        available=False,
        available_months=months_served,
    )


def _replaced(s: Strategy, name: str, ref: object) -> Strategy:
    return dataclasses.replace(s, **{name: ref, "migrate_to": None})  # type: ignore[arg-type]


def _migration_retrain_usd(
    s: FinetuneHostedStrategy, s2: FinetuneHostedStrategy, ctx: Context, month: int
) -> Any:
    """Training all examples collected by ``month`` once on the replacement offer (USD)."""
    offer = finetune_offer(s2, ctx)
    retrains = month // s.retrain_every_months if s.retrain_every_months > 0 else 0
    examples = s.n_training_examples + retrains * s.n_new_examples_per_retrain
    return (
        f.training_tokens(examples, s.tokens_per_example, s.n_epochs)
        * offer.training_usd_per_mtok
        / TOKENS_PER_MTOK
    )


def with_lifecycle(preparer: Preparer, s: Strategy, ctx: Context) -> PreparedStrategy:
    """Prepare ``s`` and apply retirements, migrations and the price trend over the horizon."""
    start_notes = _check_start(s, ctx)
    p = preparer(s, ctx)
    horizon = ctx.scenario.horizon_months
    months = np.arange(1, horizon + 1)
    events: list[LifecycleEvent] = []
    notes = list(start_notes)
    current, current_ctx, from_month = s, ctx, 1
    for _ in range(MAX_MIGRATIONS + 1):
        k, found, trigger = _next_event(current, current_ctx, from_month)
        events.extend(e for e in found if e.kind == "deprecated")
        if trigger is None:
            break
        _subject, name, st = trigger
        main_field = name in ("model", "offer")
        repl_ref: Any = st.replacement
        override = getattr(current, "migrate_to", None)
        if main_field and override is not None:
            repl_ref = override
        hits = [e for e in found if e.kind != "deprecated"]
        before = (months < k).astype(np.float64)
        if getattr(current, "on_model_retirement", "migrate") == "stop" or repl_ref is None:
            events.extend(dataclasses.replace(e, replacement=st.replacement) for e in hits)
            why = "on_model_retirement is stop" if repl_ref is not None else "no replacement is known"
            notes.append(
                f"{st.id} {_PHRASE.get(hits[0].kind, hits[0].kind)} {hits[0].date.isoformat()} (month {k}); {why}, "
                f"so the strategy serves {_months_text(k - 1)} only and cannot be the cheapest or recommended"
            )
            p = _stopped(p, before, k - 1)
            break
        if isinstance(repl_ref, str) and repl_ref == st.id:
            break
        s2 = _replaced(current, name, repl_ref)
        ctx2 = dataclasses.replace(
            current_ctx,
            scenario=dataclasses.replace(
                current_ctx.scenario,
                strategies=tuple(s2 if x.id == s.id else x for x in current_ctx.scenario.strategies),
            ),
        )
        p2 = preparer(s2, ctx2)
        at_k = (months == k).astype(np.float64)
        people = getattr(current, "migration_hours", 0.0) * ctx.scenario.people.engineer_usd_per_hour
        extra: dict[str, Array] = {"people": at_k * people}
        one_off = people
        cur_h, new_h = _as_hosted(current, current_ctx), _as_hosted(s2, ctx2)
        if cur_h is not None and new_h is not None and name == "offer":
            retrain = _migration_retrain_usd(cur_h[0], new_h[0], new_h[1], k)
            p2 = dataclasses.replace(
                p2,
                fixed_monthly_usd={
                    **p2.fixed_monthly_usd,
                    "training": np.asarray(p2.fixed_monthly_usd.get("training", 0.0)) * (1.0 - at_k),
                },
            )
            extra["training"] = at_k * np.asarray(retrain)
            one_off = one_off + float(np.mean(retrain))
        if name == "embedding_model":
            reindex = p2.one_off_usd.get("infrastructure", 0.0)
            extra["infrastructure"] = at_k * np.asarray(reindex)
            one_off = one_off + float(np.mean(reindex))
        label = repl_ref if isinstance(repl_ref, str) else "an inline replacement"
        events.extend(
            dataclasses.replace(e, replacement=label, one_off_usd=one_off if i == 0 else 0.0)
            for i, e in enumerate(hits)
        )
        notes.append(
            f"{st.id} {_PHRASE.get(hits[0].kind, hits[0].kind)} {hits[0].date.isoformat()} (month {k}): "
            f"migrates to {label}, {one_off:,.0f} USD one-off then"
        )
        p = _compose(p, p2, before, extra)
        current, current_ctx, from_month = s2, ctx2, k
    else:
        p_, ln = field_path(
            ctx, s, "offer" if isinstance(s, FinetuneHostedStrategy | RagFinetunedStrategy) else "model"
        )
        raise InputError.single(
            ctx.scenario.source, p_, f"more than {MAX_MIGRATIONS} migrations in the horizon", ln
        )
    p = _with_trend(p, s, ctx)
    p = _with_batch(p, s, ctx)
    return dataclasses.replace(
        p,
        lifecycle_events=tuple(sorted(set(events), key=lambda e: (e.month, e.date, e.kind))),
        notes=p.notes + tuple(n for n in notes if n not in p.notes),
    )


def _with_trend(p: PreparedStrategy, s: Strategy, ctx: Context) -> PreparedStrategy:
    """API token prices compound by ``price_change_fraction_per_year`` month by month from month 1."""
    r = ctx.scenario.price_change_fraction_per_year
    if s.kind not in API_KINDS or not np.any(np.asarray(r) != 0):
        return p
    months = np.arange(ctx.scenario.horizon_months, dtype=np.float64)
    factor = (1.0 + np.asarray(r, dtype=np.float64)) ** (months / MONTHS_PER_YEAR)
    tokens = np.asarray(p.per_request_usd.get("tokens", 0.0), dtype=np.float64) * factor
    return dataclasses.replace(p, per_request_usd={**p.per_request_usd, "tokens": tokens})


def _with_batch(p: PreparedStrategy, s: Strategy, ctx: Context) -> PreparedStrategy:
    """The batch share is answered within the batch API's completion window, not interactively: it is
    reported apart, and a strategy sending every request through the batch API has no interactive latency."""
    fraction = float(np.mean(getattr(s, "batch_fraction", 0.0)))
    if fraction <= 0:
        return p
    provider: str | None = None
    hosted = _as_hosted(s, ctx)
    if hosted is not None:
        offer = finetune_offer(*hosted)
        provider = getattr(offer, "provider", None)
    elif isinstance(s, PromptingStrategy | RagStrategy) and isinstance(s.model, str):
        provider = s.model.split("/", 1)[0]
    discount = ctx.catalogs.find("discounts", provider) if provider else None
    window = getattr(discount, "batch_completion_window_hours", None)
    within = f"within {window:g} h" if window else "within the provider's batch window"
    note = f"{fraction:.0%} of requests go through the batch API and are answered {within}, not interactively"
    if fraction >= 1.0:
        note += "; no interactive latency applies"
    return dataclasses.replace(
        p,
        batch_fraction=fraction,
        batch_completion_window_hours=window,
        latency=None if fraction >= 1.0 else p.latency,
        notes=(*p.notes, note),
    )
