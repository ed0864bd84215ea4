"""Lifecycle markers on the month charts: a dotted line per strategy and event month, labels stacked at the top.

A strategy that a retirement stops (``available_months`` < horizon) is drawn up to its last month
served, with a cross where its line ends. Deprecation notices are not drawn (they cost nothing);
the Overview lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from costmodel.core.text import for_plotly
from costmodel.engine import RunResult, StrategyResult
from ui.lifecycle import chart_markers, stops

LABEL_ROW_PX = 24
"""Vertical distance between stacked lifecycle labels (12 px text plus padding and border)."""

LABEL_FONT_SIZE = 12

PLOT_MARGIN_PX = 140
"""Top plus bottom margin of the shared style (80 + 60): the plot area is the figure height minus this."""

DEFAULT_HEIGHT_PX = 450
"""plotly's own figure height, for a figure without the shared style."""


def add_lifecycle_markers(
    fig: go.Figure,
    result: RunResult,
    *,
    colors: Mapping[str, str],
    name_of: Callable[[StrategyResult], str],
    values: Callable[[StrategyResult], Sequence[float]],
    first_month: int,
    hover: str,
) -> go.Figure:
    """Draw stopped strategies' lines up to their end and each lifecycle event as a labelled dotted line.

    Call after the shared style (the figure's height sizes the headroom). ``colors`` and ``name_of``
    are the chart's strategy colours and legend names; ``values(s)`` is the strategy's series from
    month ``first_month`` on (the numbers the chart plots); ``hover`` the hover template of the y
    value. Labels are stacked from the top of the plot, one row each, and the y axis gets headroom
    for them, so they overlap neither each other nor the lines; the legend stays outside the plot.
    """
    horizon = result.scenario.horizon_months
    for s in result.strategies:
        if not stops(s, horizon):
            continue
        ys = list(values(s))[: max(0, s.available_months - first_month + 1)]
        xs = list(range(first_month, first_month + len(ys)))
        end = (
            f"{s.id} stops after month {s.available_months}" if s.available_months else f"{s.id} never serves"
        )
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers" if len(ys) == 1 else "lines",
                line={"color": colors[s.id], "width": 3},
                marker={"color": colors[s.id], "size": 6},
                name=f"{name_of(s)}, stops after month {s.available_months}",
                hovertemplate="month %{x}<br>" + hover + "<extra>" + s.id + "</extra>",
            )
        )
        if ys:
            fig.add_trace(
                go.Scatter(
                    x=[xs[-1]],
                    y=[ys[-1]],
                    mode="markers",
                    marker={"symbol": "x", "size": 14, "color": colors[s.id], "line": {"width": 1}},
                    name=end,
                    showlegend=False,
                    hovertemplate=end + "<br>" + hover + "<extra></extra>",
                )
            )
    markers = chart_markers(result)
    for row, m in enumerate(markers):
        color = colors.get(m.strategy_id, "#888888")
        fig.add_shape(
            type="line",
            x0=m.month,
            x1=m.month,
            xref="x",
            y0=0,
            y1=1,
            yref="y domain",
            line={"dash": "dot", "color": color, "width": 2},
            name=f"lifecycle {m.strategy_id} month {m.month}",
        )
        right = m.month <= horizon / 2
        fig.add_annotation(
            x=m.month,
            y=1,
            xref="x",
            yref="y domain",
            yshift=-LABEL_ROW_PX * row,
            xanchor="left" if right else "right",
            xshift=4 if right else -4,
            yanchor="top",
            showarrow=False,
            text=for_plotly(m.label),
            hovertext="<br>".join(for_plotly(d) for d in m.detail),
            font={"size": LABEL_FONT_SIZE},
            bgcolor="rgba(128,128,128,0.15)",  # readable on the light and the dark theme
            bordercolor=color,
            borderwidth=1,
            borderpad=2,
            name="lifecycle",
        )
    if markers:
        _headroom(fig, len(markers))
    return fig


def _headroom(fig: go.Figure, n_rows: int) -> None:
    """Raise the top of the y axis so the stacked labels sit above the highest plotted value."""
    values = [np.asarray(t.y, dtype=np.float64) for t in fig.data if getattr(t, "y", None) is not None]
    finite = [v[np.isfinite(v)] for v in values]
    top = max((float(v.max()) for v in finite if v.size), default=0.0)
    if top <= 0:
        return
    plot_px = (fig.layout.height or DEFAULT_HEIGHT_PX) - PLOT_MARGIN_PX
    label_fraction = min(0.6, (n_rows * LABEL_ROW_PX + LABEL_ROW_PX / 2) / plot_px)
    fig.update_yaxes(range=[0, top / (1 - label_fraction)])
