"""``prepare_rag`` on its own: indexing, vector database, rerank, longer prompt; goldens worked by hand.

Catalog entries come from the round-number test catalogs of ``tests/conftest.py``: ``test-usage-db``
(50 $ monthly minimum, 0.33 $/GB-month, 16 $ per 1M read units, 4 $ per 1M write units, 5 read units
per query, 1 write unit per record, 40 ms per search), ``test-flat-db`` (70 $ a month), ``test-rerank``
(2 $ per 1,000 searches, 120 ms), stage latencies (query embedding 50 ms, search 30 ms) and the
``default-small`` latency profile (400 ms TTFT at 1,000 tokens, 150 tokens/s, prefill 20,000 tokens/s).
"""

from __future__ import annotations

import numpy as np
import pytest

from costmodel.catalog.entry import Catalogs
from costmodel.core.errors import InputError
from costmodel.scenario.io import parse_scenario
from costmodel.scenario.types import RagStrategy
from costmodel.strategies.common import Context, PreparedStrategy
from costmodel.strategies.rag import DEFAULT_EMBEDDING_DIMENSIONS, prepare_rag

REL = 1e-12

SCENARIO = """
name: rag alone
horizon_months: 2
workload: {requests_per_month: 1000, input_tokens_per_request: 150, output_tokens_per_request: 300}
people: {engineer_usd_per_hour: 100}
strategies:
  - id: r
    kind: rag
    model: {input_usd_per_mtok: 0.4, output_usd_per_mtok: 1.6}
    system_prompt_tokens: 400
    embedding_model: {input_usd_per_mtok: 0.02, dimensions: 1000}
    corpus_tokens: 1000000
    corpus_churn_fraction_per_month: 0.1
    chunks_per_request: 4
    tokens_per_chunk: 500
    chunk_overlap_tokens: 100
    vector_db: test-usage-db
    reranker: test-rerank
    setup_hours: 100
    maintenance_hours_per_month: 10
"""
# Shared arithmetic (inputs above):
#   overlap factor 500 / (500 - 100) = 1.25; chunks 1,000,000 / (500 - 100) = 2,500
#   prompt: 400 system + 150 user + 4 * 500 retrieved = 2,550 input tokens
INDEXING_USD = 1e6 * 1.25 * 0.02 / 1e6  # 0.025: every corpus token embedded 1.25 times
REEMBED_USD_PER_MONTH = 1e6 * 0.1 * 1.25 * 0.02 / 1e6  # 0.0025: 10 % of the corpus a month
STORAGE_GB = 2500 * 1000 * 4 / 1e9  # 0.01 GB: 2,500 records of 1,000 float32, no overhead
WRITE_USD_PER_RECORD = 1.0 * 4.0 / 1e6  # 1 write unit at 4 $ per 1M
READ_USD_PER_REQUEST = 5.0 * 16.0 / 1e6  # 8e-5: 5 read units at 16 $ per 1M
LLM_USD = (400 * 0.4 + 2150 * 0.4 + 300 * 1.6) / 1e6  # (160 + 860 + 480) / 1e6 = 0.0015
QUERY_EMBEDDING_USD = 150 * 0.02 / 1e6  # 3e-6: the user input is embedded once
RERANK_USD = 2.0 / 1000  # 0.002 per search


def prepared(catalogs: Catalogs, text: str = SCENARIO) -> PreparedStrategy:
    scenario = parse_scenario(text, source="s.yaml")
    strategy = scenario.strategies[0]
    assert isinstance(strategy, RagStrategy)
    return prepare_rag(strategy, Context(scenario=scenario, catalogs=catalogs))


def test_one_off_costs_index_the_corpus_and_write_every_chunk(test_catalogs: Catalogs) -> None:
    p = prepared(test_catalogs)
    # people 100 h * 100 $/h; infrastructure 0.025 indexing + 2,500 * 4e-6 = 0.01 upserts
    assert p.one_off_usd["people"] == 10_000.0
    assert p.one_off_usd["infrastructure"] == pytest.approx(
        INDEXING_USD + 2500 * WRITE_USD_PER_RECORD, rel=REL
    )
    assert p.one_off_usd["infrastructure"] == pytest.approx(0.035, rel=REL)


def test_fixed_monthly_and_per_request_coefficients(test_catalogs: Catalogs) -> None:
    p = prepared(test_catalogs)
    # people 10 h * 100 $/h; infrastructure: re-embedding the churned 10 % (the DB is in `nonlinear`)
    assert p.fixed_monthly_usd["people"].tolist() == [1000.0, 1000.0]
    assert p.fixed_monthly_usd["infrastructure"].tolist() == pytest.approx(
        [REEMBED_USD_PER_MONTH] * 2, rel=REL
    )
    # tokens: LLM call 0.0015 + query embedding 3e-6; infrastructure: rerank 0.002
    assert p.per_request_usd["tokens"] == pytest.approx(0.001503, rel=REL)
    assert p.per_request_usd["infrastructure"] == pytest.approx(RERANK_USD, rel=REL)
    # marginal cost also counts the vector-DB reads kept in `nonlinear`: 0.001503 + 0.002 + 0.00008
    assert p.variable_usd_per_request == pytest.approx(0.003583, rel=REL)
    assert p.details == pytest.approx(
        {
            "input_tokens_per_request": 2550.0,
            "output_tokens_per_request": 300.0,
            "reasoning_tokens_per_request": 0.0,
            "n_chunks": 2500.0,
            "vector_storage_gb": STORAGE_GB,
            "indexing_usd": INDEXING_USD,
        },
        rel=REL,
    )
    assert p.prices_as_of is None  # all prices inline


def test_usage_vector_db_is_the_monthly_minimum_or_usage(test_catalogs: Catalogs) -> None:
    p = prepared(test_catalogs)
    assert p.nonlinear is not None
    # usage: storage 0.01 GB * 0.33 = 0.0033 + churn upserts 250 * 4e-6 = 0.001 + reads 8e-5 * requests
    fixed_usage = STORAGE_GB * 0.33 + 2500 * 0.1 * WRITE_USD_PER_RECORD  # 0.0043
    db = p.nonlinear(np.array([1000.0, 1_000_000.0]))["infrastructure"]
    # 1,000 requests: 0.0043 + 0.08 = 0.0843 < 50 -> the 50 $ minimum; 1M requests: 0.0043 + 80 = 80.0043
    assert db.tolist() == pytest.approx([50.0, fixed_usage + 80.0], rel=REL)
    assert db[1] == pytest.approx(80.0043, rel=REL)


def test_latency_adds_retrieval_stages_before_a_longer_prefill(test_catalogs: Catalogs) -> None:
    p = prepared(test_catalogs)
    assert p.latency is not None
    # stages: query embedding 50 + search 40 (the DB's own latency) + rerank 120 = 210 ms
    assert {k: p.latency.stages_ms[k] for k in ("query_embedding", "vector_search", "rerank")} == {
        "query_embedding": 50.0,
        "vector_search": 40.0,
        "rerank": 120.0,
    }
    # TTFT: overhead 400 - 1000/20000*1000 = 350 ms, + 2550/20000*1000 = 127.5 ms -> 477.5; +210 -> 687.5
    # generation 300 / 150 tokens/s = 2000 ms -> 2687.5 ms end to end
    assert p.latency.time_to_first_token_ms == pytest.approx(687.5, rel=REL)
    assert p.latency.end_to_end_ms == pytest.approx(2687.5, rel=REL)


def test_flat_and_inline_databases_are_fixed_monthly(test_catalogs: Catalogs) -> None:
    flat = prepared(test_catalogs, SCENARIO.replace("vector_db: test-usage-db", "vector_db: test-flat-db"))
    # 70 $ flat + 0.0025 re-embedding; nothing per request from the DB, no upserts, no storage figure
    assert flat.fixed_monthly_usd["infrastructure"].tolist() == pytest.approx([70.0025] * 2, rel=REL)
    assert flat.nonlinear is None
    assert flat.one_off_usd["infrastructure"] == pytest.approx(INDEXING_USD, rel=REL)
    assert flat.variable_usd_per_request == pytest.approx(0.001503 + RERANK_USD, rel=REL)
    assert flat.details["vector_storage_gb"] == 0.0
    assert flat.latency is not None
    assert flat.latency.stages_ms["vector_search"] == 30.0  # no DB latency: the catalog stage default
    inline = prepared(
        test_catalogs, SCENARIO.replace("vector_db: test-usage-db", "vector_db: {usd_per_month: 25}")
    )
    assert inline.fixed_monthly_usd["infrastructure"].tolist() == pytest.approx([25.0025] * 2, rel=REL)
    assert inline.nonlinear is None


def test_without_reranker_nothing_is_charged_or_waited_for_it(test_catalogs: Catalogs) -> None:
    p = prepared(test_catalogs, SCENARIO.replace("    reranker: test-rerank\n", ""))
    assert p.per_request_usd["infrastructure"] == 0.0
    assert p.latency is not None
    assert "rerank" not in p.latency.stages_ms


def test_unknown_dimension_is_assumed_and_noted(test_catalogs: Catalogs) -> None:
    p = prepared(test_catalogs, SCENARIO.replace(", dimensions: 1000}", "}"))
    assert DEFAULT_EMBEDDING_DIMENSIONS == 1536
    # 2,500 records * 1536 * 4 bytes = 0.01536 GB
    assert p.details["vector_storage_gb"] == pytest.approx(0.01536, rel=REL)
    assert "embedding dimension unknown: assumed 1536 for storage" in p.notes


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("vector_db: test-usage-db", "vector_db: no-such-db", "vector_db"),
        ("reranker: test-rerank", "reranker: no-such-reranker", "reranker"),
        (
            "embedding_model: {input_usd_per_mtok: 0.02, dimensions: 1000}",
            "embedding_model: nowhere/no-emb",
            "embedding_model",
        ),
        ("model: {input_usd_per_mtok: 0.4, output_usd_per_mtok: 1.6}", "model: nowhere/no-llm", "model"),
    ],
)
def test_unknown_ids_name_the_field(test_catalogs: Catalogs, old: str, new: str, field: str) -> None:
    with pytest.raises(InputError, match=rf"s\.yaml:\d+: strategies\[0\]\.{field}: ") as err:
        prepared(test_catalogs, SCENARIO.replace(old, new))
    assert new.split(": ")[1] in str(err.value)
