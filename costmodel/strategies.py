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

from . import formulas as f
from .catalog import Catalogs, EmbeddingModel, FinetuneOffer, LabelingRate, Reranker, VectorDatabase
from .errors import InputError
from .latency import LatencyEstimate, hosted_latency, rag_stage_latencies
from .prices import embedding_price, model_prices
from .scenario import (
    FinetuneHostedStrategy,
    InlineEmbedding,
    InlineLabeling,
    InlineModel,
    InlineOffer,
    InlineReranker,
    InlineVectorDb,
    PromptingStrategy,
    RagStrategy,
    Scenario,
    Strategy,
    TrainingFields,
)
from .units import (
    BYTES_PER_GB,
    BYTES_PER_KB,
    HOURS_PER_MONTH,
    SEARCHES_PER_KSEARCH,
    TOKENS_PER_MTOK,
    UNITS_PER_MUNIT,
)

CATEGORIES = ("tokens", "gpu", "labeling", "training", "infrastructure", "people")
"""Cost breakdown categories (SCENARIO.md ``breakdown_usd``)."""

DEFAULT_EMBEDDING_DIMENSIONS = 1536
"""Assumption when neither the scenario nor the catalog gives a dimension: 1536 is the size of
OpenAI text-embedding-3-small and ada-002 vectors (OpenAI embeddings guide), the most common choice."""

KNOWN_EMBEDDING_DIMENSIONS: dict[str, int] = {
    "openai/text-embedding-3-small": 1536,
    "openai/text-embedding-3-large": 3072,
    "openai/text-embedding-ada-002": 1536,
}
"""Default output dimensions of embedding models priced by genai-prices (which has no dimensions).
Source: OpenAI embeddings guide, https://platform.openai.com/docs/guides/embeddings (checked 2026-11-21)."""

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


def _zeros(ctx: Context) -> Array:
    return np.zeros(ctx.scenario.horizon_months)


def _any_positive(x: float | Array) -> bool:
    """True when a value, or any of its simulation draws (an array), is > 0."""
    return bool(np.any(np.asarray(x) > 0))


def _typical(x: float | Array) -> float:
    """One number for a value that may be an array of simulation draws (their mean).

    Latency is estimated for this typical request; the simulator samples costs, not latency.
    """
    return float(np.mean(x))


def _people(s: Strategy, ctx: Context) -> tuple[float, Array]:
    rate = ctx.scenario.people.engineer_usd_per_hour
    return s.setup_hours * rate, _zeros(ctx) + s.maintenance_hours_per_month * rate


def _path(ctx: Context, s: Strategy, name: str) -> tuple[str, int | None]:
    i = ctx.scenario.strategies.index(s)
    p = f"strategies[{i}].{name}"
    return p, ctx.scenario.line(p)


def _output_tokens(s: Strategy, ctx: Context) -> float:
    if s.output_tokens_per_request is not None:
        return s.output_tokens_per_request
    return ctx.scenario.workload.output_tokens_per_request


@dataclass(frozen=True, slots=True, kw_only=True)
class _ApiPricing:
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
    """Blend of service-tier and batch multipliers from ``pricing/discounts.yaml`` (or inline)."""
    discount = ctx.catalogs.find("discounts", provider) if provider else None

    def required(value: float | None, field: str, what: str, hint: str = "") -> float:
        if value is None:
            p, ln = _path(ctx, s, field)
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


def _api_pricing(
    s: PromptingStrategy | RagStrategy | FinetuneHostedStrategy, ctx: Context, total_input_tokens: float
) -> _ApiPricing:
    notes: list[str] = []
    as_of: dt.date | None
    if isinstance(s, FinetuneHostedStrategy):
        offer = _offer(s, ctx)
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
        p, ln = _path(ctx, s, "model")
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
            p, ln = _path(ctx, s, "model")
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
    return _ApiPricing(
        input_usd_per_mtok=inp,
        cached_input_usd_per_mtok=cached,
        cache_write_usd_per_mtok=write,
        output_usd_per_mtok=out,
        multiplier=multiplier,
        as_of=as_of,
        provider=provider,
        notes=tuple(notes),
    )


def _latency(
    model: str | InlineModel | None,
    ctx: Context,
    pr: _ApiPricing,
    *,
    input_tokens: float,
    output_tokens: float,
    extra_stages_ms: Mapping[str, float] | None = None,
    fine_tuned: bool = False,
) -> LatencyEstimate:
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


def _request_cost(pr: _ApiPricing, *, static: Any, dynamic: Any, output: Any, cache_hit: Any) -> Any:
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


def _offer(s: FinetuneHostedStrategy, ctx: Context) -> FinetuneOffer | InlineOffer:
    if isinstance(s.offer, InlineOffer):
        return s.offer
    p, ln = _path(ctx, s, "offer")
    found: FinetuneOffer = ctx.catalogs.get(
        "finetune_offers", s.offer, file=ctx.scenario.source, field=p, line=ln
    )
    return found


def _labeling_usd_per_example(s: TrainingFields, st: Strategy, ctx: Context) -> tuple[float, list[str]]:
    if s.labeling is None:
        return 0.0, [
            "labeling not set: the training examples are assumed to exist already (no labelling cost)"
        ]
    if isinstance(s.labeling, InlineLabeling):
        return s.labeling.usd_per_example, []
    p, ln = _path(ctx, st, "labeling")
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


def prepare_prompting(s: PromptingStrategy, ctx: Context) -> PreparedStrategy:
    """Prompting: every request pays for system prompt, shots, user input and output tokens."""
    w = ctx.scenario.workload
    static = s.system_prompt_tokens + s.n_shots * s.tokens_per_shot
    out_tokens = _output_tokens(s, ctx)
    pr = _api_pricing(s, ctx, static + w.input_tokens_per_request)
    per_request = _request_cost(
        pr,
        static=static,
        dynamic=w.input_tokens_per_request,
        output=out_tokens,
        cache_hit=s.cache_hit_fraction,
    )
    setup, maintenance = _people(s, ctx)
    latency = _latency(
        s.model, ctx, pr, input_tokens=static + w.input_tokens_per_request, output_tokens=out_tokens
    )
    return PreparedStrategy(
        id=s.id,
        kind=s.kind,
        one_off_usd={"people": setup},
        fixed_monthly_usd={"people": maintenance},
        per_request_usd={"tokens": per_request},
        latency=latency,
        accuracy_fraction=s.accuracy_fraction,
        prices_as_of=pr.as_of,
        notes=pr.notes + latency.notes,
        details={
            "input_tokens_per_request": static + w.input_tokens_per_request,
            "output_tokens_per_request": out_tokens,
        },
    )


def _vector_db(s: RagStrategy, ctx: Context) -> VectorDatabase | InlineVectorDb:
    if isinstance(s.vector_db, InlineVectorDb):
        return s.vector_db
    p, ln = _path(ctx, s, "vector_db")
    found: VectorDatabase = ctx.catalogs.get(
        "vector_databases", s.vector_db, file=ctx.scenario.source, field=p, line=ln
    )
    return found


def _embedding(s: RagStrategy, ctx: Context) -> tuple[float, int | None, dt.date | None]:
    if isinstance(s.embedding_model, InlineEmbedding):
        return s.embedding_model.input_usd_per_mtok, s.embedding_model.dimensions, None
    p, ln = _path(ctx, s, "embedding_model")
    price, as_of, _ = embedding_price(
        s.embedding_model, catalogs=ctx.catalogs, file=ctx.scenario.source, field=p, line=ln
    )
    entry = ctx.catalogs.find("embedding_models", s.embedding_model)
    dims = entry.dimensions if isinstance(entry, EmbeddingModel) else None
    return price, dims or KNOWN_EMBEDDING_DIMENSIONS.get(s.embedding_model), as_of


def _reranker(s: RagStrategy, ctx: Context) -> Reranker | InlineReranker | None:
    if s.reranker is None or isinstance(s.reranker, InlineReranker):
        return s.reranker
    p, ln = _path(ctx, s, "reranker")
    found: Reranker = ctx.catalogs.get("rerankers", s.reranker, file=ctx.scenario.source, field=p, line=ln)
    return found


def prepare_rag(s: RagStrategy, ctx: Context) -> PreparedStrategy:
    """RAG: indexing (one-off and churn), vector DB, query embedding, rerank and the longer prompt."""
    w = ctx.scenario.workload
    notes: list[str] = []
    static = s.system_prompt_tokens + s.n_shots * s.tokens_per_shot
    retrieved = s.chunks_per_request * s.tokens_per_chunk
    dynamic = w.input_tokens_per_request + retrieved
    out_tokens = _output_tokens(s, ctx)
    pr = _api_pricing(s, ctx, static + dynamic)
    llm = _request_cost(pr, static=static, dynamic=dynamic, output=out_tokens, cache_hit=s.cache_hit_fraction)
    embed_usd_per_mtok, catalog_dims, embed_as_of = _embedding(s, ctx)
    query_embed = f.tokens_cost_usd(w.input_tokens_per_request, embed_usd_per_mtok)
    overlap = f.chunk_overlap_factor(s.tokens_per_chunk, s.chunk_overlap_tokens)
    chunks = f.n_chunks(s.corpus_tokens, s.tokens_per_chunk, s.chunk_overlap_tokens)
    index_once = f.tokens_cost_usd(s.corpus_tokens * overlap, embed_usd_per_mtok)
    reembed_monthly = f.tokens_cost_usd(
        s.corpus_tokens * s.corpus_churn_fraction_per_month * overlap, embed_usd_per_mtok
    )
    dims = s.embedding_dimensions or catalog_dims
    if dims is None:
        dims = DEFAULT_EMBEDDING_DIMENSIONS
        notes.append(f"embedding dimension unknown: assumed {DEFAULT_EMBEDDING_DIMENSIONS} for storage")
    db = _vector_db(s, ctx)
    rr = _reranker(s, ctx)
    rerank = (rr.usd_per_1k_searches / SEARCHES_PER_KSEARCH) if rr is not None else 0.0
    infra_fixed = _zeros(ctx) + reembed_monthly
    nonlinear: NonLinear | None = None
    read_per_request = 0.0
    db_one_off = 0.0
    per_request_infra = rerank
    storage_gb = 0.0
    if isinstance(db, InlineVectorDb):
        infra_fixed = infra_fixed + db.usd_per_month
    elif db.pricing == "flat":
        infra_fixed = infra_fixed + db.flat_usd_per_month
    else:
        storage_gb = f.vector_storage_gb(chunks, dims, db.bytes_per_record_overhead)
        storage = storage_gb * db.storage_usd_per_gb_month
        record_kb = f.vector_storage_gb(1.0, dims, db.bytes_per_record_overhead) * BYTES_PER_GB / BYTES_PER_KB
        write_units = max(db.write_units_per_record, db.write_units_per_kb * record_kb)
        read_units = np.maximum(db.read_units_per_query, db.read_units_per_query_per_gb * storage_gb)
        write_usd_per_record = write_units * db.write_usd_per_million_units / UNITS_PER_MUNIT
        db_one_off = chunks * write_usd_per_record
        churn_writes = chunks * s.corpus_churn_fraction_per_month * write_usd_per_record
        read_per_request = read_units * db.read_usd_per_million_units / UNITS_PER_MUNIT
        minimum = db.min_usd_per_month
        usage_fixed = storage + churn_writes

        def vector_db_usd(requests: Array) -> dict[str, Array]:
            return {"infrastructure": np.maximum(minimum, usage_fixed + read_per_request * requests)}

        nonlinear = vector_db_usd
    setup, maintenance = _people(s, ctx)
    stages = rag_stage_latencies(
        ctx.catalogs,
        search_latency_ms=(db.query_latency_ms if db.query_latency_ms else None),
        rerank_latency_ms=rr.latency_ms if rr is not None else 0.0,
    )
    latency = _latency(
        s.model, ctx, pr, input_tokens=static + dynamic, output_tokens=out_tokens, extra_stages_ms=stages
    )
    dates = [d for d in (pr.as_of, embed_as_of) if d is not None]
    return PreparedStrategy(
        id=s.id,
        kind=s.kind,
        one_off_usd={"people": setup, "infrastructure": index_once + db_one_off},
        fixed_monthly_usd={"people": maintenance, "infrastructure": infra_fixed},
        per_request_usd={"tokens": llm + query_embed, "infrastructure": per_request_infra},
        nonlinear=nonlinear,
        variable_usd_per_request=llm + query_embed + per_request_infra + read_per_request,
        latency=latency,
        accuracy_fraction=s.accuracy_fraction,
        prices_as_of=min(dates) if dates else None,
        notes=pr.notes + tuple(notes) + latency.notes,
        details={
            "input_tokens_per_request": static + dynamic,
            "output_tokens_per_request": out_tokens,
            "n_chunks": chunks,
            "vector_storage_gb": storage_gb,
            "indexing_usd": index_once,
        },
    )


def prepare_finetune_hosted(s: FinetuneHostedStrategy, ctx: Context) -> PreparedStrategy:
    """Hosted fine-tuning: labelling, training and retrains, tuned-model tokens, hosting fee."""
    w = ctx.scenario.workload
    offer = _offer(s, ctx)
    static = s.system_prompt_tokens
    out_tokens = _output_tokens(s, ctx)
    pr = _api_pricing(s, ctx, static + w.input_tokens_per_request)
    per_request = _request_cost(
        pr,
        static=static,
        dynamic=w.input_tokens_per_request,
        output=out_tokens,
        cache_hit=s.cache_hit_fraction,
    )
    usd_per_example, label_notes = _labeling_usd_per_example(s, s, ctx)
    initial_label, initial_train, monthly_label, monthly_train = training_schedule_usd(
        s,
        ctx,
        usd_per_example=usd_per_example,
        usd_per_training_token=offer.training_usd_per_mtok / TOKENS_PER_MTOK,
    )
    setup, maintenance = _people(s, ctx)
    shutdown_notes: tuple[str, ...] = ()
    if isinstance(offer, FinetuneOffer) and offer.shutdown_date is not None:
        shutdown_notes = (
            f"{offer.id}: the provider stops serving these tuned models on {offer.shutdown_date.isoformat()}; "
            "a horizon that runs past it needs a migration (retraining elsewhere), which is not modelled",
        )
    hosting = _zeros(ctx) + offer.hosting_usd_per_hour * HOURS_PER_MONTH
    latency = _latency(
        offer.base_model,
        ctx,
        pr,
        input_tokens=static + w.input_tokens_per_request,
        output_tokens=out_tokens,
        fine_tuned=True,
    )
    return PreparedStrategy(
        id=s.id,
        kind=s.kind,
        one_off_usd={"people": setup, "labeling": initial_label, "training": initial_train},
        fixed_monthly_usd={
            "people": maintenance,
            "labeling": monthly_label,
            "training": monthly_train,
            "infrastructure": hosting,
        },
        per_request_usd={"tokens": per_request},
        latency=latency,
        accuracy_fraction=s.accuracy_fraction,
        prices_as_of=pr.as_of,
        notes=pr.notes + tuple(label_notes) + shutdown_notes + latency.notes,
        details={
            "input_tokens_per_request": static + w.input_tokens_per_request,
            "output_tokens_per_request": out_tokens,
            "initial_training_tokens": f.training_tokens(
                s.n_training_examples, s.tokens_per_example, s.n_epochs
            ),
        },
    )


def _selfhosted_unavailable(s: Strategy, ctx: Context) -> PreparedStrategy:
    """Placeholder result until the self-hosted estimator is registered: excluded, not crashed."""
    return PreparedStrategy(
        id=s.id,
        kind=s.kind,
        one_off_usd={},
        fixed_monthly_usd={},
        per_request_usd={},
        latency=None,
        accuracy_fraction=s.accuracy_fraction,
        prices_as_of=None,
        notes=("finetune_selfhosted is not available yet in this version: strategy excluded from totals",),
        available=False,
    )


Preparer = Callable[[Strategy, Context], PreparedStrategy]

PREPARERS: dict[str, Preparer] = {
    "prompting": prepare_prompting,  # type: ignore[dict-item]
    "rag": prepare_rag,  # type: ignore[dict-item]
    "finetune_hosted": prepare_finetune_hosted,  # type: ignore[dict-item]
    # finetune_selfhosted: replaced by costmodel.strategy_selfhosted when that module registers itself.
    "finetune_selfhosted": _selfhosted_unavailable,
}

from .strategy_selfhosted import prepare_finetune_selfhosted  # noqa: E402  (registered after PREPARERS exists)

PREPARERS["finetune_selfhosted"] = prepare_finetune_selfhosted


def prepare(s: Strategy, ctx: Context) -> PreparedStrategy:
    """Prepare one strategy with its kind's preparer."""
    return PREPARERS[s.kind](s, ctx)
