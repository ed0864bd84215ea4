"""Prices page logic (no streamlit): price tables with age and staleness, session overrides, custom catalogs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import typing
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import pandas as pd

from costmodel.catalog import prices as api_prices
from costmodel.catalog.entry import Catalogs
from costmodel.catalog.lifecycle import Subject, lifecycle_status
from costmodel.catalog.loader import CATALOG_KINDS, parse_catalog
from costmodel.catalog.services import ModelPriceEntry
from costmodel.core.errors import InputError
from costmodel.core.schema import field_specs
from costmodel.scenario.types import Scenario

STALE_AFTER_DAYS = 90
"""A price checked longer ago than this gets a staleness badge (prices move quarterly or faster)."""

OVERRIDE_ORIGIN = "session override"

LLM_KIND = "models"
"""API model prices: the genai-prices snapshot plus ``costmodel/catalog/data/models.yaml`` (kind ``models``)."""

REF_KINDS = {
    "model": LLM_KIND,
    "embedding_model": "embedding_models",
    "offer": "finetune_offers",
    "labeling": "labeling_rates",
    "vector_db": "vector_databases",
    "reranker": "rerankers",
    "base_model": "open_models",
    "train_gpu_offer": "gpu_offers",
    "serve_gpu_offer": "gpu_offers",
}
"""Strategy reference field -> catalog kind it names."""

MAX_NAME_CHARS = 80

LIFECYCLE_SUBJECTS: dict[str, Subject] = {
    LLM_KIND: "model",
    "embedding_models": "embedding_model",
    "finetune_offers": "finetune_offer",
}
"""Catalog kinds whose entries have a lifecycle (status, shutdown date, replacement)."""

KIND_LABELS = {
    LLM_KIND: "API models",
    "finetune_offers": "fine-tuning offers",
    "embedding_models": "embedding models",
    "labeling_rates": "labelling rates",
    "gpus": "GPUs",
    "gpu_offers": "GPU offers",
}
"""Catalog kinds in words (the rest: the kind with spaces for underscores)."""

COLUMN_LABELS = {
    "id": "id",
    "lifecycle": "status",
    "new_jobs_until": "new training jobs until",
    "shutdown_on": "shuts down on",
    "replacement": "replacement",
    "as_of": "as of",
    "age_days": "age (days)",
    "status": "price check",
    "source_url": "source",
    "source": "data from",
    "origin": "loaded from",
    "long_context_tiers": "long-context tiers",
    "ttft_ms": "time to first token (ms)",
}
"""Column headers for the Prices page where the generic rule of :func:`column_label` reads badly."""

PER_UNIT_WORDS = {
    "mtok": "1M tokens",
    "gpu_hour": "GPU-hour",
    "gb_month": "GB-month",
    "million_units": "1M units",
    "1k_searches": "1,000 searches",
}
SUFFIX_UNITS = (
    ("_tokens_per_s", "tokens/s"),
    ("_gb_per_s", "GB/s"),
    ("_tflops", "TFLOP/s"),
    ("_tops", "TOP/s"),
    ("_tokens", "tokens"),
    ("_hours", "hours"),
    ("_days", "days"),
    ("_ms", "ms"),
    ("_gb", "GB"),
    ("_kb", "KB"),
    ("_w", "W"),
)


def upload_name(name: str) -> str:
    """The file name shown in error messages for an upload (base name only, bounded length).

    >>> upload_name("../../etc/my catalog.yaml")
    'my catalog.yaml'
    """
    base = PurePath(name.replace("\\", "/")).name or "upload"
    return base[:MAX_NAME_CHARS]


def column_label(name: str) -> str:
    """A table column header in words with its unit, never a snake_case field name.

    >>> [column_label(n) for n in ("input_usd_per_mtok", "usd_per_example", "context_window_tokens", "n_layers")]
    ['input (USD per 1M tokens)', 'price (USD per example)', 'context window (tokens)', 'layers']
    >>> column_label("lifecycle"), column_label("on_demand_usd_per_gpu_hour")
    ('status', 'on demand (USD per GPU-hour)')
    """
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    if "usd_per_" in name:
        base, _, per = name.partition("usd_per_")
        return f"{_words(base) or 'price'} (USD per {PER_UNIT_WORDS.get(per, _words(per))})"
    for suffix, unit in SUFFIX_UNITS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return f"{_words(name[: -len(suffix)])} ({unit})"
    return _words(name.removeprefix("n_"))


def _words(name: str) -> str:
    return name.replace("_", " ").strip()


def kind_label(kind: str) -> str:
    """A catalog kind in words.

    >>> kind_label("finetune_offers"), kind_label("vector_databases")
    ('fine-tuning offers', 'vector databases')
    """
    return KIND_LABELS.get(kind, _words(kind))


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column header in words (:func:`column_label`)."""
    return frame.rename(columns={c: column_label(str(c)) for c in frame.columns})


def lifecycle_columns(catalogs: Catalogs, kind: str, entry_id: str, today: dt.date) -> dict[str, Any]:
    """Status (active, deprecated, retired) on ``today``, shutdown date and replacement of a model or offer;
    fine-tuning offers add the last day new training jobs start. Empty for kinds without a lifecycle.

    Unknown lifecycle reads "active" with no dates: no announced shutdown, never a guess.
    """
    subject = LIFECYCLE_SUBJECTS.get(kind)
    if subject is None:
        return {}
    status = lifecycle_status(catalogs, subject, entry_id, today)
    out: dict[str, Any] = {"lifecycle": status.status}
    if subject == "finetune_offer":
        out["new_jobs_until"] = status.new_jobs_until
    out["shutdown_on"] = status.shutdown_on
    out["replacement"] = status.replacement
    return out


NOT_APPLICABLE = "—"
"""Shown in a lifecycle column for a kind that has no lifecycle (labelling rates, GPU offers, ...)."""


def fill_lifecycle_gaps(frame: pd.DataFrame) -> pd.DataFrame:
    """Lifecycle columns as words for the page: dates as YYYY-MM-DD, "none announced" / "none named" where
    a model or offer has no date or replacement, and a dash for kinds without a lifecycle (never "None")."""
    if "lifecycle" not in frame.columns:
        return frame
    out = frame.copy()
    has = out["lifecycle"].notna()
    for column, missing in (
        ("new_jobs_until", "none announced"),
        ("shutdown_on", "none announced"),
        ("replacement", "none named"),
    ):
        if column not in out.columns:
            continue
        values = out[column].map(lambda v: v.isoformat() if isinstance(v, dt.date) else v)
        out[column] = [
            (str(v) if v is not None and v == v else (missing if h else NOT_APPLICABLE))
            for v, h in zip(values, has, strict=True)
        ]
    out["lifecycle"] = out["lifecycle"].where(has, NOT_APPLICABLE)
    return out


def parse_custom_catalog(data: bytes, name: str) -> Catalogs:
    """Validate an uploaded catalog (same format as ``costmodel/catalog/data/*.yaml``); InputError lists every problem."""
    return parse_catalog(data, source=upload_name(name))


def staleness(as_of: dt.date | None, today: dt.date) -> tuple[int | None, bool]:
    """(age in days, stale?) of a price checked on ``as_of``.

    >>> staleness(dt.date(2026, 1, 1), dt.date(2026, 4, 2))
    (91, True)
    >>> staleness(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    (89, False)
    """
    if as_of is None:
        return None, False
    age = (today - as_of).days
    return age, age > STALE_AFTER_DAYS


def price_fields(kind: str) -> list[tuple[str, str]]:
    """(field name, unit) of the numeric, overridable fields of a catalog kind, in declaration order."""
    if kind == LLM_KIND:
        kind_cls: type[Any] = ModelPriceEntry
    else:
        kind_cls = CATALOG_KINDS[kind]
    out = []
    for name, (tp, f) in field_specs(kind_cls).items():
        base = [a for a in typing.get_args(tp) if a is not type(None)] or [tp]
        if base[0] in (float, int) and base[0] is not bool and name not in ("n_gpus",):
            out.append((name, str(f.metadata.get("unit", ""))))
    return out


def entry_rows(catalogs: Catalogs, kind: str, today: dt.date) -> pd.DataFrame:
    """One row per entry of a catalog kind: id, numeric fields, as-of, age, staleness, confidence, source."""
    fields = price_fields(kind)
    rows = []
    for entry in catalogs.all(kind):
        age, stale = staleness(entry.as_of, today)
        origin = catalogs.origins.get((kind, entry.id), "")
        row: dict[str, Any] = {"id": entry.id, **lifecycle_columns(catalogs, kind, entry.id, today)}
        for name, _unit in fields:
            row[name] = getattr(entry, name)
        row.update(
            {
                "as_of": entry.as_of,
                "age_days": age,
                "status": _status(stale, origin),
                "confidence": entry.confidence,
                "source_url": entry.source_url,
                "origin": origin,
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)


def _status(stale: bool, origin: str) -> str:
    # Plain symbols, not emoji: they render with the fonts every system has.
    if origin == OVERRIDE_ORIGIN:
        return "✎ overridden"
    return f"⚠ stale (> {STALE_AFTER_DAYS} days)" if stale else "✓ current"


@functools.lru_cache(maxsize=2)
def _snapshot_listing(day: dt.date) -> tuple[api_prices.ModelListing, ...]:
    """Every genai-prices model priced on ``day`` (slow to build: about a second; cached per day)."""
    del day  # only the cache key: list_models prices at "now"; prices change on dates, not hours
    return tuple(api_prices.list_models(Catalogs({}, {})))


def llm_rows(catalogs: Catalogs, today: dt.date, search: str = "", *, lifecycle: bool = True) -> pd.DataFrame:
    """API model prices (genai-prices + catalog ``models`` entries), optionally filtered by a substring,
    with each model's lifecycle (status, shutdown date, replacement) unless ``lifecycle`` is False."""
    listing = {m.id: m for m in _snapshot_listing(today)}
    for entry in catalogs.all(LLM_KIND):
        listing[entry.id] = api_prices.ModelListing(
            id=entry.id,
            input_usd_per_mtok=entry.input_usd_per_mtok,
            cached_input_usd_per_mtok=entry.cached_input_usd_per_mtok,
            output_usd_per_mtok=entry.output_usd_per_mtok,
            context_window_tokens=entry.context_window_tokens,
            has_long_context_tiers=False,
            source=catalogs.origins.get((LLM_KIND, entry.id), "costmodel/catalog/data/models.yaml"),
            as_of=entry.as_of.isoformat(),
        )
    needle = search.lower()
    rows = []
    for ref in sorted(listing):
        if needle and needle not in ref.lower():
            continue
        m = listing[ref]
        as_of = dt.date.fromisoformat(m.as_of)
        age, stale = staleness(as_of, today)
        origin = catalogs.origins.get((LLM_KIND, m.id), m.source)
        rows.append(
            {
                "id": m.id,
                **(lifecycle_columns(catalogs, LLM_KIND, m.id, today) if lifecycle else {}),
                "input_usd_per_mtok": m.input_usd_per_mtok,
                "cached_input_usd_per_mtok": m.cached_input_usd_per_mtok,
                "output_usd_per_mtok": m.output_usd_per_mtok,
                "context_window_tokens": m.context_window_tokens,
                "long_context_tiers": m.has_long_context_tiers,
                "as_of": as_of,
                "age_days": age,
                "status": _status(stale, origin),
                "source": origin,
                "source_url": _llm_source_url(catalogs, m.id),
            }
        )
    return pd.DataFrame(rows)


def _llm_source_url(catalogs: Catalogs, ref: str) -> str:
    entry = catalogs.find(LLM_KIND, ref)
    return str(entry.source_url) if entry is not None else api_prices.GENAI_PRICES_SOURCE_URL


def current_value(catalogs: Catalogs, kind: str, entry_id: str, field: str) -> float | None:
    """The value an override would replace (API models: the base price from genai-prices)."""
    entry = catalogs.find(kind, entry_id)
    if entry is None and kind == LLM_KIND:
        entry = _llm_entry(catalogs, entry_id)
    if entry is None:
        return None
    value = getattr(entry, field, None)
    return float(value) if isinstance(value, int | float) else None


def _llm_entry(catalogs: Catalogs, ref: str) -> ModelPriceEntry:
    tp = api_prices.model_prices(ref, input_tokens=0, catalogs=catalogs, file=OVERRIDE_ORIGIN, field=ref)
    return ModelPriceEntry(
        id=ref,
        source_url=api_prices.GENAI_PRICES_SOURCE_URL,
        as_of=tp.as_of,
        confidence="medium",
        input_usd_per_mtok=tp.input_usd_per_mtok,
        output_usd_per_mtok=tp.output_usd_per_mtok,
        cached_input_usd_per_mtok=tp.cached_input_usd_per_mtok,
        context_window_tokens=tp.context_window_tokens,
    )


def check_override(kind: str, field: str, value: float) -> None:
    """Reject an override the catalog loader would reject (negative, NaN, out of bounds); InputError names the field."""
    cls = ModelPriceEntry if kind == LLM_KIND else CATALOG_KINDS.get(kind)
    if cls is None:
        raise InputError.single(OVERRIDE_ORIGIN, kind, "unknown catalog kind")
    specs = field_specs(cls)
    if field not in specs:
        raise InputError.single(OVERRIDE_ORIGIN, f"{kind}.{field}", "not a field of this catalog kind")
    meta = specs[field][1].metadata
    lo, hi = meta.get("min", 0.0), meta.get("max")
    if value != value or value in (float("inf"), float("-inf")):
        raise InputError.single(OVERRIDE_ORIGIN, f"{kind}.{field}", f"expected a finite number, got {value}")
    if (lo is not None and (value < lo or (meta.get("exclusive_min") and value <= lo))) or (
        hi is not None and value > hi
    ):
        bound = f"> {lo:g}" if meta.get("exclusive_min") else f">= {lo:g}"
        raise InputError.single(
            OVERRIDE_ORIGIN,
            f"{kind}.{field}",
            f"expected a number {bound}{f' and <= {hi:g}' if hi is not None else ''}, got {value:g}",
        )


def apply_overrides(catalogs: Catalogs, overrides: Mapping[tuple[str, str, str], float]) -> Catalogs:
    """Catalogs with each ``(kind, id, field) -> value`` override applied (confidence 'assumption')."""
    if not overrides:
        return catalogs
    changed: dict[str, dict[str, Any]] = {}
    for (kind, entry_id, field), value in sorted(overrides.items()):
        previous = changed.get(kind, {}).get(entry_id)
        entry = previous or catalogs.find(kind, entry_id)
        if entry is None and kind == LLM_KIND:
            entry = _llm_entry(catalogs, entry_id)
        if entry is None or field not in {f.name for f in dataclasses.fields(entry)}:
            continue
        note = f"{field} was {getattr(entry, field)}"
        notes = f"{entry.notes}; {note}" if previous is not None else f"{OVERRIDE_ORIGIN}: {note}"
        changed.setdefault(kind, {})[entry_id] = dataclasses.replace(
            entry, **{field: value}, confidence="assumption", notes=notes
        )
    origins = {(kind, entry_id): OVERRIDE_ORIGIN for kind, items in changed.items() for entry_id in items}
    return catalogs.merged(Catalogs(changed, origins))


def used_entries(scenario: Scenario) -> list[tuple[str, str, str]]:
    """(strategy id, catalog kind, entry id) of every catalog entry the scenario names."""
    out = []
    for s in scenario.strategies:
        for name, kind in REF_KINDS.items():
            value = getattr(s, name, None)
            if isinstance(value, str):
                out.append((s.id, kind, value))
    return out


def kinds() -> list[str]:
    """Catalog kinds shown on the Prices page (API models first)."""
    return [LLM_KIND, *[k for k in CATALOG_KINDS if k != LLM_KIND]]
