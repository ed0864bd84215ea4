"""Cost formulas as pure, vectorised functions (numbers or numpy arrays in, same shape out).

Sources: ``docs/formulas.md`` (token cost per request §7.1, RAG indexing §4,
hosted fine-tuning §5.1, NPV §7.5). All money is USD; token prices are USD per 1M tokens.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from costmodel.core.units import BYTES_PER_GB, MONTHS_PER_YEAR, MS_PER_S, TOKENS_PER_MTOK

ArrayLike = TypeVar("ArrayLike", float, NDArray[np.float64])

BYTES_PER_FLOAT32 = 4
"""Bytes per stored vector component (float32), as vector databases store embeddings."""


def monthly_requests(
    requests_per_month: float | NDArray[np.float64],
    growth_fraction_per_month: float | NDArray[np.float64],
    horizon_months: int,
) -> NDArray[np.float64]:
    """Requests in months 1..H: ``R_m = R_1 * (1 + g)^(m - 1)`` (SCENARIO.md).

    Arrays of shape (n, 1) (simulation draws) give shape (n, H).

    >>> monthly_requests(1000, 0.1, 3).tolist()
    [1000.0, 1100.0, 1210.0000000000002]
    """
    months = np.arange(horizon_months, dtype=np.float64)
    return requests_per_month * (1.0 + growth_fraction_per_month) ** months


def request_token_cost_usd(
    *,
    static_prefix_tokens: ArrayLike,
    dynamic_input_tokens: ArrayLike,
    output_tokens: ArrayLike,
    cache_hit_fraction: ArrayLike,
    input_usd_per_mtok: ArrayLike,
    cached_input_usd_per_mtok: ArrayLike,
    cache_write_usd_per_mtok: ArrayLike,
    output_usd_per_mtok: ArrayLike,
    price_multiplier: ArrayLike,
) -> ArrayLike:
    """USD per request of one LLM call.

    ``cost = (h*S*p_cached + (1-h)*S*p_write + D*p_in + O*p_out) / 1e6 * multiplier`` where S is the
    static prefix (system prompt + shots), h the cache-hit fraction, D the per-request input (user
    content, retrieved chunks), O the output. Pass ``p_write = p_in`` for providers without a
    cache-write surcharge (OpenAI, Google); Anthropic bills cache writes at 1.25x input.
    ``multiplier`` blends service tiers (see :func:`blended_multiplier`). Source: docs/formulas.md §7.1.

    >>> request_token_cost_usd(static_prefix_tokens=1000.0, dynamic_input_tokens=100.0, output_tokens=200.0,
    ...     cache_hit_fraction=0.5, input_usd_per_mtok=2.0, cached_input_usd_per_mtok=0.5,
    ...     cache_write_usd_per_mtok=2.0, output_usd_per_mtok=8.0, price_multiplier=1.0)
    0.00305
    """
    static_cost = static_prefix_tokens * (
        cache_hit_fraction * cached_input_usd_per_mtok + (1.0 - cache_hit_fraction) * cache_write_usd_per_mtok
    )
    per_mtok = static_cost + dynamic_input_tokens * input_usd_per_mtok + output_tokens * output_usd_per_mtok
    return per_mtok / TOKENS_PER_MTOK * price_multiplier


def blended_multiplier(
    batch_fraction: ArrayLike, batch_multiplier: ArrayLike, tier_multiplier: ArrayLike
) -> ArrayLike:
    """Average price multiplier when ``batch_fraction`` of traffic goes through a batch API.

    ``(1 - b) * tier + b * batch`` (the rest of the traffic pays the chosen service tier).

    >>> blended_multiplier(0.25, 0.5, 1.0)
    0.875
    """
    return (1.0 - batch_fraction) * tier_multiplier + batch_fraction * batch_multiplier


def tokens_cost_usd(tokens: ArrayLike, usd_per_mtok: ArrayLike) -> ArrayLike:
    """USD for ``tokens`` tokens at a price in USD per 1M tokens.

    >>> tokens_cost_usd(30_000_000, 0.02)
    0.6
    """
    return tokens * usd_per_mtok / TOKENS_PER_MTOK


def chunk_overlap_factor(tokens_per_chunk: ArrayLike, chunk_overlap_tokens: ArrayLike) -> ArrayLike:
    """Embedded tokens per corpus token, ``chunk / (chunk - overlap)`` (docs/formulas.md §4.1).

    >>> chunk_overlap_factor(400.0, 100.0)
    1.3333333333333333
    """
    return tokens_per_chunk / (tokens_per_chunk - chunk_overlap_tokens)


def n_chunks(
    corpus_tokens: ArrayLike, tokens_per_chunk: ArrayLike, chunk_overlap_tokens: ArrayLike
) -> ArrayLike:
    """Chunks in a corpus, ``corpus_tokens / (chunk - overlap)`` (docs/formulas.md §4.1).

    >>> n_chunks(35_000.0, 350.0, 0.0)
    100.0
    """
    return corpus_tokens / (tokens_per_chunk - chunk_overlap_tokens)


def vector_storage_gb(
    n_records: ArrayLike, dimensions: ArrayLike, overhead_bytes_per_record: ArrayLike
) -> ArrayLike:
    """Stored GB: ``records * (dims * 4 bytes + overhead) / 1e9`` (docs/formulas.md §4.2).

    >>> vector_storage_gb(1_000_000.0, 1536.0, 0.0)
    6.144
    """
    return n_records * (dimensions * BYTES_PER_FLOAT32 + overhead_bytes_per_record) / BYTES_PER_GB


def training_tokens(n_examples: ArrayLike, tokens_per_example: ArrayLike, n_epochs: ArrayLike) -> ArrayLike:
    """Billed training tokens, ``examples * tokens_per_example * epochs`` (docs/formulas.md §1.3, §5.1).

    OpenAI's own example: a 100,000-token file trained for 3 epochs bills 300,000 tokens.

    >>> training_tokens(1000, 100, 3)
    300000
    """
    return n_examples * tokens_per_example * n_epochs


def retrain_schedule(horizon_months: int, retrain_every_months: int) -> NDArray[np.int64]:
    """Retrain index per month: j in month j*k (k = retrain_every_months), else 0; all 0 when k = 0.

    >>> retrain_schedule(7, 3).tolist()
    [0, 0, 1, 0, 0, 2, 0]
    """
    months = np.arange(1, horizon_months + 1)
    if retrain_every_months <= 0:
        return np.zeros(horizon_months, dtype=np.int64)
    return np.where(months % retrain_every_months == 0, months // retrain_every_months, 0).astype(np.int64)


def monthly_discount_factors(
    discount_rate_annual_fraction: float, horizon_months: int
) -> NDArray[np.float64]:
    """Discount factor of months 1..H, ``1 / (1 + r_m)^m`` with ``r_m = (1 + r)^(1/12) - 1`` (docs/formulas.md §7.5).

    >>> [round(float(x), 6) for x in monthly_discount_factors(0.12, 12)[[0, -1]]]
    [0.9906, 0.892857]
    """
    r_m = (1.0 + discount_rate_annual_fraction) ** (1.0 / MONTHS_PER_YEAR) - 1.0
    months = np.arange(1, horizon_months + 1, dtype=np.float64)
    return np.asarray((1.0 + r_m) ** (-months), dtype=np.float64)


def hosted_ttft_ms(
    input_tokens: ArrayLike,
    ttft_ms_at_reference: float,
    reference_input_tokens: float,
    prefill_tokens_per_s: float,
) -> ArrayLike:
    """Time to first token of a hosted API for a prompt of ``input_tokens``, in ms.

    Linear model: a fixed overhead (network, queueing) plus prefill at ``prefill_tokens_per_s``,
    anchored so that the reference length gives the measured TTFT (docs/formulas.md §3.5: longer prompts
    raise TTFT; §4.4: RAG's extra context raises it roughly linearly).
    ``ttft = max(0, ttft_ref - L_ref / rate) + L / rate``.

    >>> hosted_ttft_ms(3000.0, 450.0, 1000, 20000.0)
    550.0
    """
    overhead_ms = max(0.0, ttft_ms_at_reference - reference_input_tokens / prefill_tokens_per_s * MS_PER_S)
    return overhead_ms + input_tokens / prefill_tokens_per_s * MS_PER_S
