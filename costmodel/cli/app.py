"""Subcommand ``app``: start the installed Streamlit app with the project's server configuration.

``breakeven app`` runs ``python -m streamlit run ui/launch/app.py`` (the installed copy) in a child
process. Streamlit reads ``.streamlit/config.toml`` only from the current directory and the home
folder, so the shipped configuration ``ui/launch/config.toml`` (upload and message limits, XSRF and
CORS protection, headless, no usage statistics, short error messages, theme) is passed as
``--section.key=value`` flags instead: a wheel user gets it from any directory. Arguments after ``--``
go to ``streamlit run`` last, so they override the shipped settings
(``breakeven app -- --server.maxUploadSize 5``).

costmodel never imports streamlit or ui: both files are located with ``importlib.util.find_spec``,
which finds a top-level package without running it.
"""

from __future__ import annotations

import argparse
import importlib.util
import signal
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

UI_PACKAGE = "ui"
APP_SCRIPT = ("launch", "app.py")
"""The installed app script, relative to the ``ui`` package folder."""
APP_CONFIG = ("launch", "config.toml")
"""The server configuration, relative to the ``ui`` package folder (the checkout's ``.streamlit/config.toml``)."""
SIGNAL_EXIT_BASE = 128


def register(subparsers: Any) -> None:
    """Add ``app``."""
    p = subparsers.add_parser(
        "app",
        help="start the web app (Streamlit) with the shipped server configuration",
        description=(
            "Start the installed Breakeven web app. Arguments after -- are passed to `streamlit run` "
            "and override the shipped settings, e.g. `breakeven app -- --server.maxUploadSize 5`."
        ),
    )
    p.add_argument("--port", type=int, metavar="N", help="port to serve on (Streamlit's default: 8501)")
    p.add_argument(
        "--address", metavar="HOST", help="address to bind, e.g. 0.0.0.0 (default: all interfaces)"
    )
    p.add_argument("streamlit_args", nargs=argparse.REMAINDER, help="after --: arguments for `streamlit run`")
    p.set_defaults(handler=_app)


def ui_dir() -> Path:
    """Folder of the installed ``ui`` package (found, not imported).

    Raises:
        FileNotFoundError: the ``ui`` package is not installed.
    """
    spec = importlib.util.find_spec(UI_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the {UI_PACKAGE!r} package of the app is not installed")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def config_flags(config: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """``--section.key=value`` flags for ``streamlit run``, one per option of a parsed config.toml.

    Booleans are written ``true``/``false``; a list gives one flag per item (an empty list gives none:
    Streamlit's default is used).

    >>> list(config_flags({"server": {"headless": True, "maxUploadSize": 25}, "theme": {"light": {"primaryColor": "#2563eb"}}}))
    ['--server.headless=true', '--server.maxUploadSize=25', '--theme.light.primaryColor=#2563eb']
    """
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from config_flags(value, prefix=f"{name}.")
        elif isinstance(value, list):
            yield from (f"--{name}={_flag_value(item)}" for item in value)
        else:
            yield f"--{name}={_flag_value(value)}"


def _flag_value(value: Any) -> str:
    """A config value as ``streamlit run`` reads it on the command line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def app_command(
    *,
    ui_folder: Path,
    port: int | None = None,
    address: str | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    """The ``streamlit run`` command line: shipped configuration, then ``--port``/``--address``, then ``extra``."""
    config = tomllib.loads(ui_folder.joinpath(*APP_CONFIG).read_text(encoding="utf-8"))
    cmd = [sys.executable, "-m", "streamlit", "run", str(ui_folder.joinpath(*APP_SCRIPT))]
    cmd += config_flags(config)
    if port is not None:
        cmd.append(f"--server.port={port}")
    if address is not None:
        cmd.append(f"--server.address={address}")
    return [*cmd, *extra]


def _app(args: argparse.Namespace) -> int:
    extra = list(args.streamlit_args)
    if extra[:1] == ["--"]:
        extra = extra[1:]
    try:
        folder = ui_dir()
        cmd = app_command(ui_folder=folder, port=args.port, address=args.address, extra=extra)
    except OSError as exc:
        sys.stderr.write(f"breakeven app: cannot start the app: {exc}\n")
        return 1
    return run_until_stopped(cmd)


def run_until_stopped(cmd: Sequence[str]) -> int:
    """Run ``cmd`` and return its exit code; SIGTERM and Ctrl-C stop the child too (never left running)."""
    proc = subprocess.Popen(cmd)

    def forward(signum: int, frame: FrameType | None) -> None:
        proc.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        code = proc.wait()
    except KeyboardInterrupt:  # a terminal's Ctrl-C reaches the child too; a SIGINT sent to us alone does not
        proc.terminate()
        code = proc.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
    return (
        code if code >= 0 else SIGNAL_EXIT_BASE - code
    )  # killed by signal N: exit 128 + N, as a shell reports
