"""Prices and latency of one call to a hosted model: service tier, batch share, caching rules, reasoning.

Service-tier (flex, priority) and batch prices come from genai-prices' price variants where it has
them; our ``discounts`` catalog only fills gaps, and a note says so. A cached prefix shorter than
the provider's minimum (``prompt_caching`` catalog) is billed in full. Reasoning tokens are billed
as output tokens and counted in latency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from costmodel.catalog.lifecycle import min_cached_prefix_tokens, reasoning_profile
from costmodel.catalog.prices import TokenPrices, model_prices
from costmodel.catalog.services import FinetuneOffer
from costmodel.core.errors import InputError
from costmodel.formulas import costs as f
from costmodel.formulas.latency import LatencyEstimate, hosted_latency
from costmodel.scenario.types import (
    FinetuneHostedStrategy,
    InlineModel,
    InlineOffer,
    PromptingStrategy,
    RagStrategy,
)
from costmodel.strategies.common import Context, any_positive, field_path, typical

ApiStrategy = PromptingStrategy | RagStrategy | FinetuneHostedStrategy


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiPricing:
    """USD per 1M tokens of a hosted model for one strategy (service tier and batch share blended in)."""

    input_usd_per_mtok: Any
    cached_input_usd_per_mtok: Any
    cache_write_usd_per_mtok: Any
    output_usd_per_mtok: Any
    multiplier: Any
    """Extra multiplier for tiers priced from our discounts table (1.0 when genai-prices has the variant)."""
    cacheable: Any = 1.0
    """1.0 when the static prefix is long enough to be cached, else 0.0 (array-safe)."""
    as_of: dt.date | None
    provider: str | None
    notes: tuple[str, ...]


def normalised_tier(s: ApiStrategy) -> str:
    """``default``, ``flex`` or ``priority`` (``standard`` is the older spelling of ``default``)."""
    return "default" if s.service_tier in ("default", "standard") else s.service_tier


def finetune_offer(s: FinetuneHostedStrategy, ctx: Context) -> FinetuneOffer | InlineOffer:
    """The strategy's hosted fine-tuning offer: its inline entry, or the catalog entry it names."""
    if isinstance(s.offer, InlineOffer):
        return s.offer
    p, ln = field_path(ctx, s, "offer")
    found: FinetuneOffer = ctx.catalogs.get(
        "finetune_offers", s.offer, file=ctx.scenario.source, field=p, line=ln
    )
    return found


def _discount_multiplier(provider: str | None, what: str, s: ApiStrategy, ctx: Context, field: str) -> float:
    """A tier or batch multiplier from our ``discounts`` catalog; InputError when it has none."""
    discount = ctx.catalogs.find("discounts", provider) if provider else None
    value = getattr(discount, f"{what}_multiplier", None) if discount is not None else None
    if value is None:
        p, ln = field_path(ctx, s, field)
        hint = ": add batch_multiplier to the inline price" if what == "batch" else ""
        raise InputError.single(
            ctx.scenario.source, p, f"no {what} price multiplier known for provider {provider!r}{hint}", ln
        )
    return float(value)


def _inline_or_offer_multiplier(
    provider: str | None, inline_batch: float | None, s: ApiStrategy, ctx: Context
) -> float:
    """Blend of service-tier and batch multipliers for prices that are not in genai-prices."""
    tier_name = normalised_tier(s)
    tier = (
        1.0 if tier_name == "default" else _discount_multiplier(provider, tier_name, s, ctx, "service_tier")
    )
    batch = 1.0
    if any_positive(s.batch_fraction):
        batch = (
            inline_batch
            if inline_batch is not None
            else _discount_multiplier(provider, "batch", s, ctx, "batch_fraction")
        )
    return f.blended_multiplier(s.batch_fraction, batch, tier)


def _blend(default: Any, batch: Any, b: Any) -> Any:
    return (1.0 - b) * default + b * batch


def _catalog_model_pricing(
    s: PromptingStrategy | RagStrategy, model: str, ctx: Context, total_input_tokens: float
) -> ApiPricing:
    notes: list[str] = []
    p, ln = field_path(ctx, s, "model")

    def look(variant: Mapping[str, str] | None) -> TokenPrices:
        return model_prices(
            model,
            input_tokens=total_input_tokens,
            catalogs=ctx.catalogs,
            file=ctx.scenario.source,
            field=p,
            line=ln,
            at=ctx.at,
            variant=variant,
        )

    tier_name = normalised_tier(s)
    tp = look({"service_tier": tier_name} if tier_name != "default" else None)
    multiplier: Any = 1.0
    if tier_name != "default" and not tp.variant_found:
        multiplier = _discount_multiplier(tp.provider, tier_name, s, ctx, "service_tier")
        notes.append(
            f"{tier_name} price: our discounts table's x{multiplier:g} (genai-prices has no {tier_name} price for {model})"
        )
    cached = tp.cached_input_usd_per_mtok
    write = tp.cache_write_usd_per_mtok
    inp, out = tp.input_usd_per_mtok, tp.output_usd_per_mtok
    if any_positive(s.batch_fraction):
        bp = look({"processing": "batch"})
        if bp.variant_found:
            b = s.batch_fraction
            inp, out = (
                _blend(inp * multiplier, bp.input_usd_per_mtok, b),
                _blend(out * multiplier, bp.output_usd_per_mtok, b),
            )
            cached = (
                _blend(cached * multiplier, bp.cached_input_usd_per_mtok or cached, b)
                if cached is not None
                else None
            )
            write = (
                _blend(write * multiplier, bp.cache_write_usd_per_mtok or write, b)
                if write is not None
                else None
            )
            multiplier = 1.0
        else:
            batch = _discount_multiplier(tp.provider, "batch", s, ctx, "batch_fraction")
            multiplier = f.blended_multiplier(s.batch_fraction, batch, multiplier)
            notes.append(
                f"batch price: our discounts table's x{batch:g} (genai-prices has no batch price for {model})"
            )
    if tp.tier_start_tokens is not None:
        notes.append(f"long-context price tier applies (input > {tp.tier_start_tokens:,} tokens per request)")
    if tp.context_window_tokens is not None and any_positive(total_input_tokens - tp.context_window_tokens):
        raise InputError.single(
            ctx.scenario.source,
            p,
            f"requests of {float(np.max(total_input_tokens)):,.0f} input tokens exceed {model}'s context window of "
            f"{tp.context_window_tokens:,} tokens",
            ln,
        )
    return ApiPricing(
        input_usd_per_mtok=inp,
        cached_input_usd_per_mtok=cached,
        cache_write_usd_per_mtok=write if (write is not None and any_positive(s.cache_hit_fraction)) else inp,
        output_usd_per_mtok=out,
        multiplier=multiplier,
        as_of=tp.as_of,
        provider=tp.provider,
        notes=tuple(notes),
    )


def api_pricing(
    s: ApiStrategy, ctx: Context, total_input_tokens: float, *, static_prefix_tokens: Any = None
) -> ApiPricing:
    """Prices of the strategy's model or tuned-model offer for requests of ``total_input_tokens``.

    ``static_prefix_tokens`` (system prompt and shots) is checked against the provider's shortest
    cacheable prefix: below it, cache hits are impossible and the prefix is billed at the input price.

    Raises:
        InputError: unknown model or offer, or requests longer than the model's context window.
    """
    model_ref: str | None = None
    if isinstance(s, FinetuneHostedStrategy):
        offer = finetune_offer(s, ctx)
        provider = offer.provider if isinstance(offer, FinetuneOffer) else None
        inline_batch = offer.batch_multiplier if isinstance(offer, InlineOffer) else None
        pr = ApiPricing(
            input_usd_per_mtok=offer.input_usd_per_mtok,
            cached_input_usd_per_mtok=offer.cached_input_usd_per_mtok,
            cache_write_usd_per_mtok=offer.input_usd_per_mtok,
            output_usd_per_mtok=offer.output_usd_per_mtok,
            multiplier=_inline_or_offer_multiplier(provider, inline_batch, s, ctx),
            as_of=offer.as_of if isinstance(offer, FinetuneOffer) else None,
            provider=provider,
            notes=(),
        )
        model_ref = offer.base_model if isinstance(offer, FinetuneOffer) else None
    elif isinstance(s.model, InlineModel):
        m = s.model
        pr = ApiPricing(
            input_usd_per_mtok=m.input_usd_per_mtok,
            cached_input_usd_per_mtok=m.cached_input_usd_per_mtok,
            cache_write_usd_per_mtok=m.input_usd_per_mtok,
            output_usd_per_mtok=m.output_usd_per_mtok,
            multiplier=_inline_or_offer_multiplier(None, m.batch_multiplier, s, ctx),
            as_of=None,
            provider=None,
            notes=(),
        )
    else:
        pr = _catalog_model_pricing(s, s.model, ctx, total_input_tokens)
        model_ref = s.model
    notes = list(pr.notes)
    cached = pr.cached_input_usd_per_mtok
    if cached is None:
        cached = pr.input_usd_per_mtok
        if any_positive(s.cache_hit_fraction):
            notes.append("no cached-input price known: cache hits billed at the input price")
    cacheable: Any = 1.0
    write = pr.cache_write_usd_per_mtok
    rule = min_cached_prefix_tokens(ctx.catalogs, model_ref) if model_ref else None
    if rule is not None and static_prefix_tokens is not None and any_positive(s.cache_hit_fraction):
        cacheable = np.where(np.asarray(static_prefix_tokens) >= rule.min_cached_prefix_tokens, 1.0, 0.0)
        if cacheable.ndim == 0:
            cacheable = float(cacheable)
        if not np.all(np.asarray(cacheable) > 0):
            notes.append(
                f"the cached prefix ({typical(static_prefix_tokens):,.0f} tokens) is shorter than the "
                f"{rule.min_cached_prefix_tokens:,} tokens {rule.id} caches: no cache discount"
            )
        write = np.where(np.asarray(cacheable) > 0, write, pr.input_usd_per_mtok)
        if np.ndim(write) == 0:
            write = float(write)
    return ApiPricing(
        input_usd_per_mtok=pr.input_usd_per_mtok,
        cached_input_usd_per_mtok=cached,
        cache_write_usd_per_mtok=write,
        output_usd_per_mtok=pr.output_usd_per_mtok,
        multiplier=pr.multiplier,
        cacheable=cacheable,
        as_of=pr.as_of,
        provider=pr.provider,
        notes=tuple(notes),
    )


def reasoning_tokens(s: ApiStrategy, ctx: Context) -> tuple[Any, tuple[str, ...]]:
    """Reasoning tokens per request (billed as output): the strategy's own value, else the catalog's typical
    count for a model that reasons by default (stated as an assumption), else 0."""
    if s.reasoning_tokens_per_request is not None:
        return s.reasoning_tokens_per_request, ()
    model = getattr(s, "model", None)
    profile = reasoning_profile(ctx.catalogs, model) if isinstance(model, str) else None
    if profile is None or not profile.reasons_by_default or profile.typical_reasoning_tokens_per_request <= 0:
        return 0.0, ()
    n = profile.typical_reasoning_tokens_per_request
    return n, (
        f"{model} reasons by default: {n:,.0f} reasoning tokens per request assumed "
        f"({profile.confidence} confidence, catalog); set reasoning_tokens_per_request to change it",
    )


def api_latency(
    model: str | InlineModel | None,
    ctx: Context,
    pr: ApiPricing,
    *,
    input_tokens: float,
    output_tokens: float,
    extra_stages_ms: Mapping[str, float] | None = None,
    fine_tuned: bool = False,
) -> LatencyEstimate:
    """Median latency of one request to a hosted model (plus ``extra_stages_ms``, e.g. retrieval) from the
    dated latency catalog; an inline model's own TTFT and tokens/s win."""
    inline = model if isinstance(model, InlineModel) else None
    return hosted_latency(
        model if isinstance(model, str) else None,
        ctx.catalogs,
        input_tokens=typical(input_tokens),
        output_tokens=typical(output_tokens),
        output_usd_per_mtok=typical(pr.output_usd_per_mtok),
        ttft_ms_override=typical(inline.ttft_ms) if inline and inline.ttft_ms is not None else None,
        output_tokens_per_s_override=(
            typical(inline.output_tokens_per_s) if inline and inline.output_tokens_per_s is not None else None
        ),
        extra_stages_ms=extra_stages_ms,
        fine_tuned=fine_tuned,
    )


def request_cost_usd(pr: ApiPricing, *, static: Any, dynamic: Any, output: Any, cache_hit: Any) -> Any:
    """USD per request of one API call at the resolved prices (see formulas.request_token_cost_usd)."""
    return f.request_token_cost_usd(
        static_prefix_tokens=static,
        dynamic_input_tokens=dynamic,
        output_tokens=output,
        cache_hit_fraction=cache_hit * pr.cacheable,
        input_usd_per_mtok=pr.input_usd_per_mtok,
        cached_input_usd_per_mtok=pr.cached_input_usd_per_mtok,
        cache_write_usd_per_mtok=pr.cache_write_usd_per_mtok,
        output_usd_per_mtok=pr.output_usd_per_mtok,
        price_multiplier=pr.multiplier,
    )
