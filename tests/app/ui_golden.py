"""A hand-computable scenario shared by the UI tests (figures, exports, share links).

Prices are inline round numbers, so every figure below is computed by hand:
- a (prompting, $10/Mtok in and out): 100 + 100 tokens per request = $0.002; 100,000 requests/month
  = $200/month; no one-off cost; 12 months = $2,400.
- b (hosted fine-tuning, $1/Mtok in and out, training free): $0.0002 per request = $20/month; one-off
  10 setup hours x $100 = $1,000; 12 months = $1,240.
- Time breakeven: 200 m >= 1000 + 20 m first holds at m = 6 (a: $1,200, b: $1,120).
- Volume breakeven: 12 x 0.002 q = 1000 + 12 x 0.0002 q  =>  q = 1000 / 0.0216 = 46,296.3 requests/month.
- Latency (test catalog class defaults): a 555 ms TTFT + 1,000 ms generation = 1,555 ms; b 355 + 666.7 ms.
"""

from __future__ import annotations

from costmodel.catalog.entry import Catalogs
from costmodel.engine import RunResult, run
from costmodel.scenario.io import parse_scenario
from costmodel.scenario.types import Scenario

GOLDEN_YAML = """
name: Golden <b>test</b> =1+1
horizon_months: 12
workload: {requests_per_month: 100000, input_tokens_per_request: 100, output_tokens_per_request: 100}
people: {engineer_usd_per_hour: 100}
needs: {latency_budget_ms: 1500}
strategies:
  - {id: a, kind: prompting, model: {input_usd_per_mtok: 10, output_usd_per_mtok: 10}, accuracy_fraction: 0.8}
  - id: b
    kind: finetune_hosted
    offer: {training_usd_per_mtok: 0, input_usd_per_mtok: 1, output_usd_per_mtok: 1}
    n_training_examples: 1
    tokens_per_example: 1
    n_epochs: 1
    setup_hours: 10
    accuracy_fraction: 0.9
"""

BREAKEVEN_MONTH = 6
BREAKEVEN_VOLUME = 1000 / 0.0216
TOTAL_A_USD = 2400.0
TOTAL_B_USD = 1240.0


def golden_scenario() -> Scenario:
    """The scenario above."""
    return parse_scenario(GOLDEN_YAML, source="golden.yaml")


def golden_result(catalogs: Catalogs) -> RunResult:
    """Its result with the hand-written test catalogs (class-default latency profiles)."""
    return run(golden_scenario(), catalogs)
