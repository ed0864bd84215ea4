"""The app in headless Chromium: sliders redraw charts, uploads count tokens, downloads, shared links, screenshots."""

from __future__ import annotations

import csv
import io
import struct
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from costmodel.scenario.io import load_scenario
from ui import share

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
# (url path, screenshot name) of every page app.py mounts; pages other modules own only once they exist.
PAGES = [
    ("", "overview", "app_pages/overview.py", "Overview"),
    ("breakeven", "breakeven", "app_pages/breakeven.py", "Breakeven"),
    ("latency", "latency", "app_pages/latency.py", "Latency"),
    ("simulator", "simulator", "app_pages/simulator.py", "Simulator"),
    ("advisor", "advisor", "app_pages/advisor.py", "Advisor"),
    ("strategies", "strategy-editor", "app_pages/strategies.py", "Strategy editor"),
    ("tokens", "tokens", "app_pages/tokens.py", "Tokens"),
    ("planner", "planner", "app_pages/planner.py", "Fine-tuning planner"),
    ("prices", "prices", "app_pages/prices.py", "Prices"),
]
MOUNTED = [(path, name) for path, name, file, _ in PAGES if (ROOT / file).is_file()]
NAV = [(path, title) for path, _, file, title in PAGES if (ROOT / file).is_file()]

CHART_DATA_JS = (
    "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
    ".map(d => (d.data || []).map(t => Array.from(t.y || [])))"
)
BUSY_JS = '() => !!document.querySelector(\'[data-testid="stStatusWidget"], [data-testid="stSkeleton"]\')'


def wait_idle(page: Any, quiet_checks: int = 4) -> None:
    """Wait until Streamlit has been idle (no running indicator, no skeleton) for a moment."""
    quiet = 0
    for _ in range(400):
        quiet = 0 if page.evaluate(BUSY_JS) else quiet + 1
        if quiet >= quiet_checks:
            return
        page.wait_for_timeout(250)
    raise AssertionError("the app stayed busy for 100 s")


CHART_DRAWN_JS = (
    "() => Array.from(document.querySelectorAll('.js-plotly-plot')).some(d => (d.data || []).length > 0)"
)


def chart_data(page: Any, *, unlike: Any = None) -> Any:
    """Every chart's y values, once Plotly has drawn (and, with ``unlike``, redrawn to other data).

    Plotly draws after Streamlit goes idle; on a busy machine reading at once can find no data yet.
    """
    page.wait_for_function(CHART_DRAWN_JS, timeout=60_000)
    if unlike is not None:
        page.wait_for_function(
            "before => JSON.stringify((" + CHART_DATA_JS + ")()) !== JSON.stringify(before)",
            arg=unlike,
            timeout=60_000,
        )
    return page.evaluate(CHART_DATA_JS)


def open_page(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector('[data-testid="stMain"]')
    page.wait_for_selector("h1")
    wait_idle(page)


def assert_no_errors(page: Any, where: str) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert exceptions.count() == 0, f"{where}: {exceptions.first.inner_text()}"
    assert errors.count() == 0, f"{where}: {errors.first.inner_text()}"


def verdict(page: Any) -> str:
    return str(page.locator("h5").first.inner_text())


def move_slider(page: Any, key: str, key_press: str) -> None:
    thumb = page.locator(f".st-key-{key} input[type=range]")
    thumb.focus()
    page.keyboard.press(key_press)
    page.wait_for_timeout(300)
    wait_idle(page)


def slider_text(page: Any, key: str) -> str:
    return str(page.locator(f".st-key-{key} input[type=range]").get_attribute("aria-valuetext"))


def test_moving_a_slider_redraws_the_chart(page: Any, app_url: str) -> None:
    open_page(page, app_url)
    assert_no_errors(page, "overview")
    before = chart_data(page)
    assert before and before[0], "no chart data on the overview"
    assert "200k requests/month" in verdict(page)
    move_slider(page, "sb_requests_per_month", "ArrowRight")
    assert slider_text(page, "sb_requests_per_month") == "500k"
    after = chart_data(page, unlike=before)
    assert after != before
    assert after[0][0][-1] > before[0][0][-1]  # more requests, higher cumulative cost
    assert "500k requests/month" in verdict(page)
    assert_no_errors(page, "overview after the slider")


@pytest.mark.skipif(
    not (ROOT / "app_pages/tokens.py").is_file(), reason="app_pages/tokens.py has not landed yet"
)
def test_uploading_sample_prompts_shows_token_counts(page: Any, app_url: str, tmp_path: Path) -> None:
    sample = tmp_path / "prompts.txt"
    sample.write_text("How do I reset my card PIN?\n---\nWhy was my transfer to Lisbon declined yesterday?\n")
    open_page(page, app_url + "/tokens")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(sample))
    page.get_by_text("prompts.txt (").first.wait_for(timeout=60_000)
    wait_idle(page)
    assert_no_errors(page, "tokens after upload")
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "samples" in body and "prompts.txt" in body
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1


def _open_export_menu(page: Any) -> None:
    page.get_by_role("button", name="Export").first.click()
    page.get_by_role("button", name="CSV (the chart's data)").wait_for()


def test_downloads_csv_and_png_of_a_chart(page: Any, app_url: str) -> None:
    open_page(page, app_url)
    _open_export_menu(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV (the chart's data)").click()
    download = info.value
    assert download.suggested_filename == "cumulative-cost.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text())))
    assert rows[0] == ["series", "month (0 = one-off costs before launch)", "cumulative cost (USD)"]
    series = {r[0] for r in rows[1:]}
    assert "prompt (prompting)" in series
    horizon = load_scenario(ROOT / "examples/fintech-support.yaml").horizon_months
    assert sum(1 for r in rows if r[0] == "prompt (prompting)") == horizon + 1

    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="PNG", exact=True).click()
    png = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename == "cumulative-cost.png"
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (2400, 960)
    assert len(png) > 20_000  # a real chart, not a blank image


def test_a_shared_link_opens_the_same_scenario(browser: Any, page: Any, app_url: str) -> None:
    open_page(page, app_url + "/breakeven")
    move_slider(page, "sb_requests_per_month", "ArrowRight")
    move_slider(page, "sb_horizon_months", "ArrowLeft")
    link = page.url
    token = parse_qs(urlsplit(link).query)[share.QUERY_PARAM][0]
    shared = share.decode_scenario(token)
    assert shared.workload.requests_per_month == 500_000 and shared.horizon_months == 23
    expected_text = page.locator('[data-testid="stMain"] p').first.inner_text()

    other = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    try:
        open_page(other, link)
        assert_no_errors(other, "shared link")
        assert other.locator("h1").first.inner_text() == "Breakeven"
        assert slider_text(other, "sb_requests_per_month") == "500k"
        assert slider_text(other, "sb_horizon_months") == "23"
        assert other.locator('[data-testid="stMain"] p').first.inner_text() == expected_text
    finally:
        other.context.close()


def test_a_link_to_a_page_works_as_the_first_request_of_a_fresh_server(page: Any, fresh_app_url: str) -> None:
    """Streamlit runs a page without app.py while ``pages/`` exists and nothing has called st.navigation yet."""
    scenario = load_scenario(EXAMPLES[0])
    open_page(
        page, f"{fresh_app_url}/latency?{urlencode({share.QUERY_PARAM: share.encode_scenario(scenario)})}"
    )
    assert_no_errors(page, "first request")
    assert page.locator("h1").first.inner_text() == "Latency"
    assert page.locator(".st-key-sb_requests_per_month").count() == 1  # the sidebar: app.py ran
    assert scenario.name in page.locator('[data-testid="stSidebar"]').inner_text()


def test_a_tampered_link_shows_an_error_and_the_default(page: Any, app_url: str) -> None:
    open_page(page, app_url + "/?" + urlencode({share.QUERY_PARAM: "1.<script>alert(1)</script>"}))
    error = page.locator('[data-testid="stAlertContentError"]').first
    assert "query parameter 's'" in error.inner_text()
    assert "200k requests/month" in verdict(page)  # the default scenario
    assert page.locator("script:has-text('alert(1)')").count() == 0


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_page_renders_every_example(page: Any, app_url: str, example: Path) -> None:
    """Open the example through its link, then visit every page with the navigation menu."""
    scenario = load_scenario(example)
    open_page(page, f"{app_url}/?{urlencode({share.QUERY_PARAM: share.encode_scenario(scenario)})}")
    assert_no_errors(page, f"{example.stem} / Overview")
    for path, title in NAV[1:]:
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
        page.wait_for_url(f"**/{path}?**")
        wait_idle(page, quiet_checks=2)
        assert_no_errors(page, f"{example.stem} / {title}")
    assert scenario.name in page.locator('[data-testid="stSidebar"]').inner_text()


def test_screenshots_of_every_page(browser: Any, app_url: str, screenshot_dir: Path) -> None:
    """1280x800 screenshots of every page (light), the breakeven volume chart and the overview in dark."""
    shots = []
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
        page = context.new_page()
        try:
            targets = MOUNTED if scheme == "light" else [("", "overview"), ("breakeven", "breakeven")]
            for path, name in targets:
                open_page(page, f"{app_url}/{path}")
                assert_no_errors(page, f"{name} ({scheme})")
                if scheme == "dark" and name == "breakeven":  # the chart itself in the dark theme
                    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
                else:
                    page.evaluate("() => document.querySelector('h1').scrollIntoView()")
                page.wait_for_timeout(300)
                suffix = "" if scheme == "light" else "-dark"
                target = screenshot_dir / f"{name}{suffix}.png"
                page.screenshot(path=str(target))
                shots.append(target)
            if scheme == "light":
                open_page(page, f"{app_url}/breakeven?view=By+volume")
                chart = page.locator(".js-plotly-plot").first
                chart.scroll_into_view_if_needed()
                target = screenshot_dir / "breakeven-volume.png"
                page.screenshot(path=str(target))
                shots.append(target)
        finally:
            context.close()
    for shot in shots:
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (1280, 800)
