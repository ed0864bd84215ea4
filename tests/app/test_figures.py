"""Figure builders: titles, axis titles with units, named traces, breakeven markers in words, theme-neutral."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import pytest
from ui_golden import BREAKEVEN_MONTH, BREAKEVEN_VOLUME, TOTAL_A_USD, TOTAL_B_USD, golden_result

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import default_catalogs
from costmodel.engine import RunResult, run
from costmodel.scenario.io import load_scenario
from ui.figures.breakeven import (
    breakdown_figure,
    breakeven_volume_label,
    cost_vs_volume_figure,
    format_count,
    monthly_cost_figure,
    unit_cost_figure,
    volume_grid,
)
from ui.figures.common import (
    FIGURE_HEIGHT_PX,
    PALETTE,
    TOOLBAR_SCALE,
    breakeven_month_label,
    cumulative_cost_figure,
    plotly_config,
    strategy_colors,
)
from ui.figures.latency import latency_stages_figure, latency_vs_cost_figure

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))

BUILDERS: dict[str, Callable[[RunResult], go.Figure]] = {
    "cumulative": cumulative_cost_figure,
    "monthly": monthly_cost_figure,
    "volume": cost_vs_volume_figure,
    "breakdown": breakdown_figure,
    "unit": unit_cost_figure,
    "latency_vs_cost": latency_vs_cost_figure,
    "latency_stages": latency_stages_figure,
}

UNIT_WORDS = ("USD", "ms", "month", "requests", "strategy")
"""Every axis title names a unit or a category."""


@pytest.fixture(scope="module")
def golden(test_catalogs: Catalogs) -> RunResult:
    return golden_result(test_catalogs)


@pytest.fixture(scope="module", params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def example_result(request: pytest.FixtureRequest) -> RunResult:
    return run(load_scenario(request.param), default_catalogs())


def _text(title: object) -> str:
    return str(getattr(title, "text", "") or "")


@pytest.mark.parametrize("name", list(BUILDERS))
def test_every_figure_has_title_axes_with_units_legend_and_fixed_size(
    name: str, example_result: RunResult
) -> None:
    fig = BUILDERS[name](example_result)
    layout = fig.layout
    assert _text(layout.title)
    for axis in (layout.xaxis, layout.yaxis):
        title = _text(axis.title)
        assert any(word in title for word in UNIT_WORDS), f"{name}: axis title {title!r} names no unit"
    assert _text(layout.legend.title)
    assert layout.showlegend is not False
    assert layout.height >= FIGURE_HEIGHT_PX  # taller only when the legend moves under the plot
    assert layout.font.size >= 12
    named = [t.name for t in fig.data]
    assert named and all(named), f"{name}: unnamed trace"


@pytest.mark.parametrize("name", list(BUILDERS))
def test_figures_leave_the_theme_to_streamlit(name: str, golden: RunResult) -> None:
    """No template, paper or plot colour is fixed: Streamlit's light or dark theme applies in the app."""
    fig = BUILDERS[name](golden)
    assert fig.layout.paper_bgcolor is None and fig.layout.plot_bgcolor is None
    assert fig.layout.template == pio.templates[pio.templates.default]  # not chosen by us
    assert fig.layout.font.color is None


def test_cumulative_golden_breakeven_marker_in_words(golden: RunResult) -> None:
    fig = cumulative_cost_figure(golden)
    label = "b pays off vs a in month 6"
    assert breakeven_month_label("a", "b", BREAKEVEN_MONTH) == label
    marker = next(t for t in fig.data if t.name == label)
    assert list(marker.x) == [BREAKEVEN_MONTH]
    assert marker.y[0] == pytest.approx(1000 + 20 * BREAKEVEN_MONTH)
    assert [a.text for a in fig.layout.annotations] == [label]
    lines = {t.name: t for t in fig.data if t.mode == "lines"}
    assert set(lines) == {"a (prompting)", "b (hosted fine-tuning)"}
    a = lines["a (prompting)"]
    assert list(a.x) == list(range(13))
    assert a.y[0] == 0.0 and a.y[-1] == pytest.approx(TOTAL_A_USD)
    assert lines["b (hosted fine-tuning)"].y[0] == pytest.approx(1000.0)
    assert lines["b (hosted fine-tuning)"].y[-1] == pytest.approx(TOTAL_B_USD)
    assert "12 months" in fig.layout.title.text
    assert "(USD)" in fig.layout.yaxis.title.text


def test_cumulative_without_breakeven_has_no_marker(golden: RunResult) -> None:
    no_pairs = RunResult(**{**{f: getattr(golden, f) for f in golden.__dataclass_fields__}, "breakeven": ()})
    fig = cumulative_cost_figure(no_pairs)
    assert all(t.mode == "lines" for t in fig.data)
    assert not fig.layout.annotations


def test_volume_figure_golden_breakeven_volume(golden: RunResult) -> None:
    fig = cost_vs_volume_figure(golden)
    label = breakeven_volume_label("a", "b", BREAKEVEN_VOLUME)
    assert label == "b pays off vs a above 46.3k requests/month"
    marker = next(t for t in fig.data if t.name == label)
    assert marker.x[0] == pytest.approx(BREAKEVEN_VOLUME)
    # average monthly cost of a at that volume: 0.002 USD x q
    assert marker.y[0] == pytest.approx(0.002 * BREAKEVEN_VOLUME)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    line = next(t for t in fig.data if t.name == "b (hosted fine-tuning)")
    # b at constant q: (1000 + 12 x 0.0002 q) / 12
    q0 = float(line.x[0])
    assert line.y[0] == pytest.approx((1000 + 12 * 0.0002 * q0) / 12)
    # the month-1 volume line: a shape on a log axis takes the data value, its label the log10 value
    assert fig.layout.shapes[0].x0 == pytest.approx(100_000)
    assert any(a.x == pytest.approx(5.0) and "month-1 volume: 100k" in a.text for a in fig.layout.annotations)
    assert fig.layout.xaxis.range == pytest.approx(
        (math.log10(volume_grid(golden)[0]), math.log10(volume_grid(golden)[-1]))
    )
    annotation = next(a for a in fig.layout.annotations if a.text == label)
    assert annotation.x == pytest.approx(math.log10(BREAKEVEN_VOLUME))


def test_volume_grid_spans_volume_and_breakevens(golden: RunResult) -> None:
    grid = volume_grid(golden)
    assert grid[0] <= BREAKEVEN_VOLUME / 10 and grid[-1] >= 100_000 * 10
    assert all(b > a for a, b in itertools.pairwise(grid))


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (950, "950"), (1_000, "1k"), (46_296.3, "46.3k"), (2e6, "2M"), (1.5e9, "1.5B")],
)
def test_format_count(value: float, text: str) -> None:
    assert format_count(value) == text


def test_breakdown_stacks_to_totals(golden: RunResult) -> None:
    fig = breakdown_figure(golden)
    assert fig.layout.barmode == "stack"
    assert {t.name for t in fig.data} == {"tokens", "people"}  # the only non-zero categories
    for i, sid in enumerate(["a", "b"]):
        assert sum(t.y[i] for t in fig.data) == pytest.approx(golden.strategy(sid).total_usd)


def test_unit_cost_golden_values(golden: RunResult) -> None:
    fig = unit_cost_figure(golden)
    by_name = {t.name: list(t.y) for t in fig.data}
    assert by_name["marginal per request (month 1)"] == pytest.approx([0.002, 0.0002])
    assert by_name["all-in per request"] == pytest.approx([2400 / 1.2e6, 1240 / 1.2e6])
    assert by_name["all-in per correct answer"] == pytest.approx([2400 / (1.2e6 * 0.8), 1240 / (1.2e6 * 0.9)])


def test_latency_vs_cost_has_budget_line_and_points(golden: RunResult) -> None:
    fig = latency_vs_cost_figure(golden)
    assert [s.x0 for s in fig.layout.shapes] == [1500]
    assert any("latency budget 1,500 ms" in (a.text or "") for a in fig.layout.annotations)
    points = {t.text[0]: (t.x[0], t.y[0]) for t in fig.data}
    assert points["a"] == pytest.approx((1555.0, 0.002))
    assert points["b"][0] == pytest.approx(355 + 100 / 150 * 1000)
    assert fig.layout.xaxis.title.text == "end-to-end latency (ms)"


def test_latency_stages_sum_to_end_to_end(golden: RunResult) -> None:
    fig = latency_stages_figure(golden)
    assert fig.layout.barmode == "stack"
    assert {t.name for t in fig.data} == {"time to first token (prefill)", "generation (output tokens)"}
    for i, sid in enumerate(["a", "b"]):
        latency = golden.strategy(sid).latency
        assert latency is not None
        assert sum(t.x[i] for t in fig.data) == pytest.approx(latency.end_to_end_ms)
    assert [s.x0 for s in fig.layout.shapes] == [1500]


def test_latency_figures_without_budget_have_no_line(example_result: RunResult) -> None:
    fig = latency_vs_cost_figure(example_result)
    needs = example_result.scenario.needs
    expected = 0 if needs is None or needs.latency_budget_ms is None else 1
    assert len(fig.layout.shapes) == expected


def test_plotly_config_exports_high_resolution() -> None:
    config = plotly_config("chart", "svg")
    assert config["toImageButtonOptions"] == {"format": "svg", "filename": "chart", "scale": TOOLBAR_SCALE}
    assert TOOLBAR_SCALE >= 2
    assert config["displaylogo"] is False


def test_colours_stable_per_strategy_across_charts(golden: RunResult) -> None:
    colors = strategy_colors(golden)
    assert colors == {"a": PALETTE[0], "b": PALETTE[1]}
    cum = {
        t.name.split(" ")[0]: t.line.color for t in cumulative_cost_figure(golden).data if t.mode == "lines"
    }
    vol = {
        t.name.split(" ")[0]: t.line.color for t in cost_vs_volume_figure(golden).data if t.mode == "lines"
    }
    assert cum == vol == colors


def test_unavailable_strategies_are_left_out_of_charts(golden: RunResult) -> None:
    import dataclasses

    b = dataclasses.replace(golden.strategy("b"), available=False)
    result = dataclasses.replace(golden, strategies=(golden.strategy("a"), b), breakeven=())
    for name, builder in BUILDERS.items():
        fig = builder(result)
        text = (
            " ".join(str(t.name) for t in fig.data)
            + " "
            + " ".join(str(getattr(t, "x", "")) for t in fig.data)
        )
        assert "b (hosted" not in text, name


def test_many_breakevens_are_numbered_not_arrowed(example_result: RunResult) -> None:
    """Beyond MAX_ARROW_LABELS markers, labels would overlap: numbers on the chart, words in the legend."""
    from ui.figures.common import MAX_ARROW_LABELS

    fig = cost_vs_volume_figure(example_result)
    markers = [t for t in fig.data if t.legendgroup == "breakeven"]
    volumes = [p for p in example_result.breakeven if p.requests_per_month]
    assert len(markers) == len(volumes)
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    if len(markers) > MAX_ARROW_LABELS:
        assert not arrows
        assert [m.text[0] for m in markers] == [str(i + 1) for i in range(len(markers))]
        assert all(m.name.startswith(f"{i + 1}. ") and "pays off vs" in m.name for i, m in enumerate(markers))
    else:
        assert len(arrows) == len(markers)


def test_crowded_legend_moves_under_the_plot_and_the_figure_grows(example_result: RunResult) -> None:
    from ui.figures.common import LEGEND_ROW_PX, MAX_ARROW_LABELS

    fig = cost_vs_volume_figure(example_result)
    n = sum(1 for t in fig.data if t.legendgroup == "breakeven")
    if n > MAX_ARROW_LABELS:
        assert fig.layout.legend.orientation == "h"
        assert fig.layout.height == FIGURE_HEIGHT_PX + LEGEND_ROW_PX * (n + 3)
    else:
        assert fig.layout.legend.orientation is None and fig.layout.height == FIGURE_HEIGHT_PX
