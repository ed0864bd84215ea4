"""A local app server for tests: a free port, the health check, and "serves, then stops on SIGTERM"."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 20
POLL_S = 0.3


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def health(url: str) -> str | None:
    """The body of Streamlit's ``/_stcore/health`` at ``url`` (``"ok"`` when up), or None when nothing answers."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:  # our own local server
            return str(resp.read().decode())
    except (urllib.error.URLError, OSError):
        return None


def assert_serves_and_stops(
    cmd: Sequence[str], *, port: int, cwd: Path, env: Mapping[str, str], log: Path
) -> None:
    """Start ``cmd`` (a ``breakeven app`` on ``port``), wait for the health check, SIGTERM it.

    It must exit 0 and take its Streamlit child with it: afterwards nothing answers on the port.
    """
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while health(url) != "ok":
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(POLL_S)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=STOP_TIMEOUT_S) == 0
            assert health(url) is None, "the Streamlit child outlived breakeven app"
        finally:
            if proc.poll() is None:
                proc.kill()
