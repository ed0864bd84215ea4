"""``prepare_prompting`` on its own: cost coefficients, notes and errors, goldens worked by hand.

Prices are inline (the round-number test catalogs of ``tests/conftest.py`` hold no API models) and
latency falls back to the catalog's ``default-medium`` profile (600 ms TTFT at 1,000 input tokens,
100 tokens/s, prefill 20,000 tokens/s), chosen because the output price 8 $/M is in [2, 20).
"""

from __future__ import annotations

import numpy as np
import pytest

from costmodel.catalog.entry import Catalogs
from costmodel.core.errors import InputError
from costmodel.scenario.io import parse_scenario
from costmodel.scenario.types import PromptingStrategy
from costmodel.strategies.common import CATEGORIES, Context, PreparedStrategy
from costmodel.strategies.prompting import prepare_prompting

REL = 1e-12

SCENARIO = """
name: prompting alone
horizon_months: 3
workload: {requests_per_month: 1000, input_tokens_per_request: 100, output_tokens_per_request: 200}
people: {engineer_usd_per_hour: 100}
strategies:
  - id: p
    kind: prompting
    model: {input_usd_per_mtok: 2.0, cached_input_usd_per_mtok: 0.5, output_usd_per_mtok: 8.0}
    system_prompt_tokens: 500
    n_shots: 2
    tokens_per_shot: 250
    cache_hit_fraction: 0.5
    setup_hours: 10
    maintenance_hours_per_month: 2
    accuracy_fraction: 0.8
"""


def prepared(catalogs: Catalogs, text: str = SCENARIO) -> PreparedStrategy:
    scenario = parse_scenario(text, source="s.yaml")
    strategy = scenario.strategies[0]
    assert isinstance(strategy, PromptingStrategy)
    return prepare_prompting(strategy, Context(scenario=scenario, catalogs=catalogs))


def test_one_off_monthly_and_per_request_coefficients(test_catalogs: Catalogs) -> None:
    p = prepared(test_catalogs)
    assert (p.id, p.kind, p.accuracy_fraction) == ("p", "prompting", 0.8)
    # one-off: 10 setup hours * 100 $/h = 1000 $, all people
    assert p.one_off_usd == {"people": 1000.0}
    # monthly: 2 maintenance hours * 100 $/h = 200 $ in each of the 3 months
    assert set(p.fixed_monthly_usd) == {"people"}
    assert p.fixed_monthly_usd["people"].tolist() == [200.0, 200.0, 200.0]
    # per request, $/M tokens: static prefix 500 + 2*250 = 1000 tokens, half cache hits:
    #   1000 * (0.5*0.5 + 0.5*2.0) = 1250; user input 100 * 2.0 = 200; output 200 * 8.0 = 1600
    #   -> 3050 $/M = 0.00305 $ per request
    assert set(p.per_request_usd) == {"tokens"}
    assert p.per_request_usd["tokens"] == pytest.approx(0.00305, rel=REL)
    assert p.nonlinear is None
    assert p.prices_as_of is None  # inline prices carry no date
    assert p.details == {
        "input_tokens_per_request": 1100.0,
        "output_tokens_per_request": 200.0,
        "reasoning_tokens_per_request": 0.0,
    }


def test_monthly_usd_is_fixed_plus_per_request_times_volume(test_catalogs: Catalogs) -> None:
    months = prepared(test_catalogs).monthly_usd(np.array([1000.0, 2000.0, 0.0]))
    assert set(months) == set(CATEGORIES)
    # tokens: 0.00305 $ * requests; people: 200 $ a month whatever the volume
    assert months["tokens"].tolist() == pytest.approx([3.05, 6.1, 0.0], rel=REL)
    assert months["people"].tolist() == [200.0, 200.0, 200.0]
    assert months["gpu"].tolist() == [0.0, 0.0, 0.0]


def test_latency_uses_the_class_default_profile_and_says_so(test_catalogs: Catalogs) -> None:
    p = prepared(test_catalogs)
    assert p.latency is not None
    # TTFT: overhead 600 - 1000/20000*1000 = 550 ms, + 1100/20000*1000 = 55 ms prefill -> 605 ms
    # generation: 200 tokens / 100 tokens/s = 2000 ms -> 2605 ms end to end
    assert p.latency.time_to_first_token_ms == pytest.approx(605.0, rel=REL)
    assert p.latency.end_to_end_ms == pytest.approx(2605.0, rel=REL)
    assert p.latency.profile_id == "default-medium"
    assert any("class default default-medium" in n for n in p.notes)


def test_output_override_batch_share_and_missing_cached_price(test_catalogs: Catalogs) -> None:
    text = (
        SCENARIO.replace("cached_input_usd_per_mtok: 0.5, ", "")
        .replace("output_usd_per_mtok: 8.0}", "output_usd_per_mtok: 8.0, batch_multiplier: 0.5}")
        .replace(
            "    accuracy_fraction: 0.8",
            "    accuracy_fraction: 0.8\n    batch_fraction: 0.5\n    output_tokens_per_request: 50",
        )
    )
    p = prepared(test_catalogs, text)
    # no cached price: the 1000 prefix tokens all pay 2.0 -> 2000; input 100*2.0 = 200; output 50*8.0 = 400
    #   -> 2600 $/M; half the traffic at the 0.5x batch price: multiplier 0.5*1 + 0.5*0.5 = 0.75
    #   -> 2600 * 0.75 / 1e6 = 0.00195 $
    assert p.per_request_usd["tokens"] == pytest.approx(0.00195, rel=REL)
    assert p.details["output_tokens_per_request"] == 50.0
    assert "no cached-input price known: cache hits billed at the input price" in p.notes


def test_batch_without_a_known_multiplier_names_the_field(test_catalogs: Catalogs) -> None:
    text = SCENARIO.replace(
        "    accuracy_fraction: 0.8", "    accuracy_fraction: 0.8\n    batch_fraction: 0.5"
    )
    with pytest.raises(InputError, match=r"strategies\[0\]\.batch_fraction: no batch price multiplier"):
        prepared(test_catalogs, text)


def test_service_tier_without_a_provider_discount_names_the_field(test_catalogs: Catalogs) -> None:
    text = SCENARIO.replace(
        "    accuracy_fraction: 0.8", "    accuracy_fraction: 0.8\n    service_tier: flex"
    )
    with pytest.raises(InputError, match=r"strategies\[0\]\.service_tier: no flex price multiplier"):
        prepared(test_catalogs, text)


def test_unknown_model_id_names_the_field(test_catalogs: Catalogs) -> None:
    text = SCENARIO.replace(
        "model: {input_usd_per_mtok: 2.0, cached_input_usd_per_mtok: 0.5, output_usd_per_mtok: 8.0}",
        "model: nowhere/no-such-model",
    )
    with pytest.raises(InputError, match=r"s\.yaml:\d+: strategies\[0\]\.model: ") as err:
        prepared(test_catalogs, text)
    assert "nowhere/no-such-model" in str(err.value)
