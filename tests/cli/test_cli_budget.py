"""``breakeven budget``: the largest constant volume a monthly budget pays for, and the first month over it.

Golden: an inline model at 1 / 2 $ per 1M tokens with 1,000 input and 500 output tokens costs 0.002 $
a request; 12 setup hours and 1 maintenance hour a month at 100 $/h over 12 months. Average monthly
cost at a constant V: 1,200 / 12 + 100 + 0.002 V, so a 500 $ budget fits V = 150,000. On the growth
path (100,000 requests, +10% a month) month m costs 100 + 200 x 1.1^(m-1): month 8 is 489.74 $,
month 9 is 528.72 $, so the first month over budget is 9.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from costmodel.budget import solve_budget
from costmodel.budget.solve import average_monthly_usd
from costmodel.catalog.loader import default_catalogs
from costmodel.cli.dispatch import main
from costmodel.engine import run
from costmodel.scenario.examples import resolve_scenario_path
from costmodel.scenario.io import load_scenario
from costmodel.scenario.types import Scenario

SCENARIO = """
name: budget golden
horizon_months: 12
start_date: 2026-12-01
workload: {requests_per_month: 100000, growth_fraction_per_month: 0.1, input_tokens_per_request: 1000,
           output_tokens_per_request: 500}
people: {engineer_usd_per_hour: 100}
strategies:
  - id: p
    kind: prompting
    model: {input_usd_per_mtok: 1, output_usd_per_mtok: 2}
    reasoning_tokens_per_request: 0
    setup_hours: 12
    maintenance_hours_per_month: 1
"""


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(list(argv)) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "b.yaml"
    path.write_text(SCENARIO)
    return path


def test_budget_golden(scenario_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _json(capsys, "budget", str(scenario_file), "--usd-per-month", "500", "--format", "json")
    assert out["usd_per_month"] == 500.0
    (row,) = out["strategies"]
    assert row["id"] == "p"
    assert row["max_requests_per_month"] == pytest.approx(150000.0, rel=1e-8)
    assert row["first_month_over_budget"] == 9


def test_zero_volume_does_not_fit_and_never_over(
    scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _json(capsys, "budget", str(scenario_file), "--usd-per-month", "150", "--format", "json")
    assert out["strategies"][0]["max_requests_per_month"] is None  # 200 $ a month before any request
    out = _json(capsys, "budget", str(scenario_file), "--usd-per-month", "1e6", "--format", "json")
    assert out["strategies"][0]["first_month_over_budget"] is None


@pytest.mark.parametrize("name", ["contract-extraction-cascade", "support-rag-tuned-voice"])
def test_reported_volume_costs_the_budget(name: str) -> None:
    """Re-run the engine at the reported constant volume: its average monthly cost is the budget."""
    scenario = load_scenario(resolve_scenario_path(name))
    result = run(scenario, default_catalogs())
    budget = 5000.0
    for row in solve_budget(result, budget).strategies:
        assert row.max_requests_per_month is not None
        constant = dataclass_replace_workload(scenario, row.max_requests_per_month)
        again = run(constant, default_catalogs()).strategy(row.id)
        assert again.total_usd / scenario.horizon_months == pytest.approx(budget, rel=1e-6)
        p = next(x for x in result.prepared if x.id == row.id)
        assert average_monthly_usd(p, row.max_requests_per_month * 1.001, scenario.horizon_months) > budget


def dataclass_replace_workload(scenario: Scenario, volume: float) -> Scenario:
    """The scenario at a constant monthly volume."""
    w = dataclasses.replace(scenario.workload, requests_per_month=volume, growth_fraction_per_month=0.0)
    return dataclasses.replace(scenario, workload=w)


def test_table_output(scenario_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["budget", str(scenario_file), "--usd-per-month", "150"]) == 0
    text = capsys.readouterr().out
    assert "does not fit even at zero volume" in text and "what fits in 150.00 USD a month" in text


@pytest.mark.parametrize("value", ["-5", "0", "nan"])
def test_bad_budget_is_an_input_error(
    scenario_file: Path, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["budget", str(scenario_file), "--usd-per-month", value]) == 2
    assert "--usd-per-month: expected a finite number > 0" in capsys.readouterr().err
