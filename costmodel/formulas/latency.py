"""Latency per strategy for hosted APIs: TTFT from a dated profile plus output at its tokens/s.

``end_to_end = stages + TTFT(prompt length) + output_tokens / output_tokens_per_s`` (docs/formulas.md
§3.5, Artificial Analysis methodology). RAG adds query embedding, vector search and rerank stages
before the (longer) prefill (§4.4). Models without a measured profile use a class default chosen by
output price, flagged as an assumption in the result's notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.services import LatencyProfile, StageLatency
from costmodel.core.errors import InputError
from costmodel.core.units import MS_PER_S
from costmodel.formulas.costs import hosted_ttft_ms

SMALL_MODEL_MAX_OUTPUT_USD_PER_MTOK = 2.0
"""Assumption: models priced below $2 per 1M output tokens behave like 'small/flash' models."""

MEDIUM_MODEL_MAX_OUTPUT_USD_PER_MTOK = 20.0
"""Assumption: models priced below $20 per 1M output tokens behave like 'medium' models; above, 'large'."""

QUERY_EMBEDDING_STAGE_ID = "query-embedding-api"
VECTOR_SEARCH_STAGE_ID = "vector-search-managed"


@dataclass(frozen=True, slots=True, kw_only=True)
class LatencyEstimate:
    """Latency of one request, in milliseconds, with the profile it came from."""

    time_to_first_token_ms: float
    end_to_end_ms: float
    stages_ms: Mapping[str, float]
    """Additive stages that make up end_to_end_ms (e.g. query_embedding, search, prefill, generation)."""
    profile_id: str
    assumption: bool
    notes: tuple[str, ...] = field(default=())


def default_profile_id(output_usd_per_mtok: float) -> str:
    """Class-default profile id for a model without a measured profile (see the thresholds above).

    >>> default_profile_id(1.6), default_profile_id(8.0), default_profile_id(60.0)
    ('default-small', 'default-medium', 'default-large')
    """
    if output_usd_per_mtok < SMALL_MODEL_MAX_OUTPUT_USD_PER_MTOK:
        return "default-small"
    if output_usd_per_mtok < MEDIUM_MODEL_MAX_OUTPUT_USD_PER_MTOK:
        return "default-medium"
    return "default-large"


def find_profile(
    model_ref: str | None, catalogs: Catalogs, *, output_usd_per_mtok: float
) -> tuple[LatencyProfile, bool]:
    """The measured profile of ``model_ref`` or a class default; the flag is True for defaults."""
    if model_ref is not None:
        found = catalogs.find("latency_profiles", model_ref)
        if isinstance(found, LatencyProfile):
            return found, False
    default_id = default_profile_id(output_usd_per_mtok)
    found = catalogs.find("latency_profiles", default_id)
    if not isinstance(found, LatencyProfile):
        raise InputError.single(
            "costmodel/catalog/data/latency_profiles.yaml",
            "latency_profiles",
            f"the class default {default_id!r} is missing",
        )
    return found, True


def hosted_latency(
    model_ref: str | None,
    catalogs: Catalogs,
    *,
    input_tokens: float,
    output_tokens: float,
    output_usd_per_mtok: float,
    ttft_ms_override: float | None = None,
    output_tokens_per_s_override: float | None = None,
    extra_stages_ms: Mapping[str, float] | None = None,
    fine_tuned: bool = False,
) -> LatencyEstimate:
    """Latency of one hosted-API request of ``input_tokens`` in and ``output_tokens`` out."""
    profile, assumed = find_profile(model_ref, catalogs, output_usd_per_mtok=output_usd_per_mtok)
    notes: list[str] = []
    if assumed:
        notes.append(
            f"latency: no measured profile for {model_ref or 'this model'}; class default {profile.id} (assumption)"
        )
    if fine_tuned:
        notes.append("latency: a fine-tuned model is assumed as fast as its base model (assumption)")
    ttft_ref = ttft_ms_override if ttft_ms_override is not None else profile.ttft_ms
    tps = (
        output_tokens_per_s_override
        if output_tokens_per_s_override is not None
        else profile.output_tokens_per_s
    )
    prefill_ms = float(
        hosted_ttft_ms(input_tokens, ttft_ref, profile.reference_input_tokens, profile.prefill_tokens_per_s)
    )
    generation_ms = output_tokens / tps * MS_PER_S
    stages = dict(extra_stages_ms or {})
    before = sum(stages.values())
    stages["time_to_first_token"] = prefill_ms
    stages["generation"] = generation_ms
    return LatencyEstimate(
        time_to_first_token_ms=before + prefill_ms,
        end_to_end_ms=before + prefill_ms + generation_ms,
        stages_ms=stages,
        profile_id=profile.id,
        assumption=assumed or ttft_ms_override is not None,
        notes=tuple(notes),
    )


def rag_stage_latencies(
    catalogs: Catalogs, *, search_latency_ms: float | None, rerank_latency_ms: float
) -> dict[str, float]:
    """Retrieval stages before the LLM call: query embedding, vector search, rerank (ms)."""
    embed = catalogs.find("stage_latencies", QUERY_EMBEDDING_STAGE_ID)
    search = catalogs.find("stage_latencies", VECTOR_SEARCH_STAGE_ID)
    if not isinstance(embed, StageLatency) or not isinstance(search, StageLatency):
        raise InputError.single(
            "costmodel/catalog/data/stage_latencies.yaml",
            "stage_latencies",
            f"{QUERY_EMBEDDING_STAGE_ID!r} and {VECTOR_SEARCH_STAGE_ID!r} are required",
        )
    stages = {
        "query_embedding": embed.latency_ms,
        "vector_search": search_latency_ms if search_latency_ms is not None else search.latency_ms,
    }
    if rerank_latency_ms:
        stages["rerank"] = rerank_latency_ms
    return stages
