"""Exports: chart data as CSV, self-contained HTML, whole result as JSON/CSV, the report, server-side images."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import struct
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from ui_golden import TOTAL_A_USD, TOTAL_B_USD, golden_result

from costmodel import report
from costmodel.catalog.entry import Catalogs
from costmodel.engine import RunResult
from costmodel.strategies.common import CATEGORIES
from ui import export, summary
from ui.figures.breakeven import cost_vs_volume_figure
from ui.figures.common import cumulative_cost_figure
from ui.figures.latency import latency_stages_figure

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module", autouse=True)
def _stop_shared_browser() -> Iterator[None]:
    """Close the renderer's Chromium after this module (else it is cleaned up noisily at exit)."""
    yield
    if CHROMIUM.is_file():
        export.stop_renderer()


@pytest.fixture(scope="module")
def golden(test_catalogs: Catalogs) -> RunResult:
    return golden_result(test_catalogs)


def test_figure_frame_has_one_row_per_point_with_axis_titles(golden: RunResult) -> None:
    fig = cumulative_cost_figure(golden)
    frame = export.figure_frame(fig)
    assert list(frame.columns) == [
        "series",
        "month (0 = one-off costs before launch)",
        "cumulative cost (USD)",
    ]
    assert len(frame) == 13 + 13 + 1  # two strategies x months 0..12, one breakeven marker
    a = frame[frame["series"] == "a (prompting)"]
    assert a["cumulative cost (USD)"].iloc[-1] == pytest.approx(TOTAL_A_USD)
    marker = frame[frame["series"] == "b pays off vs a in month 6"]
    assert marker.iloc[0, 1] == 6


def test_figure_csv_parses_back(golden: RunResult) -> None:
    text = export.figure_csv(cost_vs_volume_figure(golden))
    frame = pd.read_csv(io.StringIO(text))
    assert frame.columns[1] == "requests per month (log scale)"
    assert {"a (prompting)", "b (hosted fine-tuning)"} <= set(frame["series"])


def test_horizontal_bars_export_values_and_categories(golden: RunResult) -> None:
    frame = export.figure_frame(latency_stages_figure(golden))
    row = frame[(frame["series"] == "generation (output tokens)") & (frame["strategy"] == "a")]
    assert row["latency (ms)"].iloc[0] == pytest.approx(1000.0)


def test_same_axis_titles_are_told_apart() -> None:
    fig = go.Figure(go.Scatter(x=[1], y=[2], name="s"))
    fig.update_layout(xaxis_title="USD", yaxis_title="USD")
    assert list(export.figure_frame(fig).columns) == ["series", "x: USD", "y: USD"]


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1"])
def test_csv_neutralises_formulas(cell: str) -> None:
    text = export.to_csv(pd.DataFrame({"name": [cell], "value": [-1.5]}))
    assert f"'{cell}" in text
    assert ",-1.5" in text  # numbers are untouched


def test_result_json_is_the_cli_contract(golden: RunResult) -> None:
    data = json.loads(export.result_json(golden))
    assert data == json.loads(json.dumps(golden.to_dict()))
    assert [s["total_usd"] for s in data["strategies"]] == pytest.approx([TOTAL_A_USD, TOTAL_B_USD])
    assert data["breakeven"][0]["month"] == 6


def test_result_csv_month_by_month_sums_to_totals(golden: RunResult) -> None:
    frame = pd.read_csv(io.StringIO(export.result_csv(golden)))
    assert len(frame) == 2 * 13
    for sid, total in (("a", TOTAL_A_USD), ("b", TOTAL_B_USD)):
        rows = frame[frame["strategy"] == sid]
        assert rows["cost_usd"].sum() == pytest.approx(total)
        assert rows["cumulative_usd"].iloc[-1] == pytest.approx(total)
        assert rows[[f"{c}_usd" for c in CATEGORIES]].to_numpy().sum() == pytest.approx(total)
    b0 = frame[(frame["strategy"] == "b") & (frame["month"] == 0)].iloc[0]
    assert b0["people_usd"] == pytest.approx(1000.0) and b0["requests"] == 0


def test_figure_html_is_self_contained(golden: RunResult) -> None:
    text = export.figure_html(cumulative_cost_figure(golden))
    assert text.lstrip().lower().startswith("<!doctype html>")
    assert not re.search(r"<script[^>]+src=", text)  # plotly.js is inlined, nothing is fetched
    assert len(text) > 1_000_000


def test_exports_use_a_light_template_whatever_the_app_theme(golden: RunResult) -> None:
    fig = export.export_figure(cumulative_cost_figure(golden))
    assert fig.layout.template.layout.plot_bgcolor == "white"
    assert (fig.layout.width, fig.layout.height) == (export.EXPORT_WIDTH_PX, export.FIGURE_HEIGHT_PX)
    tall = cumulative_cost_figure(golden)
    tall.update_layout(height=700)
    assert export.export_figure(tall).layout.height == 700


def test_report_is_one_self_contained_page_with_escaped_user_text(golden: RunResult) -> None:
    table = summary.cost_table(golden)
    text = export.report_html(
        golden,
        verdict=report.verdict(golden),
        table=table,
        figures={"Cumulative cost": cumulative_cost_figure(golden)},
        breakevens=report.breakeven_sentences(golden),
        notes=report.notes(golden),
        decisive=["flips if <b>labelling</b> falls to $4.10"],
    )
    assert "<h2>Decisive assumptions</h2>" in text
    assert "<li>flips if &lt;b&gt;labelling&lt;/b&gt; falls to $4.10</li>" in text
    assert "Golden &lt;b&gt;test&lt;/b&gt;" in text and "Golden <b>test</b>" not in text
    assert report.verdict(golden).split(",")[0] in text
    assert "b pays off vs a in month 6" in text
    assert text.count("Plotly.newPlot") == 1
    assert not re.search(r"<script[^>]+src=", text)
    assert "labeling not set" in text  # notes are listed
    assert "horizon_months: 12" in text  # the scenario YAML


def test_export_status_explains_what_to_install(monkeypatch: pytest.MonkeyPatch, golden: RunResult) -> None:
    monkeypatch.setenv(export.BROWSER_ENV, "/nonexistent/chrome")
    ok, message = export.image_export_status()
    assert not ok
    assert "apt-get install chromium" in message and "BREAKEVEN_CHROME" in message
    with pytest.raises(export.ExportUnavailable, match="Chromium"):
        export.figure_image(cumulative_cost_figure(golden), "png")


def test_unknown_image_format_is_refused(golden: RunResult) -> None:
    with pytest.raises(ValueError, match="format"):
        export.figure_image(cumulative_cost_figure(golden), "gif")


@pytest.mark.skipif(
    not CHROMIUM.is_file(), reason="server-side images need /usr/bin/chromium (apt-get install chromium)"
)
@pytest.mark.skipif(
    importlib.util.find_spec("kaleido") is None, reason="kaleido is not installed (pip install -e '.[dev]')"
)
@pytest.mark.parametrize(
    ("fmt", "magic"), [("png", b"\x89PNG\r\n\x1a\n"), ("svg", b"<svg"), ("pdf", b"%PDF")]
)
def test_server_side_images(
    monkeypatch: pytest.MonkeyPatch, golden: RunResult, fmt: str, magic: bytes
) -> None:
    monkeypatch.setenv(export.BROWSER_ENV, str(CHROMIUM))
    data = export.figure_image(cumulative_cost_figure(golden), fmt)  # one shared browser: ~4 s, then ~0.3 s
    assert data.lstrip()[: len(magic)] == magic
    if fmt == "png":
        width, height = struct.unpack(">II", data[16:24])
        assert (width, height) == (export.EXPORT_WIDTH_PX * 2, export.FIGURE_HEIGHT_PX * 2)
