"""A scenario with distributions in many fields (and its all-central twin), shared by the scenario and simulation tests."""

UNCERTAIN = """
name: uncertain
horizon_months: 6
workload:
  requests_per_month: {dist: lognormal, median: 10000, p90: 30000}
  growth_fraction_per_month: {low: -0.02, likely: 0.03, high: 0.1}
  input_tokens_per_request: 150
  output_tokens_per_request: {low: 200, likely: 300, high: 600}
value: {usd_per_correct_answer: {dist: uniform, low: 0.2, high: 0.6}, usd_per_wrong_answer: 1.0}
people: {engineer_usd_per_hour: {low: 80, likely: 120, high: 200}}
needs: {latency_budget_ms: {low: 1000, likely: 2000, high: 3000}}
strategies:
  - id: prompt
    kind: prompting
    model: {input_usd_per_mtok: {low: 1.5, likely: 2.0, high: 2.5}, output_usd_per_mtok: 8.0}
    n_shots: {dist: uniform, low: 1, high: 4}
    tokens_per_shot: 200
    accuracy_fraction: {dist: beta, n_correct: 86, n_items: 100}
  - id: ft
    kind: finetune_hosted
    offer: test/ft-small
    n_training_examples: {low: 1000, likely: 2000, high: 5000}
    tokens_per_example: 700
    accuracy_fraction: 0.9
"""

CENTRAL = """
name: uncertain
horizon_months: 6
workload:
  requests_per_month: 10000
  growth_fraction_per_month: 0.03
  input_tokens_per_request: 150
  output_tokens_per_request: 300
value: {usd_per_correct_answer: 0.4, usd_per_wrong_answer: 1.0}
people: {engineer_usd_per_hour: 120}
needs: {latency_budget_ms: 2000}
strategies:
  - id: prompt
    kind: prompting
    model: {input_usd_per_mtok: 2.0, output_usd_per_mtok: 8.0}
    n_shots: 3
    tokens_per_shot: 200
    accuracy_fraction: 0.86
  - id: ft
    kind: finetune_hosted
    offer: test/ft-small
    n_training_examples: 2000
    tokens_per_example: 700
    accuracy_fraction: 0.9
"""
