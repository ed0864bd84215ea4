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
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib.metadata import version
from typing import Any

from genai_prices import data_snapshot

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.price_data import GENAI_PRICES_AS_OF as GENAI_PRICES_AS_OF
from costmodel.catalog.price_data import GENAI_PRICES_PINNED_VERSION as GENAI_PRICES_PINNED_VERSION
from costmodel.catalog.price_data import GENAI_PRICES_SOURCE_URL as GENAI_PRICES_SOURCE_URL
from costmodel.catalog.price_data import current_price_data
from costmodel.catalog.services import ModelPriceEntry
from costmodel.core.errors import InputError


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
    variant_found: bool = True
    """False when a price variant (service tier, batch) was asked for but the price data has none:
    the prices are then the standard ones."""


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


@functools.lru_cache(maxsize=4)
def _snapshot_of(providers_key: int) -> Any:
    providers, _ = current_price_data()
    if providers is None:
        return data_snapshot.get_snapshot()
    return data_snapshot.DataSnapshot(providers=providers, from_auto_update=False)


def _snapshot() -> Any:
    """The price data in use: a refreshed file (``breakeven prices update``) or the bundled snapshot."""
    providers, _ = current_price_data()
    return _snapshot_of(id(providers) if providers is not None else 0)


def all_model_refs() -> tuple[str, ...]:
    """Every ``provider/model`` id in the price data in use."""
    return _refs_of(id(_snapshot()))


@functools.lru_cache(maxsize=4)
def _refs_of(snapshot_key: int) -> tuple[str, ...]:
    return tuple(f"{p.id}/{m.id}" for p in _snapshot().providers for m in p.models)


def price_data_as_of() -> dt.date:
    """As-of date of the price data in use (bundled snapshot date or refresh date)."""
    return current_price_data()[1].as_of


def price_data_label() -> str:
    """Short name of the price data in use, e.g. ``genai-prices 0.2.5 bundled snapshot``."""
    return current_price_data()[1].source


def genai_deprecated(ref: str) -> bool:
    """True when genai-prices flags ``provider/model`` as deprecated (still served, no dates given)."""
    found = _find(ref)
    return bool(found is not None and getattr(found[1], "deprecated", None))


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
    variant: Mapping[str, str] | None = None,
) -> TokenPrices:
    """Prices of model ``ref`` (``provider/model``) for a request with ``input_tokens`` input tokens.

    ``costmodel/catalog/data/models.yaml`` entries win over genai-prices. Unknown model: InputError with suggestions.
    ``variant`` asks for a price variant (``{"service_tier": "flex"}``, ``{"processing": "batch"}``);
    ``variant_found`` in the result says whether the price data has it.
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
            variant_found=not variant,
        )
    found = _find(ref)
    if found is None:
        raise unknown_model_error(
            ref, file=file, field=field, line=line, extra=tuple(e.id for e in catalogs.all("models"))
        )
    provider, model = found
    when = at or dt.datetime.now(dt.UTC)
    found_variant = not variant or has_variant(model, variant, when)
    mp = model.get_prices(when, dict(variant) if variant and found_variant else None)
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
        source=price_data_label(),
        as_of=price_data_as_of(),
        provider=provider.id,
        variant_found=found_variant,
    )


def has_variant(model: Any, variant: Mapping[str, str], when: dt.datetime) -> bool:
    """True when a genai-prices model has a price variant matching ``variant`` in force at ``when``."""
    for v in getattr(model, "price_variants", None) or ():
        if v.constraint is not None and not v.constraint.active(when):
            continue
        if all(variant.get(k) == val for k, val in v.when.items()) and any(
            getattr(v.prices, k, None) is not None for k in ("input_mtok", "output_mtok")
        ):
            return True
    return False


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
            return price, price_data_as_of(), price_data_label()
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
                source=price_data_label(),
                as_of=price_data_as_of().isoformat(),
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
