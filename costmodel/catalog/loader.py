"""Catalogs in ``costmodel/catalog/data/*.yaml``: entry types, the strict loader and id lookups with suggestions.

Each YAML file is a mapping ``{kind: [entry, ...]}`` (a file may hold several kinds; a custom
catalog uploaded by a user has the same shape). Every entry has an ``id``, a ``source_url``, an
``as_of`` date (never in the future) and optionally a ``confidence`` flag and ``notes``. Unknown
keys, duplicate ids, wrong types, negatives, NaN/inf and future dates are all reported at once as
``file:line: kind[i].field: message``.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from costmodel.catalog.entry import Catalogs, Entry
from costmodel.catalog.hardware import GpuOffer, GpuSpec, OpenModel
from costmodel.catalog.lifecycle import LifecycleEntry, PromptCaching, ReasoningProfile
from costmodel.catalog.services import (
    EmbeddingModel,
    FinetuneOffer,
    LabelingRate,
    LatencyProfile,
    ModelPriceEntry,
    ProviderDiscount,
    Reranker,
    StageLatency,
    VectorDatabase,
)
from costmodel.catalog.tokenizer_rules import TokenizerRule
from costmodel.core import yamlio
from costmodel.core.errors import InputError, Problem
from costmodel.core.files import read_regular
from costmodel.core.schema import Collector, build, describe, line_of, suggest

PRICING_DIR = Path(os.environ.get("BREAKEVEN_PRICING_DIR", Path(__file__).resolve().parent / "data"))
"""Directory of the built-in catalogs, shipped inside the package (``BREAKEVEN_PRICING_DIR`` overrides it)."""

_PACKAGE_PARENT = Path(__file__).resolve().parents[2]
"""The directory holding ``costmodel/``: built-in catalog files are named relative to it in messages."""


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
    "gpus": GpuSpec,
    "gpu_offers": GpuOffer,
    "open_models": OpenModel,
    "tokenizer_models": TokenizerRule,
    "lifecycle": LifecycleEntry,
    "prompt_caching": PromptCaching,
    "reasoning": ReasoningProfile,
}
"""Every catalog kind and its entry type."""


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
            data = read_regular(path, max_bytes=yamlio.MAX_YAML_BYTES)
        except InputError as exc:
            problems.extend(exc.problems)
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
        return str(path.resolve().relative_to(_PACKAGE_PARENT))
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
