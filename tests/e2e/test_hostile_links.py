"""Crafted links in a real browser: an error box, the default scenario, inert markup, and no outside request.

Every request the page makes (documents, scripts, fonts, images, websockets) is recorded with
Playwright; any host but the local server's fails the test, so the app works offline and
air-gapped and never tells a third party (a font or icon CDN) who opened it.
"""

from __future__ import annotations

import base64
import dataclasses
import zlib
from typing import Any
from urllib.parse import urlencode, urlparse

import pytest
from test_app_e2e import NAV, open_page, verdict, wait_idle

from costmodel.scenario.io import load_scenario
from ui import share
from ui.session import DEFAULT_EXAMPLE

MARKUP_NAME = "<a href='https://phish.invalid'>click</a> ![p](https://tracker.invalid/p.png) :red[x]"


def _yaml_link(text: str) -> str:
    return "1." + base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


BASE = DEFAULT_EXAMPLE.read_text("utf-8")
CRAFTED = {
    "surrogate": _yaml_link(BASE.replace("name: Fintech support assistant", 'name: "x\\ud800y"')),
    "escape": _yaml_link(BASE.replace("name: Fintech support assistant", 'name: "x\\e]0;pwned\\a"')),
    "overflow": _yaml_link(BASE.replace("requests_per_month: 200000 ", "requests_per_month: 1.0e+300 ")),
    "sexagesimal": _yaml_link(BASE.replace("requests_per_month: 200000 ", "requests_per_month: 1:00:00 ")),
    "oversize": "1." + "A" * 20_000,
}


def _record_requests(page: Any) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.on("websocket", lambda ws: seen.append(ws.url))
    return seen


def _outside(urls: list[str], app_url: str) -> list[str]:
    local = urlparse(app_url).netloc
    return [
        u
        for u in urls
        if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).netloc != local
    ]


@pytest.mark.parametrize("name", list(CRAFTED))
def test_a_crafted_link_shows_an_error_and_the_default(page: Any, app_url: str, name: str) -> None:
    """Surrogate, escape, overflow, YAML 1.1 and oversize links: an error box, the default scenario, no crash."""
    seen = _record_requests(page)
    open_page(page, app_url + "/?" + urlencode({share.QUERY_PARAM: CRAFTED[name]}))
    assert page.locator('[data-testid="stException"]').count() == 0
    error = page.locator('[data-testid="stAlertContentError"]').first
    assert error.inner_text()
    assert "200k requests/month" in verdict(page)  # the default scenario is open
    assert page.locator('[data-testid="stSidebarNav"]').count() == 1  # navigation survived
    assert not _outside(seen, app_url)


def test_markup_in_a_link_is_inert_on_every_page_and_nothing_leaves_the_server(
    page: Any, app_url: str
) -> None:
    """A valid link whose name is HTML/markdown: no live outside link or image anywhere, on any page,
    and no request to another host during the whole visit (fonts and icons included)."""
    seen = _record_requests(page)
    scenario = dataclasses.replace(load_scenario(DEFAULT_EXAMPLE), name=MARKUP_NAME)
    open_page(page, f"{app_url}/?{urlencode({share.QUERY_PARAM: share.encode_scenario(scenario)})}")
    for path, title in [("", "Overview"), *NAV[1:]]:
        if path:
            page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
            page.wait_for_url(f"**/{path}?**")
            wait_idle(page, quiet_checks=2)
        assert page.locator('[data-testid="stException"]').count() == 0, title
        live = page.locator(
            "a[href*='phish.invalid'], img[src*='tracker.invalid'], image[href*='tracker.invalid']"
        )
        assert live.count() == 0, f"{title}: the name became live markup"
    assert not _outside(seen, app_url), _outside(seen, app_url)
