"""Model lifecycles in the app: chart markers, the Overview's note, month 1 and the price data, the Prices
page's status columns, the Advisor's lifecycle notes, and a strategy that stops.

The hand-written catalog below gives hand-computable numbers (``BREAKEVEN_TODAY`` is pinned in
tests/conftest.py; the scenario sets its own ``start_date``):
- testco/old-model ($10/Mtok in and out) shuts down on 2027-03-10 = month 4 of a run from 2026-12-01,
  replaced by testco/new-model ($5/Mtok). 100 + 100 tokens x 100,000 requests/month: $200/month on the
  old model, $100/month on the new one.
- ``moves`` migrates with migration_hours 10 x $100/h = $1,000 in month 4: months 1-3 $600, month 4
  $1,100, months 5-12 $800: total $2,500.
- ``stops`` has on_model_retirement: stop: it serves months 1-3 ($600) and is never the cheapest.
- ``aging`` uses testco/aging-model, deprecated on 2027-02-01 (month 3) with no shutdown: a notice only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from costmodel.advisor.recommendation import advise
from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import default_catalogs, parse_catalog
from costmodel.catalog.price_data import GENAI_PRICES_AS_OF, GENAI_PRICES_PINNED_VERSION
from costmodel.engine import RunResult, run
from costmodel.scenario.io import dump_scenario, load_scenario, parse_scenario
from ui import export, lifecycle, prices, sidebar, summary
from ui.figures.breakeven import monthly_cost_figure
from ui.figures.common import cumulative_cost_figure
from ui.figures.lifecycle import LABEL_ROW_PX

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
FINTECH = ROOT / "examples" / "fintech-support.yaml"
TIMEOUT_S = 60

CATALOG = b"""
models:
  - {id: testco/old-model, input_usd_per_mtok: 10.0, output_usd_per_mtok: 10.0, context_window_tokens: 100000,
     source_url: "https://example.org/m", as_of: 2026-11-01, confidence: high}
  - {id: testco/new-model, input_usd_per_mtok: 5.0, output_usd_per_mtok: 5.0, context_window_tokens: 100000,
     source_url: "https://example.org/m", as_of: 2026-11-01, confidence: high}
  - {id: testco/aging-model, input_usd_per_mtok: 5.0, output_usd_per_mtok: 5.0, context_window_tokens: 100000,
     source_url: "https://example.org/m", as_of: 2026-11-01, confidence: high}
lifecycle:
  - {id: testco/old-model, subject: model, deprecated_on: 2026-11-15, shutdown_on: 2027-03-10,
     replacement: testco/new-model, source_url: "https://example.org/deprecations", as_of: 2026-11-20}
  - {id: testco/aging-model, subject: model, deprecated_on: 2027-02-01,
     source_url: "https://example.org/deprecations", as_of: 2026-11-20}
"""

SCENARIO = """
name: Lifecycle test
start_date: 2026-12-01
horizon_months: 12
workload: {requests_per_month: 100000, input_tokens_per_request: 100, output_tokens_per_request: 100}
people: {engineer_usd_per_hour: 100}
strategies:
  - {id: moves, kind: prompting, model: testco/old-model, migration_hours: 10}
  - {id: stops, kind: prompting, model: testco/old-model, on_model_retirement: stop}
  - {id: aging, kind: prompting, model: testco/aging-model}
"""


@pytest.fixture(scope="module")
def result(test_catalogs: Catalogs) -> RunResult:
    catalogs = test_catalogs.merged(parse_catalog(CATALOG, source="lifecycle-test.yaml"))
    return run(parse_scenario(SCENARIO, source="lifecycle.yaml"), catalogs)


@pytest.fixture(scope="module")
def fintech() -> RunResult:
    return run(load_scenario(FINTECH), default_catalogs())


def plain(text: object) -> str:
    """Markdown as read: without the escapes and word joiners that keep user text literal."""
    return str(text).replace("\\", "").replace("\u2060", "")


# --- Words ------------------------------------------------------------------------------------------


def test_hand_computed_migration_and_stop(result: RunResult) -> None:
    moves, stops = result.strategy("moves"), result.strategy("stops")
    assert moves.monthly_usd.tolist()[:5] == pytest.approx([200, 200, 200, 1100, 100])
    assert moves.total_usd == pytest.approx(2500.0)
    assert (stops.available, stops.available_months) == (False, 3)
    assert lifecycle.stops(stops, 12) and not lifecycle.stops(moves, 12)


def test_lifecycle_sentences_name_date_month_replacement_and_cost(result: RunResult) -> None:
    assert lifecycle.lifecycle_sentences(result) == [
        "moves: testco/old-model shuts down on 10 Mar 2027 (month 4) → testco/new-model; migration $1,000",
        "stops: testco/old-model shuts down on 10 Mar 2027 (month 4); the strategy is set to stop rather than "
        "move to testco/new-model, so stops serves months 1-3 only and cannot be the cheapest over 12 months",
        "aging: testco/aging-model is deprecated from 1 Feb 2027 (month 3); a notice only, no cost",
    ]


def test_chart_markers_one_per_strategy_and_month_deprecations_not_drawn(result: RunResult) -> None:
    markers = lifecycle.chart_markers(result)
    assert [(m.strategy_id, m.month, m.label, m.stops) for m in markers] == [
        ("moves", 4, "moves: old-model retired → new-model (month 4)", False),
        ("stops", 4, "stops: old-model retired, strategy set to stop (month 4)", True),
    ]


def test_two_events_in_one_month_make_one_marker(fintech: RunResult) -> None:
    """The fintech example's hosted fine-tune stops taking jobs (6 Jan) and shuts down (14 Jan) in month 2."""
    ft = fintech.strategy("ft-hosted")
    assert sorted(e.kind for e in ft.lifecycle_events if e.month == 2) == ["new_jobs_end", "shutdown"]
    markers = [m for m in lifecycle.chart_markers(fintech) if m.strategy_id == "ft-hosted"]
    assert len(markers) == 1 and len(markers[0].detail) == 2


def test_month_one_and_price_data_lines(fintech: RunResult) -> None:
    assert lifecycle.month_one_line(fintech) == "Month 1 = December 2026"
    expected = f"Prices: genai-prices {GENAI_PRICES_PINNED_VERSION} bundled snapshot (as of "
    assert lifecycle.price_data_line(fintech) == expected + lifecycle.format_date(GENAI_PRICES_AS_OF) + ")"


# --- Figures ----------------------------------------------------------------------------------------


def _lifecycle_annotations(fig: go.Figure) -> list[Any]:
    return [a for a in fig.layout.annotations if a.name == "lifecycle"]


@pytest.mark.parametrize(
    "builder", [cumulative_cost_figure, monthly_cost_figure], ids=["cumulative", "monthly"]
)
def test_figures_mark_events_with_dotted_lines_and_stacked_labels(result: RunResult, builder: Any) -> None:
    fig = builder(result)
    lines = [s for s in fig.layout.shapes if s.line.dash == "dot" and str(s.name).startswith("lifecycle")]
    assert [(s.x0, s.x1, s.yref) for s in lines] == [(4, 4, "y domain"), (4, 4, "y domain")]
    notes = _lifecycle_annotations(fig)
    assert [a.text for a in notes] == [
        "moves: old-model retired → new-model (month 4)",
        "stops: old-model retired, strategy set to stop (month 4)",
    ]
    # Stacked one row apart inside the plot (the legend is outside it): labels never overlap.
    assert [a.yshift for a in notes] == [0, -LABEL_ROW_PX]
    assert all(a.yref == "y domain" and a.y == 1 and a.yanchor == "top" for a in notes)
    assert fig.layout.legend.x is None or fig.layout.legend.x >= 1
    assert "10 Mar 2027" in notes[0].hovertext
    # Headroom: the top of the y axis is above every plotted value, so labels sit above the lines.
    top = max(max(float(v) for v in t.y) for t in fig.data)
    assert fig.layout.yaxis.range[1] > top


def test_stopped_strategy_line_ends_at_its_last_month(result: RunResult) -> None:
    cumulative = cumulative_cost_figure(result)
    line = next(t for t in cumulative.data if t.name == "stops (prompting), stops after month 3")
    assert list(line.x) == [0, 1, 2, 3] and line.y[-1] == pytest.approx(600.0)
    end = next(t for t in cumulative.data if t.name == "stops stops after month 3")
    assert (list(end.x), end.marker.symbol) == ([3], "x")
    monthly = monthly_cost_figure(result)
    line = next(t for t in monthly.data if t.name == "stops (prompting), stops after month 3")
    assert list(line.x) == [1, 2, 3] and list(line.y) == pytest.approx([200, 200, 200])
    moves = next(t for t in monthly.data if t.name == "moves (prompting)")
    assert list(moves.x) == list(range(1, 13)) and moves.y[3] == pytest.approx(1100.0)


def test_figure_without_events_has_no_lifecycle_marks(result: RunResult) -> None:
    quiet = dataclasses.replace(
        result, strategies=tuple(dataclasses.replace(s, lifecycle_events=()) for s in result.strategies)
    )
    fig = cumulative_cost_figure(quiet)
    assert not _lifecycle_annotations(fig) and not fig.layout.shapes
    assert "stops" not in " ".join(str(t.name) for t in fig.data)  # unavailable, not stopped: left out


def test_html_report_has_lifecycle_month_one_and_price_data(fintech: RunResult) -> None:
    html = export.report_html(
        fintech,
        verdict="v",
        table=summary.cost_table(fintech),
        figures={},
        breakevens=[],
        notes=[],
        lifecycle=lifecycle.lifecycle_sentences(fintech),
    )
    assert "<h2>Model lifecycle</h2>" in html
    assert "openai/gpt-4.1 shuts down on 14 Jan 2027 (month 2)" in html
    assert "Month 1 = December 2026" in html and "bundled snapshot (as of" in html


# --- Prices logic -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("input_usd_per_mtok", "input (USD per 1M tokens)"),
        ("storage_usd_per_gb_month", "storage (USD per GB-month)"),
        ("usd_per_1k_searches", "price (USD per 1,000 searches)"),
        ("memory_bandwidth_gb_per_s", "memory bandwidth (GB/s)"),
        ("output_tokens_per_s", "output (tokens/s)"),
        ("n_params", "params"),
        ("source_url", "source"),
        ("lifecycle", "status"),
        ("shutdown_on", "shuts down on"),
        ("new_jobs_until", "new training jobs until"),
    ],
)
def test_column_labels_are_words(name: str, label: str) -> None:
    assert prices.column_label(name) == label


def test_lifecycle_columns_of_models_and_offers(result: RunResult) -> None:
    catalogs = default_catalogs().merged(parse_catalog(CATALOG, source="lifecycle-test.yaml"))
    on = result.start_date
    assert prices.lifecycle_columns(catalogs, "models", "testco/old-model", on) == {
        "lifecycle": "deprecated",
        "shutdown_on": dt.date(2027, 3, 10),
        "replacement": "testco/new-model",
    }
    assert prices.lifecycle_columns(catalogs, "models", "testco/new-model", on)["lifecycle"] == "active"
    assert (
        prices.lifecycle_columns(catalogs, "models", "testco/old-model", dt.date(2027, 3, 10))["lifecycle"]
        == "retired"
    )
    offer = prices.lifecycle_columns(catalogs, "finetune_offers", "openai/ft-gpt-4.1-mini", on)
    assert set(offer) == {"lifecycle", "new_jobs_until", "shutdown_on", "replacement"}
    assert offer["new_jobs_until"] == dt.date(2027, 1, 6)
    assert prices.lifecycle_columns(catalogs, "vector_databases", "x", on) == {}


# --- The app --------------------------------------------------------------------------------------


@pytest.fixture()
def app() -> Iterator[AppTest]:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    yield at


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _texts(at: AppTest) -> str:
    return plain("\n".join(str(e.value) for e in [*at.markdown, *at.caption, *at.warning]))


def _figures(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _upload(at: AppTest, text: str) -> None:
    at.selectbox(key=sidebar.PICK_KEY).set_value(sidebar.UPLOAD_CHOICE).run()
    at.file_uploader(key=sidebar.UPLOAD_KEY).set_value(
        ("mine.yaml", text.encode(), "application/x-yaml")
    ).run()
    _clean(at)


def test_overview_shows_lifecycle_note_start_month_prices_and_marker(app: AppTest) -> None:
    """The default scenario is the fintech example: its prompt strategy's gpt-4.1 retires in month 2."""
    _clean(app)
    text = _texts(app)
    assert "Model lifecycle" in text
    # 40 migration hours x $120/h (the example's engineer rate) = $4,800.
    assert (
        "prompt: openai/gpt-4.1 shuts down on 14 Jan 2027 (month 2) → openai/gpt-6-luna; migration $4,800"
        in text
    )
    assert "Month 1 = December 2026" in text
    assert f"Prices: genai-prices {GENAI_PRICES_PINNED_VERSION} bundled snapshot" in text
    (fig,) = _figures(app)
    labels = [a["text"] for a in fig["layout"]["annotations"] if a.get("name") == "lifecycle"]
    assert "prompt: gpt-4.1 retired → gpt-6-luna (month 2)" in labels
    dotted = [s for s in fig["layout"]["shapes"] if s["line"].get("dash") == "dot" and s["x0"] == 2]
    assert dotted


def test_breakeven_page_has_both_month_charts_with_markers(app: AppTest) -> None:
    app.switch_page("app_pages/breakeven.py").run()
    _clean(app)
    figures = _figures(app)
    assert len(figures) == 2
    for fig in figures:
        assert any(a.get("name") == "lifecycle" for a in fig["layout"]["annotations"])
    assert "shuts down on 14 Jan 2027" in _texts(app)


def test_prices_page_shows_status_shutdown_replacement_and_price_data(app: AppTest) -> None:
    app.switch_page("app_pages/prices.py").run()
    _clean(app)
    used = app.dataframe[0].value.set_index("id")
    assert used.loc["openai/gpt-4.1", "status"] == "deprecated"
    assert str(used.loc["openai/gpt-4.1", "shuts down on"]) == "2027-01-14"
    assert used.loc["openai/gpt-4.1", "replacement"] == "openai/gpt-6-luna"
    frames = [d.value for d in app.dataframe]
    models = next(f for f in frames if "long-context tiers" in f.columns)
    assert set(models["status"]) <= {"active", "deprecated", "retired"}
    assert models.set_index("id").loc["openai/gpt-4.1", "status"] == "deprecated"
    offers = next(
        f
        for f in frames
        if "new training jobs until" in f.columns and "training (USD per 1M tokens)" in f.columns
    )
    assert (
        str(offers.set_index("id").loc["openai/ft-gpt-4.1-mini", "new training jobs until"]) == "2027-01-06"
    )
    for frame in frames:
        assert not [c for c in frame.columns if "_" in str(c)], list(frame.columns)
    assert f"Prices: genai-prices {GENAI_PRICES_PINNED_VERSION} bundled snapshot" in _texts(app)


def test_stopped_strategy_shows_why_and_where_it_ends(app: AppTest) -> None:
    scenario = load_scenario(FINTECH)
    strategies = tuple(
        dataclasses.replace(s, model="openai/gpt-4.1", on_model_retirement="stop") if s.id == "prompt" else s
        for s in scenario.strategies
    )
    _upload(app, dump_scenario(dataclasses.replace(scenario, strategies=strategies)))
    text = _texts(app)
    assert "so prompt serves month 1 only and cannot be the cheapest over 24 months" in text
    assert "prompt (prompting) is the cheapest" not in text
    (fig,) = _figures(app)
    line = next(t for t in fig["data"] if t.get("name") == "prompt (prompting), stops after month 1")
    assert line["x"] == [0, 1]
    labels = [a["text"] for a in fig["layout"]["annotations"] if a.get("name") == "lifecycle"]
    assert "prompt: gpt-4.1 retired, strategy set to stop (month 2)" in labels


def test_advisor_shows_the_lifecycle_notes(app: AppTest, fintech: RunResult) -> None:
    subjects = {
        e.subject for s in fintech.strategies for e in s.lifecycle_events if e.kind in lifecycle.DRAWN_KINDS
    }
    expected = [n for n in advise(fintech).notes if any(subject in n for subject in subjects)]
    assert expected, "the advisor names no lifecycle event (SCENARIO.md: advise notes)"
    app.switch_page("app_pages/advisor.py").run()
    _clean(app)
    (warning,) = [w for w in app.warning if "Model lifecycle" in str(w.value)]
    for note in expected:
        assert note in plain(warning.value)


def test_prices_lifecycle_columns_never_show_none() -> None:
    import datetime as dt

    import pandas as pd

    from ui.prices import NOT_APPLICABLE, fill_lifecycle_gaps

    frame = pd.DataFrame(
        {
            "id": ["openai/gpt-4.1", "openai/gpt-6-luna", "expert"],
            "lifecycle": ["deprecated", "active", None],
            "shutdown_on": [dt.date(2027, 1, 14), None, None],
            "replacement": ["openai/gpt-6-luna", None, None],
        }
    )
    out = fill_lifecycle_gaps(frame)
    assert list(out["shutdown_on"]) == ["2027-01-14", "none announced", NOT_APPLICABLE]
    assert list(out["replacement"]) == ["openai/gpt-6-luna", "none named", NOT_APPLICABLE]
    assert list(out["lifecycle"]) == ["deprecated", "active", NOT_APPLICABLE]
