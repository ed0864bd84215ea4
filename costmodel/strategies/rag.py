"""The ``rag`` strategy: embed a corpus, retrieve chunks per request, generate with a hosted model."""

from __future__ import annotations

import datetime as dt

import numpy as np

from costmodel.catalog.prices import embedding_price
from costmodel.catalog.services import EmbeddingModel, Reranker, VectorDatabase
from costmodel.core.units import (
    BYTES_PER_GB,
    BYTES_PER_KB,
    SEARCHES_PER_KSEARCH,
    UNITS_PER_MUNIT,
)
from costmodel.formulas import costs as f
from costmodel.formulas.latency import rag_stage_latencies
from costmodel.scenario.types import (
    InlineEmbedding,
    InlineReranker,
    InlineVectorDb,
    RagStrategy,
)
from costmodel.strategies.common import (
    Array,
    Context,
    NonLinear,
    PreparedStrategy,
    effective_output_tokens,
    field_path,
    people_costs,
    zeros_per_month,
)
from costmodel.strategies.hosted_api import api_latency, api_pricing, reasoning_tokens, request_cost_usd

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


def _vector_db(s: RagStrategy, ctx: Context) -> VectorDatabase | InlineVectorDb:
    if isinstance(s.vector_db, InlineVectorDb):
        return s.vector_db
    p, ln = field_path(ctx, s, "vector_db")
    found: VectorDatabase = ctx.catalogs.get(
        "vector_databases", s.vector_db, file=ctx.scenario.source, field=p, line=ln
    )
    return found


def _embedding(s: RagStrategy, ctx: Context) -> tuple[float, int | None, dt.date | None]:
    if isinstance(s.embedding_model, InlineEmbedding):
        return s.embedding_model.input_usd_per_mtok, s.embedding_model.dimensions, None
    p, ln = field_path(ctx, s, "embedding_model")
    price, as_of, _ = embedding_price(
        s.embedding_model, catalogs=ctx.catalogs, file=ctx.scenario.source, field=p, line=ln
    )
    entry = ctx.catalogs.find("embedding_models", s.embedding_model)
    dims = entry.dimensions if isinstance(entry, EmbeddingModel) else None
    return price, dims or KNOWN_EMBEDDING_DIMENSIONS.get(s.embedding_model), as_of


def _reranker(s: RagStrategy, ctx: Context) -> Reranker | InlineReranker | None:
    if s.reranker is None or isinstance(s.reranker, InlineReranker):
        return s.reranker
    p, ln = field_path(ctx, s, "reranker")
    found: Reranker = ctx.catalogs.get("rerankers", s.reranker, file=ctx.scenario.source, field=p, line=ln)
    return found


def prepare_rag(s: RagStrategy, ctx: Context) -> PreparedStrategy:
    """RAG: indexing (one-off and churn), vector DB, query embedding, rerank and the longer prompt."""
    w = ctx.scenario.workload
    notes: list[str] = []
    static = s.system_prompt_tokens + s.n_shots * s.tokens_per_shot
    retrieved = s.chunks_per_request * s.tokens_per_chunk
    dynamic = w.input_tokens_per_request + retrieved
    reasoning, reasoning_notes = reasoning_tokens(s, ctx)
    out_tokens = effective_output_tokens(s, ctx) + reasoning
    pr = api_pricing(s, ctx, static + dynamic, static_prefix_tokens=static)
    llm = request_cost_usd(
        pr, static=static, dynamic=dynamic, output=out_tokens, cache_hit=s.cache_hit_fraction
    )
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
    infra_fixed = zeros_per_month(ctx) + reembed_monthly
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
    setup, maintenance = people_costs(s, ctx)
    stages = rag_stage_latencies(
        ctx.catalogs,
        search_latency_ms=(db.query_latency_ms if db.query_latency_ms else None),
        rerank_latency_ms=rr.latency_ms if rr is not None else 0.0,
    )
    latency = api_latency(
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
        notes=pr.notes + reasoning_notes + tuple(notes) + latency.notes,
        details={
            "input_tokens_per_request": static + dynamic,
            "output_tokens_per_request": out_tokens,
            "reasoning_tokens_per_request": reasoning,
            "n_chunks": chunks,
            "vector_storage_gb": storage_gb,
            "indexing_usd": index_once,
        },
    )
