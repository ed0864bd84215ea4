"""The genai-prices adapter: LLM and embedding token prices for one request of a given shape.

API token prices come from the pinned ``genai-prices`` package's bundled snapshot (never its
auto-updater, never the network). ``costmodel/catalog/data/models.yaml`` may override or add models. Long-context
tiers follow genai-prices' "cliff" rule: once a request's input crosses a tier's threshold, the tier
price applies to all its tokens, so prices depend on the request's input length.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from dataclasses import dataclass
from decimal import Decimal
from importlib.metadata import version
from typing import Any

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.services import ModelPriceEntry
from costmodel.core.errors import InputError

GENAI_PRICES_PINNED_VERSION = "0.2.3"
"""The genai-prices release whose snapshot we price with (pinned in pyproject.toml)."""

GENAI_PRICES_AS_OF = dt.date(2026, 11, 3)
"""As-of date of that snapshot: the latest "checked on" date cited in genai-prices 0.2.3's bundled
data (``genai_prices/data.py``, price_comments). The package stores no per-model check dates."""

GENAI_PRICES_SOURCE_URL = "https://github.com/pydantic/genai-prices"


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenPrices:
    """Prices of one model for a request of a given input length, in USD per 1M tokens."""

    model_ref: str
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    cached_input_usd_per_mtok: float | None
    cache_write_usd_per_mtok: float | None
    context_window_tokens: int | None
    tier_start_tokens: int | None
    """Input-length threshold of the long-context tier that applies, or None for base prices."""
    source: str
    as_of: dt.date
    provider: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelListing:
    """One row of ``breakeven models``."""

    id: str
    input_usd_per_mtok: float | None
    cached_input_usd_per_mtok: float | None
    output_usd_per_mtok: float | None
    context_window_tokens: int | None
    has_long_context_tiers: bool
    source: str
    as_of: str


@functools.lru_cache(maxsize=1)
def installed_version() -> str:
    """Version of the installed genai-prices package (read once per process)."""
    return version("genai-prices")


def _snapshot() -> Any:
    from genai_prices import data_snapshot

    return data_snapshot.get_snapshot()


@functools.lru_cache(maxsize=1)
def all_model_refs() -> tuple[str, ...]:
    """Every ``provider/model`` id in the genai-prices snapshot."""
    return tuple(f"{p.id}/{m.id}" for p in _snapshot().providers for m in p.models)


def _tier_value(value: Any, input_tokens: float) -> tuple[float | None, int | None]:
    """Price of one price key at a request input length: (USD per 1M tokens, tier start or None)."""
    if value is None:
        return None, None
    tiers = getattr(value, "tiers", None)
    if tiers is None:
        return float(value), None
    price, start = float(value.base), None
    for tier in tiers:  # sorted ascending; genai-prices applies a tier once input exceeds its start
        if input_tokens > tier.start:
            price, start = float(tier.price), int(tier.start)
    return price, start


def _find(ref: str) -> tuple[Any, Any] | None:
    snapshot = _snapshot()
    provider_id, _, model_id = ref.partition("/")
    try:
        if model_id:
            return tuple(snapshot.find_provider_model(model_id, None, provider_id, None))
        return tuple(snapshot.find_provider_model(ref, None, None, None))
    except LookupError:
        return None


def unknown_model_error(
    ref: str, *, file: str, field: str, line: int | None, extra: tuple[str, ...] = ()
) -> InputError:
    """InputError for an unknown model with close-match suggestions (never a $0 price)."""
    candidates = list(all_model_refs()) + list(extra)
    matches = difflib.get_close_matches(ref.lower(), candidates, n=4, cutoff=0.6)
    if not matches and "/" in ref:
        tail = ref.split("/", 1)[1].lower()
        matches = [c for c in candidates if c.split("/", 1)[1] == tail][:4]
    hint = (
        f" (did you mean {', '.join(repr(m) for m in matches)}?)" if matches else " (see `breakeven models`)"
    )
    return InputError.single(file, field, f"unknown model {ref!r}: no price known{hint}", line)


def _price_at(model_price: Any, key: str, input_tokens: float) -> tuple[float | None, int | None]:
    return _tier_value(getattr(model_price, key, None), input_tokens)


def model_prices(
    ref: str,
    *,
    input_tokens: float,
    catalogs: Catalogs,
    file: str,
    field: str,
    line: int | None = None,
    at: dt.datetime | None = None,
) -> TokenPrices:
    """Prices of model ``ref`` (``provider/model``) for a request with ``input_tokens`` input tokens.

    ``costmodel/catalog/data/models.yaml`` entries win over genai-prices. Unknown model: InputError with suggestions.
    """
    override = catalogs.find("models", ref)
    if isinstance(override, ModelPriceEntry):
        return TokenPrices(
            model_ref=ref,
            input_usd_per_mtok=override.input_usd_per_mtok,
            output_usd_per_mtok=override.output_usd_per_mtok,
            cached_input_usd_per_mtok=override.cached_input_usd_per_mtok,
            cache_write_usd_per_mtok=None,
            context_window_tokens=override.context_window_tokens,
            tier_start_tokens=None,
            source=catalogs.origins.get(("models", ref), "costmodel/catalog/data/models.yaml"),
            as_of=override.as_of,
            provider=ref.split("/", 1)[0] if "/" in ref else None,
        )
    found = _find(ref)
    if found is None:
        raise unknown_model_error(
            ref, file=file, field=field, line=line, extra=tuple(e.id for e in catalogs.all("models"))
        )
    provider, model = found
    when = at or dt.datetime.now(dt.UTC)
    mp = model.get_prices(when)
    inp, start = _price_at(mp, "input_mtok", input_tokens)
    out, _ = _price_at(mp, "output_mtok", input_tokens)
    if inp is None or out is None:
        raise InputError.single(
            file,
            field,
            f"model {ref!r} has no per-token input/output price in genai-prices (not a text model?)",
            line,
        )
    cached, _ = _price_at(mp, "cache_read_mtok", input_tokens)
    write, _ = _price_at(mp, "cache_write_mtok", input_tokens)
    return TokenPrices(
        model_ref=f"{provider.id}/{model.id}",
        input_usd_per_mtok=inp,
        output_usd_per_mtok=out,
        cached_input_usd_per_mtok=cached,
        cache_write_usd_per_mtok=write,
        context_window_tokens=model.context_window,
        tier_start_tokens=start,
        source=f"genai-prices {installed_version()}",
        as_of=GENAI_PRICES_AS_OF,
        provider=provider.id,
    )


def embedding_price(
    ref: str, *, catalogs: Catalogs, file: str, field: str, line: int | None = None
) -> tuple[float, dt.date, str]:
    """USD per 1M tokens of an embedding model: ``costmodel/catalog/data/embedding_models.yaml`` wins, else genai-prices."""
    entry = catalogs.find("embedding_models", ref)
    if entry is not None:
        return (
            float(entry.input_usd_per_mtok),
            entry.as_of,
            catalogs.origins.get(("embedding_models", ref), ""),
        )
    found = _find(ref)
    if found is not None:
        price, _ = _price_at(found[1].get_prices(dt.datetime.now(dt.UTC)), "input_mtok", 0)
        if price is not None:
            return price, GENAI_PRICES_AS_OF, f"genai-prices {installed_version()}"
    raise unknown_model_error(
        ref, file=file, field=field, line=line, extra=tuple(e.id for e in catalogs.all("embedding_models"))
    )


def _as_float(value: Any) -> float | None:
    if value is None:
        return None
    base = getattr(value, "base", value)
    return float(base) if isinstance(base, Decimal | int | float) else None


def list_models(catalogs: Catalogs, search: str | None = None) -> list[ModelListing]:
    """Every priced text model (genai-prices plus our overrides), optionally filtered by a substring."""
    rows: dict[str, ModelListing] = {}
    now = dt.datetime.now(dt.UTC)
    for provider in _snapshot().providers:
        for model in provider.models:
            mp = model.get_prices(now)
            inp = _as_float(getattr(mp, "input_mtok", None))
            out = _as_float(getattr(mp, "output_mtok", None))
            if inp is None and out is None:
                continue
            ref = f"{provider.id}/{model.id}"
            rows[ref] = ModelListing(
                id=ref,
                input_usd_per_mtok=inp,
                cached_input_usd_per_mtok=_as_float(getattr(mp, "cache_read_mtok", None)),
                output_usd_per_mtok=out,
                context_window_tokens=model.context_window,
                has_long_context_tiers=any(
                    getattr(getattr(mp, k, None), "tiers", None) for k in ("input_mtok", "output_mtok")
                ),
                source=f"genai-prices {installed_version()}",
                as_of=GENAI_PRICES_AS_OF.isoformat(),
            )
    for entry in catalogs.all("models"):
        rows[entry.id] = ModelListing(
            id=entry.id,
            input_usd_per_mtok=entry.input_usd_per_mtok,
            cached_input_usd_per_mtok=entry.cached_input_usd_per_mtok,
            output_usd_per_mtok=entry.output_usd_per_mtok,
            context_window_tokens=entry.context_window_tokens,
            has_long_context_tiers=False,
            source=catalogs.origins.get(("models", entry.id), "costmodel/catalog/data/models.yaml"),
            as_of=entry.as_of.isoformat(),
        )
    needle = (search or "").lower()
    return [row for ref, row in sorted(rows.items()) if needle in ref.lower()]
