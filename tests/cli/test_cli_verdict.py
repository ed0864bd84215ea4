"""The verdict contract from the command line, on every bundled example (SCENARIO.md, verdict additions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from costmodel.advisor.verdict import outcome, with_input
from costmodel.catalog.loader import default_catalogs
from costmodel.cli.dispatch import main
from costmodel.engine import run
from costmodel.scenario.io import load_scenario

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.yaml"))


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_verdict_contract_holds_on_every_example(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, "run", str(path))
    scenario = load_scenario(path)
    assert data["cost_basis"] == ("npv" if scenario.discount_rate_annual_fraction > 0 else "total")
    verdict = data["verdict"]
    assert isinstance(verdict, dict)
    assert verdict["cheapest_id"] == data["cheapest_id"]
    strategies = data["strategies"]
    assert isinstance(strategies, list)
    key = "npv_usd" if data["cost_basis"] == "npv" else "total_usd"
    available = [s for s in strategies if s["available"]]
    assert data["cheapest_id"] == min(available, key=lambda s: s[key])["id"]
    if scenario.value is None:
        assert verdict["best_value_id"] is None
    else:
        valued = [s for s in available if s["net_value_usd"] is not None]
        assert verdict["best_value_id"] == max(valued, key=lambda s: s["net_value_usd"])["id"]
    advice = _json(capsys, "advise", str(path))
    expected = advice["recommended_id"] if scenario.needs is not None else None
    assert verdict["recommended_id"] == expected
    assert str(data["cheapest_id"]) in str(verdict["sentence"])
    for s in strategies:
        assert "usd_per_request" in s and "all_in_usd_per_request" in s
    catalogs = default_catalogs()
    result = run(scenario, catalogs)
    for d in verdict["decisive_assumptions"]:
        assert {"field", "value", "flips_at", "confidence"} <= set(d)
        k = 0 if d["changes"] == "cheapest" else 1
        flipped = outcome(run(with_input(scenario, d["field"], d["flips_at"]), catalogs))
        assert flipped[k] == d["new_id"] != outcome(result)[k], d["text"]


def test_table_output_starts_the_summary_with_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    path = next(p for p in EXAMPLES if p.stem == "document-qa")
    assert main(["run", str(path)]) == 0
    out = capsys.readouterr().out
    assert "NPV (discounted at 8%/year)" in out and "Cheapest over 24 months (NPV)" in out
