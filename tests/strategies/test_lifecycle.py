"""Lifecycle rules (SCENARIO.md "Version 1 additions (lifecycle)"): retired at start, migrations, stops,
the end of new fine-tuning jobs and the API price trend — on a hand-written catalog, values by hand.

Today is pinned to 2026-12-06 (tests/conftest.py), so month 1 is December 2026 unless start_date says
otherwise.
"""

from __future__ import annotations

import numpy as np
import pytest

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import parse_catalog
from costmodel.core.errors import InputError
from costmodel.engine import run
from costmodel.scenario.io import parse_scenario

CATALOG = """
models:
  - {id: t/old, input_usd_per_mtok: 2.0, output_usd_per_mtok: 8.0, source_url: "https://example.org/p", as_of: 2026-11-01}
  - {id: t/new, input_usd_per_mtok: 1.0, output_usd_per_mtok: 4.0, source_url: "https://example.org/p", as_of: 2026-11-01}
  - {id: t/gone, input_usd_per_mtok: 1.0, output_usd_per_mtok: 4.0, source_url: "https://example.org/p", as_of: 2026-11-01}
finetune_offers:
  - {id: t/ft-old, provider: t, base_model: t/old, training_usd_per_mtok: 10.0, input_usd_per_mtok: 3.0,
     output_usd_per_mtok: 6.0, source_url: "https://example.org/ft", as_of: 2026-11-01}
  - {id: t/ft-new, provider: t, base_model: t/new, training_usd_per_mtok: 1.0, input_usd_per_mtok: 0.5,
     output_usd_per_mtok: 1.0, source_url: "https://example.org/ft", as_of: 2026-11-01}
lifecycle:
  - {id: t/old, subject: model, deprecated_on: 2026-10-01, shutdown_on: 2027-03-15, replacement: t/new,
     source_url: "https://example.org/deprecations", as_of: 2026-11-01}
  - {id: t/gone, subject: model, shutdown_on: 2026-11-30, replacement: t/new,
     source_url: "https://example.org/deprecations", as_of: 2026-11-01}
  - {id: t/ft-old, subject: finetune_offer, new_jobs_until: 2027-01-06, shutdown_on: 2027-06-14,
     source_url: "https://example.org/ft-deprecations", as_of: 2026-11-01}
"""

BASE = """
horizon_months: 12
workload: {requests_per_month: 1000000, input_tokens_per_request: 100, output_tokens_per_request: 100}
people: {engineer_usd_per_hour: 100}
strategies:
"""


@pytest.fixture
def catalogs(test_catalogs: Catalogs) -> Catalogs:
    return test_catalogs.merged(parse_catalog(CATALOG, source="lifecycle-test.yaml"))


def _run(catalogs: Catalogs, strategies: str, extra: str = "") -> dict[str, object]:
    scenario = parse_scenario(extra + BASE + strategies, source="s.yaml")
    return run(scenario, catalogs).to_dict()


def test_a_model_retired_before_the_start_is_an_input_error_naming_the_replacement(
    catalogs: Catalogs,
) -> None:
    with pytest.raises(InputError) as err:
        _run(catalogs, "  - {id: p, kind: prompting, model: t/gone}\n")
    message = str(err.value)
    assert "strategies[0].model" in message and "t/gone was shut down on 2026-11-30" in message
    assert "its replacement is t/new" in message


def test_a_shutdown_inside_the_horizon_migrates_from_that_month(catalogs: Catalogs) -> None:
    out = _run(catalogs, "  - {id: p, kind: prompting, model: t/old, migration_hours: 30}\n")
    s = out["strategies"][0]  # type: ignore[index]
    # 2027-03-15 is in month 4 (Dec, Jan, Feb, Mar). Per request: 100 x 2 + 100 x 8 = 1,000 $/M tokens
    # before, 100 x 1 + 100 x 4 = 500 after; 1M requests a month.
    expected = [1000.0] * 3 + [500.0 + 3000.0] + [500.0] * 8
    assert s["monthly_usd"] == pytest.approx(expected, rel=1e-12)
    # The deprecation (2026-10-01) is before the start: a note, not an event.
    assert s["lifecycle_events"] == [
        {
            "month": 4,
            "date": "2027-03-15",
            "kind": "shutdown",
            "subject": "t/old",
            "replacement": "t/new",
            "one_off_usd": 3000.0,
            "source_url": "https://example.org/deprecations",
        }
    ]
    assert s["available_months"] == 12 and s["available"] is True
    assert out["start_date"] == "2026-12-01"


def test_stop_or_no_replacement_ends_the_strategy_and_it_cannot_be_cheapest(catalogs: Catalogs) -> None:
    out = _run(
        catalogs,
        "  - {id: p, kind: prompting, model: t/old, on_model_retirement: stop}\n"
        "  - {id: q, kind: prompting, model: t/new}\n"
        "  - {id: f, kind: finetune_hosted, offer: t/ft-old, n_training_examples: 10, tokens_per_example: 100}\n",
    )
    p, _q, f = out["strategies"]  # type: ignore[misc]
    assert p["available"] is False and p["available_months"] == 3
    assert p["monthly_usd"][3:] == [0.0] * 9 and p["total_usd"] == pytest.approx(3000.0)
    assert f["available_months"] == 6 and f["lifecycle_events"][0]["replacement"] is None
    assert out["cheapest_id"] == "q"  # p is cheaper in total but cannot serve the horizon


def test_no_new_jobs_with_a_retrain_planned_migrates_the_tune_and_retrains_everything(
    catalogs: Catalogs,
) -> None:
    out = _run(
        catalogs,
        "  - {id: f, kind: finetune_hosted, offer: t/ft-old, migrate_to: t/ft-new, n_training_examples: 1000,\n"
        "     tokens_per_example: 500, n_epochs: 2, retrain_every_months: 1, n_new_examples_per_retrain: 100,\n"
        "     migration_hours: 10}\n",
    )
    f = out["strategies"][0]  # type: ignore[index]
    kinds = [(e["month"], e["kind"]) for e in f["lifecycle_events"]]
    assert kinds == [(2, "new_jobs_end")]
    # Month 2: all examples so far (1000 + 2 retrains x 100 = 1,200) x 500 tokens x 2 epochs at $1/M on
    # the new offer = $1.20, plus 10 h x $100.
    assert f["lifecycle_events"][0]["one_off_usd"] == pytest.approx(1001.2)
    # Month 3 retrain on the new offer: 1,300 examples x 1,000 tokens x $1/M = $1.30 (old offer: $13).
    tokens_m3 = 1_000_000 * (100 * 0.5 + 100 * 1.0) / 1e6
    assert f["monthly_usd"][2] == pytest.approx(tokens_m3 + 1.3)


def test_price_trend_compounds_token_prices_month_by_month(catalogs: Catalogs) -> None:
    out = _run(
        catalogs, "  - {id: q, kind: prompting, model: t/new}\n", "price_change_fraction_per_year: -0.3\n"
    )
    monthly = np.array(out["strategies"][0]["monthly_usd"])  # type: ignore[index]
    assert monthly == pytest.approx(500.0 * 0.7 ** (np.arange(12) / 12.0), rel=1e-12)


def test_start_date_moves_month_one(catalogs: Catalogs) -> None:
    out = _run(catalogs, "  - {id: p, kind: prompting, model: t/old}\n", "start_date: 2027-02-10\n")
    events = out["strategies"][0]["lifecycle_events"]  # type: ignore[index]
    assert [(e["month"], e["kind"]) for e in events] == [(2, "shutdown")]


def test_a_cached_prefix_below_the_provider_minimum_gets_no_discount(test_catalogs: Catalogs) -> None:
    catalogs = test_catalogs.merged(
        parse_catalog(
            CATALOG.replace(
                "lifecycle:",
                "prompt_caching:\n  - {id: t, min_cached_prefix_tokens: 1024, "
                'source_url: "https://example.org/c", as_of: 2026-11-01}\nlifecycle:',
            ).replace(
                "output_usd_per_mtok: 4.0, source",
                "output_usd_per_mtok: 4.0, cached_input_usd_per_mtok: 0.1, source",
                1,
            ),
            source="c.yaml",
        )
    )
    short = _run(
        catalogs,
        "  - {id: q, kind: prompting, model: t/new, system_prompt_tokens: 600, cache_hit_fraction: 1}\n",
    )
    long = _run(
        catalogs,
        "  - {id: q, kind: prompting, model: t/new, system_prompt_tokens: 2000, cache_hit_fraction: 1}\n",
    )
    # 600-token prefix: billed in full at $1/M; 2,000 tokens: cached at $0.10/M.
    assert short["strategies"][0]["usd_per_request"] == pytest.approx(
        (600 * 1.0 + 100 * 1.0 + 100 * 4.0) / 1e6
    )
    assert long["strategies"][0]["usd_per_request"] == pytest.approx(
        (2000 * 0.1 + 100 * 1.0 + 100 * 4.0) / 1e6
    )
    assert any("shorter than the 1,024 tokens" in n for n in short["strategies"][0]["notes"])


def test_reasoning_tokens_are_billed_as_output(catalogs: Catalogs) -> None:
    out = _run(catalogs, "  - {id: q, kind: prompting, model: t/new, reasoning_tokens_per_request: 400}\n")
    assert out["strategies"][0]["usd_per_request"] == pytest.approx((100 * 1.0 + 500 * 4.0) / 1e6)
