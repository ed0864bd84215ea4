"""``cascade``: tiers at the share of requests that reach them, router, accuracy and latency; goldens by hand.

Tier ``small``: inline model at 1 / 2 $ per 1M input / output tokens, 100 ms TTFT, 100 tokens/s.
Tier ``large``: 10 / 20 $, 200 ms TTFT, 50 tokens/s. Requests: 1,000 input and 500 output tokens,
1,000 a month for 12 months; engineers at 100 $/h.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from costmodel.catalog.entry import Catalogs
from costmodel.core.errors import InputError
from costmodel.engine import run
from costmodel.scenario.io import dump_scenario, parse_scenario

REL = 1e-9

TIERS = """
name: cascade goldens
horizon_months: 12
start_date: 2026-12-01
workload: {{requests_per_month: 1000, input_tokens_per_request: 1000, output_tokens_per_request: 500}}
people: {{engineer_usd_per_hour: 100}}
strategies:
  - id: small
    kind: prompting
    model: {{input_usd_per_mtok: 1, output_usd_per_mtok: 2, ttft_ms: 100, output_tokens_per_s: 100}}
    reasoning_tokens_per_request: 0
    accuracy_fraction: 0.8
    setup_hours: 10
  - id: large
    kind: prompting
    model: {{input_usd_per_mtok: 10, output_usd_per_mtok: 20, ttft_ms: 200, output_tokens_per_s: 50}}
    reasoning_tokens_per_request: 0
    accuracy_fraction: 0.95
  - id: cascade
    kind: cascade
    setup_hours: 5
    router: {{usd_per_request: 0.001, latency_ms: 10}}
    tiers:
      - {{strategy: small, escalate_fraction: {e}}}
      - {{strategy: large}}
"""


def _run(catalogs: Catalogs, e: float = 0.25, text: str = TIERS) -> dict[str, dict[str, Any]]:
    result = run(parse_scenario(text.format(e=e), source="c.yaml"), catalogs)
    return {s["id"]: s for s in result.to_dict()["strategies"]}


def test_cascade_golden(test_catalogs: Catalogs) -> None:
    out = _run(test_catalogs)
    c = out["cascade"]
    # per request: small 0.002 + 0.25 x large 0.02 + router 0.001 = 0.008; one-off (10 + 5) h x 100 = 1,500
    assert c["usd_per_request"] == pytest.approx(0.008, rel=REL)
    assert c["one_off_usd"] == pytest.approx(1500.0, rel=REL)
    assert c["total_usd"] == pytest.approx(1500.0 + 12 * 1000 * 0.008, rel=REL)
    assert c["accuracy_fraction"] == pytest.approx(0.75 * 0.8 + 0.25 * 0.95, rel=REL)
    tiers = c["tiers"]
    assert [t["strategy"] for t in tiers] == ["small", "large"]
    assert [t["requests_fraction"] for t in tiers] == pytest.approx([1.0, 0.25])
    assert [t["answered_fraction"] for t in tiers] == pytest.approx([0.75, 0.25])
    # small: 1,000 one-off + 12 x 1,000 x 0.002; large: 12 x 250 x 0.02
    assert [t["usd"] for t in tiers] == pytest.approx([1000.0 + 24.0, 60.0], rel=REL)
    # latency: tiers' own estimates composed (mean over requests)
    small, large = out["small"]["latency_ms"], out["large"]["latency_ms"]
    e2e = 10 + small["end_to_end"] + 0.25 * large["end_to_end"]
    ttft = (
        10 + 0.75 * small["time_to_first_token"] + 0.25 * (small["end_to_end"] + large["time_to_first_token"])
    )
    assert c["latency_ms"]["end_to_end"] == pytest.approx(e2e, rel=REL)
    assert c["latency_ms"]["time_to_first_token"] == pytest.approx(ttft, rel=REL)
    # the inline speeds give 100 + 500/100 s and 200 + 500/50 s (plus whatever prefill the profile adds)
    assert small["end_to_end"] >= 5100.0 and large["end_to_end"] >= 10200.0
    # the tier strategies stand alone too, unchanged
    assert out["small"]["total_usd"] == pytest.approx(1000.0 + 12 * 1000 * 0.002, rel=REL)


def test_escalate_zero_costs_first_tier_plus_router(test_catalogs: Catalogs) -> None:
    out = _run(test_catalogs, e=0.0)
    router = 12 * 1000 * 0.001
    assert out["cascade"]["total_usd"] == pytest.approx(out["small"]["total_usd"] + router + 500.0, rel=REL)


def test_escalate_one_costs_both_tiers_in_full(test_catalogs: Catalogs) -> None:
    out = _run(test_catalogs, e=1.0)
    both = out["small"]["total_usd"] + out["large"]["total_usd"]
    assert out["cascade"]["total_usd"] == pytest.approx(both + 12 * 1000 * 0.001 + 500.0, rel=REL)
    assert out["cascade"]["accuracy_fraction"] == pytest.approx(0.95, rel=REL)


def test_cost_is_monotone_in_escalation(test_catalogs: Catalogs) -> None:
    totals = [_run(test_catalogs, e=e)["cascade"]["total_usd"] for e in np.linspace(0.0, 1.0, 6)]
    assert all(b > a for a, b in itertools.pairwise(totals))


def _error(text: str) -> str:
    with pytest.raises(InputError) as info:
        parse_scenario(text, source="c.yaml")
    return "\n".join(str(p) for p in info.value.problems)


def test_unknown_tier_id_names_file_line_field() -> None:
    msg = _error(TIERS.format(e=0.2).replace("{strategy: large}", "{strategy: larg}"))
    assert "c.yaml:25: strategies[2].tiers[1].strategy: unknown strategy id 'larg'" in msg


def test_fraction_outside_unit_interval() -> None:
    msg = _error(TIERS.format(e=1.5))
    assert "c.yaml:24: strategies[2].tiers[0].escalate_fraction: expected a number <= 1, got 1.5" in msg
    msg = _error(TIERS.format(e=-0.1))
    assert "strategies[2].tiers[0].escalate_fraction: expected a number >= 0" in msg


def test_cycle_between_cascades() -> None:
    text = TIERS.format(e=0.2) + (
        "  - id: other\n    kind: cascade\n    tiers:\n"
        "      - {strategy: small, escalate_fraction: 0.5}\n      - {strategy: loop}\n"
        "  - id: loop\n    kind: cascade\n    tiers:\n"
        "      - {strategy: small, escalate_fraction: 0.5}\n      - {strategy: other}\n"
    )
    msg = _error(text)
    assert "strategies[3].tiers: cascades refer to each other in a cycle" in msg
    self_ref = _error(TIERS.format(e=0.2).replace("{strategy: large}", "{strategy: cascade}"))
    assert "strategies[2].tiers[1].strategy: a cascade cannot be its own tier" in self_ref


def test_escalate_fraction_required_but_not_on_last_tier() -> None:
    missing = _error(
        TIERS.format(e=0.2).replace("{strategy: small, escalate_fraction: 0.2}", "{strategy: small}")
    )
    assert "strategies[2].tiers[0].escalate_fraction: required on every tier but the last" in missing
    last = _error(
        TIERS.format(e=0.2).replace("{strategy: large}", "{strategy: large, escalate_fraction: 0.1}")
    )
    assert "strategies[2].tiers[1].escalate_fraction: the last tier answers everything" in last


def test_cascade_round_trips_through_yaml() -> None:
    s = parse_scenario(TIERS.format(e=0.2), source="c.yaml")
    assert parse_scenario(dump_scenario(s), source="c.yaml").strategies == s.strategies
