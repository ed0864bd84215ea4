"""Per-kind preparation of a strategy: resolve catalog references once, reduce to cost coefficients.

A :class:`PreparedStrategy` splits a strategy's costs into one-off costs, volume-independent monthly
costs (an array over months), a per-request cost (linear in volume) and, where costs are not linear
in volume (vector-DB monthly minimums, GPU replicas), a vectorised function of the request array.
The engine evaluates it for the scenario's growth path or for any volume sweep with one numpy call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.prices import model_prices
from costmodel.catalog.services import FinetuneOffer, LabelingRate
from costmodel.core.errors import InputError
from costmodel.formulas import costs as f
from costmodel.formulas.latency import LatencyEstimate, hosted_latency
from costmodel.scenario.types import (
    FinetuneHostedStrategy,
    InlineLabeling,
    InlineModel,
    InlineOffer,
    PromptingStrategy,
    RagStrategy,
    Scenario,
    Strategy,
    TrainingFields,
)

CATEGORIES = ("tokens", "gpu", "labeling", "training", "infrastructure", "people")
"""Cost breakdown categories (SCENARIO.md ``breakdown_usd``)."""

Array = NDArray[np.float64]
NonLinear = Callable[[Array], dict[str, Array]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What a strategy needs besides its own fields."""

    scenario: Scenario
    catalogs: Catalogs
    at: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedStrategy:
    """A strategy reduced to cost coefficients (USD) and a latency estimate."""

    id: str
    kind: str
    one_off_usd: Mapping[str, float]
    fixed_monthly_usd: Mapping[str, Array]
    """Volume-independent cost per month, shape (H,)."""
    per_request_usd: Mapping[str, float]
    """Cost per request, linear in volume."""
    nonlinear: NonLinear | None = None
    """Extra monthly cost as a function of requests with shape (..., H)."""
    latency: LatencyEstimate | None
    accuracy_fraction: float | None
    prices_as_of: dt.date | None
    notes: tuple[str, ...] = ()
    available: bool = True
    variable_usd_per_request: float | None = None
    """Month-1 variable cost per request when it differs from the sum of ``per_request_usd`` (costs
    inside ``nonlinear`` that scale with volume, such as vector-DB reads or GPU serving)."""
    details: Mapping[str, float] = field(default_factory=dict)
    """Intermediate figures worth showing (tokens per request, storage GB, training tokens, ...)."""

    def monthly_usd(self, requests: Array) -> dict[str, Array]:
        """Cost per category and month for ``requests`` of shape (..., H)."""
        out = {
            cat: np.broadcast_to(self.fixed_monthly_usd.get(cat, 0.0), requests.shape)
            + self.per_request_usd.get(cat, 0.0) * requests
            for cat in CATEGORIES
        }
        if self.nonlinear is not None:
            for cat, extra in self.nonlinear(requests).items():
                out[cat] = out[cat] + extra
        return out


def zeros_per_month(ctx: Context) -> Array:
    """An array of zeros, one per month of the horizon (USD), to add monthly costs to."""
    return np.zeros(ctx.scenario.horizon_months)


def _any_positive(x: float | Array) -> bool:
    """True when a value, or any of its simulation draws (an array), is > 0."""
    return bool(np.any(np.asarray(x) > 0))


def _typical(x: float | Array) -> float:
    """One number for a value that may be an array of simulation draws (their mean).

    Latency is estimated for this typical request; the simulator samples costs, not latency.
    """
    return float(np.mean(x))


def people_costs(s: Strategy, ctx: Context) -> tuple[float, Array]:
    """Engineering time in USD: ``(setup_hours x rate, maintenance_hours_per_month x rate per month)``."""
    rate = ctx.scenario.people.engineer_usd_per_hour
    return s.setup_hours * rate, zeros_per_month(ctx) + s.maintenance_hours_per_month * rate


def field_path(ctx: Context, s: Strategy, name: str) -> tuple[str, int | None]:
    """Where a strategy field is in the scenario file: ``(strategies[i].name, line or None)`` for error messages."""
    i = ctx.scenario.strategies.index(s)
    p = f"strategies[{i}].{name}"
    return p, ctx.scenario.line(p)


def effective_output_tokens(s: Strategy, ctx: Context) -> float:
    """Output tokens per request: the strategy's own value, else the workload's."""
    if s.output_tokens_per_request is not None:
        return s.output_tokens_per_request
    return ctx.scenario.workload.output_tokens_per_request


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiPricing:
    """USD per 1M tokens of a hosted model for one strategy, its service-tier/batch multiplier and notes."""

    input_usd_per_mtok: float
    cached_input_usd_per_mtok: float
    cache_write_usd_per_mtok: float
    output_usd_per_mtok: float
    multiplier: float
    as_of: dt.date | None
    provider: str | None
    notes: tuple[str, ...]


def _tier_multipliers(
    provider: str | None,
    inline_batch: float | None,
    s: PromptingStrategy | RagStrategy | FinetuneHostedStrategy,
    ctx: Context,
) -> float:
    """Blend of service-tier and batch multipliers from ``costmodel/catalog/data/discounts.yaml`` (or inline)."""
    discount = ctx.catalogs.find("discounts", provider) if provider else None

    def required(value: float | None, field: str, what: str, hint: str = "") -> float:
        if value is None:
            p, ln = field_path(ctx, s, field)
            raise InputError.single(
                ctx.scenario.source,
                p,
                f"no {what} price multiplier known for provider {provider!r}{hint}",
                ln,
            )
        return float(value)

    tier = 1.0
    if s.service_tier != "standard":
        found = getattr(discount, f"{s.service_tier}_multiplier", None) if discount else None
        tier = required(found, "service_tier", s.service_tier)
    batch = 1.0
    if _any_positive(s.batch_fraction):
        found = (
            inline_batch if inline_batch is not None else (discount.batch_multiplier if discount else None)
        )
        batch = required(found, "batch_fraction", "batch", ": add batch_multiplier to the inline price")
    return f.blended_multiplier(s.batch_fraction, batch, tier)


def finetune_offer(s: FinetuneHostedStrategy, ctx: Context) -> FinetuneOffer | InlineOffer:
    """The strategy's hosted fine-tuning offer: its inline entry, or the catalog entry it names."""
    if isinstance(s.offer, InlineOffer):
        return s.offer
    p, ln = field_path(ctx, s, "offer")
    found: FinetuneOffer = ctx.catalogs.get(
        "finetune_offers", s.offer, file=ctx.scenario.source, field=p, line=ln
    )
    return found


def api_pricing(
    s: PromptingStrategy | RagStrategy | FinetuneHostedStrategy, ctx: Context, total_input_tokens: float
) -> ApiPricing:
    """Prices of the strategy's model or tuned-model offer for requests of ``total_input_tokens``.

    Raises:
        InputError: unknown model or offer, or requests longer than the model's context window.
    """
    notes: list[str] = []
    as_of: dt.date | None
    if isinstance(s, FinetuneHostedStrategy):
        offer = finetune_offer(s, ctx)
        inp, out, cached = (
            offer.input_usd_per_mtok,
            offer.output_usd_per_mtok,
            offer.cached_input_usd_per_mtok,
        )
        write = inp
        provider = offer.provider if isinstance(offer, FinetuneOffer) else None
        as_of = offer.as_of if isinstance(offer, FinetuneOffer) else None
        inline_batch = offer.batch_multiplier if isinstance(offer, InlineOffer) else None
    elif isinstance(s.model, InlineModel):
        inp, out, cached = (
            s.model.input_usd_per_mtok,
            s.model.output_usd_per_mtok,
            s.model.cached_input_usd_per_mtok,
        )
        write, provider, as_of, inline_batch = inp, None, None, s.model.batch_multiplier
    else:
        p, ln = field_path(ctx, s, "model")
        tp = model_prices(
            s.model,
            input_tokens=total_input_tokens,
            catalogs=ctx.catalogs,
            file=ctx.scenario.source,
            field=p,
            line=ln,
            at=ctx.at,
        )
        inp, out, cached, provider, as_of, inline_batch = (
            tp.input_usd_per_mtok,
            tp.output_usd_per_mtok,
            tp.cached_input_usd_per_mtok,
            tp.provider,
            tp.as_of,
            None,
        )
        write = (
            tp.cache_write_usd_per_mtok
            if (tp.cache_write_usd_per_mtok is not None and _any_positive(s.cache_hit_fraction))
            else inp
        )
        if tp.tier_start_tokens is not None:
            notes.append(
                f"long-context price tier applies (input > {tp.tier_start_tokens:,} tokens per request)"
            )
        if tp.context_window_tokens is not None and _any_positive(
            total_input_tokens - tp.context_window_tokens
        ):
            p, ln = field_path(ctx, s, "model")
            raise InputError.single(
                ctx.scenario.source,
                p,
                f"requests of {float(np.max(total_input_tokens)):,.0f} input tokens exceed {s.model}'s context window of "
                f"{tp.context_window_tokens:,} tokens",
                ln,
            )
    if cached is None:
        cached = inp
        if _any_positive(s.cache_hit_fraction):
            notes.append("no cached-input price known: cache hits billed at the input price")
    multiplier = _tier_multipliers(provider, inline_batch, s, ctx)
    return ApiPricing(
        input_usd_per_mtok=inp,
        cached_input_usd_per_mtok=cached,
        cache_write_usd_per_mtok=write,
        output_usd_per_mtok=out,
        multiplier=multiplier,
        as_of=as_of,
        provider=provider,
        notes=tuple(notes),
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
        input_tokens=_typical(input_tokens),
        output_tokens=_typical(output_tokens),
        output_usd_per_mtok=_typical(pr.output_usd_per_mtok),
        ttft_ms_override=_typical(inline.ttft_ms) if inline and inline.ttft_ms is not None else None,
        output_tokens_per_s_override=(
            _typical(inline.output_tokens_per_s)
            if inline and inline.output_tokens_per_s is not None
            else None
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
        cache_hit_fraction=cache_hit,
        input_usd_per_mtok=pr.input_usd_per_mtok,
        cached_input_usd_per_mtok=pr.cached_input_usd_per_mtok,
        cache_write_usd_per_mtok=pr.cache_write_usd_per_mtok,
        output_usd_per_mtok=pr.output_usd_per_mtok,
        price_multiplier=pr.multiplier,
    )


def labeling_usd_per_example(s: TrainingFields, st: Strategy, ctx: Context) -> tuple[float, list[str]]:
    """USD to label one training example (inline, catalog, or 0 with a note when examples already exist)."""
    if s.labeling is None:
        return 0.0, [
            "labeling not set: the training examples are assumed to exist already (no labelling cost)"
        ]
    if isinstance(s.labeling, InlineLabeling):
        return s.labeling.usd_per_example, []
    p, ln = field_path(ctx, st, "labeling")
    rate: LabelingRate = ctx.catalogs.get(
        "labeling_rates", s.labeling, file=ctx.scenario.source, field=p, line=ln
    )
    return rate.usd_per_example, []


def training_schedule_usd(
    s: TrainingFields, ctx: Context, *, usd_per_example: float, usd_per_training_token: float
) -> tuple[float, float, Array, Array]:
    """(initial labelling, initial training, monthly labelling, monthly training) for a fine-tuning strategy.

    Retrain j (month j*k) labels ``n_new`` examples and trains on all ``n0 + j*n_new`` collected so far.
    """
    horizon = ctx.scenario.horizon_months
    j = f.retrain_schedule(horizon, s.retrain_every_months).astype(np.float64)
    is_retrain = (j > 0).astype(np.float64)
    initial_label = s.n_training_examples * usd_per_example
    initial_train = (
        f.training_tokens(s.n_training_examples, s.tokens_per_example, s.n_epochs) * usd_per_training_token
    )
    examples_so_far = s.n_training_examples + j * s.n_new_examples_per_retrain
    monthly_label = is_retrain * s.n_new_examples_per_retrain * usd_per_example
    tokens_per_example_all_epochs = f.training_tokens(1.0, s.tokens_per_example, s.n_epochs)
    monthly_train = is_retrain * examples_so_far * tokens_per_example_all_epochs * usd_per_training_token
    return initial_label, initial_train, monthly_label, monthly_train
