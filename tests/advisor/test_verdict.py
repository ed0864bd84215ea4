"""The verdict (costmodel/advisor/verdict.py): cheapest, best value, the advisor's pick, and what flips them.

Every expected figure is computed by hand in the comments from inline prices.
"""

from __future__ import annotations

import pytest
from conftest import TEST_CATALOG_YAML

from costmodel.advisor.recommendation import advise
from costmodel.advisor.verdict import best_value_id, outcome, verdict, with_input
from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import parse_catalog
from costmodel.engine import run
from costmodel.scenario.io import parse_scenario
from costmodel.simulation.default_ranges import default_uncertainty

# a: 100,000 requests x 200 tokens x $1/Mtok = $20/month -> $240 over 12 months, right 80% of the time.
# b: the same $20/month plus a $1,000 one-off (10 h x $100) -> $1,240, right 90% of the time.
# Net value at $0.01 per correct answer (1.2M requests): a 9,600 - 240 = 9,360; b 10,800 - 1,240 = 9,560.
VALUE = """
name: verdict
horizon_months: 12
workload: {requests_per_month: 100000, input_tokens_per_request: 100, output_tokens_per_request: 100}
people: {engineer_usd_per_hour: 100}
value: {usd_per_correct_answer: 0.01, usd_per_wrong_answer: 0}
strategies:
  - {id: a, kind: prompting, model: {input_usd_per_mtok: 1, output_usd_per_mtok: 1}, accuracy_fraction: 0.8}
  - id: b
    kind: finetune_hosted
    offer: {training_usd_per_mtok: 0, input_usd_per_mtok: 1, output_usd_per_mtok: 1}
    n_training_examples: 1
    tokens_per_example: 1
    setup_hours: 10
    accuracy_fraction: 0.9
"""

# c: 100,000 x 200 x $2/Mtok = $40/month -> $480. d: $0.1/Mtok -> $2/month = $24, plus 100 examples
# labelled at the catalog's $3.50 = $350 -> $374: d is cheapest until 24 + 100 r > 480, i.e. r > $4.56.
LABELLING = """
name: labelling
horizon_months: 12
workload: {requests_per_month: 100000, input_tokens_per_request: 100, output_tokens_per_request: 100}
strategies:
  - {id: c, kind: prompting, model: {input_usd_per_mtok: 2, output_usd_per_mtok: 2}}
  - id: d
    kind: finetune_hosted
    offer: {training_usd_per_mtok: 0, input_usd_per_mtok: 0.1, output_usd_per_mtok: 0.1}
    n_training_examples: 100
    tokens_per_example: 1
    labeling: test-expert
"""


@pytest.fixture(scope="module")
def ranged_catalogs() -> Catalogs:
    """The test catalogs with a plausible range on the labelling rate ($1-$10, an assumption)."""
    text = TEST_CATALOG_YAML.replace(
        "usd_per_example: 3.5,",
        "usd_per_example: 3.5, low_usd_per_example: 1.0, high_usd_per_example: 10.0, confidence: assumption,",
    )
    assert text != TEST_CATALOG_YAML
    return parse_catalog(text, source="ranged")


def test_cheapest_and_best_value_differ_and_the_sentence_says_why(test_catalogs: Catalogs) -> None:
    result = run(parse_scenario(VALUE), test_catalogs)
    assert result.strategy("a").net_value_usd == pytest.approx(9360.0)
    assert result.strategy("b").net_value_usd == pytest.approx(9560.0)
    v = verdict(result, test_catalogs, assumptions=False)
    assert (v.cheapest_id, v.best_value_id, v.recommended_id) == ("a", "b", None)  # no needs block
    assert v.sentence == (
        "Over 12 months at 100k requests/month, a is the cheapest at $240 in total; "
        "b earns $200 more net value because it is right 90% of the time against 80%."
    )
    data = v.to_dict()
    assert set(data) >= {"cheapest_id", "best_value_id", "recommended_id", "sentence", "decisive_assumptions"}


def test_no_value_block_no_best_value(test_catalogs: Catalogs) -> None:
    result = run(parse_scenario(LABELLING), test_catalogs)
    assert best_value_id(result) is None
    assert verdict(result, test_catalogs, assumptions=False).best_value_id is None


def test_recommended_is_the_advisors_pick_with_a_needs_block(test_catalogs: Catalogs) -> None:
    text = VALUE.replace("strategies:", "needs: {stage: prototype}\nstrategies:")
    result = run(parse_scenario(text), test_catalogs)
    v = verdict(result, test_catalogs, assumptions=False)
    assert v.recommended_id == advise(result).recommended_id == "a"  # a prototype favours prompting
    assert v.sentence.endswith(
        "a is the cheapest at $240 in total, the advisor's pick; "
        "b earns $200 more net value because it is right 90% of the time against 80%."
    )
    assert v.reasons and v.reasons[0].startswith("Stage")


def test_accuracy_flips_the_best_value_at_the_hand_computed_point(test_catalogs: Catalogs) -> None:
    result = run(parse_scenario(VALUE), test_catalogs)
    v = verdict(result, test_catalogs, extra=default_uncertainty(result.scenario, test_catalogs))
    by_field = {d.plausible.path: d for d in v.decisive_assumptions}
    # b stays best while 12,000 x acc_b - 1,240 > 9,360, i.e. acc_b > 0.8833: reported as 0.88 (the flipped side)
    b = by_field["strategies[1].accuracy_fraction"]
    assert (b.flips_at, b.direction, b.subject, b.new_id) == (0.88, "below", "best value", "a")
    # a overtakes when 12,000 x acc_a - 240 > 9,560, i.e. acc_a > 0.8167: reported as 0.82
    a = by_field["strategies[0].accuracy_fraction"]
    assert (a.flips_at, a.direction, a.new_id) == (0.82, "above", "a")
    assert v.decisive_assumptions[0] is b  # nearest its current value (2.2% away against 2.5%)


def test_labelling_rate_is_decisive_and_the_flip_reruns(ranged_catalogs: Catalogs) -> None:
    result = run(parse_scenario(LABELLING), ranged_catalogs)
    assert result.strategy("d").total_usd == pytest.approx(374.0)
    assert result.strategy("c").total_usd == pytest.approx(480.0)
    v = verdict(result, ranged_catalogs, extra=default_uncertainty(result.scenario, ranged_catalogs))
    first = v.decisive_assumptions[0]
    assert first.to_dict() | {"text": ""} == first.to_dict() | {
        "field": "strategies[1].labeling.usd_per_example",
        "value": 3.5,
        "flips_at": 4.6,  # 24 + 100 r = 480 at r = $4.56; 2 significant figures on the flipped side
        "confidence": "assumption",
        "direction": "above",
        "new_id": "c",
        "text": "",
    }
    assert "labelling (test-expert) for d, per example rises to $4.60" in first.text
    for d in v.decisive_assumptions:  # each claim holds when re-run at flips_at, and not at the value now
        k = 0 if d.subject == "cheapest" else 1
        flipped = outcome(run(with_input(result.scenario, d.plausible.path, d.flips_at), ranged_catalogs))
        assert flipped[k] == d.new_id != outcome(result)[k]


def test_no_decisive_assumption_without_ranges(test_catalogs: Catalogs) -> None:
    result = run(parse_scenario(LABELLING), test_catalogs)  # the test catalog's rate has no low/high
    assert verdict(result, test_catalogs).decisive_assumptions == ()
