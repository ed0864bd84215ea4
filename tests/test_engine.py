"""Golden tests of the engine, each expected value computed by hand in the comments (1e-9 relative)."""

from __future__ import annotations

import numpy as np
import pytest

from costmodel.catalog.entry import Catalogs
from costmodel.engine import run
from costmodel.scenario.io import parse_scenario

REL = 1e-9


def approx(x: float) -> object:
    return pytest.approx(x, rel=REL, abs=1e-12)


PROMPTING = """
name: golden prompting
horizon_months: 3
workload: {requests_per_month: 1000, growth_fraction_per_month: 0.1,
           input_tokens_per_request: 100, output_tokens_per_request: 200}
value: {usd_per_correct_answer: 0.5, usd_per_wrong_answer: 1.0}
people: {engineer_usd_per_hour: 100}
strategies:
  - id: cached
    kind: prompting
    model: {input_usd_per_mtok: 2.0, cached_input_usd_per_mtok: 0.5, output_usd_per_mtok: 8.0}
    system_prompt_tokens: 500
    n_shots: 2
    tokens_per_shot: 250
    cache_hit_fraction: 0.5
    accuracy_fraction: 0.8
    setup_hours: 10
    maintenance_hours_per_month: 2
  - id: batched
    kind: prompting
    model: {input_usd_per_mtok: 2.0, cached_input_usd_per_mtok: 0.5, output_usd_per_mtok: 8.0, batch_multiplier: 0.5}
    system_prompt_tokens: 500
    n_shots: 2
    tokens_per_shot: 250
    cache_hit_fraction: 0.5
    batch_fraction: 0.5
    accuracy_fraction: 0.8
"""


def test_prompting_with_caching_and_growth(test_catalogs: Catalogs) -> None:
    result = run(parse_scenario(PROMPTING), test_catalogs)
    s = result.strategy("cached")
    # static prefix 500 + 2*250 = 1000 tokens, half of it cached:
    #   1000*(0.5*0.5 + 0.5*2.0) = 1250; user input 100*2.0 = 200; output 200*8.0 = 1600 -> 3050 $/M
    per_request = 3050 / 1e6
    assert s.usd_per_request == approx(per_request)
    # requests 1000, 1100, 1210 (10 % compound growth)
    requests = np.array([1000.0, 1100.0, 1210.0])
    assert result.requests_per_month.tolist() == pytest.approx(requests.tolist(), rel=REL)
    # one-off: 10 h * $100; monthly: 2 h * $100 = 200 + tokens
    assert s.one_off_usd == approx(1000.0)
    assert s.monthly_usd.tolist() == pytest.approx([203.05, 203.355, 203.6905], rel=REL)
    assert s.cumulative_usd.tolist() == pytest.approx([1203.05, 1406.405, 1610.0955], rel=REL)
    assert s.total_usd == approx(1610.0955)
    assert s.npv_usd == approx(1610.0955)  # discount rate 0
    assert s.breakdown_usd["tokens"] == approx(3.05 + 3.355 + 3.6905)
    assert s.breakdown_usd["people"] == approx(1600.0)
    # 3310 requests, 80 % correct: 2648 * 0.5 - 662 * 1.0 - 1610.0955
    assert s.net_value_usd == approx(2648 * 0.5 - 662 * 1.0 - 1610.0955)
    assert s.usd_per_correct_answer == approx(1610.0955 / 2648)
    # Half the traffic through batch at 0.5x: multiplier 0.75
    assert result.strategy("batched").usd_per_request == approx(per_request * 0.75)


RAG = """
name: golden rag
horizon_months: 2
workload: {requests_per_month: 1000000, input_tokens_per_request: 150, output_tokens_per_request: 300}
people: {engineer_usd_per_hour: 100}
strategies:
  - id: rag
    kind: rag
    model: {input_usd_per_mtok: 0.4, output_usd_per_mtok: 1.6}
    system_prompt_tokens: 400
    embedding_model: {input_usd_per_mtok: 0.02, dimensions: 1536}
    corpus_tokens: 30000000
    corpus_churn_fraction_per_month: 0.1
    chunks_per_request: 5
    tokens_per_chunk: 350
    vector_db: test-usage-db
    reranker: test-rerank
    setup_hours: 100
    maintenance_hours_per_month: 10
"""


def test_rag_indexing_churn_vector_db_and_rerank(test_catalogs: Catalogs) -> None:
    s = run(parse_scenario(RAG), test_catalogs).strategy("rag")
    # LLM: (400 + 150 + 5*350) * 0.4 + 300 * 1.6 = 920 + 480 = 1400 $/M tokens
    llm = 1400 / 1e6
    query_embedding = 150 * 0.02 / 1e6
    rerank = 2.0 / 1000
    # corpus: 30M tokens / 350 = 85,714.2857 chunks of 1536 float32 = 6,144 bytes each
    chunks = 30e6 / 350
    storage_gb = chunks * 6144 / 1e9
    storage_usd = storage_gb * 0.33
    write_usd_per_record = 1.0 * 4.0 / 1e6
    reads = 1e6 * 5.0 * 16.0 / 1e6  # 80 USD: above the 50 USD minimum
    churn_writes = chunks * 0.1 * write_usd_per_record
    db_monthly = storage_usd + churn_writes + reads
    reembed = 30e6 * 0.1 * 0.02 / 1e6
    one_off = 100 * 100 + 30e6 * 0.02 / 1e6 + chunks * write_usd_per_record
    monthly = 1e6 * (llm + query_embedding + rerank) + db_monthly + reembed + 10 * 100
    assert s.one_off_usd == approx(one_off)
    assert s.monthly_usd.tolist() == pytest.approx([monthly, monthly], rel=REL)
    assert s.total_usd == approx(one_off + 2 * monthly)
    # marginal cost of month-1 volume: LLM + query embedding + rerank + vector-DB reads
    assert s.usd_per_request == approx(llm + query_embedding + rerank + 5.0 * 16.0 / 1e6)
    assert s.breakdown_usd["tokens"] == approx(2 * 1e6 * (llm + query_embedding))
    # latency: 50 ms query embedding + 40 ms search + 120 ms rerank before the LLM call
    assert s.latency is not None
    assert s.latency.stages_ms["query_embedding"] == 50
    assert s.latency.stages_ms["vector_search"] == 40
    assert s.latency.stages_ms["rerank"] == 120


def test_rag_vector_db_minimum_applies_at_low_volume(test_catalogs: Catalogs) -> None:
    scenario = parse_scenario(RAG.replace("requests_per_month: 1000000", "requests_per_month: 1000"))
    s = run(scenario, test_catalogs).strategy("rag")
    infra = s.monthly_breakdown_usd["infrastructure"]
    reembed = 30e6 * 0.1 * 0.02 / 1e6
    rerank = 1000 * 2.0 / 1000
    # reads 1000 * 5 RU = 0.08 USD + storage ~0.17 + churn writes ~0.03: far below the 50 USD minimum
    assert infra.tolist() == pytest.approx([50.0 + reembed + rerank] * 2, rel=REL)


FINETUNE = """
name: golden hosted fine-tuning
horizon_months: 7
workload: {requests_per_month: 100000, input_tokens_per_request: 150, output_tokens_per_request: 300}
people: {engineer_usd_per_hour: 120}
strategies:
  - id: ft
    kind: finetune_hosted
    offer: test/ft-small
    system_prompt_tokens: 150
    n_training_examples: 3000
    tokens_per_example: 700
    n_epochs: 3
    labeling: {usd_per_example: 3.5}
    retrain_every_months: 3
    n_new_examples_per_retrain: 500
    setup_hours: 80
    maintenance_hours_per_month: 12
"""


def test_hosted_finetuning_with_retrains(test_catalogs: Catalogs) -> None:
    s = run(parse_scenario(FINETUNE), test_catalogs).strategy("ft")
    # per request: (150 + 150) * 0.8 + 300 * 3.2 = 1200 $/M tokens
    assert s.usd_per_request == approx(1200 / 1e6)
    # one-off: 80 h * 120 = 9600; labelling 3000 * 3.5 = 10500; training 3000*700*3 = 6.3M tok * 5 $/M = 31.5
    assert s.one_off_usd == approx(9600 + 10500 + 31.5)
    base = 100000 * 1200 / 1e6 + 12 * 120  # 120 tokens + 1440 maintenance
    # month 3: retrain 1 labels 500 (1750) and trains 3500*700*3 = 7.35M tok (36.75)
    # month 6: retrain 2 labels 500 (1750) and trains 4000*700*3 = 8.4M tok (42.0)
    expected = [base, base, base + 1750 + 36.75, base, base, base + 1750 + 42.0, base]
    assert s.monthly_usd.tolist() == pytest.approx(expected, rel=REL)
    assert s.total_usd == approx(20131.5 + 7 * base + 1786.75 + 1792.0)
    assert s.breakdown_usd["labeling"] == approx(10500 + 3500)
    assert s.breakdown_usd["training"] == approx(31.5 + 36.75 + 42.0)
    # latency from the base model's profile: 300 ms at 1000 tokens, 20,000 tok/s prefill -> 250 ms overhead
    assert s.latency is not None
    assert s.latency.time_to_first_token_ms == approx(250 + 300 / 20000 * 1000)
    assert s.latency.end_to_end_ms == approx(250 + 15 + 300 / 150 * 1000)


def test_breakeven_month_and_volume_by_hand(test_catalogs: Catalogs) -> None:
    text = """
horizon_months: 12
workload: {requests_per_month: 100000, input_tokens_per_request: 100, output_tokens_per_request: 100}
people: {engineer_usd_per_hour: 100}
strategies:
  - {id: cheap-start, kind: prompting, model: {input_usd_per_mtok: 10, output_usd_per_mtok: 10}}
  - {id: cheap-run, kind: prompting, model: {input_usd_per_mtok: 1, output_usd_per_mtok: 1}, setup_hours: 100}
"""
    result = run(parse_scenario(text), test_catalogs)
    # cheap-start: 200 tokens * 10 $/M = 0.002 per request = 200/month; cheap-run: 20/month after 10,000 one-off
    # cumulative difference after m months: 10000 - 180 m -> crosses at m = 55.6 > 12: never within horizon
    (pair,) = result.breakeven
    assert (pair.a, pair.b, pair.month) == ("cheap-start", "cheap-run", None)
    # constant volume Q with equal 12-month totals: 12 * 0.002 Q = 10000 + 12 * 0.0002 Q -> Q = 10000 / 0.0216
    assert pair.requests_per_month == pytest.approx(10000 / 0.0216, rel=1e-9)
    grown = run(
        parse_scenario(text.replace("requests_per_month: 100000", "requests_per_month: 1000000")),
        test_catalogs,
    )
    # 1,800 per month saved: 10000/1800 = 5.56 -> month 6
    assert grown.breakeven[0].month == 6
