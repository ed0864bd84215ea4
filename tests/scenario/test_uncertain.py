"""Distributions in scenario files: extraction, central values, errors, dumping, paths."""

from __future__ import annotations

import dataclasses

import pytest
from uncertain_data import CENTRAL, UNCERTAIN

from costmodel.catalog.entry import Catalogs
from costmodel.core.errors import InputError
from costmodel.engine import run
from costmodel.scenario.distributions import EvalBeta, LogNormal, ThreePoint, Uniform
from costmodel.scenario.io import dump_scenario, parse_scenario, revalidate
from costmodel.scenario.uncertain import (
    get_value,
    is_integer_field,
    path_sort_key,
    scenario_inputs,
    with_values,
)


def test_distributions_are_replaced_by_central_values() -> None:
    s = parse_scenario(UNCERTAIN)
    assert s.workload.requests_per_month == 10000  # lognormal: median
    assert s.workload.output_tokens_per_request == 300  # three-point: likely
    assert s.value is not None and s.value.usd_per_correct_answer == pytest.approx(0.4)  # uniform: midpoint
    assert s.strategies[0].n_shots == 3 and isinstance(s.strategies[0].n_shots, int)  # 2.5 rounded half up
    assert s.strategies[0].accuracy_fraction == 0.86  # eval: observed rate
    assert s.needs is not None and s.needs.latency_budget_ms == 2000
    assert dict(s.uncertain) == {
        "needs.latency_budget_ms": ThreePoint(low=1000, likely=2000, high=3000),
        "people.engineer_usd_per_hour": ThreePoint(low=80, likely=120, high=200),
        "strategies[0].accuracy_fraction": EvalBeta(n_correct=86, n_items=100),
        "strategies[0].model.input_usd_per_mtok": ThreePoint(low=1.5, likely=2.0, high=2.5),
        "strategies[0].n_shots": Uniform(low=1, high=4),
        "strategies[1].n_training_examples": ThreePoint(low=1000, likely=2000, high=5000),
        "value.usd_per_correct_answer": Uniform(low=0.2, high=0.6),
        "workload.growth_fraction_per_month": ThreePoint(low=-0.02, likely=0.03, high=0.1),
        "workload.output_tokens_per_request": ThreePoint(low=200, likely=300, high=600),
        "workload.requests_per_month": LogNormal(median=10000, p90=30000),
    }
    assert [p for p, _ in s.uncertain] == sorted((p for p, _ in s.uncertain), key=path_sort_key)


def test_deterministic_run_uses_the_central_values(test_catalogs: Catalogs) -> None:
    a = run(parse_scenario(UNCERTAIN), test_catalogs)
    b = run(parse_scenario(CENTRAL), test_catalogs)
    for x, y in zip(a.strategies, b.strategies, strict=True):
        assert x.total_usd == y.total_usd
        assert x.net_value_usd == y.net_value_usd


def test_plain_numbers_are_unchanged() -> None:
    s = parse_scenario(CENTRAL)
    assert s.uncertain == ()
    assert "dist" not in dump_scenario(s)
    assert scenario_inputs(s) == []


def test_dump_and_revalidate_keep_distributions() -> None:
    s = parse_scenario(UNCERTAIN)
    text = dump_scenario(s)
    assert "dist: lognormal" in text and "n_correct: 86" in text
    again = revalidate(s)
    assert again == s
    assert again.uncertain == s.uncertain


def test_a_changed_field_drops_its_stale_distribution() -> None:
    s = parse_scenario(UNCERTAIN)
    moved = dataclasses.replace(s, workload=dataclasses.replace(s.workload, output_tokens_per_request=450.0))
    again = revalidate(moved)
    assert again.workload.output_tokens_per_request == 450.0
    assert "workload.output_tokens_per_request" not in dict(again.uncertain)
    assert "workload.requests_per_month" in dict(again.uncertain)


BASE = """
workload: {requests_per_month: 1000, input_tokens_per_request: 100, output_tokens_per_request: 50}
strategies:
  - {id: p, kind: prompting, model: {input_usd_per_mtok: 1, output_usd_per_mtok: 2}}
"""


@pytest.mark.parametrize(
    ("edit", "field", "fragment"),
    [
        ("horizon_months: {low: 6, likely: 12, high: 24}\n", "horizon_months", "must be one number"),
        ("schema_version: {low: 1, likely: 1, high: 1}\n", "schema_version", "must be one number"),
        (
            "  - {id: f, kind: finetune_hosted, offer: x, n_training_examples: 10, tokens_per_example: 5, "
            "retrain_every_months: {low: 1, likely: 2, high: 3}}\n",
            "strategies[1].retrain_every_months",
            "must be one number",
        ),
        (
            "  - {id: q, kind: prompting, model: m, setup_hours: {low: 9, likely: 5, high: 8}}\n",
            "strategies[1].setup_hours.low",
            "low (9) is greater than high (8)",
        ),
        (
            "  - {id: q, kind: prompting, model: m, cache_hit_fraction: {low: 0, likely: 0.5, high: 1.5}}\n",
            "strategies[1].cache_hit_fraction.high",
            "<= 1",
        ),
        (
            "  - {id: q, kind: prompting, model: m, accuracy_fraction: {dist: lognormal, median: 0.8, p90: 0.9}}\n",
            "strategies[1].accuracy_fraction.dist",
            "unbounded above",
        ),
        (
            "  - {id: q, kind: prompting, model: {input_usd_per_mtok: {low: -1, likely: 1, high: 2}, output_usd_per_mtok: 1}}\n",
            "strategies[1].model.input_usd_per_mtok.low",
            ">= 0",
        ),
        (
            "  - {id: q, kind: prompting, model: m, n_shots: {dist: uniform, low: 1, hi: 3}}\n",
            "strategies[1].n_shots.hi",
            "unknown key",
        ),
    ],
)
def test_bad_distributions_are_reported_once_with_file_line_and_field(
    edit: str, field: str, fragment: str
) -> None:
    text = edit + BASE if not edit.startswith("  -") else BASE + edit
    with pytest.raises(InputError) as err:
        parse_scenario(text, source="s.yaml")
    lines = str(err.value).splitlines()
    hits = [x for x in lines if f": {field}: " in x and fragment in x]
    assert hits and hits[0].startswith("s.yaml:"), lines
    stem = field.rsplit(".", 1)[0] if field.endswith((".low", ".high", ".dist", ".hi")) else field
    assert not any("got a mapping" in x and f": {stem}: " in x for x in lines), lines


def test_paths_read_and_write_nested_fields() -> None:
    s = parse_scenario(UNCERTAIN)
    path = "strategies[0].model.input_usd_per_mtok"
    assert get_value(s, path) == 2.0
    changed = with_values(
        s, {path: 3.0, "workload.output_tokens_per_request": 10.0, "strategies[1].tokens_per_example": 1.0}
    )
    assert get_value(changed, path) == 3.0
    assert changed.workload.output_tokens_per_request == 10.0
    assert changed.strategies[1].tokens_per_example == 1.0
    assert s.strategies[0].model.input_usd_per_mtok == 2.0  # type: ignore[union-attr]  # original untouched
    assert is_integer_field(s, "strategies[0].n_shots")
    assert not is_integer_field(s, "workload.output_tokens_per_request")


def test_scenario_inputs_mark_counts_and_eval_results() -> None:
    inputs = {i.path: i for i in scenario_inputs(parse_scenario(UNCERTAIN))}
    assert inputs["strategies[0].n_shots"].integer
    assert inputs["strategies[0].n_shots"].central() == 3.0
    assert inputs["strategies[0].accuracy_fraction"].origin == "eval results"
    assert inputs["workload.requests_per_month"].origin == "scenario"
