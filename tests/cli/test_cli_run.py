"""``breakeven run | models | defaults`` on the shipped examples and catalogs."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from costmodel.cli.dispatch import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "fintech-support.yaml"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    assert main([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_scenario_md_example_is_shipped_unchanged() -> None:
    shared = ROOT.parent / "shared" / "SCENARIO.md"
    if not shared.exists():
        pytest.skip("shared/SCENARIO.md is not beside this checkout")
    text = shared.read_text(encoding="utf-8")
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert EXAMPLE.read_text(encoding="utf-8") == block


def test_run_json_has_the_contract_shape(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "run", str(EXAMPLE))
    assert isinstance(data, dict)
    assert data["schema_version"] == 1 and data["scenario"] == "Fintech support assistant"
    assert data["horizon_months"] == 24 and isinstance(data["prices_as_of"], str)
    assert [s["id"] for s in data["strategies"]] == ["prompt", "rag", "ft-hosted", "ft-llama-8b"]
    keys = {
        "id",
        "kind",
        "one_off_usd",
        "monthly_usd",
        "cumulative_usd",
        "total_usd",
        "npv_usd",
        "usd_per_request",
        "breakdown_usd",
        "latency_ms",
        "accuracy_fraction",
        "net_value_usd",
    }
    for s in data["strategies"]:
        assert keys <= set(s)
        assert len(s["monthly_usd"]) == len(s["cumulative_usd"]) == 24
        assert set(s["breakdown_usd"]) == {
            "tokens",
            "gpu",
            "labeling",
            "training",
            "infrastructure",
            "people",
        }
        if s["available"]:
            assert s["total_usd"] == s["cumulative_usd"][-1]
            assert sum(s["breakdown_usd"].values()) == pytest.approx(s["total_usd"], rel=1e-9)
            assert set(s["latency_ms"]) == {"time_to_first_token", "end_to_end"}
    assert data["cheapest_id"] in {s["id"] for s in data["strategies"]}
    for pair in data["breakeven"]:
        assert set(pair) == {"a", "b", "month", "requests_per_month"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_runs(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Cheapest over" in out


def test_run_csv_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(EXAMPLE), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["id"] for r in rows] == ["prompt", "rag", "ft-hosted", "ft-llama-8b"]
    assert float(rows[0]["total_usd"]) > 0


def test_models_lists_prices_and_dates(capsys: pytest.CaptureFixture[str]) -> None:
    rows = run_json(capsys, "models", "--search", "gpt-4.1-mini")
    assert isinstance(rows, list)
    mini = next(r for r in rows if r["id"] == "openai/gpt-4.1-mini")
    assert (mini["input_usd_per_mtok"], mini["output_usd_per_mtok"]) == (0.4, 1.6)
    assert mini["as_of"] and mini["source"].startswith("genai-prices")


def test_defaults_lists_every_strategy_kind(capsys: pytest.CaptureFixture[str]) -> None:
    rows = run_json(capsys, "defaults")
    assert isinstance(rows, list)
    keys = {r["key"] for r in rows}
    assert "workload.peak_to_mean_ratio" in keys
    assert any(k.startswith("strategies[kind=finetune_selfhosted]") for k in keys)


def test_usage_error_exits_2_without_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "costmodel", "run", str(EXAMPLE), "--format", "xml"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "invalid choice" in proc.stderr
