"""Shared fixtures: small hand-written catalogs so golden tests do not move when prices are updated."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# Pin "today" (month 1 of every scenario without start_date, lifecycle statuses) and keep any refreshed
# price data on this machine out of the tests: results must not depend on the clock or the user's cache.
os.environ["BREAKEVEN_TODAY"] = "2026-12-06"
os.environ["BREAKEVEN_PRICE_DATA"] = os.path.join(
    os.path.dirname(__file__), "data", "no-refreshed-prices.json"
)

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import parse_catalog

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100
)
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

TEST_CATALOG_YAML = """
finetune_offers:
  - id: test/ft-small
    provider: testprov
    base_model: test/base-small
    training_usd_per_mtok: 5.0
    input_usd_per_mtok: 0.8
    output_usd_per_mtok: 3.2
    hosting_usd_per_hour: 0.0
    source_url: https://example.org/ft
    as_of: 2026-01-01
vector_databases:
  - id: test-usage-db
    provider: testdb
    pricing: usage
    min_usd_per_month: 50.0
    storage_usd_per_gb_month: 0.33
    read_usd_per_million_units: 16.0
    write_usd_per_million_units: 4.0
    read_units_per_query: 5.0
    write_units_per_record: 1.0
    query_latency_ms: 40
    source_url: https://example.org/db
    as_of: 2026-01-01
  - id: test-flat-db
    provider: testdb
    pricing: flat
    flat_usd_per_month: 70.0
    source_url: https://example.org/db
    as_of: 2026-01-01
labeling_rates:
  - {id: test-expert, usd_per_example: 3.5, source_url: "https://example.org/l", as_of: 2026-01-01}
discounts:
  - {id: testprov, batch_multiplier: 0.5, flex_multiplier: 0.5, priority_multiplier: 2.0,
     source_url: "https://example.org/d", as_of: 2026-01-01}
  - {id: openai, batch_multiplier: 0.5, flex_multiplier: 0.5, priority_multiplier: 1.7,
     source_url: "https://example.org/d", as_of: 2026-01-01}
latency_profiles:
  - {id: test/base-small, ttft_ms: 300, output_tokens_per_s: 150, reference_input_tokens: 1000,
     prefill_tokens_per_s: 20000, source_url: "https://example.org/lat", as_of: 2026-01-01}
  - {id: default-small, ttft_ms: 400, output_tokens_per_s: 150, source_url: "https://example.org/lat", as_of: 2026-01-01}
  - {id: default-medium, ttft_ms: 600, output_tokens_per_s: 100, source_url: "https://example.org/lat", as_of: 2026-01-01}
  - {id: default-large, ttft_ms: 1500, output_tokens_per_s: 50, source_url: "https://example.org/lat", as_of: 2026-01-01}
rerankers:
  - {id: test-rerank, usd_per_1k_searches: 2.0, latency_ms: 120, source_url: "https://example.org/r", as_of: 2026-01-01}
stage_latencies:
  - {id: query-embedding-api, latency_ms: 50, source_url: "https://example.org/s", as_of: 2026-01-01}
  - {id: vector-search-managed, latency_ms: 30, source_url: "https://example.org/s", as_of: 2026-01-01}
"""


@pytest.fixture(scope="session")
def test_catalogs() -> Catalogs:
    """Hand-written catalogs with round numbers (independent of pricing/)."""
    return parse_catalog(TEST_CATALOG_YAML, source="tests/conftest.py")
