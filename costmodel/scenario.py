"""Scenario files (SCENARIO.md, version 1): typed model, strict loading with defaults, and dumping.

Keys are a public contract: add optional keys freely, rename none. Unknown keys are errors with
file, line and a close-match suggestion. Every default is listed by :func:`defaults_table` with its
unit and where it comes from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import yamlio
from .catalog_hardware import GpuOffer, OpenModel
from .distributions import Distribution
from .errors import InputError
from .schema import (
    Collector,
    build,
    check_value,
    describe,
    field_specs,
    line_of,
    spec,
    suggest,
    to_plain,
    today,
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
    """A labelling rate given inline."""

    usd_per_example: float = field(metadata=spec(unit="USD per example"))


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
    service_tier: Literal["standard", "flex", "priority"] = "standard"


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


Strategy = PromptingStrategy | RagStrategy | FinetuneHostedStrategy | FinetuneSelfhostedStrategy

STRATEGY_KINDS: dict[str, type[Any]] = {
    "prompting": PromptingStrategy,
    "rag": RagStrategy,
    "finetune_hosted": FinetuneHostedStrategy,
    "finetune_selfhosted": FinetuneSelfhostedStrategy,
}

INLINE_TYPES: dict[str, type[Any]] = {
    "model": InlineModel,
    "embedding_model": InlineEmbedding,
    "offer": InlineOffer,
    "labeling": InlineLabeling,
    "vector_db": InlineVectorDb,
    "reranker": InlineReranker,
}
"""Reference fields that accept an inline mapping, and its type."""

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


_TOP_KEYS = (
    "schema_version",
    "name",
    "horizon_months",
    "discount_rate_annual_fraction",
    "workload",
    "value",
    "people",
    "needs",
    "strategies",
)


def _record_lines(node: Any, path: str, lines: dict[str, int]) -> None:
    if isinstance(node, Mapping):
        for key, value in node.items():
            sub = f"{path}.{key}" if path else str(key)
            ln = line_of(node, key)
            if ln is not None:
                lines[sub] = ln
            _record_lines(value, sub, lines)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            sub = f"{path}[{i}]"
            ln = line_of(node, i)
            if ln is not None:
                lines[sub] = ln
            _record_lines(value, sub, lines)


def _build_strategy(node: Any, i: int, col: Collector) -> Strategy | None:
    path = f"strategies[{i}]"
    if not isinstance(node, Mapping):
        col.add(line_of(node), path, f"expected a mapping, got {describe(node)}")
        return None
    kind = node.get("kind")
    cls = STRATEGY_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        choices = ", ".join(STRATEGY_KINDS)
        hint = suggest(kind, STRATEGY_KINDS) if isinstance(kind, str) else ""
        col.add(
            line_of(node, "kind") or line_of(node),
            f"{path}.kind",
            f"expected one of {choices}, got {describe(kind)}{hint}",
        )
        return None
    specs = field_specs(cls)
    extra: dict[str, Any] = {}
    ok = True
    for name in REF_FIELDS:
        if name not in specs or name not in node:
            continue
        value = node[name]
        fpath, fline = f"{path}.{name}", line_of(node, name)
        if isinstance(value, Mapping) and name in INLINE_TYPES:
            inline = build(INLINE_TYPES[name], value, path=fpath, col=col)
            ok = ok and inline is not None
            extra[name] = inline
        elif isinstance(value, Mapping) and name in INLINE_CATALOG_TYPES:
            entry_cls = INLINE_CATALOG_TYPES[name]
            entry_specs = field_specs(entry_cls)
            defaults: dict[str, Any] = {
                "id": f"inline/{name}",
                "source_url": INLINE_SOURCE_URL,
                "as_of": today(),
            }
            defaults.update({k: v for k, v in _INLINE_ENTRY_DEFAULTS.items() if k in entry_specs})
            fixed = {
                k: v for k, v in defaults.items() if k not in value or k in ("id", "source_url", "as_of")
            }
            inline = build(entry_cls, value, path=fpath, col=col, extra=fixed)
            ok = ok and inline is not None
            extra[name] = inline
        elif isinstance(value, str) and value.strip():
            extra[name] = value.strip()
        elif value is None and specs[name][1].default is None:
            extra[name] = None
        else:
            want = "a catalog id or an inline mapping"
            col.add(fline, fpath, f"expected {want}, got {describe(value)}")
            ok = False
            extra[name] = None  # reported above; keeps build() from type-checking a reference field itself
    strategy = build(cls, node, path=path, col=col, extra=extra)
    if strategy is None or not ok:
        return None
    if (
        isinstance(strategy, FinetuneHostedStrategy | FinetuneSelfhostedStrategy)
        and strategy.n_training_examples < 1
    ):
        col.add(
            line_of(node, "n_training_examples"),
            f"{path}.n_training_examples",
            "expected at least 1 example",
        )
        return None
    if isinstance(strategy, RagStrategy) and strategy.chunk_overlap_tokens >= strategy.tokens_per_chunk:
        col.add(
            line_of(node, "chunk_overlap_tokens"),
            f"{path}.chunk_overlap_tokens",
            f"must be smaller than tokens_per_chunk ({strategy.tokens_per_chunk:g})",
        )
        return None
    return strategy  # type: ignore[no-any-return]


def parse_scenario(data: bytes | str, *, source: str = "<scenario>") -> Scenario:
    """Validate a scenario document, apply defaults, and return it; InputError lists every problem.

    >>> s = parse_scenario('''
    ... workload: {requests_per_month: 1000, input_tokens_per_request: 100, output_tokens_per_request: 50}
    ... strategies:
    ...   - {id: p, kind: prompting, model: openai/gpt-4.1-mini}
    ... ''')
    >>> s.horizon_months, s.strategies[0].model
    (24, 'openai/gpt-4.1-mini')
    """
    doc = yamlio.load_yaml(data, source=source, max_bytes=MAX_SCENARIO_BYTES)
    col = Collector(source)
    if not isinstance(doc, Mapping):
        col.add(line_of(doc), "<file>", f"expected a scenario mapping, got {describe(doc)}")
        col.raise_if_any()
    from .uncertain import extract_distributions  # imported here: costmodel.uncertain imports this module

    doc, uncertain = extract_distributions(doc, col)
    lines: dict[str, int] = {}
    _record_lines(doc, "", lines)
    for key in doc:
        if key not in _TOP_KEYS:
            col.add(line_of(doc, key), key, "unknown key" + suggest(key, _TOP_KEYS))
    top = field_specs(Scenario)
    values: dict[str, Any] = {}
    for key in ("schema_version", "name", "horizon_months", "discount_rate_annual_fraction"):
        if key in doc:
            tp, f = top[key]
            out = check_value(doc[key], tp, field=key, line=line_of(doc, key), col=col, meta=f.metadata)
            values[key] = out
    if values.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
        col.add(
            line_of(doc, "schema_version"), "schema_version", f"only version {SCHEMA_VERSION} is supported"
        )
    blocks: dict[str, type[Any]] = {"workload": Workload, "value": Value, "people": People, "needs": Needs}
    for key, cls in blocks.items():
        if key in doc:
            if doc[key] is None and key in ("value", "needs"):
                values[key] = None
                continue
            values[key] = build(cls, doc[key], path=key, col=col)
        elif key == "workload":
            col.add(line_of(doc), "workload", "required block is missing")
    raw = doc.get("strategies")
    strategies: list[Strategy | None] = []
    if not isinstance(raw, list) or not raw:
        col.add(line_of(doc, "strategies") or line_of(doc), "strategies", "at least one strategy is required")
    elif len(raw) > MAX_STRATEGIES:
        col.add(
            line_of(doc, "strategies"),
            "strategies",
            f"{len(raw):,} strategies; at most {MAX_STRATEGIES} can be compared in one scenario",
        )
    else:
        seen: dict[str, int] = {}
        for i, node in enumerate(raw):
            s = _build_strategy(node, i, col)
            strategies.append(s)
            if s is not None:
                if s.id in seen:
                    col.add(
                        line_of(raw, i),
                        f"strategies[{i}].id",
                        f"duplicate strategy id {s.id!r} (also strategies[{seen[s.id]}])",
                    )
                seen.setdefault(s.id, i)
    _check_cross_fields(values, strategies, doc, col)
    col.raise_if_any()
    values["strategies"] = tuple(s for s in strategies if s is not None)
    return Scenario(**values, source=source, lines=lines, uncertain=uncertain)


def _check_cross_fields(
    values: dict[str, Any], strategies: list[Strategy | None], doc: Any, col: Collector
) -> None:
    horizon = values.get("horizon_months", 24)
    if not isinstance(horizon, int):
        return
    has_value = values.get("value") is not None
    for i, s in enumerate(strategies):
        if s is None:
            continue
        node = doc["strategies"][i]
        if (
            isinstance(s, FinetuneHostedStrategy | FinetuneSelfhostedStrategy)
            and s.retrain_every_months > horizon
        ):
            col.add(
                line_of(node, "retrain_every_months"),
                f"strategies[{i}].retrain_every_months",
                f"must be <= horizon_months ({horizon}); use 0 for never",
            )
        if has_value and s.accuracy_fraction is None:
            col.add(
                line_of(node),
                f"strategies[{i}].accuracy_fraction",
                "required when the scenario has a value block (net value needs it)",
            )


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError.single(str(p), "<file>", f"cannot read: {exc.strerror or exc}") from None
    return parse_scenario(data, source=str(p))


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Plain data of a scenario with every default filled in, in SCENARIO.md key order."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(scenario):
        if f.name in ("source", "lines", "uncertain"):
            continue
        value = getattr(scenario, f.name)
        if value is None:
            continue
        out[f.name] = to_plain(value)
    out["strategies"] = [_ordered_strategy(s) for s in out["strategies"]]
    from .uncertain import insert_distributions  # imported here: costmodel.uncertain imports this module

    return insert_distributions(out, scenario)


def _ordered_strategy(plain: dict[str, Any]) -> dict[str, Any]:
    """id and kind first, then references, then the rest (as in SCENARIO.md)."""
    for name in INLINE_CATALOG_TYPES:
        entry = plain.get(name)
        if isinstance(entry, dict) and entry.get("source_url") == INLINE_SOURCE_URL:
            plain[name] = {k: v for k, v in entry.items() if k not in _ENTRY_FIELDS}
    first = [k for k in ("id", "kind", *REF_FIELDS) if k in plain]
    return {**{k: plain[k] for k in first}, **{k: v for k, v in plain.items() if k not in first}}


def dump_scenario(scenario: Scenario) -> str:
    """YAML text of a scenario (round-trips through :func:`parse_scenario`)."""
    return yamlio.dump_yaml(scenario_to_dict(scenario))


def replace_strategy(scenario: Scenario, strategy_id: str, **changes: Any) -> Scenario:
    """A copy of the scenario with one strategy's fields changed (validated by re-parsing)."""
    new = tuple(dataclasses.replace(s, **changes) if s.id == strategy_id else s for s in scenario.strategies)
    return revalidate(dataclasses.replace(scenario, strategies=new))


def revalidate(scenario: Scenario) -> Scenario:
    """Check a programmatically built scenario by dumping and re-parsing it (raises InputError)."""
    return parse_scenario(dump_scenario(scenario), source=scenario.source)


def defaults_table() -> list[dict[str, Any]]:
    """Every optional key with its default, unit and origin (for ``breakeven defaults``)."""
    rows: list[dict[str, Any]] = []

    def add(prefix: str, cls: type[Any]) -> None:
        for name, (_, f) in field_specs(cls).items():
            if name in ("source", "lines", "uncertain", "kind", "id"):
                continue
            if f.default is not dataclasses.MISSING:
                default: Any = f.default
            elif f.default_factory is not dataclasses.MISSING:
                continue
            else:
                default = "(required)"
            rows.append(
                {
                    "key": f"{prefix}{name}",
                    "default": to_plain(default),
                    "unit": f.metadata.get("unit", ""),
                    "note": f.metadata.get("help", ""),
                }
            )

    add("", Scenario)
    add("workload.", Workload)
    add("value.", Value)
    add("people.", People)
    add("needs.", Needs)
    for kind, cls in STRATEGY_KINDS.items():
        add(f"strategies[kind={kind}].", cls)
    return rows
