"""``breakeven advise``: the JSON contract of SCENARIO.md, table and CSV output, exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from advisor_data import DATA, overlay_catalogs

from costmodel.cli import advise as cli_advise
from costmodel.cli.dispatch import SUBCOMMAND_MODULES, main

ROOT = Path(__file__).resolve().parents[2]
SITUATION = DATA / "advisor" / "code-review-inhouse-framework.yaml"


@pytest.fixture
def fixed_catalogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the command on the advisor tests' latency overlay (independent of pricing/ updates)."""
    merged = overlay_catalogs()
    monkeypatch.setattr(cli_advise, "default_catalogs", lambda: merged)


def test_registered() -> None:
    assert cli_advise in SUBCOMMAND_MODULES


@pytest.mark.usefixtures("fixed_catalogs")
def test_json_matches_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["advise", str(SITUATION), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"recommended_id", "recommended_kind", "ranking"} <= set(data)
    assert data["recommended_id"] == "rag-docs" and data["recommended_kind"] == "rag"
    assert data["ranking"][0]["id"] == data["recommended_id"]
    assert sorted(r["id"] for r in data["ranking"]) == ["ft-reviews", "prompt-guide", "rag-docs"]
    scores = [r["score"] for r in data["ranking"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    for item in data["ranking"]:
        assert {"id", "kind", "score", "reasons"} <= set(item)
        assert item["reasons"] and all(isinstance(r, str) and r for r in item["reasons"])
    assert isinstance(data["what_would_change"], list)
    assert all({"answer", "value", "recommended_id", "text"} <= set(c) for c in data["what_would_change"])


@pytest.mark.usefixtures("fixed_catalogs")
def test_table_shows_ranking_reasons_and_what_would_change(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["advise", str(DATA / "advisor" / "sql-generator-fixed-schema.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Recommended: ft-sql (finetune_hosted)" in out
    assert "1. ft-sql (finetune_hosted)" in out and "2. prompt-schema (prompting)" in out
    assert "What would change the answer:" in out and "labelled examples" in out
    assert "   - Cost:" in out


@pytest.mark.usefixtures("fixed_catalogs")
def test_table_says_when_nothing_qualifies(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["advise", str(DATA / "advisor" / "hospital-records-no-local-option.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Recommended: none (no strategy qualifies)" in out
    assert "No strategy qualifies" in out


@pytest.mark.usefixtures("fixed_catalogs")
def test_csv_has_one_row_per_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["advise", str(SITUATION), "--format", "json"]) == 0
    n_reasons = sum(len(r["reasons"]) for r in json.loads(capsys.readouterr().out)["ranking"])
    assert main(["advise", str(SITUATION), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == n_reasons
    assert set(rows[0]) == {"rank", "id", "kind", "score", "criterion", "weight", "fit", "reason"}
    assert rows[0]["rank"] == "1" and rows[0]["id"] == "rag-docs"


@pytest.mark.usefixtures("fixed_catalogs")
def test_missing_needs_says_cost_alone(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["advise", str(DATA / "advisor" / "cost-only-no-needs.yaml"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert any("cost results alone" in n for n in data["notes"])


BAD_NEEDS = """\
workload: {requests_per_month: 1000, input_tokens_per_request: 100, output_tokens_per_request: 50}
needs:
  knowledge_change: hourly
  labeled_exampels_available: 300
strategies:
  - {id: p, kind: prompting, model: {input_usd_per_mtok: 1.0, output_usd_per_mtok: 2.0}}
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BAD_NEEDS, [":3: needs.knowledge_change:", ":4: needs.labeled_exampels_available: unknown key"]),
        (
            BAD_NEEDS.replace("knowledge_change: hourly", "budget_usd_per_month: -5"),
            [":3: needs.budget_usd_per_month:"],
        ),
        (
            BAD_NEEDS.replace("knowledge_change: hourly", "ml_team_experience: expert"),
            [":3: needs.ml_team_experience:"],
        ),
    ],
)
def test_invalid_needs_exit_2_with_file_line_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: list[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    assert main(["advise", str(path), "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    for fragment in expected:
        assert fragment in captured.err
    assert "Traceback" not in captured.err


def test_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["advise", str(tmp_path / "nope.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_the_shipped_example_runs_headless_with_the_built_in_catalogs() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "costmodel",
            "advise",
            str(ROOT / "examples" / "fintech-support.yaml"),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["recommended_id"] in {r["id"] for r in data["ranking"]}
    assert len(data["ranking"]) == 4
