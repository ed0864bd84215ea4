"""Prices page logic (ui/prices.py): staleness, overrides, custom catalogs, the scenario's entries."""

from __future__ import annotations

import datetime as dt

import pytest
from ui_golden import golden_scenario

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import default_catalogs
from costmodel.core.errors import InputError
from costmodel.engine import run
from costmodel.scenario.io import load_scenario
from ui import prices

EXAMPLE = "examples/fintech-support.yaml"


@pytest.mark.parametrize(
    ("as_of", "today", "age", "stale"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1), 0, False),
        (dt.date(2026, 1, 1), dt.date(2026, 4, 1), 90, False),  # exactly 90 days: not yet stale
        (dt.date(2026, 1, 1), dt.date(2026, 4, 2), 91, True),
        (None, dt.date(2026, 1, 1), None, False),
    ],
)
def test_staleness_boundary(as_of: dt.date | None, today: dt.date, age: int | None, stale: bool) -> None:
    assert prices.staleness(as_of, today) == (age, stale)


def test_entry_rows_have_dates_sources_and_badges(test_catalogs: Catalogs) -> None:
    frame = prices.entry_rows(test_catalogs, "vector_databases", dt.date(2026, 6, 1))
    assert {"id", "as_of", "age_days", "status", "confidence", "source_url", "min_usd_per_month"} <= set(
        frame.columns
    )
    assert (frame["age_days"] == 151).all()
    assert frame["status"].str.startswith("⚠ stale").all()
    fresh = prices.entry_rows(test_catalogs, "vector_databases", dt.date(2026, 1, 2))
    assert fresh["status"].str.startswith("✓").all()


def test_llm_rows_cover_genai_prices_and_filter() -> None:
    catalogs = default_catalogs()
    rows = prices.llm_rows(catalogs, dt.date(2026, 11, 21), "gpt-4.1-mini")
    assert "openai/gpt-4.1-mini" in set(rows["id"])
    assert all("gpt-4.1-mini" in i for i in rows["id"])
    assert rows["source_url"].str.startswith("https://").all()


def test_override_of_a_catalog_entry_changes_the_result() -> None:
    scenario = load_scenario(EXAMPLE)
    base = default_catalogs()
    before = run(scenario, base).strategy("ft-hosted").total_usd
    overridden = prices.apply_overrides(base, {("labeling_rates", "expert", "usd_per_example"): 100.0})
    entry = overridden.find("labeling_rates", "expert")
    assert entry.usd_per_example == 100.0 and entry.confidence == "assumption"
    assert overridden.origins[("labeling_rates", "expert")] == prices.OVERRIDE_ORIGIN
    assert "usd_per_example was" in entry.notes
    after = run(scenario, overridden).strategy("ft-hosted").total_usd
    assert after > before
    assert base.find("labeling_rates", "expert").usd_per_example != 100.0  # built-ins untouched


def test_override_of_an_api_model_price() -> None:
    scenario = load_scenario(EXAMPLE)
    base = default_catalogs()
    before = run(scenario, base).strategy("prompt").usd_per_request
    current = prices.current_value(base, "models", "openai/gpt-4.1", "input_usd_per_mtok")
    assert current is not None and current > 0
    overridden = prices.apply_overrides(
        base, {("models", "openai/gpt-4.1", "input_usd_per_mtok"): current * 2}
    )
    after = run(scenario, overridden).strategy("prompt").usd_per_request
    assert after > before
    both = prices.apply_overrides(
        base,
        {
            ("models", "openai/gpt-4.1", "input_usd_per_mtok"): 1.0,
            ("models", "openai/gpt-4.1", "output_usd_per_mtok"): 2.0,
        },
    )
    entry = both.find("models", "openai/gpt-4.1")
    assert (entry.input_usd_per_mtok, entry.output_usd_per_mtok) == (1.0, 2.0)


@pytest.mark.parametrize(
    ("kind", "field", "value", "message"),
    [
        ("labeling_rates", "usd_per_example", -1.0, ">= 0"),
        ("discounts", "batch_multiplier", 11.0, "<= 10"),
        ("latency_profiles", "output_tokens_per_s", 0.0, "> 0"),
        ("models", "input_usd_per_mtok", float("nan"), "finite"),
        ("labeling_rates", "nope", 1.0, "not a field"),
        ("no_such_kind", "x", 1.0, "unknown catalog kind"),
    ],
)
def test_bad_overrides_are_refused_naming_the_field(
    kind: str, field: str, value: float, message: str
) -> None:
    with pytest.raises(InputError) as info:
        prices.check_override(kind, field, value)
    assert message in str(info.value)
    assert kind in info.value.problems[0].field


def test_custom_catalog_errors_name_the_upload_and_every_field() -> None:
    bad = b"labeling_rates:\n  - {id: x, usd_per_example: -1, source_url: nope, as_of: 2999-01-01}\n"
    with pytest.raises(InputError) as info:
        prices.parse_custom_catalog(bad, "../../secret/mine.yaml")
    fields = {p.field for p in info.value.problems}
    assert {
        "labeling_rates[0].usd_per_example",
        "labeling_rates[0].source_url",
        "labeling_rates[0].as_of",
    } <= fields
    assert {p.file for p in info.value.problems} == {"mine.yaml"}


def test_used_entries_lists_catalog_references_only() -> None:
    used = prices.used_entries(load_scenario(EXAMPLE))
    assert ("prompt", "models", "openai/gpt-4.1") in used
    assert ("rag", "vector_databases", "pinecone-serverless") in used
    assert prices.used_entries(golden_scenario()) == []  # inline prices only


def test_price_fields_are_numeric_with_units() -> None:
    fields = dict(prices.price_fields("finetune_offers"))
    assert fields["training_usd_per_mtok"].startswith("USD")
    assert "provider" not in fields and "as_of" not in fields
