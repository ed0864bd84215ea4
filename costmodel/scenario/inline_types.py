"""Inline catalog references of a scenario (SCENARIO.md "Catalog references"): prices given in the file."""

from __future__ import annotations

from dataclasses import dataclass, field

from costmodel.core.schema import spec

__all__ = [
    "InlineEmbedding",
    "InlineLabeling",
    "InlineModel",
    "InlineOffer",
    "InlineReranker",
    "InlineVectorDb",
    "Ref",
]

# ---------------------------------------------------------------------------------------------
# Inline catalog references (SCENARIO.md "Catalog references")
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class InlineModel:
    """A privately priced LLM given inline instead of a catalog id."""

    input_usd_per_mtok: float = field(metadata=spec(unit="USD per 1M input tokens"))
    output_usd_per_mtok: float = field(metadata=spec(unit="USD per 1M output tokens"))
    cached_input_usd_per_mtok: float | None = field(default=None, metadata=spec(unit="USD per 1M tokens"))
    batch_multiplier: float | None = field(default=None, metadata=spec(max=10.0, unit="x price"))
    ttft_ms: float | None = field(default=None, metadata=spec(unit="ms"))
    output_tokens_per_s: float | None = field(
        default=None, metadata=spec(exclusive_min=True, unit="tokens/s")
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class InlineEmbedding:
    """An embedding model priced inline."""

    input_usd_per_mtok: float = field(metadata=spec(unit="USD per 1M tokens"))
    dimensions: int | None = field(default=None, metadata=spec(min=1, unit="floats per vector"))


@dataclass(frozen=True, slots=True, kw_only=True)
class InlineOffer:
    """A hosted fine-tuning offer priced inline (e.g. a negotiated rate)."""

    training_usd_per_mtok: float = field(metadata=spec(unit="USD per 1M training tokens"))
    input_usd_per_mtok: float = field(metadata=spec(unit="USD per 1M input tokens"))
    output_usd_per_mtok: float = field(metadata=spec(unit="USD per 1M output tokens"))
    cached_input_usd_per_mtok: float | None = field(default=None, metadata=spec(unit="USD per 1M tokens"))
    hosting_usd_per_hour: float = field(default=0.0, metadata=spec(unit="USD per hour"))
    base_model: str | None = None
    batch_multiplier: float | None = field(default=None, metadata=spec(max=10.0, unit="x price"))


@dataclass(frozen=True, slots=True, kw_only=True)
class InlineLabeling:
    """A labelling rate given inline: a flat rate, or synthetic (a teacher model's answers plus a reviewed share)."""

    usd_per_example: float | None = field(
        default=None, metadata=spec(unit="USD per example", help="flat rate; or give teacher_model")
    )
    teacher_model: Ref | None = field(
        default=None, metadata=spec(help="synthetic labels: the model (catalog id) that writes each example")
    )
    teacher_input_tokens: float = field(
        default=0.0, metadata=spec(unit="tokens sent to the teacher per example")
    )
    teacher_output_tokens: float = field(
        default=0.0, metadata=spec(unit="tokens the teacher writes per example")
    )
    review_fraction: float = field(
        default=0.0, metadata=spec(max=1.0, unit="fraction 0-1 of examples a person reviews")
    )
    review_usd_per_example: float = field(default=0.0, metadata=spec(unit="USD per reviewed example"))


@dataclass(frozen=True, slots=True, kw_only=True)
class InlineVectorDb:
    """A vector database given inline as a flat monthly cost."""

    usd_per_month: float = field(metadata=spec(unit="USD per month"))
    query_latency_ms: float | None = field(default=None, metadata=spec(unit="ms"))


@dataclass(frozen=True, slots=True, kw_only=True)
class InlineReranker:
    """A reranker given inline."""

    usd_per_1k_searches: float = field(metadata=spec(unit="USD per 1,000 searches"))
    latency_ms: float = field(default=0.0, metadata=spec(unit="ms"))


Ref = str
"""A catalog id (``provider/model``, offer id, ...)."""
