"""The README's CLI and Python examples stay true: every `breakeven ...` line and Python block runs."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from costmodel.cli.dispatch import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, flags=re.S)
CLI_LINES = [
    line.split("  #")[0].strip()
    for lang, body in BLOCKS
    if lang == "bash"
    for line in body.splitlines()
    if line.startswith("breakeven ")
]
PYTHON_BLOCKS = [body for lang, body in BLOCKS if lang == "python"]


def test_readme_has_examples() -> None:
    assert len(CLI_LINES) >= 8 and PYTHON_BLOCKS
    for command in (
        "run",
        "models",
        "defaults",
        "tokens",
        "estimate-training",
        "estimate-serving",
        "simulate",
        "advise",
    ):
        assert any(line.split()[1] == command for line in CLI_LINES), command


@pytest.mark.parametrize("line", CLI_LINES)
def test_readme_cli_line_runs(
    line: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("BREAKEVEN_PRICE_DATA", str(tmp_path / "prices.json"))  # never the user's cache
    assert main(shlex.split(line)[1:]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.strip()


@pytest.mark.parametrize("block", PYTHON_BLOCKS)
def test_readme_python_block_runs(
    block: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(block, "README.md", "exec"), {"__name__": "readme"})  # our own README, not user data
    assert capsys.readouterr().out.strip()


def test_readme_commands_match_makefile_and_ci() -> None:
    app_cmd, test_cmd = [
        line
        for lang, body in BLOCKS
        if lang == "bash"
        for line in body.splitlines()
        if line.startswith("python3 -m venv")
    ][:2]
    assert "streamlit run app.py" in app_cmd and "pytest" in test_cmd
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_cmd in ci, "the CI script must run the README's test command verbatim"
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
