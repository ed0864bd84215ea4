"""Catalogs of prices, hardware and tokenizers (YAML shipped inside this package), and the genai-prices adapter.

Entry types live in ``entry``, ``services``, ``hardware`` and ``tokenizer_rules``; ``loader`` is the registry of
kinds and the strict loader; ``prices`` prices one API request from genai-prices."""

from __future__ import annotations

from costmodel.catalog.entry import Catalogs, Entry
from costmodel.catalog.hardware import GpuOffer, GpuSpec, OpenModel
from costmodel.catalog.loader import (
    CATALOG_KINDS,
    PRICING_DIR,
    default_catalogs,
    load_catalog_files,
    parse_catalog,
)
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
from costmodel.catalog.tokenizer_rules import TokenizerRule, resolve_tokenizer

__all__ = [
    "CATALOG_KINDS",
    "PRICING_DIR",
    "Catalogs",
    "EmbeddingModel",
    "Entry",
    "FinetuneOffer",
    "GpuOffer",
    "GpuSpec",
    "LabelingRate",
    "LatencyProfile",
    "ModelPriceEntry",
    "OpenModel",
    "ProviderDiscount",
    "Reranker",
    "StageLatency",
    "TokenizerRule",
    "VectorDatabase",
    "default_catalogs",
    "load_catalog_files",
    "parse_catalog",
    "resolve_tokenizer",
]
