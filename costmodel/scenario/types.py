"""Scenario files (SCENARIO.md, version 1): typed model, strict loading with defaults, and dumping.

Keys are a public contract: add optional keys freely, rename none. Unknown keys are errors with
file, line and a close-match suggestion. Every default is listed by :func:`defaults_table` with its
unit and where it comes from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from costmodel.catalog.hardware import GpuOffer, OpenModel
from costmodel.core.schema import (
    spec,
)
from costmodel.scenario.distributions import Distribution
from costmodel.scenario.inline_types import (
    InlineEmbedding as InlineEmbedding,
)
from costmodel.scenario.inline_types import (
    InlineLabeling as InlineLabeling,
)
from costmodel.scenario.inline_types import (
    InlineModel as InlineModel,
)
from costmodel.scenario.inline_types import (
    InlineOffer as InlineOffer,
)
from costmodel.scenario.inline_types import (
    InlineReranker as InlineReranker,
)
from costmodel.scenario.inline_types import (
    InlineVectorDb as InlineVectorDb,
)
from costmodel.scenario.inline_types import (
    Ref as Ref,
)

SCHEMA_VERSION = 1
MAX_HORIZON_MONTHS = 600
MAX_STRATEGIES = 20
"""Most strategies in one scenario: every pair gets a breakeven search, so work grows with the square
(20 strategies run in about 0.3 s; a 2 MB file of 30,000 would tie up a server for hours)."""
MAX_SCENARIO_BYTES = 256_000
"""Largest scenario document (bytes): a big hand-written one is ~15 KB. Parsing YAML in Python costs
about 7 s of CPU per MB, time every other session of a shared app server waits for."""
STRATEGY_ID_PATTERN = r"[a-z0-9][a-z0-9-]*"
DEFAULT_MIGRATION_HOURS = 40.0
"""Assumption: engineer hours to move a strategy to a replacement model (re-run the evaluation set,
adjust prompts, redeploy): one engineer-week. No published measure; set ``migration_hours``."""
MAX_PRICE_CHANGE_FRACTION_PER_YEAR = 1.0


# ---------------------------------------------------------------------------------------------
# Scenario blocks
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Workload:
    """Traffic: month-1 volume, growth and the shape of one request."""

    requests_per_month: float = field(metadata=spec(unit="requests in month 1"))
    growth_fraction_per_month: float = field(
        default=0.0, metadata=spec(min=-0.99, max=1.0, unit="fraction per month, compound")
    )
    input_tokens_per_request: float = field(metadata=spec(unit="tokens (user content, mean)"))
    output_tokens_per_request: float = field(metadata=spec(unit="tokens generated (mean)"))
    peak_to_mean_ratio: float = field(
        default=3.0, metadata=spec(min=1.0, max=100.0, unit="peak-hour / average load", help="assumption")
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Value:
    """The benefit side: what a correct answer is worth and what a wrong one costs."""

    usd_per_correct_answer: float = field(default=0.0, metadata=spec(unit="USD"))
    usd_per_wrong_answer: float = field(default=0.0, metadata=spec(unit="USD"))


@dataclass(frozen=True, slots=True, kw_only=True)
class People:
    """People costs."""

    engineer_usd_per_hour: float = field(
        default=100.0, metadata=spec(unit="USD per hour, loaded", help="assumption: set your own rate")
    )


Level = Literal["low", "medium", "high"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Needs:
    """The advisor's questionnaire; every answer is optional (None = not answered)."""

    knowledge_change: Literal["static", "yearly", "monthly", "weekly", "daily", "realtime"] | None = None
    needs_citations: bool | None = None
    labeled_examples_available: int | None = field(default=None, metadata=spec(unit="examples"))
    output_format_strictness: Level | None = None
    style_consistency: Level | None = None
    domain_jargon: Level | None = None
    latency_budget_ms: float | None = field(default=None, metadata=spec(exclusive_min=True, unit="ms"))
    stage: Literal["prototype", "pilot", "production"] | None = None
    data_must_stay_on_premises: bool | None = None
    task_type: Literal["classification", "extraction", "generation", "qa", "chat", "code", "other"] | None = (
        None
    )
    budget_usd_per_month: float | None = field(
        default=None,
        metadata=spec(
            unit="USD per month",
            help="most the team can spend; compared with each strategy's average monthly cost incl. one-off costs",
        ),
    )
    ml_team_experience: Level | None = None


# ---------------------------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------------------------

_FRACTION = spec(max=1.0, unit="fraction 0-1")


@dataclass(frozen=True, kw_only=True)
class StrategyBase:
    """Fields every strategy has."""

    id: str = field(metadata=spec(pattern=STRATEGY_ID_PATTERN, help="unique, [a-z0-9-]"))
    kind: str
    accuracy_fraction: float | None = field(default=None, metadata=_FRACTION)
    setup_hours: float = field(default=0.0, metadata=spec(unit="engineer hours, one-off"))
    maintenance_hours_per_month: float = field(default=0.0, metadata=spec(unit="engineer hours per month"))
    output_tokens_per_request: float | None = field(
        default=None, metadata=spec(unit="tokens; overrides workload.output_tokens_per_request")
    )


@dataclass(frozen=True, kw_only=True)
class ApiCallFields:
    """Fields of strategies that call a hosted API per request."""

    system_prompt_tokens: float = field(default=0.0, metadata=spec(unit="tokens"))
    cache_hit_fraction: float = field(default=0.0, metadata=_FRACTION)
    batch_fraction: float = field(default=0.0, metadata=_FRACTION)
    service_tier: Literal["default", "standard", "flex", "priority"] = field(
        default="default",
        metadata=spec(
            help="default | flex | priority, priced from genai-prices' variants (standard = default)"
        ),
    )
    reasoning_tokens_per_request: float | None = field(
        default=None,
        metadata=spec(
            unit="tokens per request, billed as output",
            help="not set: the catalog's typical count for a model that reasons by default, else 0",
        ),
    )
    on_model_retirement: Literal["migrate", "stop"] = field(
        default="migrate",
        metadata=spec(help="migrate to the replacement when the model or offer shuts down, or stop"),
    )
    migrate_to: Ref | InlineModel | InlineOffer | None = field(
        default=None,
        metadata=spec(help="model or offer id (or inline entry) that overrides the catalog's replacement"),
    )
    migration_hours: float = field(
        default=DEFAULT_MIGRATION_HOURS,
        metadata=spec(
            unit="engineer hours per migration",
            help="assumption: one engineer-week to re-run evals, adjust prompts and redeploy",
        ),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PromptingStrategy(ApiCallFields, StrategyBase):
    """Prompt a hosted model with a system prompt and few-shot examples."""

    model: Ref | InlineModel
    n_shots: int = field(default=0, metadata=spec(unit="examples in the prompt"))
    tokens_per_shot: float = field(default=0.0, metadata=spec(unit="tokens"))


@dataclass(frozen=True, slots=True, kw_only=True)
class RagStrategy(ApiCallFields, StrategyBase):
    """Retrieve chunks from a vector index and add them to the prompt of a hosted model."""

    model: Ref | InlineModel
    n_shots: int = field(default=0, metadata=spec(unit="examples in the prompt"))
    tokens_per_shot: float = field(default=0.0, metadata=spec(unit="tokens"))
    embedding_model: Ref | InlineEmbedding
    corpus_tokens: float = field(metadata=spec(unit="tokens in the corpus"))
    corpus_churn_fraction_per_month: float = field(default=0.0, metadata=_FRACTION)
    chunks_per_request: int = field(default=5, metadata=spec(unit="chunks retrieved per request"))
    tokens_per_chunk: float = field(default=350.0, metadata=spec(exclusive_min=True, unit="tokens"))
    chunk_overlap_tokens: float = field(default=0.0, metadata=spec(unit="tokens shared by adjacent chunks"))
    embedding_dimensions: int | None = field(default=None, metadata=spec(min=1, unit="floats per vector"))
    vector_db: Ref | InlineVectorDb
    reranker: Ref | InlineReranker | None = None


@dataclass(frozen=True, kw_only=True)
class TrainingFields:
    """Fields of strategies that fine-tune on labelled examples."""

    n_training_examples: int = field(metadata=spec(unit="examples"))
    tokens_per_example: float = field(metadata=spec(exclusive_min=True, unit="tokens per example"))
    n_epochs: float = field(default=3.0, metadata=spec(exclusive_min=True, max=100.0, unit="epochs"))
    labeling: Ref | InlineLabeling | None = None
    retrain_every_months: int = field(default=0, metadata=spec(unit="months; 0 = never"))
    n_new_examples_per_retrain: int = field(default=0, metadata=spec(unit="examples"))


@dataclass(frozen=True, slots=True, kw_only=True)
class FinetuneHostedStrategy(ApiCallFields, TrainingFields, StrategyBase):
    """Fine-tune a hosted model through a provider's API and call the tuned model."""

    offer: Ref | InlineOffer


@dataclass(frozen=True, slots=True, kw_only=True)
class FinetuneSelfhostedStrategy(TrainingFields, StrategyBase):
    """Fine-tune an open model on rented GPUs and serve it yourself."""

    base_model: Ref | OpenModel
    method: Literal["full", "lora", "qlora"] = "lora"
    train_gpu_offer: Ref | GpuOffer
    serve_gpu_offer: Ref | GpuOffer
    serving: Literal["dedicated", "serverless"] = "dedicated"
    system_prompt_tokens: float = field(default=0.0, metadata=spec(unit="tokens"))
    precision: Literal["bf16", "fp8", "int8", "int4"] = field(
        default="bf16",
        metadata=spec(help="serving weight precision (fp8 needs Hopper/Ada or newer for speed)"),
    )
    min_replicas: int = field(
        default=1, metadata=spec(min=1, unit="dedicated replicas always on (availability floor)")
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class RagFinetunedStrategy(ApiCallFields, TrainingFields, StrategyBase):
    """Retrieval on top of a fine-tuned model: a hosted ``offer`` or a self-hosted ``base_model``."""

    n_shots: int = field(default=0, metadata=spec(unit="examples in the prompt"))
    tokens_per_shot: float = field(default=0.0, metadata=spec(unit="tokens"))
    embedding_model: Ref | InlineEmbedding
    corpus_tokens: float = field(metadata=spec(unit="tokens in the corpus"))
    corpus_churn_fraction_per_month: float = field(default=0.0, metadata=_FRACTION)
    chunks_per_request: int = field(default=5, metadata=spec(unit="chunks retrieved per request"))
    tokens_per_chunk: float = field(default=350.0, metadata=spec(exclusive_min=True, unit="tokens"))
    chunk_overlap_tokens: float = field(default=0.0, metadata=spec(unit="tokens shared by adjacent chunks"))
    embedding_dimensions: int | None = field(default=None, metadata=spec(min=1, unit="floats per vector"))
    vector_db: Ref | InlineVectorDb
    reranker: Ref | InlineReranker | None = None
    offer: Ref | InlineOffer | None = field(default=None, metadata=spec(help="hosted: the fine-tuning offer"))
    base_model: Ref | OpenModel | None = field(
        default=None, metadata=spec(help="self-hosted: the open model")
    )
    method: Literal["full", "lora", "qlora"] = "lora"
    train_gpu_offer: Ref | GpuOffer | None = None
    serve_gpu_offer: Ref | GpuOffer | None = None
    serving: Literal["dedicated", "serverless"] = "dedicated"
    precision: Literal["bf16", "fp8", "int8", "int4"] = "bf16"
    min_replicas: int = field(default=1, metadata=spec(min=1, unit="dedicated replicas always on"))


@dataclass(frozen=True, slots=True, kw_only=True)
class CascadeRouter:
    """The classifier or judge that decides whether a tier's answer is kept (per request)."""

    usd_per_request: float = field(default=0.0, metadata=spec(unit="USD per request"))
    latency_ms: float = field(default=0.0, metadata=spec(unit="ms per request"))


@dataclass(frozen=True, slots=True, kw_only=True)
class CascadeTier:
    """One tier of a cascade: another strategy of the scenario and the share it passes on."""

    strategy: str = field(metadata=spec(pattern=STRATEGY_ID_PATTERN, help="id of another strategy"))
    escalate_fraction: float | None = field(
        default=None,
        metadata=spec(max=1.0, unit="fraction 0-1 of the requests this tier sees that go to the next tier"),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CascadeStrategy(StrategyBase):
    """Requests go to tiers in order; each tier answers or escalates (the last answers everything left)."""

    tiers: tuple[CascadeTier, ...]
    router: CascadeRouter | None = None


Strategy = (
    PromptingStrategy
    | RagStrategy
    | FinetuneHostedStrategy
    | FinetuneSelfhostedStrategy
    | RagFinetunedStrategy
    | CascadeStrategy
)

STRATEGY_KINDS: dict[str, type[Any]] = {
    "prompting": PromptingStrategy,
    "rag": RagStrategy,
    "finetune_hosted": FinetuneHostedStrategy,
    "finetune_selfhosted": FinetuneSelfhostedStrategy,
    "rag_finetuned": RagFinetunedStrategy,
    "cascade": CascadeStrategy,
}

INLINE_TYPES: dict[str, type[Any]] = {
    "model": InlineModel,
    "embedding_model": InlineEmbedding,
    "offer": InlineOffer,
    "labeling": InlineLabeling,
    "vector_db": InlineVectorDb,
    "reranker": InlineReranker,
    "migrate_to": InlineModel,
}
"""Reference fields that accept an inline mapping, and its type (``migrate_to`` of a hosted fine-tuning
strategy takes an inline offer instead)."""

INLINE_CATALOG_TYPES: dict[str, type[Any]] = {
    "base_model": OpenModel,
    "train_gpu_offer": GpuOffer,
    "serve_gpu_offer": GpuOffer,
}
"""Reference fields whose inline mapping has the catalog entry's own fields (e.g. an open model's
architecture, or a GPU offer naming a ``gpus`` id and its price)."""

INLINE_SOURCE_URL = "https://inline.invalid/scenario"
"""``source_url`` recorded for catalog entries given inline in a scenario (they have no other source)."""

_INLINE_ENTRY_DEFAULTS: dict[str, str] = {"name": "inline", "provider": "inline", "instance": "inline"}
_ENTRY_FIELDS = ("id", "source_url", "as_of", "confidence", "notes")

REF_FIELDS = (*INLINE_TYPES, *INLINE_CATALOG_TYPES)


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A whole scenario file. ``source`` and ``lines`` locate fields for error messages."""

    schema_version: int = 1
    name: str = "Untitled scenario"
    horizon_months: int = field(default=24, metadata=spec(min=1, max=MAX_HORIZON_MONTHS, unit="months"))
    discount_rate_annual_fraction: float = field(
        default=0.0, metadata=spec(max=1.0, unit="fraction per year")
    )
    start_date: dt.date | None = field(
        default=None,
        metadata=spec(help="month 1 is the calendar month containing it; not set: the current month (UTC)"),
    )
    price_change_fraction_per_year: float = field(
        default=0.0,
        metadata=spec(
            min=-0.99,
            max=MAX_PRICE_CHANGE_FRACTION_PER_YEAR,
            unit="fraction per year, compound (-0.3 = 30% cheaper a year)",
            help=(
                "API token prices change month by month from month 1. Epoch AI (2025-03-12, "
                "epoch.ai/data-insights/llm-inference-price-trends) measured the price of a fixed "
                "capability falling 9x-900x a year (a16z 2024-11: about 10x), mostly by moving to newer "
                "models; one model's own list price rarely moves, so 0 is the default"
            ),
        ),
    )
    workload: Workload
    value: Value | None = None
    people: People = field(default_factory=People)
    needs: Needs | None = None
    strategies: tuple[Strategy, ...]
    source: str = field(default="<scenario>", compare=False, repr=False)
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    uncertain: tuple[tuple[str, Distribution], ...] = field(default=(), repr=False)
    """Distributions written in place of numbers, by field path (the fields hold their central values)."""

    def line(self, path: str) -> int | None:
        """Line of a dotted field path such as ``strategies[1].model`` (None when unknown)."""
        return self.lines.get(path)

    def strategy(self, strategy_id: str) -> Strategy:
        """The strategy with this id (KeyError if absent)."""
        for s in self.strategies:
            if s.id == strategy_id:
                return s
        raise KeyError(strategy_id)
