"""``breakeven app``: the installed app script with the shipped server configuration, from any directory."""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

import pytest
from app_server import assert_serves_and_stops, free_port
from streamlit import config as streamlit_config
from streamlit.testing.v1 import AppTest

from costmodel.cli import app as cli_app
from costmodel.cli.dispatch import main

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "ui"
SHIPPED_CONFIG = UI / "launch" / "config.toml"


def _flags() -> list[str]:
    return list(cli_app.config_flags(tomllib.loads(SHIPPED_CONFIG.read_text(encoding="utf-8"))))


def test_the_checkout_and_the_installed_app_read_one_configuration() -> None:
    assert (ROOT / ".streamlit" / "config.toml").resolve() == SHIPPED_CONFIG.resolve()
    assert cli_app.ui_dir() == UI.resolve()
    assert (UI / "launch" / "app.py").is_file()


def test_the_security_settings_become_flags() -> None:
    flags = _flags()
    for flag in (
        "--server.headless=true",
        "--server.maxUploadSize=25",
        "--server.maxMessageSize=50",
        "--server.enableXsrfProtection=true",
        "--server.enableCORS=true",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
        "--client.showErrorDetails=none",
        "--theme.light.primaryColor=#2563eb",
    ):
        assert flag in flags


def test_every_flag_is_a_streamlit_option_and_every_option_is_passed() -> None:
    """A misspelt key would stop ``streamlit run``; a dropped one would silently fall back to the default."""
    options = streamlit_config.get_config_options()
    names = [flag.removeprefix("--").split("=", 1)[0] for flag in _flags()]
    assert [n for n in names if n not in options] == []
    assert sorted(names) == sorted(_options(tomllib.loads(SHIPPED_CONFIG.read_text(encoding="utf-8"))))


def _options(table: dict[str, object], prefix: str = "") -> list[str]:
    """Dotted names of a config's options (an empty list is Streamlit's default and needs no flag)."""
    names: list[str] = []
    for key, value in table.items():
        if isinstance(value, dict):
            names += _options(value, f"{prefix}{key}.")
        elif value != []:
            names.append(f"{prefix}{key}")
    return names


def test_config_flags_spell_values_as_streamlit_reads_them() -> None:
    flags = list(
        cli_app.config_flags({"a": {"on": True, "off": False, "n": 3, "xs": ["u", "v"], "empty": []}})
    )
    assert flags == ["--a.on=true", "--a.off=false", "--a.n=3", "--a.xs=u", "--a.xs=v"]


def test_the_command_runs_the_installed_script_with_this_python_and_extra_args_last() -> None:
    cmd = cli_app.app_command(
        ui_folder=UI, port=8600, address="0.0.0.0", extra=["--server.maxUploadSize", "5"]
    )
    assert cmd[:5] == [sys.executable, "-m", "streamlit", "run", str(UI / "launch" / "app.py")]
    assert cmd[5 : 5 + len(_flags())] == _flags()
    assert cmd[-4:] == ["--server.port=8600", "--server.address=0.0.0.0", "--server.maxUploadSize", "5"]


@pytest.mark.parametrize(
    ("argv", "tail"),
    [
        (["app"], []),
        (["app", "--port", "8600"], ["--server.port=8600"]),
        (["app", "--", "--server.port", "8601"], ["--server.port", "8601"]),
        (
            ["app", "--address", "127.0.0.1", "--", "--logger.level=debug"],
            ["--server.address=127.0.0.1", "--logger.level=debug"],
        ),
    ],
)
def test_arguments_reach_streamlit(argv: list[str], tail: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Sequence[str]] = []
    monkeypatch.setattr(cli_app, "run_until_stopped", lambda cmd: seen.append(cmd) or 0)
    assert main(argv) == 0
    (cmd,) = seen
    assert list(cmd[5:]) == [*_flags(), *tail]


def test_a_missing_ui_package_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli_app.importlib.util, "find_spec", lambda name: None)
    assert main(["app"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("breakeven app: cannot start the app:") and "'ui'" in err and err.count("\n") == 1


def test_the_installed_script_renders_the_app() -> None:
    at = AppTest.from_file(str(UI / "launch" / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and at.title[0].value == "Prompt, RAG or fine-tune?"


@pytest.mark.slow
def test_breakeven_app_serves_from_another_directory_and_stops_with_its_child(tmp_path: Path) -> None:
    """Started outside the checkout it answers the health check; SIGTERM to ``breakeven`` stops the server too."""
    port = free_port()
    env = {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "costmodel", "app", "--port", str(port), "--address", "127.0.0.1"]
    assert_serves_and_stops(cmd, port=port, cwd=tmp_path, env=env, log=tmp_path / "app.log")
