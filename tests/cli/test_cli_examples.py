"""A scenario argument may name a bundled example: ``breakeven run fintech-support`` from any directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from costmodel.cli.dispatch import main
from costmodel.scenario.examples import EXAMPLES_DIR, example_names

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "{}", "--format", "json"],
        ["simulate", "{}", "--default-uncertainty", "--draws", "200", "--format", "json"],
        ["advise", "{}", "--format", "json"],
    ],
    ids=lambda argv: argv[0],
)
def test_a_bundled_name_gives_what_its_file_gives(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    by_name = [a.replace("{}", "fintech-support") for a in argv]
    by_file = [a.replace("{}", str(EXAMPLES_DIR / "fintech-support.yaml")) for a in argv]
    assert main(by_name) == 0
    named = json.loads(capsys.readouterr().out)
    assert main(by_file) == 0
    assert named == json.loads(capsys.readouterr().out)


def test_an_unknown_name_exits_2_and_lists_the_bundled_examples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run", "fintech"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fintech: <file>: no such file, nor a bundled example of that name")
    assert err.count("\n") == 1 and all(name in err for name in example_names())


def test_a_missing_path_still_reports_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(ROOT / "nowhere" / "fintech-support.yaml")]) == 2
    assert "fintech-support.yaml: <file>: cannot read: No such file or directory" in capsys.readouterr().err
