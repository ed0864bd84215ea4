"""The ``rag_finetuned`` strategy: retrieval on top of a fine-tuned model (hosted offer or self-hosted).

SCENARIO.md "Version 1 additions (composite strategies and budget)": the union of RAG and fine-tuning
costs. The strategy is split into two parts priced by the existing preparers:

- the **retrieval part** (a ``rag`` strategy whose model is free): corpus indexing and churn, vector
  database, query embedding and reranking;
- the **tuned-model part** (a ``finetune_hosted`` or ``finetune_selfhosted`` strategy): labelling,
  training and retrains, and the model call, whose input carries the retrieved chunks
  (``chunks_per_request x tokens_per_chunk`` on top of the user's input, billed at the tuned model's
  input price, or sizing the self-hosted replicas).

People costs (setup and maintenance hours) are counted once, in the tuned-model part. Latency is the
retrieval stages (query embedding, vector search, rerank) followed by the tuned model's call.
Lifecycle rules of both parts (embedding model and offer retirements) apply through
:mod:`costmodel.strategies.lifecycle`, which sees the ``offer`` and ``embedding_model`` fields.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from costmodel.formulas.latency import LatencyEstimate
from costmodel.scenario.types import (
    FinetuneHostedStrategy,
    FinetuneSelfhostedStrategy,
    InlineModel,
    RagFinetunedStrategy,
    RagStrategy,
    Strategy,
)
from costmodel.strategies.common import CATEGORIES, Array, Context, NonLinear, PreparedStrategy
from costmodel.strategies.finetune_hosted import prepare_finetune_hosted
from costmodel.strategies.finetune_selfhosted import prepare_finetune_selfhosted
from costmodel.strategies.rag import prepare_rag

__all__ = ["RETRIEVAL_STAGES", "hosted_tuned_in_place", "prepare_rag_finetuned", "tuned_part"]

RETRIEVAL_STAGES = ("query_embedding", "vector_search", "rerank")
"""Latency stages of the retrieval part that come before the tuned model's call."""

_FREE_MODEL = InlineModel(input_usd_per_mtok=0.0, output_usd_per_mtok=0.0)
"""The retrieval part's model: its tokens are priced in the tuned-model part instead."""

_TRAINING_FIELDS = (
    "n_training_examples",
    "tokens_per_example",
    "n_epochs",
    "labeling",
    "retrain_every_months",
    "n_new_examples_per_retrain",
)
_API_FIELDS = (
    "cache_hit_fraction",
    "batch_fraction",
    "service_tier",
    "reasoning_tokens_per_request",
    "on_model_retirement",
    "migrate_to",
    "migration_hours",
)
_RETRIEVAL_FIELDS = (
    "embedding_model",
    "corpus_tokens",
    "corpus_churn_fraction_per_month",
    "chunks_per_request",
    "tokens_per_chunk",
    "chunk_overlap_tokens",
    "embedding_dimensions",
    "vector_db",
    "reranker",
)


def _copy(s: RagFinetunedStrategy, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(s, n) for n in names}


def tuned_part(s: RagFinetunedStrategy) -> FinetuneHostedStrategy | FinetuneSelfhostedStrategy:
    """The fine-tuned model of ``s`` as a strategy of its own (static prompt = system prompt + shots)."""
    common: dict[str, Any] = {
        "id": s.id,
        "accuracy_fraction": s.accuracy_fraction,
        "setup_hours": s.setup_hours,
        "maintenance_hours_per_month": s.maintenance_hours_per_month,
        "output_tokens_per_request": s.output_tokens_per_request,
        "system_prompt_tokens": s.system_prompt_tokens + s.n_shots * s.tokens_per_shot,
        **_copy(s, _TRAINING_FIELDS),
    }
    if s.offer is not None:
        return FinetuneHostedStrategy(
            kind="finetune_hosted", offer=s.offer, **common, **_copy(s, _API_FIELDS)
        )
    if s.base_model is None or s.train_gpu_offer is None or s.serve_gpu_offer is None:
        raise TypeError(
            f"rag_finetuned {s.id}: neither offer nor a complete self-hosted set (loader checks this)"
        )
    return FinetuneSelfhostedStrategy(
        kind="finetune_selfhosted",
        base_model=s.base_model,
        method=s.method,
        train_gpu_offer=s.train_gpu_offer,
        serve_gpu_offer=s.serve_gpu_offer,
        serving=s.serving,
        precision=s.precision,
        min_replicas=s.min_replicas,
        **common,
    )


def retrieval_part(s: RagFinetunedStrategy) -> RagStrategy:
    """The retrieval of ``s`` as a ``rag`` strategy with a free model and no people costs."""
    return RagStrategy(
        id=s.id,
        kind="rag",
        model=_FREE_MODEL,
        reasoning_tokens_per_request=0.0,
        output_tokens_per_request=0.0,
        on_model_retirement=s.on_model_retirement,
        **_copy(s, _RETRIEVAL_FIELDS),
    )


def _in_place(ctx: Context, s: Strategy, part: Strategy, *, extra_input_tokens: Any = 0.0) -> Context:
    """``ctx`` with ``part`` in ``s``'s place (so errors name ``s``'s fields) and longer requests."""
    sc = ctx.scenario
    w = sc.workload
    workload = dataclasses.replace(
        w, input_tokens_per_request=w.input_tokens_per_request + extra_input_tokens
    )
    strategies = tuple(part if x is s else x for x in sc.strategies)
    return dataclasses.replace(
        ctx, scenario=dataclasses.replace(sc, workload=workload, strategies=strategies)
    )


def hosted_tuned_in_place(
    s: RagFinetunedStrategy, ctx: Context
) -> tuple[FinetuneHostedStrategy, Context] | None:
    """The hosted tuned-model part of ``s`` in ``s``'s place in the scenario (None when self-hosted)."""
    tuned = tuned_part(s)
    if not isinstance(tuned, FinetuneHostedStrategy):
        return None
    return tuned, _in_place(ctx, s, tuned, extra_input_tokens=s.chunks_per_request * s.tokens_per_chunk)


def _sum(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    return {cat: a.get(cat, 0.0) + b.get(cat, 0.0) for cat in CATEGORIES if cat in a or cat in b}


def _nonlinear(a: NonLinear | None, b: NonLinear | None) -> NonLinear | None:
    if a is None or b is None:
        return a if b is None else b

    def both(requests: Array) -> dict[str, Array]:
        return _sum(a(requests), b(requests))

    return both


def _with_retrieval(
    tuned: LatencyEstimate | None, retrieval: LatencyEstimate | None
) -> LatencyEstimate | None:
    """The tuned model's latency with the retrieval stages before it."""
    if tuned is None or retrieval is None:
        return tuned
    stages = {k: v for k, v in retrieval.stages_ms.items() if k in RETRIEVAL_STAGES}
    before = sum(stages.values())
    return dataclasses.replace(
        tuned,
        time_to_first_token_ms=tuned.time_to_first_token_ms + before,
        end_to_end_ms=tuned.end_to_end_ms + before,
        stages_ms={**stages, **tuned.stages_ms},
    )


def _variable(p: PreparedStrategy) -> Any:
    if p.variable_usd_per_request is not None:
        return p.variable_usd_per_request
    return sum(p.per_request_usd.values())


def prepare_rag_finetuned(s: Strategy, ctx: Context) -> PreparedStrategy:
    """RAG on a fine-tuned model: the retrieval part plus the tuned-model part (chunks in its input)."""
    if not isinstance(s, RagFinetunedStrategy):
        raise TypeError(f"not a rag_finetuned strategy: {s.kind}")
    rag = retrieval_part(s)
    r = prepare_rag(rag, _in_place(ctx, s, rag))
    tuned = tuned_part(s)
    chunks = s.chunks_per_request * s.tokens_per_chunk
    tuned_ctx = _in_place(ctx, s, tuned, extra_input_tokens=chunks)
    if isinstance(tuned, FinetuneHostedStrategy):
        t = prepare_finetune_hosted(tuned, tuned_ctx)
    else:
        t = prepare_finetune_selfhosted(tuned, tuned_ctx)
    dates = [d for d in (r.prices_as_of, t.prices_as_of) if d is not None]
    model_notes = r.latency.notes if r.latency is not None else ()
    r_details = {
        k: v
        for k, v in r.details.items()
        if k not in ("input_tokens_per_request", "output_tokens_per_request")
    }
    return PreparedStrategy(
        id=s.id,
        kind=s.kind,
        one_off_usd=_sum(r.one_off_usd, t.one_off_usd),
        fixed_monthly_usd=_sum(r.fixed_monthly_usd, t.fixed_monthly_usd),
        per_request_usd=_sum(r.per_request_usd, t.per_request_usd),
        nonlinear=_nonlinear(r.nonlinear, t.nonlinear),
        variable_usd_per_request=_variable(r) + _variable(t),
        latency=_with_retrieval(t.latency, r.latency),
        accuracy_fraction=s.accuracy_fraction,
        prices_as_of=min(dates) if dates else None,
        notes=tuple(dict.fromkeys((*t.notes, *(n for n in r.notes if n not in model_notes)))),
        details={**r_details, **t.details, "retrieved_tokens_per_request": chunks},
    )
