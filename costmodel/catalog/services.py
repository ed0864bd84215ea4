"""Catalog kinds for hosted services: API model prices, fine-tuning offers, embeddings, vector databases,
labelling rates, provider discounts and latency profiles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from costmodel.catalog.entry import Entry
from costmodel.core.schema import spec


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelPriceEntry(Entry):
    """An LLM API price that overrides or adds to the genai-prices snapshot (``models``)."""

    input_usd_per_mtok: float = field(metadata=spec(unit="USD per 1M tokens"))
    output_usd_per_mtok: float = field(metadata=spec(unit="USD per 1M tokens"))
    cached_input_usd_per_mtok: float | None = field(default=None, metadata=spec(unit="USD per 1M tokens"))
    context_window_tokens: int | None = field(default=None, metadata=spec(min=1, unit="tokens"))


@dataclass(frozen=True, slots=True, kw_only=True)
class FinetuneOffer(Entry):
    """A hosted fine-tuning offer: training price, tuned-model inference prices, hosting fee."""

    provider: str
    base_model: str = field(metadata=spec(help="provider/model of the base model (for latency)"))
    training_usd_per_mtok: float = field(metadata=spec(unit="USD per 1M training tokens (tokens x epochs)"))
    input_usd_per_mtok: float = field(metadata=spec(unit="USD per 1M input tokens"))
    output_usd_per_mtok: float = field(metadata=spec(unit="USD per 1M output tokens"))
    cached_input_usd_per_mtok: float | None = field(default=None, metadata=spec(unit="USD per 1M tokens"))
    hosting_usd_per_hour: float = field(default=0.0, metadata=spec(unit="USD per hour the model is deployed"))
    shutdown_date: dt.date | None = field(
        default=None,
        metadata=spec(
            help="date the provider stops serving tuned models of this offer (None: none announced)"
        ),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class EmbeddingModel(Entry):
    """An embedding model's price (for models missing from genai-prices) and query latency."""

    input_usd_per_mtok: float = field(metadata=spec(unit="USD per 1M tokens"))
    batch_input_usd_per_mtok: float | None = field(default=None, metadata=spec(unit="USD per 1M tokens"))
    dimensions: int | None = field(default=None, metadata=spec(min=1, unit="floats per vector"))
    max_input_tokens: int | None = field(default=None, metadata=spec(min=1, unit="tokens"))


@dataclass(frozen=True, slots=True, kw_only=True)
class VectorDatabase(Entry):
    """A vector database plan: a flat monthly fee, or usage-based with a monthly minimum."""

    provider: str
    pricing: Literal["flat", "usage"]
    flat_usd_per_month: float = field(default=0.0, metadata=spec(unit="USD per month"))
    min_usd_per_month: float = field(default=0.0, metadata=spec(unit="USD per month (usage plans)"))
    storage_usd_per_gb_month: float = field(default=0.0, metadata=spec(unit="USD per GB-month"))
    read_usd_per_million_units: float = field(default=0.0, metadata=spec(unit="USD per 1M read units"))
    write_usd_per_million_units: float = field(default=0.0, metadata=spec(unit="USD per 1M write units"))
    read_units_per_query: float = field(
        default=0.0,
        metadata=spec(unit="read units per query (the minimum when read_units_per_query_per_gb is set)"),
    )
    read_units_per_query_per_gb: float = field(
        default=0.0,
        metadata=spec(
            unit="read units per query per GB of index",
            help="a query uses max(read_units_per_query, this x index GB) read units (Pinecone serverless)",
        ),
    )
    write_units_per_record: float = field(
        default=0.0,
        metadata=spec(unit="write units per upserted record (the minimum when write_units_per_kb is set)"),
    )
    write_units_per_kb: float = field(
        default=0.0,
        metadata=spec(
            unit="write units per KB (1,000 bytes) of upserted record",
            help="an upsert uses max(write_units_per_record, this x record KB) write units per record",
        ),
    )
    bytes_per_record_overhead: float = field(
        default=0.0, metadata=spec(unit="bytes of metadata and index per record, on top of the vector")
    )
    query_latency_ms: float = field(default=0.0, metadata=spec(unit="ms per search incl. network"))


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelingRate(Entry):
    """Cost of one labelled training example by a labelling method (crowd, expert, synthetic)."""

    usd_per_example: float = field(metadata=spec(unit="USD per example"))
    low_usd_per_example: float | None = field(default=None, metadata=spec(unit="USD per example"))
    high_usd_per_example: float | None = field(default=None, metadata=spec(unit="USD per example"))
    method: str = "human"
    teacher_model: str | None = field(
        default=None,
        metadata=spec(help="synthetic: the model that writes each example; the engine prices it live"),
    )
    teacher_input_tokens: float = field(default=0.0, metadata=spec(unit="tokens per example"))
    teacher_output_tokens: float = field(default=0.0, metadata=spec(unit="tokens per example"))
    review_fraction: float = field(default=0.0, metadata=spec(max=1.0, unit="fraction 0-1 reviewed"))
    review_usd_per_example: float = field(default=0.0, metadata=spec(unit="USD per reviewed example"))


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderDiscount(Entry):
    """Price multipliers of a provider's service tiers (id = provider, e.g. ``openai``)."""

    batch_multiplier: float = field(metadata=spec(max=10.0, unit="x standard price (Batch API)"))
    flex_multiplier: float | None = field(default=None, metadata=spec(max=10.0, unit="x standard price"))
    priority_multiplier: float | None = field(default=None, metadata=spec(max=10.0, unit="x standard price"))
    batch_completion_window_hours: float | None = field(
        default=None, metadata=spec(exclusive_min=True, unit="hours within which the batch API answers")
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class LatencyProfile(Entry):
    """Measured latency of a hosted API model (id = provider/model, or a class default)."""

    ttft_ms: float = field(metadata=spec(unit="ms to first token at reference_input_tokens"))
    output_tokens_per_s: float = field(metadata=spec(exclusive_min=True, unit="output tokens per second"))
    reference_input_tokens: int = field(default=1000, metadata=spec(min=1, unit="tokens"))
    prefill_tokens_per_s: float = field(
        default=20000.0, metadata=spec(exclusive_min=True, unit="extra input tokens per second of TTFT")
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Reranker(Entry):
    """A hosted reranker: price per 1,000 searches and latency per search."""

    usd_per_1k_searches: float = field(metadata=spec(unit="USD per 1,000 searches"))
    latency_ms: float = field(metadata=spec(unit="ms per search"))


@dataclass(frozen=True, slots=True, kw_only=True)
class StageLatency(Entry):
    """Latency of a pipeline stage that has no per-model profile (query embedding, ANN search)."""

    latency_ms: float = field(metadata=spec(unit="ms"))
