"""``breakeven models`` / ``offers`` lifecycle columns and ``breakeven prices`` (status, update --from, reset).

No network: ``prices update`` reads a small local copy of genai-prices' data format.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from costmodel.cli.dispatch import main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "prices" / "genai-prices-sample.json"


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_models_carry_status_shutdown_and_replacement(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "models", "--search", "openai/gpt-4.1", "--format", "json")
    by_id = {r["id"]: r for r in rows}  # type: ignore[attr-defined]
    assert by_id["openai/gpt-4.1-mini"]["status"] == "deprecated"
    assert by_id["openai/gpt-4.1-mini"]["shutdown_on"] == "2027-01-14"
    assert by_id["openai/gpt-4.1-mini"]["replacement"] == "openai/gpt-6-luna"
    assert by_id["openai/gpt-4.1-nano"]["status"] == "retired"
    luna = _json(capsys, "models", "--search", "openai/gpt-6-luna", "--format", "json")
    assert luna[0]["status"] == "active" and luna[0]["shutdown_on"] is None  # type: ignore[index]


def test_offers_list_providers_with_lifecycle_and_sources(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "offers", "--format", "json")
    keys = {"id", "provider", "status", "new_jobs_until", "shutdown_on", "as_of", "source_url", "confidence"}
    assert all(keys <= set(r) for r in rows)  # type: ignore[union-attr]
    openai = next(r for r in rows if r["id"] == "openai/ft-gpt-4.1-mini")  # type: ignore[union-attr]
    assert openai["new_jobs_until"] == "2027-01-06" and openai["shutdown_on"] == "2027-01-14"
    assert len({r["provider"] for r in rows}) >= 6  # type: ignore[union-attr]


def test_a_retired_model_in_a_scenario_exits_2_naming_the_replacement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "workload: {requests_per_month: 1000, input_tokens_per_request: 100, output_tokens_per_request: 50}\n"
        "strategies:\n  - {id: p, kind: prompting, model: openai/gpt-4.1-nano}\n"
    )
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "strategies[0].model: openai/gpt-4.1-nano was shut down on 2026-10-23" in err
    assert "Traceback" not in err


def test_fintech_example_shows_the_migration(capsys: pytest.CaptureFixture[str]) -> None:
    out = _json(capsys, "run", "fintech-support", "--format", "json")
    assert out["start_date"] == "2026-12-01"  # type: ignore[index]
    assert out["price_data"]["source"].startswith("genai-prices 0.2.5")  # type: ignore[index]
    prompt = next(s for s in out["strategies"] if s["id"] == "prompt")  # type: ignore[index]
    assert [(e["month"], e["kind"], e["replacement"]) for e in prompt["lifecycle_events"]] == [
        (2, "shutdown", "openai/gpt-6-luna")
    ]
    ft = next(s for s in out["strategies"] if s["id"] == "ft-hosted")  # type: ignore[index]
    assert ft["available"] is False and ft["available_months"] == 1
    assert out["cheapest_id"] != "ft-hosted"  # type: ignore[index]
    advice = _json(capsys, "advise", "fintech-support", "--format", "json")
    notes = " ".join(advice["notes"])  # type: ignore[index]
    assert "prompt: openai/gpt-4.1 shuts down on 2027-01-14" in notes and "ft-hosted" in notes
    assert advice["recommended_id"] != "ft-hosted"  # type: ignore[index]


def test_prices_update_from_a_file_is_used_and_reported_then_reset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BREAKEVEN_PRICE_DATA", str(tmp_path / "prices.json"))
    assert _json(capsys, "prices", "status", "--format", "json")["refreshed"] is False  # type: ignore[index]
    info = _json(capsys, "prices", "update", "--from", str(SAMPLE), "--format", "json")
    assert info["refreshed"] is True and str(SAMPLE) in info["source"]  # type: ignore[index]
    rows = _json(capsys, "models", "--search", "gpt-6-luna", "--format", "json")
    assert [(r["id"], r["input_usd_per_mtok"]) for r in rows] == [("openai/gpt-6-luna", 0.2)]  # type: ignore[index]
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "workload: {requests_per_month: 1000, input_tokens_per_request: 100, output_tokens_per_request: 50}\n"
        "strategies:\n  - {id: p, kind: prompting, model: openai/gpt-6-luna, reasoning_tokens_per_request: 0}\n"
    )
    out = _json(capsys, "run", str(scenario), "--format", "json")
    assert out["price_data"]["refreshed"] is True  # type: ignore[index]
    # 100 x $0.20 + 50 x $1.00 per 1M tokens, from the refreshed file (bundled: $0.10 / $0.50)
    assert out["strategies"][0]["usd_per_request"] == pytest.approx(70 / 1e6)  # type: ignore[index]
    assert _json(capsys, "prices", "reset", "--format", "json")["refreshed"] is False  # type: ignore[index]
    assert not (tmp_path / "prices.json").exists()


def test_prices_update_refuses_a_file_that_is_not_price_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BREAKEVEN_PRICE_DATA", str(tmp_path / "prices.json"))
    bad = tmp_path / "bad.json"
    for text in ("not json", "{}", '[{"id": 1}]'):
        bad.write_text(text)
        assert main(["prices", "update", "--from", str(bad)]) == 2
        err = capsys.readouterr().err
        assert str(bad) in err and "Traceback" not in err
    assert not (tmp_path / "prices.json").exists()
