"""End-to-end fixtures: a real ``streamlit run`` server and Debian's headless Chromium driven by Playwright.

Without /usr/bin/chromium (or the playwright package) the tests skip with the reason, unless
``REQUIRE_BROWSER=1`` (set by ``.ci/run``), in which case they fail. Playwright's own browser
download (``playwright install``) is never used.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_server import free_port, health

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
SERVER_START_TIMEOUT_S = 90.0
SCREENSHOT_DIR = ROOT / "docs" / "screenshots"
SCREENSHOTS_ENV = "BREAKEVEN_SCREENSHOTS"
"""Set to 1 to write the README screenshots into docs/screenshots/ (otherwise they go to a temp dir)."""


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, or skip (fail under REQUIRE_BROWSER=1)."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(
            f"{CHROMIUM} is missing: install it with `apt-get install chromium` to run the e2e tests"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    return str(CHROMIUM)


@contextlib.contextmanager
def streamlit_server(chromium_path: str, log: Path) -> Iterator[str]:
    """``streamlit run app.py`` on a free local port; yields its base URL, stops it afterwards."""
    port = free_port()
    env = {**os.environ, "BREAKEVEN_CHROME": chromium_path, "PYTHONUNBUFFERED": "1"}
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while health(url) != "ok":
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(
                    f"streamlit did not start on port {port}:\n{log.read_text(errors='replace')[-3000:]}"
                )
            time.sleep(0.3)
        try:
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


@pytest.fixture(scope="session")
def app_url(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of one server shared by the session's tests."""
    with streamlit_server(chromium_path, tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


@pytest.fixture()
def fresh_app_url(chromium_path: str, tmp_path: Path) -> Iterator[str]:
    """Base URL of a server no browser has visited yet (for first-request behaviour)."""
    with streamlit_server(chromium_path, tmp_path / "server.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _fresh_page(browser: Any, color_scheme: str) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, color_scheme=color_scheme)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    """A fresh 1280x800 browser page (own session, downloads allowed)."""
    yield from _fresh_page(browser, "light")


@pytest.fixture()
def dark_page(browser: Any) -> Iterator[Any]:
    """A fresh 1280x800 page that prefers the dark colour scheme (Streamlit follows it)."""
    yield from _fresh_page(browser, "dark")


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """docs/screenshots/ with BREAKEVEN_SCREENSHOTS=1, else a temp dir (tests never dirty the repo)."""
    if os.environ.get(SCREENSHOTS_ENV) == "1":
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        return SCREENSHOT_DIR
    return tmp_path_factory.mktemp("screenshots")
