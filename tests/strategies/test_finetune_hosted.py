"""``prepare_finetune_hosted`` on its own: labelling, training, retrains, tuned-model tokens, hosting.

Catalog entries come from the round-number test catalogs of ``tests/conftest.py``: offer
``test/ft-small`` (provider testprov, training 5 $/M, input 0.8 $/M, output 3.2 $/M, no hosting fee,
base model ``test/base-small``, as of 2026-01-01), labelling rate ``test-expert`` (3.5 $ per example),
testprov discounts (batch 0.5x, priority 2x) and the ``test/base-small`` latency profile (300 ms TTFT
at 1,000 tokens, 150 tokens/s, prefill 20,000 tokens/s).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import parse_catalog
from costmodel.core.errors import InputError
from costmodel.scenario.io import parse_scenario
from costmodel.scenario.types import FinetuneHostedStrategy
from costmodel.strategies.common import Context, PreparedStrategy
from costmodel.strategies.finetune_hosted import prepare_finetune_hosted
from costmodel.strategies.registry import prepare

REL = 1e-12

SCENARIO = """
name: hosted fine-tuning alone
horizon_months: 6
workload: {requests_per_month: 10000, input_tokens_per_request: 200, output_tokens_per_request: 100}
people: {engineer_usd_per_hour: 100}
strategies:
  - id: ft
    kind: finetune_hosted
    offer: test/ft-small
    system_prompt_tokens: 50
    n_training_examples: 1000
    tokens_per_example: 400
    n_epochs: 2
    labeling: test-expert
    retrain_every_months: 2
    n_new_examples_per_retrain: 200
    setup_hours: 20
    maintenance_hours_per_month: 5
"""
# per request, $/M tokens: (50 system + 200 user) * 0.8 + 100 output * 3.2 = 200 + 320 = 520
USD_PER_REQUEST = 520 / 1e6


def prepared(catalogs: Catalogs, text: str = SCENARIO) -> PreparedStrategy:
    scenario = parse_scenario(text, source="s.yaml")
    strategy = scenario.strategies[0]
    assert isinstance(strategy, FinetuneHostedStrategy)
    return prepare_finetune_hosted(strategy, Context(scenario=scenario, catalogs=catalogs))


def test_one_off_labelling_training_and_setup(test_catalogs: Catalogs) -> None:
    p = prepared(test_catalogs)
    # people 20 h * 100 $/h = 2000; labelling 1000 examples * 3.5 = 3500;
    # training 1000 examples * 400 tokens * 2 epochs = 800,000 tokens * 5 $/M = 4.0
    assert p.one_off_usd == pytest.approx({"people": 2000.0, "labeling": 3500.0, "training": 4.0}, rel=REL)
    assert p.details["initial_training_tokens"] == 800_000.0


def test_retrains_label_new_examples_and_train_on_all_so_far(test_catalogs: Catalogs) -> None:
    p = prepared(test_catalogs)
    # retrains in months 2, 4, 6 (every 2 months), each labelling 200 new examples: 200 * 3.5 = 700
    assert p.fixed_monthly_usd["labeling"].tolist() == pytest.approx([0, 700, 0, 700, 0, 700], rel=REL)
    # retrain j trains on 1000 + 200 j examples * 400 tokens * 2 epochs at 5 $/M:
    #   j=1: 1200 * 800 = 960,000 tok -> 4.8; j=2: 1400 * 800 -> 5.6; j=3: 1600 * 800 -> 6.4
    assert p.fixed_monthly_usd["training"].tolist() == pytest.approx([0, 4.8, 0, 5.6, 0, 6.4], rel=REL)
    # maintenance 5 h * 100 $/h; hosting 0 $/h * 730 h
    assert p.fixed_monthly_usd["people"].tolist() == [500.0] * 6
    assert p.fixed_monthly_usd["infrastructure"].tolist() == [0.0] * 6


def test_per_request_tokens_dates_details_and_notes(test_catalogs: Catalogs) -> None:
    p = prepared(test_catalogs)
    assert p.per_request_usd == pytest.approx({"tokens": USD_PER_REQUEST}, rel=REL)
    assert p.nonlinear is None
    assert p.prices_as_of == dt.date(2026, 1, 1)
    assert p.details["input_tokens_per_request"] == 250.0
    assert p.details["output_tokens_per_request"] == 100.0
    assert p.notes == ("latency: a fine-tuned model is assumed as fast as its base model (assumption)",)


def test_latency_is_the_base_models_profile(test_catalogs: Catalogs) -> None:
    p = prepared(test_catalogs)
    assert p.latency is not None
    assert p.latency.profile_id == "test/base-small"
    # TTFT: overhead 300 - 1000/20000*1000 = 250 ms, + 250/20000*1000 = 12.5 ms -> 262.5 ms
    # generation: 100 tokens / 150 tokens/s = 666.67 ms
    assert p.latency.time_to_first_token_ms == pytest.approx(262.5, rel=REL)
    assert p.latency.end_to_end_ms == pytest.approx(262.5 + 100 / 150 * 1000, rel=REL)


def test_provider_discounts_apply_to_the_tuned_model(test_catalogs: Catalogs) -> None:
    batch = prepared(test_catalogs, SCENARIO + "    batch_fraction: 0.5\n")
    # half the traffic at testprov's 0.5x batch price: 0.5 * 1 + 0.5 * 0.5 = 0.75 -> 390 $/M
    assert batch.per_request_usd["tokens"] == pytest.approx(390 / 1e6, rel=REL)
    priority = prepared(test_catalogs, SCENARIO + "    service_tier: priority\n")
    # testprov priority 2x -> 1040 $/M
    assert priority.per_request_usd["tokens"] == pytest.approx(1040 / 1e6, rel=REL)


def test_inline_offer_and_labelling(test_catalogs: Catalogs) -> None:
    text = SCENARIO.replace(
        "offer: test/ft-small",
        "offer: {training_usd_per_mtok: 10, input_usd_per_mtok: 1.0, output_usd_per_mtok: 4.0,"
        " hosting_usd_per_hour: 1.5}",
    ).replace("labeling: test-expert", "labeling: {usd_per_example: 2.0}")
    p = prepared(test_catalogs, text)
    # tokens: 250 * 1.0 + 100 * 4.0 = 650 $/M; hosting 1.5 $/h * 730 h = 1095 $ a month
    assert p.per_request_usd["tokens"] == pytest.approx(650 / 1e6, rel=REL)
    assert p.fixed_monthly_usd["infrastructure"].tolist() == pytest.approx([1095.0] * 6, rel=REL)
    # labelling 1000 * 2.0 = 2000; training 800,000 tokens * 10 $/M = 8.0
    assert p.one_off_usd["labeling"] == 2000.0
    assert p.one_off_usd["training"] == pytest.approx(8.0, rel=REL)
    assert p.prices_as_of is None
    # no base model: the class default for 4 $/M output (medium), flagged
    assert p.latency is not None and p.latency.profile_id == "default-medium"


def test_without_labelling_the_examples_are_free_and_it_says_so(test_catalogs: Catalogs) -> None:
    p = prepared(test_catalogs, SCENARIO.replace("    labeling: test-expert\n", ""))
    assert p.one_off_usd["labeling"] == 0.0
    assert p.fixed_monthly_usd["labeling"].tolist() == [0.0] * 6
    assert any(n.startswith("labeling not set:") for n in p.notes)


def test_a_provider_shutdown_date_stops_the_strategy_without_a_replacement() -> None:
    catalogs = parse_catalog(
        """
finetune_offers:
  - {id: p/ft, provider: p, base_model: p/base, training_usd_per_mtok: 5.0, input_usd_per_mtok: 0.8,
     output_usd_per_mtok: 3.2, shutdown_date: 2027-06-30, source_url: "https://example.org/ft", as_of: 2026-01-01}
labeling_rates:
  - {id: test-expert, usd_per_example: 3.5, source_url: "https://example.org/l", as_of: 2026-01-01}
latency_profiles:
  - {id: p/base, ttft_ms: 300, output_tokens_per_s: 150, source_url: "https://example.org/lat", as_of: 2026-01-01}
""",
        source="shutdown.yaml",
    )
    text = SCENARIO.replace("offer: test/ft-small", "offer: p/ft").replace(
        "horizon_months: 6", "horizon_months: 12"
    )
    scenario = parse_scenario(text, source="s.yaml")
    p = prepare(scenario.strategies[0], Context(scenario=scenario, catalogs=catalogs))
    # Month 1 is December 2026 (tests pin today); 2027-06-30 is in month 7 and no replacement is known:
    # the strategy stops after month 6 and cannot be cheapest.
    assert p.available is False and p.available_months == 6
    assert [(e.month, e.kind, e.replacement) for e in p.lifecycle_events] == [(7, "shutdown", None)]
    assert any("p/ft shuts down on 2027-06-30 (month 7); no replacement is known" in n for n in p.notes)
    assert float(np.sum(p.monthly_usd(np.full(12, 1000.0))["tokens"][6:])) == 0.0


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("offer: test/ft-small", "offer: no-such-offer", "offer"),
        ("labeling: test-expert", "labeling: no-such-rate", "labeling"),
    ],
)
def test_unknown_ids_name_the_field(test_catalogs: Catalogs, old: str, new: str, field: str) -> None:
    with pytest.raises(InputError, match=rf"s\.yaml:\d+: strategies\[0\]\.{field}: ") as err:
        prepared(test_catalogs, SCENARIO.replace(old, new))
    assert new.split(": ")[1] in str(err.value)
