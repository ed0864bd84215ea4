"""Catalogs in ``pricing/*.yaml``: entry types, the strict loader and id lookups with suggestions.

Each YAML file is a mapping ``{kind: [entry, ...]}`` (a file may hold several kinds; a custom
catalog uploaded by a user has the same shape). Every entry has an ``id``, a ``source_url``, an
``as_of`` date (never in the future) and optionally a ``confidence`` flag and ``notes``. Unknown
keys, duplicate ids, wrong types, negatives, NaN/inf and future dates are all reported at once as
``file:line: kind[i].field: message``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import yamlio
from .errors import InputError, Problem
from .schema import Collector, build, describe, line_of, spec, suggest

Confidence = Literal["high", "medium", "low", "unverified", "assumption"]

ID_PATTERN = r"[a-z0-9][a-z0-9._/+-]*"

PRICING_DIR = Path(
    os.environ.get("BREAKEVEN_PRICING_DIR", Path(__file__).resolve().parent.parent / "pricing")
)
"""Directory of the built-in catalogs (``BREAKEVEN_PRICING_DIR`` overrides it)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """Fields every catalog entry carries."""

    id: str = field(metadata=spec(pattern=ID_PATTERN, help="unique id, lower case"))
    source_url: str = field(metadata=spec(pattern=r"https?://\S+", help="where the figure comes from"))
    as_of: dt.date = field(metadata=spec(not_future=True, help="date the figure was checked"))
    confidence: Confidence = "medium"
    notes: str | None = None


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


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderDiscount(Entry):
    """Price multipliers of a provider's service tiers (id = provider, e.g. ``openai``)."""

    batch_multiplier: float = field(metadata=spec(max=10.0, unit="x standard price (Batch API)"))
    flex_multiplier: float | None = field(default=None, metadata=spec(max=10.0, unit="x standard price"))
    priority_multiplier: float | None = field(default=None, metadata=spec(max=10.0, unit="x standard price"))


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


CATALOG_KINDS: dict[str, type[Entry]] = {
    "models": ModelPriceEntry,
    "finetune_offers": FinetuneOffer,
    "embedding_models": EmbeddingModel,
    "vector_databases": VectorDatabase,
    "labeling_rates": LabelingRate,
    "discounts": ProviderDiscount,
    "latency_profiles": LatencyProfile,
    "rerankers": Reranker,
    "stage_latencies": StageLatency,
}
"""Every catalog kind and its entry type. Other modules add their kinds here (GPU specs, offers...)."""


@dataclass(frozen=True, slots=True)
class Catalogs:
    """All catalog entries by kind and id, with where each came from (``file:line``)."""

    entries: Mapping[str, Mapping[str, Any]]
    origins: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def all(self, kind: str) -> list[Any]:
        """Every entry of a kind, in file order."""
        return list(self.entries.get(kind, {}).values())

    def find(self, kind: str, entry_id: str) -> Any | None:
        """The entry or None."""
        return self.entries.get(kind, {}).get(entry_id)

    def get(self, kind: str, entry_id: str, *, file: str, field: str, line: int | None = None) -> Any:
        """The entry, or an InputError naming ``field`` with close-match suggestions."""
        found = self.find(kind, entry_id)
        if found is None:
            known = list(self.entries.get(kind, {}))
            hint = suggest(entry_id, known) or (
                f" (known: {', '.join(known[:8])}{', ...' if len(known) > 8 else ''})" if known else ""
            )
            raise InputError.single(file, field, f"unknown {kind} id {entry_id!r}{hint}", line)
        return found

    def merged(self, override: Catalogs) -> Catalogs:
        """A new Catalogs where ``override``'s entries replace or add to these (for custom catalogs)."""
        entries = {kind: dict(items) for kind, items in self.entries.items()}
        for kind, items in override.entries.items():
            entries.setdefault(kind, {}).update(items)
        return Catalogs(entries, {**self.origins, **override.origins})


def parse_catalog(data: bytes | str, *, source: str) -> Catalogs:
    """Validate one catalog document; raise InputError listing every problem in it."""
    doc = yamlio.load_yaml(data, source=source)
    col = Collector(source)
    entries: dict[str, dict[str, Any]] = {}
    origins: dict[tuple[str, str], str] = {}
    if not isinstance(doc, Mapping):
        col.add(line_of(doc), "<file>", f"expected a mapping of catalog kinds, got {describe(doc)}")
        col.raise_if_any()
    for kind, items in doc.items():
        if kind == "description":
            continue
        cls = CATALOG_KINDS.get(kind)
        if cls is None:
            col.add(line_of(doc, kind), kind, "unknown catalog kind" + suggest(kind, CATALOG_KINDS))
            continue
        if not isinstance(items, list):
            col.add(line_of(doc, kind), kind, f"expected a list of entries, got {describe(items)}")
            continue
        bucket = entries.setdefault(kind, {})
        first_line: dict[str, int | None] = {}
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):  # a scalar item has no line of its own: use the list's
                col.add(
                    line_of(items, i), f"{kind}[{i}]", f"expected a mapping of fields, got {describe(item)}"
                )
                continue
            entry = build(cls, item, path=f"{kind}[{i}]", col=col)
            if entry is None:
                continue
            line = line_of(items, i)
            if entry.id in bucket:
                col.add(
                    line,
                    f"{kind}[{i}].id",
                    f"duplicate id {entry.id!r} (first at line {first_line[entry.id]})",
                )
                continue
            bucket[entry.id] = entry
            first_line[entry.id] = line
            origins[(kind, entry.id)] = f"{source}:{line}"
    col.raise_if_any()
    return Catalogs(entries, origins)


def load_catalog_files(paths: Iterable[Path]) -> Catalogs:
    """Load several catalog files; problems from all files are reported together."""
    problems: list[Problem] = []
    result = Catalogs({}, {})
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(file=str(path), line=None, field="<file>", message=f"cannot read: {exc}"))
            continue
        try:
            part = parse_catalog(data, source=_display_path(path))
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        for kind, items in part.entries.items():
            for entry_id in items:
                if entry_id in result.entries.get(kind, {}):
                    problems.append(
                        Problem(
                            file=_display_path(path),
                            line=None,
                            field=f"{kind}.{entry_id}",
                            message=f"duplicate id, already defined at {result.origins[(kind, entry_id)]}",
                        )
                    )
        result = result.merged(part)
    if problems:
        raise InputError(problems)
    return result


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PRICING_DIR.parent))
    except ValueError:
        return str(path)


@functools.lru_cache(maxsize=4)
def _load_dir(directory: str) -> Catalogs:
    return load_catalog_files(sorted(Path(directory).glob("*.yaml")))


def default_catalogs() -> Catalogs:
    """The built-in catalogs in :data:`PRICING_DIR` (loaded once per process)."""
    return _load_dir(str(PRICING_DIR))


def entry_fields(kind: str) -> list[dataclasses.Field[Any]]:
    """Fields of a catalog kind's entry type (for docs and the Prices page)."""
    return list(dataclasses.fields(CATALOG_KINDS[kind]))


from .catalog_hardware import GpuOffer, GpuSpec, OpenModel  # noqa: E402  (registered after Entry exists)

CATALOG_KINDS.update({"gpus": GpuSpec, "gpu_offers": GpuOffer, "open_models": OpenModel})

from .catalog_tokens import TokenizerRule  # noqa: E402  (registered after Entry exists)

CATALOG_KINDS["tokenizer_models"] = TokenizerRule
