"""Plotly figure builders for engine results: shared style and the cumulative-cost chart.

Figure builders are plain functions (no streamlit) returning a ``go.Figure`` with a title, axis
titles with units, a legend and named traces; they are unit-tested directly. Colours are fixed per
strategy (scenario order) so a strategy looks the same on every chart; the palette (Tailwind 500
shades) keeps contrast on both the light and the dark Streamlit theme. No template is set here: in
the app Streamlit applies its light or dark theme; exports apply a light template (``ui.export``).
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from costmodel.core.text import for_plotly
from costmodel.engine import RunResult, StrategyResult
from costmodel.report import KIND_LABELS
from ui.figures.lifecycle import add_lifecycle_markers

PALETTE = ("#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#a855f7", "#06b6d4", "#ec4899", "#84cc16")
"""Strategy colours, in scenario order (cycled beyond eight strategies)."""

CATEGORY_COLORS = {
    "tokens": "#3b82f6",
    "gpu": "#ef4444",
    "labeling": "#f59e0b",
    "training": "#a855f7",
    "infrastructure": "#10b981",
    "people": "#64748b",
}
"""One colour per cost category of ``breakdown_usd``."""

FIGURE_HEIGHT_PX = 480
"""Height of every chart: fits a 1280x800 window below the page header."""

EXPORT_WIDTH_PX = 1200
"""Width of server-side image exports (the toolbar export uses the on-screen size x scale)."""

TOOLBAR_SCALE = 3
"""Scale factor of the plotly toolbar's image download (3x the on-screen size: print quality)."""


def plotly_config(filename: str, image_format: str = "png") -> dict[str, object]:
    """Plotly config for ``st.plotly_chart``: high-resolution toolbar image export, no logo.

    >>> plotly_config("cumulative")["toImageButtonOptions"]
    {'format': 'png', 'filename': 'cumulative', 'scale': 3}
    """
    return {
        "toImageButtonOptions": {"format": image_format, "filename": filename, "scale": TOOLBAR_SCALE},
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }


def strategy_colors(result: RunResult) -> dict[str, str]:
    """Colour of each strategy id (scenario order, stable across charts)."""
    return {s.id: PALETTE[i % len(PALETTE)] for i, s in enumerate(result.strategies)}


def strategy_label(s: StrategyResult) -> str:
    """Legend label: ``id (kind in words)``."""
    return f"{s.id} ({KIND_LABELS.get(s.kind, s.kind)})"


def available(result: RunResult) -> list[StrategyResult]:
    """Strategies the engine could evaluate (unavailable ones are listed in the cost table instead)."""
    return [s for s in result.strategies if s.available]


def style(
    fig: go.Figure,
    *,
    title: str,
    subtitle: str = "",
    x_title: str,
    y_title: str,
    legend_title: str = "strategy",
) -> go.Figure:
    """Apply the shared layout: title (and subtitle), axis titles with units, legend, size."""
    fig.update_layout(
        title={"text": title, "subtitle": {"text": subtitle}, "x": 0.0, "xanchor": "left"},
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend_title_text=legend_title,
        height=FIGURE_HEIGHT_PX,
        margin={"t": 80, "l": 70, "r": 20, "b": 60},
        font={"size": 13},
    )
    return fig


def cumulative_cost_figure(result: RunResult) -> go.Figure:
    """Cumulative cost by month per strategy, with each time-breakeven marked and labelled in words.

    Month 0 holds the one-off costs (before launch); month m adds that month's recurring cost. When the
    scenario discounts, the lines are discounted (present value, the NPV basis the verdict and the
    breakeven months use) and the title says so.
    """
    fig = go.Figure()
    colors = strategy_colors(result)
    horizon = result.scenario.horizon_months
    months = list(range(0, horizon + 1))
    rate = result.scenario.discount_rate_annual_fraction
    discounted = rate > 0

    def series(s: StrategyResult) -> list[float]:
        cumulative = (
            s.discounted_cumulative_usd
            if discounted and s.discounted_cumulative_usd is not None
            else s.cumulative_usd
        )
        return [s.one_off_usd, *cumulative.tolist()]

    for s in available(result):
        fig.add_trace(
            go.Scatter(
                x=months,
                y=series(s),
                mode="lines",
                line={"color": colors[s.id], "width": 3},
                name=strategy_label(s),
                hovertemplate="month %{x}<br>$%{y:,.0f}<extra>" + s.id + "</extra>",
            )
        )
    shown = [(p, p.month) for p in result.breakeven if p.month is not None]
    for i, (pair, month) in enumerate(shown):
        add_breakeven_marker(
            fig,
            index=i,
            n_markers=len(shown),
            x=month,
            y=series(result.strategy(pair.b))[month],
            label=breakeven_month_label(pair.a, pair.b, month),
            color=colors[pair.b],
            group_title="breakeven",
            hover="cumulative $%{y:,.0f}",
            text_left=month > horizon / 2,
        )
    style(
        fig,
        title=(
            f"Cumulative discounted cost over {horizon} months (NPV at {rate:.0%} a year)"
            if discounted
            else f"Cumulative cost over {horizon} months"
        ),
        # plotly renders a few HTML tags in text (<a>, <b>, ...): the user's name is escaped.
        subtitle=f"{for_plotly(result.scenario.name)}: one-off costs at month 0, then recurring costs month by month",
        x_title="month (0 = one-off costs before launch)",
        y_title="cumulative discounted cost (USD, present value)" if discounted else "cumulative cost (USD)",
    )
    add_lifecycle_markers(
        fig,
        result,
        colors=colors,
        name_of=strategy_label,
        values=series,
        first_month=0,
        hover="$%{y:,.0f}",
    )
    legend_below_if_crowded(fig)
    fig.update_layout(hovermode="x unified")
    fig.update_yaxes(tickprefix="$", separatethousands=True, rangemode="tozero")
    fig.update_xaxes(range=[0, horizon])
    return fig


MAX_ARROW_LABELS = 3
"""Up to this many breakeven markers are labelled in words on the chart with an arrow; beyond that the
labels would overlap, so each marker carries a number and the legend says it in words."""


def add_breakeven_marker(
    fig: go.Figure,
    *,
    index: int,
    n_markers: int,
    x: float,
    y: float,
    label: str,
    color: str,
    group_title: str,
    hover: str,
    log_axes: bool = False,
    text_left: bool = False,
) -> None:
    """A diamond at a breakeven point, named in words in the legend, with an arrow label or a number."""
    numbered = n_markers > MAX_ARROW_LABELS
    number = str(index + 1)
    fig.add_trace(
        go.Scatter(
            x=[x],
            y=[y],
            mode="markers+text" if numbered else "markers",
            text=[number] if numbered else None,
            textposition="top center" if index % 2 == 0 else "bottom center",  # neighbours apart
            textfont={"size": 14},
            marker={"size": 13, "symbol": "diamond", "color": color, "line": {"width": 2}},
            name=f"{number}. {label}" if numbered else label,
            legendgroup="breakeven",
            legendgrouptitle_text=group_title,
            hovertemplate=label + "<br>" + hover + "<extra></extra>",
        )
    )
    if numbered:
        return
    # On log axes annotations take log10 coordinates.
    fig.add_annotation(
        x=math.log10(x) if log_axes else x,
        y=math.log10(y) if log_axes and y > 0 else y,
        text=label,
        showarrow=True,
        arrowhead=2,
        arrowcolor="#888888",  # mid grey: visible on the light and the dark theme
        ax=-60 if text_left else 60,
        ay=-40 - 32 * (index % MAX_ARROW_LABELS),
        bgcolor="rgba(128,128,128,0.15)",
        borderpad=3,
    )


LEGEND_ROW_PX = 22
"""Height of one legend row when the legend sits under the plot."""


def legend_below_if_crowded(fig: go.Figure) -> go.Figure:
    """With numbered breakevens the legend's long labels would squeeze the plot: put it under the plot."""
    n_markers = sum(1 for t in fig.data if t.legendgroup == "breakeven")
    if n_markers <= MAX_ARROW_LABELS:
        return fig
    # One row per breakeven, plus the strategies' row and the group titles; the plot keeps its height.
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left", "x": 0.0},
        height=FIGURE_HEIGHT_PX + LEGEND_ROW_PX * (n_markers + 3),
    )
    return fig


def breakeven_month_label(a: str, b: str, month: int) -> str:
    """The words on a time-breakeven marker.

    >>> breakeven_month_label("prompt", "ft-hosted", 7)
    'ft-hosted pays off vs prompt in month 7'
    """
    return f"{b} pays off vs {a} in month {month}"
