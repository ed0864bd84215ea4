"""Property tests of the engine (hypothesis) over random scenarios priced inline."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import parse_catalog
from costmodel.core.yamlio import dump_yaml
from costmodel.engine import prepare_all, run, sweep_totals
from costmodel.scenario.io import parse_scenario

money = st.floats(min_value=0.01, max_value=50.0, allow_nan=False, allow_infinity=False)
tokens = st.integers(min_value=1, max_value=5000)
fraction = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
hours = st.floats(min_value=0.0, max_value=200.0, allow_nan=False)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A random scenario with one strategy of each hosted kind, all prices inline or in DB_CATALOG."""
    horizon = draw(st.integers(min_value=1, max_value=36))
    return {
        "horizon_months": horizon,
        "discount_rate_annual_fraction": draw(st.floats(min_value=0.0, max_value=0.3)),
        "workload": {
            "requests_per_month": draw(st.floats(min_value=0.0, max_value=1e7)),
            "growth_fraction_per_month": draw(st.floats(min_value=-0.2, max_value=0.3)),
            "input_tokens_per_request": draw(tokens),
            "output_tokens_per_request": draw(tokens),
        },
        "value": {"usd_per_correct_answer": draw(money), "usd_per_wrong_answer": draw(money)},
        "people": {"engineer_usd_per_hour": draw(money) * 10},
        "strategies": [
            {
                "id": "prompt",
                "kind": "prompting",
                "model": {
                    "input_usd_per_mtok": draw(money),
                    "cached_input_usd_per_mtok": draw(money),
                    "output_usd_per_mtok": draw(money),
                    "batch_multiplier": draw(st.floats(min_value=0.1, max_value=1.0)),
                },
                "system_prompt_tokens": draw(tokens),
                "n_shots": draw(st.integers(0, 8)),
                "tokens_per_shot": draw(tokens),
                "cache_hit_fraction": draw(fraction),
                "batch_fraction": draw(fraction),
                "accuracy_fraction": draw(fraction),
                "setup_hours": draw(hours),
                "maintenance_hours_per_month": draw(hours),
            },
            {
                "id": "rag",
                "kind": "rag",
                "model": {"input_usd_per_mtok": draw(money), "output_usd_per_mtok": draw(money)},
                "system_prompt_tokens": draw(tokens),
                "embedding_model": {"input_usd_per_mtok": draw(money), "dimensions": 1024},
                "corpus_tokens": draw(st.floats(min_value=1e3, max_value=1e9)),
                "corpus_churn_fraction_per_month": draw(fraction),
                "chunks_per_request": draw(st.integers(1, 10)),
                "tokens_per_chunk": draw(st.integers(100, 1000)),
                "vector_db": draw(st.sampled_from(["prop-usage-db", {"usd_per_month": 70.0}])),
                "accuracy_fraction": draw(fraction),
                "setup_hours": draw(hours),
                "maintenance_hours_per_month": draw(hours),
            },
            {
                "id": "ft",
                "kind": "finetune_hosted",
                "offer": {
                    "training_usd_per_mtok": draw(money),
                    "input_usd_per_mtok": draw(money),
                    "output_usd_per_mtok": draw(money),
                    "hosting_usd_per_hour": draw(st.sampled_from([0.0, 1.5])),
                },
                "system_prompt_tokens": draw(tokens),
                "n_training_examples": draw(st.integers(1, 20000)),
                "tokens_per_example": draw(tokens),
                "n_epochs": draw(st.integers(1, 5)),
                "labeling": {"usd_per_example": draw(money)},
                "retrain_every_months": draw(st.integers(0, horizon)),
                "n_new_examples_per_retrain": draw(st.integers(0, 2000)),
                "accuracy_fraction": draw(fraction),
                "setup_hours": draw(hours),
                "maintenance_hours_per_month": draw(hours),
            },
        ],
    }


DB_CATALOG = """
vector_databases:
  - {id: prop-usage-db, provider: x, pricing: usage, min_usd_per_month: 50, storage_usd_per_gb_month: 0.33,
     read_usd_per_million_units: 16, write_usd_per_million_units: 4, read_units_per_query: 0.25,
     read_units_per_query_per_gb: 1.0, write_units_per_kb: 1.0, bytes_per_record_overhead: 500,
     source_url: "https://example.org", as_of: 2026-01-01}
latency_profiles:
  - {id: default-small, ttft_ms: 400, output_tokens_per_s: 150, source_url: "https://example.org", as_of: 2026-01-01}
  - {id: default-medium, ttft_ms: 600, output_tokens_per_s: 100, source_url: "https://example.org", as_of: 2026-01-01}
  - {id: default-large, ttft_ms: 1500, output_tokens_per_s: 50, source_url: "https://example.org", as_of: 2026-01-01}
stage_latencies:
  - {id: query-embedding-api, latency_ms: 50, source_url: "https://example.org", as_of: 2026-01-01}
  - {id: vector-search-managed, latency_ms: 30, source_url: "https://example.org", as_of: 2026-01-01}
"""
CATALOGS: Catalogs = parse_catalog(DB_CATALOG, source="db")

PRICE_KEYS = {
    "input_usd_per_mtok",
    "cached_input_usd_per_mtok",
    "output_usd_per_mtok",
    "training_usd_per_mtok",
    "hosting_usd_per_hour",
    "usd_per_example",
    "usd_per_month",
    "engineer_usd_per_hour",
}


def _scale_prices(node: Any, factor: float, only: str | None = None) -> Any:
    if isinstance(node, dict):
        return {
            k: (
                v * factor
                if k in PRICE_KEYS and (only is None or k == only)
                else _scale_prices(v, factor, only)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_scale_prices(v, factor, only) for v in node]
    return node


def _run(doc: dict[str, Any], catalogs: Catalogs = CATALOGS):  # type: ignore[no-untyped-def]
    return run(parse_scenario(dump_yaml(doc)), catalogs)


@given(scenarios())
def test_costs_finite_nonnegative_and_consistent(doc: dict[str, Any]) -> None:
    result = _run(doc)
    for s in result.strategies:
        arrays = [s.monthly_usd, s.cumulative_usd, *s.monthly_breakdown_usd.values()]
        for arr in arrays:
            assert np.all(np.isfinite(arr)) and np.all(arr >= 0)
        assert math.isfinite(s.total_usd) and s.one_off_usd >= 0 and s.usd_per_request >= 0
        # cumulative = one-off + running sum of monthly; total = last cumulative
        np.testing.assert_allclose(s.cumulative_usd, s.one_off_usd + np.cumsum(s.monthly_usd), rtol=1e-12)
        assert s.total_usd == s.cumulative_usd[-1]
        # breakdown sums to total
        assert sum(s.breakdown_usd.values()) == pytest.approx(s.total_usd, rel=1e-9, abs=1e-9)


@given(scenarios(), st.floats(min_value=1.01, max_value=10.0))
def test_monotone_in_volume(doc: dict[str, Any], factor: float) -> None:
    low = _run(doc)
    doc["workload"]["requests_per_month"] *= factor
    high = _run(doc)
    for a, b in zip(low.strategies, high.strategies, strict=True):
        assert b.total_usd >= a.total_usd * (1 - 1e-12)


@given(scenarios(), st.sampled_from(sorted(PRICE_KEYS)), st.floats(min_value=1.01, max_value=5.0))
def test_monotone_in_every_price(doc: dict[str, Any], key: str, factor: float) -> None:
    low = _run(doc)
    high = _run(_scale_prices(doc, factor, only=key))
    for a, b in zip(low.strategies, high.strategies, strict=True):
        assert b.total_usd >= a.total_usd * (1 - 1e-12)


DOUBLED_DB = parse_catalog(
    DB_CATALOG.replace(
        "min_usd_per_month: 50, storage_usd_per_gb_month: 0.33",
        "min_usd_per_month: 100, storage_usd_per_gb_month: 0.66",
    ).replace(
        "read_usd_per_million_units: 16, write_usd_per_million_units: 4",
        "read_usd_per_million_units: 32, write_usd_per_million_units: 8",
    ),
    source="db2",
)


@given(scenarios())
def test_doubling_every_price_doubles_every_cost(doc: dict[str, Any]) -> None:
    base = _run(doc)
    doubled = _run(_scale_prices(doc, 2.0), DOUBLED_DB)
    for a, b in zip(base.strategies, doubled.strategies, strict=True):
        np.testing.assert_allclose(b.monthly_usd, 2 * a.monthly_usd, rtol=1e-9, atol=1e-9)
        assert b.one_off_usd == pytest.approx(2 * a.one_off_usd, rel=1e-9, abs=1e-9)
        assert b.usd_per_request == pytest.approx(2 * a.usd_per_request, rel=1e-9, abs=1e-15)


@given(scenarios())
def test_totals_equal_at_reported_breakeven_volume(doc: dict[str, Any]) -> None:
    result = _run(doc)
    prepared = {p.id: p for p in result.prepared}
    horizon = result.scenario.horizon_months
    for pair in result.breakeven:
        if pair.requests_per_month is None:
            continue
        q = np.array([pair.requests_per_month])
        ta = float(sweep_totals(prepared[pair.a], q, horizon)[0])
        tb = float(sweep_totals(prepared[pair.b], q, horizon)[0])
        assert ta == pytest.approx(tb, rel=1e-6)


@given(scenarios())
def test_breakeven_month_is_first_crossing(doc: dict[str, Any]) -> None:
    result = _run(doc)
    for pair in result.breakeven:
        a, b = result.strategy(pair.a), result.strategy(pair.b)
        npv = result.cost_basis == "npv"  # discounted scenarios compare discounted cumulative costs
        cum_a = (
            a.discounted_cumulative_usd
            if npv and a.discounted_cumulative_usd is not None
            else a.cumulative_usd
        )
        cum_b = (
            b.discounted_cumulative_usd
            if npv and b.discounted_cumulative_usd is not None
            else b.cumulative_usd
        )
        series_a = np.concatenate([[a.one_off_usd], cum_a])
        series_b = np.concatenate([[b.one_off_usd], cum_b])
        if pair.month is not None:
            assert series_b[pair.month] <= series_a[pair.month]
            assert np.any(series_b[: pair.month] > series_a[: pair.month])


@settings(max_examples=20)
@given(scenarios())
def test_volume_sweep_matches_single_runs(doc: dict[str, Any]) -> None:
    """A 3-point sweep equals three separate runs at constant volume (no growth)."""
    doc["workload"]["growth_fraction_per_month"] = 0.0
    prepared = prepare_all(parse_scenario(dump_yaml(doc)), CATALOGS)
    volumes = np.array([10.0, 1e4, 1e6])
    for p in prepared:
        swept = sweep_totals(p, volumes, doc["horizon_months"])
        for q, total in zip(volumes, swept, strict=True):
            doc["workload"]["requests_per_month"] = float(q)
            single = _run(doc).strategy(p.id).total_usd
            assert total == pytest.approx(single, rel=1e-12)
